"""Liveness and readiness for the process supervisor and load balancer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.availability import qdrant_problem
from api.dependencies import Serving
from api.models import ErrorResponse, Health, Readiness
from veiviser.index_format import current_version

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": ErrorResponse}},
            summary="The index is loaded and search can answer")
def readyz(request: Request) -> Any:
    """With a Qdrant server this also asks the server (one cheap call, at most `readiness_timeout_s`), so that a load
    balancer stops sending searches to a replica that cannot answer them, and resumes by itself."""
    state = request.app.state
    serving: Serving | None = getattr(state, "serving", None)
    if serving is None:
        reason = getattr(state, "load_error", None) or "the index is still loading"
        return JSONResponse({"detail": f"not ready: {reason}"}, status_code=503)
    engine, catalog = serving.engine, serving.catalog
    if engine.settings.qdrant_url and (problem := qdrant_problem(engine.settings, engine.version)):
        return JSONResponse({"detail": f"not ready: {problem}"}, status_code=503)
    manifest = engine.manifest
    return {
        "status": "ready",
        "version": engine.version,
        "current_version": current_version(engine.settings),
        "chunks": manifest.chunks,
        "documents": len(catalog.documents),
        "model": manifest.model,
        "built_at": manifest.built_at,
    }
