"""`veiviser eval`: runs known questions through the real search and measures it.

Ranking metrics (hit@1/3/5/10, MRR@10, nDCG@10) come from ranx over the in-scope questions;
a passage is relevant when it contains one of the question's evidence snippets. Abstention is
measured separately: precision and recall of abstaining on out-of-scope questions, and the share
of in-scope questions wrongly abstained.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from api.search.config import SearchConfig
from api.search.engine import SearchEngine
from evaluation.questions import Question, answers, letters
from evaluation.uncertainty import hits, interval, paired_interval, percentile

METRICS = ["hit_rate@1", "hit_rate@3", "hit_rate@5", "hit_rate@10", "mrr@10", "ndcg@10"]
SHORT = {"hit_rate@1": "hit@1", "hit_rate@3": "hit@3", "hit_rate@5": "hit@5", "hit_rate@10": "hit@10",
         "mrr@10": "MRR@10", "ndcg@10": "nDCG@10"}
DEPTH = 10


@dataclass
class QuestionResult:
    id: str
    kind: str
    doc_id: str | None
    question: str
    in_scope: bool
    abstained: bool
    top_score: float
    first_hit: int | None  # 1-based rank of the first answering passage, None if not in the top DEPTH
    relevant: int  # passages in the whole index that answer it
    top: list[str] = field(default_factory=list)
    took_ms: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)


@dataclass
class ConfigReport:
    config: str
    metrics: dict[str, float]
    abstention: dict[str, float]
    by_kind: dict[str, dict[str, float]]
    by_doc: dict[str, dict[str, float]]
    latency_ms: dict[str, float]
    results: list[QuestionResult]


def relevance(questions: list[Question], passages: dict[str, str]) -> dict[str, dict[str, int]]:
    """qrels: for each in-scope question, the passages (of the whole index) that answer it."""
    passage_letters = {pid: letters(text) for pid, text in passages.items()}
    qrels: dict[str, dict[str, int]] = {}
    for q in questions:
        if not q.in_scope:
            continue
        snippets = [letters(s) for s in q.evidence]
        qrels[q.id] = {pid: 1 for pid, pl in passage_letters.items() if any(answers(pl, s) for s in snippets)}
    return qrels


def all_passages(engine: SearchEngine) -> dict[str, str]:
    return {d.meta["chunk_id"]: d.content or "" for d in engine.index.stores["chunks"].filter_documents()}


def ranking_metrics(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]) -> dict[str, float]:
    from ranx import Qrels, Run, evaluate

    usable = {q: rel for q, rel in qrels.items() if rel}
    if not usable:
        return {SHORT[m]: 0.0 for m in METRICS}
    runs = {q: (run.get(q) or {"__none__": 0.0}) for q in usable}
    scores = evaluate(Qrels(usable), Run(runs), METRICS, make_comparable=True)
    # questions whose evidence is in no passage at all count as misses
    factor = len(usable) / len(qrels)
    return {SHORT[m]: round(float(scores[m]) * factor, 4) for m in METRICS}


def evaluate_config(engine: SearchEngine, questions: list[Question], qrels: dict[str, dict[str, int]],
                    config: SearchConfig) -> ConfigReport:
    results: list[QuestionResult] = []
    run: dict[str, dict[str, float]] = {}
    for q in questions:
        response = engine.search(q.question, top_k=DEPTH, config=config)
        ids = [r.id for r in response.results]
        # ranx needs strictly decreasing scores to keep our order
        run[q.id] = {pid: float(DEPTH - i) for i, pid in enumerate(ids)}
        relevant = qrels.get(q.id, {})
        first = next((i + 1 for i, pid in enumerate(ids) if pid in relevant), None)
        results.append(
            QuestionResult(
                id=q.id, kind=q.kind, doc_id=q.doc_id, question=q.question, in_scope=q.in_scope,
                abstained=response.abstained,
                top_score=response.results[0].score if response.results else 0.0,
                first_hit=first, relevant=len(relevant), top=ids[:3], took_ms=response.took_ms,
                signals=response.signals,
            )
        )
    in_scope = [r for r in results if r.in_scope]
    metrics = ranking_metrics({q: qrels[q] for q in qrels if q in run}, run)
    return ConfigReport(
        config=config.name,
        metrics=metrics,
        abstention=abstention_metrics(results),
        by_kind=_breakdown(in_scope, lambda r: r.kind),
        by_doc=_breakdown(in_scope, lambda r: r.doc_id or "-"),
        latency_ms=_latency(results),
        results=results,
    )


def abstention_metrics(results: list[QuestionResult]) -> dict[str, float]:
    oos = [r for r in results if not r.in_scope]
    ins = [r for r in results if r.in_scope]
    abstained = [r for r in results if r.abstained]
    correct = [r for r in abstained if not r.in_scope]
    return {
        "out_of_scope": len(oos),
        "precision": round(len(correct) / len(abstained), 4) if abstained else 1.0,
        "recall": round(len(correct) / len(oos), 4) if oos else 1.0,
        "in_scope_wrongly_abstained": round(sum(r.abstained for r in ins) / len(ins), 4) if ins else 0.0,
    }


def _breakdown(results: list[QuestionResult], key) -> dict[str, dict[str, float]]:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    out = {}
    for name, rs in sorted(groups.items()):
        out[name] = {
            "n": len(rs),
            "hit@1": round(sum(r.first_hit == 1 for r in rs) / len(rs), 4),
            "hit@5": round(sum(r.first_hit is not None and r.first_hit <= 5 for r in rs) / len(rs), 4),
            "MRR@10": round(sum(1 / r.first_hit for r in rs if r.first_hit) / len(rs), 4),
        }
    return out


def _latency(results: list[QuestionResult]) -> dict[str, float]:
    times = [r.took_ms for r in results]
    if not times:
        return {"median": 0.0, "p95": 0.0}
    return {"median": round(median(times), 1), "p95": round(percentile(times, 0.95), 1)}


def calibrate_abstention(engine: SearchEngine, dev_questions: list[Question]):
    """Fit the abstention model on the signals of the dev set and of the out-of-scope calibration
    questions (evaluation/calibration.py: 16 out-of-scope dev questions alone are too few to fit
    seven weights or to measure recall), and save it (veiviser/data/abstention.json), with the
    in-sample allowance chosen by cross-validation over both (api/search/abstention.py)."""
    from api.search.abstention import choose_allowance, fit, load_model
    from evaluation.calibration import load_calibration

    calibration = [c.question for c in load_calibration()]
    rows = [(engine.search(q.question, top_k=1).signals, not q.in_scope) for q in dev_questions]
    rows += [(engine.search(text, top_k=1).signals, True) for text in calibration]
    allowance, wrong, recall = choose_allowance(rows)
    model = fit(rows, max_false=allowance,
                fitted_on=f"dev set ({len(dev_questions)} questions) and {len(calibration)} out-of-scope calibration "
                          f"questions, index {engine.version}; threshold abstains on {allowance:.0%} of dev in-scope, "
                          f"chosen by 10-fold cross-validation over both (held-out wrongly abstained {wrong:.1%}, "
                          f"out-of-scope recall {recall:.2f})")
    model.save()
    load_model.cache_clear()
    return model


def run_evaluation(engine: SearchEngine, questions: list[Question], configs: dict[str, SearchConfig]
                   ) -> tuple[list[ConfigReport], dict[str, dict[str, int]]]:
    qrels = relevance(questions, all_passages(engine))
    reports = [evaluate_config(engine, questions, qrels, cfg) for cfg in configs.values()]
    return reports, qrels


def uncertainty(reports: list[ConfigReport]) -> dict[str, dict[str, Any]]:
    """95 % bootstrap intervals of hit@1 and hit@5 per configuration, and of each one's difference
    from the first (default) configuration over the same questions."""
    def first_hits(report: ConfigReport) -> dict[str, int | None]:
        return {r.id: r.first_hit for r in report.results if r.in_scope}

    base = first_hits(reports[0])
    out: dict[str, dict[str, Any]] = {}
    for report in reports:
        mine = first_hits(report)
        ids = [i for i in base if i in mine]
        entry: dict[str, Any] = {}
        for k in (1, 5):
            values = hits([mine[i] for i in ids], k)
            entry[f"hit@{k}"] = interval(values)
            if report is not reports[0]:
                entry[f"delta_hit@{k}"] = (round(float(values.mean() - hits([base[i] for i in ids], k).mean()), 3),
                                           paired_interval(values, hits([base[i] for i in ids], k)))
        out[report.config] = entry
    return out


def to_json(reports: list[ConfigReport], set_name: str, engine: SearchEngine) -> dict[str, Any]:
    return {
        "set": set_name,
        "index_version": engine.version,
        "model": engine.manifest.model,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "intervals_95": uncertainty(reports),
        "configs": [
            {**{k: v for k, v in asdict(r).items() if k != "results"},
             "results": [asdict(x) for x in r.results]}
            for r in reports
        ],
    }


def write_reports(reports: list[ConfigReport], set_name: str, engine: SearchEngine, out_dir: Path,
                  questions: list[Question]) -> list[Path]:
    """Markdown, PNG chart and JSON under out_dir; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{set_name}.json"
    json_path.write_text(json.dumps(to_json(reports, set_name, engine), ensure_ascii=False, indent=1), "utf-8")
    md_path = out_dir / f"{set_name}.md"
    md_path.write_text(markdown_report(reports, set_name, engine, questions), "utf-8")
    png_path = out_dir / f"{set_name}.png"
    chart(reports, set_name, png_path)
    return [md_path, png_path, json_path]


