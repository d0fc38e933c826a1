"""004 (Kristiansund kommune, psykisk helse og rus, delutredning ≈2021): the converter on the
real source."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ingest.convert import convert_source, kristiansund

SOURCES = Path(__file__).resolve().parents[2].parent / "shared" / "sources"
SOURCE = SOURCES / kristiansund.META["source_file"]

pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason="shared/sources not available")

HEADINGS = [
    (1, "Hva er psykisk helse og rusarbeid i kommunen?", None),
    (1, "Organisering av psykisk helse og rusarbeid i Kristiansund kommune", None),
    (2, "FACT og FACT ung team", None),
    (1, "Brukere med psykisk helse og rusutfordringer", None),
    (1, "Ventelister og etterspørsel", None),
    (1, "Dagens utfordringsbilde", None),
    (1, "Fremtidig utviklingstrekk psykisk helse og rus", None),
    (1, "Hvilke brukergrupper skal særlig prioriteres?", None),
    (1, "Velferdsteknologi i Psykisk helse og rusarbeid", None),
    (1, "Eksempler fra andre kommuner", None),
    (2, "Velferdsteknologi", None),
    (2, "Øyeblikkelig hjelp-senger/ KAD senger", None),
    (2, "Sarpsborgmodellen", None),
    (1, "Viktige verdier og prinsipper innenfor fagområdet Psykisk Helse og Rus", None),
    (2, "Brukermedvirkning", None),
    (2, "Resiliens", None),
    (2, "Empowerment og recovery-tekning", None),
    (1, "Kan ny organisering åpne opp for nye muligheter?", None),
    (1, "Eldre med psykiske og/ eller rusvansker", None),
    (1, "Arbeidsgruppens anbefaling og oppsummering", "recommendations"),
    (1, "Vedlegg", None),
]


@cache
def markdown() -> str:
    return convert_source(kristiansund, SOURCES)[1]


@cache
def body() -> str:
    return markdown().split("---\n", 2)[2]


@cache
def tokens() -> list:
    md = MarkdownIt("commonmark").use(front_matter_plugin).use(footnote_plugin).use(attrs_block_plugin).enable("table")
    return md.parse(markdown())


def headings() -> list[tuple[int, str, str | None]]:
    toks = tokens()
    return [
        (int(t.tag[1]), toks[i + 1].content, t.attrs.get("class"))
        for i, t in enumerate(toks)
        if t.type == "heading_open"
    ]


def section(title: str) -> str:
    """The text of a section: from its heading to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}\n", body(), re.M)
    assert match, title
    rest = body()[match.end() :]
    end = re.search(rf"^#{{1,{len(match.group(1))}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


def test_headings() -> None:
    assert headings() == HEADINGS


def test_running_headers_removed() -> None:
    for header in ("3Brukere med psykisk helse og", "4Ventelister og etterspørsel", "5Dagens utfordringsbilde"):
        assert header not in markdown()


def test_24_footnotes_resolved() -> None:
    refs = re.findall(r"\[\^(\d+)\](?!:)", body())
    defs = re.findall(r"^\[\^(\d+)\]: (.+)$", body(), re.M)
    assert refs == [str(n) for n in range(1, 25)]
    assert [n for n, _ in defs] == refs
    texts = dict(defs)
    assert texts["1"].startswith("Verdens helseorganisasjon (WHO) har innført prinsippet om næromsorg")
    assert texts["1"].endswith("i så nær tilknytning til hjemmemiljøet som mulig")
    assert texts["3"].startswith("§ 6.Kommunens ansvar for kommunal legevaktordning")
    assert "bla spesialisthelsetjeneste og c) yte hjelp ved ulykker" in texts["3"]
    assert texts["4"].endswith(
        "en integrert del av behandlingsteamet i den kommunale helse- og "
        "omsorgstjenesten eller spesialisthelsetjenesten."
    )
    assert texts["9"] == "Forvaltningsloven §11 a"
    assert texts["21"] == "«Sammen om mestring». IS-2076. Helsedirektoratet"
    assert texts["24"] == "LEVE – Landsforeningen for etterlatte ved selvmord. Eldre og psykisk helse - Leve"


def test_glued_markers() -> None:
    text = body()
    assert "i tråd med BEON/LEON-prinsippet[^1] (Beste/Laveste Effektive Omsorgsnivå)" in text
    assert "\nFastlegens[^2] oppgaver" in text
    assert "(DPS[^5])" in text
    assert "finner ingen økning[^11] Selv om" in text
    assert "samarbeid mellom spesialist[^15]- og kommunehelsetjenesten" in text
    assert "NOU ”Innovasjon i omsorg”[^16] sier" in text
    assert "Veilederen «Sammen om mestring»[^21] peker" in text
    assert "samtykke til oppfølging[^22][^23]." in text
    assert "sitt eget liv[^24]." in text


def test_footnote_definitions_at_the_end_of_their_top_level_section() -> None:
    chapters = re.split(r"^# ", body(), flags=re.M)
    for n in range(1, 25):
        holder = [c for c in chapters if f"[^{n}]" in c.replace(f"[^{n}]:", "")]
        assert len(holder) == 1 and f"\n[^{n}]: " in holder[0], n


def test_sentence_interrupted_by_footnote_and_quote_boxes_is_continuous() -> None:
    organisering = section("Organisering av psykisk helse og rusarbeid i Kristiansund kommune")
    paragraphs = organisering.strip().split("\n\n")
    assert paragraphs[0].endswith(
        "Legemiddelassistert rehabilitering (LAR) utføres i samarbeid med fastlegen og "
        "spesialisthelsetjenesten. Det tilbys også forebyggende tjenester for personer mellom 16 og 18 år. "
        "Dette er tjenester som rask psykisk helsehjelp (RPH) og forebyggede rusarbeid for ungdom."
    )
    # The three quote boxes follow the paragraph they interrupted, as block quotes.
    assert paragraphs[1].startswith('> "Kommunen skal sørge for at personer')
    assert paragraphs[1].endswith("– Helse -og omsorgtjenesteloven")
    assert paragraphs[2].startswith("> «Kommunens tjenester skal være faglig forsvarlig")
    assert paragraphs[3].endswith("§ 4-1» - Lov om pasient- og brukerrettigheter")
    for text in (
        "selv om spesialisthelsetjenesten er koblet inn for å bistå",
        "rustjenesten og barnevernet om tilbud til utsatte barn",
        "saksbehandling skal foregå uten unødvendig opphold[^9].",
        "Forebygging og tidlig innsats er viktig for å endre folkehelseprofilen",
        "støtte både til brukere, pårørende og ansatte i helse- og sosialtjenesten",
        "Det er en kontinuerlig prosess å sørge for gode",
    ):
        assert text in body(), text


def test_duplicated_block_appears_once() -> None:
    for text in (
        "Økt brukerinnflytelse fordrer at alle kommuner",
        "Veilederen «Sammen om mestring»",
        "samfunnet lever i. Årsakene til at mennesker",
        "[^21]: «Sammen om mestring»",
    ):
        assert body().count(text) == 1, text
    assert "skal dermed avklare om brukeren har mindreårige barn og innhente samtykke" in body()


def test_recommendations_marked_with_goals_and_priorities_as_lists() -> None:
    assert "{.recommendations}\n# Arbeidsgruppens anbefaling og oppsummering\n" in body()
    text = section("Arbeidsgruppens anbefaling og oppsummering")
    bullets = re.findall(r"^- (.+)$", text, re.M)
    assert len(bullets) == 12  # 2 hovedmål + 10 satsningsområder
    assert bullets[0] == "Hindre utvikling og forverring av psykiske- og rusvansker"
    assert bullets[3] == (
        "Prioritere brukere med alvorlig psykisk sykdom gjennom gode samhandlingsmodeller mellom "
        "forvaltnings- og behandlingsnivå, med tydelig ansvarsfordeling mellom behandlingsnivåene"
    )
    assert bullets[-1].startswith("Samlokalisere enhet for psykisk helse rus med psykisk helsevern (DPS)")


def test_tables() -> None:
    toks = tokens()
    assert sum(t.type == "table_open" for t in toks) == 2
    header = "| Type tjeneste | 2014 | 2015 | 2016 | 2017 | 2018 | 2019 | 2020 | 2021 |"
    assert body().count(header) == 2
    assert "| Tjenestemottakere totalt | 658 | 660 | 745 | 713 | 777 | 772 | 709 |  |" in body()
    assert (
        "| Sum antall vedtakstimer på løpende tjenester | 3371 | 3286.6 | 3368.1 | 3228.5 | 3287.2 | 3568 "
        "| 3699 |  |" in body()
    )
    assert "| Annet (RPH) | RPH gir standard antall samtaletimer |  |  |  |  |  |  |  |" in body()


def test_bullets_figure_caption_and_typos_kept() -> None:
    text = body()
    assert (
        "- Innføring av pakkeforløp i spesialisthelsetjenesten med raskere overføring tilbake til "
        "kommunehelsetjenesten\n" in text
    )
    assert (
        "- En lege har møtt pasienten, gjort en diagnostisk vurdering og tilstanden er psykisk / somatisk avklart"
        in text
    )
    assert "\n*Fig 1: Instanser og enheter som inngår i psykisk helse og rusarbeid i Kristiansund kommune*\n" in text
    for typo in ("prnsipp", "Temaet drifter", "linnleggelse", "tvunget psykisk", "Spesialslisthelsetjenesten"):
        assert typo in text, typo
    assert "Hagen-utvalgets NOU" in text


def test_paragraphs_are_one_line() -> None:
    for paragraph in body().split("\n\n"):
        if not paragraph.startswith(("- ", "|", "{")):
            assert "\n" not in paragraph.strip(), paragraph[:80]
