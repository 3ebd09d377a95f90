"""What each `newsbot` command does, over the public engine API."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from index import (
    BadQuestionError,
    Encoder,
    Engine,
    EngineParams,
    IndexMissingError,
    UserError,
    http_client,
    load_encoder,
)

from ..settings import Settings
from .options import (
    AskOptions,
    BenchOptions,
    EvalOptions,
    IngestOptions,
    Options,
    ReportOptions,
    SearchOptions,
    ServeOptions,
    StatsOptions,
)
from .render import (
    answer_json,
    format_answer,
    format_gaps,
    format_hits,
    format_ingest,
    format_refresh,
    format_stats,
    hit_json,
)

# The engine's knobs are its defaults (index/params.py says what set each); built once here.
PARAMS = EngineParams()


def _encoder(settings: Settings) -> Encoder:
    return load_encoder(settings.model_path, settings.encoder_backend)


def _engine(settings: Settings) -> Engine:
    if not (settings.index_dir / "newsbot.sqlite3").exists():
        # Fail before the model loads: a missing index should be reported at once.
        raise IndexMissingError(
            f"No index at {settings.index_dir}: run `newsbot ingest` first (or pass --index-dir)."
        )
    return Engine.open(settings.index_dir, _encoder(settings), params=PARAMS)


def feeds_of(options: IngestOptions, settings: Settings) -> list[str]:
    """The feeds an ingest refreshes: those given with --feed, and with --feeds the configured."""
    if options.configured_feeds and not settings.feeds:
        raise UserError(
            "--feeds refreshes the feeds in NEWSBOT_FEEDS, which is empty: set it, or use --feed URL."
        )
    return [*options.feeds, *(settings.feeds if options.configured_feeds else [])]


def ingest(options: IngestOptions, settings: Settings) -> int:
    feeds = feeds_of(options, settings)
    paths = options.paths or ([] if feeds else [Path("corpus")])
    progress = sys.stderr.isatty() and not options.quiet
    encoder = _encoder(settings)
    if options.rebuild:
        report = Engine.rebuild(settings.index_dir, encoder, paths, params=PARAMS, progress=progress)
        print(format_ingest(report))
    engine = Engine.open(settings.index_dir, encoder, create=True, params=PARAMS)
    try:
        if paths and not options.rebuild:
            print(format_ingest(engine.ingest(paths, progress=progress)))
        if feeds:
            with http_client(PARAMS.feeds) as client:
                print(format_refresh(engine.refresh(feeds, client)))
    finally:
        engine.close()
    return 0


def question_text(raw: bytes) -> str:
    """A question as text; bytes that are not UTF-8 are refused like any other bad question."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadQuestionError(
            f"The question is not UTF-8 text (byte {exc.start} is {raw[exc.start : exc.start + 1]!r}): "
            "set the terminal or file to UTF-8 and ask again."
        ) from None


def ask(options: AskOptions, settings: Settings) -> int:
    if options.question is None and not options.json_output:
        raise UserError("Give a question, or use --json to read questions from stdin.")
    # Python hands over argument bytes that are not UTF-8 as stand-ins; os.fsencode restores them.
    question = None if options.question is None else question_text(os.fsencode(options.question))
    engine = _engine(settings)
    try:
        if question is None:
            # Lines are read as bytes and decoded one by one, so one that is not UTF-8 gets an
            # error line and the rest of the batch is answered.
            for raw in sys.stdin.buffer:
                shown = raw.decode("utf-8", "backslashreplace").strip()
                if not shown:
                    continue
                try:
                    answer = engine.ask(question_text(raw).strip(), include_internal=options.internal)
                    print(json.dumps(answer_json(answer)), flush=True)
                except UserError as exc:
                    print(json.dumps({"question": shown, "error": str(exc)}), flush=True)
            return 0
        answer = engine.ask(question, include_internal=options.internal)
    finally:
        engine.close()
    print(json.dumps(answer_json(answer), indent=2) if options.json_output else format_answer(answer))
    return 0


def search(options: SearchOptions, settings: Settings) -> int:
    engine = _engine(settings)
    try:
        hits = engine.search(options.query, include_internal=options.internal, limit=options.limit)
    finally:
        engine.close()
    print(json.dumps([hit_json(h) for h in hits], indent=2) if options.json_output else format_hits(hits))
    return 0


def stats(options: StatsOptions, settings: Settings) -> int:
    engine = Engine.open_existing(settings.index_dir, params=PARAMS)
    try:
        counted = engine.stats()
    finally:
        engine.close()
    print(counted.model_dump_json(indent=2) if options.json_output else format_stats(counted))
    return 0


def evaluate(options: EvalOptions, settings: Settings) -> int:
    from ..tools.evaluation.run import evaluate_set, markdown_table

    rows, failures = evaluate_set(
        _encoder(settings),
        gold=options.gold,
        corpus=options.corpus,
        squad=options.squad,
        rtqa=options.rtqa,
        limit=options.limit,
        params=PARAMS,
    )
    if options.json_output:
        print(json.dumps({"rows": rows, "failures": failures}, indent=2))
        return 0
    print(markdown_table(rows))
    if options.verbose and failures:
        print("\n".join(["", "Engine misses:", *failures]))
    return 0


def bench(options: BenchOptions, settings: Settings) -> int:
    from ..tools.bench.run import run_bench

    try:
        return run_bench(options, PARAMS)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def serve(options: ServeOptions, settings: Settings) -> int:
    from ..discord_bot.app import run_bot

    return run_bot(settings, lambda: _encoder(settings), params=PARAMS)


def report(options: ReportOptions, settings: Settings) -> int:
    engine = _engine(settings)
    try:
        gaps = engine.coverage_gaps()
    finally:
        engine.close()
    print(gaps.model_dump_json(indent=2) if options.json_output else format_gaps(gaps))
    return 0


def run(options: Options, settings: Settings) -> int:
    match options:
        case IngestOptions():
            return ingest(options, settings)
        case AskOptions():
            return ask(options, settings)
        case SearchOptions():
            return search(options, settings)
        case StatsOptions():
            return stats(options, settings)
        case EvalOptions():
            return evaluate(options, settings)
        case BenchOptions():
            return bench(options, settings)
        case ServeOptions():
            return serve(options, settings)
        case ReportOptions():
            return report(options, settings)
    raise AssertionError(f"no command for {type(options).__name__}")
