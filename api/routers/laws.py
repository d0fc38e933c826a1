"""Laws: every paragraph the corpus cites, with Lovdata links, and the passages citing each."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path

from api.catalog import Catalog
from api.dependencies import get_catalog
from api.models import ErrorResponse, LawDetail, LawList

router = APIRouter(prefix="/api/laws", tags=["laws"])


@router.get("", response_model=LawList, summary="Every law reference the corpus cites")
def list_laws(catalog: Annotated[Catalog, Depends(get_catalog)]) -> dict[str, Any]:
    """Each cited reference (a paragraph, a chapter or a whole act) with passage and document counts."""
    return {"laws": catalog.laws()}


@router.get("/{ref}", response_model=LawDetail, responses={404: {"model": ErrorResponse}},
            summary="The passages citing one law reference")
def get_law(
    catalog: Annotated[Catalog, Depends(get_catalog)],
    ref: Annotated[str, Path(description="A reference as listed by /api/laws, URL-encoded; 'hol §3-2' and "
                                         "'helse- og omsorgstjenesteloven § 3-2' are understood too.",
                             examples=["hol § 3-2"])],
) -> dict[str, Any]:
    key = catalog.normalise_ref(ref)
    if key is None:
        raise HTTPException(404, f"no passage cites '{ref}'; see /api/laws for the cited references")
    summary = next(item for item in catalog.laws() if item["ref"] == key)
    passages = []
    for cid in catalog.law_refs[key]:
        chunk = catalog.chunks[cid]
        passages.append({"id": cid, "text": chunk["text"], "citation": catalog.citation(chunk),
                         "legal_refs": catalog.legal_refs(chunk.get("legal_refs", []))})
    return {"law": summary, "passages": passages}
