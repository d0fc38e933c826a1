"""Ranking: fuse dense, sentence-level and lexical evidence into one score per passage.

No multilingual reranker ships offline, so the ranker is built from what the index holds:
- `passage`: cosine of the query and the passage embedded in its context;
- `sentence`: the best cosine of the query and one sentence of the passage (the strongest
  single signal measured: an answer is usually one or two sentences of a longer passage);
- `window`: the best cosine of the query and one or two neighbouring sentences (a window's vector
  is the normalised sum of its sentences' vectors, see ingest/indexing.py), for answers that take
  two sentences;
- `lexical`: BM25 over Norwegian stems and compound parts, scaled to the best hit;
- `law`: the query names a law paragraph the passage cites.
Each weight is a setting of `RankingConfig`, and every switch is measured by `veiviser eval`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from haystack import Document, component

from api.search.query import AnalyzedQuery


@dataclass(frozen=True)
class RankingConfig:
    """Weights and switches of the query pipeline; named variants are the evaluation's ablations."""

    name: str = "default"
    use_dense: bool = True
    use_sentences: bool = True
    use_windows: bool = True  # measured on dev: hit@5 0.903 -> 0.938 with the sentence weight split
    use_lexical: bool = True
    use_abbreviations: bool = False  # measured: no gain on the dev set (the corpus uses the abbreviations itself)
    use_nynorsk: bool = True
    use_english: bool = True
    use_fuzzy: bool = True
    use_law_match: bool = True
    rrf: bool = False  # tutorial hybrid: reciprocal rank fusion instead of score fusion
    passage_weight: float = 1.0
    sentence_weight: float = 1.0
    window_weight: float = 1.0
    lexical_weight: float = 0.1
    lexical_weight_english: float = 0.02
    law_bonus: float = 0.15
    faq_bonus: float = 0.0
    dense_top_k: int = 120
    sentence_top_k: int = 500  # sentences and windows together
    lexical_top_k: int = 60
    use_abstention: bool = True  # the calibrated model of api/search/abstention.py

    def variant(self, name: str, **changes) -> RankingConfig:
        return replace(self, name=name, **changes)


DEFAULT = RankingConfig()


def named_configs(base: RankingConfig = DEFAULT) -> dict[str, RankingConfig]:
    """The full configuration and its ablations, side by side in the evaluation report."""
    return {
        "default": base,
        "lexical-only": base.variant("lexical-only", use_dense=False, use_sentences=False, use_law_match=False),
        "dense-only": base.variant("dense-only", use_sentences=False, use_lexical=False, use_law_match=False),
        "hybrid-rrf": base.variant("hybrid-rrf", use_sentences=False, use_law_match=False, rrf=True),
        "no-sentences": base.variant("no-sentences", use_sentences=False),
        "no-windows": base.variant("no-windows", use_windows=False, sentence_weight=2.0, window_weight=0.0),
        "no-lexical": base.variant("no-lexical", use_lexical=False),
        "with-abbreviations": base.variant("with-abbreviations", use_abbreviations=True),
        "no-nynorsk": base.variant("no-nynorsk", use_nynorsk=False),
        "no-english-terms": base.variant("no-english-terms", use_english=False),
        "no-fuzzy": base.variant("no-fuzzy", use_fuzzy=False),
        "no-law-match": base.variant("no-law-match", use_law_match=False),
    }


@dataclass
class Candidate:
    chunk_id: str
    document: Document | None = None
    passage: float | None = None
    sentence: float | None = None
    window: float | None = None  # best of one or two neighbouring sentences
    lexical: float | None = None
    law: float = 0.0
    sentence_hits: list[tuple[float, int, int]] = field(default_factory=list)  # (score, start, end)
    window_hits: list[tuple[float, int, int]] = field(default_factory=list)
    ranks: dict[str, int] = field(default_factory=dict)
    score: float = 0.0


