"""Points written in bulk read back as the documents the Haystack Qdrant store would have written."""

from __future__ import annotations

import numpy as np
from haystack import Document
from haystack.dataclasses import SparseEmbedding
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore
from haystack_integrations.document_stores.qdrant.converters import (
    DENSE_VECTORS_NAME,
    SPARSE_VECTORS_NAME,
    convert_haystack_documents_to_qdrant_points,
)

from ingest.indexing import PointWriter, bulk_local_writes, qdrant_point, sync_folder


def _doc(i: int, sparse: bool = False) -> Document:
    vector = np.random.default_rng(i).random(8, dtype=np.float32)
    return Document(id=f"doc-{i}", content=f"Tekst {i}", meta={"chunk_id": f"c{i}", "legal_refs": ["hol § 3-2"]},
                    embedding=vector / np.linalg.norm(vector),
                    sparse_embedding=SparseEmbedding(indices=[1, 5], values=[0.5, 1.5]) if sparse else None)


def test_point_matches_the_integrations_own_conversion() -> None:
    for sparse in (False, True):
        doc = _doc(1, sparse)
        theirs = convert_haystack_documents_to_qdrant_points([doc], use_sparse_embeddings=sparse)[0]
        mine = qdrant_point(doc, sparse)
        assert mine.id == theirs.id
        assert mine.payload == theirs.payload
        if sparse:
            assert np.allclose(mine.vector[DENSE_VECTORS_NAME], theirs.vector[DENSE_VECTORS_NAME])
            assert mine.vector[SPARSE_VECTORS_NAME] == theirs.vector[SPARSE_VECTORS_NAME]
        else:
            assert np.allclose(mine.vector, theirs.vector)


def test_bulk_written_points_read_back_through_the_store(tmp_path) -> None:
    store = QdrantDocumentStore(path=str(tmp_path / "c"), index="t", embedding_dim=8, recreate_index=True,
                                progress_bar=False, use_sparse_embeddings=True, return_embedding=True)
    bulk_local_writes(store)
    docs = [_doc(i, sparse=True) for i in range(600)]
    assert PointWriter(store, batch_size=256).run(docs)["documents_written"] == 600
    store._client.close()
    sync_folder(tmp_path)
    reopened = QdrantDocumentStore(path=str(tmp_path / "c"), index="t", embedding_dim=8, progress_bar=False,
                                   use_sparse_embeddings=True, return_embedding=True)
    back = {d.id: d for d in reopened.filter_documents()}
    assert len(back) == 600
    assert back["doc-7"].content == "Tekst 7" and back["doc-7"].meta == docs[7].meta
    assert np.allclose(back["doc-7"].embedding, docs[7].embedding, atol=1e-6)
    assert back["doc-7"].sparse_embedding.indices == [1, 5]
    reopened._client.close()


def test_an_array_embedding_is_written_as_a_plain_list() -> None:
    doc = Document(id="v", content="tekst", meta={"chunk_id": "c"}, embedding=np.array([0.6, 0.8], dtype=np.float32))
    point = qdrant_point(doc, sparse=False)
    assert type(point.vector) is list and np.allclose(point.vector, [0.6, 0.8])
