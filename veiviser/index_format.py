"""The index format: what a built index version is, where it lives, and how versions are switched.

`ingest/` writes it (`ingest/indexing.py`), `api/` reads it; this module is the one home of the
layout both sides rely on:

    data/CURRENT                    the version being served (written atomically)
    data/PREVIOUS                   the version before it
    data/indexes/<version>/         manifest.json, documents.json, sections.json, chunks.jsonl,
                                    questions.jsonl, lexical.json, and in embedded mode the Qdrant folders
                                    chunks/, sentences/ and questions/
    data/indexes/<version>.building a build in progress (never served)

Three collections per version: `chunks` (one point per passage: dense e5 vector of the passage in
its context + sparse BM25 vector), `sentences` (one point per sentence; on a Qdrant server also one
per two-sentence window) and `questions` (one point per question-bank question, pointing at its
passages). In embedded mode each lives in its own local-mode folder under the version; on a Qdrant
server they are `<collection>_<kind>_<version>`, and the aliases `<collection>_<kind>` are switched
with CURRENT, atomically on the server, so that outside readers see the same version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
import warnings
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from veiviser.schema import Chunk
from veiviser.settings import Settings

if TYPE_CHECKING:  # imported where used: reading CURRENT and a manifest (`veiviser serve` at start) stays light
    from haystack import Document
    from haystack_integrations.document_stores.qdrant import QdrantDocumentStore
    from qdrant_client import QdrantClient

logger = logging.getLogger("veiviser.index")
SCHEMA_VERSION = 3  # 2: two-sentence windows; 3: the question-bank collection
KINDS = ("chunks", "sentences", "questions")
SPARSE_KINDS = {"chunks"}  # collections that also hold BM25 sparse vectors


class IndexUnavailable(RuntimeError):
    """The index is missing, incomplete or built for another model or schema."""


@dataclass
class Manifest:
    """What a version holds and how it was built; written last, so its presence means complete."""

    version: str
    schema_version: int
    model: str
    dim: int
    chunks: int
    sentences: int
    corpus_fingerprint: str
    built_at: str
    build_seconds: float
    embedded_new: int
    windows: int = 0  # two-sentence windows stored with the sentences (server mode; local mode derives them)
    questions: int = 0  # question-bank questions (one point each)

    def write(self, folder: Path) -> None:
        (folder / "manifest.json").write_text(json.dumps(asdict(self), indent=2))


def point_id(key: str) -> str:
    """A stable Qdrant point id for a chunk id (or `chunk#n`, a question key)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def corpus_fingerprint(chunks: list[Chunk]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.model_dump_json().encode())
    return digest.hexdigest()[:16]


def sentence_windows(sentences: list[Document]) -> list[Document]:
    """A window of two neighbouring sentences for each sentence but a passage's last.

    An answer often takes two sentences ("X is ... It means that ..."), which neither matches alone.
    A window's vector is the normalised sum of its two sentences' vectors, so windows cost no model
    time: on the dev set they raised hit@5 from 0.903 to 0.929. `sentences` must be embedded and in
    text order within each passage. A Qdrant server stores them; embedded mode derives them on load.
    """
    from haystack import Document

    windows = []
    for first, second in zip(sentences, sentences[1:], strict=False):
        if first.meta["chunk_id"] != second.meta["chunk_id"]:
            continue
        vector = np.asarray(first.embedding) + np.asarray(second.embedding)
        windows.append(Document(
            id=point_id(f"{first.meta['chunk_id']}#{first.meta['start']}-{second.meta['end']}"),
            content=f"{first.content} {second.content}",
            meta={**first.meta, "end": second.meta["end"], "span": 2},
            embedding=(vector / np.linalg.norm(vector)).astype(np.float32),  # written as a list by ingest
        ))
    return windows


# -- folders and the CURRENT pointer ---------------------------------------------------------------

def indexes_root(settings: Settings) -> Path:
    return settings.data_dir / "indexes"


def version_folder(settings: Settings, version: str) -> Path:
    return indexes_root(settings) / version


def current_version(settings: Settings) -> str | None:
    pointer = settings.data_dir / "CURRENT"
    return pointer.read_text().strip() if pointer.exists() else None


def new_version_name(settings: Settings) -> str:
    """A timestamp (plus the process id) that no finished or building version has."""
    root = indexes_root(settings)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    version, n = stamp, 1
    while (root / version).exists() or (root / f"{version}.building").exists():
        n += 1
        version = f"{stamp}-{n}"
    return version


