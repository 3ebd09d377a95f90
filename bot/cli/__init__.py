"""The `newsbot` command line: ingest, ask, search, stats, eval, bench, serve."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from index import UserError

from ..settings import Settings
from .commands import run
from .options import Options, parse
from .render import printable

log = logging.getLogger("newsbot")


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


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    logging.basicConfig(
        level=logging.DEBUG if options.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return run(options, settings_for(options))
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
