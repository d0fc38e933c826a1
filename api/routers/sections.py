"""Sections: the reading view around a hit, with neighbours and breadcrumbs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from api.catalog import Catalog
from api.dependencies import get_catalog
from api.models import ErrorResponse, SectionResponse
from api.search.results import FLAGGED_STATUSES

router = APIRouter(prefix="/api/sections", tags=["sections"])


@router.get("/{anchor}", response_model=SectionResponse,
            responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
            summary="A whole section, in reading order")
def get_section(
    catalog: Annotated[Catalog, Depends(get_catalog)],
    anchor: Annotated[str, Path(description="Section anchor (citation.anchor of a search result).",
                                examples=["individuell-plan"])],
    doc: Annotated[str | None, Query(description="Document id; needed when the anchor occurs in several documents.",
                                     examples=["sammen-om-mestring-2014"])] = None,
) -> dict[str, Any]:
    """The section's text with its passages' ids, its subsections, the previous and next section of the
    document, breadcrumbs from the document down to it, and the documents replacing (or replaced by)
    its document."""
    if doc is not None and doc not in catalog.documents:
        raise HTTPException(404, f"no document '{doc}'; see /api/documents for the ids")
    try:
        doc_id, position = catalog.find_section(anchor, doc)
    except KeyError:
        where = f" in document '{doc}'" if doc else ""
        raise HTTPException(404, f"no section '{anchor}'{where}; see /api/documents/{{id}} for anchors") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    section = catalog.sections[doc_id][position]
    chunks = [catalog.chunks[cid] for cid in section["chunk_ids"] if cid in catalog.chunks]
    document = catalog.documents[doc_id]
    subsections = [
        catalog.section_ref(doc_id, n)
        for n, s in enumerate(catalog.sections[doc_id])
        if s["parent"] == section["anchor"]
    ]
    return {
        "doc_id": doc_id,
        "doc_title": document["title"],
        "status": document["status"],
        "status_flag": FLAGGED_STATUSES.get(document["status"]),
        "anchor": section["anchor"],
        "number": section["number"],
        "title": section["title"],
        "heading": section["heading"],
        "level": section["level"],
        "path": section["path"],
        "url": catalog.document_url(doc_id, section["anchor"]),
        "text": "\n\n".join(c["text"] for c in chunks),
        "chunk_ids": [c["id"] for c in chunks],
        "passages": [catalog.passage_text(c) for c in chunks],
        "subsections": subsections,
        "previous": catalog.section_ref(doc_id, position - 1),
        "next": catalog.section_ref(doc_id, position + 1),
        "breadcrumbs": catalog.breadcrumbs(doc_id, position),
        **catalog.versions(doc_id),  # "Denne veilederen erstattes av …"
    }
