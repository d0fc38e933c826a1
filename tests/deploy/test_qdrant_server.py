"""Against a real Qdrant server, only when `VEIVISER_TEST_QDRANT_URL` is set (e.g. http://127.0.0.1:6333
from `docker compose up qdrant` with the port published): build, alias switch, search through the API,
rebuild, rollback and cleanup of server collections. Skipped otherwise, with the reason in the summary."""

from __future__ import annotations

import os
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.search.engine import SearchEngine
from ingest.chunking import chunk_corpus, section_tables
from ingest.indexing import build_index
from ingest.parse import load_corpus
from veiviser.index_format import alias_target, qdrant_client, rollback, server_collection
from veiviser.settings import PROJECT_ROOT

URL = os.environ.get("VEIVISER_TEST_QDRANT_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="VEIVISER_TEST_QDRANT_URL is not set: no Qdrant server to test against")


def test_index_lifecycle_and_search_on_a_qdrant_server(tmp_path: Path, settings, model) -> None:
    server = settings.model_copy(update={
        "qdrant_url": URL, "data_dir": tmp_path / "data", "cache_dir_override": tmp_path / "cache",
        "collection": f"veiviser_test_{uuid.uuid4().hex[:8]}", "rate_limit_per_minute": 0,
    })
    documents = [d for d in load_corpus(PROJECT_ROOT / "corpus") if d.meta.id == "nasjonal-veileder-horing-2024"]
    chunks = chunk_corpus(documents, None)[:5]
    metas = {d.meta.id: d.meta.model_dump(mode="json") for d in documents}
    built = []
    try:
        for _ in range(3):
            built.append(build_index(server, chunks, metas, model, progress=False,
                                     sections=section_tables(documents, chunks)).version)
            time.sleep(1.1)  # versions are named after the second they start in
        with closing(qdrant_client(server)) as client:
            assert alias_target(client, server) == server_collection(server, built[-1], "chunks")
            names = {c.name for c in client.get_collections().collections}
            assert server_collection(server, built[0], "chunks") not in names, "old collections are cleaned up"
        engine = SearchEngine.open(server, model=model)
        try:
            with TestClient(create_app(server, engine=engine)) as api:
                assert api.get("/readyz").status_code == 200
                response = api.get("/api/search", params={"q": "bakgrunn metode og prosess"})
                assert response.status_code == 200 and response.json()["results"]
        finally:
            engine.close()
        assert rollback(server) == built[1]
        with closing(qdrant_client(server)) as client:
            assert alias_target(client, server) == server_collection(server, built[1], "chunks")
    finally:
        with closing(qdrant_client(server)) as client:
            for collection in client.get_collections().collections:
                if collection.name.startswith(server.collection):
                    client.delete_collection(collection.name)
