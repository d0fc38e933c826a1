"""004: Psykisk helse og rusarbeid i Kristiansund kommune – delutredning (ca. 2021).

The raw text is a PDF extraction of a Word document. What the conversion has to deal with
(see shared/sources/STRUCTURE.md §5):

- Unnumbered section titles on lines of their own; they are listed in `SECTIONS` (with
  their level) and matched in order. A page number glued to a repeated title is a running
  header (`3Brukere med psykisk helse og`) and is dropped.
- 24 footnotes numbered through the document. Markers are glued to words (`Fastlegens2`,
  `oppfølging22,23`, and once before the word: `1BEON/LEON-prinsippet`); the texts sit at
  page bottoms, often in the middle of a sentence that resumes on a line starting with a
  space (`… i samarbeid med` / footnote 1 and three law quotes / ` fastlegen og …`).
- A block of 26 lines (l.590–615) repeats lines 550–589; it is removed once.
- Two flattened tables (l.273–298), a figure caption without its figure, quote boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.convert.cleaning import BULLET, bullet_items, heading, render, sentence_case, unwrap

META = {
    "id": "kristiansund-psykisk-helse-rus-2021",
    "title": "Psykisk helse og rusarbeid i Kristiansund kommune – delutredning",
    "short_title": "Kristiansund kommune – delutredning psykisk helse og rus",
    "publisher": "Kristiansund kommune",
    "year": 2021,
    "doc_number": None,
    "kind": "kommunal plan",
    "status": "lokal",
    "supersedes": [],
    "superseded_by": [],
    "source_file": "004_e5a6a74cc7c5b5e5.txt",
    "note": "Årstall utledet: tabellene går til 2021 og teksten viser til Folkehelseprofil 2021.",
}

# The section titles as the source writes them, in order: (title, level, mark).
SECTIONS: tuple[tuple[str, int, str | None], ...] = (
    ("Hva er psykisk helse og rusarbeid i kommunen?", 1, None),
    ("Organisering av psykisk helse og rusarbeid i Kristiansund kommune", 1, None),
    ("FACT OG FACT UNG TEAM", 2, None),
    ("Brukere med psykisk helse og rusutfordringer", 1, None),
    ("Ventelister og etterspørsel", 1, None),
    ("Dagens utfordringsbilde", 1, None),
    ("Fremtidig utviklingstrekk psykisk helse og rus", 1, None),
    ("Hvilke brukergrupper skal særlig prioriteres?", 1, None),
    ("Velferdsteknologi i Psykisk helse og rusarbeid", 1, None),
    ("Eksempler fra andre kommuner", 1, None),
    ("Velferdsteknologi", 2, None),
    ("Øyeblikkelig hjelp-senger/ KAD senger", 2, None),
    ("Sarpsborgmodellen", 2, None),
    ("Viktige verdier og prinsipper innenfor fagområdet Psykisk Helse og Rus", 1, None),
    ("Brukermedvirkning", 2, None),
    ("Resiliens", 2, None),
    ("Empowerment og recovery-tekning", 2, None),
    ("Kan ny organisering åpne opp for nye muligheter?", 1, None),
    ("Eldre med psykiske og/ eller rusvansker", 1, None),
    ("Arbeidsgruppens anbefaling og oppsummering", 1, "recommendations"),
    ("Vedlegg:", 1, None),
)

RUNNING_HEADER_RE = re.compile(r"^\d{1,2}([A-ZÆØÅ].*)$")
FOOTNOTE_RE = re.compile(r"^(\d{1,2}) (\S.*)$")
FOOTNOTE_ITEM_RE = re.compile(r"^[a-z]\) ")
TABLE_CAPTION_RE = re.compile(r"^Tabell \d+:")
FIGURE_CAPTION_RE = re.compile(r"^Fig \d+:")
NUMBER_RE = re.compile(r"^\d+(?:[.,]\d+)?$")
# A footnote marker glued before a word in capitals (`1BEON/LEON-prinsippet`), or after a word
# or quote mark (`Fastlegens2`, `mestring»21`, `oppfølging22,23`, `spesialist15-`).
MARKER_RE = re.compile(
    r"(?<=\s)(?P<before>\d{1,2})(?P<word>[A-ZÆØÅ]{2}\S*)"
    r"|(?<=[A-Za-zÆØÅæøå.»”])(?P<after>\d{1,2}(?:,\d{1,2})*)(?=[\s.,;:)\-]|$)"
)
QUOTE_OPEN = ('"', "«", "“", "”")
SENTENCE_END = (".", "!", "?", ":")
MIN_REPEATED_LINES = 8


@dataclass
class Block:
    """Consecutive body lines: a paragraph, list, quote box or table in the making."""

    lines: list[str] = field(default_factory=list)

    @property
    def first(self) -> str:
        return self.lines[0].strip()

    @property
    def last(self) -> str:
        return self.lines[-1].rstrip()


@dataclass
class Heading:
    level: int
    text: str
    mark: str | None = None


def _protect_hyphens(lines: list[str]) -> list[str]:
    """Keep a hyphen at the end of a line that `unwrap` would join away: after a capitalised
    name (`Hagen-\\nutvalgets`) or before a capital; `- og`/`- eller` are left to `unwrap`."""
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"\b([A-ZÆØÅ][a-zæøå]+)-[ \t]*\n\s*(?!og\b|eller\b)(?=\w)", r"\1-", text)
    text = re.sub(r"([a-zæøå])-[ \t]*\n\s*(?=[A-ZÆØÅ])", r"\1-", text)
    return text.split("\n")


def _unwrap(lines: list[str]) -> str:
    return unwrap(_protect_hyphens(lines))


def _drop_repeated_run(lines: list[str]) -> list[str]:
    """Remove a run of lines that all repeat earlier lines (the extraction duplicated
    l.550–589 as l.590–615). Runs shorter than MIN_REPEATED_LINES are kept."""
    seen: set[str] = set()
    repeated = []
    for line in lines:
        key = line.strip()
        repeated.append(bool(key) and key in seen)
        if key:
            seen.add(key)
    drop: set[int] = set()
    i = 0
    while i < len(lines):
        if not repeated[i]:
            i += 1
            continue
        j = i
        last = i
        while j < len(lines) and (repeated[j] or not lines[j].strip()):
            if repeated[j]:
                last = j
            j += 1
        if sum(repeated[i : last + 1]) >= MIN_REPEATED_LINES:
            drop.update(range(i, last + 1))
        i = last + 1
    return [line for k, line in enumerate(lines) if k not in drop]


def _is_running_header(line: str) -> bool:
    """`3Brukere med psykisk helse og`: a page number glued to the start of a section title."""
    match = RUNNING_HEADER_RE.match(line.strip())
    return bool(match) and any(title.startswith(match.group(1).strip()) for title, _, _ in SECTIONS)


def _extract_footnotes(lines: list[str]) -> dict[int, str]:
    """Footnote texts by number; their lines are blanked in `lines` (in place).

    A footnote block starts with the next footnote number at the start of a line after a
    blank line; it goes on over wrapped lines (a blank line inside a footnote is skipped
    when the text goes on in lower case or with an `a)` item) and ends at a line starting
    with a space (the body resuming), a running header, or a blank line before other text.
    """
    notes: dict[int, list[str]] = {}
    expected = 1
    i = 0
    while i < len(lines):
        match = FOOTNOTE_RE.match(lines[i])
        if not (match and int(match.group(1)) == expected and (i == 0 or not lines[i - 1].strip())):
            i += 1
            continue
        current = expected
        while i < len(lines):
            line = lines[i]
            match = FOOTNOTE_RE.match(line)
            if match and int(match.group(1)) == expected:
                current = expected
                notes[current] = [match.group(2)]
                expected += 1
            elif not line.strip():
                following = next((x for x in lines[i + 1 :] if x.strip()), "")
                continues = following[:1].islower() or FOOTNOTE_ITEM_RE.match(following)
                nxt = FOOTNOTE_RE.match(following)
                if not (continues or (nxt and int(nxt.group(1)) == expected)):
                    break
            elif line.startswith(" ") or _is_running_header(line):
                break
            else:
                notes[current].append(line)
            lines[i] = ""
            i += 1
    return {n: _unwrap(text) for n, text in notes.items()}


def _parse(lines: list[str]) -> list[Heading | Block]:
    """Headings and blocks. A block ends at a blank line or a line of one space; a line that
    starts with a space starts a new block (a new page or column: `_merge` decides whether
    it continues the paragraph before), and so does a line after a short sentence-final line
    (a paragraph break the extraction lost)."""
    sections = list(SECTIONS)
    parts: list[Heading | Block] = []
    block = Block()

    def flush() -> None:
        nonlocal block
        if block.lines:
            parts.append(block)
        block = Block()

    for line in lines:
        stripped = line.strip()
        if sections and stripped == sections[0][0]:
            flush()
            title, level, mark = sections.pop(0)
            title = title.rstrip(":")
            parts.append(Heading(level, sentence_case(title) if title.isupper() else title, mark))
        elif not stripped or _is_running_header(line):
            flush()
        else:
            if line.startswith(" ") or (
                block.lines
                and len(block.last) < 60
                and block.last.endswith((".", "!", "?"))
                and stripped[:1].isupper()
                and not block.first.startswith(BULLET)
            ):
                flush()
            block.lines.append(line)
    flush()
    if sections:
        raise ValueError(f"004: section titles not found: {[s[0] for s in sections]}")
    return parts


def _is_quote_box(block: Block) -> bool:
    """A quote box: quoted text, then optionally a dash and its source (a law)."""
    text = _unwrap(block.lines)
    return text.startswith(QUOTE_OPEN) and bool(re.search(r"[»\"”]\.?(\s+[-–]\s+\S.*)?$", text))


def _is_paragraph(part: Heading | Block) -> bool:
    return isinstance(part, Block) and not part.first.startswith(BULLET) and not _is_quote_box(part)


def _merge(parts: list[Heading | Block]) -> list[Heading | Block]:
    """Join text that continues a paragraph cut by a page break or a footnote block: it starts
    in lower case after a paragraph (or bullet) that does not end a sentence. Quote boxes that
    stood between the two halves are moved after the joined paragraph."""
    out: list[Heading | Block] = []
    for part in parts:
        if isinstance(part, Block) and part.first[:1].islower():
            k = len(out) - 1
            while k >= 0 and isinstance(out[k], Block) and _is_quote_box(out[k]):
                k -= 1
            target = out[k] if k >= 0 else None
            if isinstance(target, Block) and not target.last.endswith(SENTENCE_END):
                target.lines.extend(part.lines)
                boxes = out[k + 1 :]
                del out[k + 1 :]
                out.extend(boxes)
                continue
        out.append(part)
    return out


class _Footnotes:
    """Turns glued markers into `[^n]` in document order and collects the definitions that
    belong at the end of the current top-level section."""

    def __init__(self, texts: dict[int, str]) -> None:
        self.texts = texts
        self.next = 1
        self.pending: list[int] = []

    def mark(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            numbers = [int(n) for n in (match.group("before") or match.group("after")).split(",")]
            if numbers != list(range(self.next, self.next + len(numbers))) or numbers[-1] not in self.texts:
                return match.group(0)
            self.next += len(numbers)
            self.pending.extend(numbers)
            refs = "".join(f"[^{n}]" for n in numbers)
            # A marker printed before its word goes after it: `BEON/LEON-prinsippet[^1]`.
            return f"{match.group('word')}{refs}" if match.group("before") else refs

        return MARKER_RE.sub(replace, text)

    def flush(self) -> list[str]:
        out = [f"[^{n}]: {self.texts[n]}" for n in self.pending]
        self.pending = []
        return out


def _table(blocks: list[Block], labels: set[str]) -> str:
    """A GitHub pipe table from the flattened rows `Label 215 238 251 …` under a header
    `Type tjeneste 2014 … 2021`. A label may wrap onto lines before its numbers. A row with no
    numbers (`Annet (RPH) RPH gir standard antall samtaletimer`) is split after a row label
    known from this or an earlier table (`labels`, updated here); the rest of its text goes
    in the first value column (a merged cell in the original)."""
    lines = [line.strip() for block in blocks for line in block.lines]
    header_words = lines[0].split()
    years = [w for w in header_words if NUMBER_RE.match(w)]
    header = [" ".join(w for w in header_words if not NUMBER_RE.match(w)), *years]
    rows: list[list[str]] = []
    pending: list[str] = []
    for line in lines[1:]:
        words = line.split()
        split = len(words)
        while split > 0 and NUMBER_RE.match(words[split - 1]):
            split -= 1
        pending.extend(words[:split])
        if split < len(words):
            rows.append([" ".join(pending), *words[split:]])
            labels.add(rows[-1][0])
            pending = []
    if pending:
        text = " ".join(pending)
        label = next((known for known in sorted(labels) if text.startswith(known + " ")), text)
        rows.append([label, text[len(label) :].strip()])
    width = len(header)
    rows = [row + [""] * (width - len(row)) for row in rows]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def _render(parts: list[Heading | Block], notes: _Footnotes) -> list[str]:
    """Markdown blocks: headings (footnote definitions flushed before each top-level one),
    table captions with their tables, `- ` lists, the figure caption in italics, quote boxes
    as block quotes, paragraphs."""
    out: list[str] = []
    table_labels: set[str] = set()
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, Heading):
            if part.level == 1:
                out.extend(notes.flush())
            out.append(heading(None, part.text, level=part.level, mark=part.mark))
            i += 1
            continue
        if TABLE_CAPTION_RE.match(part.first):
            # The caption, then the table: every block up to the next heading or caption.
            out.append(_unwrap(part.lines))
            j = i + 1
            while j < len(parts) and isinstance(parts[j], Block) and not TABLE_CAPTION_RE.match(parts[j].first):
                j += 1
            out.append(_table(parts[i + 1 : j], table_labels))
            i = j
            continue
        if part.first.startswith(BULLET):
            items: list[str] = []
            while i < len(parts) and isinstance(parts[i], Block) and parts[i].first.startswith(BULLET):
                items.extend(bullet_items(_protect_hyphens(parts[i].lines)))
                i += 1
            out.append("\n".join(f"- {notes.mark(item)}" for item in items))
            continue
        text = notes.mark(_unwrap(part.lines))
        if FIGURE_CAPTION_RE.match(text):
            out.append(f"*{text}*")  # the figure itself is not in the text
        elif _is_quote_box(part):
            out.append(f"> {text}")
        else:
            out.append(text)
        i += 1
    out.extend(notes.flush())
    return out


def convert(lines: list[str]) -> str:
    lines = _drop_repeated_run(list(lines))
    footnotes = _extract_footnotes(lines)
    parts = _merge(_parse(lines))
    notes = _Footnotes(footnotes)
    body = _render(parts, notes)
    if notes.next != len(footnotes) + 1:
        raise ValueError(f"004: footnote {notes.next} has no marker in the body")
    return render(body)