def switch_current(settings: Settings, version: str) -> None:
    """Point CURRENT at a complete version atomically (write a temp file, then rename)."""
    pointer = settings.data_dir / "CURRENT"
    previous = current_version(settings)
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(version)
    os.replace(tmp, pointer)
    if previous and previous != version:
        (settings.data_dir / "PREVIOUS").write_text(previous)


def list_versions(settings: Settings) -> list[str]:
    root = indexes_root(settings)
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "manifest.json").exists())


def read_manifest(settings: Settings, version: str | None = None) -> Manifest:
    version = version or current_version(settings)
    if version is None:
        raise IndexUnavailable("no index has been built yet: run `veiviser index build` (or `veiviser serve`)")
    path = version_folder(settings, version) / "manifest.json"
    if not path.exists():
        raise IndexUnavailable(f"index version {version} is missing or incomplete: run `veiviser index build`")
    manifest = Manifest(**json.loads(path.read_text()))
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexUnavailable(
            f"index {version} has schema version {manifest.schema_version}, this code needs {SCHEMA_VERSION}: "
            "run `veiviser index build`"
        )
    return manifest


def prune_versions(settings: Settings) -> None:
    """Delete versions older than the newest `keep_versions`, never the current one, and builds
    abandoned for longer than `stale_build_s`."""
    current = current_version(settings)
    for old in list_versions(settings)[:-settings.keep_versions]:
        if old != current:
            shutil.rmtree(version_folder(settings, old), ignore_errors=True)
    for stale in indexes_root(settings).glob("*.building"):
        if time.time() - stale.stat().st_mtime > settings.stale_build_s:
            shutil.rmtree(stale, ignore_errors=True)
    if settings.qdrant_url:
        # builds in progress (a .building folder) keep their collections
        building = {p.name.removesuffix(".building") for p in indexes_root(settings).glob("*.building")}
        with closing(qdrant_client(settings)) as client:
            prune_server_collections(client, settings, set(list_versions(settings)) | building)


def rollback(settings: Settings) -> str:
    """Switch back to the version before the current one."""
    current = current_version(settings)
    older = [v for v in list_versions(settings) if current is None or v < current]
    if not older:
        raise IndexUnavailable("no earlier index version to roll back to")
    if settings.qdrant_url:
        with closing(qdrant_client(settings)) as client:
            switch_aliases(client, settings, older[-1])
    switch_current(settings, older[-1])
    return older[-1]


# -- collections: names and the store factory ------------------------------------------------------

def collection_name(settings: Settings, version: str, kind: str) -> str:
    """Fixed per folder in local mode, versioned on a server."""
    return server_collection(settings, version, kind) if settings.qdrant_url else kind


def server_collection(settings: Settings, version: str, kind: str) -> str:
    return f"{settings.collection}_{kind}_{version.replace('-', '_')}"


def alias_name(settings: Settings, kind: str) -> str:
    """The stable name outside readers use; it always points at the current version's collection."""
    return f"{settings.collection}_{kind}"


def open_store(settings: Settings, folder: Path, version: str, kind: str, dim: int,
               recreate: bool = False) -> QdrantDocumentStore:
    """One collection of a version as a Haystack document store, in local mode or on a server.
    `chunks` also holds sparse BM25 vectors with Qdrant's IDF modifier; the others are dense only."""
    from haystack.utils import Secret
    from haystack_integrations.document_stores.qdrant import QdrantDocumentStore

    common = dict(
        index=collection_name(settings, version, kind),
        embedding_dim=dim,
        similarity="cosine",
        recreate_index=recreate,
        return_embedding=False,
        progress_bar=False,
        wait_result_from_api=True,
    )
    if kind in SPARSE_KINDS:
        common.update(use_sparse_embeddings=True, sparse_idf=True)
    if settings.qdrant_url:
        key = settings.qdrant_api_key
        # a bounded timeout, so that a slow or unreachable Qdrant makes a search fail fast (503)
        return QdrantDocumentStore(url=settings.qdrant_url, api_key=Secret.from_token(key) if key else None,
                                   timeout=settings.qdrant_timeout,
                                   replication_factor=settings.qdrant_replication_factor, **common)  # type: ignore[arg-type]
    # qdrant-client's advice against local mode above 20,000 points is about its own search; the query path
    # reads local collections into arrays once (api/search/dense_index.py), so the bank's size is not a problem
    warnings.filterwarnings("ignore", message="Local mode is not recommended", category=UserWarning)
    return QdrantDocumentStore(path=str(folder / kind), **common)  # type: ignore[arg-type]


