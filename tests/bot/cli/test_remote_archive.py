"""`newsbot` on an archive kept by a Milvus server (NEWSBOT_ARCHIVE_URL; the test server on
127.0.0.1): moved there from the embedded archive with export and import, then used as before."""

from __future__ import annotations

import json
import uuid

import pytest

pytestmark = pytest.mark.remote


@pytest.fixture
def remote_env(milvus, process_env):
    """Turns the child processes' settings to a fresh archive on the test server."""

    def use() -> str:
        process_env["NEWSBOT_ARCHIVE_URL"] = f"milvus://{milvus.host}:{milvus.port}"
        process_env["NEWSBOT_ARCHIVE_COLLECTIONS"] = f"t{uuid.uuid4().hex[:12]}"
        return process_env["NEWSBOT_ARCHIVE_URL"]

    return use


def test_an_archive_moved_to_milvus_answers_as_it_did_without_embedding_again(
    newsbot, tmp_path, newsroom_corpus, remote_env
):
    source, file = tmp_path / "index", tmp_path / "archive.jsonl.gz"
    question = ("ask", "--json", "how many carjackings in 2021?")
    assert newsbot("ingest", "--index-dir", source, newsroom_corpus).returncode == 0
    assert newsbot("export", "--index-dir", source, file).returncode == 0
    embedded = json.loads(newsbot(*question, "--index-dir", source).stdout)

    url = remote_env()
    imported = newsbot("import", file)
    assert imported.returncode == 0, imported.stderr
    assert "0 texts embedded again" in imported.stdout and "\nverified\n" in imported.stdout
    assert url in imported.stdout  # where it went, for people

    assert json.loads(newsbot(*question).stdout) == embedded
    stats = json.loads(newsbot("stats", "--json").stdout)
    assert stats["articles"] == 3 and stats["internal"] == 1 and stats["index_dir"].startswith(url)
    again = newsbot("ingest", newsroom_corpus)
    assert again.returncode == 0 and "unchanged 3" in again.stdout


def test_a_rebuild_of_a_milvus_archive_is_refused_with_what_to_do(newsbot, newsroom_corpus, remote_env):
    remote_env()
    done = newsbot("ingest", "--rebuild", newsroom_corpus)
    assert done.returncode != 0
    assert "NEWSBOT_ARCHIVE_COLLECTIONS" in done.stderr.strip().splitlines()[-1]


def test_an_archive_url_it_cannot_open_is_a_one_line_error(newsbot, process_env, newsroom_corpus):
    process_env["NEWSBOT_ARCHIVE_URL"] = "qdrant://127.0.0.1:6333"
    done = newsbot("ingest", newsroom_corpus)
    assert done.returncode != 0
    assert "milvus://host:port" in done.stderr.strip().splitlines()[-1]
