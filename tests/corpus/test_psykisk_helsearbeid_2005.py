"""001 (Psykisk helsearbeid for voksne i kommunene, 2005): the converter on the real source."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ingest.convert import convert_source, psykisk_helsearbeid_2005
from ingest.convert.cleaning import read_lines

SOURCES = Path(__file__).resolve().parents[2].parent / "shared" / "sources"
SOURCE = SOURCES / psykisk_helsearbeid_2005.META["source_file"]

pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason="shared/sources not available")

GODE_RAD = ["2.5", "3.7", "4.8", "5.8", "6.5", "7.4", "8.7", "9.5", "11.8", "12.7", "13.8"]


@cache
def markdown() -> str:
    return convert_source(psykisk_helsearbeid_2005, SOURCES)[1]


@cache
def body() -> str:
    return markdown().split("---\n", 2)[2]


def tokens():
    md = MarkdownIt("commonmark").use(front_matter_plugin).use(footnote_plugin).use(attrs_block_plugin)
    return md.parse(markdown())


def headings() -> list[tuple[int, str, str | None]]:
    """(level, text, class) of every heading."""
    toks = tokens()
    return [
        (int(t.tag[1]), toks[i + 1].content, t.attrs.get("class"))
        for i, t in enumerate(toks)
        if t.type == "heading_open"
    ]


def numbered() -> list[str]:
    return [m.group(1) for _, text, _ in headings() if (m := re.match(r"(\d+(?:\.\d+)*) ", text))]


def sections() -> dict[str, str]:
    """Section number -> its own text (up to the next heading)."""
    out: dict[str, str] = {}
    current = None
    for line in body().splitlines():
        if m := re.match(r"#+ (\d+(?:\.\d+)*) ", line):
            current = m.group(1)
            out[current] = ""
        elif current and not line.startswith("#"):
            out[current] += line + "\n"
    return out


def letters(text: str) -> str:
    return re.sub(r"[^a-zæøåäöüé]", "", text.lower())


def test_sections_come_out_in_number_order_without_skipped_levels():
    keys = [tuple(int(n) for n in number.split(".")) for number in numbered()]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    prev = 0
    for level, text, _ in headings():
        assert level <= prev + 1, text
        if m := re.match(r"(\d+(?:\.\d+)*) ", text):
            assert level == len(m.group(1).split(".")), text
        prev = level
    assert len(keys) == 134


def test_scrambled_sections_are_put_back():
    order = numbered()
    for before, after in [
        ("2.1", "2.1.2"),
        ("2.1.1", "2.1.2"),
        ("2.3", "2.3.3"),
        ("3.3", "3.4"),
        ("3.7", "4"),
        ("8.5.2", "8.6"),
        ("8.5.3", "8.7"),
        ("9.3.1", "9.3.2"),
        ("13.1", "13.2.1"),
        ("14.2", "14.3"),
    ]:
        assert order.index(before) < order.index(after), (before, after)


def test_chapter_titles_joined_and_malformed_heading_fixed():
    texts = [text for _, text, _ in headings()]
    assert "1 Innledning – Om godt psykisk helsearbeid" in texts
    assert "4 Mestring – Sosialt fellesskap og meningsfylte aktiviteter" in texts
    assert "6 Folkehelsearbeid og forebygging av psykiske lidelser" in texts
    assert "12 God ressursutnyttelse – Planlegging av og prioritering i det psykiske helsearbeidet" in texts
    assert "14 Kunnskap og tillit gjennom informasjon og kommunikasjon" in texts
    assert "2.1.1 Oversikt over boligbehov" in texts
    assert texts[0] == "Forord"


def test_false_positive_headings_are_body_text():
    texts = [text for _, text, _ in headings()]
    assert not any(t.startswith(("31 B", "4. Respekt", "1. Avklare")) for t in texts)
    assert "> 31 B i Oslo åpnet allerede i 1980." in body()
    assert "\n4. Respekt for hverandres fagbakgrunn: Alle må ha reell mulighet" in body()


def test_text_cut_mid_sentence_is_joined_in_its_section():
    s = sections()
    assert "individuelt tilpassede og samordnede tjenester og tiltak. Det vil også" in s["2.3.3"]
    assert "baseres på gjensidighet og likeverd mellom brukere og ansatte" in s["4.2"]
    assert "rehabiliteringsplan hvis en slik utarbeides. Også tett samarbeid" in s["3.6.1"]
    assert "i nært samarbeid mellom bruker og de ulike tjenesteytere" in s["3.6.2"]
    assert "i tillegg til de data kommunen selv besitter, være viktige data" in s["12.3.1"]
    assert "forankres på ledernivå mellom samarbeidende instanser, og rammene" in s["13.2.3"]
    assert "har behov for hjelp får hjelp" not in s["2.3.3"]


def test_displaced_text_lands_in_its_section():
    s = sections()
    assert "- utnytter ressursene på en god måte\n- er tilgjengelige og samordnet" in s["9.3"]
    assert s["9.3"].index("er virkningsfulle") < s["9.3"].index("Disse kjennetegnene")
    assert "Yrkesrettet attføring" not in s["3.4"] and "Trygdeetaten har som oppgave" in s["3.4"]
    assert "Snakk hverdagsspråk – ikke fagspråk!" in s["14.2"]
    assert "Samordning av informasjon mellom kommunale tjenester" in s["14.1"]
    assert "I Øksnes kommune" in s["8.5.2"]
    assert "Å tilrettelegge for fysisk aktivitet" in s["4.5"]
    assert s["4.6"].rstrip().endswith("www.kulturoghelse.no")


def test_gode_rad_sections_are_marked_recommendations():
    marked = [text for _, text, cls in headings() if cls == "recommendations"]
    assert marked == [f"{n} Gode råd" for n in GODE_RAD]
    s = sections()
    for number in GODE_RAD:
        assert s[number].lstrip().startswith("- "), number


def test_noise_removed():
    text = body()
    assert not re.search(r"^\s*\d{2,4}\s*$", text, re.M)  # glued page numbers `1110`, `3534`
    assert "Psykisk helsearbeid i praksis" not in text
    assert "Rammer for arbeidet" not in text
    assert "•" not in text
    # 5.5: the paragraph runs on over the glued page number `3534` (l.1183–1189)
    assert "blir behandlet og fulgt opp av fastlegene. Fastlegene har også" in text


def test_hyphenation_joined_and_kept_where_real():
    text = body()
    assert "Åpenhet og helhet. Om psykiske lidelser" in text
    assert "hel- het" not in text and "omfattende styrking og omstrukturering" in text
    assert "Helse- og omsorgsdepartementet" in text and "helse- og sosialtjenesten" in text
    assert "LEON-prinsippet" in text
    assert "www.fontenehuset-oslo.no" in text


def test_boxes_and_run_in_headings():
    text = body()
    assert text.count("> **Aktuelt lovverk**") == 3
    assert "> **Aktuelle lover**" in text and "> **Juridiske forhold**" in text
    assert "> **Eksempler på kommunenivå**" in text
    assert "\n**Kort oversikt over Aetats arbeidsmarkedstiltak**\n" in text
    assert "\n**Hva kan øke medias interesse?**\n" in text


def test_bullets_and_paragraphs_are_one_line():
    toks = tokens()
    assert not any(c.type == "softbreak" for t in toks if t.type == "inline" for c in t.children or [])
    assert (
        "- Boligtilskudd og lån til utleieboliger. Utleieboliger kan finansieres 100 prosent av Husbanken,"
        in body()
    )
    assert (
        "- Arbeide for bred tilslutning til helsefremmende og forebyggende arbeid gjennom prosjektet"
        in body()
    )


def test_no_body_text_lost():
    out = letters(body())
    lines = read_lines(SOURCE)
    noise = set(psykisk_helsearbeid_2005.PART_TITLES) | set(psykisk_helsearbeid_2005.SPLITS)
    missing = [
        i
        for i, line in enumerate(lines, 1)
        if i not in noise and len(letters(line)) >= 3 and letters(line) not in out
    ]
    assert missing == []
    text948 = lines[947]
    for half in text948.split("Å tilrettelegge"):
        assert letters(half) in out
