"""Sentence spans of a passage: the unit for sentence-level matching and for highlights."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (or a closing quote after one) followed by space and a capital,
# a digit, a quote or a bullet; list items and paragraphs always end one.
_BOUNDARY = re.compile(r"(?<=[.!?])[»”\"]?\s+(?=[A-ZÆØÅ«\"(\d–-])|\n+")
_ABBREVIATIONS = ("f.eks.", "bl.a.", "jf.", "jfr.", "nr.", "kap.", "ca.", "mv.", "m.m.", "dvs.", "pkt.", "s.", "St.",
                  "Meld.", "Prop.", "tlf.", "mill.", "o.l.", "m.fl.", "e.l.", "evt.", "ev.", "iht.")
MIN_WORDS = 3


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, list markers excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start()].rstrip()
        if m.group(0).strip() == "" and "\n" not in m.group(0) and before.endswith(_ABBREVIATIONS):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        segment = text[s:e]
        lead = len(segment) - len(segment.lstrip(" -•\t"))
        s += lead
        e = s + len(text[s:e].rstrip())
        if e > s and len(text[s:e].split()) >= 1:
            out.append((s, e))
    return out


def sentences(text: str, min_words: int = MIN_WORDS) -> list[tuple[int, int, str]]:
    """Sentences with at least `min_words` words, as (start, end, text)."""
    return [(s, e, text[s:e]) for s, e in sentence_spans(text) if len(text[s:e].split()) >= min_words]
