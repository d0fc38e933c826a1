"""The search engine: where a query is answered.

One `SearchEngine` serves the CLI, the HTTP API and the evaluation, so all three see exactly the
same results. A search runs:

    query -> QueryAnalyzer (once) -> filters checked (veiviser/filters.py)
          -> QueryPath (retrievers + ScoreFusion, api/search/query_path.py)
          -> abstention (api/search/abstention.py) -> SearchResponse (api/search/results.py)
"""

from __future__ import annotations

import time

from threadpoolctl import threadpool_limits

from api.search.abstention import load_model as load_abstention_model
from api.search.config import DEFAULT, SearchConfig
from api.search.index_reader import IndexReader
from api.search.query import AnalyzedQuery, QueryAnalyzer, QueryError
from api.search.query_path import QueryPath
from api.search.results import SearchResponse, shape_result
from api.search.stages import StageTimer
from veiviser.filters import haystack_filters
from veiviser.model.encoder import Encoder
from veiviser.model.loading import load_model
from veiviser.settings import Settings

MAX_TOP_K = 50
WARM_UP_QUERY = "individuell plan"
CONSENSUS_CAP = 10  # bank questions of one passage matching the query: ten say as much as more


class SearchEngine:
    """Model, index and query paths, loaded once; `search` is safe to call from many requests."""

    def __init__(self, settings: Settings, model: Encoder | None = None, config: SearchConfig = DEFAULT,
                 version: str | None = None):
        self.settings = settings
        self.model = model if model is not None else load_model(settings)
        # A search's matrix products are small (a few thousand rows): BLAS threads woken for each
        # cost more than they save and contend with concurrent requests (measured with 20 clients:
        # 21 requests/s with numpy's default threads, 38 with one). The limit is per process.
        threadpool_limits(settings.query_threads)
        self.index = IndexReader(settings, self.model, version)
        self.version = self.index.version
        self.manifest = self.index.manifest
        self.documents = self.index.documents
        self.default_config = config
        self._paths: dict[SearchConfig, tuple[QueryAnalyzer, QueryPath]] = {}

    @classmethod
    def open(cls, settings: Settings, model: Encoder | None = None, config: SearchConfig = DEFAULT) -> SearchEngine:
        return cls(settings, model, config)

    def close(self) -> None:
        self.index.close()

    def warm_up(self) -> None:
        """One search, so that the first user's search is not the slow one."""
        self.search(WARM_UP_QUERY, top_k=1)

    def _path(self, config: SearchConfig) -> tuple[QueryAnalyzer, QueryPath]:
        if config not in self._paths:
            self._paths[config] = (QueryAnalyzer(config.understanding), QueryPath.build(self.index, self.model, config))
        return self._paths[config]

    def search(self, query: str, top_k: int = 10, filters: dict[str, str] | None = None,
               config: SearchConfig | None = None) -> SearchResponse:
        """Cited passages for a query, best first, and whether to abstain."""
        started = time.perf_counter()
        config = config or self.default_config
        if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise QueryError(f"top_k must be a whole number from 1 to {MAX_TOP_K}, got {top_k!r}")
        timer = StageTimer()
        analyzer, path = self._path(config)
        with timer.stage("analysis"):
            analyzed = analyzer.run(query)["analyzed"]
            where = haystack_filters(filters, self.documents)
        output = path.run(analyzed, where, timer)
        candidates = output["candidates"]
        with timer.stage("abstention"):
            signals = self.abstention_signals(analyzed, output["signals"])
            confidence = None
            abstained = not candidates
            model = load_abstention_model()
            if model is not None and config.abstention and self._has_signals(config, model.features):
                confidence = round(1.0 - model.probability(signals), 4)
                abstained = abstained or model.abstains(signals)
        base_url = self.settings.public_base_url
        results = [shape_result(c, analyzed.text, self.documents, base_url, timer) for c in candidates[:top_k]]
        return SearchResponse(
            query=analyzed.text,
            abstained=abstained,
            confidence=confidence,
            results=results,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            signals=signals,
            stages_ms={name: round(ms, 3) for name, ms in timer.ms.items()},
        )

    @staticmethod
    def _has_signals(config: SearchConfig, features: list[str]) -> bool:
        """Whether this configuration's retrievers produce every signal the abstention model reads
        (an ablation without them is measured on ranking alone)."""
        use = config.retrieval
        needs = {"top_sentence": use.sentences, "top_passage": use.dense, "top_question": use.questions,
                 "question_consensus": use.questions, "lexical_per_term": use.lexical}
        return all(needs.get(feature, True) for feature in features)

    def abstention_signals(self, analyzed: AnalyzedQuery, fused: dict[str, float]) -> dict[str, float]:
        """The inputs of the abstention model (api/search/abstention.py)."""
        lexical = self.index.lexical
        terms = max(1, len(lexical.terms(analyzed.lexical_text)))
        return {
            "top_sentence": fused["top_sentence"],
            "top_passage": fused["top_passage"],
            "top_question": fused["top_question"],
            "question_consensus": min(fused["question_consensus"], CONSENSUS_CAP) / CONSENSUS_CAP,
            "lexical_per_term": min(fused["top_lexical"] / terms, 5.0) / 5.0,
            "coverage": lexical.coverage(analyzed.lexical_text),
            "english": 1.0 if analyzed.language == "en" else 0.0,
        }
