"""The known Q&A pairs: snippets are verbatim corpus text, every in-scope question is answerable
from the index, malformed files are refused with file and line, and the matching rule."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from evaluation.questions import (
    MIN_PART_LETTERS,
    QUESTIONS_DIR,
    QuestionFileError,
    answers,
    check_snippets,
    letters,
    load_file,
    load_questions,
)
from veiviser.index_format import indexes_root


@pytest.fixture(scope="module")
def questions():
    return load_questions()


@pytest.fixture(scope="module")
def index_chunks(settings, index) -> list[dict]:
    path = indexes_root(settings) / index.version / "chunks.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_question_files_load(questions) -> None:
    assert len(questions) >= 250
    assert len({q.id for q in questions}) == len(questions)
    assert {q.set for q in questions} == {"dev", "test", "faq", "holdout"}
    assert sum(not q.in_scope for q in questions) >= 20
    assert len(list(QUESTIONS_DIR.glob("*.jsonl"))) >= 4


def test_every_snippet_occurs_in_the_corpus(questions, index_chunks) -> None:
    texts: dict[str, list[str]] = defaultdict(list)
    for chunk in index_chunks:
        texts[chunk["doc_id"]].append(chunk["text"])
    problems = check_snippets(questions, {doc: "\n".join(parts) for doc, parts in texts.items()})
    assert problems == []


def test_every_in_scope_question_has_an_answering_passage(questions, index_chunks) -> None:
    passages = [letters(c["text"]) for c in index_chunks]
    unanswerable = []
    for q in questions:
        if not q.in_scope:
            continue
        snippets = [letters(s) for s in q.evidence]
        if not any(answers(p, s) for p in passages for s in snippets):
            unanswerable.append(q.id)
    assert unanswerable == []


def test_question_docs_exist(questions, index_chunks) -> None:
    docs = {c["doc_id"] for c in index_chunks}
    for q in questions:
        if q.in_scope:
            assert q.doc_id in docs, q.id
        else:
            assert q.doc_id is None and not q.evidence, q.id


GOOD = {
    "id": "t-1",
    "set": "dev",
    "question": "Hva gjør vi når brukeren ikke vil medvirke?",
    "kind": "paraphrase",
    "doc_id": "sammen-om-mestring-2014",
    "section": "1.4.1",
    "evidence": ["Brukeren har en rett, men ingen plikt til å delta i utformingen av tjenestetilbudet, "
                 "og tjenesteutøver skal respektere brukerens ønsker."],
}


def write(tmp_path: Path, lines: list[str], name: str = "mine.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "bad_line, problem",
    [
        ('{"id": "t-2", "set": "dev", "question": "Hva?" "kind": "keyword"}', "not valid JSON"),
        (json.dumps({**GOOD, "id": "t-2", "kind": "guess"}), "kind 'guess' is not one of"),
        (json.dumps({**GOOD, "id": "t-2", "set": "train"}), "set 'train' is not one of"),
        (json.dumps({**GOOD, "id": "t-2", "evidence": ["Brukeren har en rett, men ingen plikt."]}),
         "evidence snippet has 7 words, 15-45 required"),
        (json.dumps({**GOOD, "id": "t-2", "evidence": []}), "needs at least one evidence snippet"),
        (json.dumps({**GOOD, "id": "t-2", "kind": "out_of_scope"}), "out_of_scope question has no evidence"),
        (json.dumps({**GOOD, "id": "t-2", "question": " "}), "field 'question'"),
        ("[1, 2, 3]", "must be a JSON object"),
    ],
)
def test_malformed_question_files_name_file_and_line(tmp_path: Path, bad_line: str, problem: str) -> None:
    path = write(tmp_path, [json.dumps(GOOD), "", bad_line])
    with pytest.raises(QuestionFileError) as info:
        load_file(path)
    assert str(info.value).startswith("mine.jsonl:3: ")
    assert problem in str(info.value)


def test_duplicate_id_names_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, [json.dumps(GOOD)], "a.jsonl")
    second = write(tmp_path, [json.dumps({**GOOD, "question": "Noe annet?"}), json.dumps({**GOOD, "id": "t-9"})],
                   "b.jsonl")
    with pytest.raises(QuestionFileError) as info:
        load_questions(files=[first, second])
    assert str(info.value).startswith("b.jsonl:1: duplicate id 't-1'")
    assert "a.jsonl:1" in str(info.value)
    assert [q.id for q in load_questions(files=[first])] == ["t-1"]


def test_check_snippets_reports_a_snippet_not_in_the_corpus(tmp_path: Path) -> None:
    invented = {**GOOD, "evidence": ["Dette er en oppdiktet setning som ikke finnes i noen av veilederne, "
                                     "og den skal derfor meldes som et problem av kontrollen."]}
    questions = load_questions(files=[write(tmp_path, [json.dumps(invented)])])
    corpus = {"sammen-om-mestring-2014": "Brukeren har en rett, men ingen plikt til å delta i utformingen av "
                                         "tjeneste-\ntilbudet, og tjenesteutøver skal respektere brukerens ønsker."}
    problems = check_snippets(questions, corpus)
    assert len(problems) == 1 and "mine.jsonl:1 (t-1)" in problems[0]
    # the real snippet matches despite hyphenation and a line break
    assert check_snippets(load_questions(files=[write(tmp_path, [json.dumps(GOOD)], "ok.jsonl")]), corpus) == []


SNIPPET = letters(
    "Tjenestene har plikt til å legge til rette for brukermedvirkning og bør oppfordre brukerne til å medvirke. "
    "Brukeren har en rett, men ingen plikt til å delta i utformingen av tjenestetilbudet, og tjenesteutøver skal "
    "respektere brukerens ønsker."
)


def test_answers_whole_snippet_ignoring_layout() -> None:
    passage = letters("Innledning. Tjenestene har plikt til å legge til rette for bruker-\nmedvirkning og bør "
                      "oppfordre brukerne til å medvirke.[^1-15] Brukeren har en rett, men ingen plikt til å delta "
                      "i utformingen av tjenestetilbudet, og tjenesteutøver skal respektere brukerens ønsker. Mer.")
    assert answers(passage, SNIPPET)


def test_answers_tolerates_a_snippet_cut_at_a_chunk_boundary() -> None:
    cut = int(len(SNIPPET) * 0.6)
    first_chunk, second_chunk = "innledning" + SNIPPET[:cut], SNIPPET[cut:] + "videretekst"
    assert answers(first_chunk, SNIPPET)  # the passage holds the first 60 % of the snippet
    assert len(SNIPPET) - cut >= MIN_PART_LETTERS
    assert not answers(second_chunk, SNIPPET)  # 40 %: less than half is not an answer


def test_answers_refuses_a_short_fragment() -> None:
    assert not answers("noetekst" + SNIPPET[:MIN_PART_LETTERS - 1] + "annet", SNIPPET)
    assert not answers("noetekst" + SNIPPET[40:100] + "annet", SNIPPET)  # from the middle
    short = SNIPPET[:100]  # for a shorter snippet the part is at least MIN_PART_LETTERS, not half
    assert not answers("x" + short[: MIN_PART_LETTERS - 1] + "y", short)
    assert answers("x" + short[:MIN_PART_LETTERS] + "y", short)
