"""The query path: the query side's Haystack components for one `SearchConfig`, run in data-flow order.

    analyzed query ─┬─ QueryEmbedder ─┬─ passages  (MatrixEmbeddingRetriever | QdrantEmbeddingRetriever) ─┐
                    │                 ├─ sentences and two-sentence windows (same)                     ├─ ScoreFusion
                    │                 └─ bank questions (same)                                          │
                    └─ LexicalQueryEncoder ── BM25 (PostingsBM25Retriever | QdrantSparseEmbeddingRetriever) ┘

The components are called directly rather than through `haystack.Pipeline.run`, which deep-copies
every component's inputs: with several hundred retrieved documents per query that copying measured
15-20 ms, a third of the latency budget. The graph is the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from haystack_integrations.components.retrievers.qdrant import (
    QdrantEmbeddingRetriever,
    QdrantSparseEmbeddingRetriever,
)

from api.search.config import SearchConfig
from api.search.dense_index import DenseIndex, MatrixEmbeddingRetriever
from api.search.encoders import LexicalQueryEncoder, QueryEmbedder
from api.search.fusion import ScoreFusion
from api.search.index_reader import IndexReader
from api.search.lexical_index import PostingsBM25Retriever
from api.search.query import AnalyzedQuery
from api.search.stages import StageTimer
from veiviser.model.encoder import Encoder

DenseRetriever = MatrixEmbeddingRetriever | QdrantEmbeddingRetriever


def _dense(index: DenseIndex | None, store: Any, top_k: int) -> DenseRetriever:
    """In memory in embedded mode, Qdrant's own search against a server."""
    if index is not None:
        return MatrixEmbeddingRetriever(index, top_k=top_k)
    return QdrantEmbeddingRetriever(store, top_k=top_k)


@dataclass
class QueryPath:
    embedder: QueryEmbedder | None
    passages: DenseRetriever | None
    sentences: DenseRetriever | None
    questions: DenseRetriever | None
    lexical_encoder: LexicalQueryEncoder | None
    lexical: PostingsBM25Retriever | QdrantSparseEmbeddingRetriever | None
    fusion: ScoreFusion

    @classmethod
    def build(cls, reader: IndexReader, model: Encoder, config: SearchConfig) -> QueryPath:
        use = config.retrieval
        lexical = None
        if use.lexical:
            lexical = (PostingsBM25Retriever(reader.lexical_index, top_k=use.lexical_top_k)
                       if reader.lexical_index is not None
                       else QdrantSparseEmbeddingRetriever(reader.stores["chunks"], top_k=use.lexical_top_k))
        return cls(
            embedder=QueryEmbedder(model, reader.settings.query_threads)
            if use.dense or use.sentences or use.questions else None,
            passages=_dense(reader.passage_index, reader.stores["chunks"], use.dense_top_k) if use.dense else None,
            sentences=_dense(reader.sentence_index, reader.stores["sentences"], use.sentence_top_k)
            if use.sentences else None,
            questions=_dense(reader.question_index, reader.stores["questions"], use.question_top_k)
            if use.questions else None,
            lexical_encoder=LexicalQueryEncoder(reader.lexical, config.understanding.fuzzy) if use.lexical else None,
            lexical=lexical,
            fusion=ScoreFusion(config.fusion, use, fetch=reader.passages),
        )

    def run(self, analyzed: AnalyzedQuery, filters: dict | None, timer: StageTimer | None = None) -> dict[str, Any]:
        """`{candidates, signals}`: every passage any retriever found, best first."""
        timer = timer or StageTimer()
        inputs: dict[str, Any] = {"analyzed": analyzed}
        if self.embedder is not None:
            with timer.stage("embedding"):
                embedding = self.embedder.run(analyzed.dense_text)["embedding"]
            for name in ("passages", "sentences", "questions"):
                retriever = getattr(self, name)
                if retriever is not None:
                    with timer.stage(name):
                        found = retriever.run(query_embedding=embedding, filters=filters)["documents"]
                    inputs["dense" if name == "passages" else name] = found
        if self.lexical_encoder is not None and self.lexical is not None:
            with timer.stage("lexical"):
                sparse = self.lexical_encoder.run(analyzed.lexical_text)["sparse_embedding"]
                inputs["lexical"] = self.lexical.run(query_sparse_embedding=sparse, filters=filters)["documents"]
        with timer.stage("fusion"):
            return self.fusion.run(**inputs)
