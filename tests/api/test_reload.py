"""A running API follows CURRENT: a new build or a rollback is served without a restart, and a
version that cannot be opened leaves the old one serving."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.app import create_app
from veiviser.index_format import rollback


def ready(client: TestClient) -> dict:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_version(client: TestClient, version: str, timeout_s: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get("/readyz")
        if response.status_code == 200 and response.json()["version"] == version:
            return response.json()
        time.sleep(0.1)
    raise AssertionError(f"the API did not switch to {version}: {client.get('/readyz').json()}")


def test_a_running_api_switches_versions_without_a_restart(fresh_settings, build_small) -> None:
    settings = fresh_settings(reload_interval_s=0.2, rate_limit_per_minute=0)
    first = build_small(settings, 4)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert ready(client)["version"] == first.version and ready(client)["chunks"] == 4

        second = build_small(settings, 6)
        state = wait_for_version(client, second.version)
        assert state["chunks"] == 6 and state["current_version"] == second.version
        results = client.get("/api/search", params={"q": "bakgrunn for veilederen", "k": 10}).json()["results"]
        assert results and len(results) <= 6
        catalog = client.get("/api/documents").json()  # the catalog follows the engine
        assert catalog["version"] == second.version and sum(d["chunks"] for d in catalog["documents"]) == 6

        assert rollback(settings) == first.version
        assert wait_for_version(client, first.version)["chunks"] == 4

        # CURRENT naming a version that cannot be opened: the old version keeps serving
        (settings.data_dir / "CURRENT").write_text("20000101-000000-1")
        time.sleep(1.0)
        state = ready(client)
        assert state["version"] == first.version and state["current_version"] == "20000101-000000-1"
        assert client.get("/api/search", params={"q": "bakgrunn"}).status_code == 200


def test_an_api_started_before_the_first_build_starts_serving_when_it_is_built(fresh_settings, build_small) -> None:
    settings = fresh_settings(reload_interval_s=0.2, rate_limit_per_minute=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503 and "veiviser index build" in not_ready.json()["detail"]
        assert client.get("/api/search", params={"q": "bakgrunn"}).status_code == 503
        built = build_small(settings, 3)
        assert wait_for_version(client, built.version)["chunks"] == 3
        assert client.get("/api/search", params={"q": "bakgrunn"}).status_code == 200
