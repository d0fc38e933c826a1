"""Text repairs shared by the source converters: PDF extraction leaves the same kinds of damage
in every document (hyphenation, wrapped lines, caps headings, bullet glyphs)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

BULLET = "•"

# Acronyms and proper nouns kept as written when a CAPS heading is put in sentence case.
KEEP_CASE = {
    "ACT", "AKAN", "BEON", "BPA", "DPS", "FACT", "HELFO", "HF", "IKT", "IP", "IPS", "KAD", "KOR",
    "LAR", "LEON", "LMS", "MI", "NAV", "NAVS", "PLO", "PPT", "RHF", "ROP", "RPH", "SE", "SLT", "TSB",
    "TUD", "KID", "PTSD", "E-HELSE", "FACT-TEAM", "ACT-TEAM", "KS",
}
PROPER_NOUNS = {
    "norge": "Norge", "bærum": "Bærum", "kristiansund": "Kristiansund", "romeriksmodellen": "Romeriksmodellen",
    "sarpsborgmodellen": "Sarpsborgmodellen", "statped": "Statped", "helsedirektoratet": "Helsedirektoratet",
    "housing": "Housing", "first": "First", "supported": "Supported", "employment": "Employment",
    "english": "English", "brobyggermodellen": "Brobyggermodellen",
}


def read_lines(path: Path) -> list[str]:
    """The file's lines without line endings; index i holds source line i + 1."""
    return path.read_text(encoding="utf-8").splitlines()


_ELISION = re.compile(r"(\w)-[ \t]*\n\s*(og|eller|samt|til)\b")
_ACRONYM_HYPHEN = re.compile(r"\b([A-ZÆØÅ]{2,}[0-9]*)-[ \t]*\n\s*(\w)")
_WORD_HYPHEN = re.compile(r"([a-zæøåA-ZÆØÅ])-[ \t]*\n\s*([a-zæøå])")


def join_hyphenation(text: str) -> str:
    """Join end-of-line hyphenation inside a block of wrapped lines.

    `Samhandlings-\\nreformen` -> `Samhandlingsreformen`; `helse-\\nog` -> `helse- og`
    (a compound elision keeps its hyphen); `ROP-\\nlidelser` -> `ROP-lidelser` (acronyms keep it).
    """
    text = _ELISION.sub(r"\1- \2", text)
    text = _ACRONYM_HYPHEN.sub(r"\1-\2", text)
    text = _WORD_HYPHEN.sub(r"\1\2", text)
    return text


def unwrap(lines: Iterable[str]) -> str:
    """One paragraph from wrapped lines: hyphenation joined, whitespace collapsed."""
    text = join_hyphenation("\n".join(line.rstrip() for line in lines))
    text = text.replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def blocks(lines: list[str], start: int = 0, end: int | None = None) -> list[tuple[int, list[str]]]:
    """Split lines[start:end] at blank lines into (index of first line, lines) blocks."""
    end = len(lines) if end is None else end
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = start
    for i in range(start, end):
        if lines[i].strip():
            if not current:
                first = i
            current.append(lines[i])
        elif current:
            out.append((first, current))
            current = []
    if current:
        out.append((first, current))
    return out


def sentence_case(title: str) -> str:
    """`BRUKERMEDVIRKNING GIR INNFLYTELSE` -> `Brukermedvirkning gir innflytelse`, acronyms kept."""
    words = re.split(r"(\s+)", title.strip())
    out = []
    first = True
    for w in words:
        if not w or w.isspace():
            out.append(w)
            continue
        core = w.strip("«»()\"',.:;–-")
        if core.upper() in KEEP_CASE and core.isupper():
            out.append(w)
        elif core.lower() in PROPER_NOUNS:
            out.append(w.replace(core, PROPER_NOUNS[core.lower()]))
        else:
            low = w.lower()
            if first:
                idx = next((i for i, ch in enumerate(low) if ch.isalpha()), None)
                if idx is not None:
                    low = low[:idx] + low[idx].upper() + low[idx + 1 :]
            out.append(low)
        first = False
    return "".join(out)


def is_caps(text: str, share: float = 0.9) -> bool:
    """True when at least `share` of the letters are upper case (a CAPS heading)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) >= share


def heading(number: str | None, title: str, level: int | None = None, mark: str | None = None) -> str:
    """A Markdown heading whose level is the depth of its number (or `level` when unnumbered)."""
    if level is None:
        level = len(number.split(".")) if number else 1
    text = f"{number} {title}" if number else title
    line = f"{'#' * level} {text}"
    return f"{{.{mark}}}\n{line}" if mark else line


def bullet_items(lines: list[str]) -> list[str]:
    """Split lines that hold `•` bullets (continuations wrapped or broken) into item texts."""
    items: list[list[str]] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(BULLET):
            items.append([stripped.lstrip(BULLET).strip()])
        elif items:
            items[-1].append(stripped)
        else:
            items.append([stripped])
    return [unwrap(item) for item in items]


def render(parts: Iterable[str]) -> str:
    """Join Markdown blocks with one blank line between them, ending in a newline."""
    return "\n\n".join(p.strip("\n") for p in parts if p and p.strip()) + "\n"
