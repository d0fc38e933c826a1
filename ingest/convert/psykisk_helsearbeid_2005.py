"""001: Psykisk helsearbeid for voksne i kommunene (Sosial- og helsedirektoratet 2005).

The text was extracted from a two-column PDF, page spreads partly out of order. Besides the usual
repairs (hyphenation, wrapped lines, bullets) this converter puts the reading order back:

1. noise lines go (glued page numbers such as `1110`, the two part-divider titles);
2. one line that glues two columns together is split (l.948);
3. MOVES put displaced runs of lines back where they belong, in heading-number order; where a run
   finishes a sentence that was cut off (`sam-` l.379 … `ordnede` l.404) it is placed right after the
   cut, so the paragraph joins again;
4. the lines are read as headings, run-in headings, boxes (BOXES, rendered as block quotes) and
   body blocks; a block that begins in lower case continues the previous one when that did not end a
   sentence (paragraphs and bullets broken by blank lines or page breaks);
5. the section numbers are checked to come out strictly in order.

All the document-specific repairs are data below, each with its source line numbers (1-based, as
`sed -n` prints them) and the reason; `_check_data` verifies them against the source text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.convert.cleaning import BULLET, heading, render, unwrap

META = {
    "id": "psykisk-helsearbeid-voksne-2005",
    "title": "Psykisk helsearbeid for voksne i kommunene",
    "short_title": "Psykisk helsearbeid for voksne i kommunene",
    "publisher": "Sosial- og helsedirektoratet",
    "year": 2005,
    "doc_number": None,
    "kind": "veileder",
    "status": "historisk",
    "supersedes": [],
    "superseded_by": ["sammen-om-mestring-2014"],
    "source_file": "001_b5cd17b7da0f0584.txt",
    "note": "Historisk: viser til lover som ble opphevet i 2012 (kommunehelsetjenesteloven, "
    "sosialtjenesteloven 1991). Dokumentnummer (trolig IS-1332) står ikke i teksten.",
}


@dataclass(frozen=True)
class Line:
    """One source line: its number (1-based; x.5 for the second half of a split line) and text."""

    no: float
    text: str


@dataclass(frozen=True)
class Move:
    """Lines first..last (a run in the current order) are put right after line `after`."""

    first: float
    last: float
    after: float
    why: str


@dataclass(frozen=True)
class Box:
    """A side box from line first to line last (in reading order); its first `title` lines are its title."""

    first: float
    last: float
    title: int = 0


# --- noise -------------------------------------------------------------------------------------

# Page numbers of a spread glued together on a line of their own: `1110` (pages 10|11), `3534`, `38`, `4342`.
PAGE_NUMBER = re.compile(r"^\s*\d{2,4}\s*$")

# Titles of the part-divider pages: they head groups of chapters, not a section, and have no place
# in the heading hierarchy (line number -> expected text).
PART_TITLES = {
    180: "Psykisk helsearbeid i praksis",
    181: "Tilrettelegging for mestring. Behandling og oppfølging",
    1414: "Rammer for arbeidet",
    1415: "Organisering, kompetanse, planlegging",
}

# --- reading order -----------------------------------------------------------------------------

# l.948 holds the end of 4.6 and, glued to it, the start of a box on physical activity (4.5).
SPLITS = {948: "Å tilrettelegge for fysisk aktivitet"}

MOVES = [
    # chapter 2
    Move(190, 194, 265, "2.1.2 is printed before 2.1: put it after 2.1, 2.1.1 and their boxes"),
    Move(385, 402, 348, "2.3, 2.3.1, 2.3.2 are printed after the start of 2.3.3: put them before it"),
    Move(404, 409, 379, "2.3.3: 'tilpassede og sam-' (l.379) goes on 'ordnede tjenester' (l.404)"),
    Move(349, 359, 409, "the Husbanken/bostøtte box (before the 2.3.3 heading) goes to the end of 2.3.3"),
    # chapter 3
    Move(540, 547, 595, "3.4 is printed before 3.3: put it after 3.3 and its list of Aetat's tiltak"),
    Move(701, 702, 710, "3.6.1: 'hvis en slik' (l.710) goes on 'utarbeides.' (l.701, before the heading)"),
    Move(
        811,
        847,
        768,
        "the course box (l.765) goes on at l.811 'mellom bruker'; it, the Bokstøtten box and "
        "3.7 Gode råd are printed inside chapter 4: put them before it",
    ),
    # chapter 4
    Move(848, 850, 809, "4.2: 'likeverd' is split over l.809 'like-' and l.848 'verd', after 3.7"),
    Move(948.5, 977, 935, "the box on physical activity (split off l.948) belongs to 4.5, not 4.6"),
    # chapters 8 and 9
    Move(1808, 1842, 1762, "8.5.2 and 8.5.3 (with their boxes) are printed after 8.6 and 8.7"),
    Move(1902, 1916, 1883, "9.3: its list goes on at l.1902, after 9.3.2 and a box: put it back"),
    Move(1918, 1925, 1916, "9.3.1 is printed after 9.3.2: put it before"),
    # chapter 12
    Move(2342, 2347, 2328, "12.3.1: 'de data kommunen' (l.2328) goes on 'selv besitter' (l.2342)"),
    # chapter 13
    Move(
        2550,
        2567,
        2502,
        "13.1 and its criteria 1–3 are printed after 13.2.3 began: put them before criteria 4–7 (l.2504)",
    ),
    Move(
        2582,
        2590,
        2548,
        "13.2.3: 'mellom samarbeidende' (l.2548) goes on 'instanser' (l.2582), after 13.1 and the box "
        "'Juridiske forhold' (which then ends 13.2.3)",
    ),
    # chapter 14
    Move(
        2777,
        2826,
        2721,
        "the page with the end of 14.1, 14.2 and the first communication tip is printed after the page "
        "with 14.3; the tips go on at l.2722 '• Snakk hverdagsspråk'",
    ),
]

# --- structure ---------------------------------------------------------------------------------

# Numbered headings: `2.1 Boligplanlegging`, `1. Innledning – …`, `9.3.3 …`; no colon (excludes the
# numbered criteria `4. Respekt for hverandres fagbakgrunn:`), chapter at most 14 (excludes `31 B i Oslo`).
HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-ZÆØÅ«][^:]*)$")
MAX_CHAPTER = 14
MAX_HEADING_LENGTH = 95

# Malformed heading: `2.1 1 Oversikt over boligbehov` (l.209) is 2.1.1.
HEADING_FIXES = {209: ("2.1.1", "Oversikt over boligbehov")}

# Chapter titles wrapped onto a second line (the line numbers of the second lines).
HEADING_CONTINUATIONS = {770, 1294, 2271, 2685}

# Unnumbered top parts (level 1).
TOP_PARTS = {1: "Forord"}

# Run-in headings: a bold paragraph of their own. l.188 is the subtitle printed under chapter 2.
RUN_IN = {
    188: "Bistand og oppfølging i bolig",
    555: "Kort oversikt over Aetats arbeidsmarkedstiltak",
    2739: "Hva kan øke medias interesse?",
}

# Sections whose bullets are recommendations.
RECOMMENDATIONS = "Gode råd"

# Side boxes: "Aktuelt lovverk" (×3), municipal examples, lists of resources, one quotation.
BOXES = [
    Box(217, 228, 1),  # Aktuelt lovverk (2.1)
    Box(230, 265),  # reports on planning housing (2.1)
    Box(349, 359),  # Husbanken, bostøtte, tilskudd (2.3.3)
    Box(381, 383),  # Trondheim «Gode naboer» (2.3.3)
    Box(600, 609, 2),  # Noen virkemidler … til tross for sykdom (3.4)
    Box(610, 650),  # examples of work schemes (3.4)
    Box(661, 667),  # Virkemidler for at uføre … (3.5)
    Box(669, 680, 1),  # Prosjektet «Vilje viser vei» (3.5)
    Box(682, 687, 1),  # Arbeidsliv og psykisk helse (3.5)
    Box(712, 730, 1),  # Aktuelt lovverk (3.6.1)
    Box(732, 750, 1),  # Ulike undervisnings- og studietilbud … (3.6.1)
    Box(765, 812),  # Aktuelle kurstilbud «Et selvstendig liv» (3.6.2), joined over the move
    Box(814, 816),  # «Bokstøtten» (3.6.2)
    Box(889, 910),  # activity houses: 31 B, Prindsen, Suldal, Greven, Elvahuset (4.4)
    Box(948.5, 977),  # physical activity, with examples (4.5)
    Box(979, 1008),  # culture projects (4.6)
    Box(1752, 1762, 1),  # Eksempler på kommunenivå (8.5.1)
    Box(1815, 1819),  # Øksnes (8.5.2)
    Box(1835, 1842, 1),  # Eksempler på tjenestestednivå (8.5.3)
    Box(1896, 1900),  # local user involvement in evaluation (9.3.2)
    Box(2004, 2008),  # quotation from the national quality strategy (9.5)
    Box(2170, 2173),  # Samhandlingsprosjektet (11.2.2)
    Box(2236, 2243),  # IPPH template (11.7)
    Box(2330, 2341, 1),  # Aktuelt lovverk (12.3.1)
    Box(2406, 2425, 1),  # Eksempel på evaluering i kommunen (12.4)
    Box(2569, 2581, 1),  # Juridiske forhold (13.2.3)
    Box(2701, 2721, 1),  # Aktuelle lover (14.1)
]

# Lines that start a new paragraph although no blank line precedes them.
PARAGRAPH_STARTS = {
    611,  # 'KIM-senteret …', first example after the box's opening line 'Det finnes mange ulike tiltak …'
    1904,  # 'Disse kjennetegnene …' right after the last bullet of 9.3
    *(996, 998, 1000, 1002),  # the four culture projects listed one per line (4.6 box)
}

# A stray bullet glyph in the middle of an item: '… arbeid gjennom' / '• prosjektet Partnerskap …' (l.1340).
STRAY_BULLETS = {1340}

# A URL broken at one of its own hyphens (`www.fontenehuset-` / `oslo.no`, l.637): the hyphen stays.
URL_BREAK = re.compile(r"(?:www\.|https?://)\S*-$")

# Expected text at the start of lines the data above points to, checked by `_check_data`.
EXPECT = {
    188: "Bistand og oppfølging",
    190: "2.1.2 Prioritering",
    209: "2.1 1 Oversikt",
    217: "Aktuelt lovverk",
    379: "godt hjelpemiddel",
    404: "ordnede tjenester",
    540: "3.4 Trygdeetatens",
    555: "Kort oversikt",
    600: "Noen virkemidler",
    701: "utarbeides.",
    712: "Aktuelt lovverk",
    768: "heter. Vellykket",
    811: "mellom bruker",
    848: "verd mellom",
    948: "kunstnere.Å tilrettelegge",
    1340: "• prosjektet Partnerskap",
    1808: "8.5.2 Tjenestestedsnivået",
    1904: "Disse kjennetegnene",
    1918: "9.3.1 Evalueringsmetoder",
    2330: "Aktuelt lovverk",
    2342: "selv besitter",
    2550: "13.1 Suksesskriterier",
    2582: "instanser, og rammene",
    2701: "Aktuelle lover",
    2722: "• Snakk hverdagsspråk",
    2739: "Hva kan øke medias",
    2777: "Samordning av informasjon",
}

# A line this long was wrapped by the layout (body lines run to about 90 characters).
WRAPPED_LINE = 60

# A numbered list item (the success criteria in 13.1): `1. Avklare ulike kunnskapsgrunnlag: …`.
NUMBERED_ITEM = re.compile(r"^\d\.\s")

# A sentence ends here: a following block that begins in lower case is not its continuation.
SENTENCE_END = (".", "!", "?")


def _check_data(lines: list[str]) -> None:
    """Fail loudly if the source does not hold what the repair data expects."""
    for no, start in EXPECT.items():
        if not lines[no - 1].strip().startswith(start):
            raise ValueError(f"001 l.{no}: expected {start!r}, found {lines[no - 1]!r}")
    for no, text in PART_TITLES.items():
        if lines[no - 1].strip() != text:
            raise ValueError(f"001 l.{no}: expected part title {text!r}")


def _source_lines(lines: list[str]) -> list[Line]:
    """Numbered lines, noise dropped and glued lines split."""
    out: list[Line] = []
    for i, text in enumerate(lines, start=1):
        if i in PART_TITLES or PAGE_NUMBER.match(text):
            continue
        if i in SPLITS:
            at = text.index(SPLITS[i])
            out += [Line(i, text[:at]), Line(i + 0.5, text[at:])]
        else:
            out.append(Line(i, text))
    return out


def _index(seq: list[Line], no: float) -> int:
    for i, line in enumerate(seq):
        if line.no == no:
            return i
    raise ValueError(f"001: line {no} not found")


def _apply_moves(seq: list[Line]) -> list[Line]:
    """Put the displaced runs back (MOVES, in order)."""
    for move in MOVES:
        i, j = _index(seq, move.first), _index(seq, move.last)
        if j < i:
            raise ValueError(f"001: move {move} runs backwards")
        run = seq[i : j + 1]
        del seq[i : j + 1]
        k = _index(seq, move.after)
        seq[k + 1 : k + 1] = run
    return seq


def _box_of(seq: list[Line]) -> dict[float, int]:
    """Line number -> index of the box (in BOXES) that holds it, for the reordered lines."""
    where: dict[float, int] = {}
    for b, box in enumerate(BOXES):
        i, j = _index(seq, box.first), _index(seq, box.last)
        for line in seq[i : j + 1]:
            where[line.no] = b
    return where


def _heading(line: Line) -> tuple[str, str] | None:
    """(number, title) when the line is a numbered heading."""
    if line.no in HEADING_FIXES:
        return HEADING_FIXES[line.no]
    m = HEADING.match(line.text.strip())
    if not m or len(line.text.strip()) > MAX_HEADING_LENGTH:
        return None
    number, title = m.group(1), m.group(2)
    if int(number.split(".")[0]) > MAX_CHAPTER:
        return None
    return number, title


@dataclass(frozen=True)
class Heading:
    number: str | None  # None for an unnumbered top part
    title: str


@dataclass(frozen=True)
class RunIn:
    text: str


@dataclass(frozen=True)
class Block:
    """Lines between blank lines, in the body (box None) or in BOXES[box]."""

    box: int | None
    lines: tuple[Line, ...]


Token = Heading | RunIn | Block


def _tokens(seq: list[Line]) -> list[Token]:
    """Headings, run-in headings and blocks of body or box lines, in reading order."""
    box_of = _box_of(seq)
    tokens: list[Token] = []
    block: list[Line] = []
    block_box: int | None = None

    def close() -> None:
        if block:
            tokens.append(Block(block_box, tuple(block)))
            block.clear()

    prev: Line | None = None  # the previous non-blank line
    for line in seq:
        text = line.text.strip()
        if not text:
            close()
            continue
        box = box_of.get(line.no)
        if box is None and line.no in TOP_PARTS:
            close()
            tokens.append(Heading(None, TOP_PARTS[line.no]))
        elif box is None and line.no in HEADING_CONTINUATIONS:
            last = tokens[-1]
            assert isinstance(last, Heading), f"001 l.{line.no} does not continue a heading"
            tokens[-1] = Heading(last.number, f"{last.title} {text}")
        elif box is None and line.no in RUN_IN:
            close()
            tokens.append(RunIn(RUN_IN[line.no]))
        elif box is None and (head := _heading(line)):
            close()
            tokens.append(Heading(*head))
        else:
            # A page-start line (leading space) in upper case after a full stop begins a paragraph.
            page_start = (
                line.text[:1].isspace()
                and text[:1].isupper()
                and prev is not None
                and prev.text.rstrip().endswith(SENTENCE_END)
            )
            starts = line.no in PARAGRAPH_STARTS or page_start or NUMBERED_ITEM.match(text)
            if box != block_box or starts:
                close()
            block_box = box
            block.append(line)
        prev = line
    close()
    return tokens


def _continues(prev: Token, block: Block) -> bool:
    """True when `block` goes on from `prev` across a blank line (a wrapped paragraph or bullet).

    Two cases: the block begins in lower case and `prev` did not end a sentence (`fåes fra` /
    `andre deler …`); or `prev` ends in the first line of a bullet, wrapped (full width) and not
    ending a sentence — the PDF often has a blank line after a bullet's first line
    (`… 100 prosent av` / `Husbanken, mens …`, `… av 19. november` / `1982 nr. 66 …`). A short
    bullet line (`• God ressursutnyttelse`) ends its list.
    """
    if not isinstance(prev, Block) or prev.box != block.box:
        return False
    first = block.lines[0].text.strip()
    last = prev.lines[-1].text.rstrip()
    if last.endswith(SENTENCE_END) or first.startswith(BULLET):
        return False
    wrapped_bullet = last.strip().startswith(BULLET) and len(last) >= WRAPPED_LINE
    return first[:1].islower() or wrapped_bullet


def _merge_continuations(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        if isinstance(token, Block) and out and _continues(out[-1], token):
            out[-1] = Block(token.box, out[-1].lines + token.lines)
        else:
            out.append(token)
    return out


def _unwrap(texts: list[str]) -> str:
    """`unwrap`, except that a URL broken at its own hyphen is rejoined with the hyphen kept."""
    joined: list[str] = []
    for text in texts:
        if joined and URL_BREAK.search(joined[-1].rstrip()):
            joined[-1] = joined[-1].rstrip() + text.strip()
        else:
            joined.append(text)
    return unwrap(joined)


def _block_parts(lines: tuple[Line, ...]) -> list[tuple[str, str]]:
    """A block as ("p", paragraph) and ("li", bullet item) parts; bullets may follow an intro."""
    groups: list[tuple[str, list[str]]] = []
    for line in lines:
        text = line.text.strip()
        if line.no in STRAY_BULLETS:
            text = text.lstrip(BULLET).strip()
        if text.startswith(BULLET):
            groups.append(("li", [text.lstrip(BULLET).strip()]))
        elif groups:
            groups[-1][1].append(text)
        else:
            groups.append(("p", [text]))
    return [(kind, _unwrap(texts)) for kind, texts in groups]


def _render_blocks(blocks: list[Block]) -> list[str]:
    """Markdown for consecutive blocks: paragraphs, and one `- ` list for consecutive bullets."""
    out: list[str] = []
    last_kind = ""
    for block in blocks:
        for kind, text in _block_parts(block.lines):
            if kind == "li" and last_kind == "li":
                out[-1] += f"\n- {text}"
            else:
                out.append(f"- {text}" if kind == "li" else text)
            last_kind = kind
    return out


def _render_box(box: Box, blocks: list[Block]) -> str:
    """A box as a block quote; its title (if it has one) bold on the first line."""
    parts: list[str] = []
    if box.title:
        first = blocks[0].lines
        parts.append(f"**{unwrap(line.text for line in first[: box.title])}**")
        rest = first[box.title :]
        blocks = [Block(blocks[0].box, rest), *blocks[1:]] if rest else blocks[1:]
    parts += _render_blocks(blocks)
    return "\n>\n".join("\n".join(f"> {row}" for row in part.split("\n")) for part in parts)


def _check_order(numbers: list[str]) -> None:
    """Section numbers strictly increasing, no level skipped (`3` then `3.1.1` is an error)."""
    prev: tuple[int, ...] = ()
    for number in numbers:
        key = tuple(int(n) for n in number.split("."))
        if key <= prev or len(key) > len(prev) + 1:
            raise ValueError(f"001: section {number} out of order after {'.'.join(map(str, prev))}")
        prev = key


def convert(lines: list[str]) -> str:
    _check_data(lines)
    tokens = _merge_continuations(_tokens(_apply_moves(_source_lines(lines))))

    parts: list[str] = []
    numbers: list[str] = []
    body: list[Block] = []  # consecutive body blocks, rendered together (one list for their bullets)
    box_blocks: list[Block] = []  # the blocks of the box being read

    def flush() -> None:
        parts.extend(_render_blocks(body))
        body.clear()
        if box_blocks:
            parts.append(_render_box(BOXES[box_blocks[0].box], box_blocks))
            box_blocks.clear()

    for token in tokens:
        if isinstance(token, Block) and token.box is None:
            if box_blocks:
                flush()
            body.append(token)
        elif isinstance(token, Block):
            if body or (box_blocks and box_blocks[0].box != token.box):
                flush()
            box_blocks.append(token)
        elif isinstance(token, RunIn):
            flush()
            parts.append(f"**{token.text}**")
        else:
            flush()
            title = re.sub(r"\s+", " ", token.title).strip()
            mark = "recommendations" if title == RECOMMENDATIONS else None
            parts.append(heading(token.number, title, mark=mark))
            if token.number:
                numbers.append(token.number)
    flush()
    _check_order(numbers)
    return render(parts)
