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
    """Each cited reference (a paragraph, a chapter or a whole act) with passage and document counts:
    `laws` as one list by law key, `laws_grouped` grouped by law as a lawyer lists them (laws in force
    first, repealed ones marked "opphevet"; within a law the whole act, then the paragraphs in numeric
    order, then the chapters)."""
    return {"laws": catalog.laws(), "laws_grouped": catalog.laws_grouped()}


@router.get("/{ref}", response_model=LawDetail, responses={404: {"model": ErrorResponse}},
            summary="The passages citing one law reference")
def get_law(
    catalog: Annotated[Catalog, Depends(get_catalog)],
    ref: Annotated[str, Path(description="A reference as listed by /api/laws, URL-encoded; 'hol §3-2' and "
                                         "'helse- og omsorgstjenesteloven § 3-2' are understood too.",
                             examples=["hol § 3-2"])],
) -> dict[str, Any]:
    """Every passage citing the reference, current documents first (gjeldende, høringsutkast,
    historisk, lokal; newer first), then in reading order; each with its whole text and an excerpt."""
    key = catalog.normalise_ref(ref)
    if key is None:
        raise HTTPException(404, f"no passage cites '{ref}'; see /api/laws for the cited references")
    summary = next(item for item in catalog.laws() if item["ref"] == key)
    return {"law": summary, "law_group": catalog.law_group(summary["law"]), "passages": catalog.law_passages(key)}
