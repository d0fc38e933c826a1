"""Known Q&A pairs: loading, validation and the answer-matching rule.

A question file is JSON Lines (format: evaluation/README.md). Gold answers are verbatim
evidence snippets, independent of chunking: a passage answers a question when it contains one
of its snippets. Matching compares letters only (case, whitespace, hyphenation, digits such as
footnote markers and punctuation are ignored) and tolerates a snippet cut by a passage boundary:
a contiguous part of at least half the snippet (and at least MIN_PART_LETTERS letters) counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from veiviser.text_analysis import letters

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
KINDS = {"paraphrase", "keyword", "legal", "english", "nynorsk", "typo", "faq", "out_of_scope"}
SETS = {"dev", "test", "faq", "holdout"}
MIN_WORDS, MAX_WORDS = 15, 45
MIN_PART_LETTERS = 60


class QuestionFileError(ValueError):
    """A malformed question file: names the file, the line and the problem."""


@dataclass
class Question:
    id: str
    set: str
    question: str
    kind: str
    doc_id: str | None
    section: str | None
    evidence: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def in_scope(self) -> bool:
        return self.kind != "out_of_scope"


def answers(passage_letters: str, snippet_letters: str) -> bool:
    """Does a passage (letters only) contain the snippet, or a long enough part of it?"""
    if snippet_letters in passage_letters:
        return True
    part = max(MIN_PART_LETTERS, (len(snippet_letters) + 1) // 2)
    if part >= len(snippet_letters):
        return False
    return snippet_letters[:part] in passage_letters or snippet_letters[-part:] in passage_letters


def parse_line(path: Path, n: int, line: str) -> Question:
    where = f"{path.name}:{n}"
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(raw, dict):
        raise QuestionFileError(f"{where}: each line must be a JSON object")
    for key in ("id", "set", "question", "kind"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise QuestionFileError(f"{where}: field '{key}' is missing or not a non-empty string")
    if raw["kind"] not in KINDS:
        raise QuestionFileError(f"{where}: kind '{raw['kind']}' is not one of {', '.join(sorted(KINDS))}")
    if raw["set"] not in SETS:
        raise QuestionFileError(f"{where}: set '{raw['set']}' is not one of {', '.join(sorted(SETS))}")
    evidence = raw.get("evidence", [])
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise QuestionFileError(f"{where}: 'evidence' must be a list of strings")
    if raw["kind"] == "out_of_scope" and evidence:
        raise QuestionFileError(f"{where}: an out_of_scope question has no evidence")
    if raw["kind"] != "out_of_scope" and not evidence:
        raise QuestionFileError(f"{where}: an in-scope question needs at least one evidence snippet")
    for snippet in evidence:
        count = len(snippet.split())
        if not MIN_WORDS <= count <= MAX_WORDS:
            raise QuestionFileError(f"{where}: evidence snippet has {count} words, {MIN_WORDS}-{MAX_WORDS} required")
    return Question(
        id=raw["id"],
        set=raw["set"],
        question=raw["question"],
        kind=raw["kind"],
        doc_id=raw.get("doc_id"),
        section=raw.get("section"),
        evidence=evidence,
        source=where,
    )


def load_file(path: Path) -> list[Question]:
    questions = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                questions.append(parse_line(path, n, line))
    return questions


def load_questions(directory: Path = QUESTIONS_DIR, sets: set[str] | None = None,
                   files: list[Path] | None = None) -> list[Question]:
    """All questions of the given sets from every *.jsonl file (or the given files); ids are unique."""
    paths = files or sorted(directory.glob("*.jsonl"))
    questions: list[Question] = []
    seen: dict[str, str] = {}
    for path in paths:
        for q in load_file(path):
            if q.id in seen:
                raise QuestionFileError(f"{q.source}: duplicate id '{q.id}' (first in {seen[q.id]})")
            seen[q.id] = q.source
            questions.append(q)
    return [q for q in questions if sets is None or q.set in sets]


def check_snippets(questions: list[Question], corpus_texts: dict[str, str]) -> list[str]:
    """Problems: snippets that occur nowhere in the corpus (letters-only comparison)."""
    corpus = {doc_id: letters(text) for doc_id, text in corpus_texts.items()}
    everything = "".join(corpus.values())
    problems = []
    for q in questions:
        for snippet in q.evidence:
            if letters(snippet) not in everything:
                problems.append(f"{q.source} ({q.id}): snippet not found in the corpus: {snippet[:60]}…")
    return problems
