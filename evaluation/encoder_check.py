"""Are the other backends' vectors torch's? Cosine on every evaluation question and every passage.

`python -m evaluation.encoder_check` embeds every question of the evaluation sets (as queries)
and every passage of the corpus (as passages) with each backend and writes the smallest and
median cosine to torch, and the time each backend took, to evaluation/reports/encoder.md.
The backends are the query path's ONNX graph, the index builds' torch in bfloat16 and the int8
graph. The test suite runs the same comparison (tests/test_encoder.py).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from veiviser.model.encoder import Encoder, all_cores
from veiviser.model.loading import PASSAGE_PREFIX, QUERY_PREFIX, load_build_model, load_model
from veiviser.settings import Settings

REPORT = Path(__file__).resolve().parent / "reports" / "encoder.md"


@dataclass(frozen=True)
class Agreement:
    backend: str
    kind: str
    texts: int
    min_cosine: float
    median_cosine: float
    seconds: float


def evaluation_texts(settings: Settings) -> dict[str, list[str]]:
    """{'questions': every evaluation question with the query prefix, 'passages': every chunk's text}."""
    from evaluation.questions import load_questions
    from ingest.chunking import chunk_corpus
    from ingest.parse import load_corpus

    questions = [QUERY_PREFIX + q.question for q in load_questions()]
    chunks = chunk_corpus(load_corpus(settings.corpus_dir), None)
    return {"questions": questions, "passages": [PASSAGE_PREFIX + c.text for c in chunks]}


def _timed(encoder: Encoder, texts: list[str]) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    vectors = encoder.encode(texts, batch_size=32, threads=all_cores())
    return vectors, time.perf_counter() - started


def compare(settings: Settings, backends: tuple[str, ...] = ("onnx",),
            texts: dict[str, list[str]] | None = None) -> list[Agreement]:
    """Each backend's agreement with torch on each kind of text."""
    texts = texts if texts is not None else evaluation_texts(settings)
    reference = load_model(settings.model_copy(update={"encoder": "torch"}), progress=False)
    torch_vectors = {kind: _timed(reference, items) for kind, items in texts.items()}
    out = [Agreement("torch", kind, len(items), 1.0, 1.0, round(torch_vectors[kind][1], 1))
           for kind, items in texts.items()]
    for backend in backends:
        if backend == "torch-bf16":  # the index builds' backend (settings.build_encoder)
            encoder = load_build_model(settings.model_copy(update={"build_encoder": backend}), progress=False)
        else:
            encoder = load_model(settings.model_copy(update={"encoder": backend}), progress=False)
        for kind, items in texts.items():
            vectors, seconds = _timed(encoder, items)
            cosines = (vectors * torch_vectors[kind][0]).sum(axis=1)
            out.append(Agreement(backend, kind, len(items), float(cosines.min()),
                                 float(statistics.median(cosines.tolist())), round(seconds, 1)))
    return out


def report(rows: list[Agreement]) -> str:
    lines = ["# Encoder backends against torch", "",
             "Cosine between each backend's vector and torch's for the same text (1.000 = identical), and the",
             "seconds each backend took to embed all of them on this machine (every core, batches of 32).", "",
             "| backend | texts | n | min cosine | median cosine | seconds |", "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {r.backend} | {r.kind} | {r.texts} | {r.min_cosine:.5f} | {r.median_cosine:.5f} | {r.seconds} |"
              for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    from veiviser.settings import get_settings

    rows = compare(get_settings(), backends=("onnx", "torch-bf16", "onnx-int8"))
    REPORT.write_text(report(rows), "utf-8")
    print(report(rows))


if __name__ == "__main__":
    main()
