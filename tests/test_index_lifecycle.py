"""Index versions in a throw-away data folder: build, rebuild from the embedding cache, rollback,
pruning, and a missing index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.search.engine import SearchEngine
from ingest.indexing import build_index
from veiviser.index_format import (
    SCHEMA_VERSION,
    IndexUnavailable,
    current_version,
    list_versions,
    read_manifest,
    rollback,
)
from veiviser.settings import Settings

DOC = "nasjonal-veileder-horing-2024"  # the small document of conftest.small_corpus
PASSAGES = 5  # a few passages of the smallest document keep the builds (with an empty cache) quick


def test_build_rebuild_rollback_and_prune(fresh_settings, build_small, model, small_corpus) -> None:
    lifecycle = fresh_settings()
    chunks = small_corpus[1][:PASSAGES]

    first = build_small(lifecycle, PASSAGES)
    assert current_version(lifecycle) == first.version
    assert first.chunks == len(chunks) and first.sentences > first.chunks
    # an empty cache: everything is embedded (identical texts once)
    assert 0 < first.embedded_new <= first.chunks + first.sentences
    folder = lifecycle.data_dir / "indexes" / first.version
    for name in ("manifest.json", "documents.json", "sections.json", "chunks.jsonl", "lexical.json"):
        assert (folder / name).exists(), name
    assert not list((lifecycle.data_dir / "indexes").glob("*.building"))

    second = build_small(lifecycle, PASSAGES)
    assert second.version > first.version
    assert second.embedded_new == 0  # every vector comes from the embedding cache
    assert second.corpus_fingerprint == first.corpus_fingerprint
    assert current_version(lifecycle) == second.version
    assert list_versions(lifecycle) == [first.version, second.version]

    assert rollback(lifecycle) == first.version
    assert current_version(lifecycle) == first.version
    assert read_manifest(lifecycle).version == first.version
    engine = SearchEngine.open(lifecycle, model=model)
    try:
        assert engine.version == first.version
        response = engine.search("bakgrunn metode og prosess", top_k=3)
        assert response.results and all(r.citation.doc_id == DOC for r in response.results)
    finally:
        engine.close()
    with pytest.raises(IndexUnavailable, match="no earlier index version"):
        rollback(lifecycle)

    third = build_small(lifecycle, PASSAGES)
    fourth = build_small(lifecycle, PASSAGES)
    assert current_version(lifecycle) == fourth.version
    assert len(list_versions(lifecycle)) == lifecycle.keep_versions == 2
    assert list_versions(lifecycle) == [third.version, fourth.version]
    assert not (lifecycle.data_dir / "indexes" / first.version).exists()
    assert rollback(lifecycle) == third.version


def test_an_index_of_an_older_schema_is_rebuilt_on_first_run(fresh_settings, build_small, model,
                                                              monkeypatch) -> None:
    from veiviser.cli import ensure_index

    lifecycle = fresh_settings()
    old = build_small(lifecycle, PASSAGES)
    path = lifecycle.data_dir / "indexes" / old.version / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "schema_version": SCHEMA_VERSION - 1}))
    with pytest.raises(IndexUnavailable, match="schema version .* run `veiviser index build`"):
        SearchEngine.open(lifecycle, model=model)

    rebuilt: list[str] = []

    def build_from_corpus(settings: Settings, progress: bool = True):
        rebuilt.append(settings.data_dir.name)
        return build_small(settings, PASSAGES)

    monkeypatch.setattr("ingest.indexing.build_from_corpus", build_from_corpus)
    ensure_index(lifecycle, progress=False)
    assert rebuilt and read_manifest(lifecycle).schema_version == SCHEMA_VERSION
    ensure_index(lifecycle, progress=False)  # the current index is usable: nothing to do
    assert len(rebuilt) == 1


def test_missing_index_says_how_to_build_it(fresh_settings, model) -> None:
    empty = fresh_settings()
    assert current_version(empty) is None
    with pytest.raises(IndexUnavailable, match="veiviser index build"):
        SearchEngine.open(empty, model=model)
    with pytest.raises(IndexUnavailable, match="veiviser index build"):
        read_manifest(empty)
    with pytest.raises(IndexUnavailable, match="no earlier index version"):
        rollback(empty)


def test_current_pointing_at_a_removed_version(fresh_settings) -> None:
    broken = fresh_settings()
    broken.data_dir.mkdir(parents=True)
    (broken.data_dir / "CURRENT").write_text("20000101-000000-1")
    with pytest.raises(IndexUnavailable, match="missing or incomplete: run `veiviser index build`"):
        read_manifest(broken)


def test_empty_corpus_is_refused(fresh_settings, model) -> None:
    with pytest.raises(IndexUnavailable, match="corpus is empty"):
        build_index(fresh_settings(), [], {}, model, progress=False)


def test_alias_switch_rollback_and_cleanup_with_a_local_qdrant(tmp_path: Path, fresh_settings) -> None:
    """The server-mode alias code, run against qdrant_client's local mode (same API, no server):
    aliases follow the switch and the rollback, and cleanup keeps the kept versions and the aliased one."""
    from contextlib import closing

    from qdrant_client import QdrantClient
    from qdrant_client.http import models

    from veiviser.index_format import KINDS, alias_target, prune_server_collections, server_collection, switch_aliases

    lifecycle = fresh_settings()
    versions = ["20250101-000000-1", "20250102-000000-1", "20250103-000000-1"]
    with closing(QdrantClient(path=str(tmp_path / "qdrant"))) as client:
        for version in versions:
            for kind in KINDS:
                client.create_collection(server_collection(lifecycle, version, kind),
                                         vectors_config=models.VectorParams(size=4, distance=models.Distance.COSINE))
        client.create_collection("someone_else", vectors_config=models.VectorParams(
            size=4, distance=models.Distance.COSINE))
        assert alias_target(client, lifecycle) is None

        switch_aliases(client, lifecycle, versions[1])  # first switch: no aliases to delete yet
        switch_aliases(client, lifecycle, versions[2])
        assert alias_target(client, lifecycle, "chunks") == "veiviser_chunks_20250103_000000_1"
        assert alias_target(client, lifecycle, "sentences") == "veiviser_sentences_20250103_000000_1"
        switch_aliases(client, lifecycle, versions[1])  # rollback
        assert alias_target(client, lifecycle) == server_collection(lifecycle, versions[1], "chunks")

        dropped = prune_server_collections(client, lifecycle, keep={versions[2]})
        assert sorted(dropped) == sorted(server_collection(lifecycle, versions[0], k) for k in KINDS)
        left = {c.name for c in client.get_collections().collections}
        assert "someone_else" in left, "collections of other deployments are never touched"
        assert server_collection(lifecycle, versions[1], "chunks") in left, "the aliased version is kept"
