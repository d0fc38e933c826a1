"""Abstention: does the corpus answer this query at all?

A small logistic model over signals every search already has: the best sentence and passage
similarity, the best bank question and how many bank questions of one passage match (in scope
they agree on a passage, out of scope they scatter), the lexical evidence per query term, the
share of the query's words the corpus knows, and whether the query is English (cross-lingual
similarities run lower). It is fitted on the development set's in-scope and out-of-scope
questions and on the out-of-scope calibration questions (`veiviser eval --calibrate`,
evaluation/calibration.py). Its threshold abstains on at most a share of the dev set's in-scope
questions; that share is chosen by cross-validation over the same rows (`choose_allowance`),
because a threshold set on the very questions the model was fitted on abstains more often on new
ones (measured: 5 % on dev became 6 % in dev's own cross-validation and 9 % on the test set). The
fitted weights are data (veiviser/data/abstention.json), reviewed like code.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

FEATURES = ("top_sentence", "top_passage", "top_question", "question_consensus", "lexical_per_term", "coverage",
            "english")
MODEL_FILE = Path(str(resources.files("veiviser").joinpath("data/abstention.json")))  # read and written here


@dataclass
class AbstentionModel:
    weights: list[float]  # one per feature, then the bias
    mean: list[float]
    scale: list[float]
    threshold: float  # abstain when P(out of scope) is above this
    fitted_on: str = ""
    features: list[str] = field(default_factory=lambda: list(FEATURES))  # the signals it was fitted on

    def probability(self, signals: dict[str, float]) -> float:
        x = (np.array(signal_vector(signals, self.features), float) - self.mean) / self.scale
        z = float(np.dot(self.weights[:-1], x) + self.weights[-1])
        return float(1.0 / (1.0 + np.exp(-z)))

    def abstains(self, signals: dict[str, float]) -> bool:
        return bool(self.probability(signals) > self.threshold)

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", "utf-8")


@lru_cache
def load_model() -> AbstentionModel | None:
    """The committed model, or None before the first calibration (then nothing is abstained)."""
    if not MODEL_FILE.is_file():
        return None
    return AbstentionModel(**json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def signal_vector(signals: dict[str, float], features: Sequence[str] = FEATURES) -> list[float]:
    return [float(signals[f]) for f in features]


def fit(rows: list[tuple[dict[str, float], bool]], max_false: float = 0.05, l2: float = 0.01,
        fitted_on: str = "", features: Sequence[str] = FEATURES) -> AbstentionModel:
    """Logistic regression (class-balanced, L2) on (signals, out_of_scope) pairs, then the threshold
    that abstains on at most `max_false` of the in-scope rows."""
    x = np.array([signal_vector(s, features) for s, _ in rows])
    y = np.array([1.0 if oos else 0.0 for _, oos in rows])
    mean, scale = x.mean(0), x.std(0) + 1e-9
    xn = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(xn.shape[1])
    balance = np.where(y == 1, (len(y) - y.sum()) / max(y.sum(), 1), 1.0)
    for _ in range(5000):
        p = 1 / (1 + np.exp(-xn @ w))
        w -= 0.1 * (xn.T @ ((p - y) * balance) / len(y) + l2 * w)
    model = AbstentionModel(w.tolist(), mean.tolist(), scale.tolist(), 1.0, fitted_on, list(features))
    in_scope = np.sort([model.probability(s) for s, oos in rows if not oos])
    if len(in_scope):
        keep = int(np.ceil((1 - max_false) * len(in_scope))) - 1
        model.threshold = float(in_scope[max(keep, 0)])
    return model


ALLOWANCES = (0.01, 0.02, 0.03, 0.04, 0.05)  # in-sample shares of in-scope questions that may be abstained


def cross_validated(rows: list[tuple[dict[str, float], bool]], max_false: float, folds: int = 10,
                    repeats: int = 5, features: Sequence[str] = FEATURES) -> tuple[float, float]:
    """(wrongly abstained share of in-scope rows, abstained share of out-of-scope rows) when each
    row is judged by a model fitted, with `max_false`, on the other folds; averaged over repeats."""
    wrong = in_scope = caught = out_of_scope = 0
    for repeat in range(repeats):
        order = list(range(len(rows)))
        random.Random(repeat).shuffle(order)
        for fold in range(folds):
            held = set(order[fold::folds])
            model = fit([rows[i] for i in order if i not in held], max_false=max_false, features=features)
            for i in held:
                signals, oos = rows[i]
                abstained = model.abstains(signals)
                caught, out_of_scope = caught + (abstained and oos), out_of_scope + oos
                wrong, in_scope = wrong + (abstained and not oos), in_scope + (not oos)
    return wrong / max(in_scope, 1), caught / max(out_of_scope, 1)


def choose_allowance(rows: list[tuple[dict[str, float], bool]], max_wrong: float = 0.05,
                     min_recall: float = 0.90, features: Sequence[str] = FEATURES, folds: int = 10,
                     repeats: int = 5) -> tuple[float, float, float]:
    """(allowance, its cross-validated wrongly-abstained share, its cross-validated recall): of the
    allowances in ALLOWANCES whose held-out figures meet both targets, the one whose smaller margin
    to a target is largest (each margin relative to its target's room: `max_wrong` for wrongly
    abstained, 1 - `min_recall` for recall), else the smallest. Held-out figures are noisy,
    so the choice that leaves room on both sides holds best on new questions; the largest allowance
    that just meets both sits on the wrongly-abstained edge, the smallest on the recall edge."""
    measured = [(a, *cross_validated(rows, a, folds, repeats, features)) for a in ALLOWANCES]
    meeting = [m for m in measured if m[1] <= max_wrong and m[2] >= min_recall]

    def room(m: tuple[float, float, float]) -> float:
        return min((max_wrong - m[1]) / max_wrong, (m[2] - min_recall) / (1 - min_recall))

    return max(meeting, key=lambda m: (room(m), -m[0])) if meeting else measured[0]
