"""Search: the same engine as the CLI, cited passages only, queries logged only as hashes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from api.availability import qdrant_unavailable, unavailable_message
from api.catalog import Catalog
from api.dependencies import get_catalog, get_engine, get_query_logger
from api.models import EXAMPLE_QUERY, ErrorResponse, SearchRequest, SearchResponse
from api.privacy import QueryLogger
from api.search.engine import MAX_TOP_K, SearchEngine
from api.search.query import MAX_QUERY_CHARS

router = APIRouter(prefix="/api", tags=["search"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "Empty or too long query, unknown filter value, k out of range."},
    429: {"model": ErrorResponse, "description": "Too many requests; see the Retry-After header."},
    503: {"model": ErrorResponse, "description": "The index is not loaded, or the Qdrant server did not answer in "
                                                 "time; see Retry-After."},
}
RETRY_AFTER_S = "5"


def run_search(request: SearchRequest, engine: SearchEngine, catalog: Catalog, qlog: QueryLogger) -> dict[str, Any]:
    filters = request.filters()
    try:
        response = engine.search(request.q, top_k=request.k, filters=filters or None)
    except Exception as exc:
        if qdrant_unavailable(exc):  # an outage, not a bug: 503, and the next request tries again
            raise HTTPException(503, unavailable_message(engine.settings), {"Retry-After": RETRY_AFTER_S}) from None
        raise
    results = []
    for r in response["results"]:
        results.append({
            "id": r["id"],
            "score": r["score"],
            "text": r["text"],
            "highlights": r["highlights"],
            "citation": catalog.citation(r),
            "legal_refs": catalog.legal_refs(r.get("legal_refs") or []),
            "pathway": r.get("pathway") or [],
            "target_groups": r.get("target_groups") or [],
            "kind": r["kind"],
            "strength": r.get("strength"),
            "footnotes": r.get("footnotes") or [],
            "evidence": r.get("evidence"),
        })
    qlog.log_search(request.q, k=request.k, filters=filters, result_ids=[r["id"] for r in results],
                    abstained=response["abstained"], took_ms=response["took_ms"])
    return {**response, "results": results}


@router.get("/search", response_model=SearchResponse, responses=ERRORS, summary="Search the guidelines")
def search_get(
    engine: Annotated[SearchEngine, Depends(get_engine)],
    catalog: Annotated[Catalog, Depends(get_catalog)],
    qlog: Annotated[QueryLogger, Depends(get_query_logger)],
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="The question or search words.",
                            examples=[EXAMPLE_QUERY])],
    k: Annotated[int, Query(ge=1, le=MAX_TOP_K, description="Number of passages.")] = 10,
    doc: Annotated[str | None, Query(description="Only this document id.", examples=["sammen-om-mestring-2014"])
                   ] = None,
    status: Annotated[str | None, Query(description="Only documents with this status.", examples=["gjeldende"])
                      ] = None,
    kind: Annotated[str | None, Query(description="Only passages of this kind.", examples=["recommendation"])
                    ] = None,
    law: Annotated[str | None, Query(description="Only passages citing this law or paragraph.",
                                     examples=["hol § 3-2"])] = None,
    pathway: Annotated[str | None, Query(description="Only passages tagged with this pathway step.")] = None,
    target_group: Annotated[str | None, Query(description="Only passages tagged with this target group.")] = None,
) -> dict[str, Any]:
    """Cited passages answering a question, best first. Passages are quoted verbatim, never generated.
    `abstained` is true when nothing answers well enough. Unknown filter values are rejected with a
    message listing the allowed ones."""
    request = SearchRequest(q=q, k=k, doc=doc, status=status, kind=kind, law=law, pathway=pathway,
                            target_group=target_group)
    return run_search(request, engine, catalog, qlog)


@router.post("/search", response_model=SearchResponse, responses=ERRORS, summary="Search the guidelines (JSON body)")
def search_post(
    body: SearchRequest,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    catalog: Annotated[Catalog, Depends(get_catalog)],
    qlog: Annotated[QueryLogger, Depends(get_query_logger)],
) -> dict[str, Any]:
    """The same search with the fields in a JSON body, which keeps the query out of URLs (and so out
    of proxy logs and browser history)."""
    return run_search(body, engine, catalog, qlog)
