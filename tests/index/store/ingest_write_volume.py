"""How many bytes an ingest writes: N articles of real text (two consecutive SQuAD paragraphs
each, from the shared data beside the repository: text nobody here wrote, never copied into
it) into a new index, then the same files again (nothing changed).

    python tests/index/store/ingest_write_volume.py [--articles 1000] [--batch 64]

Bytes are read from /proc/self/io around each ingest alone (Linux): `wchar`, what the process
handed to write calls, and `write_bytes`, what reached the storage layer, less what was cancelled
(files deleted before they were flushed). The HashingEncoder stands in for the model: it makes
vectors of the same 384 dimensions, which is what the store writes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from index import Engine, EngineParams, IngestParams  # noqa: E402
from tests.fixtures.encoder import HashingEncoder  # noqa: E402
from tests.fixtures.squad import squad_paragraphs  # noqa: E402


def written() -> dict[str, int]:
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return {
        "wchar": int(fields["wchar"]),
        "storage": int(fields["write_bytes"]) - int(fields["cancelled_write_bytes"]),
    }


def write_corpus(folder: Path, articles: int) -> None:
    paragraphs = [p["context"] for p in squad_paragraphs()]
    for n in range(articles):
        text = paragraphs[n % len(paragraphs)] + "\n\n" + paragraphs[(n + 1) % len(paragraphs)]
        (folder / f"article-{n:05d}.md").write_text(
            f"---\ntitle: Article {n}\nurl: https://squad.example/{n}\n---\n{text}\n", encoding="utf-8"
        )


def files_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def measure(articles: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        corpus, index = Path(work) / "corpus", Path(work) / "index"
        corpus.mkdir()
        write_corpus(corpus, articles)
        params = EngineParams(ingest=IngestParams(batch_articles=batch))
        engine = Engine.open(index, HashingEncoder(), create=True, params=params)
        try:
            for label in ("first ingest", "same files again"):
                before = written()
                report = engine.ingest([corpus])
                after = written()
                print(
                    f"{label}: added {len(report.added)}, unchanged {report.unchanged}; "
                    f"wchar {after['wchar'] - before['wchar']:,} B, "
                    f"to storage {after['storage'] - before['storage']:,} B"
                )
            stats = engine.stats()
        finally:
            engine.close()
        print(f"index: {files_bytes(index):,} B on disk, {stats.articles} articles, {stats.chunks} chunks")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=IngestParams().batch_articles)
    options = parser.parse_args()
    measure(options.articles, options.batch)
