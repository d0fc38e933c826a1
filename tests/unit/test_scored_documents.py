"""A retrieved hit is a new Document with its score; the index's own Document is left as it was."""

from __future__ import annotations

import numpy as np
from haystack import Document

from api.search.dense_index import DenseIndex, scored


def test_scored_equals_a_document_made_with_that_score() -> None:
    template = Document(id="a", content="tekst", meta={"chunk_id": "c", "start": 0, "end": 5})
    hit = scored(template, 0.75)
    assert hit == Document(id="a", content="tekst", meta={"chunk_id": "c", "start": 0, "end": 5}, score=0.75)
    assert isinstance(hit, Document) and hit is not template
    assert template.score is None


def test_search_returns_scored_hits_best_first_without_vectors() -> None:
    docs = [Document(id=str(i), content=f"t{i}", meta={"chunk_id": str(i)}, embedding=v)
            for i, v in enumerate([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])]
    hits = DenseIndex(docs).search([1.0, 0.2], None, top_k=2)
    assert [h.id for h in hits] == ["0", "1"]
    assert np.isclose(hits[0].score, 1 / np.hypot(1, 0.2))
    assert all(h.embedding is None for h in hits)
