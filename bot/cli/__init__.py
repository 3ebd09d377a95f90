"""The `newsbot` command line: ingest, ask, search, stats, eval, bench, serve."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from index import UserError

from ..settings import Settings
from .commands import run
from .options import Options, parse
from .render import printable

log = logging.getLogger("newsbot")
# This program's loggers: -v shows their debug lines, -vv every library's too.
OWN_LOGGERS = ("newsbot", "index", "bot")
# What a shell reports for a program stopped by SIGPIPE (128 + 13), as `yes | head` gives.
EXIT_BROKEN_PIPE = 141


def settings_for(options: Options) -> Settings:
    """The settings from the environment and `.env`; an invalid one is a UserError naming it
    (never its value: it may be the token)."""
    try:
        return Settings(index_dir=options.index_dir) if options.index_dir else Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"NEWSBOT_{str(error['loc'][0]).upper() if error['loc'] else '?'}: {error['msg']}"
            for error in exc.errors()
        )
        raise UserError(
            f"Invalid setting ({problems}); fix it in the environment or .env (.env.example explains each)."
        ) from None


def configure_logging(verbosity: int) -> None:
    """Warnings and errors only; -v adds newsbot's debug lines (not faiss's CPU probing or other
    libraries' chatter), -vv everyone's."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity >= 1 else logging.NOTSET)


def _quiet_stdout() -> None:
    """Whoever read the output stopped (`| head`): what is still buffered goes nowhere, so that
    flushing at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    configure_logging(options.verbose)
    try:
        code = run(options, settings_for(options))
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except UserError as exc:
        print(printable(f"newsbot: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("newsbot %s failed", options.command)
        print(f"newsbot: {options.command} failed unexpectedly; see the log above.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
