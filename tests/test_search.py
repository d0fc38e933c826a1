"""Search over the session's real index: cited results, highlights, filters, validation, abstention."""

from __future__ import annotations

import pytest

from api.search.query import MAX_QUERY_CHARS, QueryError
from evaluation.questions import answers, letters, load_questions
from veiviser.filters import FilterError
from veiviser.sentences import sentence_spans

IN_SCOPE = "Hva er fastlegens ansvar for personer med psykiske lidelser?"


def search(engine, *args, **kwargs) -> dict:
    """The engine's typed response as the JSON the API and the CLI write."""
    return engine.search(*args, **kwargs).model_dump(mode="json")


def refs(result: dict) -> list[str]:
    return [ref["ref"] for ref in result["legal_refs"]]


@pytest.fixture(scope="module")
def fastlege(engine) -> dict:
    return search(engine, IN_SCOPE, top_k=10)


def test_known_question_returns_cited_passages(engine) -> None:
    response = search(engine, "Hva gjør vi hvis brukeren ikke ønsker å medvirke?", top_k=10)
    assert not response["abstained"]
    [q] = [q for q in load_questions() if q.id == "faq-01"]  # gold evidence: the 1.4.1 FAQ answer
    snippets = [letters(s) for s in q.evidence]
    hits = [r for r in response["results"] if any(answers(letters(r["text"]), s) for s in snippets)]
    assert hits, [r["id"] for r in response["results"]]
    assert response["results"].index(hits[0]) < 3
    hit = hits[0]
    assert hit["id"] == "sammen-om-mestring-2014/hvis-brukeren-ikke-onsker-a-medvirke/1"
    cite = hit["citation"]
    assert cite["doc_id"] == "sammen-om-mestring-2014" and cite["status"] == "gjeldende"
    assert cite["doc_title"].startswith("Sammen om mestring")
    assert cite["section_number"] == "1.4.1" and cite["section_path"][0] == "1 Brukeren som viktigste aktør"
    assert hit["kind"] == "faq" and "pbrl § 4-1" in refs(hit)
    assert cite["anchor"] and hit["id"].startswith(f"{cite['doc_id']}/{cite['anchor']}/")


def test_results_are_ranked_and_cited(fastlege) -> None:
    results = fastlege["results"]
    assert not fastlege["abstained"] and 1 <= len(results) <= 10
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert len({r["id"] for r in results}) == len(results)
    assert any("fastleg" in r["text"].lower() for r in results[:3])
    for r in results:
        cite = r["citation"]
        assert cite["doc_id"] and cite["doc_title"] and cite["status"] and cite["section_path"] and cite["anchor"]
        assert r["text"].strip()


def test_highlights_fall_inside_the_text_and_cover_a_sentence(fastlege) -> None:
    for r in fastlege["results"]:
        text = r["text"]
        assert r["highlights"], r["id"]
        spans = sentence_spans(text)
        for h in r["highlights"]:
            assert 0 <= h["start"] < h["end"] <= len(text), (r["id"], h)
            highlighted = text[h["start"] : h["end"]]
            assert highlighted == highlighted.strip() and len(highlighted.split()) >= 3
            # one sentence or two neighbouring ones (a window), or without a sentence hit a sentence-like run
            starts_of, ends_of = {s for s, _ in spans}, {e for _, e in spans}
            assert (h["start"] in starts_of and h["end"] in ends_of) or any(
                s <= h["start"] and h["end"] <= e for s, e in spans
            ), (r["id"], highlighted)
        starts = [h["start"] for h in r["highlights"]]
        assert starts == sorted(starts)
        ends = [h["end"] for h in r["highlights"]]
        assert all(end <= start for end, start in zip(ends, starts[1:], strict=False)), "highlights overlap"


@pytest.mark.parametrize(
    "filters, check",
    [
        ({"doc": "pasientforlop-rop-2018"}, lambda r: r["citation"]["doc_id"] == "pasientforlop-rop-2018"),
        ({"status": "historisk"}, lambda r: r["citation"]["status"] == "historisk"),
        ({"kind": "faq"}, lambda r: r["kind"] == "faq"),
        ({"law": "hol"}, lambda r: any(ref.split(" ", 1)[0] == "hol" for ref in refs(r))),
        ({"law": "hol § 3-2"}, lambda r: "hol § 3-2" in refs(r)),
        ({"law": "helse- og omsorgstjenesteloven § 3-2"}, lambda r: "hol § 3-2" in refs(r)),
        ({"pathway": "tvang"}, lambda r: "tvang" in r["pathway"]),
        ({"target_group": "barn som pårørende"}, lambda r: "barn som pårørende" in r["target_groups"]),
        ({"status": "gjeldende", "kind": "recommendation"},
         lambda r: r["citation"]["status"] == "gjeldende" and r["kind"] == "recommendation"),
    ],
)
def test_filters_only_return_matching_results(engine, filters, check) -> None:
    response = search(engine, "kommunens ansvar for oppfølging og samarbeid", top_k=20, filters=filters)
    assert response["results"], filters
    for r in response["results"]:
        assert check(r), (filters, r["id"])


def test_law_filter_narrows_to_the_paragraph(engine) -> None:
    by_law = search(engine, "individuell plan og koordinator", top_k=50, filters={"law": "hol"})["results"]
    by_para = search(engine, "individuell plan og koordinator", top_k=50, filters={"law": "hol § 7-1"})["results"]
    assert by_para and len(by_para) <= len(by_law)
    assert all("hol § 7-1" in refs(r) for r in by_para)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"query": ""}, "empty"),
        ({"query": "   \n\t "}, "empty"),
        ({"query": "a" * (MAX_QUERY_CHARS + 1)}, f"at most {MAX_QUERY_CHARS}"),
        ({"query": "bolig", "filters": {"fylke": "Oslo"}}, "unknown filter 'fylke'"),
        ({"query": "bolig", "filters": {"status": "utgått"}}, "gjeldende, høringsutkast, historisk, lokal"),
        ({"query": "bolig", "filters": {"kind": "essay"}}, "text, faq, recommendation, definition, list"),
        ({"query": "bolig", "filters": {"pathway": "ferie"}}, "tvang"),
        ({"query": "bolig", "filters": {"target_group": "katter"}}, "barn som pårørende"),
        ({"query": "bolig", "filters": {"doc": "finnes-ikke"}}, "sammen-om-mestring-2014"),
        ({"query": "bolig", "filters": {"law": "grunnloven"}}, "hol"),
        ({"query": "bolig", "top_k": 0}, "1 to 50"),
        ({"query": "bolig", "top_k": 51}, "1 to 50"),
    ],
)
def test_bad_input_raises_a_helpful_query_error(engine, kwargs, message) -> None:
    with pytest.raises((QueryError, FilterError)) as info:
        engine.search(**kwargs)
    assert message in str(info.value)


def test_unknown_filter_lists_the_allowed_filters(engine) -> None:
    with pytest.raises((QueryError, FilterError)) as info:
        engine.search("bolig", filters={"fylke": "Oslo"})
    for name in ("doc", "status", "kind", "law", "pathway", "target_group"):
        assert name in str(info.value)


def test_a_query_of_exactly_the_limit_is_accepted(engine) -> None:
    query = ("bolig og oppfølging " * 60)[:MAX_QUERY_CHARS]
    assert len(query) == MAX_QUERY_CHARS
    assert "results" in search(engine, query, top_k=1)


def test_out_of_scope_question_is_abstained(engine, fastlege) -> None:
    assert search(engine, "maks dose sertralin")["abstained"] is True
    assert fastlege["abstained"] is False
