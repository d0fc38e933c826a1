"""HTTP latency and throughput of the search API on loopback, with bounded loops.

`run_http_benchmark` sends searches from `clients` threads (one keep-alive connection each)
for at most `seconds` (and at most `max_requests`), and reports median / p95 latency as the
client sees it, requests per second and every non-200 answer. Run as a script it measures one
client (latency) and then 20 concurrent clients (load), against `--url` or against a server it
starts itself on 127.0.0.1 with the configured index.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from evaluation.uncertainty import percentile

DEFAULT_QUERIES = [
    "Hvem har rett på individuell plan?",
    "Hva er koordinerende enhet sitt ansvar?",
    "samtidig ruslidelse og psykisk lidelse",
    "Når skal kommunen tilby oppfølging etter utskrivning fra døgnbehandling?",
    "brukermedvirkning i psykisk helsearbeid",
    "LAR og kommunal oppfølging",
    "hol § 3-2",
    "tvang i psykisk helsevern",
    "pårørende til personer med rusproblemer",
    "Hva er ACT-team?",
    "bolig og oppfølging for personer med rusmiddelproblemer",
    "krisetjenester og øyeblikkelig hjelp",
]


def run_http_benchmark(base_url: str, queries: list[str] | None = None, clients: int = 20, seconds: float = 10.0,
                       max_requests: int | None = None, k: int = 10, timeout: float = 30.0) -> dict[str, Any]:
    """Search `base_url` from `clients` concurrent clients for `seconds`; latency in ms, rate in requests/s."""
    queries = queries or DEFAULT_QUERIES
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    issued = 0
    deadline = time.perf_counter() + seconds

    def next_index() -> int | None:
        nonlocal issued
        with lock:
            if time.perf_counter() >= deadline or (max_requests is not None and issued >= max_requests):
                return None
            issued += 1
            return issued

    def worker(offset: int) -> None:
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            while (n := next_index()) is not None:
                query = queries[(n + offset) % len(queries)]
                started = time.perf_counter()
                try:
                    response = client.get("/api/search", params={"q": query, "k": k})
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    statuses[status] += 1
                    if status == "200":
                        latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    wall = time.perf_counter() - started
    total = sum(statuses.values())
    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "requests": total,
        "errors": total - statuses.get("200", 0),
        "status_counts": dict(statuses),
        "requests_per_s": round(statuses.get("200", 0) / wall, 1) if wall else 0.0,
        "latency_ms": {
            "median": round(statistics.median(latencies), 1) if latencies else None,
            "p95": round(percentile(latencies, 0.95), 1) if latencies else None,
            "p99": round(percentile(latencies, 0.99), 1) if latencies else None,
            "max": round(max(latencies), 1) if latencies else None,
        },
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """A real uvicorn server for an app on 127.0.0.1 in a background thread (tests and benchmarks)."""

    def __init__(self, app: Any, port: int | None = None):
        import uvicorn

        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, access_log=False, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@contextmanager
def served_api(workers: int = 1, env: dict[str, str] | None = None, cwd: Path | None = None,
               python: str = sys.executable, timeout_s: float = 240) -> Iterator[ServedApi]:
    """A real `veiviser serve` process (its own model and index, `workers` worker processes, no rate
    limit) on a free loopback port, ready when entered; stopped on exit."""
    port = free_port()
    process = subprocess.Popen(
        [python, "-m", "veiviser.cli", "serve", "--port", str(port)], cwd=cwd,
        env={**os.environ, "VEIVISER_RATE_LIMIT_PER_MINUTE": "0", "VEIVISER_WORKERS": str(workers), **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout_s
        while True:
            with suppress(httpx.HTTPError):  # not listening yet
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError(f"`veiviser serve` did not become ready on {url}")
            time.sleep(0.5)
        yield ServedApi(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)


@dataclass(frozen=True)
class ServedApi:
    url: str
    pid: int

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn started (none when it serves in its own process)."""
        return [pid for pid in _children(self.pid) if "python" in Path(f"/proc/{pid}/cmdline").read_text()
                and "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]

    def rss_mb(self) -> float:
        """Resident memory of the server and its worker processes, together."""
        pids = [self.pid, *_children(self.pid)]
        total_kb = 0
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            total_kb += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
        return round(total_kb / 1024, 1)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in map(int, children):
            found += [child, *_children(child)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one on 127.0.0.1 with the current index)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients for the load run (default 20)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each run (default 15)")
    parser.add_argument("--out", help="write the figures as JSON to this file")
    args = parser.parse_args(argv)

    def measure(url: str) -> dict[str, Any]:
        run_http_benchmark(url, clients=1, seconds=2.0, max_requests=5)  # warm-up
        return {
            "latency_1_client": run_http_benchmark(url, clients=1, seconds=args.seconds),
            f"load_{args.clients}_clients": run_http_benchmark(url, clients=args.clients, seconds=args.seconds),
        }

    if args.url:
        report = measure(args.url)
    else:
        from api.app import create_app
        from veiviser.settings import get_settings

        settings = get_settings().model_copy(update={"rate_limit_per_minute": 0})
        with LocalServer(create_app(settings)) as server:
            report = measure(server.url)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
