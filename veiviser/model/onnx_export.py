"""Export the provisioned e5 model to ONNX once, at set-up, beside the model folder.

sentence-transformers' own ONNX backend needs `optimum-onnx`, which requires transformers < 4.58
while this stack pins 5.23; so the BertModel is exported with `torch.onnx.export`, with mean
pooling and L2 normalisation inside the graph, and checked against torch on a few texts before it
is used. The word-embedding table (250,002 × 384, 384 MB of the model's 470) is kept outside the
graph, as a numpy file the encoder memory-maps: only the rows of tokens actually seen become
resident, which keeps the API's memory about 380 MB lower. Both files are built by `veiviser model`
(the README's first command), rebuilt when the model's weights change, and never committed. An int8 variant (dynamic
quantisation) can be made beside it; it was measured and is not the default (docs in README).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

ONNX_FILE = "model.onnx"
WORDS_FILE = "word_embeddings.npy"
INT8_FILE = "model-int8.onnx"
STAMP_FILE = "export.json"
FORMAT_VERSION = 3  # 2: the word-embedding table outside the graph; 3: eager attention
CHECK_TEXTS = [
    "query: Hvem i kommunen kan følge opp en pasient som ikke møter til avtaler?",
    "query: fastlegeforskriften § 19",
    "passage: Kommunen skal tilby individuell plan til pasienter og brukere med behov for langvarige og "
    "koordinerte tjenester.",
]
MIN_CHECK_COSINE = 0.999
WEIGHT_FILES = ("model.safetensors", "config.json", "tokenizer.json")


class OnnxExportError(RuntimeError):
    """The exported graph does not reproduce the torch model's vectors."""


def onnx_dir(model_dir: Path) -> Path:
    return model_dir / "onnx"


def _weights_digest(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in WEIGHT_FILES:
        path = model_dir / name
        if path.exists():
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def _weights_stat(model_dir: Path) -> list[list[int]]:
    """Size and modification time of the weight files: a cheap first check before hashing them."""
    return [[p.stat().st_size, p.stat().st_mtime_ns] for p in (model_dir / n for n in WEIGHT_FILES) if p.exists()]


def _stamp(model_dir: Path) -> dict:
    import onnxruntime
    import torch

    return {"format_version": FORMAT_VERSION, "weights_sha256": _weights_digest(model_dir),
            "weights_stat": _weights_stat(model_dir), "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__}


def is_current(model_dir: Path, int8: bool = False) -> bool:
    """Whether an export exists for these weights (the int8 file too, when asked). Hashes the
    weights (about a second) only when their size or time differs from the export's."""
    folder = onnx_dir(model_dir)
    stamp = folder / STAMP_FILE
    needed = [ONNX_FILE, WORDS_FILE, STAMP_FILE, *([INT8_FILE] if int8 else [])]
    if not all((folder / name).exists() for name in needed):
        return False
    recorded = json.loads(stamp.read_text("utf-8"))
    if recorded.get("format_version") != FORMAT_VERSION:
        return False
    return recorded.get("weights_stat") == _weights_stat(model_dir) or \
        recorded.get("weights_sha256") == _weights_digest(model_dir)


def export_onnx(model_dir: Path, int8: bool = False, progress: bool = True) -> Path:
    """Write `<model_dir>/onnx/model.onnx` (and `model-int8.onnx` when asked), checked against torch.

    Written to a temporary folder first and moved into place, so an interrupted export never
    leaves a half-written graph that a later start would trust.
    """
    if is_current(model_dir, int8):
        return onnx_dir(model_dir)
    import warnings

    import torch
    from sentence_transformers import SentenceTransformer

    warnings.filterwarnings("ignore", message="Exporting aten::index operator", category=UserWarning)
    if progress:
        print(f"Exporting the embedding model to ONNX in {onnx_dir(model_dir)} (once, about a minute)")
    # Eager attention exports as plain MatMul/Softmax, which ONNX Runtime runs about 1.45x faster on
    # 300-token passages than the graph traced from torch's fused SDPA (measured: 5,000 vs 3,450
    # tokens/s on 2 cores; the same speed for short queries). The vectors are the same.
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True,
                                model_kwargs={"attn_implementation": "eager"})
    bert = model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module):
            super().__init__()
            self.encoder = encoder

        def forward(self, words: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(inputs_embeds=words, attention_mask=attention_mask,
                                  token_type_ids=torch.zeros_like(attention_mask)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = model.tokenizer(CHECK_TEXTS[:2], padding=True, return_tensors="pt")
    table = bert.get_input_embeddings().weight.detach()
    tmp = Path(tempfile.mkdtemp(prefix=".onnx-", dir=model_dir))
    try:
        np.save(tmp / WORDS_FILE, table.numpy().astype(np.float32))
        with torch.inference_mode():
            torch.onnx.export(
                Pooled(bert), (table[sample["input_ids"]], sample["attention_mask"]), str(tmp / ONNX_FILE),
                input_names=["words", "attention_mask"], output_names=["embedding"],
                dynamic_axes={"words": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                              "embedding": {0: "batch"}},
                opset_version=17, dynamo=False,
            )
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(tmp / ONNX_FILE), str(tmp / INT8_FILE), weight_type=QuantType.QInt8)
        reference = model.encode(CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
        worst = check_export(tmp / ONNX_FILE, model_dir, reference)
        if worst < MIN_CHECK_COSINE:
            raise OnnxExportError(f"the ONNX export differs from torch (cosine {worst:.5f} < {MIN_CHECK_COSINE})")
        (tmp / STAMP_FILE).write_text(json.dumps(_stamp(model_dir), indent=2) + "\n", "utf-8")
        for path in tmp.iterdir():
            path.chmod(0o644)
        target = onnx_dir(model_dir)
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        target.chmod(0o755)
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_export(onnx_file: Path, model_dir: Path, reference: np.ndarray) -> float:
    """The smallest cosine between the graph's vectors and torch's on CHECK_TEXTS."""
    from veiviser.model.encoder import OnnxEncoder, max_sequence_length

    encoder = OnnxEncoder(onnx_file, onnx_file.parent / WORDS_FILE, model_dir / "tokenizer.json", "check",
                          max_sequence_length(model_dir))
    mine = encoder.encode(CHECK_TEXTS)
    return float((mine * reference).sum(axis=1).min())
