"""The question bank's validation: every problem stops ingest with the file, the line and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse import CorpusError
from ingest.questions import coverage, evidence_chunks, load_bank
from veiviser.schema import Chunk

DOC = "testdok-2020"
FIRST = ("Brukeren har en rett, men ingen plikt til å delta i utformingen av tjenestetilbudet, og "
         "tjenesteutøver skal respektere brukerens ønsker.")
SECOND = "Kommunen skal tilby koordinator til pasienter med behov for langvarige og koordinerte tjenester."


def chunk(seq: int, text: str, anchor: str = "medvirkning", kind: str = "text") -> Chunk:
    return Chunk(id=f"{DOC}/{anchor}/{seq}", doc_id=DOC, doc_title="Testdokument", doc_status="gjeldende",
                 chapter="1 Test", section_number="1.1", section_title="Medvirkning", section_path=["1 Test"],
                 anchor=anchor, kind=kind, text=text)


CHUNKS = [chunk(1, FIRST), chunk(2, SECOND), chunk(1, "Litteratur og lenker.", "kilder", "list")]


def bank(tmp_path: Path, text: str, name: str = DOC) -> Path:
    folder = tmp_path / "questions"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


GOOD = """\
- section: medvirkning
  evidence: "Brukeren har en rett, men ingen plikt til å delta i utformingen"
  nb:
    - "Må pasienten være med og planlegge hjelpa?"
    - "brukermedvirkning plikt"
  en:
    - "Is a service user obliged to take part in planning services?"
- section: medvirkning
  evidence: "tilby koordinator til pasienter med behov for langvarige og\\nkoordinerte tjenester"
  nn:
    - "Kven har rett på koordinator i kommunen?"
"""


def test_a_valid_bank_maps_each_question_to_the_passage_holding_its_evidence(tmp_path: Path) -> None:
    questions = load_bank(bank(tmp_path, GOOD), CHUNKS)
    assert [(q.lang, q.chunk_ids) for q in questions] == [
        ("nb", (f"{DOC}/medvirkning/1",)), ("nb", (f"{DOC}/medvirkning/1",)), ("en", (f"{DOC}/medvirkning/1",)),
        ("nn", (f"{DOC}/medvirkning/2",)),
    ]
    assert [q.line for q in questions] == [4, 5, 7, 11]
    assert coverage(CHUNKS, questions) == {DOC: (2, 2)}  # the list chunk is not counted


def test_no_bank_folder_is_no_questions(tmp_path: Path) -> None:
    assert load_bank(tmp_path, CHUNKS) == []


def test_evidence_cut_by_a_passage_boundary_maps_to_both_passages() -> None:
    cut = "respektere brukerens ønsker. Kommunen skal tilby koordinator til pasienter"
    assert evidence_chunks(cut, CHUNKS[:2]) == (f"{DOC}/medvirkning/1", f"{DOC}/medvirkning/2")
    assert evidence_chunks("dette står ikke i teksten i det hele tatt noe sted", CHUNKS[:2]) == ()


@pytest.mark.parametrize("text, line, message", [
    ("- section: finnes-ikke\n  evidence: \"Brukeren har en rett, men ingen plikt til å delta i utformingen\"\n"
     "  nb: [\"Spørsmål?\"]\n", 1, "unknown section anchor 'finnes-ikke'"),
    ("- section: medvirkning\n  evidence: \"Brukeren har en plikt til å delta i alt som skjer her\"\n"
     "  nb: [\"Spørsmål?\"]\n", 2, "evidence not found in section 'medvirkning'"),
    ("- section: medvirkning\n  evidence: \"Brukeren har en rett\"\n  nb: [\"Spørsmål?\"]\n", 1,
     "at least 8 words"),
    ("- section: medvirkning\n  evidence: \"Brukeren har en rett, men ingen plikt til å delta i utformingen\"\n"
     "  de: [\"Frage?\"]\n", 1, "unknown key(s) de"),
    ("- section: medvirkning\n  evidence: \"Brukeren har en rett, men ingen plikt til å delta i utformingen\"\n"
     "  nb:\n    - \"Har brukeren plikt?\"\n    - \"har  brukeren PLIKT?\"\n", 5,
     "duplicate question (also on line 4)"),
    ("- section: medvirkning\n  evidence: \"Brukeren har en rett, men ingen plikt til å delta i utformingen\"\n"
     f"  nb: [\"{'x' * 301}\"]\n", 3, "1 to 300 characters"),
    ("- section: medvirkning\n  evidence: \"Brukeren har en rett, men ingen plikt til å delta i utformingen\"\n"
     "  nb: \"ikke en liste\"\n", 3, "'nb' must be a list"),
    ("- section: medvirkning\n  evidence: \"Brukeren har en rett, men ingen plikt til å delta i utformingen\"\n", 1,
     "at least one question"),
    ("- section: medvirkning\n  nb: [\"Spørsmål?\"]\n", 1, "missing evidence"),
    ("section: medvirkning\n", 1, "a list of entries"),
    ("- section: [\n", 2, "not valid YAML"),
])
def test_problems_name_the_file_line_and_problem(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(CorpusError) as info:
        load_bank(bank(tmp_path, text), CHUNKS)
    assert info.value.path.name == f"{DOC}.yaml" and info.value.line == line, str(info.value)
    assert message in info.value.problem


def test_a_file_for_an_unknown_document_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no document with id 'annet-dok'"):
        load_bank(bank(tmp_path, GOOD, name="annet-dok"), CHUNKS)
