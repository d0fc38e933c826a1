"""Norwegian text analysis: words, stems, compounds, typo mapping, BM25 vectors and letters."""

from __future__ import annotations

from veiviser.text_analysis import LexicalAnalyzer, letters, term_id, words

CORPUS = [
    "Kommunen skal gi personer med rusmiddelproblemer et forsvarlig tilbud.",
    "Rusmiddel og problem: tidlig innsats ved psykiske problemer.",
    "Individuell plan og koordinator for brukeren.",
]


def test_words_are_lower_case_without_stop_words() -> None:
    assert words("Kommunen SKAL gi et tilbud") == ["kommunen", "gi", "tilbud"]
    assert words("bolig og arbeid") == ["bolig", "arbeid"]


def test_compounds_split_into_corpus_words() -> None:
    analyzer = LexicalAnalyzer.fit(CORPUS)
    assert analyzer.compound_parts("rusmiddelproblem") == ["rusmiddel", "problem"]
    assert analyzer.compound_parts("plan") == []


def test_typos_are_mapped_to_corpus_words_only_when_asked() -> None:
    analyzer = LexicalAnalyzer.fit(CORPUS)
    assert analyzer.correct("koordinatorr") == "koordinator"
    assert analyzer.correct("koordinator") == "koordinator"
    fuzzy, _ = analyzer.query_vector("koordinatorr")
    exact, _ = analyzer.query_vector("koordinatorr", correct=False)
    assert fuzzy != exact


def test_document_vector_has_bm25_weights_and_stable_ids() -> None:
    analyzer = LexicalAnalyzer.fit(CORPUS)
    indices, values = analyzer.document_vector(CORPUS[2])
    assert len(indices) == len(values) and all(v > 0 for v in values)
    assert term_id("plan") == term_id("plan") and term_id("plan") != term_id("koordin")


def test_coverage_is_the_share_of_known_words() -> None:
    analyzer = LexicalAnalyzer.fit(CORPUS)
    assert analyzer.coverage("individuell plan") == 1.0
    assert analyzer.coverage("parkering flyplass") == 0.0


def test_letters_ignore_case_whitespace_hyphens_and_punctuation() -> None:
    assert letters("Helse-\nmessige  TILTAK, (jf. § 3-2)") == letters("helsemessige tiltak jf")
