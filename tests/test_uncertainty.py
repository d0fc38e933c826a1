"""Bootstrap intervals: around the mean, reproducible, and paired differences of zero for no change."""

from __future__ import annotations

import numpy as np

from evaluation.uncertainty import hits, interval, paired_interval


def test_hits_counts_answers_within_k() -> None:
    assert hits([1, 3, None, 6], 5).tolist() == [1.0, 1.0, 0.0, 0.0]


def test_interval_surrounds_the_mean_and_is_reproducible() -> None:
    values = hits([1] * 83 + [None] * 17, 5)
    low, high = interval(values)
    assert low < 0.83 < high and high - low < 0.2
    assert interval(values) == (low, high)
    assert interval(np.ones(50)) == (1.0, 1.0)


def test_paired_interval_of_an_unchanged_run_is_zero_and_of_a_better_run_is_positive() -> None:
    before = hits([1, 2, None, 7, 1, None, 3, 1] * 10, 5)
    assert paired_interval(before, before) == (0.0, 0.0)
    after = before.copy()
    after[:20] = 1.0  # twenty questions more answered in the top 5
    low, high = paired_interval(after, before)
    assert 0 < low <= high
