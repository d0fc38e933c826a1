"""A bounded load run on loopback: 20 concurrent clients through the fault proxy (passing traffic, as
the nginx hop of the cluster profile) to a real uvicorn server; zero errors, latency figures printed."""

from __future__ import annotations

import json
import os

from faults import FaultProxy

from api.app import create_app
from evaluation.bench_http import LocalServer, run_http_benchmark

SECONDS = float(os.environ.get("VEIVISER_LOAD_SECONDS", "20"))  # at most 30 s in CI


def test_twenty_clients_through_a_proxy_without_errors(settings, engine) -> None:
    unthrottled = settings.model_copy(update={"rate_limit_per_minute": 0})  # 20 clients share one address
    with LocalServer(create_app(unthrottled, engine=engine)) as server:
        with FaultProxy(server.port) as proxy:
            run_http_benchmark(proxy.url, clients=2, seconds=2, max_requests=4)  # warm-up
            load = run_http_benchmark(proxy.url, clients=20, seconds=min(SECONDS, 30.0))
    print(f"\nHTTP search via proxy, 20 clients, {SECONDS:g} s:", json.dumps(load))
    assert load["errors"] == 0, load
    assert load["requests"] >= 20 and load["requests_per_s"] > 0
    assert load["latency_ms"]["median"] is not None and load["latency_ms"]["p95"] is not None
