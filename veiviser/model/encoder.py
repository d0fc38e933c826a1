"""The e5 encoder behind one small interface, on ONNX Runtime (default) or torch (the fallback).

Queries, bank questions and passages are all embedded through `Encoder.encode`, which returns
L2-normalised float32 vectors (mean pooling, as the model was trained). The ONNX graph is the
same BertModel exported once at set-up with the pooling and normalisation inside it
(`veiviser/model/onnx_export.py`); its vectors match torch's to cosine 1.000, and a query runs
in about half the time. Both backends give the same `model_id`, so the embedding cache and the
index manifest are shared between them.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np


class Encoder(Protocol):
    """What ingest and the query path need from the embedding model."""

    model_id: str
    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False,
               threads: int = 1) -> np.ndarray:
        """Normalised embeddings of `texts` (prefix included by the caller), one row per text."""
        ...


def all_cores() -> int:
    return os.cpu_count() or 1


Batch = TypeVar("Batch")


def batch_threads(threads: int, batches: int) -> tuple[int, int]:
    """How `threads` cores run `batches`: (batches at a time, threads inside one batch).

    Several batches go one per core: an index build is faster so than with every core on one batch
    (on a 2-core EPYC, torch bf16 embeds bank questions 185 -> 250 a second, sentences 96 -> 139,
    passages 9.6 -> 13.3 at the batch sizes of `ingest/indexing.py`), because a core never waits for
    the other inside a matrix product. A single batch (a query) gets every core.
    """
    threads = max(1, threads)
    return (threads, 1) if batches > 1 else (1, threads)


def run_batches(run: Callable[[Batch], np.ndarray], batches: Sequence[Batch], workers: int,
                progress: bool = False) -> list[np.ndarray]:
    """`run` over every batch, `workers` at a time on threads, results in order.

    Both backends release the GIL while they compute, so threads are enough. Inputs are prepared
    (tokenised) before, in the calling thread: a fast tokenizer must not be called from two threads
    at once (huggingface/tokenizers#537, "Already borrowed").
    """
    if progress:
        from tqdm import tqdm

        def shown(results):
            return tqdm(results, total=len(batches), desc="Batches")
    else:
        def shown(results):
            return results
    if workers <= 1:
        return list(shown(map(run, batches)))
    with ThreadPoolExecutor(workers) as pool:
        return list(shown(pool.map(run, batches)))


def has_native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware, where `TorchEncoder(bf16=True)` is the fastest way
    to embed a batch: Intel AMX tiles (about 2x float32 ONNX), or AVX-512 BF16 dot products as on AMD Zen 4
    (measured on a 2-core EPYC: bank questions 160 -> 215 a second, passages the same, a scratch build with
    20,900 bank questions 254 -> 207-226 s). Elsewhere autocast would emulate bf16 and be slower."""
    try:
        import torch
    except ImportError:  # not installed, or kept out of a serving process (api/worker.py)
        return False
    if getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)():
        return True
    return "avx512_bf16" in cpu_flags()


def cpu_info() -> dict[str, str]:
    """The first CPU's fields as Linux reports them in /proc/cpuinfo ("model name", "flags", ...; empty elsewhere)."""
    fields: dict[str, str] = {}
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
        for line in info:
            if not line.strip():  # the first processor's block ends here
                break
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    return fields


def cpu_flags() -> set[str]:
    """The CPU's feature flags (empty where the kernel does not list them)."""
    return set(cpu_info().get("flags", "").split())


