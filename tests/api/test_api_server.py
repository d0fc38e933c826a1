"""A real uvicorn server on loopback: a bounded load run, and searching while the index is rebuilt."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time

import httpx
import pytest

from api.app import create_app
from api.search.engine import SearchEngine
from evaluation.bench_http import DEFAULT_QUERIES, LocalServer, run_http_benchmark
from ingest.indexing import build_from_corpus
from veiviser.index_format import current_version, indexes_root


def test_load_run_over_http_has_no_errors(api_settings, engine, caplog):
    with caplog.at_level(logging.INFO), LocalServer(create_app(api_settings, engine=engine)) as server:
        run_http_benchmark(server.url, clients=1, seconds=2, max_requests=3)  # warm-up
        single = run_http_benchmark(server.url, clients=1, seconds=4)
        load = run_http_benchmark(server.url, clients=20, seconds=6)
    print("\nHTTP search, 1 client:", json.dumps(single), "\nHTTP search, 20 clients:", json.dumps(load))
    assert single["errors"] == 0 and single["requests"] > 0
    assert load["errors"] == 0 and load["requests"] >= 20
    assert load["latency_ms"]["median"] is not None and load["requests_per_s"] > 0
    assert not any(q in caplog.text for q in DEFAULT_QUERIES), "queries must not reach the logs"


@pytest.fixture
def rebuild_settings(settings, engine, tmp_path):
    """A copy of the served index in its own data folder, and a one-document corpus for a quick rebuild."""
    data = tmp_path / "data"
    shutil.copytree(indexes_root(settings) / engine.version, indexes_root(settings.model_copy(
        update={"data_dir": data})) / engine.version)
    (data / "CURRENT").write_text(engine.version)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(settings.corpus_dir / "nasjonal-veileder-horing-2024.md", corpus)
    return settings.model_copy(update={"data_dir": data, "corpus_dir": corpus, "rate_limit_per_minute": 0})


def test_search_answers_while_the_index_is_rebuilt(rebuild_settings, model):
    engine = SearchEngine.open(rebuild_settings, model=model)
    old = engine.version
    try:
        with LocalServer(create_app(rebuild_settings, engine=engine)) as server, httpx.Client(
            base_url=server.url, timeout=60
        ) as http:
            failures: list[BaseException] = []

            def rebuild() -> None:
                try:
                    build_from_corpus(rebuild_settings, model=model, progress=False)
                except BaseException as exc:  # reported by the test below
                    failures.append(exc)

            builder = threading.Thread(target=rebuild)
            builder.start()
            answered = 0
            while builder.is_alive() or answered < 3:
                response = http.get("/api/search", params={"q": DEFAULT_QUERIES[answered % len(DEFAULT_QUERIES)]})
                assert response.status_code == 200, response.text
                assert response.json()["results"]
                answered += 1
                time.sleep(0.05)
            builder.join()
            assert not failures, failures
            new = current_version(rebuild_settings)
            assert new != old, "the rebuild switched CURRENT when complete"
            ready = http.get("/readyz").json()
            assert ready["version"] == old and ready["current_version"] == new
            assert http.get("/api/search", params={"q": "individuell plan"}).status_code == 200
            assert answered >= 3
    finally:
        engine.close()
