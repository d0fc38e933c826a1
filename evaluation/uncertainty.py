"""How sure a figure is: bootstrap confidence intervals over the questions.

A set of about 110 in-scope questions measures hit@5 to within several points (one question is
almost one point), so a report gives each headline figure with its 95 % interval, and each
ablation's difference from the default configuration as a paired interval: the same resampled
questions for both, which is what tells a real change from a lucky draw of questions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RESAMPLES = 2000
SEED = 0  # fixed, so that a report is reproducible


def hits(first_hits: Sequence[int | None], k: int) -> np.ndarray:
    """1.0 where the answering passage is in the top k, per question."""
    return np.array([1.0 if h is not None and h <= k else 0.0 for h in first_hits])


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of per-question values."""
    if len(values) == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(SEED)
    means = values[rng.integers(0, len(values), size=(RESAMPLES, len(values)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return (round(float(low), 3), round(float(high), 3))


def paired_interval(values: np.ndarray, baseline: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Interval of the mean difference `values - baseline` over the same questions."""
    return interval(values - baseline, level)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation): the value that a share q of the values are at most."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5)))
    return ordered[rank - 1]
