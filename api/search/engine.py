"""The search engine: opens the current index and answers queries with cited passages.

One `SearchEngine` serves the CLI, the HTTP API and the evaluation, so all three see exactly
the same results. Its query pipeline reads like the data flow:

    query -> QueryAnalyzer -> QueryEmbedder -> passage retriever  \
                           |               -> sentence retriever -> Ranker -> abstain + highlight
                           -> LexicalQueryEncoder -> BM25 retriever /
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import torch
from haystack import component
from haystack.dataclasses import SparseEmbedding
from haystack_integrations.components.retrievers.qdrant import (
    QdrantEmbeddingRetriever,
    QdrantSparseEmbeddingRetriever,
)

from api.search.abstention import load_model as load_abstention_model
from api.search.dense_index import DenseIndex, InMemoryEmbeddingRetriever
from api.search.lexical_index import InMemoryBM25Retriever, SparseIndex
from api.search.query import QueryAnalyzer, QueryError, analyze
from api.search.ranking import DEFAULT, Candidate, Ranker, RankingConfig
from ingest.embedding import QueryEmbedder, load_model
from ingest.indexing import (
    IndexError_,
    Manifest,
    chunk_store,
    current_version,
    indexes_root,
    point_id,
    read_manifest,
    sentence_store,
    sentence_windows,
)
from ingest.lexical import LexicalAnalyzer, words
from ingest.tagging import tag_values
from veiviser.laws import all_laws
from veiviser.schema import ChunkKind, DocStatus
from veiviser.settings import Settings

MAX_TOP_K = 50
FILTER_FIELDS = {
    "doc": "doc_id",
    "doc_id": "doc_id",
    "status": "doc_status",
    "kind": "kind",
    "law": "legal_refs",
    "pathway": "pathway",
    "target_group": "target_groups",
}
RESULT_FIELDS = (
    "doc_id", "doc_title", "doc_status", "chapter", "section_number", "section_title", "section_path",
    "anchor", "kind", "legal_refs", "pathway", "target_groups", "strength", "footnotes", "source_lines",
)


@component
class LexicalQueryEncoder:
    """The query's BM25 sparse vector, typos mapped to corpus words when fuzzy matching is on."""

    def __init__(self, analyzer: LexicalAnalyzer, fuzzy: bool = True):
        self.analyzer = analyzer
        self.fuzzy = fuzzy

    @component.output_types(sparse_embedding=SparseEmbedding)
    def run(self, text: str) -> dict[str, SparseEmbedding]:
        if self.fuzzy:
            indices, values = self.analyzer.query_vector(text)
        else:
            counts = self.analyzer.terms(text, correct=False)
            from ingest.lexical import term_id

            merged: dict[int, float] = {}
            for term, weight in counts.items():
                merged[term_id(term)] = max(merged.get(term_id(term), 0.0), min(weight, 1.0))
            indices, values = list(merged), list(merged.values())
        if not indices:  # a query of stop words only: a harmless vector that matches nothing
            indices, values = [0], [0.0]
        return {"sparse_embedding": SparseEmbedding(indices=indices, values=values)}


@dataclass
class QueryPipeline:
    """The query side's Haystack components, run in data-flow order.

    The components are called directly rather than through `haystack.Pipeline.run`, which deep-copies
    every component's inputs: with ~270 retrieved documents per query that copying measured 15-20 ms,
    a third of the latency budget. The flow is the same graph:

        query -> analyzer -> embedder -> dense (passages) + sentences -> ranker
                          -> lexical_encoder -> lexical (BM25)        ->
    """

    analyzer: QueryAnalyzer
    embedder: QueryEmbedder | None
    dense: InMemoryEmbeddingRetriever | QdrantEmbeddingRetriever | None
    sentences: InMemoryEmbeddingRetriever | QdrantEmbeddingRetriever | None
    lexical_encoder: LexicalQueryEncoder | None
    lexical: InMemoryBM25Retriever | QdrantSparseEmbeddingRetriever | None
    ranker: Ranker

    def run(self, query: str, filters: dict | None) -> dict[str, Any]:
        understood = self.analyzer.run(query)
        inputs: dict[str, Any] = {"analyzed": understood["analyzed"]}
        if self.embedder is not None:
            embedding = self.embedder.run(understood["dense_text"])["embedding"]
            if self.dense is not None:
                inputs["dense"] = self.dense.run(query_embedding=embedding, filters=filters)["documents"]
            if self.sentences is not None:
                inputs["sentences"] = self.sentences.run(query_embedding=embedding, filters=filters)["documents"]
        if self.lexical_encoder is not None and self.lexical is not None:
            sparse = self.lexical_encoder.run(understood["lexical_text"])["sparse_embedding"]
            inputs["lexical"] = self.lexical.run(query_sparse_embedding=sparse, filters=filters)["documents"]
        return self.ranker.run(**inputs)


