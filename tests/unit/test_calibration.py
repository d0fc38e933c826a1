"""The out-of-scope calibration file: loaded and validated, with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.calibration import load_calibration
from evaluation.questions import QuestionFileError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "out-of-scope.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_committed_file_loads() -> None:
    questions = load_calibration()
    assert len(questions) > 100
    assert {q.lang for q in questions} == {"nb", "nn", "en"}
    assert {q.kind for q in questions} == {"near", "far"}


def test_a_valid_file_loads_with_sources(tmp_path: Path) -> None:
    path = write(tmp_path, "- question: Hvor ofte bør HbA1c måles?\n  lang: nb\n  kind: near\n")
    (q,) = load_calibration(path)
    assert (q.question, q.lang, q.kind, q.source) == ("Hvor ofte bør HbA1c måles?", "nb", "near", "out-of-scope.yaml:1")


@pytest.mark.parametrize(("text", "problem"), [
    ("- question: x\n  lang: de\n  kind: near\n", "out-of-scope.yaml:1: lang 'de'"),
    ("- question: x\n  lang: nb\n  kind: odd\n", "kind 'odd'"),
    ("- question: x\n  lang: nb\n", "exactly the keys"),
    ("- question: ''\n  lang: nb\n  kind: far\n", "1 to 300 characters"),
    ("- question: Vær i Bergen\n  lang: nb\n  kind: far\n- question: vær i  bergen\n  lang: nb\n  kind: far\n",
     "out-of-scope.yaml:4: duplicate question (also at out-of-scope.yaml:1)"),
    ("question: x\n", "a list of entries"),
])
def test_a_broken_entry_names_the_line_and_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(QuestionFileError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_calibration(write(tmp_path, text))
