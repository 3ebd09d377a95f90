"""A full disk, for real (a small tmpfs, tests/index/store/small_disk.py): a rebuild that runs out
of room stops with one line, deletes its unfinished build and leaves the archive answering; a
disk with no byte left is reported as full, never as a damaged index."""

from __future__ import annotations

from pathlib import Path

from tests.index.store.small_disk import on_small_disk

REBUILD_ON_A_SMALL_DISK = """
index, small, big = args
QUESTION = "how many potholes did the city count on Street 1 in 2021?"
results = {"ingest": newsbot("ingest", "-q", "--index-dir", index, small)}
results["rebuild"] = newsbot("ingest", "-q", "--rebuild", "--index-dir", index, big)
results["left"] = sorted(p.name for p in index.iterdir())
results["ask"] = newsbot("ask", "--index-dir", index, QUESTION)
fill(index.parent)
results["full"] = [newsbot("stats", "--index-dir", index), newsbot("ask", "--index-dir", index, QUESTION)]
print(json.dumps(results))
"""


def write_corpus(folder: Path, articles: int) -> Path:
    folder.mkdir()
    for n in range(articles):
        sentences = " ".join(
            f"In 2021, the city counted {n * 7 + k:,} potholes on Street {n}, district {k} said."
            for k in range(8)
        )
        (folder / f"story-{n}.md").write_text(f"---\nurl: https://disk.example/{n}\n---\n{sentences}\n")
    return folder


def test_a_rebuild_that_runs_out_of_disk_stops_cleanly_and_the_archive_answers(tmp_path):
    small, big = write_corpus(tmp_path / "small", 3), write_corpus(tmp_path / "big", 1500)
    disk = tmp_path / "disk"
    results, log = on_small_disk(disk, 3072, 256 << 10, REBUILD_ON_A_SMALL_DISK, disk / "index", small, big)

    assert results["ingest"]["code"] == 0, results
    rebuild = results["rebuild"]
    assert rebuild["code"] != 0 and rebuild["err"].count("\n") == 1, rebuild
    assert "free some space" in rebuild["err"] and "damaged" not in rebuild["err"]
    assert [n for n in results["left"] if n.startswith("build-")] == ["build-000001"], "no half build"
    assert results["ask"]["code"] == 0 and "Street 1" in results["ask"]["out"], results["ask"]
    for full in results["full"]:  # not one byte free: cannot even open, and says why
        assert full["code"] != 0 and full["err"].count("\n") == 1, full
        assert "is full" in full["err"] and "damaged" not in full["err"]
    assert "Traceback" not in log
