"""The ONNX encoder (queries) and torch in bfloat16 (index builds) give the torch encoder's vectors:
on every evaluation question and passage."""

from __future__ import annotations

import pytest

from evaluation.encoder_check import compare
from veiviser.model.onnx_export import MIN_CHECK_COSINE

pytestmark = pytest.mark.slow


def test_onnx_and_bf16_vectors_equal_torch_vectors_on_every_question_and_passage(settings) -> None:
    rows = [r for r in compare(settings, backends=("onnx", "torch-bf16")) if r.backend != "torch"]
    assert {(r.backend, r.kind) for r in rows} == {(b, k) for b in ("onnx", "torch-bf16")
                                                   for k in ("questions", "passages")}
    for row in rows:
        assert row.texts > 100
        assert row.min_cosine >= MIN_CHECK_COSINE, row


def test_a_build_embeds_batches_one_per_core_with_the_same_vectors(settings) -> None:
    """The build's parallel batches (`run_batches`) give what one batch at a time gives, and torch's
    own batching is sentence-transformers' `encode`."""
    import numpy as np

    from veiviser.model.loading import load_model

    texts = [f"query: spørsmål nummer {i} om {'oppfølging ' * (i % 7)}i kommunen" for i in range(70)]
    onnx = load_model(settings.model_copy(update={"encoder": "onnx"}), progress=False)
    parallel, sequential = onnx.encode(texts, batch_size=8, threads=2), onnx.encode(texts, batch_size=8, threads=1)
    assert float((parallel * sequential).sum(axis=1).min()) >= 0.99999
    torch_encoder = load_model(settings.model_copy(update={"encoder": "torch"}), progress=False)
    mine = torch_encoder.encode(texts, batch_size=8, threads=2)
    reference = torch_encoder.model.encode(texts, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    assert float((mine * np.asarray(reference)).sum(axis=1).min()) >= 0.99999


def test_the_encoders_share_one_model_id_so_caches_and_indexes_are_shared(settings, model) -> None:
    from veiviser.model.loading import load_model

    torch_encoder = load_model(settings.model_copy(update={"encoder": "torch"}), progress=False)
    assert torch_encoder.model_id == model.model_id
    assert torch_encoder.dimension == model.dimension == 384


def test_the_build_encoder_follows_its_setting(settings, monkeypatch) -> None:
    from veiviser.model import loading
    from veiviser.model.encoder import OnnxEncoder, TorchEncoder

    assert isinstance(loading.load_build_model(settings.model_copy(update={"build_encoder": "query"}),
                                               progress=False), OnnxEncoder)
    bf16 = loading.load_build_model(settings.model_copy(update={"build_encoder": "torch-bf16"}), progress=False)
    assert isinstance(bf16, TorchEncoder) and bf16.bf16
    plain = loading.load_build_model(settings.model_copy(update={"build_encoder": "torch"}), progress=False)
    assert isinstance(plain, TorchEncoder) and not plain.bf16
    monkeypatch.setattr(loading, "has_native_bf16", lambda: False)
    assert isinstance(loading.load_build_model(settings, progress=False), OnnxEncoder)  # auto without hardware bf16
    monkeypatch.setattr(loading, "has_native_bf16", lambda: True)
    auto = loading.load_build_model(settings, progress=False)
    assert isinstance(auto, TorchEncoder) and auto.bf16
