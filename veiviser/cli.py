"""`veiviser`: the front door. Every action the project supports starts here."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from veiviser.settings import get_settings


def _load_chunks(with_sources: bool = True):
    from ingest.chunking import chunk_corpus
    from ingest.parse import load_corpus

    settings = get_settings()
    documents = load_corpus(settings.corpus_dir)
    sources = settings.sources_dir if with_sources and settings.sources_dir.exists() else None
    return documents, chunk_corpus(documents, sources)


def cmd_corpus_build(args: argparse.Namespace) -> int:
    from ingest.convert import build_corpus

    settings = get_settings()
    sources = Path(args.sources) if args.sources else settings.sources_dir
    out = Path(args.out) if args.out else settings.corpus_dir
    if not sources.exists():
        print(f"error: source folder {sources} not found (set VEIVISER_SOURCES_DIR)", file=sys.stderr)
        return 2
    for path in build_corpus(sources, out):
        print(f"wrote {path}")
    return 0


def cmd_corpus_stats(args: argparse.Namespace) -> int:
    documents, chunks = _load_chunks()
    per_doc = Counter(c.doc_id for c in chunks)
    words = Counter()
    for c in chunks:
        words[c.doc_id] += len(c.text.split())
    print(f"{'document':45} {'status':14} {'chunks':>6} {'words':>7} {'legal':>6} {'pathway':>8}")
    for doc in documents:
        mine = [c for c in chunks if c.doc_id == doc.meta.id]
        legal = sum(1 for c in mine if c.legal_refs) / max(len(mine), 1)
        pathway = sum(1 for c in mine if c.pathway) / max(len(mine), 1)
        print(
            f"{doc.meta.id:45} {doc.meta.status:14} {per_doc[doc.meta.id]:>6} {words[doc.meta.id]:>7} "
            f"{legal:>6.0%} {pathway:>8.0%}"
        )
    total = len(chunks)
    print(
        f"{'all':45} {'':14} {total:>6} {sum(words.values()):>7} "
        f"{sum(1 for c in chunks if c.legal_refs) / total:>6.0%} {sum(1 for c in chunks if c.pathway) / total:>8.0%}"
    )
    sections = [
        ("kind", Counter(c.kind for c in chunks)),
        ("law", Counter(ref.split(" ", 1)[0] for c in chunks for ref in set(r.split(" ", 1)[0] for r in c.legal_refs))),
        ("pathway", Counter(p for c in chunks for p in c.pathway)),
        ("target group", Counter(g for c in chunks for g in c.target_groups)),
        ("strength", Counter(c.strength for c in chunks if c.strength)),
    ]
    for title, counter in sections:
        print(f"\nchunks per {title}:")
        for key, n in counter.most_common():
            print(f"  {key:40} {n:>5}")
    from ingest.questions import load_bank, stats_lines

    print("\n" + "\n".join(stats_lines(documents, chunks, load_bank(get_settings().corpus_dir, chunks))))
    return 0


def cmd_corpus_ties(args: argparse.Namespace) -> int:
    from ingest.embedding import EmbeddingCache
    from ingest.question_ties import DEFAULT_MIN_SIMILARITY, embed_questions, find_ties
    from ingest.questions import load_bank
    from veiviser.model.loading import load_build_model

    settings = get_settings()
    _, chunks = _load_chunks()
    questions = load_bank(settings.corpus_dir, chunks)
    cache = EmbeddingCache(settings.cache_dir / EmbeddingCache.FILE_NAME)
    try:
        vectors = embed_questions(questions, load_build_model(settings, progress=False), cache)
    finally:
        cache.close()
    threshold = DEFAULT_MIN_SIMILARITY if args.min is None else args.min
    ties = [t for t in find_ties(questions, vectors, threshold)
            if args.doc is None or args.doc in (t.first.doc_id, t.second.doc_id)]
    if args.json:
        for tie in ties:
            print(json.dumps(tie.as_dict(), ensure_ascii=False))
        return 0
    for tie in ties:
        a, b = tie.first, tie.second
        print(f"{tie.similarity:.3f}  {a.path.name}:{a.line} [{a.anchor}] {a.question}\n"
              f"       {b.path.name}:{b.line} [{b.anchor}] {b.question}")
    print(f"{len(ties)} pairs of bank questions on different passages at cosine >= {threshold:g}"
          + (f" involving {args.doc}" if args.doc else ""), file=sys.stderr)
    return 0


def cmd_chunks(args: argparse.Namespace) -> int:
    _, chunks = _load_chunks()
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for chunk in chunks:
            out.write(json.dumps(chunk.model_dump(mode="json"), ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


def cmd_index_build(args: argparse.Namespace) -> int:
    from ingest.indexing import build_from_corpus

    manifest = build_from_corpus(get_settings(), progress=not args.quiet)
    print(
        f"index {manifest.version}: {manifest.chunks} passages, {manifest.sentences} sentences, "
        f"{manifest.embedded_new} newly embedded, {manifest.build_seconds:.1f} s"
    )
    return 0


def cmd_index_rollback(args: argparse.Namespace) -> int:
    from veiviser.index_format import rollback

    print(f"current index is now {rollback(get_settings())}")
    return 0


def cmd_index_status(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from veiviser.index_format import list_versions, read_manifest

    settings = get_settings()
    manifest = read_manifest(settings)
    print(json.dumps({"current": asdict(manifest), "versions": list_versions(settings)}, indent=2))
    return 0


def ensure_index(settings, progress: bool = True) -> None:
    """Build the index on first run, with progress, when none exists yet, and again when the current
    one was built by an older version of Veiviser (another index schema) or is incomplete."""
    from veiviser.index_format import IndexUnavailable, current_version, read_manifest

    if current_version(settings) is None:
        print("No index yet: building it from the corpus (first run only).", file=sys.stderr)
    else:
        try:
            read_manifest(settings)
            return
        except IndexUnavailable as exc:
            print(f"The current index cannot be used ({exc}); building a new one.", file=sys.stderr)
    from ingest.indexing import build_from_corpus  # only now: the write side is heavy to import

    build_from_corpus(settings, progress=progress)


def _parse_filters(raw: list[str] | None) -> dict[str, str]:
    from api.search.query import QueryError

    filters: dict[str, str] = {}
    for item in raw or []:
        if "=" not in item:
            raise QueryError(f"a filter is written field=value, got '{item}'")
        key, value = item.split("=", 1)
        filters[key.strip()] = value.strip()
    return filters


def cmd_search(args: argparse.Namespace) -> int:
    from api.search.engine import SearchEngine

    settings = get_settings()
    filters = _parse_filters(args.filter)
    if not args.batch and args.query is None:
        print("error: give a query, or --batch FILE", file=sys.stderr)
        return 2
    ensure_index(settings)
    engine = SearchEngine.open(settings)
    try:
        if args.batch:
            return _search_batch(engine, args, filters)
        response = engine.search(args.query, top_k=args.top_k, filters=filters)
        if args.json:
            print(json.dumps(_as_json(response), ensure_ascii=False, indent=2))
        else:
            _print_human(response)
    finally:
        engine.close()
    return 0


def _search_batch(engine, args: argparse.Namespace, filters: dict[str, str]) -> int:
    source = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")
    failed = 0
    with source:
        for n, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or "question" not in item:
                    raise ValueError('each line must be a JSON object with "id" and "question"')
                response = {"id": item.get("id"), **_as_json(engine.search(item["question"], top_k=args.top_k,
                                                                           filters=filters))}
            except ValueError as exc:  # QueryError and FilterError are ValueErrors
                failed += 1
                response = {"id": None, "line": n, "error": str(exc)}
                print(f"error: line {n}: {exc}", file=sys.stderr)
            print(json.dumps(response, ensure_ascii=False))
    return 1 if failed else 0


def _as_json(response) -> dict:
    """A search response as the CLI prints it: the API's fields plus confidence and signals."""
    return {**response.model_dump(mode="json"), "confidence": response.confidence, "signals": response.signals}


