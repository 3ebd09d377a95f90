"""The command line, parsed into one typed options object per command."""

from __future__ import annotations

import argparse
import datetime as dt
import textwrap
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from ..settings import default_index_dir

DEFAULT_GOLD = Path("tests/gold/questions.jsonl")
DEFAULT_CORPUS = Path("corpus")


class Options(BaseModel):
    """What every command takes."""

    model_config = ConfigDict(frozen=True)
    command: ClassVar[str]

    index_dir: Path | None = None
    verbose: int = 0  # -v: this program's debug log; -vv: the libraries' too


class IngestOptions(Options):
    command = "ingest"
    paths: list[Path] = []
    rebuild: bool = False
    quiet: bool = False
    feeds: list[str] = []
    configured_feeds: bool = False


class FilterOptions(BaseModel):
    """The articles an answer may come from (index.ArticleFilter): `ask`, `chat` and `search` take
    them."""

    outlet: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


class AskOptions(Options, FilterOptions):
    command = "ask"
    question: str | None = None
    json_output: bool = False
    internal: bool = False
    as_of: dt.date | None = None
    explain: bool = False


class ChatOptions(Options, FilterOptions):
    command = "chat"
    internal: bool = False
    as_of: dt.date | None = None
    explain: bool = False


class SearchOptions(Options, FilterOptions):
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
    depths: str | None = None
    json_output: bool = False


class CalibrateOptions(Options):
    command = "calibrate"
    squad: Path | None = None
    rtqa: Path | None = None
    limit: int | None = None
    wrong_cost: float = 1.0
    out: Path | None = None
    examples: Path | None = None


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
    archive: str | None = None
    archive_data: Path | None = None

    def command_line(self) -> str:
        """The command as a reader would retype it (for the report)."""
        given = (
            ("sizes", self.sizes),
            ("backends", self.backends),
            ("questions", self.questions),
            ("archive", self.archive),
            ("archive-data", self.archive_data),
        )
        flags = "".join(f" --{name} {value}" for name, value in given if value)
        return "newsbot bench" + flags + (" --quick" if self.quick else "")


class ServeOptions(Options):
    command = "serve"


class ReportOptions(Options):
    command = "report"
    json_output: bool = False


class FiguresOptions(Options):
    command = "figures"
    topic: str
    json_output: bool = False
    internal: bool = False
    plot: Path | None = None


class ExportOptions(Options):
    command = "export"
    path: Path
    json_output: bool = False


class ImportOptions(Options):
    command = "import"
    path: Path
    json_output: bool = False


class TimelineOptions(Options):
    command = "timeline"
    topic: str
    limit: int | None = None
    json_output: bool = False
    internal: bool = False


_COMMANDS: dict[str, type[Options]] = {
    c.command: c
    for c in (
        IngestOptions,
        AskOptions,
        ChatOptions,
        SearchOptions,
        StatsOptions,
        EvalOptions,
        CalibrateOptions,
        BenchOptions,
        ServeOptions,
        ReportOptions,
        FiguresOptions,
        ExportOptions,
        ImportOptions,
        TimelineOptions,
    )
}


