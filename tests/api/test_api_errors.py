"""Every bad input gets a clear 4xx JSON message; nothing gets a stack trace."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from veiviser.settings import Settings


def _detail(response) -> str:
    body = response.json()
    assert set(body) == {"detail"}
    assert isinstance(body["detail"], str)
    assert "Traceback" not in body["detail"]
    return body["detail"]


@pytest.mark.parametrize(("params", "expect"), [
    ({"q": ""}, "'q'"),
    ({"q": "   "}, "empty"),
    ({}, "'q'"),
    ({"q": "a" * 1001}, "1000"),
    ({"q": "plan", "k": 0}, "'k'"),
    ({"q": "plan", "k": 51}, "'k'"),
    ({"q": "plan", "k": "ti"}, "'k'"),
    ({"q": "plan", "status": "utkast"}, "gjeldende, høringsutkast, historisk, lokal"),
    ({"q": "plan", "kind": "essay"}, "recommendation"),
    ({"q": "plan", "doc": "ukjent"}, "sammen-om-mestring-2014"),
    ({"q": "plan", "pathway": "x"}, "forebygging"),
    ({"q": "plan", "target_group": "x"}, "pårørende"),
    ({"q": "plan", "law": "ingenlov"}, "hol § 3-2"),
])
def test_bad_search_input_is_422_with_a_message(client, params, expect):
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert expect in _detail(response)


@pytest.mark.parametrize(("body", "expect"), [
    ({"q": ""}, "'q'"),
    ({"q": "x" * 1001}, "'q'"),
    ({"q": "plan", "k": 99}, "'k'"),
    ({"q": "plan", "status": "kladd"}, "allowed"),
    ({"q": "plan", "unknown": 1}, "'unknown'"),
    ({"k": 5}, "'q'"),
])
def test_bad_post_bodies_are_422(client, body, expect):
    response = client.post("/api/search", json=body)
    assert response.status_code == 422
    assert expect in _detail(response)


def test_invalid_json_is_422(client):
    response = client.post("/api/search", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in _detail(response)


@pytest.mark.parametrize("path", [
    "/api/documents/finnes-ikke",
    "/api/sections/finnes-ikke",
    "/api/sections/forord?doc=finnes-ikke",
    "/api/passages/sammen-om-mestring-2014/finnes-ikke/1",
    "/api/laws/hol%20%C2%A7%2099-9",
    "/api/laws/ingen",
    "/api/finnes-ikke",
])
def test_unknown_ids_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    _detail(response)


def test_ambiguous_anchor_names_the_documents(client):
    response = client.get("/api/sections/forord")
    assert response.status_code == 422
    assert "?doc=" in _detail(response)


def test_large_bodies_are_413(client, api_settings):
    big = b'{"q": "' + b"a" * (api_settings.max_body_bytes + 10) + b'"}'
    response = client.post("/api/search", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "too large" in _detail(response)

    def chunked():  # no Content-Length: the limit applies while the body streams in
        for _ in range(api_settings.max_body_bytes // 1000 + 2):
            yield b"a" * 1000

    response = client.post("/api/search", content=chunked(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "too large" in _detail(response)


def test_unexpected_errors_are_500_without_trace_or_message(api_settings, engine, monkeypatch, caplog):
    app = create_app(api_settings, engine=engine)

    name = "Ola " + "Nordmann"  # built at run time: the traceback shows source lines, not values

    def broken(query, *args, **kwargs):
        raise RuntimeError(f"secret internals: {query}")

    with TestClient(app, raise_server_exceptions=False) as client:
        monkeypatch.setattr(engine, "search", broken)
        with caplog.at_level(logging.DEBUG):
            response = client.get("/api/search", params={"q": name})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "RuntimeError" in caplog.text
    server_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert name not in server_log


def test_missing_index_makes_readyz_503_and_search_503(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "veiviser index build" in _detail(ready)
        search = client.get("/api/search", params={"q": "plan"})
        assert search.status_code == 503
        assert "not available" in _detail(search)


def test_api_is_read_only(client):
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)("/api/documents/sammen-om-mestring-2014")
        assert response.status_code == 405
    assert client.post("/api/documents").status_code == 405
