"""003: Nasjonal veileder i lokalt psykisk helse- og rusarbeid for voksne, høringsutkast 2024, kap. 1.

The source is the text of one web page: one paragraph per line, blank lines between, no hyphenation.
What the conversion does:

- drops the browser banner (l.1);
- makes `1. Bakgrunn, metode og prosess` the chapter heading and the short sub-headings `##` headings
  (unnumbered, one level below the chapter);
- keeps the consultation status line and moves the page's "Siste faglige endring" date (l.195) up
  beside it, so that it is not read as part of the reference list;
- marks `Definisjoner` `{.definitions}`, one `Term: definition` paragraph each;
- turns ` • ` / `  • ` bullets into nested `- ` lists;
- strips the `(lovdata.no)`-style link anchors (the link texts of the web page, not words of the text)
  and turns NBSPs into spaces.
"""

from __future__ import annotations

import re

from ingest.convert.cleaning import BULLET, heading, render, unwrap

META = {
    "id": "nasjonal-veileder-horing-2024",
    "title": "Nasjonal veileder i lokalt psykisk helse- og rusarbeid for voksne – "
    "1. Bakgrunn, metode og prosess",
    "short_title": "Nasjonal veileder (høringsutkast 2024)",
    "publisher": "Helsedirektoratet",
    "year": 2024,
    "doc_number": None,
    "kind": "høringsutkast",
    "status": "høringsutkast",
    "supersedes": ["sammen-om-mestring-2014"],
    "superseded_by": [],
    "source_file": "003_e330f7c84472fe4c.txt",
    "note": "Utkast på høring (høringsfrist 16. mai 2024); bare kapittel 1 foreligger. "
    "Erstatter Sammen om mestring når den publiseres.",
}

# Web navigation noise: whole lines that are not part of the document.
NOISE_LINES = {"Du benytter en nettleser vi ikke støtter. Se informasjon om nettlesere"}

# The chapter heading (l.3) and the status lines that stay with it.
CHAPTER = re.compile(r"^(\d+)\.\s+(Bakgrunn, metode og prosess)$")
STATUS = "Ekstern høring: Høringsfrist:"
LAST_CHANGED = "Siste faglige endring:"

# The page's sub-headings (l.7–191), in order. Each is a line of its own between blank lines.
SUBHEADINGS = [
    "Bakgrunn",
    "Formål med anbefalingene",
    "Målgrupper",
    "Omfang og avgrensning",
    "Definisjoner",
    "Grad av normering",
    "Rettslig betydning",
    "Tilstøtende normerende produkter",
    "Helsedirektoratets roller, finansiering og høring",
    "Kunnskapsbasert tilnærming",
    "Arbeidsform og deltakere",
    "Habilitet",
    "Referanser",
]
DEFINITIONS = "Definisjoner"

# Link anchors the web page left inline after a link text: `Utredningsinstruksen (lovdata.no) legger …`.
LINK_ANCHOR = re.compile(r"\s*\((?:lovdata|fhi|dfo)\.no\)")

# Two bullets collapsed into one on the web page (l.46): the second starts at this text.
SPLIT_BULLETS = {
    "rusmiddelproblemer ansatte og ledere i psykisk helsevern": len("rusmiddelproblemer"),
}


def clean(text: str) -> str:
    """NBSPs to spaces, link anchors out, whitespace collapsed."""
    text = LINK_ANCHOR.sub("", text.replace("\xa0", " "))
    return unwrap([text])


def split_collapsed(item: str) -> list[str]:
    """Split a bullet whose successor was glued onto it (see SPLIT_BULLETS)."""
    for marker, cut in SPLIT_BULLETS.items():
        at = item.find(marker)
        if at >= 0:
            return [item[: at + cut].strip(), item[at + cut :].strip()]
    return [item]


def bullet_line(line: str) -> tuple[int, str] | None:
    """(nesting depth, text) of a ` • ` (depth 0) or `  • ` (depth 1) bullet line, else None."""
    m = re.match(r"^( *)" + BULLET + r"\s*(.*)$", line)
    if not m:
        return None
    depth = max(len(m.group(1)) - 1, 0)
    return depth, clean(m.group(2))


def convert(lines: list[str]) -> str:
    parts: list[str] = []
    status: list[str] = []  # status paragraphs that follow the chapter heading
    found: list[str] = []  # sub-headings met, to check against SUBHEADINGS
    status_at = 0  # where the status lines go: right after the chapter heading
    subheadings = set(SUBHEADINGS)
    bullets: list[str] = []  # the `- ` lines of the list being collected

    def flush_bullets() -> None:
        if bullets:
            parts.append("\n".join(bullets))
            bullets.clear()

    for raw in lines:
        line = raw.replace("\xa0", " ").rstrip()
        text = line.strip()
        if not text or text in NOISE_LINES:
            continue
        bullet = bullet_line(line)
        if bullet is not None:
            depth, item = bullet
            for piece in split_collapsed(item):
                bullets.append("  " * depth + "- " + piece)
            continue
        flush_bullets()
        if m := CHAPTER.match(text):
            parts.append(heading(m.group(1), m.group(2)))
            status_at = len(parts)
            continue
        if text.startswith(STATUS) or text.startswith(LAST_CHANGED):
            status.append(clean(text))
            continue
        if text in subheadings:
            found.append(text)
            mark = "definitions" if text == DEFINITIONS else None
            parts.append(heading(None, text, level=2, mark=mark))
            continue
        # Body paragraph; in Definisjoner each is one `Term: definition` (its NBSPs collapsed by clean).
        parts.append(clean(text))
    flush_bullets()

    if found != SUBHEADINGS:
        raise ValueError(f"003: sub-headings differ from the expected list: {found}")
    parts[status_at:status_at] = status
    return render(parts)