def store_client(store: QdrantDocumentStore) -> QdrantClient:
    """The store's Qdrant client, opened (and its collection set up) on first use; the integration
    opens it lazily and has no public accessor."""
    store._initialize_client()
    assert store._client is not None
    return store._client


def close_store(store: QdrantDocumentStore) -> None:
    """Close the store's client and forget it: a later use of the store opens a new one."""
    client = getattr(store, "_client", None)
    if client is not None:
        client.close()
        store._client = None


# -- a Qdrant server: aliases, pruning, checks -----------------------------------------------------

def qdrant_client(settings: Settings) -> QdrantClient:
    """A client for the lifecycle operations on the server, with the same bounded timeout as search."""
    from qdrant_client import QdrantClient

    return QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key or None,
                        timeout=settings.qdrant_timeout)


def switch_aliases(client: QdrantClient, settings: Settings, version: str) -> None:
    """Point every kind's alias at `version` in one request, which Qdrant applies atomically."""
    from qdrant_client.http import models as qmodels

    existing = {a.alias_name for a in client.get_aliases().aliases}
    operations: list[qmodels.CreateAliasOperation | qmodels.DeleteAliasOperation] = []
    for kind in KINDS:
        alias = alias_name(settings, kind)
        if alias in existing:
            operations.append(qmodels.DeleteAliasOperation(delete_alias=qmodels.DeleteAlias(alias_name=alias)))
        operations.append(qmodels.CreateAliasOperation(create_alias=qmodels.CreateAlias(
            collection_name=server_collection(settings, version, kind), alias_name=alias)))
    client.update_collection_aliases(change_aliases_operations=operations)


def alias_target(client: QdrantClient, settings: Settings, kind: str = "chunks") -> str | None:
    """The collection an alias points at, or None when it does not exist."""
    for alias in client.get_aliases().aliases:
        if alias.alias_name == alias_name(settings, kind):
            return alias.collection_name
    return None


def prune_server_collections(client: QdrantClient, settings: Settings, keep: set[str]) -> list[str]:
    """Delete this deployment's versioned collections whose version is not in `keep` (nor aliased)."""
    kept = {server_collection(settings, v, kind) for v in keep for kind in KINDS}
    kept |= {a.collection_name for a in client.get_aliases().aliases}
    prefixes = tuple(f"{settings.collection}_{kind}_" for kind in KINDS)
    dropped = []
    for collection in client.get_collections().collections:
        name = collection.name
        if name.startswith(prefixes) and name not in kept:
            client.delete_collection(name)
            dropped.append(name)
    return dropped


def check_server_index(settings: Settings, manifest: Manifest) -> None:
    """The server holds this version's collections with the manifest's passage count; a fresh or
    other Qdrant would otherwise get an empty collection created by the store and answer nothing."""
    with closing(qdrant_client(settings)) as client:
        name = server_collection(settings, manifest.version, "chunks")
        if not client.collection_exists(name):
            raise IndexUnavailable(f"index {manifest.version} is missing on the Qdrant server {settings.qdrant_url} "
                                   f"(no collection {name}): run `veiviser index build`")
        count = client.count(name, exact=True).count
        if count != manifest.chunks:
            raise IndexUnavailable(f"index {manifest.version} on the Qdrant server has {count} passages, its "
                                   f"manifest {manifest.chunks}: run `veiviser index build`")


def drop_server_collections(settings: Settings, version: str) -> None:
    """Best effort after a failed build: the half-written collections of `version` go."""
    try:
        with closing(qdrant_client(settings)) as client:
            for kind in KINDS:
                client.delete_collection(server_collection(settings, version, kind))
    except Exception as exc:  # the build's own error is the one to report; this one is only logged
        logger.warning("could not drop the failed build's collections of %s: %s", version, exc)


def write_version_files(folder: Path, documents: dict[str, dict], sections: dict[str, list[dict]],
                        chunks: list[Chunk], questions: list[dict] | None = None) -> None:
    """The browse data read by the API's catalog, beside the collections: documents, sections,
    chunks, and the bank questions (for search suggestions)."""
    (folder / "documents.json").write_text(json.dumps(documents, ensure_ascii=False, indent=1), "utf-8")
    (folder / "sections.json").write_text(json.dumps(sections, ensure_ascii=False), "utf-8")
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for chunk in chunks:
            f.write(chunk.model_dump_json() + "\n")
    with (folder / "questions.jsonl").open("w", encoding="utf-8") as f:
        for question in questions or []:
            f.write(json.dumps(question, ensure_ascii=False) + "\n")
