"""Queries may describe a patient: they are logged as a keyed hash by default, redacted if at all.

A plain SHA-256 of a short query can be reversed by hashing likely queries, so the hash is an
HMAC with a secret key (random per process unless `VEIVISER_QUERY_HASH_KEY` is set). Redacted
query logging, when turned on, writes one JSON line per search to a file per day and deletes
files older than the retention limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from pathlib import Path

from veiviser.settings import Settings

logger = logging.getLogger("veiviser.api")

_MONTHS = (
    "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des"
)
# Order matters: e-mail before numbers (digits in addresses), identity numbers before phone numbers.
REDACTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE), "[e-post]"),
    # fødselsnummer / D-nummer: 11 digits, often written 6 + 5
    (re.compile(r"(?<!\d)\d{6}[ .-]?\d{5}(?!\d)"), "[fnr]"),
    # dates: 24.12.2023, 24/12/23, 2023-12-24, 24. desember 2023, 24. des
    (re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)"), "[dato]"),
    (re.compile(r"(?<!\d)\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?!\d)"), "[dato]"),
    (re.compile(rf"(?<!\d)\d{{1,2}}\.?\s*(?:{_MONTHS})\b\.?(?:\s*\d{{4}})?", re.IGNORECASE), "[dato]"),
    # phone numbers: +47 / 0047 and 8 digits in any grouping
    (re.compile(r"(?:(?:\+|00)\d{2}[\s-]?)?(?<!\d)(?:\d[\s-]?){7}\d(?!\d)"), "[telefon]"),
]


def redact(text: str) -> str:
    """The query with national identity numbers, dates, phone numbers and e-mail addresses removed."""
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class QueryLogger:
    """Logs each search without its text: a keyed hash, length, latency and result ids."""

    def __init__(self, settings: Settings):
        secret = settings.query_hash_key.get_secret_value()
        self._key = secret.encode() if secret else secrets.token_bytes(32)
        self.mode = settings.query_log
        self.retention_days = settings.query_log_retention_days
        self.folder = settings.data_dir / "query-log"
        self._lock = threading.Lock()
        self._pruned_on: dt.date | None = None

    def hash(self, query: str) -> str:
        return hmac.new(self._key, query.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    def log_search(self, query: str, *, k: int, filters: dict[str, str], result_ids: list[str],
                   abstained: bool, took_ms: float) -> None:
        abstained, took_ms = bool(abstained), float(took_ms)  # the engine may hand over numpy scalars
        logger.info(
            "search q_hash=%s q_len=%d k=%d filters=%s abstained=%s took_ms=%.1f results=%s",
            self.hash(query), len(query), k, sorted(filters), abstained, took_ms, ",".join(result_ids),
        )
        if self.mode == "redacted":
            self._write({
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "query": redact(query),
                "q_hash": self.hash(query),
                "k": k,
                "filters": filters,
                "abstained": abstained,
                "took_ms": took_ms,
                "results": result_ids,
            })

    def _write(self, record: dict) -> None:
        today = dt.datetime.now(dt.UTC).date()
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._pruned_on != today:
                prune_query_logs(self.folder, self.retention_days, today)
                self._pruned_on = today
            with (self.folder / f"{today.isoformat()}.jsonl").open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")


def prune_query_logs(folder: Path, retention_days: int, today: dt.date | None = None) -> list[Path]:
    """Delete day files older than the retention limit; returns what was deleted."""
    today = today or dt.datetime.now(dt.UTC).date()
    removed = []
    if not folder.exists():
        return removed
    for path in folder.glob("*.jsonl"):
        try:
            day = dt.date.fromisoformat(path.stem)
        except ValueError:
            continue
        if (today - day).days >= retention_days:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