def _print_human(response) -> None:
    if response.abstained:
        print("Fant ingen relevante svar i veilederne.")
        return
    for n, r in enumerate(response.results, start=1):
        cite = r.citation
        status = "" if cite.status in ("gjeldende", "lokal") else f" [{cite.status}]"
        print(f"{n}. {cite.doc_id}{status} › {' › '.join(cite.section_path)}  ({r.score:.3f})")
        for h in r.highlights:
            print(f"   «{r.text[h.start:h.end]}»")
        if r.legal_refs:
            print(f"   {', '.join(ref.ref for ref in r.legal_refs)}")
    print(f"({response.took_ms} ms)")


def cmd_eval(args: argparse.Namespace) -> int:
    from api.search.config import DEFAULT, named_configs
    from api.search.engine import SearchEngine
    from evaluation.questions import load_questions
    from evaluation.runner import run_evaluation, summary_lines, write_reports

    settings = get_settings()
    files = [Path(f) for f in args.questions] if args.questions else None
    sets = None if args.set == "all" else {args.set}
    questions = load_questions(sets=sets, files=files)
    if not questions:
        print(f"error: no questions in set '{args.set}'", file=sys.stderr)
        return 2
    configs = named_configs(DEFAULT)
    if args.config != "all":
        if args.config not in configs:
            print(f"error: unknown config '{args.config}'; choose from {', '.join(configs)}", file=sys.stderr)
            return 2
        configs = {args.config: configs[args.config]}
    ensure_index(settings)
    engine = SearchEngine.open(settings)
    try:
        if args.calibrate:
            from evaluation.runner import calibrate_abstention

            model = calibrate_abstention(engine, load_questions(sets={"dev"}))
            print(f"abstention model fitted on the dev set and the calibration questions, "
                  f"threshold {model.threshold:.3f}: veiviser/data/abstention.json")
        reports, _ = run_evaluation(engine, questions, configs)
        name = args.name or (args.set if not files else "custom")
        paths = write_reports(reports, name, engine, Path(args.out), questions)
    finally:
        engine.close()
    print("\n".join(summary_lines(reports)))
    for path in paths:
        print(f"wrote {path}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from api.search.engine import SearchEngine
    from evaluation import bench
    from evaluation.questions import load_questions
    from veiviser.model.loading import load_build_model, load_model

    settings = get_settings()
    ensure_index(settings)
    previous = bench.load_previous()
    build_model = load_build_model(settings, progress=False)
    figures: dict = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": bench.machine(),
                     "build_encoder": bench.encoder_name(build_model)}
    model = load_model(settings, progress=False)
    questions = [q.question for q in load_questions(sets={"dev"})]
    print("building indexes in a scratch folder …", file=sys.stderr)
    figures.update(bench.bench_builds(settings, build_model, scratch=not args.skip_scratch))
    engine = SearchEngine.open(settings, model=model)
    try:
        print("timing queries in-process …", file=sys.stderr)
        figures.update(bench.bench_queries(engine, questions))
        if not args.skip_http:
            print(f"timing queries over HTTP ({args.clients} clients) …", file=sys.stderr)
            figures.update(bench.bench_http(settings, engine, questions, args.clients, args.seconds))
    finally:
        engine.close()
    figures["peak_memory_mb"] = bench.peak_memory_mb()
    if not args.skip_http:  # after the engine is closed: local mode lets one process load the index at a time
        print(f"serving with `veiviser serve`: memory, and {args.clients} clients on {settings.workers} workers …",
              file=sys.stderr)
        figures.update(bench.bench_served(questions, args.clients, args.seconds, settings.workers))
    print(f"{'figure':32} {'now':>10} {'last':>10} {'ratio':>7}  target")
    for key, value, before, ratio, target in bench.compare(figures, previous):
        if key != "measured_at":
            print(f"{key:32} {value!s:>10} {before!s:>10} {ratio:>7}  {target}")
    if not args.no_save:
        print(f"wrote {bench.write_report(figures, previous)}")
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    from veiviser.model.provision import provision_model

    settings = get_settings()
    if settings.model_name:
        print(f"using model {settings.model_name} from the model hub (VEIVISER_MODEL_NAME)")
        return 0
    folder = provision_model(settings.model_dir, progress=True)
    if settings.encoder.startswith("onnx"):
        from veiviser.model.onnx_export import export_onnx

        export_onnx(folder, int8=settings.encoder == "onnx-int8", progress=True)
    print(f"model ready at {folder} (encoder: {settings.encoder})")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _feedback_sources():
    """The feedback store (pruned to its retention limit first) and the current index's catalog, if any."""
    from api.catalog import Catalog
    from veiviser.feedback import FeedbackStore
    from veiviser.index_format import current_version

    settings = get_settings()
    store = FeedbackStore.for_settings(settings)
    store.prune()
    version = current_version(settings)
    return store, (Catalog(settings, version) if version else None)