class SearchEngine:
    """Model, index and pipelines, loaded once; `search` is safe to call from many requests."""

    def __init__(self, settings: Settings, model=None, config: RankingConfig = DEFAULT):
        self.settings = settings
        self.manifest: Manifest = read_manifest(settings)
        self.version = self.manifest.version
        folder = indexes_root(settings) / self.version
        self.documents: dict[str, dict[str, Any]] = json.loads((folder / "documents.json").read_text("utf-8"))
        self.lexical = LexicalAnalyzer.load(folder / "lexical.json")
        self.model = model if model is not None else load_model(settings)
        torch.set_num_threads(settings.query_threads)
        from ingest.embedding import model_id

        if model_id(self.model) != self.manifest.model:
            raise IndexError_(
                f"the index was built with model {self.manifest.model} but {model_id(self.model)} is loaded: "
                "run `veiviser index build`"
            )
        dim = self.manifest.dim
        collection = f"{settings.collection}_{{}}_{self.version.replace('-', '_')}"
        self.chunks = chunk_store(
            folder / "chunks", settings, collection.format("chunks") if settings.qdrant_url else "chunks", dim, False
        )
        self.sentences = sentence_store(
            folder / "sentences", settings,
            collection.format("sentences") if settings.qdrant_url else "sentences", dim, False,
        )
        self.default_config = config
        self._pipelines: dict[RankingConfig, QueryPipeline] = {}
        self.lexical_index: SparseIndex | None = None
        self.passage_index: DenseIndex | None = None
        self.sentence_index: DenseIndex | None = None
        if not settings.qdrant_url:
            self._load_memory_indexes()

    def _load_memory_indexes(self) -> None:
        """Embedded mode: the collections' vectors are read once and searched in memory (the same
        scores as Qdrant's local mode, without its per-hit overhead; see dense_index and lexical_index)."""
        for store in (self.chunks, self.sentences):
            store.return_embedding = True
        try:
            passages = self.chunks.filter_documents()
            sentences = self.sentences.filter_documents()
        finally:
            for store in (self.chunks, self.sentences):
                store.return_embedding = False
        self.lexical_index = SparseIndex(passages)
        self.passage_index = DenseIndex(passages)
        sentences.sort(key=lambda d: (d.meta["chunk_id"], d.meta["start"], d.meta.get("span", 1)))
        singles = [d for d in sentences if d.meta.get("span", 1) == 1]
        if len(singles) == len(sentences):  # local mode stores no windows: derive them (ingest/indexing.py)
            sentences += sentence_windows(singles)
        self.sentence_index = DenseIndex(sentences)

    @classmethod
    def open(cls, settings: Settings, model=None, config: RankingConfig = DEFAULT) -> SearchEngine:
        if current_version(settings) is None:
            raise IndexError_("no index has been built yet: run `veiviser index build` (or `veiviser serve`)")
        return cls(settings, model, config)

    def close(self) -> None:
        for store in (self.chunks, self.sentences):
            client = getattr(store, "_client", None)
            if client is not None:
                client.close()

    # -- query pipeline -------------------------------------------------------------------------

    def pipeline(self, config: RankingConfig) -> QueryPipeline:
        """The query pipeline for a ranking configuration (built once, then reused)."""
        if config not in self._pipelines:
            lexical = None
            if config.use_lexical:
                lexical = (
                    InMemoryBM25Retriever(self.lexical_index, top_k=config.lexical_top_k)
                    if self.lexical_index is not None
                    else QdrantSparseEmbeddingRetriever(self.chunks, top_k=config.lexical_top_k)
                )
            self._pipelines[config] = QueryPipeline(
                analyzer=QueryAnalyzer(config.use_abbreviations, config.use_nynorsk, config.use_english),
                embedder=QueryEmbedder(self.model) if config.use_dense or config.use_sentences else None,
                dense=self._dense_retriever(self.passage_index, self.chunks, config.dense_top_k)
                if config.use_dense else None,
                sentences=self._dense_retriever(self.sentence_index, self.sentences, config.sentence_top_k)
                if config.use_sentences else None,
                lexical_encoder=LexicalQueryEncoder(self.lexical, config.use_fuzzy) if config.use_lexical else None,
                lexical=lexical,
                ranker=Ranker(config, fetch=self._fetch),
            )
        return self._pipelines[config]

    @staticmethod
    def _dense_retriever(index: DenseIndex | None, store, top_k: int):
        """In memory in embedded mode, Qdrant's own search against a server."""
        if index is not None:
            return InMemoryEmbeddingRetriever(index, top_k=top_k)
        return QdrantEmbeddingRetriever(store, top_k=top_k)

    # -- validation ------------------------------------------------------------------------------

    def allowed_filter_values(self) -> dict[str, list[str]]:
        return {
            "doc": sorted(self.documents),
            "status": list(DocStatus.__args__),  # type: ignore[attr-defined]
            "kind": list(ChunkKind.__args__),  # type: ignore[attr-defined]
            "law": sorted(all_laws()) + ["<law> § <paragraph>, e.g. hol § 3-2"],
            "pathway": tag_values("pathway"),
            "target_group": tag_values("target_groups"),
        }

    def haystack_filters(self, filters: dict[str, str] | None) -> dict | None:
        if not filters:
            return None
        allowed = self.allowed_filter_values()
        conditions = []
        for name, value in filters.items():
            if name not in FILTER_FIELDS:
                raise QueryError(f"unknown filter '{name}'; allowed filters: {', '.join(sorted(allowed))}")
            key = "doc" if name == "doc_id" else name
            value = (value or "").strip()
            field = FILTER_FIELDS[name]
            if key == "law":
                refs = analyze(value).legal_refs if "§" in value or "kap" in value else []
                if refs and " " in refs[0]:
                    value = refs[0]
                elif value.lower() in all_laws():
                    value, field = value.lower(), "laws"
                else:
                    raise QueryError(
                        f"unknown law '{value}'; use a law key ({', '.join(sorted(all_laws())[:8])}, …) "
                        "or a paragraph such as 'hol § 3-2'"
                    )
            elif value not in allowed[key]:
                raise QueryError(f"unknown value '{value}' for filter '{name}'; allowed: {', '.join(allowed[key])}")
            conditions.append({"field": f"meta.{field}", "operator": "==", "value": value})
        return conditions[0] if len(conditions) == 1 else {"operator": "AND", "conditions": conditions}

    # -- search ----------------------------------------------------------------------------------

    def search(self, query: str, top_k: int = 10, filters: dict[str, str] | None = None,
               config: RankingConfig | None = None) -> dict[str, Any]:
        """Cited passages for a query: `{query, abstained, results, took_ms}`."""
        started = time.perf_counter()
        config = config or self.default_config
        if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise QueryError(f"top_k must be a whole number from 1 to {MAX_TOP_K}, got {top_k!r}")
        analyzed = analyze(query, config.use_abbreviations, config.use_nynorsk, config.use_english)
        haystack_filters = self.haystack_filters(filters)
        output = self.pipeline(config).run(query, haystack_filters)
        candidates: list[Candidate] = output["candidates"]
        signals = self.abstention_signals(analyzed, output["signals"])
        confidence = None
        abstained = not candidates
        model = load_abstention_model()
        if model is not None and config.use_abstention and config.use_sentences and config.use_lexical:
            confidence = round(1.0 - model.probability(signals), 4)
            abstained = abstained or model.abstains(signals)
        results = [self._result(c, analyzed) for c in candidates[:top_k]]
        return {
            "query": analyzed.text,
            "abstained": abstained,
            "confidence": confidence,
            "results": results,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "signals": signals,
        }

    def abstention_signals(self, analyzed, ranker_signals: dict[str, float]) -> dict[str, float]:
        """The inputs of the abstention model (api/search/abstention.py)."""
        terms = max(1, len(self.lexical.terms(analyzed.lexical_text)))
        return {
            "top_sentence": ranker_signals["top_sentence"],
            "top_passage": ranker_signals["top_passage"],
            "lexical_per_term": min(ranker_signals["top_lexical"] / terms, 5.0) / 5.0,
            "coverage": self.lexical.coverage(analyzed.lexical_text),
            "english": 1.0 if analyzed.language == "en" else 0.0,
        }

    def _result(self, cand: Candidate, analyzed) -> dict[str, Any]:
        doc = cand.document
        assert doc is not None
        text = doc.content or ""
        meta = doc.meta
        result: dict[str, Any] = {"id": meta["chunk_id"], "score": round(cand.score, 4), "text": text}
        result["highlights"] = self._highlights(cand, text, analyzed)
        result.update({field: meta.get(field) for field in RESULT_FIELDS})
        result["evidence"] = {
            "passage": _round(cand.passage),
            "sentence": _round(cand.sentence),
            "window": _round(cand.window),
            "lexical": _round(cand.lexical),
            "law": cand.law,
        }
        return result

    def _highlights(self, cand: Candidate, text: str, analyzed) -> list[dict[str, int]]:
        """The sentence(s) that best answer: the best-matching sentence or two-sentence window, and a
        second one that matches nearly as well; by word overlap when no sentence was retrieved."""
        hits = sorted(cand.sentence_hits + cand.window_hits, key=lambda h: -h[0])
        chosen: list[tuple[int, int]] = []
        if hits:
            best = hits[0][0]
            for score, start, end in hits:
                if score < best - 0.02 or len(chosen) == 2:
                    break
                if not any(start < e and s < end for s, e in chosen):  # a window overlaps its sentences
                    chosen.append((start, end))
        else:
            query_words = {w[:5] for w in words(analyzed.text) if len(w) > 2}
            best_overlap = 0
            for m in re.finditer(r"[^.!?\n]+[.!?]?", text):
                overlap = len(query_words & {w[:5] for w in words(m.group(0))})
                if overlap > best_overlap:
                    best_overlap, chosen = overlap, [(m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end())]
        return [{"start": s, "end": e} for s, e in sorted(chosen)]

    def _fetch(self, chunk_ids: list[str]):
        return self.chunks.get_documents_by_id([point_id(c) for c in chunk_ids])

    def get_chunks(self, chunk_ids: list[str]) -> list[dict[str, Any]]:
        docs = self.chunks.get_documents_by_id([point_id(c) for c in chunk_ids])
        return [{"id": d.meta["chunk_id"], "text": d.content, **d.meta} for d in docs]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
