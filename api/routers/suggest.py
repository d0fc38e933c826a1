"""Search-as-you-type completions from section titles, abbreviations, cited law references and the
question bank's questions (labelled as suggested searches)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.catalog import Catalog
from api.dependencies import get_catalog
from api.models import SuggestResponse

router = APIRouter(prefix="/api", tags=["suggest"])


@router.get("/suggest", response_model=SuggestResponse, summary="Completions for search-as-you-type")
def suggest(
    catalog: Annotated[Catalog, Depends(get_catalog)],
    q: Annotated[str, Query(max_length=200, description="What has been typed so far.", examples=["indiv"])],
    limit: Annotated[int, Query(ge=1, le=25, description="Most suggestions to return.")] = 10,
) -> dict[str, Any]:
    """Titles, abbreviations and law references that start with (or contain a word starting with) `q`,
    then question-bank questions containing every typed word (kind `question`, detail "Forslag til
    søk": suggested searches, never source text).
    An empty `q` gives no suggestions. Like search, `q` is never logged."""
    items = catalog.suggest(q, limit)
    return {"suggestions": [
        {"text": s.text, "kind": s.kind, "detail": s.detail, "doc_id": s.doc_id, "anchor": s.anchor} for s in items
    ]}
