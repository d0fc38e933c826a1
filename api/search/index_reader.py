"""Opening one built index version for reading: its manifest, documents, lexical statistics and
collections, and in embedded mode the collections' vectors held in memory.

Embedded (local) mode reads every vector once and searches them in memory with the same scores
as Qdrant (`dense_index`, `lexical_index`): a matrix product and postings lists instead of local
mode's per-point Python loops. Against a Qdrant server the stores are searched by Qdrant itself.
"""

from __future__ import annotations

import ctypes
import gc
import json
import time
from contextlib import suppress
from dataclasses import replace
from typing import Any

import numpy as np
from haystack import Document
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore
from haystack_integrations.document_stores.qdrant.converters import convert_qdrant_point_to_haystack_document

from api.search.dense_index import DenseIndex
from api.search.lexical_index import SparseIndex
from veiviser.index_format import (
    KINDS,
    IndexUnavailable,
    Manifest,
    close_store,
    current_version,
    open_store,
    point_id,
    read_manifest,
    sentence_windows,
    store_client,
    version_folder,
)
from veiviser.model.encoder import Encoder
from veiviser.settings import Settings
from veiviser.text_analysis import LexicalAnalyzer

LOCAL_TURN_TIMEOUT_S = 120.0


def release_free_memory() -> None:
    """Hand the heap that loading freed back to the operating system (glibc's `malloc_trim`).

    Local mode reads every point of a collection into memory before it can be searched; once the
    clients are closed that memory is free but still counted against the worker (measured: about
    100 MB). Elsewhere than glibc this does nothing.
    """
    gc.collect()
    with suppress(OSError, AttributeError):  # no glibc: nothing to hand back this way
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def shared_meta(meta: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """`meta` with its values, and the dict itself, shared with equal ones already read.

    A point's metadata repeats its passage's filter fields (document, status, kind, laws, pathways,
    target groups), and all bank questions of one passage and language have the same metadata:
    shared, the ~25,000 points' metadata take a fraction of the memory. Nothing changes metadata
    once read.
    """
    def one(value: Any) -> Any:
        key = json.dumps(value, ensure_ascii=False)
        return shared.setdefault(key, value)

    compact = {k: one(v) if isinstance(v, str | list) else v for k, v in meta.items()}
    return shared.setdefault(json.dumps(compact, ensure_ascii=False, sort_keys=True), compact)


class IndexReader:
    """One index version, open for search; `stores` maps each collection kind to its store."""

    def __init__(self, settings: Settings, model: Encoder, version: str | None = None):
        version = version or current_version(settings)
        if version is None:
            raise IndexUnavailable("no index has been built yet: run `veiviser index build` (or `veiviser serve`)")
        self.settings = settings
        self.manifest: Manifest = read_manifest(settings, version)
        self.version = self.manifest.version
        if model.model_id != self.manifest.model:
            raise IndexUnavailable(
                f"the index was built with model {self.manifest.model} but {model.model_id} is loaded: "
                "run `veiviser index build`"
            )
        self.folder = version_folder(settings, self.version)
        self.documents: dict[str, dict[str, Any]] = json.loads((self.folder / "documents.json").read_text("utf-8"))
        self.lexical = LexicalAnalyzer.load(self.folder / "lexical.json")
        self.stores: dict[str, QdrantDocumentStore] = {kind: self._open(kind) for kind in KINDS}
        self.passage_index: DenseIndex | None = None
        self.sentence_index: DenseIndex | None = None
        self.question_index: DenseIndex | None = None
        self.lexical_index: SparseIndex | None = None
        self._by_chunk_id: dict[str, Document] = {}
        if not settings.qdrant_url:
            self._load_memory_indexes()

    def _load_memory_indexes(self) -> None:
        # One collection at a time, each closed once read: local mode holds a whole collection in
        # memory while it is open, so reading them in turn keeps the peak (and the heap it leaves
        # behind) to the largest one instead of all three. Search no longer needs local mode's copy
        # of the points, and closing lets the next worker open the collection. A store used again
        # (the tests compare the two) reopens by itself.
        passages, sentences, questions = (self._read_and_close(kind) for kind in KINDS)
        self.lexical_index = SparseIndex(passages)
        self.passage_index = DenseIndex(passages)
        self._by_chunk_id = {d.meta["chunk_id"]: d for d in self.passage_index.documents}
        sentences.sort(key=lambda d: (d.meta["chunk_id"], d.meta["start"], d.meta.get("span", 1)))
        singles = [d for d in sentences if d.meta.get("span", 1) == 1]
        if len(singles) == len(sentences):  # local mode stores no windows: derive them (same vectors)
            sentences += sentence_windows(singles)
        self.sentence_index = DenseIndex(sentences)
        self.question_index = DenseIndex(questions)
        release_free_memory()

    def _read_and_close(self, kind: str) -> list[Document]:
        self._wait_for_turn(self.stores[kind])
        try:
            return self._all_points(kind)
        finally:
            close_store(self.stores[kind])

    def _open(self, kind: str) -> QdrantDocumentStore:
        """A collection's store, connected on first use. In local mode only one process may hold a
        collection at a time, and each holds it only while reading it (see `_load_memory_indexes`),
        so the API's workers take turns."""
        return open_store(self.settings, self.folder, self.version, kind, self.manifest.dim)

    @staticmethod
    def _wait_for_turn(store: QdrantDocumentStore) -> None:
        """Open a local collection, waiting while another worker holds it (a read takes seconds)."""
        deadline = time.monotonic() + LOCAL_TURN_TIMEOUT_S
        while True:
            try:
                store_client(store)
                return
            except RuntimeError as exc:
                if "already accessed" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _all_points(self, kind: str) -> list[Document]:
        """Every point of a collection, its vector as a float32 array.

        Read a page at a time, each vector converted as it arrives: read all at once (Haystack's
        `filter_documents`), the ~25,000 vectors would exist together as lists of Python floats
        (13 KB each). With the collections read in turn and the freed heap handed back, a served
        worker measured 1307 -> 1259 MB; shared metadata took it to 1233.
        """
        store = self.stores[kind]
        client = store_client(store)
        documents: list[Document] = []
        shared: dict[str, Any] = {}
        offset = None
        while True:
            records, offset = client.scroll(collection_name=store.index, limit=1000, offset=offset,
                                            with_payload=True, with_vectors=True)
            for record in records:
                doc = convert_qdrant_point_to_haystack_document(record, store.use_sparse_embeddings)
                documents.append(replace(doc, meta=shared_meta(doc.meta, shared),
                                         embedding=np.asarray(doc.embedding, dtype=np.float32)))
            if offset is None:
                return documents

    def passages(self, chunk_ids: list[str]) -> list[Document]:
        """Passages by chunk id (for those that only the sentence or question retriever found): from
        memory in embedded mode (local mode's lookup by id cost about 15 ms a search), else from Qdrant."""
        if self._by_chunk_id:
            return [self._by_chunk_id[c] for c in chunk_ids if c in self._by_chunk_id]
        return self.stores["chunks"].get_documents_by_id([point_id(c) for c in chunk_ids])

    def close(self) -> None:
        for store in self.stores.values():
            close_store(store)
