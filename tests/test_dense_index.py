"""The in-memory dense index gives exactly Qdrant's cosine-search results, filters included, and
holds each passage's sentences and the two-sentence windows derived from them."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from haystack_integrations.components.retrievers.qdrant import QdrantEmbeddingRetriever

from api.search.encoders import QueryEmbedder

QUERIES = [
    "Hva er fastlegens ansvar for personer med rusproblemer?",
    "Does the municipality have to offer housing?",
    "tvang gravide rusmiddelavhengige",
]
FILTERS = {
    "operator": "AND",
    "conditions": [
        {"field": "meta.doc_status", "operator": "==", "value": "gjeldende"},
        {"field": "meta.pathway", "operator": "==", "value": "akutt og krise"},
    ],
}


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("collection", ["passages", "sentences"])
def test_same_ranking_and_scores_as_qdrant(engine, model, query, collection):
    embedding = QueryEmbedder(model).run(query)["embedding"]
    store, index = {
        "passages": (engine.index.stores["chunks"], engine.index.passage_index),
        "sentences": (engine.index.stores["sentences"], engine.index.sentence_index),
    }[collection]
    from_qdrant = QdrantEmbeddingRetriever(store, top_k=20).run(query_embedding=embedding)["documents"]
    # the collection holds the sentences; the in-memory index adds the windows it derives
    from_memory = [d for d in index.search(embedding, None, 100) if d.meta.get("span", 1) == 1][:20]
    # the same scores in the same order; points with equal scores (a sentence repeated in two
    # documents) may swap places
    assert [d.score for d in from_memory] == pytest.approx([d.score for d in from_qdrant], abs=1e-5)
    for ours, theirs in zip(from_memory, from_qdrant, strict=True):
        if ours.id == theirs.id:
            assert ours.content == theirs.content and ours.meta == theirs.meta
        else:
            assert ours.score == pytest.approx(theirs.score, abs=1e-5)
    assert len({d.id for d in from_memory}) == len(from_memory)


def test_filters_match_qdrant(engine, model):
    embedding = QueryEmbedder(model).run("fastlege legevakt akutt")["embedding"]
    from_memory = [d for d in engine.index.sentence_index.search(embedding, FILTERS, 300) if d.meta["span"] == 1][:10]
    from_qdrant = QdrantEmbeddingRetriever(engine.index.stores["sentences"], top_k=10).run(
        query_embedding=embedding, filters=FILTERS
    )["documents"]
    assert from_memory, "the filter should leave some sentences"
    assert [d.id for d in from_memory] == [d.id for d in from_qdrant]
    assert all("akutt og krise" in d.meta["pathway"] and d.meta["doc_status"] == "gjeldende" for d in from_memory)


def test_windows_join_neighbouring_sentences(engine):
    index = engine.index.sentence_index
    by_chunk: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row, doc in enumerate(index.documents):
        by_chunk[doc.meta["chunk_id"]][doc.meta["span"]].append(row)
    manifest = engine.manifest
    n_windows = sum(len(rows.get(2, [])) for rows in by_chunk.values())
    assert n_windows > 0 and manifest.windows == 0  # local mode derives them when loading
    assert manifest.sentences == sum(len(rows.get(1, [])) for rows in by_chunk.values())
    checked = 0
    for rows in by_chunk.values():
        singles = sorted(rows.get(1, []), key=lambda r: index.documents[r].meta["start"])
        # one window per pair of neighbouring sentences, and none in a one-sentence passage
        assert len(rows.get(2, [])) == max(0, len(singles) - 1)
        windows = {(index.documents[r].meta["start"], index.documents[r].meta["end"]): r for r in rows.get(2, [])}
        for first, second in zip(singles, singles[1:], strict=False):
            a, b = index.documents[first].meta, index.documents[second].meta
            window = windows[(a["start"], b["end"])]
            expected = index.matrix[first] + index.matrix[second]
            expected /= np.linalg.norm(expected)
            assert np.allclose(index.matrix[window], expected, atol=1e-5)
            checked += 1
    assert checked == n_windows
