"""The `newsbot` command line: ingest, ask, search, stats, eval, bench, serve."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from index import UserError

from ..settings import Settings
from .commands import run
from .options import parse

log = logging.getLogger("newsbot")


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    logging.basicConfig(
        level=logging.DEBUG if options.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings(index_dir=options.index_dir) if options.index_dir else Settings()
        return run(options, settings)
    except UserError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("newsbot %s failed", options.command)
        print(f"newsbot: {options.command} failed unexpectedly; see the log above.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
