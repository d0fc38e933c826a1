"""The feedback store over hand-made verdicts: recording, retention, stats and the export's questions."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

import pytest

from evaluation.questions import MAX_WORDS, MIN_WORDS, parse_line
from veiviser.feedback import TABLE, FeedbackStore, evidence_snippet, question_kind
from veiviser.settings import Settings

LONG = ("Kommunen skal tilby individuell plan til pasienter og brukere med behov for langvarige og koordinerte "
        "tjenester. Planen skal utarbeides i samarbeid med pasienten. Fastlegen skal delta i arbeidet med "
        "planen når det er nødvendig for å gi et helhetlig tilbud.")
PASSAGES = {
    "doc-a/plan/1": {"id": "doc-a/plan/1", "doc_id": "doc-a", "section_number": "6.1.2", "text": LONG},
    "doc-a/plan/2": {"id": "doc-a/plan/2", "doc_id": "doc-a", "section_number": "6.1.2", "text": "For kort."},
}


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "feedback" / "feedback.sqlite3", retention_days=30)


def test_nothing_is_created_until_the_first_verdict(store: FeedbackStore) -> None:
    assert store.all() == [] and store.prune() == 0
    assert not store.path.exists()


def test_record_and_read_back(store: FeedbackStore) -> None:
    first = store.record(kind="result", verdict="yes", query_hash="h1", query="individuell plan",
                         passage_id="doc-a/plan/1", rank=2, index_version="v1", filters={"status": "gjeldende"})
    second = store.record(kind="abstention", verdict="yes", query_hash="h2")
    assert second == first + 1
    rows = store.all()
    assert [(r.kind, r.verdict, r.passage_id, r.rank, r.index_version) for r in rows] == [
        ("result", "yes", "doc-a/plan/1", 2, "v1"), ("abstention", "yes", None, None, None)]
    assert rows[0].filters == {"status": "gjeldende"} and rows[1].query is None
    assert dt.datetime.fromisoformat(rows[0].at).tzinfo is not None, "times are UTC ISO with offset"
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0] == 2


@pytest.mark.parametrize("changes", [{"kind": "other"}, {"verdict": "kanskje"}, {"passage_id": None},
                                     {"kind": "abstention"}])
def test_inconsistent_verdicts_are_refused(store: FeedbackStore, changes: dict) -> None:
    fields = {"kind": "result", "verdict": "yes", "query_hash": "h", "passage_id": "doc-a/plan/1", "rank": 1}
    with pytest.raises(ValueError):
        store.record(**{**fields, **changes})


def test_concurrent_writes_all_arrive(store: FeedbackStore) -> None:
    def write(n: int) -> None:
        for _ in range(10):
            store.record(kind="abstention", verdict="no", query_hash=f"h{n}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = store.all()
    assert len(rows) == 40 and len({r.id for r in rows}) == 40


def test_prune_removes_old_texts_and_hashes_but_keeps_the_verdicts(store: FeedbackStore) -> None:
    now = dt.datetime.now(dt.UTC)
    store.record(kind="result", verdict="yes", query_hash="old", query="gammel tekst", passage_id="doc-a/plan/1",
                 rank=1, at=now - dt.timedelta(days=40))
    store.record(kind="result", verdict="no", query_hash="new", query="ny tekst", passage_id="doc-a/plan/1",
                 rank=1, at=now - dt.timedelta(days=2))
    assert store.prune(now=now) == 1
    old, new = store.all()
    assert (old.query, old.query_hash, old.verdict, old.passage_id) == (None, None, "yes", "doc-a/plan/1")
    assert (new.query, new.query_hash) == ("ny tekst", "new")
    assert store.prune(now=now) == 0, "nothing left to remove"
    assert store.prune(retention_days=1, now=now) == 1


def test_the_first_write_of_a_day_prunes(store: FeedbackStore) -> None:
    now = dt.datetime.now(dt.UTC)
    store.record(kind="abstention", verdict="yes", query_hash="h", query="gammel", at=now - dt.timedelta(days=31))
    store._pruned_on = None  # a new process, or a new day
    store.record(kind="abstention", verdict="no", query_hash="h2", at=now)
    assert store.all()[0].query is None


def test_for_settings_uses_the_data_folder_outside_the_index_versions(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, feedback_retention_days=7)
    store = FeedbackStore.for_settings(settings)
    assert store.path == tmp_path / "feedback" / "feedback.sqlite3" and store.retention_days == 7


def test_stats(store: FeedbackStore) -> None:
    for verdict in ("yes", "yes", "no"):
        store.record(kind="result", verdict=verdict, query_hash="h", passage_id="doc-a/plan/1", rank=1)
    store.record(kind="result", verdict="no", query_hash="h", passage_id="doc-a/plan/2", rank=2)
    store.record(kind="abstention", verdict="yes", query_hash="a", query="hvor søker man [fnr]")
    store.record(kind="abstention", verdict="yes", query_hash="a", query="hvor søker man [fnr]")
    store.record(kind="abstention", verdict="yes", query_hash="b")
    store.record(kind="abstention", verdict="no", query_hash="c", query="parkering")
    stats = store.stats()
    assert stats.total == 8
    assert [(p.passage_id, p.yes, p.no) for p in stats.passages] == [("doc-a/plan/1", 2, 1), ("doc-a/plan/2", 0, 1)]
    assert (stats.disputed_abstentions, stats.accepted_abstentions) == (3, 1)
    assert stats.disputed_queries == [("hvor søker man [fnr]", 2)], "only disputed ones, only shared texts"


def test_evidence_snippet_is_verbatim_whole_sentences_within_the_word_limits() -> None:
    snippet = evidence_snippet(LONG)
    assert snippet is not None and snippet in LONG and MIN_WORDS <= len(snippet.split()) <= MAX_WORDS
    assert snippet.endswith("tjenester."), "whole sentences"
    long_sentence = " ".join(f"ord{n}" for n in range(60)) + "."
    assert len(evidence_snippet(long_sentence).split()) == MAX_WORDS
    assert evidence_snippet("For kort. Bare noen ord.") is None


def test_question_kind() -> None:
    assert question_kind("hol § 3-2") == "legal"
    assert question_kind("individuell plan") == "keyword"
    assert question_kind("Hvem har rett på individuell plan?") == "paraphrase"


def test_export_questions(store: FeedbackStore, tmp_path: Path) -> None:
    question = "Hvem har rett på individuell plan?"
    # shared once; a later verdict on the same query (same keyed hash) without sharing still counts
    store.record(kind="result", verdict="yes", query_hash="q", query=question, passage_id="doc-a/plan/1", rank=1)
    store.record(kind="result", verdict="yes", query_hash="q", passage_id="doc-a/plan/2", rank=2)
    store.record(kind="result", verdict="yes", query_hash="q", passage_id="gone/1", rank=3)
    # never shared: never exported
    store.record(kind="result", verdict="yes", query_hash="secret", passage_id="doc-a/plan/1", rank=1)
    # shared, but only "no": nothing useful to export
    store.record(kind="result", verdict="no", query_hash="n", query="parkering ved sykehuset",
                 passage_id="doc-a/plan/1", rank=1)
    store.record(kind="abstention", verdict="yes", query_hash="d", query="noe Veiviser ikke fant")
    lines, notes = store.export_questions(PASSAGES)
    assert lines == [{
        "id": "fb-1", "set": "dev", "question": question, "kind": "paraphrase", "doc_id": "doc-a",
        "section": "6.1.2", "evidence": [evidence_snippet(LONG)], "source": "feedback", "passages": ["doc-a/plan/1"],
    }]
    assert any("doc-a/plan/2" in n and "fewer than" in n for n in notes)
    assert any("gone/1" in n and "not in the current index" in n for n in notes)
    path = tmp_path / "feedback.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    (loaded,) = [parse_line(path, 1, path.read_text(encoding="utf-8").splitlines()[0])]
    assert loaded.id == "fb-1" and loaded.in_scope and loaded.evidence == lines[0]["evidence"]


def test_a_deleted_file_is_created_again(store: FeedbackStore) -> None:
    """docs/feedback.md: deleting the folder deletes everything; the next verdict starts a new file."""
    import shutil

    store.record(kind="abstention", verdict="yes", query_hash="h")
    shutil.rmtree(store.path.parent)
    assert store.all() == []
    assert store.record(kind="abstention", verdict="no", query_hash="h") == 1