def cmd_feedback_stats(args: argparse.Namespace) -> int:
    store, catalog = _feedback_sources()
    stats = store.stats()
    where = f"index {catalog.version}" if catalog else "no index: passages without titles"
    print(f"{_count(stats.total, 'feedback verdict')} in {store.path} ({where})")
    print(f"\nresults (\"Svarte dette på spørsmålet?\"): {_count(len(stats.passages), 'passage')}")
    if stats.passages:
        print(f"  {'yes':>4} {'no':>4}  passage")
    for p in stats.passages:
        print(f"  {p.yes:>4} {p.no:>4}  {p.passage_id}")
        chunk = catalog.chunks.get(p.passage_id) if catalog else None
        if chunk is not None:
            doc = catalog.documents.get(chunk["doc_id"], {})
            section = " ".join(part for part in (chunk.get("section_number"), chunk.get("section_title")) if part)
            print(f"  {'':9}  {doc.get('short_title') or chunk.get('doc_title')} › {section}")
        elif catalog:
            print(f"  {'':9}  (not in the current index)")
    print(f"\nabstentions (\"Burde Veiviser ha funnet noe?\"): {stats.disputed_abstentions} disputed (yes), "
          f"{stats.accepted_abstentions} accepted (no)")
    if stats.disputed_queries:
        print("  disputed, with the shared (redacted) query:")
    for text, count in stats.disputed_queries:
        print(f"  {count:>4}  {text}")
    return 0