class TorchEncoder:
    """sentence-transformers on torch: the reference implementation and the fallback.

    With `bf16`, matrix products run in bfloat16 under torch's CPU autocast (layer norms, softmax
    and the pooling stay float32). On a CPU with AMX tiles that embeds an index build's batches
    about twice as fast as float32 on ONNX Runtime, with vectors at cosine 0.9999+ to float32
    (`evaluation/reports/encoder.md`); a single short query gains nothing, so queries stay on ONNX.
    """

    def __init__(self, model_path: str, model_id: str, local_files_only: bool = True, bf16: bool = False,
                 progress: bool = True):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        shown = transformers_logging.is_progress_bar_enabled()
        if not progress:  # no "Loading weights" bar under --quiet
            transformers_logging.disable_progress_bar()
        try:
            self.model = SentenceTransformer(model_path, device="cpu", local_files_only=local_files_only)
        finally:
            if shown:
                transformers_logging.enable_progress_bar()
        self.model_id = model_id
        self.bf16 = bf16
        self.dimension = int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False,
               threads: int = 1) -> np.ndarray:
        import torch

        texts = list(texts)
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths share a batch
        rows = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
        features = [self.model.preprocess([texts[i] for i in batch]) for batch in rows]

        def embed(batch: dict) -> np.ndarray:
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                return self.model(batch)["sentence_embedding"].float().numpy()

        workers, inside = batch_threads(threads, len(features))
        previous = torch.get_num_threads()
        torch.set_num_threads(inside)
        try:
            parts = run_batches(embed, features, workers, progress)
        finally:
            torch.set_num_threads(previous)
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for batch, part in zip(rows, parts, strict=True):
            vectors[batch] = part
        # normalised again in float32 (bf16 leaves norms a little off 1), so every cosine is a plain dot product
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        return vectors


class OnnxEncoder:
    """The exported graph on ONNX Runtime, tokenised by the model folder's own `tokenizer.json`.

    ONNX Runtime fixes a session's thread count when the session is made, so there is one session
    per thread count asked for: one thread for a query (fastest for a short input, and it leaves
    the other cores to concurrent requests), and for an index build, which runs one batch per core
    on it (`batch_threads`; a session may be run from several threads at once). Batches are cut by
    padded tokens, not only by count.
    """

    max_batch_tokens = 1024  # measured: ORT on CPU is fastest with small batches (4 passages ≈ 1.5× 16)

    def __init__(self, onnx_file: Path, words_file: Path, tokenizer_file: Path, model_id: str,
                 max_length: int = 512):
        from tokenizers import Tokenizer

        self.onnx_file = onnx_file
        self.words = np.load(words_file, mmap_mode="r")  # token id -> input vector, paged in as used
        self.model_id = model_id
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length)
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 0
        self._sessions: dict[int, object] = {}
        self.dimension = int(self._session(1).get_outputs()[0].shape[-1])

    def _session(self, threads: int):
        if threads not in self._sessions:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._sessions[threads] = ort.InferenceSession(str(self.onnx_file), options,
                                                           providers=["CPUExecutionProvider"])
        return self._sessions[threads]

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False,
               threads: int = 1) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")  # similar lengths share a batch
        batches = token_batches([len(encodings[i].ids) for i in order], batch_size, self.max_batch_tokens)
        rows = [order[start:stop] for start, stop in batches]
        workers, inside = batch_threads(threads, len(rows))
        session = self._session(inside)

        def embed(batch: np.ndarray) -> np.ndarray:
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.full((len(batch), width), self.pad_id, dtype=np.intp)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for r, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            return session.run(None, {"words": self.words[ids], "attention_mask": mask})[0]

        out = np.empty((len(encodings), self.dimension), dtype=np.float32)
        for batch, part in zip(rows, run_batches(embed, rows, workers, progress), strict=True):
            out[batch] = part
        return out


def token_batches(lengths: list[int], max_rows: int, max_tokens: int) -> list[tuple[int, int]]:
    """(start, stop) ranges over texts sorted longest first, each at most `max_rows` texts and, once it
    has more than one, at most `max_tokens` padded tokens."""
    out, start = [], 0
    while start < len(lengths):
        stop = start + 1
        while stop < len(lengths) and stop - start < max_rows and (stop - start + 1) * lengths[start] <= max_tokens:
            stop += 1
        out.append((start, stop))
        start = stop
    return out


def max_sequence_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text("utf-8")).get("max_seq_length", 512))
    return 512
