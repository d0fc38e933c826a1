"""The abstention model: fitting on signals, the threshold, and probabilities."""

from __future__ import annotations

import random

from api.search.abstention import ALLOWANCES, FEATURES, AbstentionModel, choose_allowance, cross_validated, fit


def signals(base: float, rng: random.Random) -> dict[str, float]:
    return {name: base + rng.uniform(-0.05, 0.05) for name in FEATURES} | {"english": 0.0}


def rows(n_in: int = 60, n_out: int = 20) -> list[tuple[dict[str, float], bool]]:
    rng = random.Random(7)
    return [(signals(0.8, rng), False) for _ in range(n_in)] + [(signals(0.5, rng), True) for _ in range(n_out)]


def test_fit_separates_in_scope_from_out_of_scope() -> None:
    model = fit(rows())
    assert model.features == list(FEATURES)
    rng = random.Random(1)
    assert model.abstains(signals(0.45, rng))
    assert not model.abstains(signals(0.85, rng))


def test_threshold_wrongly_abstains_at_most_the_allowed_share() -> None:
    data = rows()
    model = fit(data, max_false=0.05)
    in_scope = [s for s, oos in data if not oos]
    wrongly = sum(model.abstains(s) for s in in_scope)
    assert wrongly <= 0.05 * len(in_scope)


def test_a_model_uses_the_features_it_was_fitted_on() -> None:
    model = AbstentionModel(weights=[1.0, 0.0], mean=[0.0], scale=[1.0], threshold=0.5, features=["top_sentence"])
    assert abs(model.probability({"top_sentence": 0.0, "ignored": 9.0}) - 0.5) < 1e-9
    assert model.abstains({"top_sentence": 2.0}) and not model.abstains({"top_sentence": -2.0})


def test_cross_validation_judges_each_row_by_a_model_that_did_not_see_it() -> None:
    wrong, recall = cross_validated(rows(), max_false=0.05, folds=5, repeats=1)
    assert 0.0 <= wrong <= 0.2
    assert recall == 1.0  # the two groups are far apart


def test_the_allowance_leaves_the_most_room_to_both_targets_held_out() -> None:
    allowance, wrong, recall = choose_allowance(rows(), folds=5, repeats=1)
    assert allowance in ALLOWANCES
    assert wrong <= 0.05 and recall >= 0.90
    measured = [cross_validated(rows(), a, folds=5, repeats=1) for a in ALLOWANCES]
    room = [min((0.05 - w) / 0.05, (r - 0.90) / 0.10) for w, r in measured if w <= 0.05 and r >= 0.90]
    assert min((0.05 - wrong) / 0.05, (recall - 0.90) / 0.10) == max(room)


def test_without_an_allowance_that_meets_both_targets_the_smallest_is_chosen() -> None:
    rng = random.Random(3)
    overlapping = [(signals(0.6, rng), False) for _ in range(40)] + [(signals(0.6, rng), True) for _ in range(10)]
    assert choose_allowance(overlapping, folds=5, repeats=1)[0] == ALLOWANCES[0]
