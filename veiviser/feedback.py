"""Users' verdicts on results and abstentions, kept in SQLite so that they outlive every index version.

The API writes (`POST /api/feedback`), the CLI reads (`veiviser feedback stats|export`). The file
lives at `<data_dir>/feedback/feedback.sqlite3`, outside the index versions, so a rebuild or a
rollback never loses it. The store keeps what it is given: the API hashes the query with the
query log's keyed hash and redacts the text (only when the user shares it) before recording.
Retention: a row's query text and query hash are removed once the row is older than the limit;
the verdict itself (passage, rank, index version, time, filters) stays, as it says nothing about
a patient. The table's name carries its schema version, so a new schema is a new table and never
a migration of this one.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from evaluation.questions import MAX_WORDS, MIN_WORDS
from veiviser.sentences import sentences
from veiviser.settings import Settings

Kind = Literal["result", "abstention"]
Verdict = Literal["yes", "no"]
KINDS: tuple[str, ...] = get_args(Kind)
VERDICTS: tuple[str, ...] = get_args(Verdict)
MAX_QUERY_CHARS = 1000  # the same limit as a search (api/search/query.py), so every search can get feedback

TABLE = "feedback_v1"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('result', 'abstention')),
    verdict TEXT NOT NULL CHECK (verdict IN ('yes', 'no')),
    passage_id TEXT,
    rank INTEGER,
    index_version TEXT,
    query_hash TEXT,
    query TEXT,
    filters TEXT NOT NULL DEFAULT '{{}}'
);
CREATE INDEX IF NOT EXISTS {TABLE}_at ON {TABLE} (at);
CREATE INDEX IF NOT EXISTS {TABLE}_passage ON {TABLE} (passage_id);
"""


