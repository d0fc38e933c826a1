"""Documents: what the corpus holds, each with its status and table of contents."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path

from api.catalog import Catalog
from api.dependencies import get_catalog
from api.models import DocumentDetail, DocumentList, ErrorResponse

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get("", response_model=DocumentList, summary="All documents")
def list_documents(catalog: Annotated[Catalog, Depends(get_catalog)]) -> dict[str, Any]:
    """Every document with its status (drafts and historical documents are flagged) and passage counts."""
    documents = [catalog.document_summary(doc_id) for doc_id in sorted(catalog.documents)]
    return {
        "version": catalog.version,
        "documents": documents,
        "status_counts": dict(Counter(d["status"] for d in documents)),
    }


@router.get("/{doc_id}", response_model=DocumentDetail, responses={404: {"model": ErrorResponse}},
            summary="One document with its table of contents")
def get_document(
    catalog: Annotated[Catalog, Depends(get_catalog)],
    doc_id: Annotated[str, Path(description="Document id.", examples=["sammen-om-mestring-2014"])],
) -> dict[str, Any]:
    """Metadata and the table of contents as a tree; each node's anchor opens /api/sections/{anchor}."""
    if doc_id not in catalog.documents:
        raise HTTPException(404, f"no document '{doc_id}'; see /api/documents for the ids")
    return {**catalog.document_summary(doc_id), "toc": catalog.toc(doc_id)}
