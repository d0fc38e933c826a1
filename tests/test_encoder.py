"""The ONNX encoder gives the torch encoder's vectors: on every evaluation question and passage."""

from __future__ import annotations

import pytest

from evaluation.encoder_check import compare
from veiviser.model.onnx_export import MIN_CHECK_COSINE

pytestmark = pytest.mark.slow


def test_onnx_vectors_equal_torch_vectors_on_every_question_and_passage(settings) -> None:
    rows = [r for r in compare(settings, backends=("onnx",)) if r.backend == "onnx"]
    assert {r.kind for r in rows} == {"questions", "passages"}
    for row in rows:
        assert row.texts > 100
        assert row.min_cosine >= MIN_CHECK_COSINE, row


def test_the_encoders_share_one_model_id_so_caches_and_indexes_are_shared(settings, model) -> None:
    from veiviser.model.loading import load_model

    torch_encoder = load_model(settings.model_copy(update={"encoder": "torch"}), progress=False)
    assert torch_encoder.model_id == model.model_id
    assert torch_encoder.dimension == model.dimension == 384
