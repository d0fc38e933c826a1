"""Out-of-scope calibration questions: more negatives for the abstention model than the dev set's 16.

`evaluation/calibration/out-of-scope.yaml` holds questions that users of the search box could ask and
that none of the corpus documents answers (near misses: somatic medicine, children's services, benefit
rules; and far ones). They were written at development time from the corpus only, never from
`evaluation/questions/`, and they only train the abstention model beside the dev set
(`veiviser eval --calibrate`): they are never scored as evaluation questions, and a test keeps them
from being near-duplicates of evaluation questions (tests/test_development_data_honesty.py).
Format: a YAML list of `{question, lang: nb|nn|en, kind: near|far}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from evaluation.questions import QuestionFileError

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration" / "out-of-scope.yaml"
LANGS = {"nb", "nn", "en"}
CALIBRATION_KINDS = {"near", "far"}
MAX_CHARS = 300


@dataclass(frozen=True)
class CalibrationQuestion:
    question: str
    lang: str
    kind: str
    source: str  # file:line


def load_calibration(path: Path = CALIBRATION_FILE) -> list[CalibrationQuestion]:
    """The calibration questions, validated; errors name the file, the line and the problem."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise QuestionFileError(f"{path.name}:{mark.line + 1 if mark else '?'}: not valid YAML") from None
    if not isinstance(root, yaml.SequenceNode):
        raise QuestionFileError(f"{path.name}:1: a calibration file is a list of entries")
    out: list[CalibrationQuestion] = []
    seen: dict[str, str] = {}
    for node in root.value:
        where = f"{path.name}:{node.start_mark.line + 1}"
        entry = {k.value: v.value for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
        if set(entry) != {"question", "lang", "kind"} or not all(isinstance(v, str) for v in entry.values()):
            raise QuestionFileError(f"{where}: an entry has exactly the keys question, lang and kind, each a text")
        question = entry["question"].strip()
        if not question or len(question) > MAX_CHARS:
            raise QuestionFileError(f"{where}: a question must have 1 to {MAX_CHARS} characters")
        if entry["lang"] not in LANGS:
            raise QuestionFileError(f"{where}: lang '{entry['lang']}' is not one of {', '.join(sorted(LANGS))}")
        if entry["kind"] not in CALIBRATION_KINDS:
            raise QuestionFileError(f"{where}: kind '{entry['kind']}' is not one of near, far")
        key = " ".join(question.casefold().split())
        if key in seen:
            raise QuestionFileError(f"{where}: duplicate question (also at {seen[key]})")
        seen[key] = where
        out.append(CalibrationQuestion(question, entry["lang"], entry["kind"], where))
    return out
