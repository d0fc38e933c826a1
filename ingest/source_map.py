"""Locating corpus text in its raw source file, for `source_lines` citations.

The corpus Markdown is the source text cleaned, never reworded, so a passage can be found in
the raw file once both are reduced to their letters (no whitespace, hyphens, digits or
punctuation, which is exactly what layout repair changes).
"""

from __future__ import annotations

import bisect
from pathlib import Path

PROBE = 40  # letters matched at each end of a block


def letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


class SourceMap:
    """A raw source file as a letters-only stream with a map back to line numbers."""

    def __init__(self, path: Path):
        self.stream_parts: list[str] = []
        self.line_starts: list[int] = []
        offset = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            self.line_starts.append(offset)
            part = letters(line)
            self.stream_parts.append(part)
            offset += len(part)
        self.stream = "".join(self.stream_parts)

    def line_of(self, offset: int) -> int:
        """1-based line holding the letter at `offset`."""
        return bisect.bisect_right(self.line_starts, offset)

    def _find(self, probe: str, after: int) -> int:
        pos = self.stream.find(probe, after)
        return pos if pos >= 0 else self.stream.find(probe)

    def locate(self, text: str, after: int = 0) -> tuple[int, int, int] | None:
        """(first line, last line, end offset) of `text` in the source, searching from `after`
        first so that repeated passages resolve in reading order; None when not found."""
        stream = letters(text)
        if not stream:
            return None
        head, tail = stream[:PROBE], stream[-PROBE:]
        start = self._find(head, after)
        if start < 0:
            return None
        end = self.stream.find(tail, start)
        if end < 0 or end - start > len(stream) * 3 + 2000:
            end = start + len(head) - len(tail)
        last = end + len(tail) - 1
        return self.line_of(start), self.line_of(last), last + 1
