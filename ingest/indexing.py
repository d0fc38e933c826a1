"""Chunks and bank questions -> a new index version: the indexing pipeline of Haystack components.

    chunks ─ ChunkToDocuments ─┬─ LexicalEncoder ── passage CachedEmbedder ── chunks writer
                               └─ SentenceSplitter ── sentence CachedEmbedder ─(SentenceWindows)─ sentences writer
    bank questions ─ QuestionsToDocuments ── question CachedEmbedder (query: prefix) ── questions writer

Each build goes into a new version folder and becomes current only when it is complete and
verified (counts and a smoke query), so a failed build never replaces a working index. What a
version holds and how versions are switched is `veiviser/index_format.py`.
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document, component
from haystack.dataclasses import SparseEmbedding
from haystack_integrations.components.retrievers.qdrant import QdrantEmbeddingRetriever
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore
from haystack_integrations.document_stores.qdrant.converters import DENSE_VECTORS_NAME, SPARSE_VECTORS_NAME, convert_id
from qdrant_client.http import models as rest

from ingest.embedding import CachedEmbedder, EmbeddingCache
from ingest.questions import BankQuestion
from veiviser.filters import INDEXED_FIELDS
from veiviser.index_format import (
    KINDS,
    SCHEMA_VERSION,
    IndexUnavailable,
    Manifest,
    close_store,
    corpus_fingerprint,
    drop_server_collections,
    indexes_root,
    new_version_name,
    open_store,
    point_id,
    prune_versions,
    qdrant_client,
    sentence_windows,
    store_client,
    switch_aliases,
    switch_current,
    write_version_files,
)
from veiviser.model.encoder import Encoder
from veiviser.model.loading import QUERY_PREFIX
from veiviser.schema import Chunk
from veiviser.sentences import sentences
from veiviser.settings import Settings
from veiviser.text_analysis import LexicalAnalyzer


def lexical_text(chunk: Chunk) -> str:
    """What lexical matching sees: the headings above the passage, its text and its footnotes."""
    return "\n".join([*chunk.section_path, chunk.text, *(f.text for f in chunk.footnotes)])


def filter_payload(chunk: Chunk) -> dict[str, Any]:
    """The payload fields every point of a chunk carries, so that filters work on every collection."""
    meta = chunk.model_dump(mode="json", include={"doc_id", "doc_status", "kind", "legal_refs", "pathway",
                                                  "target_groups"})
    meta["laws"] = sorted({ref.split(" ", 1)[0] for ref in chunk.legal_refs})
    return {field: meta[field] for field in INDEXED_FIELDS}


@component
class ChunkToDocuments:
    """Chunks as Haystack documents: text as content, every field as meta, plus what is embedded."""

    def __init__(self, short_titles: dict[str, str]):
        self.short_titles = short_titles

    @component.output_types(documents=list[Document])
    def run(self, chunks: list[Chunk]) -> dict[str, list[Document]]:
        documents = []
        for chunk in chunks:
            meta = chunk.model_dump(mode="json", exclude={"text"})
            meta.update(filter_payload(chunk), chunk_id=chunk.id)
            meta["embedding_context"] = " › ".join([self.short_titles.get(chunk.doc_id, ""), *chunk.section_path])
            meta["lexical_text"] = lexical_text(chunk)
            documents.append(Document(id=point_id(chunk.id), content=chunk.text, meta=meta))
        return {"documents": documents}


@component
class LexicalEncoder:
    """Adds BM25 sparse vectors (Norwegian stems and compound parts) to passage documents."""

    def __init__(self, analyzer: LexicalAnalyzer):
        self.analyzer = analyzer

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        encoded = []
        for doc in documents:
            meta = {k: v for k, v in doc.meta.items() if k != "lexical_text"}
            indices, values = self.analyzer.document_vector(doc.meta["lexical_text"])
            encoded.append(replace(doc, meta=meta, sparse_embedding=SparseEmbedding(indices=indices, values=values)))
        return {"documents": encoded}


@component
class SentenceSplitter:
    """One document per sentence of each passage, carrying the passage's id and filter fields."""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        out = []
        for doc in documents:
            for n, (start, end, text) in enumerate(sentences(doc.content or "")):
                meta = {field: doc.meta.get(field) for field in INDEXED_FIELDS}
                meta.update(chunk_id=doc.meta["chunk_id"], start=start, end=end, span=1)
                out.append(Document(id=point_id(f"{doc.meta['chunk_id']}#{n}"), content=text, meta=meta))
        return {"documents": out}


