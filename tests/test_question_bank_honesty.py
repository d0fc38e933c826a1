"""The question bank is written from the corpus, never from the evaluation questions: no bank question
may be a near-duplicate of one (normalised-token Jaccard >= 0.6, or e5 cosine >= 0.95). A flagged
bank question is removed from the bank, never the evaluation question."""

from __future__ import annotations

import re

import numpy as np
import pytest

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
def evaluation() -> list[tuple[str, str]]:
    return [(q.id, q.question) for q in load_questions()]


def tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-zæøåäöéü0-9]+", text.casefold()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def test_the_bank_is_not_empty(bank) -> None:
    assert len(bank) > 1000


def test_no_bank_question_shares_most_of_its_words_with_an_evaluation_question(bank, evaluation) -> None:
    evaluated = [(qid, tokens(text)) for qid, text in evaluation]
    close = [(question, qid) for question in bank for qid, other in evaluated
             if jaccard(tokens(question), other) >= MAX_JACCARD]
    assert not close, f"remove these bank questions (near-duplicates of evaluation questions): {close}"


def test_no_bank_question_means_the_same_as_an_evaluation_question(bank, evaluation, model) -> None:
    def embed(texts: list[str]) -> np.ndarray:
        return model.encode([QUERY_PREFIX + t for t in texts], batch_size=64, threads=2)

    similarity = embed(bank) @ embed([text for _, text in evaluation]).T
    rows, cols = np.nonzero(similarity >= MAX_COSINE)
    close = [(bank[i], evaluation[j][0], round(float(similarity[i, j]), 3)) for i, j in zip(rows, cols, strict=True)]
    assert not close, f"remove these bank questions (near-duplicates of evaluation questions): {close}"
