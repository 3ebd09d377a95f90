"""`newsbot export FILE` and `newsbot import FILE` as a shell runs them."""

from __future__ import annotations

import json


def test_export_then_import_copies_the_archive_and_says_it_is_verified(newsbot, tmp_path, newsroom_corpus):
    source, copy, file = tmp_path / "index", tmp_path / "copy", tmp_path / "archive.jsonl.gz"
    assert newsbot("ingest", "--index-dir", source, newsroom_corpus).returncode == 0

    exported = newsbot("export", "--index-dir", source, file)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("exported 3 articles (") and str(file) in exported.stdout

    imported = newsbot("import", "--index-dir", copy, file)
    assert imported.returncode == 0, imported.stderr
    assert "added 3, updated 0" in imported.stdout
    assert "0 texts embedded again" in imported.stdout and "\nverified\n" in imported.stdout

    asked = [
        json.loads(newsbot("ask", "--index-dir", d, "--json", "how many carjackings in 2021?").stdout)
        for d in (source, copy)
    ]
    assert asked[0] == asked[1] and not asked[0]["abstained"]


def test_an_import_that_cannot_be_verified_exits_1(newsbot, tmp_path, newsroom_corpus):
    source, file = tmp_path / "index", tmp_path / "archive.jsonl"
    assert newsbot("ingest", "--index-dir", source, newsroom_corpus).returncode == 0
    assert newsbot("export", "--index-dir", source, file).returncode == 0
    lines = [json.loads(line) for line in file.read_text().splitlines()]
    for line in lines:
        if line["kind"] == "sample":
            line["found"] = []
    file.write_text("".join(json.dumps(line) + "\n" for line in lines))

    done = newsbot("import", "--index-dir", tmp_path / "copy", "--json", file)

    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["samples"] == len(report["misses"]) > 0


def test_importing_a_file_that_is_not_there_is_a_one_line_error(newsbot, tmp_path):
    done = newsbot("import", "--index-dir", tmp_path / "copy", tmp_path / "missing.jsonl")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].endswith(f"No such file: {tmp_path / 'missing.jsonl'}.")
    assert not (tmp_path / "copy").exists()
