"""002 (Pasientforløp for personer med ROP-lidelser, kunnskapsoppsummering ≈2018): the converter
on the real source."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ingest.convert import convert_source, pasientforlop_rop

SOURCES = Path(__file__).resolve().parents[2].parent / "shared" / "sources"
SOURCE = SOURCES / pasientforlop_rop.META["source_file"]

pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason="shared/sources not available")

RUNNING_HEADER = "PASIENTFORLØP FOR PERSONER MED SAMTIDIG RUSMIDDELLIDELSE OG PSYKISK LIDELSE"

# The numbered and front-part headings, in order.
NUMBERED = [
    (1, "Sammendrag"),
    (1, "Abstract in English"),
    (1, "1 Innledning"),
    (2, "1.1 Bakgrunn og sentrale begreper"),
    (2, "1.2 Hensikt og problemstilling"),
    (1, "2 Metode og materiale"),
    (2, "2.1 Søkestrategi og utvalg"),
    (2, "2.2 Analyse"),
    (2, "2.3 Kvalitetssikring"),
    (1, "3 Lover, forskrifter og sentrale offentlige dokumenter"),
    (2, "3.1 Lover"),
    (2, "3.2 Forskrifter"),
    (2, "3.3 Offentlige utredninger, proposisjoner, nasjonale strategier og meldinger til Stortinget"),
    (2, "3.4 Faglige veiledere og nasjonale retningslinjer"),
    (1, "4 Forsknings- og utviklingsarbeid"),
    (2, "4.1 Kunnskap om pasientgruppen"),
    (2, "4.2 Kunnskap om samhandling og kontinuitet"),
    (2, "4.3 Kunnskap om arbeidet med lovpålagte planer og avtaler"),
    (2, "4.4 Kunnskap om fastleger og pasientforløpet"),
    (2, "4.5 Kunnskap om relasjonenes betydning for pasientforløpet"),
    (2, "4.6 Kunnskap om bolig som del av pasientforløpet"),
    (2, "4.7 Kunnskap om IKT og pasientforløpet"),
    (2, "4.8 Kunnskap om læringsnettverk for gode pasientforløp"),
    (2, "4.9 Kunnskap om samarbeidsmodeller og støtte- og oppfølgingstiltak"),
    (1, "5 Verktøy og ressurser"),
    (1, "6 Konklusjoner"),
]

# Unnumbered CAPS sub-heads, one level below their section.
SUBHEADS = {
    "1.1 Bakgrunn og sentrale begreper": ["Pasientforløp", "Samtidig rusmiddellidelse og psykisk lidelse"],
    "4.2 Kunnskap om samhandling og kontinuitet": [
        "Kort om samhandlingsreformen",
        "Koordinerte og integrerte tjenester",
        "Ulikheter i tilnærming og perspektiv",
    ],
    "4.3 Kunnskap om arbeidet med lovpålagte planer og avtaler": [
        "Individuell plan og pasientforløpet",
        "Samarbeidsavtaler og pasientforløpet",
    ],
    # The twelve models and measures of 4.9.
    "4.9 Kunnskap om samarbeidsmodeller og støtte- og oppfølgingstiltak": [
        "ACT-team",
        "FACT-team",
        "SPoR Vestfold",
        "Samhandlingsteamet i Bærum",
        "Romeriksmodellen",
        "Brobyggermodellen",
        "Housing First",
        "Tillitspersonforsøket",
        "Mestringsveier til arbeid",
        "NAVs veilednings- og oppfølgingsloser",
        "Jobbmestrende oppfølging",
        "Individuell jobbstøtte og Supported Employment",
    ],
}

# Chapter 3's document entries per section, by their first words (the full titles are
# `pasientforlop_rop.ENTRY_TITLES`).
ENTRIES = {
    "3.1 Lover": [
        "Lov om behandling av helseopplysninger ved ytelse av helsehjelp (pasientjournalloven)",
        "Lov om etablering og gjennomføring av psykisk helsevern (psykisk helsevernloven)",
        "Lov om helseforetak m.m. (helseforetaksloven)",
        "Lov om kommunale helse- og omsorgstjenester m.m. (helse- og omsorgstjenesteloven)",
        "Lov om pasient- og brukerrettigheter (pasient- og brukerrettighetsloven)",
        "Lov om sosiale tjenester i arbeids- og velferdsforvaltningen (sosialtjenesteloven)",
        "Lov om spesialisthelsetjenesten m.m. (spesialisthelsetjenesteloven)",
    ],
    "3.2 Forskrifter": [
        "Forskrift om fastlegeordning i kommunene",
        "Forskrift om habilitering og rehabilitering, individuell plan og koordinator",
        "Forskrift om kommunal betaling for utskrivingsklare pasienter",
        "Forskrift om kvalitet i pleie- og omsorgstjenestene for tjenesteyting",
        "Forskrift om pasientjournal",
    ],
    "3.3 Offentlige utredninger, proposisjoner, nasjonale strategier og meldinger til Stortinget": [
        "St.meld.nr. 69 (1991–92)",
        "St.meld. nr. 25 (1996–97)",
        "St.prp. nr. 63 (1997–98)",
        "Ot.prp. nr. 3 (2002–2003)",
        "Ot.prp. nr. 54 (2002–2003)",
        "NOU 2004: 18.",
        "NOU 2005: 3.",
        "St.meld. nr. 25 (2005–2006)",
        "Nasjonal strategiplan for arbeid og psykisk helse",
        "Opptrappingsplan for rusfeltet 2007–2012",
        "Samspill 2.0",
        "St.meld. nr. 47 (2008–2009)",
        "Meld. St. 16 (2010–2011)",
        "NOU 2011: 15.",
        "Meld. St. 30 (2011–2012)",
        "Meld. St. 10 (2012–2013)",
        "Meld. St. 17 (2012–2013)",
        "Oppfølgingsplan for arbeid og psykisk helse",
        "HelseOmsorg21",
        "Meld. St. 19. (2014–2015)",
        "Meld. St. 26 (2014-2015)",
        "Bolig for velferd",
        "Omsorg 2020",
        "Prop. 15 S (2015–2016)",
        "Meld. St. 11 (2015–2016). Nasjonal helse- og sykehusplan (2016–2019)",
        "Mestre hele livet",
    ],
    "3.4 Faglige veiledere og nasjonale retningslinjer": [
        "Samhandlingsreformen: Lovpålagte samarbeidsavtaler",
        "Bruk av pleie- og omsorgsmeldinger i pasientforløp",
        "Nasjonal faglig retningslinje for utredning, behandling og oppfølging",
        "Sammen om mestring",
        "Prioriteringsveileder – psykisk helsevern for voksne",
        "Prioriteringsveileder – tverrfaglig spesialisert rusbehandling (TSB)",
        "Nasjonal faglig retningslinje for behandling og rehabilitering",
        "Kommunenes plikt til øyeblikkelig hjelp døgnopphold",
        "Veileder om rehabilitering, habilitering, individuell plan og koordinator",
        "Veileder for oppfølging av personer med store og sammensatte behov",
    ],
}


@cache
def markdown() -> str:
    return convert_source(pasientforlop_rop, SOURCES)[1]


@cache
def body() -> str:
    return markdown().split("---\n", 2)[2]


@cache
def headings() -> list[tuple[int, str]]:
    md = MarkdownIt("commonmark").use(front_matter_plugin).use(footnote_plugin).use(attrs_block_plugin)
    toks = md.parse(markdown())
    return [(int(t.tag[1]), toks[i + 1].content) for i, t in enumerate(toks) if t.type == "heading_open"]


def heading_above(text: str) -> str:
    """The text of the last heading before the paragraph that contains `text`."""
    before = body()[: body().index(text)]
    return re.findall(r"^#+ (.*)$", before, re.M)[-1]


def children(parent: str) -> list[tuple[int, str]]:
    """The headings directly below `parent` (one level deeper), up to the next sibling."""
    hs = headings()
    start = next(i for i, (_, text) in enumerate(hs) if text == parent)
    level = hs[start][0]
    out = []
    for lvl, text in hs[start + 1 :]:
        if lvl <= level:
            break
        if lvl == level + 1:
            out.append((lvl, text))
    return out


def test_numbered_headings_in_order() -> None:
    numbered = [(lvl, text) for lvl, text in headings() if lvl <= 2 and (text[0].isdigit() or lvl == 1)]
    assert numbered == NUMBERED


def test_no_skipped_heading_levels() -> None:
    previous = 0
    for level, text in headings():
        assert level <= previous + 1, text
        previous = level


def test_caps_subheads_one_level_below_their_section() -> None:
    for section, subs in SUBHEADS.items():
        assert children(section) == [(3, sub) for sub in subs], section


def test_document_entries_are_headings_below_their_section() -> None:
    found = 0
    for section, prefixes in ENTRIES.items():
        entries = children(section)
        assert len(entries) == len(prefixes), section
        for (level, text), prefix in zip(entries, prefixes, strict=True):
            assert level == 3 and text.startswith(prefix), (text, prefix)
        found += len(entries)
    # The conclusion counts 48 laws, regulations, public documents and guidelines.
    assert found == len(pasientforlop_rop.ENTRY_TITLES) == 48


def test_entry_titles_exactly_as_the_source_gives_them() -> None:
    source = re.sub(r"\s+", " ", SOURCE.read_text(encoding="utf-8"))
    for title in pasientforlop_rop.ENTRY_TITLES:
        assert title in source, title
        assert f"\n### {title}\n" in body(), title


def test_implicit_paragraphs_sit_under_the_law_they_cite() -> None:
    cases = {
        "Etter § 8 skal virksomheter som yter helsehjelp": (
            "Lov om behandling av helseopplysninger ved ytelse av helsehjelp (pasientjournalloven)"
        ),
        "§ 4-1 pålegger institusjonen å utarbeide individuell plan": (
            "Lov om etablering og gjennomføring av psykisk helsevern (psykisk helsevernloven)"
        ),
        "I § 3-5 omtales kommunenes ansvar": (
            "Lov om kommunale helse- og omsorgstjenester m.m. (helse- og omsorgstjenesteloven)"
        ),
        "Etter § 15 skal kommunene medvirke til å skaffe boliger": (
            "Lov om sosiale tjenester i arbeids- og velferdsforvaltningen (sosialtjenesteloven)"
        ),
        "Kommunene har ifølge § 8 ansvar for å tilrettelegge": "Forskrift om fastlegeordning i kommunene",
        "I § 9 angis vilkår for når en pasient er utskrivingsklar": (
            "Forskrift om kommunal betaling for utskrivingsklare pasienter"
        ),
        "Veilederen tar sikte på å hjelpe ledere": (
            "Veileder om rehabilitering, habilitering, individuell plan og koordinator"
        ),
    }
    for text, law in cases.items():
        assert heading_above(text) == law, text


def test_running_header_and_page_numbers_removed() -> None:
    assert RUNNING_HEADER not in markdown()
    assert all(text.upper() != RUNNING_HEADER for _, text in headings())
    for number in ("12", "16", "42", "52", "74"):
        assert not re.search(rf"^{number}$", body(), re.M)


def test_footnotes_resolved_at_the_end_of_their_chapter() -> None:
    refs = re.findall(r"\[\^(\d+)\](?!:)", body())
    defs = re.findall(r"^\[\^(\d+)\]: (.+)$", body(), re.M)
    # 12 footnotes in the source; footnote 12 belongs to the dropped series list.
    assert refs == [str(n) for n in range(1, 12)]
    assert [n for n, _ in defs] == refs
    chapters = re.split(r"^# ", body(), flags=re.M)
    for n in refs:
        holder = [c for c in chapters if f"[^{n}]" in c.replace(f"[^{n}]:", "")]
        assert len(holder) == 1 and f"\n[^{n}]: " in holder[0], n
    texts = dict(defs)
    assert texts["1"].startswith("Helsedirektoratet har fått i oppdrag") and "pakkeforløpet blir" in texts["1"]
    assert texts["8"].startswith("ACT er en modell")
    assert texts["11"] == (
        "LAR er tverrfaglig spesialisert behandling der substitusjonsbehandling inngår "
        "som et deltiltak i rehabiliteringsforløpet."
    )
    assert "gi målbare resultater.[^1]\n" in body()
    assert "(Helsedirektoratet, 2014b)[^9]" in body()
    assert "LAR-[^11] / ROP-brukere" in body()


def test_paragraphs_continue_across_footnotes_and_page_breaks() -> None:
    for text in (
        "være i overensstemmelse med pasientens behov, pasientens selvbestemmelsesrett",
        "28 prosent som avbrøt den etter eget ønske",
        "bør samarbeide om brukermedvirkning, ta i bruk brukerundersøkelser",
        "hverandres roller og arbeidsoppgaver. Den tydelige oppmerksomheten",
        "en god og nyttig oppfølgingsmetode. Informantene fortalte",
    ):
        assert text in body(), text


def test_back_matter_dropped() -> None:
    assert "http" not in body()
    assert "Publikasjoner i serien" not in body()
    assert "Hverdagsrehabilitering" not in body()


def test_hyphenation_joined_but_compounds_kept() -> None:
    text = body()
    assert "identifiserer og presenterer relevante" in text
    assert "mange voksne med ROP-lidelser har" in text
    assert "helse- og omsorgstjenester" in text
    assert "Kirchhoff, Bøyum-Folkeseth, Gjerde" in text
    assert "SPoR-prosjektet viste" in text
    # No line-end hyphen left dangling: `x- y` only as a compound elision (`helse- og`,
    # `rusmiddel- og/eller`) or the slip `helse- om omsorgstjenestene` of the source (l.1927).
    assert not re.search(r"[a-zæøå]- (?!og\b|eller\b|om omsorgstjenestene)[a-zæøå]", text)


def test_lists_and_quotes() -> None:
    assert "\n1. Hvilke faglige, juridiske og politiske dokumenter" in body()
    assert "\n4. Hvilke erfaringer med relevans" in body()
    assert "\n1\\. januar 2012 trådte samhandlingsreformen i kraft" in body()
    assert "\n- det i 2012 var mellom 7200 og 10 100 injiserende rusmiddelmisbrukere" in body()
    assert "\n- ROP-integreringsteam\n- fastleger\n" in body()
    assert "\n> Sett fra pasientens ståsted er det neppe særlig viktig" in body()
    assert "\n> Personer med en ROP-lidelse har krav på" in body()
    assert len(re.findall(r"^> ", body(), re.M)) == 4


def test_paragraphs_are_one_line() -> None:
    for paragraph in body().split("\n\n"):
        if not paragraph.startswith(("- ", "1. ", "#", "{")):
            assert "\n" not in paragraph.strip(), paragraph[:80]