def cmd_feedback_export(args: argparse.Namespace) -> int:
    from evaluation.questions import parse_line
    from veiviser.index_format import IndexUnavailable

    store, catalog = _feedback_sources()
    if catalog is None:
        raise IndexUnavailable("no index yet: the passages' text comes from it; run `veiviser index build`")
    lines, notes = store.export_questions(catalog.chunks)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    texts = [json.dumps(line, ensure_ascii=False) for line in lines]
    for n, text in enumerate(texts, start=1):
        parse_line(Path(args.out or "feedback.jsonl"), n, text)  # the evaluation suite's own check
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for text in texts:
            out.write(text + "\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"wrote {_count(len(texts), 'question')} to {args.out}: review them before adding them to "
              "evaluation/questions/", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from api.worker import keep_torch_out

    settings = get_settings()
    ensure_index(settings)
    keep_torch_out(settings)  # before the app imports Haystack (see api/worker.py)
    from api.app import serve

    serve(settings, host=args.host, port=args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veiviser",
        description="Cited passages from Norwegian guidelines for mental-health and substance-abuse work.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="build, check and describe the Markdown corpus")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", required=True)
    build = corpus_sub.add_parser("build", help="convert the raw sources into corpus/*.md")
    build.add_argument("--sources", help="folder of raw source texts (default: settings.sources_dir)")
    build.add_argument("--out", help="output folder (default: settings.corpus_dir)")
    build.set_defaults(func=cmd_corpus_build)
    stats = corpus_sub.add_parser("stats", help="counts per document, kind, law, pathway and target group")
    stats.set_defaults(func=cmd_corpus_stats)
    ties = corpus_sub.add_parser(
        "ties", help="near-identical bank questions on different passages, for review (docs/corpus-format.md)")
    ties.add_argument("--min", type=float, help="cosine at or above which two questions tie (default 0.955)")
    ties.add_argument("--doc", help="only pairs with a question of this document id")
    ties.add_argument("--json", action="store_true", help="one JSON object per pair, with both evidence snippets")
    ties.set_defaults(func=cmd_corpus_ties)

    chunks = sub.add_parser("chunks", help="write all chunks")
    chunks.add_argument("--jsonl", action="store_true", required=True, help="one JSON object per line")
    chunks.add_argument("--out", help="file to write (default: standard output)")
    chunks.set_defaults(func=cmd_chunks)

    index = sub.add_parser("index", help="build, inspect and roll back the search index")
    index_sub = index.add_subparsers(dest="index_command", required=True)
    ib = index_sub.add_parser("build", help="build a new index version from the corpus and switch to it")
    ib.add_argument("--quiet", action="store_true", help="no progress output")
    ib.set_defaults(func=cmd_index_build)
    index_sub.add_parser("rollback", help="switch back to the previous index version").set_defaults(
        func=cmd_index_rollback
    )
    index_sub.add_parser("status", help="the current index version and its figures").set_defaults(
        func=cmd_index_status
    )

    search = sub.add_parser("search", help="search the guidelines")
    search.add_argument("query", nargs="?", help="question or search words")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--top-k", type=int, default=10, help="number of passages (1-50, default 10)")
    search.add_argument("--filter", action="append", metavar="FIELD=VALUE",
                        help="doc, status, kind, law, pathway or target_group; repeatable")
    search.add_argument("--batch", metavar="FILE",
                        help='JSON Lines of {"id", "question"} (- for standard input); one JSON result per line')
    search.set_defaults(func=cmd_search)

    ev = sub.add_parser("eval", help="measure search quality on the known Q&A pairs")
    ev.add_argument("--set", default="dev", choices=["dev", "test", "faq", "holdout", "all"],
                    help="question set (default dev; holdout: the fresh held-out set, see evaluation/README.md)")
    ev.add_argument("--config", default="all",
                    help="one ranking configuration, or 'all' for every ablation side by side (default)")
    ev.add_argument("--questions", nargs="+", metavar="FILE",
                    help="question files to use instead of evaluation/questions/*.jsonl (e.g. a trust's own)")
    ev.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "evaluation" / "reports"),
                    help="report folder (default evaluation/reports)")
    ev.add_argument("--name", help="report file name (default: the set's name)")
    ev.add_argument("--calibrate", action="store_true",
                    help="first refit the abstention model on the dev set and the out-of-scope calibration questions "
                         "(evaluation/calibration/) and save it (then evaluate)")
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", help="measure index build time, query latency, throughput and memory")
    bench.add_argument("--skip-scratch", action="store_true",
                       help="time the first build with the existing embedding cache instead of an empty one")
    bench.add_argument("--skip-http", action="store_true", help="only in-process figures")
    bench.add_argument("--clients", type=int, default=20, help="concurrent HTTP clients (default 20)")
    bench.add_argument("--seconds", type=float, default=10.0, help="length of each HTTP load run (default 10)")
    bench.add_argument("--no-save", action="store_true", help="print only; do not update evaluation/reports/bench.*")
    bench.set_defaults(func=cmd_bench)

    model = sub.add_parser("model", help="provision the offline embedding model and its ONNX export (first set-up)")
    model.set_defaults(func=cmd_model)

    serve = sub.add_parser("serve", help="serve the search page and API (builds the index on first run)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(func=cmd_serve)

    feedback = sub.add_parser("feedback", help="what users said about results and abstentions (docs/feedback.md)")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True)
    feedback_sub.add_parser("stats", help="verdicts per passage and the abstentions users disputed").set_defaults(
        func=cmd_feedback_stats
    )
    fe = feedback_sub.add_parser("export", help="shared questions with the passages marked useful, as evaluation "
                                                "questions (JSON Lines) for a person to review")
    fe.add_argument("--out", help="file to write (default: standard output)")
    fe.set_defaults(func=cmd_feedback_export)
    return parser


def user_errors() -> tuple[type[Exception], ...]:
    """The errors a command reports as `error: ...` (exit 2) rather than a traceback. Imported when
    one is raised, not before: `serve` must not import Haystack before it keeps torch out."""
    from api.search.query import QueryError
    from evaluation.questions import QuestionFileError
    from ingest.parse import CorpusError
    from veiviser.filters import FilterError
    from veiviser.index_format import IndexUnavailable

    return CorpusError, QueryError, FilterError, IndexUnavailable, QuestionFileError


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        if not isinstance(exc, user_errors()):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
