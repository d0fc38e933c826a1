"""002: Pasientforløp for personer med samtidig rusmiddellidelse og psykisk lidelse (ca. 2018).

The raw text is a PDF extraction of an Omsorgsbiblioteket knowledge summary. What the
conversion has to deal with (see shared/sources/STRUCTURE.md §3):

- Headings in CAPS: `1. INNLEDNING` (chapters, titles wrapped over several caps lines),
  `4.3 KUNNSKAP OM …` (sections), unnumbered caps sub-heads (`PASIENTFORLØP`, the twelve
  models of 4.9). The running header `PASIENTFORLØP FOR PERSONER MED …` and lone page
  numbers are layout noise.
- Chapter 3 is a register of 48 laws, regulations, public documents and guidelines, each
  entry opened by its mixed-case title. The entries become headings one level below their
  section, because the paragraphs below them cite the law implicitly ("Etter § 8 skal …").
  The titles are listed in `ENTRY_TITLES` exactly as the source gives them.
- 12 footnotes numbered through the document; the marker is glued after punctuation
  (`resultater.1`), the text sits at the page bottom, often in the middle of a paragraph
  that resumes on the next line with a leading space.
- End matter: a dump of hyperlink URLs and the series list "Publikasjoner i serien" (with
  footnote 12) are back matter and dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.convert.cleaning import (
    BULLET,
    bullet_items,
    heading,
    is_caps,
    render,
    sentence_case,
    unwrap,
)

META = {
    "id": "pasientforlop-rop-2018",
    "title": "Pasientforløp for personer med samtidig rusmiddellidelse og psykisk lidelse – kunnskapsoppsummering",
    "short_title": "Pasientforløp ROP – kunnskapsoppsummering",
    "publisher": "Omsorgsbiblioteket / Senter for omsorgsforskning, sør",
    "year": 2018,
    "doc_number": None,
    "kind": "kunnskapsoppsummering",
    "status": "gjeldende",
    "supersedes": [],
    "superseded_by": [],
    "source_file": "002_e0435eb9d0208db3.txt",
    "note": "Årstall utledet: litteratursøket ble avsluttet 2. januar 2018.",
}

RUNNING_HEADER = "PASIENTFORLØP FOR PERSONER MED SAMTIDIG RUSMIDDELLIDELSE OG PSYKISK LIDELSE"

# Unnumbered front parts (level 1), keyed by their caps title with wrapped lines joined.
FRONT_PARTS = {"SAMMENDRAG": "Sammendrag", "ABSTRACT IN ENGLISH": "Abstract in English"}

# Caps titles that `sentence_case` cannot get right on its own.
TITLE_FIXES = {"SPoR VESTFOLD": "SPoR Vestfold", "ACT-TEAM": "ACT-team", "FACT-TEAM": "FACT-team"}
# Words that `sentence_case` lowers or keeps wrongly: a proper noun and a genitive acronym.
WORD_FIXES = {"stortinget": "Stortinget", "NAVS": "NAVs"}

# The document entries of chapter 3, in source order, exactly as the source writes them
# (wrapped title lines joined with one space). 3.1: 7 laws, 3.2: 5 regulations,
# 3.3: 26 public documents, 3.4: 10 guidelines = the 48 documents the conclusion counts.
ENTRY_TITLES: tuple[str, ...] = (
    # 3.1 Lover
    "Lov om behandling av helseopplysninger ved ytelse av helsehjelp (pasientjournalloven)",
    "Lov om etablering og gjennomføring av psykisk helsevern (psykisk helsevernloven)",
    "Lov om helseforetak m.m. (helseforetaksloven)",
    "Lov om kommunale helse- og omsorgstjenester m.m. (helse- og omsorgstjenesteloven)",
    "Lov om pasient- og brukerrettigheter (pasient- og brukerrettighetsloven)",
    "Lov om sosiale tjenester i arbeids- og velferdsforvaltningen (sosialtjenesteloven)",
    "Lov om spesialisthelsetjenesten m.m. (spesialisthelsetjenesteloven)",
    # 3.2 Forskrifter
    "Forskrift om fastlegeordning i kommunene",
    "Forskrift om habilitering og rehabilitering, individuell plan og koordinator",
    "Forskrift om kommunal betaling for utskrivingsklare pasienter",
    "Forskrift om kvalitet i pleie- og omsorgstjenestene for tjenesteyting",
    "Forskrift om pasientjournal",
    # 3.3 Offentlige utredninger, proposisjoner, nasjonale strategier og meldinger til Stortinget
    "St.meld.nr. 69 (1991–92). Tiltak for rusmiddelmisbrukere",
    "St.meld. nr. 25 (1996–97). Åpenhet og helhet: Om psykiske lidelser og tjenestetilbudene",
    "St.prp. nr. 63 (1997–98). Om opptrappingsplan for psykisk helse 1999–2006",
    "Ot.prp. nr. 3 (2002–2003). Statlig overtakelse av deler av fylkeskommunens ansvar for rusmiddelmisbrukere",
    "Ot.prp. nr. 54 (2002–2003). Rusreform II og rett til individuell plan",
    "NOU 2004: 18. Helhet og plan i sosial- og helsetjenestene: Samordning og samhandling i "
    "kommunale sosial- og helsetjenester",
    "NOU 2005: 3. Fra stykkevis til helt: En sammenhengende helsetjeneste",
    "St.meld. nr. 25 (2005–2006). Mestring, muligheter og mening: Framtidas omsorgsutfordringer",
    "Nasjonal strategiplan for arbeid og psykisk helse, 2007–2012",
    "Opptrappingsplan for rusfeltet 2007–2012",
    "Samspill 2.0: Nasjonal strategi for elektronisk samhandling i helse- og omsorgssektoren 2008–2013",
    "St.meld. nr. 47 (2008–2009). Samhandlingsreformen: Rett behandling – på rett sted – til rett tid",
    "Meld. St. 16 (2010–2011). Nasjonal helse- og omsorgsplan (2011–2015)",
    "NOU 2011: 15. Rom for alle",
    "Meld. St. 30 (2011–2012). Se meg! En helhetlig rusmiddelpolitikk: Alkohol – narkotika – doping",
    "Meld. St. 10 (2012–2013). God kvalitet – trygge tjenester: Kvalitet og pasientsikkerhet i helse- "
    "og omsorgstjenesten",
    "Meld. St. 17 (2012–2013). Byggje – bu – leve: Ein bustadpolitikk for den einskilde, samfunnet "
    "og framtidige generasjonar",
    "Oppfølgingsplan for arbeid og psykisk helse (2013–2016)",
    "HelseOmsorg21: Et kunnskapssystem for bedre folkehelse: Nasjonal forsknings- og "
    "innovasjonsstrategi for helse og omsorg",
    "Meld. St. 19. (2014–2015). Folkehelsemeldingen – mestring og muligheter",
    "Meld. St. 26 (2014-2015). Fremtidens primærhelsetjeneste – nærhet og helhet",
    "Bolig for velferd: Nasjonal strategi for boligsosialt arbeid (2014–2020)",
    "Omsorg 2020: Regjeringens plan for omsorgsfeltet 2015–2020",
    "Prop. 15 S (2015–2016). Opptrappingsplanen for rusfeltet (2016–2020)",
    "Meld. St. 11 (2015–2016). Nasjonal helse- og sykehusplan (2016–2019)",
    "Mestre hele livet: Regjeringens strategi for god psykisk helse (2017–2022)",
    # 3.4 Faglige veiledere og nasjonale retningslinjer
    "Samhandlingsreformen: Lovpålagte samarbeidsavtaler mellom kommuner og regionale helseforetak (nasjonal veileder)",
    "Bruk av pleie- og omsorgsmeldinger i pasientforløp: Veiviser for helsepersonell og saksbehandlere",
    "Nasjonal faglig retningslinje for utredning, behandling og oppfølging av personer med samtidig "
    "ruslidelse og psykisk lidelse – ROP-lidelser: Sammensatte tjenester – samtidig behandling.",
    "Sammen om mestring: Veileder i lokalt psykisk helsearbeid og rusarbeid for voksne: Et verktøy "
    "for kommuner og spesialisthelsetjenesten",
    "Prioriteringsveileder – psykisk helsevern for voksne",
    "Prioriteringsveileder – tverrfaglig spesialisert rusbehandling (TSB)",
    "Nasjonal faglig retningslinje for behandling og rehabilitering av rusmiddelproblemer og avhengighet",
    "Kommunenes plikt til øyeblikkelig hjelp døgnopphold: Veiledningsmateriell",
    # Glued to its first body sentence on the same line in the source (l.1022).
    "Veileder om rehabilitering, habilitering, individuell plan og koordinator",
    "Veileder for oppfølging av personer med store og sammensatte behov",
)

CHAPTER_RE = re.compile(r"^\s*(\d)\.\s+(\S.*)$")
SECTION_RE = re.compile(r"^\s*(\d\.\d)\s+(\S.*)$")
PAGE_NUMBER_RE = re.compile(r"^\s*\d{1,3}\s*$")
URL_RE = re.compile(r"^\s*https?://")
FOOTNOTE_DEF_RE = re.compile(r"^(\d{1,2}) ([A-ZÆØÅ].*)$")
NUMBERED_ITEM_RE = re.compile(r"^\d\.\s+[A-ZÆØÅ][a-zæøå]")
# A footnote marker: 1–2 digits glued after a letter or punctuation (`resultater.1`,
# `2014b)9`, `pasienter;10`, `LAR-11`), followed by white space or the end of the text.
MARKER_RE = re.compile(r"(?<=[A-Za-zÆØÅæøå.,;:)»\-])(\d{1,2})(?=\s|$)")
SENTENCE_END = (".", "!", "?", ":")


@dataclass
class Block:
    """Consecutive non-blank body lines (one paragraph, list or quote in the making)."""

    lines: list[str] = field(default_factory=list)


@dataclass
class Heading:
    level: int
    text: str
    chapter_start: bool = False  # a new chapter or front part: footnotes are flushed before it


def _is_caps_line(line: str) -> bool:
    """A line in CAPS with some letters (a heading or a wrapped part of one)."""
    stripped = line.strip()
    return sum(c.isalpha() for c in stripped) >= 2 and is_caps(stripped)


def _title(caps: str) -> str:
    caps = re.sub(r"\s+", " ", caps).strip()
    if caps in TITLE_FIXES:
        return TITLE_FIXES[caps]
    return " ".join(WORD_FIXES.get(word, word) for word in sentence_case(caps).split(" "))


def _escape_block_start(text: str) -> str:
    """Keep a paragraph that starts like a Markdown list item a paragraph:
    `1. januar 2012 trådte …` -> `1\\. januar 2012 trådte …`."""
    return re.sub(r"^(\d+)([.)])(?=\s)", r"\1\\\2", text)


def _protect_hyphens(lines: list[str]) -> list[str]:
    """Keep a hyphen at the end of a line that `unwrap` would join away: after a mixed-case
    acronym (`SPoR-\\nprosjektet`) or before a capital (`Bøyum-\\nFolkeseth`)."""
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"(\b\w+[A-ZÆØÅ]\w*)-[ \t]*\n\s*(?=\w)", r"\1-", text)
    text = re.sub(r"([a-zæøå])-[ \t]*\n\s*(?=[A-ZÆØÅ])", r"\1-", text)
    return text.split("\n")


def _unwrap(lines: list[str]) -> str:
    return unwrap(_protect_hyphens(lines))


def _content_end(lines: list[str]) -> int:
    """Index of the first line of the back matter: the hyperlink URL dump (then the series list)."""
    for i, line in enumerate(lines):
        if URL_RE.match(line):
            return i
    return len(lines)


def _extract_footnotes(lines: list[str]) -> dict[int, str]:
    """Footnote texts by number; their lines are blanked in `lines` (in place).

    A footnote starts with its number at the start of a line (numbers run 1, 2, 3 … through
    the document, which keeps body lines such as `31 prosent av …` out) and runs to a blank
    line, the next footnote, or the line with a leading space where the body resumes.
    """
    notes: dict[int, list[str]] = {}
    expected = 1
    current: int | None = None
    for i, line in enumerate(lines):
        match = FOOTNOTE_DEF_RE.match(line)
        if match and int(match.group(1)) == expected:
            current = expected
            notes[current] = [match.group(2)]
            expected += 1
            lines[i] = ""
        elif current is not None and line.strip() and not line.startswith(" "):
            notes[current].append(line)
            lines[i] = ""
        else:
            current = None
    return {n: _unwrap(text) for n, text in notes.items()}


def _match_entry(lines: list[str], i: int, title: str) -> tuple[int, str] | None:
    """If the entry title starts at line i: (lines it spans, text left on its last line)."""
    joined = ""
    for k in range(i, min(i + 4, len(lines))):
        joined = f"{joined} {lines[k].strip()}".strip()
        if len(joined) >= len(title):
            if joined.startswith(title):
                return k - i + 1, joined[len(title) :].strip()
            return None
    return None


def _parse(lines: list[str]) -> list[Heading | Block]:
    """Headings and blocks of body lines, in reading order."""
    parts: list[Heading | Block] = []
    block = Block()
    entries = list(ENTRY_TITLES)
    depth = 0  # depth of the last numbered heading: unnumbered sub-heads go one below it
    chapter = ""

    def flush() -> None:
        nonlocal block
        if block.lines:
            parts.append(block)
        block = Block()

    def caps_continuation(start: int) -> tuple[str, int]:
        """The caps lines that continue a heading from line `start` on, and the next index."""
        extra = []
        j = start
        while j < len(lines) and lines[j].strip() and _is_caps_line(lines[j]) and not lines[j][:1].isdigit():
            extra.append(lines[j].strip())
            j += 1
        return " ".join(extra), j

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        chapter_match = CHAPTER_RE.match(line)
        section_match = SECTION_RE.match(line)
        if (chapter_match or section_match) and _is_caps_line((chapter_match or section_match).group(2)):
            flush()
            number, first = (chapter_match or section_match).groups()
            rest, i = caps_continuation(i + 1)
            title = _title(f"{first} {rest}")
            depth = len(number.split("."))
            if chapter_match:
                chapter = number
            parts.append(Heading(depth, f"{number} {title}", chapter_start=bool(chapter_match)))
            continue
        if _is_caps_line(line):
            flush()
            rest, i = caps_continuation(i + 1)
            caps = f"{stripped} {rest}".strip()
            if caps in FRONT_PARTS:
                depth = 0
                parts.append(Heading(1, FRONT_PARTS[caps], chapter_start=True))
            else:
                parts.append(Heading(depth + 1, _title(caps)))
            continue
        if chapter == "3" and entries and (found := _match_entry(lines, i, entries[0])):
            flush()
            span, remainder = found
            parts.append(Heading(depth + 1, entries.pop(0)))
            if remainder:
                block.lines.append(remainder)
            i += span
            continue
        block.lines.append(line)
        i += 1
    flush()
    if entries:
        raise ValueError(f"002: document entries not found in chapter 3: {entries}")
    return parts


def _split_paragraphs(block: Block) -> list[Block]:
    """Split a block where a page starts with a new paragraph: a line with a leading space
    that starts with a capital after a line that ends a sentence."""
    out = [Block()]
    for line in block.lines:
        previous = out[-1].lines[-1].rstrip() if out[-1].lines else ""
        if (
            previous.endswith((".", "!", "?", ")"))
            and line.startswith(" ")
            and line.strip()[:1].isupper()
            and not line.strip().startswith(BULLET)
        ):
            out.append(Block())
        out[-1].lines.append(line)
    return [b for b in out if b.lines]


def _continues(previous: Block, following: Block) -> bool:
    """True when `following` continues the paragraph of `previous` (interrupted by a page break,
    a footnote or a stray blank line): the text starts in lower case after a line that does
    not end a sentence."""
    first = following.lines[0].strip()
    return bool(first[:1].islower()) and not previous.lines[-1].rstrip().endswith(SENTENCE_END)


def _merge(parts: list[Heading | Block]) -> list[Heading | Block]:
    """Split blocks at lost paragraph breaks, then join the pieces of interrupted paragraphs."""
    merged: list[Heading | Block] = []
    for part in parts:
        pieces = _split_paragraphs(part) if isinstance(part, Block) else [part]
        for piece in pieces:
            last = merged[-1] if merged else None
            if isinstance(piece, Block) and isinstance(last, Block) and _continues(last, piece):
                last.lines.extend(piece.lines)
            else:
                merged.append(piece)
    return merged


class _Footnotes:
    """Turns glued markers into `[^n]` in document order and collects the definitions
    that belong at the end of the current chapter."""

    def __init__(self, texts: dict[int, str]) -> None:
        self.texts = texts
        self.next = 1
        self.pending: list[int] = []

    def mark(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if int(match.group(1)) != self.next or self.next not in self.texts:
                return match.group(0)
            self.pending.append(self.next)
            self.next += 1
            return f"[^{self.pending[-1]}]"

        return MARKER_RE.sub(replace, text)

    def flush(self) -> list[str]:
        out = [f"[^{n}]: {self.texts[n]}" for n in self.pending]
        self.pending = []
        return out


def _render(parts: list[Heading | Block], notes: _Footnotes) -> list[str]:
    """Markdown blocks: headings, `- `/`1. ` lists (a run of list blocks is one list),
    paragraphs, and block quotes for the long quotations, which are the paragraphs that
    follow a paragraph ending in a colon (four in the source: l.722, 951, 2013, 2560)."""
    out: list[str] = []
    previous_text = ""  # the last paragraph rendered: a quotation follows one that ends in ':'
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, Heading):
            if part.chapter_start:
                out.extend(notes.flush())
            out.append(heading(None, part.text, level=part.level))
            previous_text = ""
            i += 1
            continue
        first = part.lines[0].strip()
        if first.startswith(BULLET) or NUMBERED_ITEM_RE.match(first):
            # A run of list blocks (the source puts blank lines between items) is one list.
            numbered = not first.startswith(BULLET)
            items: list[str] = []
            while i < len(parts) and isinstance(parts[i], Block):
                head = parts[i].lines[0].strip()
                if numbered and NUMBERED_ITEM_RE.match(head):
                    items.append(_unwrap(parts[i].lines))
                elif not numbered and head.startswith(BULLET):
                    items.extend(bullet_items(_protect_hyphens(parts[i].lines)))
                else:
                    break
                i += 1
            if numbered:
                out.append("\n".join(notes.mark(item) for item in items))
            else:
                out.append("\n".join(f"- {notes.mark(item)}" for item in items))
            previous_text = ""
            continue
        text = _escape_block_start(notes.mark(_unwrap(part.lines)))
        out.append(f"> {text}" if previous_text.endswith(":") else text)
        previous_text = "" if previous_text.endswith(":") else text
        i += 1
    out.extend(notes.flush())
    return out


def convert(lines: list[str]) -> str:
    lines = list(lines[: _content_end(lines)])
    footnotes = _extract_footnotes(lines)
    for i, line in enumerate(lines):
        if line.strip() == RUNNING_HEADER or PAGE_NUMBER_RE.match(line):
            lines[i] = ""
    parts = _merge(_parse(lines))
    notes = _Footnotes(footnotes)
    body = _render(parts, notes)
    # Footnote 12 belongs to the dropped series list, so 1–11 must all be cited in the body.
    if notes.next != len(footnotes) + 1:
        raise ValueError(f"002: footnote {notes.next} has no marker in the body")
    return render(body)
