"""003 (Nasjonal veileder, høringsutkast 2024, kap. 1): the converter on the real source."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ingest.convert import convert_source, horingsutkast_2024
from ingest.convert.cleaning import read_lines

SOURCES = Path(__file__).resolve().parents[2].parent / "shared" / "sources"
SOURCE = SOURCES / horingsutkast_2024.META["source_file"]

pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason="shared/sources not available")


@cache
def markdown() -> str:
    return convert_source(horingsutkast_2024, SOURCES)[1]


@cache
def body() -> str:
    return markdown().split("---\n", 2)[2]


def headings() -> list[tuple[int, str, str | None]]:
    md = MarkdownIt("commonmark").use(front_matter_plugin).use(footnote_plugin).use(attrs_block_plugin)
    toks = md.parse(markdown())
    return [
        (int(t.tag[1]), toks[i + 1].content, t.attrs.get("class"))
        for i, t in enumerate(toks)
        if t.type == "heading_open"
    ]


def section(title: str) -> str:
    """The text under `## title` up to the next heading."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^#|\Z)", body(), re.M | re.S)
    assert m, title
    return m.group(1)


def letters(text: str) -> str:
    return re.sub(r"[^a-zæøåäöüé]", "", text.lower())


def test_no_browser_banner_or_link_anchors():
    text = body()
    assert "nettleser" not in text
    assert not re.search(r"\((lovdata|fhi|dfo)\.no\)", text)
    assert "\xa0" not in text
    laws = (
        "spesialisthelsetjenesteloven § 7-3, helse- og omsorgstjenesteloven § 12-5 og folkehelseloven § 24."
    )
    assert f"jf. {laws}" in text


def test_chapter_status_line_and_subheadings():
    hs = headings()
    assert hs[0] == (1, "1 Bakgrunn, metode og prosess", None)
    assert [text for level, text, _ in hs[1:]] == horingsutkast_2024.SUBHEADINGS
    assert all(level == 2 for level, _, _ in hs[1:])
    assert "\n\nEkstern høring: Høringsfrist: 16. mai 2024.\n\n" in body()


def test_definitions_marked_one_paragraph_each():
    assert ("Definisjoner", "definitions") in [(t, c) for _, t, c in headings()]
    paragraphs = [p.strip() for p in section("Definisjoner").split("\n\n") if p.strip()]
    assert len(paragraphs) == 6
    terms = [p.split(":", 1)[0] for p in paragraphs]
    assert terms == [
        "Psykisk helse- eller rusmiddelproblemer",
        "Psykisk lidelse/ruslidelse",
        "Lavterskeltilbud",
        "Hovedforløp",
        '"Stepped care"',
        '"Mixed care"',
    ]
    assert paragraphs[0].startswith("Psykisk helse- eller rusmiddelproblemer: Omfatter psykiske plager")


def test_nested_and_collapsed_bullets():
    text = section("Målgrupper")
    assert "rusmiddelproblemer i andre sektorer\n  - NAV\n  - Politi\n" in text
    assert (
        "\n- ansatte og ledere i psykisk helsevern for voksne eller tverrfaglig spesialisert rusbehandling\n"
        in text
    )
    assert "rusmiddelproblemer ansatte" not in text


def test_no_body_text_lost():
    out = letters(body())
    anchors = re.compile(r"\((lovdata|fhi|dfo)\.no\)")
    for i, line in enumerate(read_lines(SOURCE), 1):
        if i == 1:  # the browser banner
            continue
        assert letters(anchors.sub("", line)) in out, i
