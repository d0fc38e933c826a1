"""Shared fixtures: one real index, built once per test session from the real corpus."""

from __future__ import annotations

import os

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
    from ingest.embedding import load_model

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
