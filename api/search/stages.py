"""Milliseconds per stage of one search: the profile `veiviser bench` prints, so that every change to
the query path shows where its time went. Always on: a few perf_counter calls per search."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("analysis", "embedding", "passages", "sentences", "questions", "lexical", "fusion", "abstention",
          "highlights", "shaping")


class StageTimer:
    """Adds up wall time per named stage."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - started) * 1000
