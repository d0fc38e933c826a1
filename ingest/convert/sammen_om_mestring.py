"""000: Sammen om mestring (IS-2076, Helsedirektoratet 2014), PDF print layout.

The raw text is a PDF extraction of a book page layout: a body column, a narrow side column
(“FOR MER INFORMASJON” boxes, definitions, pull quotes, footnotes) and running heads, all
interleaved in reading order. The converter works in four passes:

1. Line level: drop layout noise (page headers/footers, slugs, running heads), apply a few
   audited line fixes, take out side-column boxes (explicit line ranges, `SIDEBARS`) and
   footnote texts (collected per chapter, `_collect_footnotes`).
2. Structure: walk the remaining lines and turn them into events (headings, paragraphs,
   bullets, numbered items, run-in headings, FAQ questions, boxes).
3. Reading order: join paragraphs that a page break or a box interrupted, move boxes to the
   end of the section (or FAQ answer) they interrupted.
4. Text: unwrap, repair words split by stray spaces (`_SplitRepair`), turn glued footnote
   markers into `[^<chapter>-<n>]` references, render Markdown with footnote definitions at
   the end of each chapter.

Line numbers in the tables below are 1-based, as in `sed -n` and STRUCTURE.md.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.convert.cleaning import BULLET, heading, is_caps, render, sentence_case, unwrap

META = {
    "id": "sammen-om-mestring-2014",
    "title": "Sammen om mestring – Veileder i lokalt psykisk helsearbeid og rusarbeid for voksne. "
    "Et verktøy for kommuner og spesialisthelsetjenesten",
    "short_title": "Sammen om mestring",
    "publisher": "Helsedirektoratet",
    "year": 2014,
    "doc_number": "IS-2076",
    "kind": "veileder",
    "status": "gjeldende",
    "supersedes": [],
    "superseded_by": ["nasjonal-veileder-horing-2024"],
    "source_file": "000_6d9ac9aa221997ad.txt",
    "note": "Gjelder til revidert nasjonal veileder (høringsutkast 2024) er publisert.",
}

# --------------------------------------------------------------------------------------------
# Document map (1-based line numbers, verified against the source file)
# --------------------------------------------------------------------------------------------

#: Chapter titles from the table of contents (STRUCTURE.md §1.2); 5 and 10 have no opener page.
CHAPTER_TITLES = {
    1: "Brukeren som viktigste aktør",
    2: "Lokalt psykisk helse- og rusarbeid – viktige faktorer",
    3: "Gode levekår og helsefremmende tjenester",
    4: "Tilrettelegging av tjenestene",
    5: "Tilnærmingsmåter",
    6: "Tjenester og aktører i lokalt psykisk helsearbeid og rusarbeid",
    7: "Samhandling for et helhetlig og koordinert tjenestetilbud",
    8: "Kvalitet, kompetanse og tjenesteutvikling",
    9: "Lovgrunnlaget",
    10: "Vedlegg",
}

#: Chapter opener pages: (first line, last line). The intro paragraph follows the lone `»` line.
OPENERS = {
    1: (399, 424),
    2: (1113, 1135),
    3: (1445, 1462),
    4: (2081, 2102),
    6: (3475, 3495),
    7: (4808, 4825),
    8: (5303, 5316),
    9: (5693, 5731),
}

#: Chapters without an opener start at their first section heading.
CHAPTER_STARTS_AT_SECTION = {5: 3015, 10: 6059}

FORORD_END = 48  # l.1-48 is the Forord; its label sits at l.49, after the text
INNLEDNING = (50, 225)
HOVEDPUNKTER = (226, 397)
INNLEDNING_HEADS = {85, 127, 138}  # CAPS sub-heads of the Innledning

#: Lines that are layout noise and not caught by the generic patterns: running heads (a
#: chapter title alone on a line between body paragraphs) and the labels "Forord",
#: "Hovedpunkter" and "Vedlegg", which are emitted as headings instead.
NOISE_LINES = {
    49,
    286,
    476,
    1170,
    1171,
    1500,
    1501,
    2131,
    3055,
    3544,
    3545,
    3546,
    4869,
    4870,
    6104,
}


@dataclass(frozen=True)
class Sidebar:
    """A side-column block: `more` = FOR MER INFORMASJON box, `side` = definition or list box,
    `quote` = pull quote repeating the body (dropped). `titled`: the first block is a title."""

    start: int
    end: int
    kind: str
    titled: bool = False


SIDEBARS = [
    Sidebar(208, 221, "more"),
    Sidebar(223, 225, "quote"),
    Sidebar(555, 585, "more"),
    Sidebar(652, 653, "quote"),
    Sidebar(792, 799, "quote"),
    Sidebar(852, 867, "more"),
    Sidebar(938, 957, "more"),
    Sidebar(1021, 1049, "more"),
    Sidebar(1107, 1112, "quote"),
    Sidebar(1556, 1567, "more"),
    Sidebar(1569, 1582, "side"),
    Sidebar(1650, 1655, "more"),
    Sidebar(1727, 1740, "side"),
    Sidebar(1742, 1759, "more"),
    Sidebar(1818, 1827, "more"),
    Sidebar(1829, 1848, "more"),
    Sidebar(1908, 1926, "more"),
    Sidebar(1980, 2021, "more"),
    Sidebar(2184, 2195, "quote"),
    Sidebar(2249, 2269, "side", titled=True),
    Sidebar(2715, 2719, "side"),
    Sidebar(2777, 2787, "side"),
    Sidebar(2852, 2879, "more"),
    Sidebar(2945, 2955, "more"),
    Sidebar(3168, 3172, "more"),
    Sidebar(3226, 3237, "more"),
    Sidebar(3239, 3255, "side"),
    Sidebar(3308, 3312, "more"),
    Sidebar(3314, 3351, "side", titled=True),
    Sidebar(3389, 3426, "side"),
    Sidebar(3614, 3638, "side"),
    Sidebar(3757, 3764, "more"),
    Sidebar(3965, 3979, "side"),
    Sidebar(4087, 4088, "side"),
    Sidebar(4140, 4147, "side"),
    Sidebar(4211, 4214, "side"),
    Sidebar(4239, 4242, "side"),
    Sidebar(4363, 4368, "more"),
    Sidebar(4383, 4411, "side"),
    Sidebar(4560, 4602, "side"),
    Sidebar(4719, 4723, "side"),
    Sidebar(4725, 4727, "more"),
    Sidebar(4773, 4777, "more"),
    Sidebar(4787, 4789, "more"),
    Sidebar(4872, 4880, "side"),
    Sidebar(4882, 4886, "side"),
    Sidebar(4938, 4952, "side", titled=True),
    Sidebar(5016, 5030, "more"),
    Sidebar(5094, 5111, "side", titled=True),
    Sidebar(5240, 5242, "side"),
    Sidebar(5244, 5251, "side"),
    Sidebar(5253, 5259, "more"),
    Sidebar(5574, 5622, "side", titled=True),
    Sidebar(5625, 5636, "side", titled=True),
]

#: Audited single-line repairs, applied before anything else: (line, old, new).
#: `⟦n⟧` is an explicit footnote marker for a marker the glued-digit pattern cannot see.
LINE_FIXES = [
    (511, "spesialist - ", "spesialist-"),  # in-line broken hyphen in footnote 1-9
    (1076, "bruker -", "bruker-"),  # `bruker -\nkompetansen`
    (1236, "motstands-dyktighet", "motstandsdyktighet"),  # soft hyphen kept in-line
    (2934, "Psykisk helsevernloven | 3-5", "Psykisk helsevernloven § 3-5"),  # OCR `|` for `§`
    (4704, "fagfelt 69.", "fagfelt⟦69⟧."),  # marker separated from its word
    (5889, "omsorgstjenesteloven 19.", "omsorgstjenesteloven⟦19⟧."),  # marker after a space
    (5968, "kapittel 229.", "kapittel 2⟦29⟧."),  # `kapittel 2` + footnote 29
    (2692, "føring 18,", "føring⟦18⟧,"),  # marker after a space
    (2596, "behandling9", "behandling"),  # footnote 4-9 has no text in the source: marker dropped
]

#: Footnote texts glued onto the end of a body line: line -> column pattern of the split.
GLUED_FOOTNOTES = {
    936: re.compile(r"\s(27)\s+(Helse- og omsorgstjenesteloven § 7-3)\s*$"),
    1495: re.compile(r"\s(1)\s+(Se for eksempel kunnskapsoversiktene til)\s*$"),
    2247: re.compile(r"\s(1)\s+(Prop\. 91 L .*)$"),
}
#: Footnote texts that continue after a blank line: footnote start line -> continuation lines.
FOOTNOTE_CONTINUATIONS = {1495: [1497, 1498]}

#: 10.4 group labels (rows spanning the table) and 10.1 list labels / paragraphs.
TABLE_GROUPS = {6354, 6663, 6673, 6719, 6748}
VEDLEGG_LABELS = {6074, 6105, 6138, 6160, 6175, 6213}
VEDLEGG_PARAGRAPHS = {6157, 6210, 6265, 6271, 6276, 6281, 6341}

#: Section titles where the CAPS title is garbled or sentence_case gets it wrong.
TITLE_OVERRIDES = {
    "1.4": "Brukermedvirkning",
    "4.4": "Særlig ressurskrevende helse- og omsorgstjenester",
    "5.1.1": "Pårørende- og familieperspektivet",
    "6.1.19": "Pedagogisk-psykologisk tjeneste (PPT)",
    "6.1.22": "NAV-kontorene",
    "6.3.2": "Tverrfaglig spesialisert rusbehandling (TSB)",
    "6.4.2": "Statlig spesialpedagogisk støttesystem (Statped)",
    "7.5": "Elektronisk samhandling (e-helse) som virkemiddel",
}

FAQ_SECTIONS = {"1.4.1", "1.6.1", "1.7.1", "9.5"}

# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

_PAGE_FOOTER = re.compile(r"^\s*\d+\s+\|\s+\S.*$|^.*\S\s+\|\s+\d+\s*$")
_SLUG = re.compile(r"\.indb\s")
_NUMBERED_HEADING = re.compile(r"^\s*»?\s*(\d+(?:\.\d+)+)\.?\s+(\S.*?)\s*$")
_CAPS_SUBHEAD = re.compile(r"^\s*»\s+(\S.*?)\s*$")
_FOOTNOTE_START = re.compile(r"^\s*(\d{1,2})\s+(\S.*?)\s*$")
_NUMBERED_ITEM = re.compile(r"^\s*(\d{1,2})[.)]\s+(\S.*)$")  # `1)` in the body, `1.` in the vedlegg lists
_BODY_ITEM = re.compile(r"^\s*(\d{1,2})\)\s+(\S.*)$")  # `10. Reglene …` in the body is a wrapped number
_TERMINAL = (".", "!", "?", ":", "»", ")", ";")
#: A footnote marker glued to a word: `tjenestene14.`, `følging6, 7.`, `BEHANDLING1`.
_MARKER = re.compile(r"(?<=[A-Za-zÆØÅæøå»)])(\d{1,2})((?:,\s?\d{1,2})*)(?=[\s,;:)»]|\.(?!\d)|$)")
_EXPLICIT_MARKER = re.compile(r"⟦(\d{1,2})⟧")
#: Lines that are list items without a bullet glyph (the three pathways in the ch.4 intro).
_PSEUDO_BULLET = re.compile(r"^HOVEDFORLØP \d:")


def _is_heading_title(title: str) -> bool:
    return is_caps(title) and len([c for c in title if c.isalpha()]) >= 3


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


@dataclass
class Event:
    """One structural unit in reading order. `lines` are raw source lines (unwrapped later)."""

    kind: str  # heading | para | bullet | item | runin | question | box | chapter_end
    lines: list[str] = field(default_factory=list)
    line: int = 0  # 1-based source line of the first line
    level: int = 0
    number: str | None = None
    title: str = ""
    mark: str | None = None
    chapter: str = "i"
    box_kind: str = ""
    box_title: str = ""
    box_blocks: list[list[str]] = field(default_factory=list)
    item_no: int = 0


def _chapter_of(line: int) -> str:
    """Footnote chapter key of a 1-based line: `i` before chapter 1, else the chapter number."""
    starts = {c: o[0] for c, o in OPENERS.items()} | CHAPTER_STARTS_AT_SECTION
    chapter = "i"
    for number, start in sorted(starts.items(), key=lambda kv: kv[1]):
        if line >= start:
            chapter = str(number)
    return chapter


# --------------------------------------------------------------------------------------------
# Pass 1: line level
# --------------------------------------------------------------------------------------------


def _prepare(lines: list[str]) -> tuple[list[str], set[int]]:
    """A fixed copy of the lines (index i = line i+1) and the set of 1-based noise lines."""
    text = list(lines)
    for line_no, old, new in LINE_FIXES:
        assert old in text[line_no - 1], (line_no, old)
        text[line_no - 1] = text[line_no - 1].replace(old, new)
    noise = set(NOISE_LINES)
    for i, line in enumerate(text, start=1):
        if (_PAGE_FOOTER.match(line) and "lov" not in line.lower()) or _SLUG.search(line):
            noise.add(i)
    return text, noise


def _collect_footnotes(text: list[str], skip: set[int]) -> tuple[dict[str, dict[int, str]], set[int]]:
    """Footnote texts by (chapter, number), and the 1-based lines they occupy.

    A footnote starts with its number and a capital, `§` or a law name, and continues on the
    following short lines (the side column is about 45 characters wide) up to a blank line.
    """
    notes: dict[str, dict[int, list[str]]] = {}
    used: set[int] = set()

    def add(chapter: str, number: int, body: str) -> None:
        texts = notes.setdefault(chapter, {}).setdefault(number, [])
        if body not in texts:  # ch.6 fn 54 is printed twice with the same text
            texts.append(body)

    last_body = 6058  # the vedlegg has numbered lists, no footnotes
    for i in range(1, last_body + 1):
        if i in skip or i in used:
            continue
        line = text[i - 1]
        if i in GLUED_FOOTNOTES:
            m = GLUED_FOOTNOTES[i].search(line)
            assert m, i
            text[i - 1] = line[: m.start()]
            parts = [m.group(2)] + [text[j - 1] for j in FOOTNOTE_CONTINUATIONS.get(i, [])]
            used.update(FOOTNOTE_CONTINUATIONS.get(i, []))
            add(_chapter_of(i), int(m.group(1)), unwrap(parts))
            continue
        m = _FOOTNOTE_START.match(line)
        if not m or _NUMBERED_HEADING.match(line):
            continue
        first = m.group(2)
        if not (first[0].isupper() or first[0] == "§" or re.match(r"(helse|jf|lov)", first)):
            continue
        parts = [first]
        used.add(i)
        j = i + 1
        while j <= last_body and j not in skip:
            nxt = text[j - 1]
            s = nxt.strip()
            if not s or len(s) > 60 or _FOOTNOTE_START.match(nxt) or _is_heading_line(nxt):
                break
            if s.startswith(("FOR MER INFORMASJON", BULLET, "»")):
                break
            parts.append(s)
            used.add(j)
            j += 1
        add(_chapter_of(i), int(m.group(1)), unwrap(parts))
    joined = {c: {n: " / ".join(t) for n, t in d.items()} for c, d in notes.items()}
    return joined, used


def _is_heading_line(line: str) -> bool:
    m = _NUMBERED_HEADING.match(line)
    if m and _is_heading_title(m.group(2)):
        return True
    m = _CAPS_SUBHEAD.match(line)
    return bool(m and _is_heading_title(m.group(1)))


# --------------------------------------------------------------------------------------------
# Pass 2: structure
# --------------------------------------------------------------------------------------------


def _section_title(number: str, raw: str) -> str:
    if number in TITLE_OVERRIDES:
        return TITLE_OVERRIDES[number]
    title = sentence_case(re.sub(r"\s+", " ", raw))
    title = re.sub(r"\s+–\s+og\b", "- og", title)
    # Capitalise after a colon ("Hovedforløp 1: Milde …", "Vedlegg: Nasjonale …").
    return re.sub(r":\s+(\w)", lambda m: ": " + m.group(1).upper(), title)


def _sidebar_event(text: list[str], bar: Sidebar, chapter: str) -> Event:
    blocks: list[list[str]] = []
    current: list[str] = []
    for i in range(bar.start, bar.end + 1):
        s = text[i - 1].strip()
        if not s:
            if current:
                blocks.append(current)
                current = []
            continue
        if s.startswith("FOR MER INFORMASJON"):
            continue
        # Bullets inside a box start their own block; continuation lines stay with them.
        if s.startswith(BULLET) and current:
            blocks.append(current)
            current = []
        current.append(s)
    if current:
        blocks.append(current)
    # A bullet broken by a blank line continues on a lower-case line.
    merged: list[list[str]] = []
    for block in blocks:
        if merged and merged[-1][0].startswith(BULLET) and block[0][:1].islower():
            merged[-1].extend(block)
        else:
            merged.append(block)
    title = ""
    if bar.titled:
        title = unwrap(merged.pop(0))
    return Event("box", line=bar.start, box_kind=bar.kind, box_title=title, box_blocks=merged, chapter=chapter)


def _structure(text: list[str], noise: set[int], footnote_lines: set[int]) -> list[Event]:
    events: list[Event] = []
    sidebar_at = {bar.start: bar for bar in SIDEBARS}
    sidebar_lines = {i for bar in SIDEBARS for i in range(bar.start, bar.end + 1)}
    opener_at = {start: (chapter, end) for chapter, (start, end) in OPENERS.items()}
    section_start = {line: chapter for chapter, line in CHAPTER_STARTS_AT_SECTION.items()}
    n = len(text)
    in_faq = False
    faq_level = 0
    chapter = "i"

    events.append(Event("heading", level=1, title="Forord", line=1))
    i = 1
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if block:
            events.extend(_block_events(block, chapter, in_faq, faq_level))
            block.clear()

    while i <= n:
        line = text[i - 1]
        if i == INNLEDNING[0]:
            flush()
            events.append(Event("heading", level=1, title="Innledning", line=i))
        if i == HOVEDPUNKTER[0]:
            flush()
            events.append(Event("heading", level=1, title="Hovedpunkter", mark="recommendations", line=i))
        if i in opener_at:
            flush()
            number, end = opener_at[i]
            events.append(Event("chapter_end", chapter=chapter))
            chapter = str(number)
            in_faq = False
            events.append(Event("heading", level=1, number=str(number), title=CHAPTER_TITLES[number], line=i))
            dot = next(j for j in range(i, end + 1) if text[j - 1].strip() == "»")
            intro = [text[j - 1] for j in range(dot + 1, end + 1) if text[j - 1].strip()]
            events.append(Event("para", lines=intro, line=dot + 1, chapter=chapter))
            i = end + 1
            continue
        if i in section_start:
            flush()
            number = section_start[i]
            events.append(Event("chapter_end", chapter=chapter))
            chapter = str(number)
            events.append(Event("heading", level=1, number=str(number), title=CHAPTER_TITLES[number], line=i))
        if i >= 6059:
            flush()
            events.extend(_vedlegg_events(text, i, noise))
            break
        if i in sidebar_at:
            flush()
            events.append(_sidebar_event(text, sidebar_at[i], chapter))
            i = sidebar_at[i].end + 1
            continue
        if i in noise or i in footnote_lines or i in sidebar_lines:
            i += 1
            continue
        if not line.strip():
            flush()
            i += 1
            continue
        # Headings.
        m = _NUMBERED_HEADING.match(line)
        sub = _CAPS_SUBHEAD.match(line)
        if (
            (m and _is_heading_title(m.group(2)))
            or (sub and _is_heading_title(sub.group(1)))
            or (i in INNLEDNING_HEADS)
        ):
            flush()
            raw = m.group(2) if m and _is_heading_title(m.group(2)) else (sub.group(1) if sub else line.strip())
            number = m.group(1) if m and _is_heading_title(m.group(2)) else None
            # A wrapped CAPS title continues on the next non-blank line (up to one blank between).
            j = i + 1
            while j <= n and j - i <= 3:
                nxt = text[j - 1].strip()
                if not nxt:
                    j += 1
                    continue
                if (
                    is_caps(nxt)
                    and not nxt.startswith(("»", BULLET))
                    and not _NUMBERED_HEADING.match(nxt)
                    and not _FOOTNOTE_START.match(nxt)
                    and len(nxt) < 80
                    and i not in INNLEDNING_HEADS
                ):
                    raw = raw.rstrip() + ("" if re.search(r"\w/$", raw.rstrip()) else " ") + nxt
                    i = j
                    j += 1
                    continue
                break
            raw, markers = _strip_title_markers(raw)
            if number:
                title = _section_title(number, raw)
                level = len(number.split("."))
                mark = None
                if title.lower() == "anbefalinger":
                    mark = "recommendations"
                in_faq = number in FAQ_SECTIONS
                if in_faq:
                    mark = "faq"
                    faq_level = level
                events.append(
                    Event(
                        "heading",
                        level=level,
                        number=number,
                        title=title,
                        mark=mark,
                        line=i,
                        lines=markers,
                        chapter=chapter,
                    )
                )
            else:
                level = _current_level(events) + 1 if chapter != "i" else 2
                events.append(
                    Event(
                        "heading",
                        level=level,
                        title=sentence_case(" ".join(raw.split())),
                        line=i,
                        lines=markers,
                        chapter=chapter,
                    )
                )
            i += 1
            continue
        block.append((i, line))
        i += 1
    flush()
    events.append(Event("chapter_end", chapter=chapter))
    return events


def _strip_title_markers(raw: str) -> tuple[str, list[str]]:
    """`BRUKERMEDVIRKING10` -> (`BRUKERMEDVIRKING`, ['10'])."""
    m = re.search(r"(?<=[A-ZÆØÅ])(\d{1,2})\s*$", raw)
    if m:
        return raw[: m.start()].rstrip(), [m.group(1)]
    return raw.rstrip(), []


def _current_level(events: list[Event]) -> int:
    """Level of the last numbered heading (unnumbered » heads sit one below it)."""
    for ev in reversed(events):
        if ev.kind == "heading" and ev.number:
            return ev.level
    return 1


def _is_runin(first: str, second: str) -> bool:
    """A short mixed-case line with no final punctuation directly followed by body text."""
    s = first.strip()
    return (
        0 < len(s) <= 55
        and len(s.split()) <= 8
        and s[0].isupper()
        and not s.endswith((".", ",", ":", ";", "?", "!", "-", "»"))
        and not is_caps(s)
        and not s.startswith(BULLET)
        and len(second.strip()) >= 55
        and not second.strip().startswith(BULLET)
    )


def _block_events(block: list[tuple[int, str]], chapter: str, in_faq: bool, faq_level: int) -> list[Event]:
    """Events of one blank-separated block of body lines."""
    out: list[Event] = []
    lines = [(n, line.strip()) for n, line in block]
    k = 0
    if in_faq:
        if lines[0][1].endswith("?"):
            out.append(Event("question", lines=[lines[0][1]], line=lines[0][0], level=faq_level + 1, chapter=chapter))
            k = 1
        elif len(lines) > 1 and lines[1][1].endswith("?"):
            out.append(
                Event(
                    "question", lines=[lines[0][1], lines[1][1]], line=lines[0][0], level=faq_level + 1, chapter=chapter
                )
            )
            k = 2
    if k == 0 and len(lines) > 1 and _is_runin(lines[0][1], lines[1][1]) and not _PSEUDO_BULLET.match(lines[0][1]):
        out.append(Event("runin", lines=[lines[0][1]], line=lines[0][0], chapter=chapter))
        k = 1
    current: Event | None = None
    for n, s in lines[k:]:
        item = _BODY_ITEM.match(s)
        if s.startswith(BULLET) or _PSEUDO_BULLET.match(s):
            current = Event("bullet", lines=[s.lstrip(BULLET).strip()], line=n, chapter=chapter)
            out.append(current)
        elif item:
            current = Event("item", lines=[item.group(2)], line=n, chapter=chapter, item_no=int(item.group(1)))
            out.append(current)
        elif current is None:
            current = Event("para", lines=[s], line=n, chapter=chapter)
            out.append(current)
        else:
            current.lines.append(s)
    return out


# --------------------------------------------------------------------------------------------
# Chapter 10: lists and the flattened 3-column table
# --------------------------------------------------------------------------------------------


def _vedlegg_events(text: list[str], start: int, noise: set[int]) -> list[Event]:
    out: list[Event] = []
    chapter = "10"
    n = len(text)
    i = start
    current: Event | None = None
    table_rows: list[tuple[str, str]] = []

    def flush_table() -> None:
        if table_rows:
            rows = "\n".join(f"| {name} | {url} |" for name, url in table_rows)
            out.append(Event("table", lines=["| Navn | Webadresse |\n|---|---|\n" + rows], chapter=chapter))
            table_rows.clear()

    while i <= n:
        line = text[i - 1]
        s = line.strip()
        m = _NUMBERED_HEADING.match(line)
        if m and _is_heading_title(m.group(2)):
            flush_table()
            raw = m.group(2)
            if i + 1 <= n and is_caps(text[i].strip()) and text[i].strip():
                raw += " " + text[i].strip()
                i += 1
            number = m.group(1)
            out.append(
                Event("heading", level=2, number=number, title=_section_title(number, raw), line=i, chapter=chapter)
            )
            current = None
            i += 1
            if number == "10.4":
                out.extend(_table_events(text, i + 2, noise))  # skip the column header line
                break
            continue
        section = out[-1].number if out and out[-1].kind == "heading" else _last_number(out)
        if i in noise or not s:
            i += 1
            continue
        if section == "10.3" and "www." not in s:
            flush_table()
            if s.startswith("Navn organisasjoner"):  # the source's column header: the table gets its own
                i += 1
                continue
        starts_item = s.startswith(BULLET) or bool(_NUMBERED_ITEM.match(s))
        if i in VEDLEGG_LABELS:
            current = None
            out.append(Event("runin", lines=[s], line=i, chapter=chapter))
        elif i in VEDLEGG_PARAGRAPHS or (current is None and len(s) > 95 and not starts_item):
            current = Event("para", lines=[s], line=i, chapter=chapter)
            out.append(current)
        elif current is not None and current.kind == "para" and text[i - 2].strip() and not starts_item:
            current.lines.append(s)  # a wrapped paragraph line
        elif section == "10.3" and "www." in s:
            name, url = re.split(r"\s+(?=www\.)", s, maxsplit=1)
            table_rows.append((re.sub(r"\s+", " ", name), url.strip()))
        elif section == "10.2":
            current = Event("bullet", lines=[s], line=i, chapter=chapter)
            out.append(current)
        elif s.startswith(BULLET):
            current = Event("bullet", lines=[s.lstrip(BULLET).strip()], line=i, chapter=chapter)
            out.append(current)
        elif _NUMBERED_ITEM.match(s):
            item = _NUMBERED_ITEM.match(s)
            current = Event("item", lines=[item.group(2)], line=i, chapter=chapter, item_no=int(item.group(1)))
            out.append(current)
        elif current is not None:
            current.lines.append(s)
        else:
            current = Event("para", lines=[s], line=i, chapter=chapter)
            out.append(current)
        i += 1
    flush_table()
    out.append(Event("chapter_end", chapter=chapter))
    return out


def _last_number(events: list[Event]) -> str | None:
    for ev in reversed(events):
        if ev.kind == "heading" and ev.number:
            return ev.number
    return None


def _table_events(text: list[str], start: int, noise: set[int]) -> list[Event]:
    """10.4: one bold actor paragraph + bullet list per row, `###` per group of rows.

    Cells come out as "actor / målgruppe bullets / oppgave bullets"; the columns cannot be told
    apart reliably, so each actor gets one list with its bullets in source order.
    """
    out: list[Event] = []
    chapter = "10"
    actor: list[str] = []  # lines of the actor name being read
    names: list[str] = []  # actor names waiting for their bullets
    bullets: list[list[str]] = []
    prev_blank = True

    def flush_row() -> None:
        if names or actor or bullets:
            all_names = names + ([unwrap(actor)] if actor else [])
            if all_names:
                out.append(Event("runin", lines=[" / ".join(all_names)], chapter=chapter))
            for b in bullets:
                out.append(Event("bullet", lines=b, chapter=chapter))
        names.clear()
        actor.clear()
        bullets.clear()

    for i in range(start, len(text) + 1):
        if i in noise:
            continue
        s = text[i - 1].strip()
        if not s:
            prev_blank = True
            continue
        if i in TABLE_GROUPS:
            flush_row()
            out.append(Event("heading", level=3, title=s, line=i, chapter=chapter))
            prev_blank = False
            continue
        cells = [c.strip() for c in s.split(BULLET)]
        head, rest = cells[0], cells[1:]
        if head:
            if head[0].islower() or head[0] in "(<" or (actor and not prev_blank and not bullets):
                # Continuation of the previous bullet or of a wrapped actor name.
                if bullets and (head[0].islower() or head[0] in "(<"):
                    bullets[-1].append(head)
                else:
                    actor.append(head)
            else:
                if bullets:
                    flush_row()
                elif actor:
                    names.append(unwrap(actor))
                    actor.clear()
                actor.append(head)
        for cell in rest:
            bullets.append([cell])
        prev_blank = False
    flush_row()
    out.append(Event("chapter_end", chapter=chapter))
    return out


# --------------------------------------------------------------------------------------------
# Pass 3: reading order
# --------------------------------------------------------------------------------------------


def _ends_open(ev: Event) -> bool:
    """True when the text of a paragraph or list item stops mid-sentence."""
    last = ev.lines[-1].rstrip() if ev.lines else ""
    return bool(last) and not last.endswith(_TERMINAL)


def _reorder(events: list[Event]) -> list[Event]:
    """Join text that a page break, a box or a footnote block interrupted; move boxes to the end
    of their section (before the next heading or FAQ question)."""
    out: list[Event] = []
    pending: list[Event] = []
    for ev in events:
        if ev.kind == "box":
            pending.append(ev)
            continue
        if ev.kind in ("heading", "question", "chapter_end"):
            out.extend(pending)
            pending.clear()
            out.append(ev)
            continue
        prev = next((p for p in reversed(out) if p.kind != "box"), None)
        first = ev.lines[0].lstrip() if ev.lines else ""
        if (
            ev.kind == "para"
            and prev is not None
            and prev.kind in ("para", "bullet", "item")
            and (first[:1].islower() or first[:1] == "(")
            and _ends_open(prev)
        ):
            prev.lines.extend(ev.lines)  # the sentence goes on after the interruption
            continue
        out.append(ev)
    out.extend(pending)
    return out


# --------------------------------------------------------------------------------------------
# Pass 4: text repair, footnotes, rendering
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéü]+")
#: Split forms that are ordinary phrases although their joined form occurs in the text.
NEVER_JOIN = {
    ("om", "lag"),
    ("i", "dag"),
    ("for", "mer"),
    ("til", "tak"),
    ("på", "nytt"),
    ("i", "gang"),
    ("av", "og"),
    ("til", "tross"),
    ("blant", "annet"),
    ("for", "øvrig"),
    ("i", "tillegg"),
    ("med", "hjelp"),
    ("i", "fra"),
    ("ut", "fra"),
    ("i", "stand"),
    ("i", "forhold"),
    ("på", "grunn"),
    ("til", "tider"),
    ("over", "tid"),
    ("i", "det"),
    ("for", "eksempel"),
    ("for", "bedre"),
    ("for", "eldre"),
    ("til", "stede"),
    ("for", "mål"),
    ("for", "bedring"),
    ("lav", "terskel"),
    ("akutt", "hjelp"),
    ("videre", "utvikling"),
    ("videre", "utvikle"),
    ("videre", "utvikles"),
}
#: Second words that are never glued on: verbs and function words after a noun (`bolig er`).
NEVER_SECOND = {"er", "og", "eller", "samt", "til", "en", "et", "i", "på", "av", "som"}
#: Single letters that are words of their own.
LETTER_WORDS = {"i", "å", "o", "e"}


class _SplitRepair:
    """Joins words split by stray spaces (`rus arbeid` -> `rusarbeid`).

    a + b are joined when the joined form occurs elsewhere in the document more often than the
    split pair, the pair is not an ordinary phrase (`NEVER_JOIN`) and b is not a function word
    joined onto a hyphen (`helse- og`). Every join is logged in `joins` for audit.
    """

    def __init__(self, corpus: str):
        corpus = re.sub(r"\S*(?:www|http)\S*", " ", corpus)
        words = [w.lower() for w in _WORD.findall(corpus)]
        self.vocab = Counter(words)
        self.pairs = Counter(zip(words, words[1:], strict=False))
        self.joins: Counter[str] = Counter()
        self.contexts: list[str] = []

    def _joinable(self, parts: list[str]) -> bool:
        low = [p.lower().rstrip("-") for p in parts]
        joined = "".join(low)
        if len(parts) == 2 and tuple(low) in NEVER_JOIN:
            return False
        if low[-1] in NEVER_SECOND:
            return False
        split_count = self.pairs[(low[0], low[1])] if len(parts) == 2 else 0
        # b never stands alone outside this pair: a fragment (`tjeneste ytingen`).
        fragment = len(parts) == 2 and self.vocab[low[1]] <= split_count
        return self.vocab[joined] >= 1 and (self.vocab[joined] > split_count or fragment)

    def _letters(self, m: re.Match[str]) -> str:
        """`t  jenestene` -> `tjenestene` when the joined word occurs elsewhere."""
        joined = m.group(1) + m.group(2)
        if m.group(1).lower() not in LETTER_WORDS and self.vocab[joined.lower()] >= 1:
            self.joins[f"{m.group(1)} {m.group(2)}"] += 1
            return joined
        return m.group(0)

    def __call__(self, text: str) -> str:
        text = re.sub(r"(?<![\w-])([A-Za-zæøå])\s+([a-zæøå]{2,})", self._letters, text)
        tokens = re.split(r"(\s+)", text)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.strip() and i + 2 < len(tokens):
                for width in (3, 2):
                    words = [tokens[i + 2 * k] for k in range(width) if i + 2 * k < len(tokens)]
                    if len(words) < width:
                        continue
                    # All but the last must be bare words (a trailing hyphen allowed on the first);
                    # the last may carry punctuation after it.
                    heads, last = words[:-1], words[-1]
                    m_last = re.match(r"^([a-zæøå]+)(.*)$", last)
                    if not m_last or not all(re.fullmatch(r"[A-Za-zÆØÅæøå]+-?", h) for h in heads):
                        continue
                    if any(h.endswith("-") for h in heads[1:]) or (heads[0].endswith("-") and width == 3):
                        continue
                    parts = heads + [m_last.group(1)]
                    if self._joinable(parts):
                        joined = "".join(p.rstrip("-") for p in heads) + m_last.group(1) + m_last.group(2)
                        self.joins[" ".join(parts)] += 1
                        self.contexts.append("".join(tokens[max(0, i - 6) : i + 2 * width + 6]))
                        out.append(joined)
                        i += 2 * width - 1  # continue at the whitespace after the joined words
                        break
                else:
                    out.append(tok)
                    i += 1
                continue
            out.append(tok)
            i += 1
        return "".join(out)


class _Footnotes:
    """Resolves glued markers to `[^<chapter>-<n>]` and keeps track of what a chapter cites."""

    def __init__(self, texts: dict[str, dict[int, str]], repair: _SplitRepair):
        self.texts = texts
        self.repair = repair
        self.used: dict[str, list[int]] = {}
        self.unresolved: list[tuple[str, str]] = []

    def label(self, chapter: str, number: int) -> str | None:
        if number not in self.texts.get(chapter, {}):
            self.unresolved.append((chapter, str(number)))
            return None
        used = self.used.setdefault(chapter, [])
        if number not in used:
            used.append(number)
        return f"[^{chapter}-{number}]"

    def replace(self, text: str, chapter: str) -> str:
        available = self.texts.get(chapter, {})

        def explicit(m: re.Match[str]) -> str:
            return self.label(chapter, int(m.group(1))) or ""

        def glued(m: re.Match[str]) -> str:
            numbers = [int(m.group(1))] + [int(x) for x in re.findall(r"\d{1,2}", m.group(2))]
            if not all(n in available for n in numbers):
                return m.group(0)  # not a footnote (or a marker without text, handled below)
            return "".join(self.label(chapter, n) or "" for n in numbers)

        text = _EXPLICIT_MARKER.sub(explicit, text)
        return _MARKER.sub(glued, text)

    def definitions(self, chapter: str) -> list[str]:
        return [f"[^{chapter}-{n}]: {self.repair(self.texts[chapter][n])}" for n in sorted(self.used.get(chapter, []))]


_URL_END = re.compile(r"(?:https?://|www\.)\S*[/.]$|https?://$")


def _text(lines: list[str]) -> str:
    """Unwrap lines; a URL broken at a line end (`http://www.` + `spill…`) is glued back."""
    glued: list[str] = []
    for line in lines:
        s = line.strip()
        if glued and (_URL_END.search(glued[-1]) or re.search(r"\w/$", glued[-1].rstrip())) and s[:1].islower():
            glued[-1] = glued[-1].rstrip() + s  # `problemer/` + `lidelser`
        else:
            glued.append(line)
    return unwrap(glued)


def convert(lines: list[str]) -> str:
    text, noise = _prepare(lines)
    sidebar_lines = {i for bar in SIDEBARS for i in range(bar.start, bar.end + 1)}
    skip = noise | sidebar_lines | {i for (s, e) in OPENERS.values() for i in range(s, e + 1)}
    notes, footnote_lines = _collect_footnotes(text, skip)
    events = _reorder(_structure(text, noise, footnote_lines))

    repair = _SplitRepair(unwrap(line for i, line in enumerate(text, 1) if i not in noise))
    footnotes = _Footnotes(notes, repair)

    def body(ev: Event, lines: list[str] | None = None) -> str:
        t = _text(lines if lines is not None else ev.lines)
        return footnotes.replace(repair(t), ev.chapter)

    parts: list[str] = []
    list_buffer: list[str] = []

    def flush_list() -> None:
        if list_buffer:
            parts.append("\n".join(list_buffer))
            list_buffer.clear()

    for ev in events:
        if ev.kind not in ("bullet", "item"):
            flush_list()
        if ev.kind == "heading":
            title = repair(ev.title)
            refs = "".join(footnotes.label(ev.chapter, int(x)) or "" for x in ev.lines)
            parts.append(heading(ev.number, title + refs, level=ev.level, mark=ev.mark))
        elif ev.kind == "question":
            parts.append(heading(None, repair(_text(ev.lines)), level=ev.level))
        elif ev.kind == "para":
            parts.append(body(ev))
        elif ev.kind == "runin":
            parts.append(f"**{body(ev)}**")
        elif ev.kind == "bullet":
            list_buffer.append(f"- {body(ev)}")
        elif ev.kind == "item":
            list_buffer.append(f"{ev.item_no}. {body(ev)}")
        elif ev.kind == "table":
            parts.append(ev.lines[0])
        elif ev.kind == "box":
            if ev.box_kind == "quote" or _is_pull_quote(ev, text):
                continue
            quote: list[str] = []
            if ev.box_kind == "more":
                quote.append("**For mer informasjon**")
            elif ev.box_title:
                quote.append(f"**{body(ev, [ev.box_title])}**")
            for blk in ev.box_blocks:
                if blk[0].startswith(BULLET):
                    quote.append(f"- {body(ev, [blk[0].lstrip(BULLET).strip()] + blk[1:])}")
                else:
                    quote.append(body(ev, blk))
            parts.append("\n>\n".join(f"> {q}" for q in quote))
        elif ev.kind == "chapter_end":
            parts.extend(footnotes.definitions(ev.chapter))
    flush_list()
    convert.joins = repair.joins  # type: ignore[attr-defined]  # for audit and tests
    convert.join_contexts = repair.contexts  # type: ignore[attr-defined]
    convert.unresolved = footnotes.unresolved  # type: ignore[attr-defined]
    return render(parts)


def _letters(s: str) -> str:
    return "".join(c for c in s.lower() if c.isalpha())


def _is_pull_quote(ev: Event, text: list[str]) -> bool:
    """A box whose whole text repeats a passage elsewhere in the document is a pull quote."""
    own = _letters(" ".join(" ".join(b) for b in ev.box_blocks) + ev.box_title)
    if len(own) < 40:
        return False
    whole = _letters(" ".join(text))
    return whole.count(own) > 1
