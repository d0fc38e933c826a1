"""The query's two encodings: its e5 vector and its BM25 sparse vector."""

from __future__ import annotations

from haystack import component
from haystack.dataclasses import SparseEmbedding

from veiviser.model.encoder import Encoder
from veiviser.model.loading import QUERY_PREFIX
from veiviser.text_analysis import LexicalAnalyzer


@component
class QueryEmbedder:
    """The e5 query embedding of a (possibly expanded) query text."""

    def __init__(self, model: Encoder, threads: int = 1):
        self.model = model
        self.threads = threads

    @component.output_types(embedding=list[float])
    def run(self, text: str) -> dict[str, list[float]]:
        vector = self.model.encode([QUERY_PREFIX + text], threads=self.threads)[0]
        return {"embedding": vector.tolist()}


@component
class LexicalQueryEncoder:
    """The query's BM25 sparse vector, typos mapped to corpus words when fuzzy matching is on."""

    def __init__(self, analyzer: LexicalAnalyzer, fuzzy: bool = True):
        self.analyzer = analyzer
        self.fuzzy = fuzzy

    @component.output_types(sparse_embedding=SparseEmbedding)
    def run(self, text: str) -> dict[str, SparseEmbedding]:
        indices, values = self.analyzer.query_vector(text, correct=self.fuzzy)
        if not indices:  # a query of stop words only: a harmless vector that matches nothing
            indices, values = [0], [0.0]
        return {"sparse_embedding": SparseEmbedding(indices=indices, values=values)}
