"""Several API workers on the embedded index: each loads it in turn, all of them answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluation.bench_http import run_http_benchmark, served_api
from veiviser.index_format import current_version, version_folder

pytestmark = pytest.mark.slow


def test_two_embedded_workers_load_in_turn_and_answer_twenty_clients(tmp_path: Path, settings, index) -> None:
    version = current_version(settings)
    assert version is not None
    data = tmp_path / "data"
    shutil.copytree(version_folder(settings, version), data / "indexes" / version)
    (data / "CURRENT").write_text(version + "\n", "utf-8")
    env = {"VEIVISER_DATA_DIR": str(data), "VEIVISER_MODEL_DIR": str(settings.model_dir),
           "VEIVISER_CACHE_DIR": str(settings.cache_dir), "VEIVISER_RELOAD_INTERVAL_S": "0"}
    with served_api(workers=2, env=env) as api:
        assert len(api.worker_pids()) == 2
        load = run_http_benchmark(api.url, clients=20, seconds=5)
    assert load["errors"] == 0, load
    assert load["requests"] >= 20
