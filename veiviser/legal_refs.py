"""Legal references in free text -> normalised keys (`hol § 3-2`, `pbrl kap. 3`, `phvl`).

Shared by ingest (references cited by a passage and its footnotes) and search (a law
reference typed in a query). Rules, in order, for attributing a `§` to a law:
1. a law name just before it (`helse- og omsorgstjenesteloven § 3-2`, `helsepersonellovens § 33`);
2. a law name just after it (`§ 4.1 i psykisk helsevernloven`, `kapittel 3 i pasient- og …loven`);
3. the law of the previous reference in the same sentence (`§ 3-8, jf. § 3-2`);
4. the law named by the section heading (002: "Etter § 8 skal …" under the pasientjournalloven entry).
A `§` that none of these attributes is left out rather than guessed.
"""

from __future__ import annotations

import re

from veiviser.laws import LawMention, find_law_mentions

_PARA = r"\d+(?:\s?[A-H](?=\s?[-–]\s?\d))?(?:\s?[-–.]\s?\d+)?(?:\s?[a-hA-H](?![\wæøåÆØÅ]))?"
_PARA_LIST = rf"{_PARA}(?:\s*(?:,|og|eller)\s*{_PARA})*"
PARAGRAPH_RE = re.compile(rf"(?:§\s*§|§§|§)\s*(?P<list>{_PARA_LIST})")
_CHAPTER = r"(?:\d+(?:\s?[A-Z](?![\wæøå]))?|[IVX]+)\b(?!\.\d)"
CHAPTER_RE = re.compile(rf"\b(?:[Kk]apittel|[Kk]ap\.)\s*(?P<num>{_CHAPTER}(?:\s*(?:,|og)\s*{_CHAPTER})*)")
_PIPE_FOR_PARAGRAPH = re.compile(r"(loven?s?)\s*\|\s*(?=\d)", re.IGNORECASE)
_SINGLE_PARA = re.compile(_PARA)

_BEFORE_GAP = re.compile(r"^[\s,()\-–]*(?:\((?:[^()§]{0,40})\))?[\s,()]*(?:(?:i|etter|jf\.?|jfr\.?)\s+)?$")
_AFTER_GAP = re.compile(
    r"^[\s,]*(?:(?:første|andre|annet|tredje|fjerde|femte|ledd|nr\.?|bokstav|punktum|pkt\.?|[a-h]|\d+)[\s,]*)*"
    r"\s*(?:i|etter)\s+(?:den\s+nye\s+)?$",
    re.IGNORECASE,
)


def normalise_paragraph(raw: str) -> str:
    """`3–4`, `3.2`, `2 -1`, `2-1 a`, `10 a`, `4 A–2` -> `3-4`, `3-2`, `2-1`, `2-1a`, `10a`, `4A-2`
    (a capital letter before the dash belongs to the chapter: opplæringslova chapter 4A)."""
    raw = raw.strip()
    m = re.fullmatch(r"(\d+)(?:\s?([A-H])(?=\s?[-–]))?(?:\s?[-–.]\s?(\d+))?(?:\s?([a-hA-H]))?", raw)
    if not m:
        return re.sub(r"\s+", "", raw)
    number = m.group(1) + (m.group(2) or "") + (f"-{m.group(3)}" if m.group(3) else "")
    return number + (m.group(4).lower() if m.group(4) else "")


def _split_list(raw: str) -> list[str]:
    return [normalise_paragraph(p.group(0)) for p in _SINGLE_PARA.finditer(raw)]


def _law_before(mentions: list[LawMention], text: str, pos: int) -> str | None:
    for mention in reversed(mentions):
        if mention.end > pos:
            continue
        gap = text[mention.end : pos]
        if len(gap) <= 45 and _BEFORE_GAP.match(gap):
            return mention.key
        return None
    return None


def _law_after(mentions: list[LawMention], text: str, end: int) -> str | None:
    for mention in mentions:
        if mention.start < end:
            continue
        gap = text[end : mention.start]
        if len(gap) <= 60 and _AFTER_GAP.match(gap):
            return mention.key
        return None
    return None


def _sentence_start(text: str, pos: int) -> int:
    starts = [m.end() for m in re.finditer(r"[.!?]\s+(?=[A-ZÆØÅ«])|\n", text[:pos])]
    return starts[-1] if starts else 0


def extract_legal_refs(text: str, year: int | None = None, context_law: str | None = None) -> list[str]:
    """Normalised legal references in `text`, in order of first appearance, without duplicates.

    `year` is the document's year (selects the era of ambiguous law names); `context_law` is the
    law the surrounding section is about, used for a `§` that names no law.
    """
    text = _PIPE_FOR_PARAGRAPH.sub(r"\1 § ", text)
    mentions = find_law_mentions(text, year)
    refs: list[tuple[int, str]] = []
    cited_laws: set[str] = set()
    last: tuple[int, str] | None = None  # (sentence start, law) of the previous attributed reference

    expressions: list[tuple[int, int, str, list[str]]] = []
    for m in PARAGRAPH_RE.finditer(text):
        expressions.append((m.start(), m.end(), "§", _split_list(m.group("list"))))
    for m in CHAPTER_RE.finditer(text):
        chapters = [c.replace(" ", "") for c in re.split(r"\s*(?:,|og)\s*", m.group("num"))]
        expressions.append((m.start(), m.end(), "kap.", chapters))
    expressions.sort()

    for start, end, kind, numbers in expressions:
        law = _law_before(mentions, text, start) or _law_after(mentions, text, end)
        sentence = _sentence_start(text, start)
        if law is None and last is not None and last[0] == sentence and kind == "§":
            law = last[1]
        if law is None and kind == "§":
            law = context_law
        if law is None:
            continue
        last = (sentence, law)
        cited_laws.add(law)
        for number in numbers:
            refs.append((start, f"{law} {kind} {number}"))

    for mention in mentions:
        if mention.key not in cited_laws:
            refs.append((mention.start, mention.key))
            cited_laws.add(mention.key)

    seen: dict[str, None] = {}
    for _, ref in sorted(refs, key=lambda r: r[0]):
        seen.setdefault(ref, None)
    return list(seen)