@component
class SentenceWindows:
    """Adds the two-sentence windows (`veiviser.index_format.sentence_windows`), for a Qdrant server.

    In embedded local mode they are not written: local mode commits each point on its own (1-2 ms a
    point, so the 4,900 windows would double a rebuild's writing time), and the reader derives them
    from the stored sentences when it loads, with the same vectors.
    """

    @component.output_types(documents=list[Document], windows=int)
    def run(self, documents: list[Document]) -> dict[str, Any]:
        windows = sentence_windows(documents)
        return {"documents": [*documents, *windows], "windows": len(windows)}


@component
class QuestionsToDocuments:
    """One point per (bank question, passage it answers), with that passage's filter fields: a
    filtered search then finds a question exactly when it would find its passage."""

    def __init__(self, chunks: list[Chunk]):
        self.payloads = {c.id: filter_payload(c) for c in chunks}

    @component.output_types(documents=list[Document])
    def run(self, questions: list[BankQuestion]) -> dict[str, list[Document]]:
        out = []
        for q in questions:
            for chunk_id in q.chunk_ids:
                meta = {**self.payloads[chunk_id], "chunk_id": chunk_id, "lang": q.lang, "anchor": q.anchor}
                out.append(Document(id=point_id(f"{chunk_id}?{q.key}"), content=q.question, meta=meta))
        return {"documents": out}


def qdrant_point(doc: Document, sparse: bool) -> rest.PointStruct:
    """A document as the point `QdrantDocumentStore` writes and reads back: the same payload as
    `Document.to_dict(flatten=False)` without the vectors, and the same point id."""
    payload = {"id": doc.id, "content": doc.content, "blob": doc.blob.to_dict() if doc.blob else None,
               "meta": dict(doc.meta), "score": doc.score}
    dense = doc.embedding.tolist() if isinstance(doc.embedding, np.ndarray) else doc.embedding
    vector: Any = dense
    if not sparse:
        payload["sparse_embedding"] = None  # the integration keeps the empty field in dense-only collections
    else:
        vector = {DENSE_VECTORS_NAME: dense}
        if doc.sparse_embedding is not None:
            vector[SPARSE_VECTORS_NAME] = rest.SparseVector(indices=doc.sparse_embedding.indices,
                                                            values=doc.sparse_embedding.values)
    return rest.PointStruct(id=convert_id(doc.id), vector=vector, payload=payload)


@component
class PointWriter:
    """Writes embedded documents to one collection of a version, in large batches.

    Haystack's `DocumentWriter` goes through `Document.to_dict`, which copies every embedding value
    one by one (`dataclasses.asdict`: about 2 ms a point, half a minute for the ~12,000 points of a
    build); this writer builds the same points directly (`qdrant_point`).
    """

    def __init__(self, store: QdrantDocumentStore, batch_size: int = 256):
        self.store = store
        self.batch_size = batch_size

    @component.output_types(documents_written=int)
    def run(self, documents: list[Document]) -> dict[str, int]:
        sparse = self.store.use_sparse_embeddings
        for start in range(0, len(documents), self.batch_size):
            points = [qdrant_point(doc, sparse) for doc in documents[start:start + self.batch_size]]
            store_client(self.store).upsert(collection_name=self.store.index, points=points, wait=True)
        return {"documents_written": len(documents)}