def markdown_report(reports: list[ConfigReport], set_name: str, engine: SearchEngine,
                    questions: list[Question]) -> str:
    main = reports[0]
    n_in = sum(q.in_scope for q in questions)
    lines = [
        f"# Evaluation: `{set_name}` set",
        "",
        f"{len(questions)} questions ({n_in} in scope, {len(questions) - n_in} out of scope); "
        f"index `{engine.version}`, model `{engine.manifest.model}`, {engine.manifest.chunks} passages.",
        "",
        "## Configurations side by side",
        "",
        "| config | " + " | ".join(SHORT[m] for m in METRICS)
        + " | abstain P | abstain R | wrongly abstained | median ms | p95 ms |",
        "|---|" + "---|" * (len(METRICS) + 5),
    ]
    for r in reports:
        a = r.abstention
        lines.append(
            f"| {r.config} | " + " | ".join(f"{r.metrics[SHORT[m]]:.3f}" for m in METRICS)
            + f" | {a['precision']:.2f} | {a['recall']:.2f} | {a['in_scope_wrongly_abstained']:.2f}"
            f" | {r.latency_ms['median']} | {r.latency_ms['p95']} |"
        )
    bands = uncertainty(reports)
    lines += ["", "## How sure: 95 % bootstrap intervals over the questions", "",
              f"Differences are paired (the same resampled questions) against `{main.config}`; an interval that "
              "contains 0 is not a measured change.", "",
              "| config | hit@1 | hit@5 | Δ hit@1 | Δ hit@5 |", "|---|---|---|---|---|"]
    for r in reports:
        b = bands[r.config]
        cells = [_band(r.metrics[f"hit@{k}"], b[f"hit@{k}"]) for k in (1, 5)]
        cells += [_delta(b.get(f"delta_hit@{k}")) for k in (1, 5)]
        lines.append(f"| {r.config} | " + " | ".join(cells) + " |")
    for title, table in (("question kind", main.by_kind), ("document", main.by_doc)):
        lines += ["", f"## `{main.config}` by {title}", "", "| | n | hit@1 | hit@5 | MRR@10 |", "|---|---|---|---|---|"]
        for name, m in table.items():
            lines.append(f"| {name} | {m['n']} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['MRR@10']:.3f} |")
    missed = [r for r in main.results if r.in_scope and (r.first_hit is None or r.first_hit > 5)]
    lines += ["", f"## Missed by `{main.config}` (answer not in the top 5): {len(missed)}", ""]
    lines += ["| id | kind | question | first hit | relevant passages | top result |", "|---|---|---|---|---|---|"]
    for r in missed:
        question = r.question.replace("|", "/")
        lines.append(f"| {r.id} | {r.kind} | {question} | {r.first_hit or '-'} | {r.relevant} | "
                     f"{r.top[0] if r.top else '-'} |")
    wrong = [r for r in main.results if r.in_scope == r.abstained]
    lines += ["", f"## Abstention errors of `{main.config}`: {len(wrong)}", ""]
    for r in wrong:
        what = "abstained on an in-scope question" if r.in_scope else "answered an out-of-scope question"
        lines.append(f"- {r.id} ({what}, top score {r.top_score:.3f}): {r.question}")
    return "\n".join(lines) + "\n"