@component
class Ranker:
    """Merges the three retrievers' hits per passage and scores them with `RankingConfig`."""

    def __init__(self, config: RankingConfig, fetch: Callable[[list[str]], list[Document]] | None = None):
        self.config = config
        self.fetch = fetch  # loads passages that only the sentence retriever found

    @component.output_types(candidates=list[Candidate], signals=dict)
    def run(
        self,
        analyzed: AnalyzedQuery,
        dense: list[Document] | None = None,
        sentences: list[Document] | None = None,
        lexical: list[Document] | None = None,
    ) -> dict[str, list[Candidate]]:
        cfg = self.config
        pool: dict[str, Candidate] = {}

        def get(chunk_id: str) -> Candidate:
            return pool.setdefault(chunk_id, Candidate(chunk_id))

        dense = dense or []
        sentences = sentences or []
        lexical = lexical or []
        for rank, doc in enumerate(dense):
            cand = get(doc.meta["chunk_id"])
            cand.document, cand.passage = doc, doc.score
            cand.ranks["dense"] = rank
        singles = [d for d in sentences if d.meta.get("span", 1) == 1]
        windows = [d for d in sentences if d.meta.get("span", 1) == 2] if cfg.use_windows else []
        for doc in sentences:
            cand = get(doc.meta["chunk_id"])
            score = doc.score or 0.0
            hit = (score, doc.meta["start"], doc.meta["end"])
            if doc.meta.get("span", 1) == 1:
                cand.sentence_hits.append(hit)
                cand.sentence = max(cand.sentence if cand.sentence is not None else score, score)
            elif cfg.use_windows:
                cand.window_hits.append(hit)
            if cfg.use_windows:
                cand.window = max(cand.window if cand.window is not None else score, score)
        raw_lexical = max((d.score or 0.0 for d in lexical), default=0.0)
        top_lexical = raw_lexical or 1.0
        for rank, doc in enumerate(lexical):
            cand = get(doc.meta["chunk_id"])
            cand.document = cand.document or doc
            cand.lexical = (doc.score or 0.0) / top_lexical
            cand.ranks["lexical"] = rank

        missing = [c.chunk_id for c in pool.values() if c.document is None]
        if missing and self.fetch is not None:
            for doc in self.fetch(missing):
                pool[doc.meta["chunk_id"]].document = doc

        passage_floor = min((d.score or 0.0 for d in dense), default=0.0)
        sentence_floor = min((d.score or 0.0 for d in singles), default=0.0)
        window_floor = min((d.score or 0.0 for d in windows), default=sentence_floor)
        lexical_weight = cfg.lexical_weight_english if analyzed.language == "en" else cfg.lexical_weight
        query_refs = set(analyzed.legal_refs)
        query_laws = {r.split(" ", 1)[0] for r in query_refs}

        for cand in pool.values():
            if cand.document is None:
                continue
            if cfg.use_law_match and query_refs:
                refs = set(cand.document.meta.get("legal_refs") or [])
                if refs & query_refs:
                    cand.law = 1.0
                elif {r.split(" ", 1)[0] for r in refs} & query_laws:
                    cand.law = 0.3
            if cfg.rrf:
                cand.score = sum(1.0 / (60 + r) for r in cand.ranks.values())
                continue
            score = 0.0
            if cfg.use_dense:
                score += cfg.passage_weight * (cand.passage if cand.passage is not None else passage_floor)
            if cfg.use_sentences:
                score += cfg.sentence_weight * (cand.sentence if cand.sentence is not None else sentence_floor)
                if cfg.use_windows:
                    score += cfg.window_weight * (cand.window if cand.window is not None else window_floor)
            if cfg.use_lexical:
                score += lexical_weight * (cand.lexical or 0.0)
            score += cfg.law_bonus * cand.law
            if cand.document.meta.get("kind") == "faq":
                score += cfg.faq_bonus
            cand.score = score

        ranked = sorted((c for c in pool.values() if c.document is not None), key=lambda c: -c.score)
        signals = {
            "top_sentence": max((d.score or 0.0 for d in singles), default=0.0),
            "top_passage": max((d.score or 0.0 for d in dense), default=0.0),
            "top_lexical": raw_lexical,
        }
        return {"candidates": ranked, "signals": signals}
