"""Score fusion: the retrievers' hits merged per passage and weighed into one score.

No multilingual reranker ships offline, so ranking is built from what the index holds:
- `passage`: cosine of the query and the passage embedded in its context;
- `sentence`: the best cosine of the query and one sentence of the passage (the strongest
  single signal measured: an answer is usually one or two sentences of a longer passage);
- `window`: the best cosine of the query and one or two neighbouring sentences (a window's vector
  is the normalised sum of its sentences' vectors, see `veiviser.index_format.sentence_windows`);
- `question`: the best cosine of the query and a question-bank question the passage answers
  (question to question: the model matches a lay question to another question far better than
  to guideline prose), counted only above `question_floor`: e5 cosines crowd into 0.8-0.95, so
  only a close match of a question says more than the passage and sentence scores already do
  (and only such a match brings in a passage no other retriever found);
- `question_matches`: how many of the passage's bank questions count (several questions of one
  passage close to the query are more evidence than one), a small bonus per question;
- `lexical`: BM25 over Norwegian stems and compound parts, scaled to the best hit;
- `law`: the query names a law paragraph the passage cites;
- a passage of a superseded (historical) document loses `historical_penalty`, so that the guidance
  that replaced it comes first where both say the same.
A passage the passage or sentence retriever did not return gets that retriever's lowest returned
score, so each of those signals only reorders what it saw. The weights are `api/search/config.py`'s `Fusion`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from haystack import Document, component

from api.search.config import Fusion, Retrieval
from api.search.query import AnalyzedQuery


@dataclass
class Candidate:
    chunk_id: str
    document: Document | None = None
    passage: float | None = None
    sentence: float | None = None
    window: float | None = None  # best of one or two neighbouring sentences
    question: float | None = None  # best question-bank question
    question_matches: int = 0  # bank questions of this passage above the floor
    lexical: float | None = None
    law: float = 0.0
    sentence_hits: list[tuple[float, int, int]] = field(default_factory=list)  # (score, start, end)
    window_hits: list[tuple[float, int, int]] = field(default_factory=list)
    ranks: dict[str, int] = field(default_factory=dict)
    score: float = 0.0


def _best(current: float | None, score: float) -> float:
    return score if current is None else max(current, score)


def _floor(docs: list[Document], default: float = 0.0) -> float:
    return min((d.score or 0.0 for d in docs), default=default)


@component
class ScoreFusion:
    """Merges the retrievers' hits per passage and scores them with a `Fusion` configuration."""

    def __init__(self, fusion: Fusion, retrieval: Retrieval,
                 fetch: Callable[[list[str]], list[Document]] | None = None):
        self.fusion = fusion
        self.retrieval = retrieval
        self.fetch = fetch  # loads passages that only the sentence or question retriever found

    @component.output_types(candidates=list[Candidate], signals=dict)
    def run(
        self,
        analyzed: AnalyzedQuery,
        dense: list[Document] | None = None,
        sentences: list[Document] | None = None,
        lexical: list[Document] | None = None,
        questions: list[Document] | None = None,
    ) -> dict[str, object]:
        fusion, use = self.fusion, self.retrieval
        pool: dict[str, Candidate] = {}

        def get(chunk_id: str) -> Candidate:
            cand = pool.get(chunk_id)  # not setdefault: that would build a Candidate for each of ~800 hits
            if cand is None:
                cand = pool[chunk_id] = Candidate(chunk_id)
            return cand

        dense, sentences, lexical, questions = dense or [], sentences or [], lexical or [], questions or []
        for rank, doc in enumerate(dense):
            cand = get(doc.meta["chunk_id"])
            cand.document, cand.passage = doc, doc.score
            cand.ranks["dense"] = rank
        singles = [d for d in sentences if d.meta.get("span", 1) == 1]
        windows = [d for d in sentences if d.meta.get("span", 1) == 2] if use.windows else []
        for doc in sentences:
            cand = get(doc.meta["chunk_id"])
            score = doc.score or 0.0
            hit = (score, doc.meta["start"], doc.meta["end"])
            if doc.meta.get("span", 1) == 1:
                cand.sentence_hits.append(hit)
                cand.sentence = _best(cand.sentence, score)
            elif use.windows:
                cand.window_hits.append(hit)
            if use.windows:
                cand.window = _best(cand.window, score)
        top_question = max((d.score or 0.0 for d in questions), default=0.0)
        question_floor = fusion.question_floor if fusion.question_margin is None else \
            max(fusion.question_floor, top_question - fusion.question_margin)
        for doc in questions:  # one point per (question, passage it answers)
            if (doc.score or 0.0) <= question_floor:  # adds nothing to a score, so brings no passage in
                continue
            cand = get(doc.meta["chunk_id"])
            cand.question = _best(cand.question, doc.score or 0.0)
            cand.question_matches += 1
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

        passage_floor = _floor(dense)
        sentence_floor = _floor(singles)
        window_floor = _floor(windows, sentence_floor)
        lexical_weight = fusion.lexical_weight_english if analyzed.language == "en" else fusion.lexical_weight
        query_refs = set(analyzed.legal_refs)
        query_laws = {r.split(" ", 1)[0] for r in query_refs}

        for cand in pool.values():
            if cand.document is None:
                continue
            if fusion.law_match and query_refs:
                refs = set(cand.document.meta.get("legal_refs") or [])
                if refs & query_refs:
                    cand.law = 1.0
                elif {r.split(" ", 1)[0] for r in refs} & query_laws:
                    cand.law = 0.3
            if fusion.rrf:
                cand.score = sum(1.0 / (60 + r) for r in cand.ranks.values())
                continue
            score = 0.0
            if use.dense:
                score += fusion.passage_weight * (cand.passage if cand.passage is not None else passage_floor)
            if use.sentences:
                score += fusion.sentence_weight * (cand.sentence if cand.sentence is not None else sentence_floor)
                if use.windows:
                    score += fusion.window_weight * (cand.window if cand.window is not None else window_floor)
            if use.questions and cand.question is not None:
                score += fusion.question_weight * max(0.0, cand.question - question_floor)
                score += fusion.question_match_weight * cand.question_matches
            if use.lexical:
                score += lexical_weight * (cand.lexical or 0.0)
            score += fusion.law_bonus * cand.law
            if cand.document.meta.get("kind") == "faq":
                score += fusion.faq_bonus
            if cand.document.meta.get("doc_status") == "historisk":
                score -= fusion.historical_penalty
            cand.score = score

        ranked = sorted((c for c in pool.values() if c.document is not None), key=lambda c: -c.score)
        signals = {
            "top_sentence": max((d.score or 0.0 for d in singles), default=0.0),
            "top_passage": max((d.score or 0.0 for d in dense), default=0.0),
            "top_lexical": raw_lexical,
            "top_question": top_question,
            # in scope, several bank questions of one passage match; out of scope, matches scatter
            "question_consensus": max((c.question_matches for c in pool.values()), default=0),
        }
        return {"candidates": ranked, "signals": signals}
