"""CI regression gate: quality on the development set may not fall below the committed baseline."""

from __future__ import annotations

import json
from pathlib import Path

from api.search.config import DEFAULT
from evaluation.questions import load_questions
from evaluation.runner import evaluate_config, relevance

BASELINE = Path(__file__).resolve().parent.parent / "evaluation" / "baseline.json"


def test_dev_set_quality_holds_the_baseline(engine):
    baseline = json.loads(BASELINE.read_text("utf-8"))
    questions = load_questions(sets={"dev"})
    passages = {d.meta["chunk_id"]: d.content or "" for d in engine.index.stores["chunks"].filter_documents()}
    report = evaluate_config(engine, questions, relevance(questions, passages), DEFAULT)

    measured = {**report.metrics, **{f"abstention_{k}": v for k, v in report.abstention.items()}}
    failures = []
    for name, expected in baseline["higher_is_better"].items():
        tolerance = baseline["tolerance"][name]
        if measured[name] < expected - tolerance:
            failures.append(f"{name}: {measured[name]:.3f} < baseline {expected:.3f} - {tolerance}")
    for name, expected in baseline["lower_is_better"].items():
        tolerance = baseline["tolerance"][name]
        if measured[name] > expected + tolerance:
            failures.append(f"{name}: {measured[name]:.3f} > baseline {expected:.3f} + {tolerance}")
    assert not failures, "quality regression on the dev set:\n" + "\n".join(failures)
