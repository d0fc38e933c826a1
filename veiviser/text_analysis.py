"""Norwegian text analysis, shared by ingest and search: words, stems, compound parts, typo
mapping, BM25 term weights as sparse vectors for Qdrant, and letters-only matching.

Terms are Snowball-Norwegian stems of the words that are not stop words. Compound words are
also split into parts found in the corpus vocabulary (rusmiddelproblemer -> rusmiddel + problem),
so a query for "rusproblem" meets "rusmiddelproblemer" half way. Query words that the corpus
never uses (typos, Nynorsk forms) are mapped to the nearest corpus word by edit distance.
Qdrant multiplies the document-side BM25 weights by IDF (the collection's `Modifier.IDF`).
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import Stemmer
from rapidfuzz import fuzz, process

K1 = 1.2
B = 0.75
COMPOUND_WEIGHT = 0.5
MIN_PART = 3
_WORD = re.compile(r"[a-zæøåäöéüA-ZÆØÅÄÖÉÜ]+|\d+[a-z]?")


@lru_cache
def stop_words() -> frozenset[str]:
    text = resources.files("veiviser").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@lru_cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("norwegian")


def words(text: str) -> list[str]:
    """Lower-cased words that are not stop words."""
    stops = stop_words()
    return [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in stops]


@lru_cache(maxsize=8192)
def letters(text: str) -> str:
    """Only the letters, lower-cased: for matching a quoted snippet regardless of case, whitespace,
    hyphenation, punctuation and footnote markers. Cached: each passage is matched against every bank
    entry of its section."""
    return "".join(c for c in text.lower() if c.isalpha())


def term_id(term: str) -> int:
    """A stable sparse-vector index for a term."""
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


@dataclass
class LexicalAnalyzer:
    """Vocabulary and length statistics of the indexed corpus, saved with the index."""

    vocabulary: dict[str, int] = field(default_factory=dict)  # word -> document frequency
    avg_length: float = 1.0
    _split_cache: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def fit(cls, texts: list[str]) -> LexicalAnalyzer:
        vocabulary: Counter[str] = Counter()
        lengths = []
        for text in texts:
            tokens = words(text)
            lengths.append(len(tokens))
            vocabulary.update(set(tokens))
        return cls(dict(vocabulary), sum(lengths) / max(len(lengths), 1))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"vocabulary": self.vocabulary, "avg_length": self.avg_length}), "utf-8")

    @classmethod
    def load(cls, path: Path) -> LexicalAnalyzer:
        raw = json.loads(path.read_text("utf-8"))
        return cls(raw["vocabulary"], raw["avg_length"])

    def compound_parts(self, word: str) -> list[str]:
        """Split a compound into two or three corpus words (with a linking s/e allowed)."""
        if word in self._split_cache:
            return self._split_cache[word]
        parts = self._split(word, depth=0) if len(word) >= 2 * MIN_PART + 1 else []
        self._split_cache[word] = parts
        return parts

    def _split(self, word: str, depth: int) -> list[str]:
        best: list[str] = []
        for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, tail = word[:i], word[i:]
            heads = [head] + ([head[:-1]] if head[-1] in "se" and len(head) > MIN_PART else [])
            for h in heads:
                if h not in self.vocabulary or len(h) < MIN_PART:
                    continue
                if tail in self.vocabulary:
                    return [h, tail]
                if depth == 0 and len(tail) >= 2 * MIN_PART:
                    rest = self._split(tail, depth + 1)
                    if rest and not best:
                        best = [h, *rest]
        return best

    def correct(self, word: str) -> str:
        """The word itself when the corpus knows it, else the closest corpus word (typos, Nynorsk)."""
        if word in self.vocabulary or len(word) < 4 or word.isdigit():
            return word
        match = process.extractOne(word, self.vocabulary.keys(), scorer=fuzz.ratio, score_cutoff=80)
        return match[0] if match else word

    def terms(self, text: str, correct: bool = False) -> Counter[str]:
        """Weighted stem counts of a text: whole words 1, compound parts COMPOUND_WEIGHT each."""
        stem = _stemmer().stemWord
        counts: Counter[str] = Counter()
        for word in words(text):
            if correct:
                word = self.correct(word)
            counts[stem(word)] += 1.0
            for part in self.compound_parts(word):
                counts[stem(part)] += COMPOUND_WEIGHT
        return counts

    def coverage(self, text: str) -> float:
        """Share of the text's words (3+ letters) the corpus knows: as written, by stem, as a
        compound of corpus words, or (half) after typo correction."""
        stem = _stemmer().stemWord
        if not hasattr(self, "_stems"):
            self._stems = {stem(w) for w in self.vocabulary}
        candidates = [w for w in words(text) if len(w) > 2 and not w.isdigit()]
        if not candidates:
            return 1.0
        known = 0.0
        for word in candidates:
            if word in self.vocabulary or stem(word) in self._stems or self.compound_parts(word):
                known += 1
            elif self.correct(word) != word:
                known += 0.5
        return known / len(candidates)

    def document_vector(self, text: str) -> tuple[list[int], list[float]]:
        """BM25 term-frequency weights (IDF is applied by Qdrant)."""
        counts = self.terms(text)
        length = sum(counts.values())
        norm = K1 * (1 - B + B * length / self.avg_length)
        merged: dict[int, float] = {}
        for term, tf in counts.items():
            idx = term_id(term)
            merged[idx] = merged.get(idx, 0.0) + tf * (K1 + 1) / (tf + norm)
        return list(merged), list(merged.values())

    def query_vector(self, text: str, correct: bool = True) -> tuple[list[int], list[float]]:
        """Each query term once (weight at most 1), typos corrected unless `correct` is off."""
        counts = self.terms(text, correct=correct)
        merged: dict[int, float] = {}
        for term, weight in counts.items():
            idx = term_id(term)
            merged[idx] = max(merged.get(idx, 0.0), min(weight, 1.0))
        return list(merged), list(merged.values())
