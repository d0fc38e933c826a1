"""Shared fixtures: one real index, built once per test session from the real corpus."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from veiviser.settings import PROJECT_ROOT, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """Settings for a throw-away data folder; the model folder and the embedding cache are shared
    with the developer's checkout so that repeated runs do not re-embed unchanged passages."""
    data = tmp_path_factory.mktemp("veiviser-data")
    return Settings(
        data_dir=data,
        model_dir=PROJECT_ROOT / "models" / "multilingual-e5-small",
        cache_dir_override=PROJECT_ROOT / "data" / "cache",
    )


@pytest.fixture(scope="session")
def model(settings):
    from veiviser.model.loading import load_model

    return load_model(settings, progress=False)


@pytest.fixture(scope="session")
def index(settings, model):
    from ingest.indexing import build_from_corpus

    return build_from_corpus(settings, model=model, progress=False)


@pytest.fixture(scope="session")
def engine(settings, model, index):
    from api.search.engine import SearchEngine

    engine = SearchEngine.open(settings, model=model)
    yield engine
    engine.close()


SMALL_DOC = "nasjonal-veileder-horing-2024"


@pytest.fixture(scope="session")
def small_corpus():
    """The smallest document's documents, chunks and metadata: builds of a few passages are quick."""
    from ingest.chunking import chunk_corpus
    from ingest.parse import load_corpus

    documents = [d for d in load_corpus(PROJECT_ROOT / "corpus") if d.meta.id == SMALL_DOC]
    chunks = chunk_corpus(documents, None)
    metas = {d.meta.id: d.meta.model_dump(mode="json") for d in documents}
    return documents, chunks, metas


@pytest.fixture
def fresh_settings(tmp_path: Path, settings: Settings) -> Callable[..., Settings]:
    """Settings with a data folder and an embedding cache of their own; the shared model folder."""

    def make(**changes) -> Settings:
        return Settings(data_dir=tmp_path / "data", model_dir=settings.model_dir,
                        cache_dir_override=tmp_path / "cache", **changes)

    return make


@pytest.fixture
def build_small(small_corpus, model) -> Callable:
    """Builds an index version of the first `passages` passages of the small document."""
    from ingest.chunking import section_tables
    from ingest.indexing import build_index

    def build(settings: Settings, passages: int = 5):
        documents, chunks, metas = small_corpus
        # a version is named after the second it starts in: never start two in the same second
        started = int(time.time())
        manifest = build_index(settings, chunks[:passages], metas, model, progress=False,
                               sections=section_tables(documents, chunks[:passages]))
        while int(time.time()) <= started:
            time.sleep(0.05)
        return manifest

    return build


# Tests that need the embedding model (and so an index), a browser or a server are `slow`; the rest
# (`pytest -m "not slow"`) run over hand-made data in seconds.
SLOW_FIXTURES = {"model", "browser"}
SLOW_FOLDERS = {"deploy", "web"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SLOW_FIXTURES or SLOW_FOLDERS & set(item.path.parts):
            item.add_marker(pytest.mark.slow)
