"""ScoreFusion over hand-made retriever hits: how the signals add up, floors, laws and the bank."""

from __future__ import annotations

from haystack import Document

from api.search.config import DEFAULT, Fusion, Retrieval
from api.search.fusion import ScoreFusion
from api.search.query import analyze


def passage(cid: str, score: float, **meta) -> Document:
    return Document(id=cid, content=f"text of {cid}", meta={"chunk_id": cid, "kind": "text", **meta}, score=score)


def sentence(cid: str, score: float, start: int = 0, end: int = 5, span: int = 1) -> Document:
    return Document(content="s", meta={"chunk_id": cid, "start": start, "end": end, "span": span}, score=score)


def question(cid: str, score: float) -> Document:
    return Document(content="q?", meta={"chunk_id": cid}, score=score)


def fuse(query: str = "bolig", fusion: Fusion = DEFAULT.fusion, retrieval: Retrieval = DEFAULT.retrieval,
         fetched: list[Document] | None = None, **hits):
    def fetch(ids: list[str]) -> list[Document]:
        return [d for d in fetched or [] if d.meta["chunk_id"] in ids]

    return ScoreFusion(fusion, retrieval, fetch=fetch).run(analyze(query), **hits)


def test_scores_add_passage_sentence_window_and_lexical() -> None:
    out = fuse(dense=[passage("a", 0.8), passage("b", 0.7)],
               sentences=[sentence("a", 0.9), sentence("b", 0.85), sentence("b", 0.88, span=2)],
               lexical=[passage("b", 4.0), passage("a", 2.0)])
    by_id = {c.chunk_id: c for c in out["candidates"]}
    a, b = by_id["a"], by_id["b"]
    # a: passage 0.8 + sentence 0.9 + window (its sentence, 0.9) + 0.1 * lexical 0.5
    assert abs(a.score - (0.8 + 0.9 + 0.9 + 0.1 * 0.5)) < 1e-9
    assert abs(b.score - (0.7 + 0.85 + 0.88 + 0.1 * 1.0)) < 1e-9
    assert [c.chunk_id for c in out["candidates"]] == ["a", "b"]
    assert out["signals"] == {"top_sentence": 0.9, "top_passage": 0.8, "top_lexical": 4.0, "top_question": 0.0,
                              "question_consensus": 0}


def test_a_missing_signal_counts_as_the_lowest_returned_score() -> None:
    out = fuse(dense=[passage("a", 0.8), passage("b", 0.6)], sentences=[sentence("a", 0.9), sentence("a", 0.7)])
    b = next(c for c in out["candidates"] if c.chunk_id == "b")
    assert b.sentence is None and abs(b.score - (0.6 + 0.7 + 0.7)) < 1e-9


def test_a_passage_only_the_sentence_or_question_retriever_found_is_fetched() -> None:
    extra = [passage("c", 0.0), passage("d", 0.0)]
    out = fuse(dense=[passage("a", 0.8)], sentences=[sentence("c", 0.95)], questions=[question("d", 0.97),
               question("a", 0.90)], fetched=extra)
    assert {c.chunk_id for c in out["candidates"]} == {"a", "c", "d"}
    assert all(c.document is not None for c in out["candidates"])


def test_a_bank_question_counts_only_above_the_floor() -> None:
    no_margin = DEFAULT.variant("no margin", fusion={"question_margin": None, "question_match_weight": 0.0}).fusion
    floor, weight = no_margin.question_floor, no_margin.question_weight
    hits = dict(dense=[passage("a", 0.80), passage("b", 0.80), passage("c", 0.80)],
                sentences=[sentence("a", 0.9), sentence("b", 0.9), sentence("c", 0.9)],
                questions=[question("b", floor + 0.05), question("b", floor + 0.03), question("a", floor + 0.01),
                           question("c", floor - 0.05)])
    with_bank = {c.chunk_id: c for c in fuse(fusion=no_margin, **hits)["candidates"]}
    assert with_bank["b"].question == floor + 0.05 and with_bank["c"].question is None  # below: not counted
    assert abs((with_bank["b"].score - with_bank["a"].score) - weight * 0.04) < 1e-9
    plain = with_bank["c"].score  # below the floor: nothing added
    assert abs((with_bank["a"].score - plain) - weight * 0.01) < 1e-9
    without = fuse(retrieval=DEFAULT.variant("x", retrieval={"questions": False}).retrieval, **hits)
    scores = {c.chunk_id: c.score for c in without["candidates"]}
    assert scores["a"] == scores["b"]


