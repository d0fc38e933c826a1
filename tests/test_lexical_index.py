"""The in-memory BM25 index gives exactly Qdrant's sparse-search results, filters included."""

from __future__ import annotations

import pytest

from api.search.encoders import LexicalQueryEncoder
from api.search.query import analyze

QUERIES = [
    "Hva er fastlegens ansvar for personer med rusproblemer?",
    "individuell plan koordinator",
    "samhandlingsreformen utskrivningsklare pasienter",
    "tvang gravide rusmiddelavhengige",
]


@pytest.mark.parametrize("query", QUERIES)
def test_same_ranking_and_scores_as_qdrant(engine, query):
    sparse = LexicalQueryEncoder(engine.index.lexical).run(analyze(query).lexical_text)["sparse_embedding"]
    from_qdrant = engine.index.stores["chunks"]._query_by_sparse(sparse, top_k=20)
    from_memory = engine.index.lexical_index.search(sparse, None, 20)
    assert [d.id for d in from_memory[:10]] == [d.id for d in from_qdrant[:10]]
    for ours, theirs in zip(from_memory, from_qdrant, strict=False):
        assert ours.score == pytest.approx(theirs.score, rel=1e-4)


def test_filters_match_qdrant(engine):
    sparse = LexicalQueryEncoder(engine.index.lexical).run("fastlege legevakt")["sparse_embedding"]
    filters = {
        "operator": "AND",
        "conditions": [
            {"field": "meta.doc_status", "operator": "==", "value": "gjeldende"},
            {"field": "meta.pathway", "operator": "==", "value": "akutt og krise"},
        ],
    }
    from_memory = engine.index.lexical_index.search(sparse, filters, 10)
    from_qdrant = engine.index.stores["chunks"]._query_by_sparse(sparse, top_k=10, filters=filters)
    assert from_memory, "the filter should leave some passages"
    assert [d.id for d in from_memory] == [d.id for d in from_qdrant]
    assert all("akutt og krise" in d.meta["pathway"] for d in from_memory)
