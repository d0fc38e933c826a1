"""The HTTP API: the same search as the CLI, browse endpoints, health and metrics, safe by default.

`create_app` loads the engine and the catalog once (in the lifespan, or takes a ready engine
from the caller) and keeps them in `app.state`; `serve` runs it under uvicorn with
`settings.workers` workers, in embedded mode as with a Qdrant server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import security
from api.availability import qdrant_unavailable
from api.catalog import Catalog
from api.dependencies import Serving
from api.privacy import QueryLogger, prune_query_logs
from api.reload import RetiringEngines, follow_current, open_serving
from api.routers import documents, feedback, filters, health, laws, opensearch, passages, pathways, sections, suggest
from api.routers import search as search_router
from api.search.engine import SearchEngine
from api.search.query import QueryError
from veiviser.feedback import FeedbackStore
from veiviser.filters import FilterError
from veiviser.index_format import check_server_index, version_folder
from veiviser.settings import PROJECT_ROOT, Settings, get_settings

logger = logging.getLogger("veiviser.api")

WEB_DIR = PROJECT_ROOT / "web"

DESCRIPTION = """
Veiviser answers questions with passages **quoted verbatim** from Norwegian national guidelines for
mental-health and substance-abuse work; it never generates text. Every result carries a citation
(document, status, section, deep link, source lines) and its law references with Lovdata links.

Errors are JSON `{"detail": "..."}`: 422 for invalid input (empty or over-long query, unknown filter
value - the message lists the allowed ones - or `k` outside 1-50), 404 for unknown ids, 413 for
request bodies over the limit, 429 (with `Retry-After`) when a client sends too many requests,
503 while the index is not loaded or the vector database (Qdrant server) does not answer in time.
Query text is never logged.
"""


def _readable(errors: list[dict[str, Any]]) -> str:
    """FastAPI's validation errors as one sentence per problem: `query parameter 'k': ...`."""
    parts = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        where = {"query": "query parameter", "path": "path parameter", "body": "body field"}.get(loc[0], loc[0]) \
            if loc else "request"
        name = ".".join(loc[1:])
        message = err.get("msg", "invalid value")
        if err.get("type") == "json_invalid":
            parts.append("the request body is not valid JSON")
        elif name:
            parts.append(f"{where} '{name}': {message}")
        else:
            parts.append(f"{where}: {message}")
    return "; ".join(parts) or "invalid request"


class CatchAllMiddleware(security.HttpMiddleware):
    """500 `{"detail": "internal error"}` for any unexpected exception, and a log line with the
    traceback's frames but not the exception's message, which could quote the user's query."""

    def __init__(self, app: Any):
        self.app = app

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        tracked = security.TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error("unhandled %s on %s %s\n%s", type(exc).__name__, scope.get("method"),
                         getattr(scope.get("route"), "path", "?"), frames)
            if not tracked.started:
                await security.send_json(send, 500, {"detail": "internal error"})


def _load(app: FastAPI, settings: Settings, engine: SearchEngine | None) -> None:
    """Open the engine (unless given) and the catalog of the same index version; when that fails
    (no index, an incompatible one, storage held by another process) keep serving, with /readyz
    and 503 answers saying why. A Qdrant server that is down at startup is not such a failure: the
    engine is kept, search answers 503 until the server is back, and then works without a restart."""
    app.state.serving = None
    app.state.load_error = None
    opened = None
    try:
        if engine is None:
            engine = opened = SearchEngine.open(settings)
        try:
            if engine.settings.qdrant_url:
                check_server_index(engine.settings, engine.manifest)
            serving = open_serving(settings, engine)
        except Exception as exc:
            if not qdrant_unavailable(exc):
                raise
            logger.warning("the Qdrant server %s does not answer (%s): search answers 503 until it is back",
                           engine.settings.qdrant_url, type(exc).__name__)
            serving = Serving(engine, Catalog(settings, engine.version,
                                              version_folder(engine.settings, engine.version)))
        app.state.serving = serving
        logger.info("serving index %s: %d passages", engine.version, engine.manifest.chunks)
    except Exception as exc:  # e.g. IndexUnavailable, or local storage locked by another process
        app.state.load_error = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        logger.error("index not loaded: %s", app.state.load_error)
        if opened is not None:
            opened.close()


