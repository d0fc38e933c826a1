"""Passages: one chunk, cited, with the passages around it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from api.catalog import Catalog
from api.dependencies import get_catalog
from api.models import ErrorResponse, PassageResponse

router = APIRouter(prefix="/api/passages", tags=["passages"])


@router.get("/{passage_id:path}", response_model=PassageResponse, responses={404: {"model": ErrorResponse}},
            summary="One passage with its neighbours")
def get_passage(
    catalog: Annotated[Catalog, Depends(get_catalog)],
    passage_id: Annotated[str, Path(description="Passage id (a search result's `id`); it contains slashes.",
                                    examples=["sammen-om-mestring-2014/individuell-plan/1"])],
    window: Annotated[int, Query(ge=0, le=5, description="How many neighbours on each side.")] = 1,
) -> dict[str, Any]:
    """The passage and up to `window` passages before and after it in the same document."""
    chunk = catalog.chunks.get(passage_id)
    if chunk is None:
        raise HTTPException(404, f"no passage '{passage_id}'")
    doc_id, n = catalog.chunk_position[passage_id]
    order = catalog.chunk_order[doc_id]
    before = [catalog.passage_text(catalog.chunks[c]) for c in order[max(0, n - window):n]]
    after = [catalog.passage_text(catalog.chunks[c]) for c in order[n + 1:n + 1 + window]]
    return {
        "passage": catalog.passage_text(chunk),
        "citation": catalog.citation(chunk),
        "pathway": chunk.get("pathway", []),
        "target_groups": chunk.get("target_groups", []),
        "footnotes": chunk.get("footnotes", []),
        "before": before,
        "after": after,
    }
