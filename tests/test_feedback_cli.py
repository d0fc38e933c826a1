"""`veiviser feedback stats|export`: verdicts given over the API, read back on the command line.

The CLI reads a copy of the session index's version files (titles and passage texts), never its
Qdrant storage, and the store in a data folder of its own.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from evaluation.questions import MAX_WORDS, MIN_WORDS, check_snippets, load_questions
from veiviser.cli import main
from veiviser.feedback import FeedbackStore
from veiviser.index_format import version_folder
from veiviser.settings import get_settings

QUESTION = "Hvem har rett på individuell plan, tlf 912 34 567?"


@pytest.fixture
def data_dir(settings, index, tmp_path: Path) -> Path:
    """A data folder with the session index's catalog files as its current version, and no feedback yet."""
    data = tmp_path / "data"
    target = version_folder(settings.model_copy(update={"data_dir": data}), index.version)
    target.mkdir(parents=True)
    for name in ("documents.json", "sections.json", "chunks.jsonl"):
        shutil.copy(version_folder(settings, index.version) / name, target / name)
    (data / "CURRENT").write_text(index.version)
    return data


@pytest.fixture
def run_cli(data_dir: Path, monkeypatch, capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("VEIVISER_DATA_DIR", str(data_dir))
        get_settings.cache_clear()
        try:
            code = main(list(argv))
        finally:
            get_settings.cache_clear()
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def long_passages(settings, index) -> list[dict]:
    """Two passages long enough for an evidence snippet, from different documents."""
    picked: dict[str, dict] = {}
    text = (version_folder(settings, index.version) / "chunks.jsonl").read_text(encoding="utf-8")
    for chunk in map(json.loads, filter(None, text.splitlines())):
        if len(chunk["text"].split()) >= 40 and chunk["doc_id"] not in picked:
            picked[chunk["doc_id"]] = chunk
    return list(picked.values())[:2]


def test_round_trip_over_the_api(settings, engine, data_dir, run_cli, long_passages, tmp_path) -> None:
    useful, useless = long_passages
    settings = settings.model_copy(update={"data_dir": data_dir, "feedback_per_minute": 0,
                                           "rate_limit_per_minute": 0})
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as client:
        def post(**body) -> None:
            response = client.post("/api/feedback", json=body)
            assert response.status_code == 201, response.text

        post(kind="result", verdict="yes", query=QUESTION, share_query=True, passage_id=useful["id"], rank=1)
        post(kind="result", verdict="no", query=QUESTION, share_query=True, passage_id=useless["id"], rank=2)
        post(kind="result", verdict="yes", query="ikke delt", passage_id=useless["id"], rank=1)
        post(kind="abstention", verdict="yes", query="hvor melder jeg 12057512345?", share_query=True)
        post(kind="abstention", verdict="yes", query="hemmelig", share_query=False)
        post(kind="abstention", verdict="no", query="parkering", share_query=True)

    code, out, _ = run_cli("feedback", "stats")
    assert code == 0
    assert "6 feedback verdicts" in out
    lines = out.splitlines()
    row = next(n for n, line in enumerate(lines) if line.endswith(useful["id"]))
    assert lines[row].split()[:2] == ["1", "0"]
    title = lines[row + 1].strip()
    assert useful["section_title"] in title and " › " in title, "document and section, not only the id"
    assert next(line for line in lines if line.endswith(useless["id"])).split()[:2] == ["1", "1"]
    assert "2 disputed (yes), 1 accepted (no)" in out
    assert "hvor melder jeg [fnr]?" in out and "12057512345" not in out
    assert "hemmelig" not in out and "ikke delt" not in out, "only shared texts are shown"

    exported = tmp_path / "feedback.jsonl"
    code, out, err = run_cli("feedback", "export", "--out", str(exported))
    assert code == 0 and "wrote 1 question to" in err and "review them" in err
    (question,) = load_questions(files=[exported])  # the evaluation suite's own loader and checks
    assert question.question == "Hvem har rett på individuell plan, tlf [telefon]?"
    assert (question.set, question.kind, question.doc_id) == ("dev", "paraphrase", useful["doc_id"])
    assert question.section == (useful["section_number"] or useful["section_title"]) and question.id.startswith("fb-")
    (snippet,) = question.evidence
    assert MIN_WORDS <= len(snippet.split()) <= MAX_WORDS
    assert not check_snippets([question], {useful["doc_id"]: useful["text"]}), "verbatim from the passage"
    assert json.loads(exported.read_text(encoding="utf-8"))["source"] == "feedback"

    code, out, _ = run_cli("feedback", "export")
    assert code == 0 and json.loads(out)["evidence"] == [snippet], "standard output by default"


def test_stats_and_export_without_feedback(run_cli) -> None:
    code, out, _ = run_cli("feedback", "stats")
    assert code == 0 and "0 feedback verdicts" in out and "0 disputed (yes), 0 accepted (no)" in out
    code, out, _ = run_cli("feedback", "export")
    assert code == 0 and out == ""


def test_a_passage_gone_from_the_index_is_named(data_dir, run_cli) -> None:
    store = FeedbackStore(data_dir / "feedback" / "feedback.sqlite3", retention_days=30)
    store.record(kind="result", verdict="yes", query_hash="h", query="noe", passage_id="borte/fra/1", rank=1)
    code, out, _ = run_cli("feedback", "stats")
    assert code == 0 and "borte/fra/1" in out and "(not in the current index)" in out
    code, out, err = run_cli("feedback", "export")
    assert code == 0 and out == "" and "'borte/fra/1' is not in the current index" in err


def test_export_needs_an_index(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VEIVISER_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    try:
        assert main(["feedback", "export"]) == 2
        assert main(["feedback", "stats"]) == 0
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert "veiviser index build" in err and "no index" in out
