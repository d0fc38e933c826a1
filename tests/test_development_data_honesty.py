"""Development-time data is written from the corpus, never from the evaluation questions: no question
of the bank (corpus/questions/) or of the out-of-scope calibration set (evaluation/calibration/) may be
a near-duplicate of an evaluation question (normalised-token Jaccard >= 0.6, or e5 cosine >= 0.95).
A flagged question is removed from the bank or the calibration set, never from the evaluation set."""

from __future__ import annotations

import re

import numpy as np
import pytest

from evaluation.calibration import load_calibration
from evaluation.questions import load_questions
from ingest.chunking import chunk_corpus
from ingest.parse import load_corpus
from ingest.questions import load_bank
from veiviser.model.loading import QUERY_PREFIX
from veiviser.settings import PROJECT_ROOT

MAX_JACCARD = 0.6
MAX_COSINE = 0.95


@pytest.fixture(scope="module")
def bank() -> list[str]:
    chunks = chunk_corpus(load_corpus(PROJECT_ROOT / "corpus"), None)
    return [q.question for q in load_bank(PROJECT_ROOT / "corpus", chunks)]


@pytest.fixture(scope="module")
def calibration() -> list[str]:
    return [q.question for q in load_calibration()]


@pytest.fixture(scope="module")
def evaluation() -> list[tuple[str, str]]:
    return [(q.id, q.question) for q in load_questions()]


def tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-zæøåäöéü0-9]+", text.casefold()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def word_twins(texts: list[str], evaluation: list[tuple[str, str]]) -> list[tuple[str, str]]:
    evaluated = [(qid, tokens(text)) for qid, text in evaluation]
    return [(text, qid) for text in texts for qid, other in evaluated if jaccard(tokens(text), other) >= MAX_JACCARD]


def meaning_twins(texts: list[str], evaluation: list[tuple[str, str]], model) -> list[tuple[str, str, float]]:
    def embed(batch: list[str]) -> np.ndarray:
        return model.encode([QUERY_PREFIX + t for t in batch], batch_size=64, threads=2)

    similarity = embed(texts) @ embed([text for _, text in evaluation]).T
    rows, cols = np.nonzero(similarity >= MAX_COSINE)
    return [(texts[i], evaluation[j][0], round(float(similarity[i, j]), 3)) for i, j in zip(rows, cols, strict=True)]


def test_the_bank_and_the_calibration_set_are_not_empty(bank, calibration) -> None:
    assert len(bank) > 1000
    assert len(calibration) > 100


def test_no_bank_question_shares_most_of_its_words_with_an_evaluation_question(bank, evaluation) -> None:
    close = word_twins(bank, evaluation)
    assert not close, f"remove these bank questions (near-duplicates of evaluation questions): {close}"


def test_no_bank_question_means_the_same_as_an_evaluation_question(bank, evaluation, model) -> None:
    close = meaning_twins(bank, evaluation, model)
    assert not close, f"remove these bank questions (near-duplicates of evaluation questions): {close}"


def test_no_calibration_question_is_a_near_duplicate_of_an_evaluation_question(calibration, evaluation,
                                                                               model) -> None:
    close = word_twins(calibration, evaluation) + meaning_twins(calibration, evaluation, model)
    assert not close, f"remove these calibration questions (near-duplicates of evaluation questions): {close}"