def test_each_bank_question_that_counts_adds_a_bonus_and_the_most_agreeing_passage_is_a_signal() -> None:
    fusion = DEFAULT.variant("count", fusion={"question_margin": 0.05, "question_floor": 0.80}).fusion
    hits = dict(dense=[passage("a", 0.80), passage("b", 0.80)], sentences=[sentence("a", 0.9), sentence("b", 0.9)],
                questions=[question("a", 0.95), question("b", 0.95), question("b", 0.93), question("b", 0.91),
                           question("a", 0.85)])  # 0.85 is below the relative floor 0.95 - 0.05
    out = fuse(fusion=fusion, **hits)
    by_id = {c.chunk_id: c for c in out["candidates"]}
    assert (by_id["a"].question_matches, by_id["b"].question_matches) == (1, 3)
    assert abs((by_id["b"].score - by_id["a"].score) - fusion.question_match_weight * 2) < 1e-9
    assert out["signals"]["question_consensus"] == 3
    assert [c.chunk_id for c in out["candidates"]] == ["b", "a"]


def test_with_a_margin_only_questions_close_to_the_best_match_count() -> None:
    fusion = DEFAULT.variant("margin", fusion={"question_margin": 0.02, "question_floor": 0.80,
                                               "question_match_weight": 0.0}).fusion
    hits = dict(dense=[passage("a", 0.80), passage("b", 0.80), passage("c", 0.80)],
                sentences=[sentence("a", 0.9), sentence("b", 0.9), sentence("c", 0.9)],
                questions=[question("a", 0.95), question("b", 0.94), question("c", 0.92)])
    scores = {c.chunk_id: c.score for c in fuse(fusion=fusion, **hits)["candidates"]}
    # the relative floor is 0.95 - 0.02 = 0.93: a gets 0.02, b 0.01, c (below it) nothing
    assert abs((scores["a"] - scores["c"]) - fusion.question_weight * 0.02) < 1e-9
    assert abs((scores["b"] - scores["c"]) - fusion.question_weight * 0.01) < 1e-9


def test_a_named_paragraph_gets_the_law_bonus_and_its_act_a_smaller_one() -> None:
    out = fuse("hva sier hol § 3-2 om dette",
               dense=[passage("para", 0.5, legal_refs=["hol § 3-2"]), passage("act", 0.5, legal_refs=["hol § 7-1"]),
                      passage("none", 0.5)])
    law = {c.chunk_id: c.law for c in out["candidates"]}
    assert law == {"para": 1.0, "act": 0.3, "none": 0.0}
    assert [c.chunk_id for c in out["candidates"]] == ["para", "act", "none"]


def test_reciprocal_rank_fusion_ignores_the_scores() -> None:
    rrf = DEFAULT.variant("rrf", fusion={"rrf": True}).fusion
    out = fuse(fusion=rrf, dense=[passage("a", 0.9), passage("b", 0.1)], lexical=[passage("b", 9.0)])
    assert [c.chunk_id for c in out["candidates"]] == ["b", "a"]  # b: ranks 1 and 0; a: rank 0 only


def test_a_question_below_the_floor_brings_no_passage_in() -> None:
    no_margin = DEFAULT.variant("no margin", fusion={"question_margin": None}).fusion
    floor = no_margin.question_floor
    found = fuse(fusion=no_margin, dense=[passage("a", 0.80)], sentences=[sentence("a", 0.9)],
                 questions=[question("z", floor - 0.01), question("y", floor + 0.01)],
                 fetched=[passage("z", 0.0), passage("y", 0.0)])
    assert {c.chunk_id for c in found["candidates"]} == {"a", "y"}


def test_a_superseded_document_yields_to_the_guideline_that_replaced_it() -> None:
    hits = {"dense": [passage("old", 0.80, doc_status="historisk"), passage("new", 0.79, doc_status="gjeldende")]}
    assert [c.chunk_id for c in fuse(**hits)["candidates"]] == ["new", "old"]
    unpenalised = Fusion(historical_penalty=0.0)
    assert [c.chunk_id for c in fuse(fusion=unpenalised, **hits)["candidates"]] == ["old", "new"]
    old = next(c for c in fuse(**hits)["candidates"] if c.chunk_id == "old")
    new = next(c for c in fuse(**hits)["candidates"] if c.chunk_id == "new")
    assert abs((new.score - old.score) - (DEFAULT.fusion.historical_penalty - 0.01)) < 1e-9
