"""Chunking of the real corpus: FAQ pairs, footers, law context, order, source lines, sizes, ids, tags."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from ingest.chunking import chunk_corpus
from ingest.parse import load_corpus
from veiviser.schema import Chunk
from veiviser.sentences import sentence_spans
from veiviser.settings import PROJECT_ROOT, Settings
from veiviser.tags import recommendation_strength

SOURCES = Settings().sources_dir
CORPUS = PROJECT_ROOT / "corpus"
pytestmark = pytest.mark.skipif(not SOURCES.exists(), reason="raw sources not available")

# Column headers that the 000 converter supplies because a pipe table needs a header row; the
# source has "Navn organisasjoner Webadresse" once and no header over the second list.
SYNTHETIC_LINES = {"Navn | Webadresse"}
# Passages whose lines the converter legitimately brings together from far apart in the source:
# the 2024 web page prints "Siste faglige endring" at its very end, the corpus next to the
# other page metadata at the top.
FAR_APART = {"nasjonal-veileder-horing-2024/1-bakgrunn-metode-og-prosess/1"}


def letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


@pytest.fixture(scope="module")
def documents():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def chunks(documents) -> list[Chunk]:
    return chunk_corpus(documents, SOURCES)


@pytest.fixture(scope="module")
def source_lines(documents) -> dict[str, list[str]]:
    """doc id -> the raw source file's lines."""
    return {
        d.meta.id: (SOURCES / d.meta.source_file).read_text(encoding="utf-8").splitlines()
        for d in documents
        if d.meta.source_file
    }


def by_id(chunks: list[Chunk]) -> dict[str, Chunk]:
    return {c.id: c for c in chunks}


def found_in_pieces(needle: str, haystack: str, max_pieces: int = 3, min_piece: int = 5) -> bool:
    """Is `needle` in `haystack`, allowing it to be split into at most `max_pieces` pieces found
    anywhere in it (a page break, footnote block or pull quote interrupts a sentence in the raw
    text; a two-column layout prints the end of a sentence before its start)?"""
    i = 0
    for _ in range(max_pieces):
        rest = needle[i:]
        if not rest:
            return True
        low, high = 0, len(rest)
        while low < high:  # longest prefix of `rest` found in the haystack
            mid = (low + high + 1) // 2
            if rest[:mid] in haystack:
                low = mid
            else:
                high = mid - 1
        if low < min(min_piece, len(rest)):
            return False
        i += low
    return i == len(needle)


def test_faq_question_and_answer_are_one_chunk_with_footnote_refs(chunks) -> None:
    faq = [c for c in chunks if "Hvis brukeren ikke ønsker å medvirke?" in c.text]
    assert len(faq) == 1
    chunk = faq[0]
    assert chunk.kind == "faq"
    assert chunk.doc_id == "sammen-om-mestring-2014"
    assert chunk.section_path[:3] == ["1 Brukeren som viktigste aktør", "1.4 Brukermedvirkning",
                                      "1.4.1 Ofte stilte spørsmål"]
    assert chunk.text.startswith("Hvis brukeren ikke ønsker å medvirke?\n\n")
    assert "Brukeren har en rett, men ingen plikt til å delta" in chunk.text
    assert [f.label for f in chunk.footnotes] == ["1-15", "1-16"]
    assert "Pasient- og brukerrettighetsloven § 4-1" in chunk.footnotes[0].text
    assert "[^" not in chunk.text
    # footnote 1-15/1-16 cite pasient- og brukerrettighetsloven § 4-1; the text itself names no law
    assert "pbrl § 4-1" in chunk.legal_refs


def test_every_faq_chunk_is_one_question_with_its_answer(chunks) -> None:
    faqs = [c for c in chunks if c.kind == "faq"]
    assert len(faqs) >= 20
    for c in faqs:
        question, _, answer = c.text.partition("\n\n")
        assert question == c.section_title and question.endswith("?"), c.id
        assert len(answer.split()) >= 5, c.id
    assert len({c.section_path[-1] for c in faqs}) == len(faqs)  # one chunk per question


def _footer_lines(lines: list[str]) -> list[str]:
    """Running page footers (`18  | 1  Brukeren som viktigste aktør`, `Innledning  |  11`); a line
    naming a law is a pipe-for-§ slip (`Psykisk helsevernloven | 3-5`), not a footer."""
    footers = []
    for line in lines:
        if "lov" in line.lower():
            continue
        if re.match(r"^\s*\d+\s+\|\s+\S", line) or re.match(r"^.*\S\s+\|\s+\d+\s*$", line):
            footers.append(" ".join(line.split()))
    return footers


