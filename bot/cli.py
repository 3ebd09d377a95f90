"""The `newsbot` command line: ingest, ask, search, stats, eval, bench, serve."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from index.errors import UserError
from index.models import Answer

from .settings import Settings

log = logging.getLogger("newsbot")


def _engine(settings: Settings, *, create: bool = False):
    from index.encoder import load_encoder
    from index.engine import Engine

    if not create and not (settings.index_dir / "newsbot.sqlite3").exists():
        # Fail before the model loads: a missing index should be reported at once.
        from index.errors import IndexMissingError

        raise IndexMissingError(
            f"No index at {settings.index_dir}: run `newsbot ingest` first (or pass --index-dir)."
        )
    encoder = load_encoder(settings.model_path, settings.encoder_backend)
    return Engine.open(settings.index_dir, encoder, create=create)


def format_answer(answer: Answer) -> str:
    lines = [answer.answer, ""]
    for c in answer.citations:
        meta = ", ".join(
            part for part in (c.outlet, c.published.isoformat() if c.published else None, c.url) if part
        )
        lines.append(f"[{c.n}] \"{c.sentence}\"")
        lines.append(f"    {c.title}" + (f" ({meta})" if meta else "") + f" chars {c.start}-{c.end}")
    if answer.abstained and answer.related:
        lines.append("Related passages (not an answer):")
        for r in answer.related:
            when = f", {r.published.isoformat()}" if r.published else ""
            lines.append(f"  - \"{r.text}\" ({r.title}{when})")
    return "\n".join(lines).rstrip()


def cmd_ingest(args, settings: Settings) -> int:
    paths = [Path(p) for p in args.paths] or [Path("corpus")]
    target = settings.index_dir
    # A rebuild is built beside the old index and swapped in when complete, so a crash or a
    # kill during it leaves the old index answering.
    building = target.with_name(target.name + ".rebuild") if args.rebuild else target
    if args.rebuild:
        shutil.rmtree(building, ignore_errors=True)
    engine = _engine(settings.model_copy(update={"index_dir": building}), create=True)
    try:
        report = engine.ingest(paths, progress=sys.stderr.isatty() and not args.quiet)
    finally:
        engine.close()
    if args.rebuild:
        retired = target.with_name(target.name + ".old")
        shutil.rmtree(retired, ignore_errors=True)
        if target.exists():
            os.replace(target, retired)
        os.replace(building, target)
        shutil.rmtree(retired, ignore_errors=True)
    print(report.summary())
    return 0


def cmd_ask(args, settings: Settings) -> int:
    engine = _engine(settings)
    try:
        if args.question is None:
            if not args.json:
                raise UserError("Give a question, or use --json to read questions from stdin.")
            for line in sys.stdin:
                if not line.strip():
                    continue
                try:
                    print(engine.ask(line.strip(), include_internal=args.internal).model_dump_json(), flush=True)
                except UserError as exc:
                    print(json.dumps({"question": line.strip(), "error": str(exc)}), flush=True)
            return 0
        answer = engine.ask(args.question, include_internal=args.internal)
    finally:
        engine.close()
    print(answer.model_dump_json(indent=2) if args.json else format_answer(answer))
    return 0


def cmd_search(args, settings: Settings) -> int:
    engine = _engine(settings)
    try:
        hits = engine.search(args.query, include_internal=args.internal, limit=args.limit)
    finally:
        engine.close()
    if args.json:
        print(json.dumps([h.model_dump(mode="json") for h in hits], indent=2))
        return 0
    for n, h in enumerate(hits, start=1):
        when = h.published.isoformat() if h.published else "date unknown"
        print(f"{n}. {h.title} ({h.outlet or 'outlet unknown'}, {when}) {h.url or h.article_id}")
        print(f"   {h.snippet}")
    if not hits:
        print("No matching articles.")
    return 0


def cmd_stats(args, settings: Settings) -> int:
    from index.engine import Engine

    engine = Engine.open_existing(settings.index_dir)
    try:
        stats = engine.stats()
    finally:
        engine.close()
    if args.json:
        print(stats.model_dump_json(indent=2))
    else:
        for key, value in stats.model_dump().items():
            print(f"{key:>20}: {value}")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from index.evaluation import run_eval

    return run_eval(args, settings)


def cmd_bench(args, settings: Settings) -> int:
    from index.bench import parse_sizes, run_bench

    try:
        args.e2e_max = max(parse_sizes(args.e2e_max)) if args.e2e_max else 1_000_000
    except ValueError as exc:
        raise UserError(str(exc)) from None
    args.command_line = "newsbot bench" + "".join(
        f" --{name.replace('_', '-')} {value}" for name, value in
        (("sizes", args.sizes), ("backends", args.backends), ("questions", args.questions))
        if value
    ) + (" --quick" if args.quick else "")
    try:
        return run_bench(args, settings)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def cmd_serve(args, settings: Settings) -> int:
    from .discord_app import run_bot

    return run_bot(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", type=Path, help="index directory (default: NEWSBOT_INDEX_DIR)")
    common.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="add, update and remove articles")
    p.add_argument("paths", nargs="*", help="folders or files (default: corpus/)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("ask", parents=[common], help="answer a question with citations")
    p.add_argument("question", nargs="?", help="the question; with --json and none, read stdin")
    p.add_argument("--json", action="store_true", help="print JSON (JSONL when reading stdin)")
    p.add_argument("--internal", action="store_true", help="also cite internal articles")
    p.set_defaults(run=cmd_ask)

    p = sub.add_parser("search", parents=[common], help="find articles")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.add_argument("--internal", action="store_true", help="include internal articles")
    p.set_defaults(run=cmd_search)

    p = sub.add_parser("stats", parents=[common], help="counts of the index")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser("eval", parents=[common], help="measure answers against a gold set")
    p.add_argument("--gold", type=Path, default=Path("tests/gold/questions.jsonl"))
    p.add_argument("--corpus", type=Path, default=Path("corpus"))
    p.add_argument("--squad", type=Path, help="a SQuAD 2.0 JSON file to evaluate instead")
    p.add_argument("--limit", type=int, help="evaluate only the first N questions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser(
        "bench", parents=[common], help="measure ingest, question latency, recall and memory by archive size"
    )
    p.add_argument("--sizes", help="chunk counts, e.g. 1k,10k,100k,1m (the default; --quick: 1k,10k)")
    p.add_argument("--quick", action="store_true", help="a few minutes: small sizes, torch and the default backend")
    p.add_argument("--backends", help="comma-separated encoder backends to compare (default: all)")
    p.add_argument("--questions", type=int, help="questions timed at each size (default 100; --quick 30)")
    p.add_argument("--e2e-max", help="largest size built as a full archive; larger ones time encode + FAISS only (default 1m)")
    p.add_argument("--out", type=Path, default=Path("docs"), help="where bench.md, bench.json and bench.png go")
    p.add_argument("--squad", type=Path, help="SQuAD 2.0 JSON for real text (default ../shared/data/...)")
    p.add_argument("--corpus", type=Path, default=Path("corpus"))
    p.add_argument("--work-dir", type=Path, help="where the temporary archives are built (default: the system's temp)")
    p.set_defaults(run=cmd_bench)

    p = sub.add_parser("serve", parents=[common], help="run the Discord bot")
    p.set_defaults(run=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        overrides = {"index_dir": args.index_dir} if args.index_dir else {}
        settings = Settings(**overrides)
        return args.run(args, settings)
    except UserError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("newsbot %s failed", args.command)
        print(f"newsbot: {args.command} failed unexpectedly; see the log above.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
