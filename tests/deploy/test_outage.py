"""A Qdrant server that is down, silent or slow: search answers 503 within a bounded time with a clear
message, /readyz says not ready, and both recover by themselves when Qdrant answers again.

No Qdrant server runs here: the API is given a server-mode engine (settings with `qdrant_url`) over
the session's index metadata, pointed at a closed loopback port or at `FaultProxy` in front of
`FakeQdrant` (see faults.py for what the fake answers and what that does and does not show).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from faults import FakeQdrant, FaultProxy

from api.app import create_app
from api.search.engine import SearchEngine
from veiviser.index_format import KINDS, Manifest, open_store, server_collection
from veiviser.settings import Settings

TIMEOUT_S = 1  # VEIVISER_QDRANT_TIMEOUT for these tests
BOUND_S = 3 * TIMEOUT_S + 2  # dense, sentence and BM25 calls could each wait a timeout; plus slack


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_collections(settings: Settings, manifest: Manifest, tmp: Path) -> FakeQdrant:
    """A fake server holding the version's collections, configured as `open_store` does."""
    local = settings.model_copy(update={"qdrant_url": ""})
    counts, infos = {}, {}
    sizes = {"chunks": manifest.chunks, "sentences": manifest.sentences, "questions": manifest.questions}
    for kind in KINDS:
        name, n = server_collection(settings, manifest.version, kind), sizes[kind]
        store = open_store(local, tmp, manifest.version, kind, manifest.dim, recreate=True)
        store.count_documents()  # creates the collection
        # local mode names the collection after its kind; the fake server answers for the versioned name
        infos[name] = store._client.get_collection(kind).model_dump(mode="json", exclude_none=True)
        counts[name] = n
        store._client.close()
    return FakeQdrant(counts, infos)


def server_mode(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"qdrant_url": url, "qdrant_timeout": TIMEOUT_S, "rate_limit_per_minute": 0})


@pytest.fixture
def api(request, settings, model, index) -> Iterator[TestClient]:
    """The API over a server-mode engine at the URL given by the test's parametrisation."""
    server_settings = server_mode(settings, request.param())
    engine = SearchEngine.open(server_settings, model=model)
    try:
        with TestClient(create_app(server_settings, engine=engine), raise_server_exceptions=False) as client:
            yield client
    finally:
        engine.close()


def timed_search(client: TestClient) -> tuple[int, dict, float]:
    started = time.perf_counter()
    response = client.get("/api/search", params={"q": "individuell plan"})
    return response.status_code, response.json() | {"retry_after": response.headers.get("retry-after")}, \
        time.perf_counter() - started


@pytest.mark.parametrize("api", [lambda: f"http://127.0.0.1:{closed_port()}"], indirect=True, ids=["closed-port"])
def test_qdrant_on_a_closed_port_gives_503_and_not_ready(api: TestClient) -> None:
    assert api.get("/healthz").status_code == 200, "the process itself is alive"
    ready = api.get("/readyz")
    assert ready.status_code == 503
    assert "not ready: the Qdrant server http://127.0.0.1:" in ready.json()["detail"]
    assert "unreachable" in ready.json()["detail"]
    status, body, took = timed_search(api)
    assert status == 503, body
    assert body["detail"].startswith("search is temporarily unavailable: the vector database (Qdrant)")
    assert body["retry_after"] == "5"
    assert took < BOUND_S
    # browsing reads the local metadata, not Qdrant, and keeps working
    assert api.get("/api/documents").status_code == 200


@pytest.fixture
def faulty(settings, model, index, tmp_path) -> Iterator[tuple[TestClient, FaultProxy, FakeQdrant]]:
    """The API, starting while Qdrant is down (the proxy refuses), over proxy -> fake Qdrant."""
    server_settings = server_mode(settings, "")
    with fake_collections(server_settings, index, tmp_path) as fake, FaultProxy(fake.port, mode="refuse") as proxy:
        server_settings = server_settings.model_copy(update={"qdrant_url": proxy.url})
        engine = SearchEngine.open(server_settings, model=model)
        try:
            with TestClient(create_app(server_settings, engine=engine), raise_server_exceptions=False) as client:
                yield client, proxy, fake
        finally:
            engine.close()


def test_outage_and_recovery_through_a_fault_injecting_proxy(faulty) -> None:
    client, proxy, fake = faulty
    # down at startup: the app started anyway and says why it cannot search
    assert client.get("/readyz").status_code == 503
    status, body, took = timed_search(client)
    assert status == 503 and "temporarily unavailable" in body["detail"] and took < BOUND_S

    proxy.set_mode("pass")  # Qdrant is back: no restart, the next requests succeed
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    status, body, took = timed_search(client)
    assert status == 200, body
    assert any("/points/query" in r for r in fake.requests), "the search really went to the (fake) server"

    proxy.set_mode("drop")  # connections accepted, nothing answered: the timeout bounds the wait
    status, body, took = timed_search(client)
    assert status == 503 and took < BOUND_S, (status, took)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "did not answer within 1 s" in ready.json()["detail"]

    proxy.set_mode("delay", delay=TIMEOUT_S + 2)  # slower than the timeout
    status, body, took = timed_search(client)
    assert status == 503 and TIMEOUT_S * 0.9 < took < BOUND_S, (status, took)

    proxy.set_mode("delay", delay=0.2)  # slow but within the timeout: answered
    assert timed_search(client)[0] == 200

    proxy.set_mode("pass")
    assert client.get("/readyz").status_code == 200
    assert timed_search(client)[0] == 200


def test_a_server_without_the_index_is_not_ready(settings, model, index) -> None:
    """A fresh or different Qdrant server: readiness names the missing collection and what to do."""
    with FakeQdrant({}) as fake:
        server_settings = server_mode(settings, f"http://127.0.0.1:{fake.port}")
        engine = SearchEngine.open(server_settings, model=model)
        try:
            with TestClient(create_app(server_settings, engine=engine), raise_server_exceptions=False) as client:
                ready = client.get("/readyz")
                assert ready.status_code == 503
                assert "is missing on the Qdrant server" in ready.json()["detail"]
                assert "run `veiviser index build`" in ready.json()["detail"]
        finally:
            engine.close()
