"""FastAPI dependencies handing out what the lifespan loaded into `app.state`."""

from __future__ import annotations

from fastapi import HTTPException, Request

from api.catalog import Catalog
from api.privacy import QueryLogger
from api.search.engine import SearchEngine


def _not_ready(request: Request) -> HTTPException:
    reason = getattr(request.app.state, "load_error", None) or "the index is still loading"
    return HTTPException(status_code=503, detail=f"search is not available: {reason}")


def get_engine(request: Request) -> SearchEngine:
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        raise _not_ready(request)
    return engine


def get_catalog(request: Request) -> Catalog:
    catalog = getattr(request.app.state, "catalog", None)
    if catalog is None:
        raise _not_ready(request)
    return catalog


def get_query_logger(request: Request) -> QueryLogger:
    return request.app.state.query_logger
