"""`veiviser bench`: speed and memory figures, printed as a table and saved for review.

Measured in one run on this machine (shared and noisy, so medians and ratios, never single
timings): index build from scratch (empty embedding cache) and after a one-document change;
query latency in-process and over HTTP; throughput with concurrent clients on loopback; peak
memory. Each figure is compared with the last committed report (evaluation/reports/bench.json),
which names the machine it ran on: a ratio between two machines compares them as much as the code.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from api.search.stages import STAGES
from evaluation.bench_http import free_port, run_http_benchmark
from evaluation.uncertainty import percentile
from veiviser.model.encoder import Encoder, OnnxEncoder, TorchEncoder, cpu_flags, cpu_info
from veiviser.model.onnx_export import INT8_FILE
from veiviser.settings import Settings

REPORT_DIR = Path(__file__).resolve().parent / "reports"
# Targets of the speed issue (two cores): at most these, except throughput, which is at least.
TARGETS = {
    "build_scratch_s": 90.0,
    "build_one_doc_s": 8.0,
    "query_median_ms": 25.0,
    "query_p95_ms": 60.0,
    "http_median_ms": 35.0,
    "served_2_workers_20_clients_rps": 37.0,  # `veiviser serve` as deployed, default two workers
    "served_2_workers_20_clients_errors": 0,
    "http_20_clients_errors": 0,
    "api_rss_mb": 1200.0,
}
AT_LEAST = {"served_2_workers_20_clients_rps"}


def bench_builds(settings: Settings, model, scratch: bool) -> dict[str, float]:
    """Build timings in throw-away folders: from scratch (empty cache) and after editing one document."""
    from ingest.indexing import build_from_corpus

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        shutil.copytree(settings.corpus_dir, corpus)
        cache = root / "cache" if scratch else settings.cache_dir
        bench_settings = settings.model_copy(
            update={"corpus_dir": corpus, "data_dir": root / "data", "cache_dir_override": cache}
        )
        started = time.perf_counter()
        manifest = build_from_corpus(bench_settings, model=model, progress=False)
        key = "build_scratch_s" if scratch else "build_warm_cache_s"
        figures[key] = round(time.perf_counter() - started, 1)
        figures["passages"] = manifest.chunks
        figures["sentences"] = manifest.sentences
        # one-document change: a new paragraph in the smallest document
        smallest = min(corpus.glob("*.md"), key=lambda p: p.stat().st_size)
        smallest.write_text(
            smallest.read_text("utf-8") + "\nEt nytt avsnitt lagt til for å måle en inkrementell oppdatering.\n",
            "utf-8",
        )
        started = time.perf_counter()
        changed = build_from_corpus(bench_settings, model=model, progress=False)
        figures["build_one_doc_s"] = round(time.perf_counter() - started, 1)
        figures["build_one_doc_embedded"] = changed.embedded_new
    return figures


def bench_queries(engine, questions: list[str], repeat: int = 1) -> dict[str, float]:
    """In-process latency of the full search (model loaded, warm), one query at a time, and where it
    goes: each stage's median and p95 (api/search/stages.py), and the JSON serialisation of the answer
    that the HTTP layer adds."""
    for q in questions[:5]:
        engine.search(q)
    times = []
    stages: dict[str, list[float]] = {name: [] for name in (*STAGES, "serialisation")}
    for _ in range(repeat):
        for q in questions:
            started = time.perf_counter()
            response = engine.search(q)
            times.append((time.perf_counter() - started) * 1000)
            for name in STAGES:
                stages[name].append(response.stages_ms.get(name, 0.0))
            started = time.perf_counter()
            response.model_dump_json()
            stages["serialisation"].append((time.perf_counter() - started) * 1000)
    figures: dict[str, float] = {
        "query_median_ms": round(statistics.median(times), 1),
        "query_p95_ms": round(percentile(times, 0.95), 1),
        "queries": len(times),
    }
    for name, values in stages.items():
        figures[f"stage_{name}_median_ms"] = round(statistics.median(values), 2)
        figures[f"stage_{name}_p95_ms"] = round(percentile(values, 0.95), 2)
    return figures


def bench_http(settings: Settings, engine, questions: list[str], clients: int, seconds: float) -> dict[str, float]:
    """Latency and throughput over HTTP against a real uvicorn server on loopback."""
    import uvicorn

    from api.app import create_app

    port = free_port()
    # one client address makes all the load: the per-client rate limit would measure itself
    unlimited = settings.model_copy(update={"rate_limit_per_minute": 0})
    server = uvicorn.Server(uvicorn.Config(create_app(unlimited, engine=engine), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        single = run_http_benchmark(f"http://127.0.0.1:{port}", questions, clients=1, seconds=seconds)
        loaded = run_http_benchmark(f"http://127.0.0.1:{port}", questions, clients=clients, seconds=seconds)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return {
        "http_median_ms": single["latency_ms"]["median"],
        "http_p95_ms": single["latency_ms"]["p95"],
        f"http_{clients}_clients_rps": loaded["requests_per_s"],
        f"http_{clients}_clients_median_ms": loaded["latency_ms"]["median"],
        f"http_{clients}_clients_p95_ms": loaded["latency_ms"]["p95"],
        f"http_{clients}_clients_errors": loaded["errors"],
    }


def bench_served(questions: list[str], clients: int, seconds: float, workers: int) -> dict[str, float]:
    """A real `veiviser serve` as deployed (its own process, model and index, `workers` workers):
    throughput with `clients` clients, and the resident memory of one worker after warm-up."""
    from evaluation.bench_http import served_api

    figures: dict[str, float] = {}
    with served_api(workers=1) as api:
        for q in questions[:50]:
            httpx.get(f"{api.url}/api/search", params={"q": q}, timeout=30)
        figures["api_rss_mb"] = api.rss_mb()
    with served_api(workers=workers) as api:
        run_http_benchmark(api.url, questions, clients=2, seconds=2, max_requests=8)  # each worker warms up
        loaded = run_http_benchmark(api.url, questions, clients=clients, seconds=seconds)
    figures[f"served_{workers}_workers_{clients}_clients_rps"] = loaded["requests_per_s"]
    figures[f"served_{workers}_workers_{clients}_clients_median_ms"] = loaded["latency_ms"]["median"]
    figures[f"served_{workers}_workers_{clients}_clients_errors"] = loaded["errors"]
    return figures


def machine() -> str:
    """The CPU model, its core count and its bfloat16 hardware, e.g. 'AMD EPYC, 2 cores, AVX-512 BF16'."""
    model = cpu_info().get("model name") or platform.processor() or platform.machine()
    flags = cpu_flags()
    bf16 = "AMX" if "amx_bf16" in flags else "AVX-512 BF16" if "avx512_bf16" in flags else "no bf16 hardware"
    return f"{model}, {os.cpu_count()} cores, {bf16}"


def encoder_name(encoder: Encoder) -> str:
    """The build encoder as `VEIVISER_BUILD_ENCODER` names it, so that a report says which one `auto` chose."""
    if isinstance(encoder, TorchEncoder):
        return "torch-bf16" if encoder.bf16 else "torch"
    if isinstance(encoder, OnnxEncoder):
        return "onnx-int8" if encoder.onnx_file.name == INT8_FILE else "onnx"
    return type(encoder).__name__


def peak_memory_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def compare(current: dict[str, Any], previous: dict[str, Any]) -> list[tuple[str, Any, Any, str, str]]:
    rows = []
    for key, value in current.items():
        before = previous.get(key)
        ratio = f"{value / before:.2f}×" if isinstance(value, int | float) and isinstance(before, int | float) \
            and before else ""
        target = TARGETS.get(key)
        met = target is not None and (value >= target if key in AT_LEAST else value <= target)
        goal = "" if target is None else f"{'meets' if met else 'misses'} {'≥' if key in AT_LEAST else '≤'} {target}"
        rows.append((key, value, before if before is not None else "", ratio, goal))
    return rows


def write_report(figures: dict[str, Any], previous: dict[str, Any], out_dir: Path = REPORT_DIR) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    here = figures.get("machine", "this machine")
    lines = ["# Benchmark", "", f"Measured {figures.get('measured_at', '')} on {here}.", ""]
    if previous and previous.get("machine") != figures.get("machine"):
        lines += [f"The last committed report was measured on {previous.get('machine') or 'a machine it did not name'}:"
                  " its ratios compare two machines as much as two versions of the code.", ""]
    lines += ["| figure | now | last committed | ratio | target |", "|---|---|---|---|---|"]
    for key, value, before, ratio, target in compare(figures, previous):
        lines.append(f"| {key} | {value} | {before} | {ratio} | {target} |")
    path = out_dir / "bench.md"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def load_previous(out_dir: Path = REPORT_DIR) -> dict[str, Any]:
    path = out_dir / "bench.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}
