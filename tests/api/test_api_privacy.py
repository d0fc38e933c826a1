"""Query text never reaches logs or metrics; redacted logging removes identifying details."""

from __future__ import annotations

import datetime as dt
import json
import logging

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.privacy import QueryLogger, prune_query_logs, redact

SENSITIVE = "Kari Nordmann 12057512345 ruset og suicidal, ring 912 34 567"


def test_no_query_text_in_logs_or_metrics(client, caplog, capfd):
    with caplog.at_level(logging.DEBUG):
        client.get("/api/search", params={"q": SENSITIVE})
        client.post("/api/search", json={"q": SENSITIVE, "k": 3})
        client.get("/api/search", params={"q": SENSITIVE, "status": "ukjent"})
        client.get("/api/suggest", params={"q": SENSITIVE})
        client.get("/api/search", params={"q": SENSITIVE + "x" * 1000})
        metrics = client.get("/metrics").text
    out, err = capfd.readouterr()
    # the test client's own request log (httpx) shows the URL it sent; everything else is the server's
    server_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    for text in (server_log, out, err, metrics):
        for fragment in ("Nordmann", "12057512345", "suicidal", "912 34 567"):
            assert fragment not in text
    searches = [r.getMessage() for r in caplog.records if r.getMessage().startswith("search ")]
    assert len(searches) == 2
    assert f"q_len={len(SENSITIVE)}" in searches[0] and "q_hash=" in searches[0] and "results=" in searches[0]
    assert any(r.name == "veiviser.api.access" and "/api/search" in r.getMessage() for r in caplog.records)


def test_hash_is_keyed_and_stable_within_a_process(settings):
    a, b = QueryLogger(settings), QueryLogger(settings)
    assert a.hash("plan") == a.hash("plan") != b.hash("plan"), "random key per process by default"
    keyed = settings.model_copy(update={"query_hash_key": SecretStr("hemmelig")})
    assert QueryLogger(keyed).hash("plan") == QueryLogger(keyed).hash("plan")


def test_redaction():
    text = ("Pasient 120575 12345 (f. 12.05.1975, 1975-05-12, 12. mai 1975) tlf +47 912 34 567 / 22334455, "
            "e-post kari.nordmann@example.no, hol § 3-2 gjelder")
    redacted = redact(text)
    for gone in ("120575", "12345", "12.05.1975", "1975-05-12", "12. mai", "912 34 567", "22334455", "kari.nordmann"):
        assert gone not in redacted
    assert "[fnr]" in redacted and "[dato]" in redacted and "[telefon]" in redacted and "[e-post]" in redacted
    assert "hol § 3-2 gjelder" in redacted


def test_redacted_query_log_with_retention(api_settings, engine, tmp_path):
    settings = api_settings.model_copy(update={"query_log": "redacted", "query_log_retention_days": 30,
                                                "data_dir": tmp_path})
    folder = tmp_path / "query-log"
    folder.mkdir()
    old = folder / f"{(dt.date.today() - dt.timedelta(days=40)).isoformat()}.jsonl"
    recent = folder / f"{(dt.date.today() - dt.timedelta(days=2)).isoformat()}.jsonl"
    old.write_text("{}\n")
    recent.write_text("{}\n")
    with TestClient(create_app(settings, engine=engine)) as client:
        assert not old.exists(), "files past the retention limit are deleted at start-up"
        assert recent.exists()
        assert client.get("/api/search", params={"q": SENSITIVE, "k": 2}).status_code == 200
    today = sorted(folder.glob("*.jsonl"))[-1]
    record = json.loads(today.read_text().splitlines()[-1])
    assert "12057512345" not in record["query"] and "912 34 567" not in record["query"]
    assert "[fnr]" in record["query"] and len(record["results"]) == 2
    assert prune_query_logs(folder, 1, dt.date.today() + dt.timedelta(days=5))
