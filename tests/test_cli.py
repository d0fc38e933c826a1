"""`veiviser` on the command line: search (JSON and batch), corpus stats and ties, index status and rollback.

They run on a copy of the session's index so that the engine fixture's open store is not shared.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from veiviser.cli import main
from veiviser.settings import get_settings

RESULT_FIELDS = {"id", "score", "text", "highlights", "citation", "kind", "legal_refs", "pathway", "target_groups"}
CITATION_FIELDS = {"doc_id", "doc_title", "status", "section_number", "section_title", "section_path", "anchor", "url"}
QUESTION = "Hva er fastlegens ansvar for personer med psykiske lidelser?"


@pytest.fixture(scope="module")
def cli_env(settings, index, tmp_path_factory) -> dict[str, str]:
    """Environment for a CLI run over a copy of the session index."""
    data = tmp_path_factory.mktemp("cli") / "data"
    shutil.copytree(settings.data_dir, data)
    return {
        "VEIVISER_DATA_DIR": str(data),
        "VEIVISER_CACHE_DIR": str(settings.cache_dir),
        "VEIVISER_MODEL_DIR": str(settings.model_dir),
        "VEIVISER_CORPUS_DIR": str(settings.corpus_dir),
        "VEIVISER_SOURCES_DIR": str(settings.sources_dir),
        "HF_HUB_OFFLINE": "1",
    }


@pytest.fixture
def run_cli(cli_env, monkeypatch, capsys):
    """Run `veiviser ARGS` in this process (the real main, the real settings from the environment)."""

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        for key, value in cli_env.items():
            monkeypatch.setenv(key, value)
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        get_settings.cache_clear()
        try:
            code = main(list(args))
        finally:
            get_settings.cache_clear()
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_search_json_prints_the_documented_fields(cli_env, tmp_path: Path) -> None:
    """The installed entry point, end to end in a process of its own."""
    result = subprocess.run(
        [sys.executable, "-m", "veiviser.cli", "search", QUESTION, "--json", "--top-k", "3"],
        env={**os.environ, **cli_env}, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert {"query", "abstained", "results", "took_ms"} <= set(response)
    assert response["query"] == QUESTION and response["abstained"] is False
    assert isinstance(response["took_ms"], int | float)
    assert 1 <= len(response["results"]) <= 3
    for r in response["results"]:
        assert RESULT_FIELDS <= set(r), RESULT_FIELDS - set(r)
        assert CITATION_FIELDS <= set(r["citation"]), CITATION_FIELDS - set(r["citation"])
        assert all(0 <= h["start"] < h["end"] <= len(r["text"]) for h in r["highlights"])
        assert isinstance(r["citation"]["section_path"], list) and isinstance(r["legal_refs"], list)


def test_search_batch_echoes_ids_and_reports_bad_lines(run_cli, tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        "\n".join([
            json.dumps({"id": "q1", "question": QUESTION}),
            "",
            '{"id": "q2", "question": ',  # malformed JSON on line 3
            json.dumps({"id": "q3", "question": "Hvem har ansvar for å skaffe boliger til vanskeligstilte?"}),
            json.dumps({"id": "q4"}),  # no question, line 5
            json.dumps({"id": "q5", "question": ""}),  # empty query, line 6
        ]) + "\n",
        encoding="utf-8",
    )
    code, out, err = run_cli("search", "--batch", str(batch), "--top-k", "2")
    assert code == 1  # some lines failed
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in rows] == ["q1", None, "q3", None, None]
    assert rows[0]["results"] and rows[2]["results"] and len(rows[2]["results"]) <= 2
    assert [r["line"] for r in rows if "error" in r] == [3, 5, 6]
    assert "error: line 3:" in err and "error: line 5:" in err and "error: line 6:" in err
    assert "empty" in rows[4]["error"]


def test_search_batch_from_standard_input(run_cli) -> None:
    code, out, _ = run_cli("search", "--batch", "-", "--top-k", "1",
                           stdin=json.dumps({"id": "s1", "question": "barn som pårørende"}) + "\n")
    assert code == 0
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["id"] == "s1" and len(row["results"]) == 1


def test_search_with_filters_and_bad_filter(run_cli) -> None:
    code, out, _ = run_cli("search", "tvang", "--json", "--filter", "status=gjeldende", "--filter", "pathway=tvang")
    assert code == 0
    results = json.loads(out)["results"]
    assert results and all(r["citation"]["status"] == "gjeldende" and "tvang" in r["pathway"] for r in results)
    code, _, err = run_cli("search", "tvang", "--filter", "status=utgått")
    assert code == 2 and "unknown value 'utgått' for filter 'status'" in err
    code, _, err = run_cli("search", "tvang", "--filter", "status")
    assert code == 2 and "field=value" in err
    code, _, err = run_cli("search", "tvang", "--top-k", "51")
    assert code == 2 and "1 to 50" in err


def test_search_human_output_and_abstention(run_cli) -> None:
    code, out, _ = run_cli("search", QUESTION, "--top-k", "2")
    assert code == 0 and out.startswith("1. ") and "ms)" in out
    code, out, _ = run_cli("search", "maks dose sertralin")
    assert code == 0 and "Fant ingen relevante svar" in out


def test_corpus_stats(run_cli) -> None:
    code, out, _ = run_cli("corpus", "stats")
    assert code == 0
    for doc in ("sammen-om-mestring-2014", "psykisk-helsearbeid-voksne-2005", "pasientforlop-rop-2018",
                "nasjonal-veileder-horing-2024", "kristiansund-psykisk-helse-rus-2021"):
        assert doc in out
    assert "chunks per kind:" in out and "chunks per law:" in out and "hol" in out


def test_corpus_ties_lists_near_identical_questions_on_different_passages(run_cli) -> None:
    code, out, err = run_cli("corpus", "ties", "--doc", "nasjonal-veileder-horing-2024", "--json")
    assert code == 0
    ties = [json.loads(line) for line in out.splitlines()]
    assert ties, err
    assert [t["similarity"] for t in ties] == sorted((t["similarity"] for t in ties), reverse=True)
    for tie in ties:
        first, second = tie["first"], tie["second"]
        assert tie["similarity"] >= 0.955
        assert "nasjonal-veileder-horing-2024" in (first["doc_id"], second["doc_id"])
        assert (first["doc_id"], first["section"]) != (second["doc_id"], second["section"])
        assert not set(first["passages"]) & set(second["passages"])
        assert first["evidence"] and first["file"].endswith(".yaml") and first["line"] > 0
    code, out, err = run_cli("corpus", "ties", "--min", "0.999")
    assert code == 0 and "pairs of bank questions on different passages at cosine >= 0.999" in err


def test_index_status_and_rollback_without_a_previous_version(run_cli, index) -> None:
    code, out, _ = run_cli("index", "status")
    assert code == 0
    status = json.loads(out)
    assert status["current"]["version"] == index.version and status["versions"] == [index.version]
    code, _, err = run_cli("index", "rollback")
    assert code == 2 and "no earlier index version" in err


def test_missing_index_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VEIVISER_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    try:
        code = main(["index", "status"])
    finally:
        get_settings.cache_clear()
    assert code == 2
    assert "no index has been built yet: run `veiviser index build`" in capsys.readouterr().err
