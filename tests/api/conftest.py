"""API fixtures: one app over the session's real index, with rate limiting off so that the
many test requests from one client are not throttled (rate limiting has its own tests)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from veiviser.index_format import indexes_root


@pytest.fixture(scope="session")
def api_settings(settings):
    return settings.model_copy(update={"rate_limit_per_minute": 0})


@pytest.fixture(scope="session")
def app(api_settings, engine):
    return create_app(api_settings, engine=engine)


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def chunks(engine) -> dict[str, dict]:
    """The served index's chunks, straight from its chunks.jsonl: what the API must quote verbatim."""
    path = indexes_root(engine.settings) / engine.version / "chunks.jsonl"
    return {c["id"]: c for c in map(json.loads, path.read_text("utf-8").splitlines()) if c}
