"""The command line, parsed into one typed options object per command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

DEFAULT_GOLD = Path("tests/gold/questions.jsonl")
DEFAULT_CORPUS = Path("corpus")


class Options(BaseModel):
    """What every command takes."""

    model_config = ConfigDict(frozen=True)
    command: ClassVar[str]

    index_dir: Path | None = None
    verbose: bool = False


class IngestOptions(Options):
    command = "ingest"
    paths: list[Path] = []
    rebuild: bool = False
    quiet: bool = False
    feeds: list[str] = []
    configured_feeds: bool = False


class AskOptions(Options):
    command = "ask"
    question: str | None = None
    json_output: bool = False
    internal: bool = False


class SearchOptions(Options):
    command = "search"
    query: str
    limit: int = 10
    json_output: bool = False
    internal: bool = False


class StatsOptions(Options):
    command = "stats"
    json_output: bool = False


class EvalOptions(Options):
    command = "eval"
    gold: Path = DEFAULT_GOLD
    corpus: Path = DEFAULT_CORPUS
    squad: Path | None = None
    rtqa: Path | None = None
    limit: int | None = None
    json_output: bool = False


class BenchOptions(Options):
    command = "bench"
    sizes: str | None = None
    quick: bool = False
    backends: str | None = None
    questions: int | None = None
    e2e_max: str | None = None
    out: Path = Path("docs")
    squad: Path | None = None
    corpus: Path = DEFAULT_CORPUS
    work_dir: Path | None = None

    def command_line(self) -> str:
        """The command as a reader would retype it (for the report)."""
        given = (("sizes", self.sizes), ("backends", self.backends), ("questions", self.questions))
        flags = "".join(f" --{name} {value}" for name, value in given if value)
        return "newsbot bench" + flags + (" --quick" if self.quick else "")


class ServeOptions(Options):
    command = "serve"


class ReportOptions(Options):
    command = "report"
    json_output: bool = False


_COMMANDS: dict[str, type[Options]] = {
    c.command: c
    for c in (
        IngestOptions,
        AskOptions,
        SearchOptions,
        StatsOptions,
        EvalOptions,
        BenchOptions,
        ServeOptions,
        ReportOptions,
    )
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="The `newsbot` command line: ingest, ask, search, stats, eval, bench, serve, report.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", type=Path, help="index directory (default: NEWSBOT_INDEX_DIR)")
    common.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="add, update and remove articles")
    p.add_argument("paths", nargs="*", type=Path, help="folders or files (default: corpus/)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--feed",
        dest="feeds",
        action="append",
        default=[],
        metavar="URL",
        help="also refresh this RSS/Atom feed or XML sitemap (repeatable); with no PATH, only feeds",
    )
    p.add_argument(
        "--feeds",
        dest="configured_feeds",
        action="store_true",
        help="also refresh every feed in NEWSBOT_FEEDS",
    )

    p = sub.add_parser("ask", parents=[common], help="answer a question with citations")
    p.add_argument("question", nargs="?", help="the question; with --json and none, read stdin")
    p.add_argument(
        "--json", dest="json_output", action="store_true", help="print JSON (JSONL when reading stdin)"
    )
    p.add_argument("--internal", action="store_true", help="also cite internal articles")

    p = sub.add_parser("search", parents=[common], help="find articles")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", dest="json_output", action="store_true")
    p.add_argument("--internal", action="store_true", help="include internal articles")

    p = sub.add_parser("stats", parents=[common], help="counts of the index")
    p.add_argument("--json", dest="json_output", action="store_true")

    p = sub.add_parser("eval", parents=[common], help="measure answers against a gold set")
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--squad", type=Path, help="a SQuAD 2.0 JSON file to evaluate instead")
    p.add_argument(
        "--rtqa", type=Path, help="a RealTimeQA development set folder (archive/, questions.jsonl) instead"
    )
    p.add_argument("--limit", type=int, help="evaluate only the first N questions")
    p.add_argument("--json", dest="json_output", action="store_true")

    p = sub.add_parser(
        "bench", parents=[common], help="measure ingest, question latency, recall and memory by archive size"
    )
    p.add_argument("--sizes", help="chunk counts, e.g. 1k,10k,100k,1m (the default; --quick: 1k,10k)")
    p.add_argument(
        "--quick", action="store_true", help="a few minutes: small sizes, torch and the default backend"
    )
    p.add_argument("--backends", help="comma-separated encoder backends to compare (default: all)")
    p.add_argument("--questions", type=int, help="questions timed at each size (default 100; --quick 30)")
    p.add_argument(
        "--e2e-max",
        help="largest size built as a full archive; larger ones time encode + FAISS only (default 1m)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("docs"), help="where bench.md, bench.json and bench.png go"
    )
    p.add_argument("--squad", type=Path, help="SQuAD 2.0 JSON for real text (default ../shared/data/...)")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument(
        "--work-dir", type=Path, help="where the temporary archives are built (default: the system's temp)"
    )

    sub.add_parser("serve", parents=[common], help="run the Discord bot")

    p = sub.add_parser(
        "report",
        parents=[common],
        help="coverage gaps: the topics asked about that the archive cannot answer",
    )
    p.add_argument("--json", dest="json_output", action="store_true")
    return parser


def parse(argv: Sequence[str] | None = None) -> Options:
    values = vars(build_parser().parse_args(argv))
    return _COMMANDS[values.pop("command")](**values)
