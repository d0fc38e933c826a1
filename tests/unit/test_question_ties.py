"""Ties in the question bank: which pairs of questions count, and in what order."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.question_ties import find_ties
from ingest.questions import BankQuestion


def question(text: str, doc: str, anchor: str, chunks: tuple[str, ...], line: int) -> BankQuestion:
    return BankQuestion(text, "nb", doc, anchor, "evidence of eight words or more here", chunks,
                        Path(f"{doc}.yaml"), line)


QUESTIONS = [
    question("Hva er IP?", "a", "ip", ("a/ip/1",), 3),
    question("Hva er individuell plan?", "b", "plan", ("b/plan/1",), 5),  # twin of the first, elsewhere
    question("Hvem lager IP?", "a", "ip", ("a/ip/2",), 7),  # same section as the first: not a tie
    question("Hva er en IP?", "a", "other", ("a/ip/1",), 9),  # shares a passage with the first: not a tie
    question("Hvor er legevakten?", "b", "legevakt", ("b/legevakt/1",), 11),  # far from all
]
VECTORS = np.array([[1.0, 0.0, 0.0], [0.99, 0.1, 0.0], [1.0, 0.01, 0.0], [1.0, 0.0, 0.01], [0.0, 0.0, 1.0]])


def test_ties_are_close_questions_on_other_sections_and_passages() -> None:
    ties = find_ties(QUESTIONS, VECTORS, 0.955)
    pairs = {(t.first.question, t.second.question) for t in ties}
    assert ("Hva er IP?", "Hva er individuell plan?") in pairs
    assert ("Hva er IP?", "Hvem lager IP?") not in pairs
    assert ("Hva er IP?", "Hva er en IP?") not in pairs
    assert all("Hvor er legevakten?" not in pair for pair in pairs)


def test_ties_come_most_similar_first_and_respect_the_threshold() -> None:
    ties = find_ties(QUESTIONS, VECTORS, 0.5)
    assert [t.similarity for t in ties] == sorted((t.similarity for t in ties), reverse=True)
    assert all(t.similarity >= 0.5 for t in ties)
    assert find_ties(QUESTIONS, VECTORS, 0.99995) == []


def test_a_tie_describes_both_sides_for_a_reviewer() -> None:
    (tie,) = [t for t in find_ties(QUESTIONS, VECTORS, 0.955) if t.second.question == "Hva er individuell plan?"
              and t.first.question == "Hva er IP?"]
    described = tie.as_dict()
    assert described["first"]["file"] == "a.yaml" and described["first"]["line"] == 3
    assert described["second"]["section"] == "plan" and described["second"]["passages"] == ["b/plan/1"]