@dataclass
class IndexingPipeline:
    """The indexing components of one build, run in data-flow order (the graph in the module docstring).

    The components are called directly rather than through `haystack.Pipeline.run`, which deep-copies
    every component's inputs: with about 30,000 documents (passages, sentences, bank questions) that
    copying took 4-5 s, half of a one-document rebuild. The query path does the same
    (`api/search/query_path.py`).
    """

    to_documents: ChunkToDocuments
    lexical_encoder: LexicalEncoder
    passage_embedder: CachedEmbedder
    sentence_splitter: SentenceSplitter
    sentence_embedder: CachedEmbedder
    sentence_windows: SentenceWindows | None  # a Qdrant server stores windows; embedded mode derives them
    to_questions: QuestionsToDocuments
    question_embedder: CachedEmbedder
    writers: dict[str, PointWriter]

    @classmethod
    def build(cls, settings: Settings, stores: dict[str, QdrantDocumentStore], analyzer: LexicalAnalyzer,
              model: Encoder, cache: EmbeddingCache, chunks: list[Chunk], short_titles: dict[str, str],
              progress: bool) -> IndexingPipeline:
        return cls(
            to_documents=ChunkToDocuments(short_titles),
            lexical_encoder=LexicalEncoder(analyzer),
            passage_embedder=CachedEmbedder(model, cache, batch_size=8, progress=progress, label="passages"),
            sentence_splitter=SentenceSplitter(),
            sentence_embedder=CachedEmbedder(model, cache, batch_size=16, progress=progress, label="sentences"),
            sentence_windows=SentenceWindows() if settings.qdrant_url else None,
            to_questions=QuestionsToDocuments(chunks),
            question_embedder=CachedEmbedder(model, cache, batch_size=32, progress=progress,
                                             label="bank questions", prefix=QUERY_PREFIX),
            writers={kind: PointWriter(stores[kind]) for kind in KINDS},
        )

    def run(self, chunks: list[Chunk], questions: list[BankQuestion]) -> dict[str, int]:
        """Embeds and writes every point; returns the points written per collection, and the windows."""
        passages = self.to_documents.run(chunks)["documents"]
        written = {"chunks": self.writers["chunks"].run(
            self.passage_embedder.run(self.lexical_encoder.run(passages)["documents"])["documents"])["documents_written"]}
        sentences = self.sentence_embedder.run(self.sentence_splitter.run(passages)["documents"])["documents"]
        windows = 0
        if self.sentence_windows is not None:
            with_windows = self.sentence_windows.run(sentences)
            sentences, windows = with_windows["documents"], with_windows["windows"]
        written["sentences"] = self.writers["sentences"].run(sentences)["documents_written"]
        bank = self.question_embedder.run(self.to_questions.run(questions)["documents"])["documents"]
        written["questions"] = self.writers["questions"].run(bank)["documents_written"]
        return {**written, "windows": windows}

    @property
    def embedded_count(self) -> int:
        return sum(e.embedded_count for e in (self.passage_embedder, self.sentence_embedder, self.question_embedder))


