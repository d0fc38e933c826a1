"""FastAPI dependencies handing out what the lifespan loaded into `app.state`.

What is served is one immutable `Serving` snapshot (engine, catalog, version), replaced in a single
assignment when the index is switched (api/reload.py). `get_serving` reads it once per request
(FastAPI caches a dependency within a request), so a request never pairs a new engine with an old
catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.catalog import Catalog
from api.privacy import QueryLogger
from api.search.engine import SearchEngine


@dataclass(frozen=True)
class Serving:
    engine: SearchEngine
    catalog: Catalog

    @property
    def version(self) -> str:
        return self.engine.version


def get_serving(request: Request) -> Serving:
    serving = getattr(request.app.state, "serving", None)
    if serving is None:
        reason = getattr(request.app.state, "load_error", None) or "the index is still loading"
        raise HTTPException(status_code=503, detail=f"search is not available: {reason}")
    return serving


def get_engine(serving: Annotated[Serving, Depends(get_serving)]) -> SearchEngine:
    return serving.engine


def get_catalog(serving: Annotated[Serving, Depends(get_serving)]) -> Catalog:
    return serving.catalog


def get_query_logger(request: Request) -> QueryLogger:
    return request.app.state.query_logger