def feedback_path(settings: Settings) -> Path:
    return settings.data_dir / "feedback" / "feedback.sqlite3"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    """UTC ISO time to the second: one fixed format, so that times compare as strings."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Feedback:
    id: int
    at: str
    kind: str
    verdict: str
    passage_id: str | None
    rank: int | None
    index_version: str | None
    query_hash: str | None
    query: str | None
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PassageCounts:
    passage_id: str
    yes: int
    no: int


@dataclass(frozen=True)
class FeedbackStats:
    total: int
    passages: list[PassageCounts]  # most verdicts first
    disputed_abstentions: int  # "Burde Veiviser ha funnet noe?" answered yes
    accepted_abstentions: int  # ... answered no
    disputed_queries: list[tuple[str, int]]  # the shared (redacted) texts of disputed abstentions, with counts


class FeedbackStore:
    """The feedback table: a connection per call (SQLite in WAL mode lets readers run beside the
    writer), writes serialised by a lock within the process and by SQLite's own locks between
    processes (several API workers with a Qdrant server, the CLI)."""

    def __init__(self, path: Path, retention_days: int):
        self.path = path
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._pruned_on: dt.date | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(feedback_path(settings), settings.feedback_retention_days)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection to a file with the table, created again if an operator deleted it meanwhile."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
            with connection:  # one transaction: committed on success, rolled back on error
                yield connection
        finally:
            connection.close()

    def record(self, *, kind: str, verdict: str, query_hash: str, query: str | None = None,
               passage_id: str | None = None, rank: int | None = None, index_version: str | None = None,
               filters: Mapping[str, str] | None = None, at: dt.datetime | None = None) -> int:
        """Store one verdict; returns its id. `query` is the text to keep (already redacted), or None."""
        if kind not in KINDS or verdict not in VERDICTS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)} and verdict one of {', '.join(VERDICTS)}")
        if (kind == "result") != (passage_id is not None):
            raise ValueError("a result verdict names its passage; an abstention verdict names none")
        now = _now()
        with self._lock:
            if self._pruned_on != now.date():  # the first write of a day (or of a process) prunes
                self._prune(now)
                self._pruned_on = now.date()
            with self._connect() as db:
                cursor = db.execute(
                    f"INSERT INTO {TABLE} (at, kind, verdict, passage_id, rank, index_version, query_hash, query, "
                    "filters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (_stamp(at or now), kind, verdict, passage_id, rank, index_version, query_hash, query,
                     json.dumps(dict(filters or {}), ensure_ascii=False, sort_keys=True)),
                )
                return int(cursor.lastrowid or 0)

    def prune(self, retention_days: int | None = None, now: dt.datetime | None = None) -> int:
        """Remove the query text and hash of rows older than the retention limit; returns how many rows."""
        with self._lock:
            return self._prune(now or _now(), retention_days)

    def _prune(self, now: dt.datetime, retention_days: int | None = None) -> int:
        if not self.path.exists():
            return 0
        days = self.retention_days if retention_days is None else retention_days
        cutoff = _stamp(now - dt.timedelta(days=days))
        with self._connect() as db:
            cursor = db.execute(
                f"UPDATE {TABLE} SET query = NULL, query_hash = NULL "
                "WHERE at < ? AND (query IS NOT NULL OR query_hash IS NOT NULL)", (cutoff,))
            return cursor.rowcount

    def all(self) -> list[Feedback]:
        """Every row, oldest first (an empty list before the first verdict: no file is created)."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                f"SELECT id, at, kind, verdict, passage_id, rank, index_version, query_hash, query, filters "
                f"FROM {TABLE} ORDER BY id").fetchall()
        return [Feedback(*row[:9], filters=json.loads(row[9] or "{}")) for row in rows]

    def stats(self) -> FeedbackStats:
        rows = self.all()
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        disputed: Counter[str] = Counter()
        for row in rows:
            if row.kind == "result" and row.passage_id:
                counts[row.passage_id][row.verdict] += 1
            elif row.kind == "abstention" and row.verdict == "yes" and row.query:
                disputed[row.query] += 1
        passages = [PassageCounts(pid, c["yes"], c["no"]) for pid, c in counts.items()]
        passages.sort(key=lambda p: (-(p.yes + p.no), -p.yes, p.passage_id))
        abstentions = [r for r in rows if r.kind == "abstention"]
        return FeedbackStats(
            total=len(rows),
            passages=passages,
            disputed_abstentions=sum(1 for r in abstentions if r.verdict == "yes"),
            accepted_abstentions=sum(1 for r in abstentions if r.verdict == "no"),
            disputed_queries=sorted(disputed.items(), key=lambda item: (-item[1], item[0])),
        )

    def export_questions(self, passages: Mapping[str, Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Evaluation-suite questions (evaluation/README.md) from the shared queries with a "yes" on a
        passage, and notes on what was left out. `passages` maps passage ids to the current index's
        chunks (`text`, `doc_id`, `section_number`).

        A query's verdicts are those of its rows with the same text, or the same keyed hash as a row
        that shares the text; a passage counts as useful when it got more yes than no for the query.
        Disputed abstentions are not exported: the format needs evidence for an in-scope question."""
        rows = self.all()
        text_of_hash = {r.query_hash: r.query for r in rows if r.query and r.query_hash}
        verdicts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        first: dict[str, tuple[int, str]] = {}  # query key -> (lowest row id, text as first shared)
        for row in rows:
            text = row.query or text_of_hash.get(row.query_hash)
            if row.kind != "result" or not row.passage_id or not text:
                continue
            key = " ".join(text.split()).casefold()
            verdicts[key][row.passage_id][row.verdict] += 1
            first.setdefault(key, (row.id, " ".join(text.split())))
        lines: list[dict[str, Any]] = []
        notes: list[str] = []
        for key, (row_id, text) in sorted(first.items(), key=lambda item: item[1][0]):
            useful = [pid for pid, c in verdicts[key].items() if c["yes"] > c["no"]]
            evidence, where = [], []
            for pid in useful:
                chunk = passages.get(pid)
                if chunk is None:
                    notes.append(f"fb-{row_id}: passage '{pid}' is not in the current index; left out")
                    continue
                snippet = evidence_snippet(str(chunk.get("text", "")))
                if snippet is None:
                    notes.append(f"fb-{row_id}: passage '{pid}' has fewer than {MIN_WORDS} words; left out")
                    continue
                evidence.append(snippet)
                where.append(chunk)
            if not evidence:
                continue
            lines.append({
                "id": f"fb-{row_id}",
                "set": "dev",
                "question": text,
                "kind": question_kind(text),
                "doc_id": where[0].get("doc_id"),
                "section": where[0].get("section_number") or where[0].get("section_title") or None,
                "evidence": evidence,
                "source": "feedback",
                "passages": [str(c.get("id")) for c in where],
            })
        return lines, notes


def evidence_snippet(text: str) -> str | None:
    """Verbatim text of the passage for an evidence snippet: the first run of whole sentences with
    MIN_WORDS-MAX_WORDS words, else the first MAX_WORDS words of a long sentence, else None."""
    spans = [s for _, _, s in sentences(text, min_words=1)]
    for start, sentence in enumerate(spans):
        words: list[str] = []
        for following in spans[start:]:
            more = following.split()
            if len(words) + len(more) > MAX_WORDS:
                break
            words += more
            if len(words) >= MIN_WORDS:
                return " ".join(words)
        if len(sentence.split()) > MAX_WORDS:
            return " ".join(sentence.split()[:MAX_WORDS])
    return None


def question_kind(text: str) -> str:
    """The evaluation kind a reviewer most likely keeps: `legal` when a paragraph is named, `keyword`
    for a few words typed without a question, else `paraphrase`."""
    if "§" in text:
        return "legal"
    if len(text.split()) <= 3 and not text.rstrip().endswith("?"):
        return "keyword"
    return "paraphrase"
