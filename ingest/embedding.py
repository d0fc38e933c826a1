"""Dense embeddings at ingest: a batch embedder over a content-hash cache.

Passages are embedded with their context (document short title and section path) and the e5
`passage: ` prefix, sentences with `passage: `, question-bank questions with `query: ` (they are
matched against the user's query, question to question). The cache keys each vector by the model
and the exact text embedded, so a rebuild re-embeds only what changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
from haystack import Document, component

from veiviser.model.encoder import Encoder, all_cores
from veiviser.model.loading import PASSAGE_PREFIX


class EmbeddingCache:
    """Vectors by sha256 of (model id, text), in one SQLite file beside the index."""

    FILE_NAME = "embeddings.sqlite"  # under settings.cache_dir

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=120)
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            rows = self.db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch
            )
            found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
            [(k, v.astype(np.float32).tobytes()) for k, v in items.items()],
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def passage_text(doc: Document) -> str:
    """What is embedded for a passage: its context line, then its text."""
    context = doc.meta.get("embedding_context")
    return f"{context}\n{doc.content}" if context else doc.content or ""


@component
class CachedEmbedder:
    """Adds e5 embeddings (of `prefix` + text) to documents, embedding only texts the cache has not seen."""

    def __init__(self, model: Encoder, cache: EmbeddingCache | None, batch_size: int = 16,
                 progress: bool = False, label: str = "passages", prefix: str = PASSAGE_PREFIX):
        self.model = model
        self.prefix = prefix
        self.cache = cache
        self.batch_size = batch_size
        self.progress = progress
        self.label = label
        self.model_key = model.model_id
        self.embedded_count = 0

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        texts = [self.prefix + passage_text(d) for d in documents]
        keys = [EmbeddingCache.key(self.model_key, t) for t in texts]
        cached = self.cache.get_many(keys) if self.cache else {}
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cached}.items(),
                         key=lambda kv: len(kv[1]))
        if missing:
            if self.progress:
                print(f"Embedding {len(missing)} {self.label} ({len(texts) - len(missing)} cached)")
            # batches use every core; queries use one
            vectors = self.model.encode([t for _, t in missing], batch_size=self.batch_size,
                                        progress=self.progress, threads=all_cores())
            new = {k: v for (k, _), v in zip(missing, vectors, strict=True)}
            if self.cache:
                self.cache.put_many(new)
            cached.update(new)
        self.embedded_count = len(missing)
        embedded = [replace(doc, embedding=cached[key].tolist())
                    for doc, key in zip(documents, keys, strict=True)]
        return {"documents": embedded}
