"""The ONNX encoder's batching, the export's freshness check and the build encoder's CPU check (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

from veiviser.model import encoder, onnx_export
from veiviser.model.encoder import token_batches


def test_batches_cover_every_text_once_in_order() -> None:
    lengths = sorted([512, 300, 300, 120, 40, 40, 12, 12, 12, 8, 5], reverse=True)
    batches = token_batches(lengths, max_rows=4, max_tokens=1024)
    assert [i for start, stop in batches for i in range(start, stop)] == list(range(len(lengths)))


def test_batches_respect_rows_and_padded_tokens() -> None:
    lengths = [512, 300, 300, 120, 40, 40, 12, 12, 12, 8, 5]
    for start, stop in token_batches(lengths, max_rows=4, max_tokens=1024):
        assert stop - start <= 4
        assert stop - start == 1 or (stop - start) * lengths[start] <= 1024


def test_a_text_longer_than_the_budget_gets_its_own_batch() -> None:
    assert token_batches([2000, 10], max_rows=8, max_tokens=1024) == [(0, 1), (1, 2)]


def _fake_model(folder: Path) -> Path:
    for name in onnx_export.WEIGHT_FILES:
        (folder / name).write_text(f"weights of {name}", "utf-8")
    out = onnx_export.onnx_dir(folder)
    out.mkdir()
    (out / onnx_export.ONNX_FILE).write_bytes(b"graph")
    (out / onnx_export.WORDS_FILE).write_bytes(b"table")
    stamp = {"format_version": onnx_export.FORMAT_VERSION,
             "weights_sha256": onnx_export._weights_digest(folder), "weights_stat": onnx_export._weights_stat(folder)}
    (out / onnx_export.STAMP_FILE).write_text(json.dumps(stamp), "utf-8")
    return folder


def test_an_export_is_current_for_the_weights_it_was_made_from(tmp_path: Path) -> None:
    folder = _fake_model(tmp_path)
    assert onnx_export.is_current(folder)
    assert not onnx_export.is_current(folder, int8=True)  # no int8 file yet


def test_changed_weights_make_the_export_stale(tmp_path: Path) -> None:
    folder = _fake_model(tmp_path)
    (folder / "model.safetensors").write_text("other weights", "utf-8")
    assert not onnx_export.is_current(folder)


def test_a_touched_but_unchanged_file_is_still_current(tmp_path: Path) -> None:
    folder = _fake_model(tmp_path)
    path = folder / "config.json"
    path.write_text(path.read_text("utf-8"), "utf-8")  # new mtime, same bytes: falls back to the hash
    assert onnx_export.is_current(folder)


def test_a_missing_graph_is_not_current(tmp_path: Path) -> None:
    folder = _fake_model(tmp_path)
    (onnx_export.onnx_dir(folder) / onnx_export.ONNX_FILE).unlink()
    assert not onnx_export.is_current(folder)


def test_avx512_bf16_counts_as_hardware_bf16_without_amx(monkeypatch) -> None:
    import torch

    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    monkeypatch.setattr(encoder, "cpu_flags", lambda: {"avx512f", "avx512_bf16"})
    assert encoder.has_native_bf16()
    monkeypatch.setattr(encoder, "cpu_flags", lambda: {"avx512f", "avx2"})
    assert not encoder.has_native_bf16()


def test_cpu_flags_are_read_from_the_kernel() -> None:
    flags = encoder.cpu_flags()
    assert isinstance(flags, set)
    if Path("/proc/cpuinfo").exists():
        assert flags, "a Linux machine lists its CPU flags"


def test_several_batches_go_one_per_core_and_a_single_batch_gets_every_core() -> None:
    assert encoder.batch_threads(threads=2, batches=40) == (2, 1)
    assert encoder.batch_threads(threads=2, batches=1) == (1, 2)
    assert encoder.batch_threads(threads=1, batches=40) == (1, 1)


def test_batches_run_in_parallel_come_back_in_their_order() -> None:
    import threading
    import time

    import numpy as np

    seen: set[int] = set()

    def run(batch: int) -> np.ndarray:
        seen.add(threading.get_ident())
        time.sleep(0.01 * (batch % 3))  # later batches may finish first
        return np.full((1, 2), batch, dtype=np.float32)

    parts = encoder.run_batches(run, list(range(12)), workers=3)
    assert [int(p[0, 0]) for p in parts] == list(range(12))
    assert len(seen) > 1  # it did run on several threads
