"""The benchmark report names its machine and warns when the last committed one ran elsewhere."""

from __future__ import annotations

from pathlib import Path

from evaluation import bench


def test_the_report_names_the_machine_and_flags_a_different_one(tmp_path: Path) -> None:
    now = {"measured_at": "2026-12-03T11:00:00", "machine": "AMD EPYC, 2 cores, AVX-512 BF16", "build_scratch_s": 200.0}
    last = {"measured_at": "2026-12-02T07:00:00", "build_scratch_s": 70.0}
    text = bench.write_report(now, last, tmp_path).read_text("utf-8")
    assert "on AMD EPYC, 2 cores, AVX-512 BF16." in text
    assert "a machine it did not name" in text
    assert "| build_scratch_s | 200.0 | 70.0 | 2.86× | misses ≤ 90.0 |" in text


def test_the_same_machine_needs_no_warning(tmp_path: Path) -> None:
    figures = {"measured_at": "2026-12-03T11:00:00", "machine": "CPU X, 2 cores, AMX", "query_median_ms": 20.0}
    text = bench.write_report(figures, dict(figures), tmp_path).read_text("utf-8")
    assert "compare two machines" not in text
    assert "| query_median_ms | 20.0 | 20.0 | 1.00× | meets ≤ 25.0 |" in text


def test_machine_describes_cpu_cores_and_bf16_hardware() -> None:
    description = bench.machine()
    assert " cores, " in description
    assert description.rsplit(", ", 1)[1] in {"AMX", "AVX-512 BF16", "no bf16 hardware"}
