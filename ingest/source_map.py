"""Locating corpus text in its raw source file, for `source_lines` citations.

The corpus Markdown is the source text cleaned, never reworded, so a passage can be found in
the raw file once both are reduced to their letters (no whitespace, hyphens, digits or
punctuation, which is exactly what layout repair changes).
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path

from veiviser.text_analysis import letters

PROBE = 40  # letters that locate the start of a block
MAX_PIECES = 8  # a block interrupted by layout noise or moved text is found in at most this many pieces
MIN_PIECE = 12  # letters in a piece (only the end of a block may be shorter)
REACH = 3000  # letters around a block's start within which its other pieces are looked for
MAX_CANDIDATES = 50  # places where a block's first letters occur that are tried


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

    def locate(self, text: str, after: int = 0, before: int | None = None) -> tuple[int, int, int] | None:
        """(first line, last line, end offset) of `text` in the source; None when not found.

        The nearest place at or after `after` wins, so that repeated passages resolve in reading
        order, unless it lies more than REACH letters ahead and the text also occurs within REACH
        letters before `after` (a box or a paragraph's end that the source prints before text the
        corpus puts first). With `before`, the nearest place that starts before that offset wins
        (a box title or run-in heading placed by the text that follows it). The block is matched
        piece by piece: a page break (running footer, footnotes, a pull quote) may interrupt it,
        and a two-column layout may put its end before its start, so the lines span every piece
        found near its start."""
        stream = letters(text)
        if not stream:
            return None
        head = stream[:PROBE]
        spans = None
        if before is not None:
            spans = self._last_match(stream, head, max(0, before - REACH), before)
        if spans is None:
            spans = self._first_match(stream, head, after, len(self.stream))
            if spans is None or spans[0][0] - after > REACH:
                spans = self._last_match(stream, head, max(0, after - REACH), after) or spans
        if spans is None:
            spans = self._first_match(stream, head, 0, after)
        if spans is None:  # not found piece by piece: the first letters alone place it
            start = self._find(head, after)
            if start < 0:
                return None
            spans = [(start, min(len(self.stream), start + len(stream)))]
        first = min(s for s, _ in spans)
        last = max(e for _, e in spans) - 1
        return self.line_of(first), self.line_of(last), spans[-1][1]

    def line_start(self, line: int) -> int:
        """Offset of the first letter at or after the start of 1-based `line`."""
        return self.line_starts[line - 1] if line <= len(self.line_starts) else len(self.stream)

    def _first_match(self, stream: str, head: str, lo: int, hi: int) -> list[tuple[int, int]] | None:
        start = self.stream.find(head, lo)
        for _ in range(MAX_CANDIDATES):
            if start < 0 or start >= hi:
                return None
            spans = self._pieces(stream, start)
            if spans is not None:
                return spans
            start = self.stream.find(head, start + 1)
        return None

    def _last_match(self, stream: str, head: str, lo: int, hi: int) -> list[tuple[int, int]] | None:
        start = self.stream.rfind(head, lo, hi + len(head) - 1)
        for _ in range(MAX_CANDIDATES):
            if start < 0:
                return None
            spans = self._pieces(stream, start)
            if spans is not None:
                return spans
            start = self.stream.rfind(head, lo, start + len(head) - 1)
        return None

    def _pieces(self, stream: str, start: int) -> list[tuple[int, int]] | None:
        """Spans of the source holding `stream`, which begins at `start`, in at most MAX_PIECES
        pieces near it; None when it cannot be pieced together there."""
        lo = max(0, start - REACH)
        region = self.stream[lo : start + 3 * len(stream) + REACH]
        spans: list[tuple[int, int]] = []
        i, pos = 0, start - lo
        while i < len(stream):
            if len(spans) == MAX_PIECES:
                return None
            rest = stream[i:]
            if i == 0:
                length = len(os.path.commonprefix([rest, region[pos : pos + len(rest)]]))
                at = pos
            else:
                low, high = 0, len(rest)  # longest prefix of `rest` that occurs in the region
                while low < high:
                    mid = (low + high + 1) // 2
                    if region.find(rest[:mid]) >= 0:
                        low = mid
                    else:
                        high = mid - 1
                length = low
                at = region.find(rest[:length], pos)
                if at < 0:
                    at = region.find(rest[:length])
            if length < min(MIN_PIECE, len(rest)):
                return None
            spans.append((lo + at, lo + at + length))
            i, pos = i + length, at + length
        return spans
