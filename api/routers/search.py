"""Search: the same engine as the CLI, cited passages only, queries logged only as hashes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from api.availability import qdrant_unavailable, unavailable_message
from api.dependencies import get_engine, get_query_logger
from api.models import ErrorResponse, SearchRequest, SearchResponse, request_filters
from api.privacy import QueryLogger
from api.search.engine import SearchEngine

router = APIRouter(prefix="/api", tags=["search"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "Empty or too long query, unknown filter value, k out of range."},
    429: {"model": ErrorResponse, "description": "Too many requests; see the Retry-After header."},
    503: {"model": ErrorResponse, "description": "The index is not loaded, or the Qdrant server did not answer in "
                                                 "time; see Retry-After."},
}


def run_search(request: SearchRequest, engine: SearchEngine, qlog: QueryLogger) -> SearchResponse:
    filters = request_filters(request)
    try:
        response = engine.search(request.q, top_k=request.k, filters=filters or None)
    except Exception as exc:
        if qdrant_unavailable(exc):  # an outage, not a bug: 503, and the next request tries again
            raise HTTPException(503, unavailable_message(engine.settings),
                                {"Retry-After": str(engine.settings.retry_after_s)}) from None
        raise
    qlog.log_search(request.q, k=request.k, filters=filters, result_ids=[r.id for r in response.results],
                    abstained=response.abstained, took_ms=response.took_ms)
    return response


@router.get("/search", response_model=SearchResponse, responses=ERRORS, summary="Search the guidelines")
def search_get(
    engine: Annotated[SearchEngine, Depends(get_engine)],
    qlog: Annotated[QueryLogger, Depends(get_query_logger)],
    request: Annotated[SearchRequest, Query()],
) -> SearchResponse:
    """Cited passages answering a question, best first. Passages are quoted verbatim, never generated.
    `abstained` is true when nothing answers well enough. Unknown filter values are rejected with a
    message listing the allowed ones (see /api/filters)."""
    return run_search(request, engine, qlog)


@router.post("/search", response_model=SearchResponse, responses=ERRORS, summary="Search the guidelines (JSON body)")
def search_post(
    body: SearchRequest,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    qlog: Annotated[QueryLogger, Depends(get_query_logger)],
) -> SearchResponse:
    """The same search with the fields in a JSON body, which keeps the query out of URLs (and so out
    of proxy logs and browser history)."""
    return run_search(body, engine, qlog)