def create_app(settings: Settings, engine: SearchEngine | None = None) -> FastAPI:
    """The API. With `engine` given (tests, embedding), it is used as is and not closed here."""
    owns_engine = engine is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.query_log == "redacted":
            prune_query_logs(settings.data_dir / "query-log", settings.query_log_retention_days)
        FeedbackStore.for_settings(settings).prune()
        _load(app, settings, engine)
        watcher = None
        if owns_engine and settings.reload_interval_s > 0:
            watcher = asyncio.create_task(follow_current(app, settings))
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            if owns_engine and app.state.serving is not None:
                app.state.serving.engine.close()
            app.state.retiring.close_all()

    app = FastAPI(
        title="Veiviser API",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses={429: {"description": "Too many requests; see Retry-After."}},
    )
    app.state.settings = settings
    app.state.query_logger = QueryLogger(settings)
    app.state.serving = None  # api/dependencies.py: Serving
    app.state.load_error = None
    app.state.failed_version = None  # an index version that could not be opened (api/reload.py)
    app.state.retiring = RetiringEngines(settings.retire_grace_s)

    @app.exception_handler(QueryError)
    @app.exception_handler(FilterError)
    async def bad_query(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _readable(list(exc.errors()))}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint: {request.url.path}; see /docs"
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    for module in (search_router, filters, documents, sections, passages, laws, pathways, suggest, feedback,
                   health, opensearch):
        app.include_router(module.router)

    Instrumentator(
        excluded_handlers=["/metrics"],
        should_group_untemplated=True,
        registry=CollectorRegistry(),
    ).instrument(app).expose(app, include_in_schema=False)

    app.add_middleware(CatchAllMiddleware)
    security.install(app, settings)

    if (WEB_DIR / "index.html").exists():
        from fastapi.responses import FileResponse
        from fastapi.staticfiles import StaticFiles

        @app.get("/dokumenter/{doc_id}", include_in_schema=False)
        def document_page(doc_id: str) -> FileResponse:
            """Citation deep links open the search page, which reads the document id from the URL."""
            return FileResponse(WEB_DIR / "index.html")

        app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    else:
        @app.get("/", include_in_schema=False)
        def root() -> dict[str, str]:
            return {"name": "Veiviser API", "docs": "/docs", "openapi": "/openapi.json"}

    return app


def app_from_environment() -> FastAPI:
    """The app factory uvicorn's worker processes call: settings come from `VEIVISER_*` variables,
    which `serve` exports first, so that each worker sees the same settings as the parent."""
    _quiet_logs()
    return create_app(get_settings())


def worker_count(settings: Settings) -> int:
    """`settings.workers` in both modes: in embedded mode each worker holds the local storage only
    while it loads the index into memory, and the workers take turns (api/search/index_reader.py)."""
    return settings.workers


def export_settings(settings: Settings) -> None:
    """Write every setting into this process's environment as `VEIVISER_*`, for worker processes."""
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        key = field.alias or f"VEIVISER_{name.upper()}"
        if isinstance(value, list):
            text = json.dumps(value)
        elif hasattr(value, "get_secret_value"):
            text = value.get_secret_value()
        else:
            text = str(value)
        os.environ[key] = text
    get_settings.cache_clear()


def _quiet_logs() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # per-search component logs and progress bars (sentence-transformers shows one at INFO) are noise here
    for name in ("haystack", "sentence_transformers"):
        logging.getLogger(name).setLevel(logging.WARNING)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the API under uvicorn, and no access log of its own: uvicorn's would write each request's
    query string, i.e. the user's query. Several workers need an import string, so then the workers
    build the app from the environment (see `app_from_environment`)."""
    import uvicorn

    _quiet_logs()
    workers = worker_count(settings)
    logger.info("starting on http://%s:%d with %d worker(s), %s", host, port, workers,
                f"Qdrant server {settings.qdrant_url}" if settings.qdrant_url else "embedded index in memory")
    if workers > 1:
        export_settings(settings)
        target: Any = "api.worker:app_from_environment"
    else:
        target = create_app(settings)
    uvicorn.run(
        target,
        factory=workers > 1,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )
