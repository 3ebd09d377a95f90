"""What each `newsbot` command does, over the public engine API."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path

from pydantic import ConfigDict, ValidationError

from index import (
    Answer,
    ArticleFilter,
    BadQuestionError,
    Encoder,
    Engine,
    EngineParams,
    IndexMissingError,
    IngestReport,
    Reranker,
    UserError,
    http_client,
    load_encoder,
    load_reranker,
)
from index.ingest.pipeline import check_paths
from index.ingest.progress import IngestProgress

from ..engines import archive_shown, check_exists, embedded_missing, open_engine, refuse_remote_rebuild
from ..settings import Settings
from .chat import converse, with_history
from .options import (
    DEFAULT_CORPUS,
    AskOptions,
    BenchOptions,
    CalibrateOptions,
    ChatOptions,
    EvalOptions,
    ExportOptions,
    FiguresOptions,
    FilterOptions,
    ImportOptions,
    IngestOptions,
    Options,
    ReportOptions,
    SearchOptions,
    ServeOptions,
    StatsOptions,
    TimelineOptions,
)
from .progress import ProgressLines, TerminalBar
from .render import (
    answer_json,
    figures_json,
    format_answer,
    format_export,
    format_figures,
    format_gaps,
    format_hits,
    format_import,
    format_ingest,
    format_refresh,
    format_stats,
    format_timeline,
    hit_json,
    printable,
    timeline_json,
)

log = logging.getLogger(__name__)

# The engine's knobs are its defaults (index/params.py says what set each); built once here.
PARAMS = EngineParams()


def _encoder(settings: Settings) -> Encoder:
    encoder = load_encoder(settings.model_path, settings.encoder_backend)
    log.debug("model %s on %s", encoder.name, encoder.describe())
    return encoder


def _reranker(settings: Settings) -> Reranker:
    rerank = PARAMS.answer.rerank
    return load_reranker(settings.reranker_path, max_tokens=rerank.max_tokens, threads=rerank.threads)


def _engine(settings: Settings, *, reranking: bool = True) -> Engine:
    """The engine on the archive; without `reranking`, for what ranks no answers (the report)."""
    check_exists(settings)  # before the model loads: a missing index is reported at once
    reranker = _reranker(settings) if reranking else None
    return open_engine(settings, _encoder(settings), PARAMS, reranker=reranker)


def _progress(options: IngestOptions) -> IngestProgress | None:
    if options.quiet:
        return None
    if sys.stderr.isatty():
        return TerminalBar()
    return ProgressLines(sys.stderr, PARAMS.ingest.progress_seconds)


def _unchanged(settings: Settings, paths: list[Path]) -> IngestReport | None:
    """The report of an ingest that would change nothing, found without loading the model."""
    if embedded_missing(settings):
        return None
    try:
        engine = open_engine(settings, None, PARAMS)
    except IndexMissingError:
        return None
    try:
        return engine.unchanged(paths)
    finally:
        engine.close()


def feeds_of(options: IngestOptions, settings: Settings) -> list[str]:
    """The feeds an ingest refreshes: those given with --feed, and with --feeds the configured."""
    if options.configured_feeds and not settings.feeds:
        raise UserError(
            "--feeds refreshes the feeds in NEWSBOT_FEEDS, which is empty: set it, or use --feed URL."
        )
    return [*options.feeds, *(settings.feeds if options.configured_feeds else [])]


def ingest(options: IngestOptions, settings: Settings) -> int:
    feeds = feeds_of(options, settings)
    # Only feeds given: no folder is ingested (a rebuild starts from the uploads alone).
    paths = options.paths or ([] if feeds else [DEFAULT_CORPUS])
    if not options.paths and not feeds and not DEFAULT_CORPUS.exists():
        raise UserError(
            f"No {DEFAULT_CORPUS}/ folder in {Path.cwd()}: give the folders or files to ingest "
            f"(newsbot ingest PATH ...), or run it where {DEFAULT_CORPUS}/ is."
        )
    check_paths(paths)  # before an index is made or a model loaded
    report = None if options.rebuild or not paths else _unchanged(settings, paths)
    if report is not None:
        print(format_ingest(report, archive_shown(settings)))
        if not feeds:
            return 0
    if options.rebuild:
        refuse_remote_rebuild(settings)
    encoder = _encoder(settings)
    if options.rebuild:
        report = Engine.rebuild(
            settings.index_dir, encoder, paths, params=PARAMS, progress=_progress(options)
        )
        print(format_ingest(report, archive_shown(settings)))
        if not feeds:
            return 0
    engine = open_engine(settings, encoder, PARAMS, create=True)
    try:
        if paths and report is None:
            print(format_ingest(engine.ingest(paths, progress=_progress(options)), archive_shown(settings)))
        if feeds:
            with http_client(PARAMS.feeds) as client:
                print(format_refresh(engine.refresh(feeds, client, progress=_progress(options))))
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


def article_filter(given: FilterOptions) -> ArticleFilter:
    return ArticleFilter(outlet=given.outlet, since=given.since, until=given.until)


class QuestionLine(FilterOptions):
    """A line of `ask --json` input given as an object rather than a bare question; its filters
    (outlet, since, until) replace those of the command line, each on its own."""

    model_config = ConfigDict(extra="forbid")

    question: str
    as_of: dt.date | None = None  # the day relative periods are read against
    previous: str | None = None  # the question a follow-up refers to

    def filters(self, options: FilterOptions) -> ArticleFilter:
        return ArticleFilter(
            outlet=self.outlet if self.outlet is not None else options.outlet,
            since=self.since or options.since,
            until=self.until or options.until,
        )


def question_line(raw: bytes) -> QuestionLine:
    """A JSONL input line: a bare question, or an object {"question", "as_of", "previous",
    "outlet", "since", "until"}."""
    text = question_text(raw).strip()
    if not text.startswith("{"):
        return QuestionLine(question=text)
    try:
        return QuestionLine.model_validate_json(text)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "the line"
        raise BadQuestionError(
            f'{where}: {problem["msg"]} (a line is a question, or an object with "question" and '
            'optionally "as_of", "since", "until" (YYYY-MM-DD), "previous" and "outlet")'
        ) from None


def _answer_line(engine: Engine, raw: bytes, options: AskOptions) -> Answer | str:
    """The answer to one line of standard input, or the error a user can act on."""
    try:
        line = question_line(raw)
        return engine.ask(
            line.question,
            include_internal=options.internal,
            previous=line.previous,
            as_of=line.as_of or options.as_of,
            explain=options.explain,
            filters=line.filters(options),
        )
    except UserError as exc:
        return str(exc)


def _ask_each_line(engine: Engine, options: AskOptions) -> None:
    """One answer per line of standard input, blank lines included (as an error), so that
    answer N is line N; JSONL with --json, else each question and its answer as text. No line
    at all is an error: a question was meant to come."""
    asked = 0
    for raw in sys.stdin.buffer:
        asked += 1
        shown = raw.decode("utf-8", "backslashreplace").strip()
        result = _answer_line(engine, raw, options)
        if options.json_output:
            out = answer_json(result) if isinstance(result, Answer) else {"question": shown, "error": result}
            print(json.dumps(out), flush=True)
        else:
            text = format_answer(result) if isinstance(result, Answer) else f"newsbot: {result}"
            print(printable(f"> {shown}\n{text}\n"), flush=True)
    if not asked:
        raise BadQuestionError('No questions on standard input: give one (newsbot ask "...") or a line each.')


def ask(options: AskOptions, settings: Settings) -> int:
    if options.question is None and sys.stdin.isatty():
        raise UserError(
            'Give a question (newsbot ask "..."), or questions one a line on standard input '
            "(newsbot ask < questions.txt); newsbot chat takes one after another, with follow-ups."
        )
    # Python hands over argument bytes that are not UTF-8 as stand-ins; os.fsencode restores them.
    question = None if options.question is None else question_text(os.fsencode(options.question))
    engine = _engine(settings)
    try:
        if question is None:
            _ask_each_line(engine, options)
            return 0
        answer = engine.ask(
            question,
            include_internal=options.internal,
            as_of=options.as_of,
            explain=options.explain,
            filters=article_filter(options),
        )
    finally:
        engine.close()
    print(json.dumps(answer_json(answer), indent=2) if options.json_output else format_answer(answer))
    return 0


def chat(options: ChatOptions, settings: Settings) -> int:
    engine = _engine(settings)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()

    def ask_one(question: str, previous: str | None) -> Answer:
        return engine.ask(
            question,
            include_internal=options.internal,
            previous=previous,
            as_of=options.as_of,
            explain=options.explain,
            filters=article_filter(options),
        )

    def read() -> str:
        return input("? " if interactive else "")

    def show(text: str) -> None:
        print(text, flush=True)

    def talk() -> None:
        if interactive:
            print('Ask away; follow-ups ("and in 2022?") are read against the question before. Ctrl-D ends.')
        converse(ask_one, read, show, format_answer)

    try:
        if interactive:
            with_history(talk)
        else:
            talk()
    finally:
        engine.close()
    return 0


def search(options: SearchOptions, settings: Settings) -> int:
    engine = _engine(settings)
    try:
        hits = engine.search(
            options.query,
            include_internal=options.internal,
            limit=options.limit,
            filters=article_filter(options),
        )
    finally:
        engine.close()
    print(json.dumps([hit_json(h) for h in hits], indent=2) if options.json_output else format_hits(hits))
    return 0


def stats(options: StatsOptions, settings: Settings) -> int:
    engine = open_engine(settings, None, PARAMS)
    try:
        counted = engine.stats()
    finally:
        engine.close()
    print(counted.model_dump_json(indent=2) if options.json_output else format_stats(counted))
    return 0


def evaluate(options: EvalOptions, settings: Settings) -> int:
    from ..tools.evaluation.run import depth_curve, evaluate_set, markdown_table

    encoder, reranker = _encoder(settings), _reranker(settings)
    failures: list[str] = []
    if options.depths:
        try:
            depths = [int(d) for d in options.depths.split(",") if d.strip()]
        except ValueError:
            raise UserError(
                f"--depths takes whole numbers, e.g. 4,8,12,20 (not {options.depths!r})"
            ) from None
        rows = depth_curve(
            encoder,
            reranker,
            depths=depths,
            gold=options.gold,
            corpus=options.corpus,
            squad=options.squad,
            rtqa=options.rtqa,
            limit=options.limit,
            params=PARAMS,
        )
    else:
        rows, failures = evaluate_set(
            encoder,
            reranker,
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


def calibrate(options: CalibrateOptions, settings: Settings) -> int:
    from ..tools.evaluation.calibration import collect_sets, fit, load_examples, report, save_examples

    if options.examples and options.examples.exists() and not (options.squad or options.rtqa):
        sets = load_examples(options.examples)
    elif options.squad or options.rtqa:
        sets = collect_sets(
            _encoder(settings),
            _reranker(settings),
            squad=options.squad,
            rtqa=options.rtqa,
            limit=options.limit,
            params=PARAMS,
        )
        if options.examples:
            save_examples(sets, options.examples)
    else:
        raise UserError(
            "Give development data (--squad FILE and/or --rtqa FOLDER; never the gold set), or "
            "--examples FILE saved by an earlier run."
        )
    result = fit(sets, wrong_cost=options.wrong_cost)
    text = json.dumps(report(result, options.wrong_cost), indent=2)
    if options.out:
        options.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def bench(options: BenchOptions, settings: Settings) -> int:
    from ..tools.bench.run import run_bench

    try:
        return run_bench(options, PARAMS, archive_token=settings.archive_token.get_secret_value())
    except ValueError as exc:
        raise UserError(str(exc)) from None


def serve(options: ServeOptions, settings: Settings) -> int:
    from ..discord_bot.app import run_bot

    return run_bot(settings, lambda: _encoder(settings), lambda: _reranker(settings), params=PARAMS)


def report(options: ReportOptions, settings: Settings) -> int:
    engine = _engine(settings, reranking=False)
    try:
        gaps = engine.coverage_gaps()
    finally:
        engine.close()
    print(gaps.model_dump_json(indent=2) if options.json_output else format_gaps(gaps))
    return 0


def figures(options: FiguresOptions, settings: Settings) -> int:
    engine = _engine(settings, reranking=False)
    try:
        found = engine.figures(options.topic, include_internal=options.internal)
    finally:
        engine.close()
    if options.plot:
        from ..charts import figure_chart

        try:
            options.plot.write_bytes(figure_chart(found))
        except OSError as exc:
            raise UserError(f"Cannot write the chart to {options.plot}: {exc.strerror}.") from None
    print(json.dumps(figures_json(found), indent=2) if options.json_output else format_figures(found))
    return 0


def export(options: ExportOptions, settings: Settings) -> int:
    engine = _engine(settings, reranking=False)
    try:
        written = engine.export_archive(options.path)
    finally:
        engine.close()
    print(written.model_dump_json(indent=2) if options.json_output else format_export(written))
    return 0


def import_export(options: ImportOptions, settings: Settings) -> int:
    """Exit status 1 when the copy cannot be verified (see ImportReport.verified)."""
    if not options.path.is_file():  # before an index is made or a model loaded
        raise UserError(f"No such file: {options.path}.")
    engine = open_engine(settings, _encoder(settings), PARAMS, create=True)
    try:
        done = engine.import_archive(options.path)
    finally:
        engine.close()
    print(
        done.model_dump_json(indent=2)
        if options.json_output
        else format_import(done, archive_shown(settings))
    )
    return 0 if done.verified else 1


def timeline(options: TimelineOptions, settings: Settings) -> int:
    engine = _engine(settings, reranking=False)
    try:
        found = engine.timeline(options.topic, include_internal=options.internal, limit=options.limit)
    finally:
        engine.close()
    print(json.dumps(timeline_json(found), indent=2) if options.json_output else format_timeline(found))
    return 0


def run(options: Options, settings: Settings) -> int:
    match options:
        case IngestOptions():
            return ingest(options, settings)
        case AskOptions():
            return ask(options, settings)
        case ChatOptions():
            return chat(options, settings)
        case SearchOptions():
            return search(options, settings)
        case StatsOptions():
            return stats(options, settings)
        case EvalOptions():
            return evaluate(options, settings)
        case CalibrateOptions():
            return calibrate(options, settings)
        case BenchOptions():
            return bench(options, settings)
        case ServeOptions():
            return serve(options, settings)
        case ReportOptions():
            return report(options, settings)
        case FiguresOptions():
            return figures(options, settings)
        case ExportOptions():
            return export(options, settings)
        case ImportOptions():
            return import_export(options, settings)
        case TimelineOptions():
            return timeline(options, settings)
    raise AssertionError(f"no command for {type(options).__name__}")