class _Formatter(argparse.HelpFormatter):
    """Help wrapped at spaces only: a path or a URL in it stays whole, to be copied."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_long_words=False, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs):
        super().__init__(**{"formatter_class": _Formatter, **kwargs})


def _count(text: str) -> int:
    """A whole number of at least 1 (how many hits, questions)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _filter_flags(
    parser: argparse.ArgumentParser, outlet_help: str = "answer only from this outlet's articles"
) -> None:
    parser.add_argument("--outlet", help=f"{outlet_help} (any case)")
    parser.add_argument("--since", type=_day, help="YYYY-MM-DD: only articles published on this day or later")
    parser.add_argument(
        "--until", type=_day, help="YYYY-MM-DD: only articles published on this day or earlier"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newsbot",
        description="Answers questions from a news archive, quoting the sentences it relies on.",
    )
    parser.add_argument("--version", action="version", version=f"newsbot {version('newsbot')}")
    common = _Parser(add_help=False)
    common.add_argument(
        "--index-dir",
        type=Path,
        help=f"the index folder (default: NEWSBOT_INDEX_DIR, else {default_index_dir()})",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log newsbot's debug details; -vv also the libraries'",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("ingest", parents=[common], help="add, update and remove articles")
    p.add_argument("paths", nargs="*", type=Path, help="folders or files (default: corpus/)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or progress lines")
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
    p.add_argument("question", nargs="?", help="the question; without one, one question a line from stdin")
    p.add_argument(
        "--json",
        dest="json_output",
        action="store_true",
        help='print JSON (JSONL when reading stdin, where a line may be {"question", "as_of", "previous", '
        '"outlet", "since", "until"})',
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="also show how the question was read and why each candidate sentence was or was not chosen",
    )
    p.add_argument("--internal", action="store_true", help="also cite internal articles")
    p.add_argument(
        "--as-of",
        type=_day,
        help="YYYY-MM-DD: read 'this week', 'last year' against this day instead of today",
    )
    _filter_flags(p)

    p = sub.add_parser(
        "chat",
        parents=[common],
        help="ask one question after another; a follow-up ('and in 2022?') is read against the one before",
    )
    p.add_argument("--internal", action="store_true", help="also cite internal articles")
    p.add_argument("--as-of", type=_day, help="YYYY-MM-DD: the day relative periods are read against")
    p.add_argument("--explain", action="store_true", help="explain each answer (see ask --explain)")
    _filter_flags(p)

    p = sub.add_parser("search", parents=[common], help="find articles")
    p.add_argument("query", help="words to look for")
    p.add_argument("--limit", type=_count, default=10, help="most articles listed (default 10)")
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")
    p.add_argument("--internal", action="store_true", help="include internal articles")
    _filter_flags(p, outlet_help="list only this outlet's articles")

    p = sub.add_parser("stats", parents=[common], help="counts of the index")
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")

    p = sub.add_parser("eval", parents=[common], help="measure answers against a gold set")
    p.add_argument(
        "--gold", type=Path, default=DEFAULT_GOLD, help=f"the questions, JSONL (default {DEFAULT_GOLD})"
    )
    p.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"the articles the gold questions are about (default {DEFAULT_CORPUS}/)",
    )
    p.add_argument("--squad", type=Path, help="a SQuAD 2.0 JSON file to evaluate instead")
    p.add_argument(
        "--rtqa", type=Path, help="a RealTimeQA development set folder (archive/, questions.jsonl) instead"
    )
    p.add_argument("--limit", type=_count, help="evaluate only the first N questions")
    p.add_argument("--depths", help="rerank depths to compare, e.g. 4,8,12,20 (the engine alone, timed)")
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")

    p = sub.add_parser(
        "calibrate",
        parents=[common],
        help="fit the answer model and the abstention threshold on development data",
    )
    p.add_argument("--squad", type=Path, help="a SQuAD 2.0 JSON file")
    p.add_argument("--rtqa", type=Path, help="a RealTimeQA development set folder")
    p.add_argument("--limit", type=_count, help="only the first N questions of each set")
    p.add_argument(
        "--wrong-cost",
        type=float,
        default=1.0,
        help="how many right answers one wrong answer cancels (an abstention counts 0; default 1: "
        "answer where right is at least as likely as wrong)",
    )
    p.add_argument("--out", type=Path, help="also write the result (JSON) here")
    p.add_argument(
        "--examples", type=Path, help="save the collected examples here; alone, fit again from a saved file"
    )

    p = sub.add_parser(
        "bench", parents=[common], help="measure ingest, question latency, recall and memory by archive size"
    )
    p.add_argument("--sizes", help="chunk counts, e.g. 1k,10k,100k,1m (the default; --quick: 1k,10k)")
    p.add_argument(
        "--quick", action="store_true", help="a few minutes: small sizes, torch and the default backend"
    )
    p.add_argument("--backends", help="comma-separated encoder backends to compare (default: all)")
    p.add_argument("--questions", type=_count, help="questions timed at each size (default 100; --quick 30)")
    p.add_argument(
        "--e2e-max",
        help="largest size built as a full archive; larger ones time encode + FAISS only (default 1m)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("docs"), help="where bench.md, bench.json and bench.png go"
    )
    p.add_argument("--squad", type=Path, help="SQuAD 2.0 JSON for real text (default ../shared/data/...)")
    p.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"real articles the archives grow from (default {DEFAULT_CORPUS}/)",
    )
    p.add_argument(
        "--work-dir", type=Path, help="where the temporary archives are built (default: the system's temp)"
    )
    p.add_argument(
        "--archive",
        metavar="URL",
        help="also grow each size in a Milvus server (milvus://host:port, token from "
        "NEWSBOT_ARCHIVE_TOKEN), in collections of its own dropped at the end, and measure it beside "
        "the embedded archive",
    )
    p.add_argument(
        "--archive-data",
        type=Path,
        metavar="DIR",
        help="the --archive server's data folder, when it runs on this machine: weighs its bytes per chunk",
    )

    sub.add_parser("serve", parents=[common], help="run the Discord bot")

    p = sub.add_parser(
        "report",
        parents=[common],
        help="coverage gaps: the topics asked about that the archive cannot answer",
    )
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")

    p = sub.add_parser(
        "figures", parents=[common], help="every figure the archive gives about a topic, by period"
    )
    p.add_argument("topic", help='what is counted, e.g. "carjackings"')
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")
    p.add_argument("--internal", action="store_true", help="also cite internal articles")
    p.add_argument(
        "--plot", type=Path, metavar="FILE.png", help="also draw the figures over time into this PNG"
    )

    p = sub.add_parser(
        "export",
        parents=[common],
        help="write the archive to a file (articles, their vectors, feedback) for `newsbot import`",
    )
    p.add_argument("path", type=Path, help="the file to write (JSONL; gzip when it ends in .gz)")
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")

    p = sub.add_parser(
        "import",
        parents=[common],
        help="add the articles of an export without embedding them again, and check the copy",
    )
    p.add_argument("path", type=Path, help="a file written by `newsbot export`")
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")

    p = sub.add_parser(
        "timeline",
        parents=[common],
        help="the dated events the archive reports about a topic, in the order they happened",
    )
    p.add_argument("topic", help="what the events are about, e.g. 'shootings of police officers'")
    p.add_argument("--limit", type=_count, help="list only the N events most about the topic (in date order)")
    p.add_argument("--json", dest="json_output", action="store_true", help="print JSON")
    p.add_argument("--internal", action="store_true", help="also cite internal articles")
    return parser


def parse(argv: Sequence[str] | None = None) -> Options:
    """The options of the command asked for; with no command, the help, as `-h` prints it."""
    parser = build_parser()
    values = vars(parser.parse_args(argv))
    command = values.pop("command")
    if command is None:
        parser.print_help()
        parser.exit()
    return _COMMANDS[command](**values)
