"""The committed corpus is exactly what the converters make of the raw sources."""

from __future__ import annotations

import pytest

from ingest.convert import build_corpus
from veiviser.settings import Settings


def test_rebuilding_the_corpus_reproduces_the_committed_files(tmp_path):
    settings = Settings()
    if not settings.sources_dir.exists():
        pytest.skip(f"raw sources not found at {settings.sources_dir}")
    written = build_corpus(settings.sources_dir, tmp_path)
    assert written, "no corpus files were written"
    for path in written:
        committed = settings.corpus_dir / path.name
        assert committed.exists(), f"{path.name} is converted but not committed in corpus/"
        assert path.read_text("utf-8") == committed.read_text("utf-8"), (
            f"corpus/{path.name} differs from what `veiviser corpus build` makes: rebuild and commit it"
        )
