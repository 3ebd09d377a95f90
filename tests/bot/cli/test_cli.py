"""The `newsbot` command line, run in-process: exit codes, output formats, one-line errors.

Most tests swap the model for the HashingEncoder (the answer's content does not matter there);
the ones marked `slow` use the real model on the shipped corpus.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

import bot.cli.commands
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker

CITATION_FIELDS = {
    "n",
    "article_id",
    "title",
    "url",
    "outlet",
    "published",
    "sentence",
    "start",
    "end",
    "score",
}
VERBATIM = "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No .env, no NEWSBOT_* settings and no default index from the machine running the tests."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    for name in ("NEWSBOT_INDEX_DIR", "NEWSBOT_MODEL_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def hashing_model(monkeypatch):
    monkeypatch.setattr(
        bot.cli.commands, "load_encoder", lambda model_dir=None, backend=None: HashingEncoder()
    )
    monkeypatch.setattr(bot.cli.commands, "load_reranker", lambda folder=None, **options: OverlapReranker())
    monkeypatch.setattr(bot.cli.commands, "PARAMS", FAKE_MODEL_PARAMS)


@pytest.fixture
def ingested(run, hashing_model, newsroom_corpus, index_dir) -> Path:
    code, _, err = run("ingest", "--index-dir", index_dir, "-q", newsroom_corpus)
    assert code == 0, err
    return index_dir


def stdin_of(data: bytes) -> io.TextIOWrapper:
    """Standard input as a terminal or a pipe gives it: bytes under a UTF-8 text layer."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code != 0
    assert "Traceback" not in err
    assert err.startswith("newsbot: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err


# ---- ingest ---------------------------------------------------------------------------------


def test_ingest_into_an_index_dir_prints_the_summary(run, hashing_model, newsroom_corpus, index_dir):
    code, out, _ = run("ingest", "--index-dir", index_dir, newsroom_corpus)
    assert code == 0
    assert out.splitlines()[0] == (
        "added 3, updated 0, removed 0, retracted 0, unchanged 0, duplicates 0, skipped 0, warnings 0"
    )
    assert (index_dir / "newsbot.sqlite3").exists() and (index_dir / "manifest.json").exists()

    code, out, _ = run("ingest", "--index-dir", index_dir, newsroom_corpus)
    assert code == 0
    assert out.splitlines()[0] == (
        "added 0, updated 0, removed 0, retracted 0, unchanged 3, duplicates 0, skipped 0, warnings 0"
    )


def test_an_unchanged_folder_is_checked_without_the_model(run, ingested, newsroom_corpus, monkeypatch):
    loaded: list[str] = []

    def counted_model(model_dir=None, backend=None):
        loaded.append("model")
        return HashingEncoder()

    monkeypatch.setattr(bot.cli.commands, "load_encoder", counted_model)
    code, out, err = run("ingest", "--index-dir", ingested, newsroom_corpus)
    assert code == 0, err
    assert out.splitlines()[0].startswith("added 0, updated 0, removed 0, retracted 0, unchanged 3,")
    assert loaded == [], "nothing changed: the model is not loaded"
    (newsroom_corpus / "new.md").write_text("A new story about the harbour ferry.\n", encoding="utf-8")
    code, out, err = run("ingest", "--index-dir", ingested, newsroom_corpus)
    assert (code, loaded) == (0, ["model"]) and out.startswith("added 1,"), err


def test_ingest_reports_skipped_files_with_reasons(run, hashing_model, newsroom_corpus, index_dir):
    (newsroom_corpus / "binary.md").write_bytes(b"\x00" * 16)
    code, out, _ = run("ingest", "--index-dir", index_dir, newsroom_corpus)
    assert code == 0
    assert "skipped 1" in out.splitlines()[0]
    assert "binary.md: binary file, not text" in out


def test_the_summary_reports_retractions_as_retracted_and_dates_it_could_not_read(
    run, hashing_model, newsroom_corpus, index_dir, write_article
):
    run("ingest", "--index-dir", index_dir, newsroom_corpus)
    path = newsroom_corpus / "carjackings-2021.md"
    path.write_text(path.read_text().replace("outlet:", "status: retracted\noutlet:"))
    write_article("undated.md", "The ferry carried 120 riders.\n", published="last Tuesday")
    code, out, _ = run("ingest", "--index-dir", index_dir, newsroom_corpus)
    assert code == 0
    assert out.splitlines()[0] == (
        "added 1, updated 0, removed 0, retracted 1, unchanged 2, duplicates 0, skipped 0, warnings 1"
    )
    assert f"  warning {newsroom_corpus / 'undated.md'}: published 'last Tuesday' is not a date" in out


def test_ingest_reads_the_corpus_folder_of_the_working_directory_by_default(
    run, hashing_model, write_article, index_dir
):
    write_article("a.md", "The ferry carried 120 riders.\n", directory=Path.cwd() / "corpus")
    code, out, _ = run("ingest", "--index-dir", index_dir)
    assert code == 0 and out.startswith("added 1,")


def test_ingest_rebuild_starts_from_an_empty_index(run, ingested, newsroom_corpus):
    (newsroom_corpus / "beaches.txt").unlink()
    code, out, _ = run("ingest", "--index-dir", ingested, "--rebuild", newsroom_corpus)
    assert code == 0 and out.startswith("added 2, updated 0, removed 0")


def test_the_index_dir_can_come_from_the_environment(run, ingested, monkeypatch):
    monkeypatch.setenv("NEWSBOT_INDEX_DIR", str(ingested))
    code, out, _ = run("stats", "--json")
    assert code == 0 and json.loads(out)["articles"] == 3


# ---- ask ------------------------------------------------------------------------------------


def test_ask_json_prints_one_object_with_the_documented_fields(run, ingested):
    code, out, err = run("ask", "--index-dir", ingested, "--json", VERBATIM)
    assert code == 0, err
    answer = json.loads(out)
    assert {"question", "answer", "abstained", "citations", "related"} <= set(answer)
    assert answer["question"] == VERBATIM
    assert answer["abstained"] is False
    citation = answer["citations"][0]
    assert set(citation) >= CITATION_FIELDS
    assert citation["n"] == 1
    assert citation["sentence"] == VERBATIM
    assert citation["title"] == "Lake Michigan beaches reopen"
    assert citation["end"] - citation["start"] == len(VERBATIM)
    assert isinstance(citation["score"], float)


def test_ask_prints_a_readable_answer_with_numbered_citations(run, ingested):
    code, out, _ = run("ask", "--index-dir", ingested, VERBATIM)
    assert code == 0
    assert f'[1] "{VERBATIM}"' in out
    assert "Lake Michigan beaches reopen" in out


def test_ask_json_without_a_question_reads_jsonl_from_stdin(run, ingested, monkeypatch):
    questions = [VERBATIM, "", "how many carjackings in 2019?", "   ", "?!", "what is the sticker program?"]
    monkeypatch.setattr("sys.stdin", stdin_of("\n".join(questions).encode() + b"\n"))
    code, out, err = run("ask", "--index-dir", ingested, "--json")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 6, "one JSON object per line, blank ones too: answer N is line N"
    objects = [json.loads(line) for line in lines]
    assert [o["question"] for o in objects] == [q.strip() for q in questions]
    assert objects[0]["citations"][0]["sentence"] == VERBATIM
    assert "empty" in objects[1]["error"] and "empty" in objects[3]["error"]
    assert objects[2]["abstained"] is True
    assert "no words" in objects[4]["error"], "a bad question becomes an error object, the rest goes on"
    assert "answer" in objects[5]


def test_jsonl_lines_may_carry_an_as_of_day_and_a_previous_question(run, ingested, monkeypatch):
    lines = [
        {"question": "how many carjackings last year?", "as_of": "2022-03-01"},
        {"question": "how many carjackings last year?", "as_of": "2030-03-01"},
        {"question": "and in 2019?", "previous": "how many carjackings in Chicago in 2021?"},
        {"question": "when?", "as_of": "not a date"},
        {"text": "no question field"},
    ]
    monkeypatch.setattr("sys.stdin", stdin_of("\n".join(json.dumps(line) for line in lines).encode() + b"\n"))
    code, out, err = run("ask", "--index-dir", ingested, "--json")
    assert code == 0, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert len(objects) == 5
    assert objects[0]["period"] == "last year" and not objects[0]["abstained"]
    assert "2,098" in objects[0]["answer"], "last year as of 2022-03-01 is 2021"
    assert objects[1]["abstained"], "as of 2030, last year is 2029"
    assert objects[2]["kind"] == "how_many" and objects[2]["period"] == "2019", (
        "read against the previous question"
    )
    assert "as_of" in objects[3]["error"] and "question" in objects[4]["error"]


def test_ask_as_of_reads_relative_periods_against_that_day(run, ingested, capsys):
    code, out, err = run(
        "ask", "--index-dir", ingested, "--json", "--as-of", "2022-03-01", "how many carjackings last year?"
    )
    assert code == 0, err
    assert "2,098" in json.loads(out)["answer"]
    with pytest.raises(SystemExit) as stopped:
        run("ask", "--index-dir", ingested, "--as-of", "March 1", "how many carjackings last year?")
    assert stopped.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err


def test_a_jsonl_line_that_is_not_utf8_gets_an_error_line_and_the_batch_goes_on(run, ingested, monkeypatch):
    lines = [VERBATIM.encode(), b"caf\xe9 owner shot in Pilsen?", b"how many carjackings in 2019?"]
    monkeypatch.setattr("sys.stdin", stdin_of(b"\n".join(lines) + b"\n"))
    code, out, err = run("ask", "--index-dir", ingested, "--json")
    assert code == 0, err
    first, bad, last = (json.loads(line) for line in out.splitlines())
    assert first["citations"][0]["sentence"] == VERBATIM
    assert bad["question"] == "caf\\xe9 owner shot in Pilsen?", "shown with the byte escaped"
    assert "UTF-8" in bad["error"]
    assert last["abstained"] is True


def test_a_question_that_is_not_utf8_is_a_clear_error(run, ingested):
    code, out, err = run("ask", "--index-dir", ingested, os.fsdecode(b"caf\xe9 owner shot in Pilsen?"))
    assert_one_line_error(code, err, "UTF-8")
    assert out == ""


def test_ask_explain_shows_how_the_question_was_read_and_what_became_of_each_candidate(run, ingested):
    code, out, err = run("ask", "--index-dir", ingested, "--explain", VERBATIM)
    assert code == 0, err
    answer, explained = out.split("\nHow the question was read:\n")
    assert f'[1] "{VERBATIM}"' in answer
    assert "  kind: what; period: none; as of " in explained
    assert f'  1. chosen: the answer states it\n     "{VERBATIM}"' in explained
    assert "probability" in explained and "cross-encoder" in explained and "relevance" in explained

    code, out, err = run("ask", "--index-dir", ingested, "--json", "--explain", VERBATIM)
    explain = json.loads(out)["explain"]
    assert explain["reading"]["kind"] == "what" and explain["threshold"] == FAKE_MODEL_PARAMS.answer.threshold
    assert explain["candidates"][0]["verdict"] == "chosen"
    assert {"sentence", "article_id", "probability", "rerank", "relevance", "reason"} <= set(
        explain["candidates"][0]
    )
    code, out, err = run("ask", "--index-dir", ingested, "--json", VERBATIM)
    assert json.loads(out)["explain"] is None, "only when asked for"


def test_an_empty_question_is_refused_with_a_clear_message(run, ingested):
    code, out, err = run("ask", "--index-dir", ingested, "")
    assert_one_line_error(code, err, "empty")
    assert out == ""


def test_a_5000_character_question_is_refused_with_a_clear_message(run, ingested):
    code, out, err = run("ask", "--index-dir", ingested, "--json", "why " * 1250)
    assert_one_line_error(code, err, "4,999 characters long; the most is 500.")
    assert out == ""


@pytest.mark.parametrize(
    "argv",
    [
        ("ask", "how many carjackings in 2021?"),
        ("ask", "--json", "how many carjackings in 2021?"),
        ("search", "carjackings"),
        ("stats",),
        ("stats", "--json"),
    ],
)
def test_a_missing_index_is_one_line_on_stderr_and_a_non_zero_exit(run, tmp_path, argv, monkeypatch):
    def no_model(model_dir=None, backend=None):
        raise AssertionError("the model must not load for a missing index")

    monkeypatch.setattr(bot.cli.commands, "load_encoder", no_model)
    code, out, err = run(*argv, "--index-dir", tmp_path / "no-index")
    assert_one_line_error(code, err, "No index at", "newsbot ingest")
    assert out == ""


def test_an_index_built_with_another_model_is_a_clear_error(run, ingested, monkeypatch):
    monkeypatch.setattr(
        bot.cli.commands,
        "load_encoder",
        lambda model_dir=None, backend=None: HashingEncoder(name="other-model"),
    )
    code, _, err = run("ask", "--index-dir", ingested, "how many carjackings in 2021?")
    assert_one_line_error(code, err, "other-model", "hashing-test-encoder")


def test_an_invalid_setting_is_one_line_naming_it_and_what_to_do(run, monkeypatch):
    monkeypatch.setenv("NEWSBOT_ENCODER_BACKEND", "quantum")
    code, out, err = run("stats")
    assert_one_line_error(code, err, "NEWSBOT_ENCODER_BACKEND", "openvino", ".env.example")
    assert out == ""


def test_terminal_controls_in_file_names_and_paths_are_shown_escaped(
    run, hashing_model, corpus_dir, index_dir
):
    (corpus_dir / "evil\x1b[2J.md").write_bytes(b"\x00")
    code, out, _ = run("ingest", "--index-dir", index_dir, corpus_dir)
    assert code == 0 and "evil\\x1b[2J.md: binary file" in out and "\x1b" not in out
    code, _, err = run("stats", "--index-dir", index_dir / "gone\x1b]0;title\x07")
    assert_one_line_error(code, err, "gone\\x1b]0;title\\x07")
    assert "\x1b" not in err and "\x07" not in err


def test_a_damaged_database_is_a_clear_error(run, ingested):
    (ingested / "newsbot.sqlite3").write_bytes(b"not a database" * 100)
    code, _, err = run("stats", "--index-dir", ingested)
    assert_one_line_error(code, err, "damaged")


# ---- search and stats -------------------------------------------------------------------------


def test_search_json_lists_articles(run, ingested):
    code, out, _ = run("search", "--index-dir", ingested, "--json", "lifeguards lakefront beaches")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["title"] == "Lake Michigan beaches reopen"
    assert {"article_id", "title", "url", "outlet", "published", "snippet", "score"} <= set(hits[0])


def test_search_hides_internal_articles_unless_internal_is_given(run, ingested):
    _, out, _ = run("search", "--index-dir", ingested, "--json", "zeppelin desk budget")
    assert all(h["outlet"] != "Newsroom memo" for h in json.loads(out))
    _, out, _ = run("search", "--index-dir", ingested, "--json", "--internal", "zeppelin desk budget")
    assert any(h["outlet"] == "Newsroom memo" for h in json.loads(out))


def test_stats_json_has_the_counts(run, ingested):
    code, out, _ = run("stats", "--index-dir", ingested, "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["articles"] == 3
    assert stats["chunks"] == stats["vectors"] > 0
    assert stats["sentences"] >= stats["chunks"]
    assert stats["model"] == "hashing-test-encoder"


def test_stats_needs_no_model(run, ingested, monkeypatch):
    def no_model(model_dir=None, backend=None):
        raise AssertionError("stats must not load the model")

    monkeypatch.setattr(bot.cli.commands, "load_encoder", no_model)
    code, out, _ = run("stats", "--index-dir", ingested)
    assert code == 0 and "articles" in out


# ---- with the real model ----------------------------------------------------------------------


@pytest.fixture
def real_model(monkeypatch, real_encoder, real_reranker):
    monkeypatch.setattr(bot.cli.commands, "load_encoder", lambda model_dir=None, backend=None: real_encoder)
    monkeypatch.setattr(bot.cli.commands, "load_reranker", lambda folder=None, **options: real_reranker)


@pytest.mark.slow
def test_ask_json_answers_the_seed_question_with_a_full_citation(run, real_model, seed_engine, seed_articles):
    index_dir = seed_engine.stats().index_dir
    code, out, err = run("ask", "--index-dir", index_dir, "--json", "how many carjackings in 2021?")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["abstained"] is False and "2,098" in answer["answer"]
    assert answer["related"] == []
    first = answer["citations"][0]
    article = seed_articles[first["article_id"]]
    assert first["sentence"] == article.text[first["start"] : first["end"]]
    assert first["title"] == article.title
    assert first["outlet"] == "NBC 5 Chicago" and first["published"] == "2022-07-28"
    assert first["url"] is None


@pytest.mark.slow
def test_ask_jsonl_over_stdin_with_the_real_model(run, real_model, seed_engine, monkeypatch):
    index_dir = seed_engine.stats().index_dir
    monkeypatch.setattr(
        "sys.stdin",
        stdin_of(b"how many carjackings in 2021?\nhow many carjackings happened in Chicago in 2019?\n"),
    )
    code, out, _ = run("ask", "--index-dir", index_dir, "--json")
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["abstained"] is False and "2,098" in first["answer"]
    assert second["abstained"] is True and second["citations"] == [] and second["related"]


@pytest.mark.slow
def test_stats_of_an_index_built_with_the_real_model(run, seed_engine):
    code, out, _ = run("stats", "--index-dir", seed_engine.stats().index_dir, "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["articles"], stats["model"], stats["dimension"]) == (
        2,
        "sentence-transformers/all-MiniLM-L6-v2",
        384,
    )
    assert stats["vectors"] == stats["chunks"] > 0
    assert stats["sentences"] > stats["chunks"]


def test_a_failed_rebuild_leaves_the_old_index_answering(run, ingested, newsroom_corpus, monkeypatch):
    import index.engine

    def crash(self, paths, progress=False):
        raise RuntimeError("killed mid-rebuild")

    with monkeypatch.context() as patched:
        patched.setattr(index.engine.Engine, "ingest", crash)
        code, _, _ = run("ingest", "--index-dir", ingested, "--rebuild", newsroom_corpus)
    assert code != 0
    code, out, _ = run("stats", "--index-dir", ingested, "--json")
    assert code == 0 and json.loads(out)["articles"] == 3
    code, out, _ = run("ask", "--index-dir", ingested, "how many carjackings in 2021?")
    assert code == 0 and "2,098" in out


# ---- figures --------------------------------------------------------------------------------


def test_figures_lists_each_thing_by_period_with_outlet_attributed_source_and_citation(run, ingested):
    code, out, _ = run("figures", "--index-dir", ingested, "carjackings")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "Figures about 'carjackings':",
        "carjackings",
        "  2021: nearly 2,098 carjackings (Chicago) — Example Tribune, Cook County Sheriff's Office [1]",
    ]
    assert lines[4].startswith('[1] "In 2021, Chicago saw **nearly 2,098** carjackings')
    assert "    attributed to: Cook County Sheriff's Office" in lines


def test_figures_json_gives_each_value_parsed_with_its_citation(run, ingested):
    code, out, _ = run("figures", "--index-dir", ingested, "--json", "carjackings")
    assert code == 0
    group = json.loads(out)["things"][0]["groups"][0]
    assert (group["period"], group["period_from"], group["period_to"]) == ("2021", "2021-01-01", "2021-12-31")
    (figure,) = group["figures"]
    assert (figure["number"], figure["qualifier"], figure["thing"]) == (2098, "nearly", "carjackings")
    cited = figure["citation"]
    assert cited["sentence"][cited["answer_start"] : cited["answer_end"]] == "nearly 2,098"
    assert cited["attributed_to"] == "Cook County Sheriff's Office" and cited["outlet"] == "Example Tribune"


def test_figures_plot_writes_a_png_chart(run, ingested, tmp_path):
    chart = tmp_path / "carjackings.png"
    code, _, _ = run("figures", "--index-dir", ingested, "--plot", chart, "carjackings")
    assert code == 0
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_figures_of_internal_articles_are_listed_only_with_internal(run, ingested):
    _, public, _ = run("figures", "--index-dir", ingested, "dollars")
    _, internal, _ = run("figures", "--index-dir", ingested, "--internal", "dollars")
    assert public.strip() == "No figures about 'dollars' in the archive."
    assert "4,512,000 dollars" in internal


@pytest.fixture
def story_index(run, hashing_model, monkeypatch, tmp_path, index_dir) -> Path:
    from tests.fixtures.timeline_articles import HASHING_TIMELINE, write_timeline_articles

    monkeypatch.setattr(
        bot.cli.commands, "PARAMS", FAKE_MODEL_PARAMS.model_copy(update={"timeline": HASHING_TIMELINE})
    )

    code, _, err = run("ingest", "--index-dir", index_dir, "-q", write_timeline_articles(tmp_path / "story"))
    assert code == 0, err
    return index_dir


def test_timeline_lists_events_by_the_day_they_happened_with_their_sources(run, story_index):
    code, out, _ = run("timeline", "--index-dir", story_index, "Harlow Street water main")
    assert code == 0
    assert out.splitlines()[0] == (
        "7 dated events about 'Harlow Street water main', in the order they happened "
        "(1 more on it left out: no date of their own)."
    )
    dates = [line.split(" ", 1)[1] for line in out.splitlines()[1:] if line[:1].isdigit()]
    assert dates == sorted(dates) and "2023-05-08 (Monday)" in dates
    assert '"Crews shut off the Harlow Street water main to 200 homes on **Tuesday** while' in out
    assert (
        "Water main breaks under Harlow Street (Millbrook Ledger, 2023-05-10, https://ledger.example" in out
    )
    assert "intranet.example" not in out  # internal, and --internal was not given


def test_timeline_json_gives_each_events_sentence_offsets_and_date_words(run, story_index):
    code, out, _ = run(
        "timeline",
        "--index-dir",
        story_index,
        "--json",
        "--internal",
        "--limit",
        "4",
        "Harlow Street water main",
    )
    assert code == 0
    result = json.loads(out)
    assert result["topic"] == "Harlow Street water main" and len(result["events"]) == 4
    for event in result["events"]:
        assert {"happened_from", "happened_to", "dated_by", "text", "start", "end", "title", "outlet"} <= set(
            event
        )
        if event["date_words"] is not None:
            a, b = event["date_span"]
            assert event["text"][a:b] == event["date_words"]
    days = [e["happened_from"] for e in result["events"]]
    assert days == sorted(days)


def test_timeline_of_a_blank_topic_is_a_one_line_error(run, story_index):
    code, _, err = run("timeline", "--index-dir", story_index, "  ")
    assert_one_line_error(code, err, "empty")


# ---- filters and the reading line ----------------------------------------------------------------


def test_ask_filters_by_outlet_and_publication_dates_and_says_how_it_read_the_question(run, ingested):
    code, out, err = run(
        "ask", "--index-dir", ingested, "--outlet", " example TRIBUNE", "--since", "2022-01-01",
        "--until", "2022-01-05", "how many carjackings in 2021?",
    )  # fmt: skip
    assert code == 0, err
    assert "2,098" in out
    assert out.splitlines()[-1] == (
        "Read as: how many · carjackings · in 2021 · Example Tribune only · "
        "published 2022-01-01 to 2022-01-05"
    )


def test_ask_with_an_unknown_outlet_is_one_line_listing_the_known_ones(run, ingested):
    code, _, err = run("ask", "--index-dir", ingested, "--outlet", "Example Times", "how many carjackings?")
    assert_one_line_error(code, err, "'Example Times'", "Known outlets: Example Tribune.")
    assert "Newsroom memo" not in err, "internal outlets are listed only with --internal"


def test_ask_with_since_after_until_is_one_line_saying_so(run, ingested):
    code, _, err = run(
        "ask", "--index-dir", ingested, "--since", "2022-02-01", "--until", "2022-01-01", "carjackings?"
    )
    assert_one_line_error(code, err, "since 2022-02-01 is after until 2022-01-01")


def test_jsonl_lines_may_carry_an_outlet_and_publication_dates(run, ingested, monkeypatch):
    lines = [
        {"question": "how many carjackings in 2021?", "outlet": "example tribune", "until": "2022-01-05"},
        {"question": "how many carjackings in 2021?", "since": "2022-01-06"},
        {"question": "how many carjackings in 2021?", "outlet": "Nowhere Daily"},
        {"question": "how many carjackings in 2021?", "since": "yesterday"},
    ]
    monkeypatch.setattr("sys.stdin", stdin_of("\n".join(json.dumps(line) for line in lines).encode() + b"\n"))
    code, out, err = run("ask", "--index-dir", ingested, "--json", "--outlet", "Example Tribune")
    assert code == 0, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert "2,098" in objects[0]["answer"]
    assert objects[0]["reading"]["filters"] == {
        "outlet": "Example Tribune",
        "since": None,
        "until": "2022-01-05",
    }
    assert objects[0]["reading_line"].endswith("Example Tribune only · published until 2022-01-05")
    assert objects[1]["abstained"], "published after the one article on it, on the outlet of the command line"
    assert objects[1]["reading"]["filters"]["outlet"] == "Example Tribune"
    assert "Known outlets: Example Tribune" in objects[2]["error"]
    assert "since" in objects[3]["error"]


def test_chat_takes_the_same_filters_for_every_question(run, ingested, monkeypatch):
    monkeypatch.setattr("sys.stdin", stdin_of(b"how many carjackings in 2021?\nand in 2022?\n"))
    code, out, err = run(
        "chat", "--index-dir", ingested, "--outlet", "Example Tribune", "--as-of", "2022-03-01"
    )
    assert code == 0, err
    read = [line for line in out.splitlines() if line.startswith("Read as: ")]
    assert read == [
        "Read as: how many · carjackings · in 2021 · as of 2022-03-01 · Example Tribune only",
        "Read as: how many · carjackings · in 2022 · as of 2022-03-01 · Example Tribune only",
    ]


def test_search_lists_only_the_articles_of_the_outlet_and_publication_days_given(run, ingested):
    query = "carjackings lifeguards lakefront beaches"

    def titles(*flags: str) -> list[str]:
        code, out, err = run("search", "--index-dir", ingested, "--json", *flags, query)
        assert code == 0, err
        return [hit["title"] for hit in json.loads(out)]

    assert {"Chicago carjackings reached a record in 2021", "Lake Michigan beaches reopen"} <= set(titles())
    assert titles("--outlet", "example TRIBUNE") == ["Chicago carjackings reached a record in 2021"]
    assert titles("--since", "2022-01-05", "--until", "2022-01-05") == [
        "Chicago carjackings reached a record in 2021"
    ]
    assert titles("--since", "2022-01-06") == []


def test_search_with_an_unknown_outlet_lists_only_the_outlets_its_audience_may_see(run, ingested):
    code, _, err = run("search", "--index-dir", ingested, "--outlet", "Example Times", "carjackings")
    assert_one_line_error(code, err, "'Example Times'", "Known outlets: Example Tribune.")
    assert "Newsroom memo" not in err, "internal outlets are listed only with --internal"
    code, _, err = run(
        "search", "--index-dir", ingested, "--internal", "--outlet", "Example Times", "carjackings"
    )
    assert_one_line_error(code, err, "Known outlets: Example Tribune, Newsroom memo.")


def test_search_with_since_after_until_is_one_line_saying_so(run, ingested):
    code, _, err = run(
        "search", "--index-dir", ingested, "--since", "2022-02-01", "--until", "2022-01-01", "carjackings"
    )
    assert_one_line_error(code, err, "since 2022-02-01 is after until 2022-01-01")