def _band(value: float, bounds: tuple[float, float]) -> str:
    return f"{value:.3f} ({bounds[0]:.2f}–{bounds[1]:.2f})"


def _delta(entry: tuple[float, tuple[float, float]] | None) -> str:
    if entry is None:
        return "–"
    value, (low, high) = entry
    return f"{value:+.3f} ({low:+.2f}…{high:+.2f})"


def chart(reports: list[ConfigReport], set_name: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r.config for r in reports]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.27
    for i, metric in enumerate(["hit@1", "hit@5", "MRR@10"]):
        axes[0].bar([x + i * width for x in range(len(names))], [r.metrics[metric] for r in reports], width,
                    label=metric)
    axes[0].set_xticks([x + width for x in range(len(names))], names, rotation=35, ha="right")
    axes[0].set_ylim(0, 1)
    axes[0].axhline(0.9, color="grey", lw=0.6, ls="--")
    axes[0].axhline(0.7, color="grey", lw=0.6, ls=":")
    axes[0].set_title(f"Configurations ({set_name})")
    axes[0].legend()
    kinds = list(reports[0].by_kind)
    for i, metric in enumerate(["hit@1", "hit@5"]):
        axes[1].bar([x + i * 0.4 for x in range(len(kinds))], [reports[0].by_kind[k][metric] for k in kinds], 0.4,
                    label=metric)
    axes[1].set_xticks([x + 0.2 for x in range(len(kinds))], kinds, rotation=35, ha="right")
    axes[1].set_ylim(0, 1)
    axes[1].set_title(f"{reports[0].config} by question kind")
    axes[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def summary_lines(reports: list[ConfigReport]) -> list[str]:
    """One line per configuration, as `veiviser eval` prints them."""
    lines = [f"{'config':18} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'hit@10':>6} {'MRR@10':>6} {'nDCG':>6} "
             f"{'abstP':>6} {'abstR':>6} {'wrong':>6} {'med ms':>7}"]
    for r in reports:
        m, a = r.metrics, r.abstention
        lines.append(f"{r.config:18} {m['hit@1']:6.3f} {m['hit@3']:6.3f} {m['hit@5']:6.3f} {m['hit@10']:6.3f} "
                     f"{m['MRR@10']:6.3f} {m['nDCG@10']:6.3f} {a['precision']:6.2f} {a['recall']:6.2f} "
                     f"{a['in_scope_wrongly_abstained']:6.2f} {r.latency_ms['median']:7.1f}")
    return lines
