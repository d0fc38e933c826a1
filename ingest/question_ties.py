"""Ties in the question bank: near-identical questions on different passages.

The bank's quality rule: no question that two distant passages answer equally well unless both
carry it. A question near-identical to one on another passage makes the two passages tie for whoever
asks it, and the wrong one can win. `veiviser corpus ties` lists such pairs (e5 cosine, question to
question, as search compares them) for a reviewer, who keeps both (both passages carry the answer),
rewrites one to what its own evidence says, or deletes one. The first review (December 2026) found
1,362 pairs at 0.955 in 13,583 questions and changed 432 questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from haystack import Document

from ingest.embedding import CachedEmbedder, EmbeddingCache
from ingest.questions import BankQuestion
from veiviser.model.encoder import Encoder
from veiviser.model.loading import QUERY_PREFIX

DEFAULT_MIN_SIMILARITY = 0.955  # e5 cosines crowd 0.8-0.95; above this two questions ask the same thing
BLOCK = 1024  # rows of the similarity matrix at a time: the whole of it is 0.7 GB for 13,500 questions


@dataclass(frozen=True)
class Tie:
    similarity: float
    first: BankQuestion
    second: BankQuestion

    def as_dict(self) -> dict[str, Any]:
        def side(q: BankQuestion) -> dict[str, Any]:
            return {"question": q.question, "lang": q.lang, "file": q.path.name, "line": q.line, "doc_id": q.doc_id,
                    "section": q.anchor, "evidence": q.evidence, "passages": list(q.chunk_ids)}

        return {"similarity": round(self.similarity, 3), "first": side(self.first), "second": side(self.second)}


def embed_questions(questions: list[BankQuestion], model: Encoder, cache: EmbeddingCache | None) -> np.ndarray:
    """The questions' vectors as the index holds them (`query: ` prefix; from the build's cache when there)."""
    embedder = CachedEmbedder(model, cache, batch_size=64, label="bank questions", prefix=QUERY_PREFIX)
    documents = embedder.run([Document(content=q.question) for q in questions])["documents"]
    return np.array([d.embedding for d in documents], dtype=np.float32).reshape(len(questions), -1)


def find_ties(questions: list[BankQuestion], vectors: np.ndarray,
              min_similarity: float = DEFAULT_MIN_SIMILARITY) -> list[Tie]:
    """Pairs of questions at or above `min_similarity` that point at different sections and share no
    passage, most similar first."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    ties = []
    for start in range(0, len(questions), BLOCK):
        similarity = unit[start : start + BLOCK] @ unit.T
        for row, col in zip(*np.nonzero(similarity >= min_similarity), strict=True):
            i, j = start + int(row), int(col)
            if j <= i:
                continue
            a, b = questions[i], questions[j]
            if (a.doc_id, a.anchor) == (b.doc_id, b.anchor) or set(a.chunk_ids) & set(b.chunk_ids):
                continue
            ties.append(Tie(float(similarity[row, col]), a, b))
    return sorted(ties, key=lambda t: (-t.similarity, t.first.doc_id, t.first.line))