def test_no_page_footers_or_indesign_slugs_in_chunks(chunks, source_lines) -> None:
    footers = {f for lines in source_lines.values() for f in _footer_lines(lines)}
    assert "18 | 1 Brukeren som viktigste aktør" in footers  # the detector sees the real footers
    assert len(footers) >= 10
    for c in chunks:
        flat = " ".join(c.text.split())
        assert ".indb" not in flat, c.id
        assert not re.search(r"\d{2}\.\d{2}\.\d{2}\s+\d{2}:\d{2}", flat), c.id  # the slug's date stamp
        for footer in footers:
            assert footer not in flat, (c.id, footer)


def test_implicit_paragraph_takes_the_law_named_by_its_heading(chunks) -> None:
    [chunk] = [c for c in chunks if c.doc_id == "pasientforlop-rop-2018" and "Etter § 8 skal" in c.text]
    assert "pasientjournalloven" in chunk.section_title
    assert chunk.legal_refs[0] == "pasientjournalloven § 8"
    assert all(ref.startswith("pasientjournalloven") for ref in chunk.legal_refs)


def _number(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def test_sections_of_001_come_out_in_number_order(chunks, documents) -> None:
    numbers = [c.section_number for c in chunks if c.doc_id == "psykisk-helsearbeid-voksne-2005" and c.section_number]
    assert len(set(numbers)) > 50
    keys = [_number(n) for n in numbers]
    assert keys == sorted(keys)
    [doc] = [d for d in documents if d.meta.id == "psykisk-helsearbeid-voksne-2005"]
    walked = [_number(s.number) for s in doc.walk() if s.number]
    assert walked == sorted(walked) and len(walked) == len(set(walked))


def test_every_chunk_is_found_in_its_source_lines(chunks, source_lines) -> None:
    """Each sentence of a chunk, reduced to its letters (no whitespace, hyphenation, footnote
    numbers or punctuation), occurs within the chunk's source_lines of the raw file."""
    problems = []
    for c in chunks:
        assert c.source_lines is not None, c.id
        first, last = c.source_lines
        assert 1 <= first <= last <= len(source_lines[c.doc_id]), c.id
        window = letters("\n".join(source_lines[c.doc_id][first - 1 : last]))
        for start, end in sentence_spans(c.text):
            sentence = c.text[start:end]
            if sentence in SYNTHETIC_LINES:
                continue
            if not found_in_pieces(letters(sentence), window):
                problems.append(f"{c.id} {c.source_lines}: {sentence[:80]}")
    assert not problems, "\n".join(problems[:20])


def test_source_lines_are_tight(chunks, source_lines) -> None:
    """The window is the passage's own text plus layout noise, not a large part of the file."""
    for c in chunks:
        if c.id in FAR_APART:
            continue
        first, last = c.source_lines
        window = len(letters("\n".join(source_lines[c.doc_id][first - 1 : last])))
        assert window <= 3 * len(letters(c.text)) + 5000, (c.id, c.source_lines)


def test_interrupted_and_moved_paragraphs_map_to_all_their_lines(chunks) -> None:
    chunks = by_id(chunks)
    # 002: the tail of the ACT paragraph repeats a phrase from its middle
    act = chunks["pasientforlop-rop-2018/act-team/1"]
    assert act.source_lines == (2507, 2524)  # "… ROP-lidelser," ends on 2524, "2014)." has no letters
    # 001 (two columns): "… hvis en slik" (line 710) continues "utarbeides. Også …" at line 701
    school = chunks["psykisk-helsearbeid-voksne-2005/3-6-1-rett-til-utdanning/1"]
    assert school.source_lines == (701, 710)


def test_chunks_never_cross_sections(chunks) -> None:
    per_anchor: dict[tuple[str, str], list[Chunk]] = defaultdict(list)
    for c in chunks:
        per_anchor[(c.doc_id, c.anchor)].append(c)
        assert c.id.startswith(f"{c.doc_id}/{c.anchor}/")
        assert c.chapter == c.section_path[0]
        assert c.section_title in c.section_path[-1]
    for group in per_anchor.values():
        assert len({tuple(c.section_path) for c in group}) == 1
        assert len({c.section_number for c in group}) == 1
    # a heading never appears inside a chunk of another section
    for c in chunks:
        assert not re.search(r"^#+ ", c.text, re.M), c.id


def test_chunk_sizes(chunks) -> None:
    for c in chunks:
        n = len(c.text.split())
        assert n >= 1, c.id
        if c.kind in ("text", "list"):
            assert n <= 400, (c.id, n)
        if c.kind == "recommendation":
            assert n <= 400, (c.id, n)
    sizes = sorted(len(c.text.split()) for c in chunks if c.kind == "text")
    assert sizes[len(sizes) // 2] >= 60  # short remainders are merged: the median passage is not a scrap


def test_recommendation_chunks_carry_strength(chunks) -> None:
    recommendations = [c for c in chunks if c.kind == "recommendation"]
    assert len(recommendations) >= 30
    for c in recommendations:
        if c.section_path[0] == "Hovedpunkter" and recommendation_strength(c.text) is None:
            continue  # a descriptive summary point ("Hovedforløp 1 omfatter …") has no normative force
        assert c.strength in ("skal", "bør", "kan"), c.id
        if recommendation_strength(c.text) is not None:
            assert c.strength == recommendation_strength(c.text)
    for c in chunks:
        if c.kind != "recommendation":
            assert c.strength is None, c.id
    kristiansund = [c for c in recommendations if c.doc_id == "kristiansund-psykisk-helse-rus-2021"]
    assert kristiansund and all(c.strength for c in kristiansund)  # imperative bullets under "anbefaling"


@pytest.mark.parametrize(
    "text, headings, expected",
    [
        ("Kommunen skal sørge for forsvarlige tjenester.", [], "skal"),
        ("Tjenestene må være tilgjengelige og bør samarbeide.", [], "skal"),
        ("Kommunen bør kartlegge egen kompetanse.", [], "bør"),
        ("Helsedirektoratet anbefaler at kommunen kartlegger.", [], "bør"),
        ("Skissen kan benyttes for vurdering.", [], "kan"),
        ("- Prioritere brukere med alvorlig psykisk sykdom", ["Arbeidsgruppens anbefaling og oppsummering"], "bør"),
        ("- Tilgjengelighet og kontinuitet", ["Hovedpunkter", "I behandlingsalliansen bør det vektlegges:"], "bør"),
        ("- Hovedforløp 1 omfatter milde problemer.", ["Hovedpunkter", "Veilederen omtaler tre hovedforløp"], None),
    ],
)
def test_recommendation_strength_scale(text, headings, expected) -> None:
    assert recommendation_strength(text, headings) == expected


def test_ids_are_unique_and_stable(chunks, documents) -> None:
    ids = [c.id for c in chunks]
    assert len(ids) == len(set(ids))
    again = chunk_corpus(load_corpus(CORPUS), SOURCES)
    assert [c.id for c in again] == ids
    assert [c.model_dump() for c in again] == [c.model_dump() for c in chunks]


def test_pathway_and_target_group_rules(chunks) -> None:
    som = [c for c in chunks if c.doc_id == "sammen-om-mestring-2014"]
    tvang = [c for c in som if c.section_number == "4.3.8"]
    assert tvang and all("tvang" in c.pathway for c in tvang)
    barn = [c for c in som if c.section_number == "1.3"]
    assert barn and all("barn som pårørende" in c.target_groups for c in barn)
    assert all("pårørende" in c.target_groups for c in barn)
    # the rules are not blanket: most passages are not about coercion
    assert sum("tvang" in c.pathway for c in chunks) < len(chunks) / 5


def test_chunks_jsonl_has_exactly_the_schema_fields(tmp_path: Path, monkeypatch, capsys) -> None:
    from veiviser.cli import main
    from veiviser.settings import get_settings

    out = tmp_path / "chunks.jsonl"
    monkeypatch.setenv("VEIVISER_CORPUS_DIR", str(CORPUS))
    monkeypatch.setenv("VEIVISER_SOURCES_DIR", str(SOURCES))
    get_settings.cache_clear()
    try:
        assert main(["chunks", "--jsonl", "--out", str(out)]) == 0
    finally:
        get_settings.cache_clear()
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 500
    for row in rows:
        assert isinstance(row, dict) and set(row) == set(Chunk.model_fields)
        Chunk.model_validate(row)
    assert len({r["id"] for r in rows}) == len(rows)
