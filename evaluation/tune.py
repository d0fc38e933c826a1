"""Fit the question bank's fusion weights and floor on the dev set (never on test): `python -m evaluation.tune`.

Runs the dev questions once per candidate weight and floor (abstention off, so that only ranking is
compared) and prints hit@1, hit@5 and MRR@10 for each, best hit@1 + hit@5 first. The chosen value
goes into `api/search/config.py` by hand, and is then confirmed once on the test set.
"""

from __future__ import annotations

import argparse
from itertools import product

from api.search.config import DEFAULT
from api.search.engine import SearchEngine
from evaluation.questions import load_questions
from evaluation.runner import run_evaluation
from veiviser.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 1.0, 2.0, 4.0, 8.0])
    parser.add_argument("--floors", type=float, nargs="+", default=[0.86, 0.88, 0.9, 0.92],
                        help="cosines above which a bank question counts")
    parser.add_argument("--margins", type=float, nargs="+", default=[-1.0],
                        help="distances below the query's best bank question within which a question counts "
                             "(-1: no relative floor)")
    parser.add_argument("--match-weights", type=float, nargs="+", default=[DEFAULT.fusion.question_match_weight],
                        help="bonus per bank question of a passage that counts")
    args = parser.parse_args(argv)
    questions = load_questions(sets={"dev"})
    configs = {}
    for w, f, m, c in product(args.weights, args.floors, args.margins, args.match_weights):
        name = f"w={w:g} floor={f:g}" + (f" margin={m:g}" if m >= 0 else "") + f" match={c:g}"
        configs[name] = DEFAULT.variant(name, abstention=False, fusion={
            "question_weight": w, "question_floor": f, "question_margin": m if m >= 0 else None,
            "question_match_weight": c})
    engine = SearchEngine.open(get_settings())
    try:
        reports, _ = run_evaluation(engine, questions, configs)
    finally:
        engine.close()
    rows = sorted(reports, key=lambda r: -(r.metrics["hit@1"] + r.metrics["hit@5"]))
    print(f"{'config':44} {'hit@1':>6} {'hit@5':>6} {'MRR@10':>7}")
    for r in rows:
        print(f"{r.config:44} {r.metrics['hit@1']:6.3f} {r.metrics['hit@5']:6.3f} {r.metrics['MRR@10']:7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