def build_index(settings: Settings, chunks: list[Chunk], documents: dict[str, dict], model: Encoder,
                progress: bool = True, sections: dict[str, list[dict]] | None = None,
                questions: list[BankQuestion] | None = None) -> Manifest:
    """Build a complete new index version beside the current one, verify it, then switch to it."""
    if not chunks:
        raise IndexUnavailable("no chunks to index: the corpus is empty")
    started = time.perf_counter()
    root = indexes_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    version = new_version_name(settings)
    building = root / f"{version}.building"
    building.mkdir()
    stores: dict[str, QdrantDocumentStore] = {}
    try:
        dim = model.dimension
        analyzer = LexicalAnalyzer.fit([lexical_text(c) for c in chunks])
        analyzer.save(building / "lexical.json")
        stores = {kind: open_store(settings, building, version, kind, dim, recreate=True) for kind in KINDS}
        if not settings.qdrant_url:
            for store in stores.values():
                bulk_local_writes(store)
        cache = EmbeddingCache(settings.cache_dir / EmbeddingCache.FILE_NAME)
        short_titles = {doc_id: meta["short_title"] for doc_id, meta in documents.items()}
        pipeline = IndexingPipeline.build(settings, stores, analyzer, model, cache, chunks, short_titles, progress)
        written = pipeline.run(chunks, questions or [])
        cache.close()
        stored_windows = written["windows"]
        counts = {kind: stores[kind].count_documents() for kind in KINDS}
        if counts["chunks"] != len(chunks):
            raise IndexUnavailable(f"index verification failed: {counts['chunks']} passages written, "
                                   f"{len(chunks)} expected")
        for kind in ("sentences", "questions"):
            if counts[kind] != written[kind]:
                raise IndexUnavailable(f"index verification failed: {kind} count does not match")
        smoke_query(stores["chunks"], model, chunks[0])
        for store in stores.values():
            close_store(store)
        if not settings.qdrant_url:
            sync_folder(building)
        embedded = pipeline.embedded_count
        manifest = Manifest(
            version=version,
            schema_version=SCHEMA_VERSION,
            model=model.model_id,
            dim=dim,
            chunks=counts["chunks"],
            sentences=counts["sentences"] - stored_windows,
            windows=stored_windows,
            questions=counts["questions"],
            corpus_fingerprint=corpus_fingerprint(chunks),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
            build_seconds=round(time.perf_counter() - started, 2),
            embedded_new=embedded,
        )
        write_version_files(building, documents, sections or {}, chunks,
                            [{"question": q.question, "lang": q.lang, "doc_id": q.doc_id, "anchor": q.anchor,
                              "chunk_ids": list(q.chunk_ids)} for q in questions or []])
        manifest.write(building)
        if settings.qdrant_url:
            with closing(qdrant_client(settings)) as client:
                switch_aliases(client, settings, version)
        building.rename(root / version)
        switch_current(settings, version)
        prune_versions(settings)
        return manifest
    except BaseException:
        for store in stores.values():
            close_store(store)
        shutil.rmtree(building, ignore_errors=True)
        if settings.qdrant_url:
            drop_server_collections(settings, version)
        raise


def bulk_local_writes(store: QdrantDocumentStore) -> None:
    """Let local mode's SQLite skip the disk flush after each point.

    Qdrant's local mode persists every point in its own SQLite transaction, and each commit waits
    for the disk: 5-6 ms a point here, over a minute for the ~12,000 passages, sentences and bank
    questions of a build. A version being built is invisible until it is complete and verified (a
    failed build deletes the folder), so its writes need no per-point durability; `sync_folder`
    flushes the finished files once, before the version becomes current.
    """
    local = getattr(store_client(store), "_client", None)  # QdrantLocal
    for collection in getattr(local, "collections", {}).values():
        connection = getattr(getattr(collection, "storage", None), "storage", None)
        if connection is not None:
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("PRAGMA journal_mode=MEMORY")


def sync_folder(folder: Path) -> None:
    """Flush every file of a finished version to disk (see `bulk_local_writes`)."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                os.fsync(f.fileno())


def smoke_query(store: QdrantDocumentStore, model: Encoder, chunk: Chunk) -> None:
    """A new index must find a passage by its own text before it becomes current."""
    embedding = model.encode([QUERY_PREFIX + chunk.text])[0].tolist()
    found = QdrantEmbeddingRetriever(store, top_k=5).run(query_embedding=embedding)["documents"]
    if point_id(chunk.id) not in {doc.id for doc in found}:
        raise IndexUnavailable(f"index verification failed: a search for passage {chunk.id} does not find it")


def build_from_corpus(settings: Settings, model: Encoder | None = None, progress: bool = True) -> Manifest:
    """Read and validate the corpus and its question bank, chunk it and build a new index version."""
    from ingest.chunking import chunk_corpus, section_tables
    from ingest.parse import load_corpus
    from ingest.questions import load_bank
    from veiviser.model.loading import load_build_model

    documents = load_corpus(settings.corpus_dir)
    sources = settings.sources_dir if settings.sources_dir.exists() else None
    chunks = chunk_corpus(documents, sources)
    questions = load_bank(settings.corpus_dir, chunks)  # validated before any model time is spent
    metas = {doc.meta.id: doc.meta.model_dump(mode="json") for doc in documents}
    model = model if model is not None else load_build_model(settings, progress=progress)
    return build_index(settings, chunks, metas, model, progress=progress,
                       sections=section_tables(documents, chunks), questions=questions)
