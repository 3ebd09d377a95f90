"""Reading the corpus: front matter, JSONL exports, and bad files skipped with a reason."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from index.ingest.corpus import MAX_ARTICLE_BYTES, MAX_FRONT_MATTER_CHARS, read_corpus, split_front_matter
from index.models import Status, Visibility
from index.params import IngestParams
from index.text.fingerprint import text_fingerprint


def only_article(directory: Path):
    result = read_corpus(directory)
    assert not result.skipped, result.skipped
    assert len(result.articles) == 1
    return result.articles[0]


def skip_reason(directory: Path, name: str) -> str:
    result = read_corpus(directory)
    reasons = [s.reason for s in result.skipped if Path(s.source.split(":")[0]).name == name]
    assert len(reasons) == 1, result.skipped
    assert not [a for a in result.articles if Path(a.source).name == name]
    return reasons[0]


# ---- front matter ---------------------------------------------------------------------------


def test_front_matter_fields_are_read(corpus_dir, write_article):
    write_article(
        "a.md",
        "The body.\nSecond line.\n",
        title="A title",
        url="https://news.example/a",
        published="2022-07-28",
        outlet="NBC 5 Chicago",
        author="Jo Reporter",
        visibility="internal",
        status="published",
    )
    article = only_article(corpus_dir)
    assert article.article_id == "https://news.example/a", "the url is the identity"
    assert article.title == "A title"
    assert article.url == "https://news.example/a"
    assert article.published == dt.date(2022, 7, 28)
    assert article.outlet == "NBC 5 Chicago"
    assert article.author == "Jo Reporter"
    assert article.visibility is Visibility.INTERNAL
    assert article.status is Status.PUBLISHED
    assert article.text == "The body.\nSecond line.\n", "the body is kept exactly as written"


def test_accents_written_as_combining_marks_are_stored_as_the_letters_they_make(corpus_dir, write_article):
    """Some exports write "é" as "e" and a combining accent: stored composed (NFC), the text
    reads as the same words as its composed spelling, which questions are asked in."""
    write_article(
        "a.md",
        "Emilia Pe\u0301rez led the nominations.\n",
        title="Pe\u0301rez leads",
        outlet="Le Monde\u0301",
        url="https://news.example/pe\u0301rez",
    )
    article = only_article(corpus_dir)
    assert article.text == "Emilia Pérez led the nominations.\n"
    assert article.title == "Pérez leads" and article.outlet == "Le Mondé"
    assert article.url == "https://news.example/pe\u0301rez", "the url, an identity, is kept as given"


def test_a_yaml_date_value_is_read_as_a_date(corpus_dir):
    (corpus_dir / "a.md").write_text("---\npublished: 2021-03-16\n---\nBody.\n", encoding="utf-8")
    assert only_article(corpus_dir).published == dt.date(2021, 3, 16)


def test_without_front_matter_the_title_is_the_first_line_and_the_id_is_the_path_and_text(corpus_dir):
    path = corpus_dir / "beaches.txt"
    path.write_text("\n\n# Lake Michigan beaches reopen\nLifeguards returned on Monday.\n", encoding="utf-8")
    article = only_article(corpus_dir)
    assert article.title == "Lake Michigan beaches reopen"
    assert article.article_id == f"beaches.txt#{text_fingerprint(article.text)[:12]}"
    assert article.source == path.as_posix()
    assert article.url is None and article.published is None and article.outlet is None
    assert article.visibility is Visibility.PUBLIC and article.status is Status.PUBLISHED
    assert article.text.endswith("Lifeguards returned on Monday.\n")


def test_front_matter_without_title_takes_the_first_body_line(corpus_dir, write_article):
    write_article("a.md", "Headline in the body\nText.\n", outlet="Example")
    assert only_article(corpus_dir).title == "Headline in the body"


def test_the_seed_corpus_reads_without_skips(seed_corpus_dir):
    result = read_corpus(seed_corpus_dir)
    assert not result.skipped
    by_title = {a.title: a for a in result.articles}
    assert len(by_title) == 2
    nbc = by_title[
        "Off-duty Chicago officer exchanges gunfire with would-be carjackers hours after anti-carjacking push"
    ]
    assert nbc.outlet == "NBC 5 Chicago" and nbc.published == dt.date(2022, 7, 28)
    assert nbc.published_inferred is True
    assert "2,098" in nbc.text and not nbc.text.startswith("---")


def test_split_front_matter_returns_the_body_verbatim():
    meta, body = split_front_matter("---\ntitle: T\n---\n  Indented first line\n\nNext\n")
    assert meta == {"title": "T"}
    assert body == "  Indented first line\n\nNext\n"
    assert split_front_matter("No front matter\n---\n") == ({}, "No front matter\n---\n")


def test_hidden_files_readmes_and_other_types_are_not_articles(corpus_dir, write_article):
    write_article("a.md", "Body.\n")
    (corpus_dir / ".draft.md").write_text("hidden", encoding="utf-8")
    (corpus_dir / "README.md").write_text("about this folder", encoding="utf-8")
    (corpus_dir / "photo.png").write_bytes(b"\x89PNG\r\n")
    result = read_corpus(corpus_dir)
    assert [Path(a.source).name for a in result.articles] == ["a.md"]
    assert not result.skipped


def test_a_single_file_of_an_unsupported_type_is_skipped_with_a_reason(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n")
    result = read_corpus(path)
    assert not result.articles
    assert [s.reason for s in result.skipped] == ["unsupported file type .png"]


def test_articles_in_subfolders_are_read(corpus_dir, write_article):
    write_article("2022/07/a.md", "Body a.\n")
    write_article("b.md", "Body b.\n")
    ids = sorted(a.article_id.split("#")[0] for a in read_corpus(corpus_dir).articles)
    assert ids == ["2022/07/a.md", "b.md"], "paths relative to the folder read"


def test_an_articles_id_is_the_same_wherever_its_folder_is(corpus_dir, tmp_path, write_article):
    write_article("2022/a.md", "The ferry carried 120 riders.\n")
    copy = tmp_path / "elsewhere" / "archive-copy"
    shutil.copytree(corpus_dir, copy)
    ids = [a.article_id for a in read_corpus(corpus_dir).articles]
    assert [a.article_id for a in read_corpus(copy).articles] == ids
    assert [a.article_id for a in read_corpus(corpus_dir / "2022" / "a.md").articles] != ids, (
        "a file given alone is named by its file name"
    )


def test_texts_that_differ_only_in_spacing_or_in_how_accents_are_written_have_one_fingerprint():
    assert text_fingerprint("The ferry  carried\n120 riders.\n") == text_fingerprint(
        "The ferry carried 120 riders."
    )
    assert text_fingerprint("Pe\u0301rez won.") == text_fingerprint("Pérez won.")
    assert text_fingerprint("The ferry carried 120 riders.") != text_fingerprint(
        "The ferry carried 121 riders."
    )


# ---- JSONL ----------------------------------------------------------------------------------


def test_jsonl_good_lines_are_read_and_a_malformed_line_is_skipped_with_its_number(corpus_dir):
    lines = [
        json.dumps(
            {
                "title": "One",
                "url": "https://news.example/1",
                "text": "First article.",
                "published": "2022-01-02",
                "outlet": "Example",
            }
        ),
        '{"title": "broken", "text": ',
        json.dumps({"title": "Three", "text": "Third article, no url."}),
        "",
        json.dumps({"title": "Five", "text": "Fifth article.", "visibility": "internal"}),
    ]
    path = corpus_dir / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_corpus(corpus_dir)

    assert [a.title for a in result.articles] == ["One", "Three", "Five"]
    one, three, five = result.articles
    assert one.article_id == "https://news.example/1" and one.published == dt.date(2022, 1, 2)
    assert three.article_id == f"export.jsonl#{text_fingerprint('Third article, no url.')[:12]}", (
        "without a url the id is the file and the text"
    )
    assert three.source == f"{path}:3"
    assert five.visibility is Visibility.INTERNAL
    assert [(s.source, s.reason.split(" (")[0]) for s in result.skipped] == [(f"{path}:2", "malformed JSON")]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (json.dumps([1, 2]), "line is not a JSON object"),
        (json.dumps({"title": "no text"}), "missing text field"),
        (json.dumps({"title": "a number", "text": 42}), '"text" is a number, not text'),
        (json.dumps({"title": "a list", "text": ["para"]}), '"text" is a list, not text'),
        (json.dumps({"title": "blank", "text": "   "}), "empty article"),
        (json.dumps({"text": "Body.", "visibility": "secret"}), "visibility"),
        (json.dumps({"text": "Body.", "status": "deleted"}), "status"),
        (json.dumps({"text": "Body.", "title": {"nested": 1}}), "title must be text"),
    ],
)
def test_jsonl_bad_records_are_skipped_with_a_reason_and_the_rest_goes_on(corpus_dir, line, reason):
    good = json.dumps({"title": "Good", "text": "A good article."})
    path = corpus_dir / "export.jsonl"
    path.write_text(f"{good}\n{line}\n{good.replace('Good', 'Also good')}\n", encoding="utf-8")
    result = read_corpus(corpus_dir)
    assert [a.title for a in result.articles] == ["Good", "Also good"]
    assert len(result.skipped) == 1
    assert result.skipped[0].source == f"{path}:2"
    assert reason in result.skipped[0].reason


def test_jsonl_line_that_is_not_utf8_is_skipped(corpus_dir):
    good = json.dumps({"title": "Good", "text": "A good article."}).encode()
    bad = b'{"title": "Caf\xe9", "text": "x"}'
    (corpus_dir / "export.jsonl").write_bytes(good + b"\n" + bad + b"\n")
    result = read_corpus(corpus_dir)
    assert [a.title for a in result.articles] == ["Good"]
    assert "UTF-8" in result.skipped[0].reason


# ---- files that are skipped ----------------------------------------------------------------


def test_an_empty_file_is_skipped(corpus_dir):
    (corpus_dir / "empty.md").write_text("", encoding="utf-8")
    assert "empty" in skip_reason(corpus_dir, "empty.md")


def test_front_matter_without_a_body_is_skipped(corpus_dir, write_article):
    write_article("a.md", "", title="Only a title")
    assert "empty" in skip_reason(corpus_dir, "a.md")


def test_a_binary_file_is_skipped(corpus_dir):
    (corpus_dir / "binary.md").write_bytes(b"\x00\x01\x02\x03text" * 20)
    assert "binary" in skip_reason(corpus_dir, "binary.md")


def test_a_non_utf8_file_is_skipped(corpus_dir):
    (corpus_dir / "latin1.md").write_bytes("Café owner shot in Pilsen".encode("latin-1"))
    assert "not UTF-8" in skip_reason(corpus_dir, "latin1.md")


def test_an_oversized_file_is_skipped(corpus_dir):
    (corpus_dir / "big.md").write_bytes(b"word " * (MAX_ARTICLE_BYTES // 5 + 1))
    assert f"{MAX_ARTICLE_BYTES:,}" in skip_reason(corpus_dir, "big.md")


def test_dates_as_exports_write_them_are_read(corpus_dir):
    forms = ["2022/06/02", "June 2, 2022", "Thu, 02 Jun 2022 10:00:00 GMT", "2022-06-02T23:30:00-05:00"]
    (corpus_dir / "export.jsonl").write_text(
        "".join(
            json.dumps({"text": f"Story {n}.", "published": form}) + "\n" for n, form in enumerate(forms)
        ),
        encoding="utf-8",
    )
    for n, form in enumerate(forms):
        (corpus_dir / f"{n}.md").write_text(f"---\npublished: {form}\n---\nStory {n}.\n", encoding="utf-8")
    result = read_corpus(corpus_dir)
    assert (result.skipped, result.warnings) == ([], [])
    assert [a.published for a in result.articles] == [dt.date(2022, 6, 2)] * 2 * len(forms)


@pytest.mark.parametrize("value", ["yesterday", "July 28", "2021-13-45", "2022-02-30", "0001-01-01"])
def test_a_date_that_cannot_be_read_leaves_the_article_undated_with_a_warning_naming_it(corpus_dir, value):
    (corpus_dir / "a.md").write_text(f"---\npublished: {value}\n---\nBody.\n", encoding="utf-8")
    (corpus_dir / "export.jsonl").write_text(json.dumps({"text": "Line.", "published": value}) + "\n")
    result = read_corpus(corpus_dir)
    assert result.skipped == []
    assert [a.published for a in result.articles] == [None, None]
    assert [Path(w.source).name for w in result.warnings] == ["a.md", "export.jsonl:1"]
    for warning in result.warnings:
        assert value in warning.warning and "stored undated" in warning.warning


def test_the_day_and_month_order_of_numeric_dates_is_a_parameter(corpus_dir):
    (corpus_dir / "a.md").write_text("---\npublished: 02/06/2022\n---\nBody.\n", encoding="utf-8")
    assert only_article(corpus_dir).published == dt.date(2022, 2, 6)
    [article] = read_corpus(corpus_dir, IngestParams(day_first=True)).articles
    assert article.published == dt.date(2022, 6, 2)


def test_a_bad_visibility_value_is_skipped(corpus_dir, write_article):
    write_article("a.md", "Body.\n", visibility="secret")
    reason = skip_reason(corpus_dir, "a.md")
    assert "visibility" in reason and "public" in reason and "internal" in reason


def test_a_bad_status_value_is_skipped(corpus_dir, write_article):
    write_article("a.md", "Body.\n", status="deleted")
    assert "status" in skip_reason(corpus_dir, "a.md")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: T\nBody without a closing line.\n", "never closed"),
        ("---\ntitle: [unclosed\n---\nBody.\n", "not valid YAML"),
        ("---\n- a\n- b\n---\nBody.\n", "mapping"),
    ],
)
def test_broken_front_matter_is_skipped_with_a_reason(corpus_dir, text, reason):
    (corpus_dir / "a.md").write_text(text, encoding="utf-8")
    assert reason in skip_reason(corpus_dir, "a.md")


def test_bad_files_are_skipped_while_good_ones_are_read(corpus_dir, write_article):
    write_article("good.md", "A good article.\n", title="Good")
    (corpus_dir / "binary.md").write_bytes(b"\x00" * 64)
    (corpus_dir / "empty.md").write_text("", encoding="utf-8")
    write_article("bad-vis.md", "Body.\n", visibility="everyone")
    result = read_corpus(corpus_dir)
    assert [a.title for a in result.articles] == ["Good"]
    assert sorted(Path(s.source).name for s in result.skipped) == ["bad-vis.md", "binary.md", "empty.md"]
    assert all(s.reason for s in result.skipped)
    # A file that could not be read must not make its stored article count as removed.
    assert {Path(p).name for p in result.unreadable} == {"bad-vis.md", "binary.md", "empty.md"}


def test_a_utf8_bom_is_not_part_of_the_text(corpus_dir):
    (corpus_dir / "bom.md").write_bytes("\ufeffHeadline\nBody.\n".encode("utf-8"))
    article = only_article(corpus_dir)
    assert article.title == "Headline" and article.text == "Headline\nBody.\n"


def test_a_nul_byte_anywhere_makes_a_file_binary(corpus_dir):
    (corpus_dir / "late.md").write_bytes(b"word " * 4000 + b"\x00 and more text\n")
    assert "binary" in skip_reason(corpus_dir, "late.md")


# ---- hostile input: one reason each, never a stop ------------------------------------------

# Three levels of five: harmless here, but each level more multiplies what `str()` of the value
# builds (a few hundred bytes of these cost 79 s and 3 GB).
ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b]
published: *c
"""


@pytest.mark.parametrize(
    "front_matter",
    [ALIAS_BOMB, "title: &t A title\nauthor: *t\n", "base: &b {outlet: X}\n<<: *b\ntitle: T\n"],
    ids=["alias bomb", "alias", "merge key"],
)
def test_yaml_aliases_in_front_matter_are_refused(corpus_dir, front_matter):
    (corpus_dir / "a.md").write_text(f"---\n{front_matter}---\nBody.\n", encoding="utf-8")
    reason = skip_reason(corpus_dir, "a.md")
    assert "alias" in reason and "write" in reason, reason


def test_front_matter_over_its_size_cap_is_skipped_unparsed(corpus_dir):
    summary = "word " * (MAX_FRONT_MATTER_CHARS // 5)
    (corpus_dir / "a.md").write_text(f"---\ntitle: T\nsummary: {summary}\n---\nBody.\n", encoding="utf-8")
    assert f"over {MAX_FRONT_MATTER_CHARS:,} characters" in skip_reason(corpus_dir, "a.md")


def test_front_matter_just_under_its_cap_is_read(corpus_dir):
    summary = "word " * (MAX_FRONT_MATTER_CHARS // 5 - 10)
    (corpus_dir / "a.md").write_text(f"---\ntitle: T\nsummary: {summary}\n---\nBody.\n", encoding="utf-8")
    assert only_article(corpus_dir).title == "T"


HOSTILE_LINES = {
    "nested JSON": ("[" * 100_000 + "]" * 100_000, "nested"),
    "a huge integer": (
        '{"text": "Body.", "title": ' + "7" * 5000 + "}",
        f"{sys.get_int_max_str_digits():,} digits",
    ),
    "a lone surrogate in the text": ('{"text": "Body \\ud800 here."}', "surrogate"),
    "a lone surrogate in the title": ('{"text": "Body.", "title": "T\\udfff"}', "surrogate"),
}


@pytest.mark.parametrize(("line", "reason"), HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_a_hostile_jsonl_line_is_skipped_with_its_reason_and_the_rest_is_read(corpus_dir, line, reason):
    good = json.dumps({"title": "Good", "text": "A good article."})
    path = corpus_dir / "export.jsonl"
    path.write_text(f"{good}\n{line}\n{good.replace('Good', 'Also good')}\n", encoding="utf-8")
    result = read_corpus(corpus_dir)
    assert [a.title for a in result.articles] == ["Good", "Also good"]
    assert [s.source for s in result.skipped] == [f"{path}:2"]
    assert reason in result.skipped[0].reason, result.skipped[0].reason


def write_hostile_files(corpus_dir: Path) -> set[str]:
    """One file of each kind that used to stop a read or an ingest; returns their names as the
    skip reasons show them."""
    (corpus_dir / "nested.md").write_text(
        "---\na: " + "[" * 3000 + "]" * 3000 + "\n---\nBody.\n", encoding="utf-8"
    )
    (corpus_dir / "bomb.md").write_text(f"---\n{ALIAS_BOMB}---\nBody.\n", encoding="utf-8")
    (corpus_dir / "surrogate.md").write_text('---\ntitle: "T\\ud800"\n---\nBody.\n', encoding="utf-8")
    (corpus_dir / "loop.md").symlink_to("loop.md")
    (corpus_dir / "hostile.jsonl").write_text(
        "\n".join(line for line, _ in HOSTILE_LINES.values()) + "\n", encoding="utf-8"
    )
    with open(os.path.join(os.fsencode(corpus_dir), b"caf\xe9.md"), "wb") as handle:
        handle.write(b"A Latin-1 file name.\n")
    return {"nested.md", "bomb.md", "surrogate.md", "loop.md", "hostile.jsonl", "caf\\xe9.md"}


def test_hostile_files_are_skipped_with_one_reason_each(corpus_dir, write_article):
    write_article("good.md", "A good article.\n", title="Good")
    names = write_hostile_files(corpus_dir)
    result = read_corpus(corpus_dir)
    assert [a.title for a in result.articles] == ["Good"]
    skipped = [Path(s.source.split(":")[0]).name for s in result.skipped]
    assert sorted(set(skipped)) == sorted(names) and len(skipped) == len(names) + len(HOSTILE_LINES) - 1
    assert all(s.reason and s.source.encode("utf-8") for s in result.skipped)


def test_a_file_name_that_is_not_utf8_is_skipped_with_what_to_do(corpus_dir):
    with open(os.path.join(os.fsencode(corpus_dir), b"caf\xe9.md"), "wb") as handle:
        handle.write(b"Body.\n")
    [skipped] = read_corpus(corpus_dir).skipped
    assert skipped.source == f"{corpus_dir}/caf\\xe9.md", "shown with the byte escaped"
    assert "not UTF-8" in skipped.reason and "rename" in skipped.reason


def test_hostile_files_never_stop_an_ingest(open_engine, corpus_dir, write_article):
    for n in range(20):
        write_article(
            f"good-{n:02}.md", f"Article number {n} about the zeppelin hangar.\n", title=f"Good {n}"
        )
    write_hostile_files(corpus_dir)
    report = open_engine().ingest([corpus_dir])
    assert len(report.added) == 20
    assert report.skipped and all(s.reason for s in report.skipped)


# ---- symlinks -------------------------------------------------------------------------------


def test_a_symlinked_article_goes_when_its_link_goes(open_engine, corpus_dir, write_article, tmp_path):
    target = write_article(
        "memo.md", "The zeppelin hangar reopens in May.\n", directory=tmp_path / "elsewhere"
    )
    link = corpus_dir / "memo.md"
    link.symlink_to(target)
    engine = open_engine()
    assert engine.ingest([corpus_dir]).added
    assert engine.search("zeppelin hangar")
    link.unlink()
    report = engine.ingest([corpus_dir])
    assert len(report.removed) == 1
    assert not engine.search("zeppelin hangar"), "the article went with its link"
