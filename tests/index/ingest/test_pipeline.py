"""Ingest: idempotent, updates replace, removals and retractions stop citations, bad files skipped.

"Cited" is checked with an engine that cites every sentence it can retrieve (`cite_everything`),
so a sentence missing from its citations cannot be cited by any question.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from index import UserError
from index.ingest.corpus import read_corpus
from index.text.boilerplate import is_boilerplate_line
from tests.fixtures.backends import both_backends

pytest_generate_tests = both_backends  # engine tests run against both archives

OVERVIEW = "tell me about the archive"  # a 'what' question without a period: nothing is ruled out


def path_id(corpus, name: str) -> str:
    """The id of the article in file `name` of `corpus`, which has no url."""
    [article_id] = [a.article_id for a in read_corpus(corpus).articles if a.source.endswith("/" + name)]
    return article_id


def cited(engine, *, include_internal: bool = False, question: str = OVERVIEW) -> set[str]:
    answer = engine.ask(question, include_internal=include_internal)
    return {c.sentence for c in answer.quoted} | {r.sentence for r in answer.related}


@pytest.fixture
def engine(open_engine, cite_everything):
    return open_engine(params=cite_everything)


def test_first_ingest_adds_every_article(engine, newsroom_corpus):
    report = engine.ingest([newsroom_corpus])
    assert sorted(report.added) == sorted(
        [
            "https://news.example/2022/01/carjackings-2021",
            "https://intranet.example/memos/zeppelin",
            path_id(newsroom_corpus, "beaches.txt"),
        ]
    )
    assert (report.updated, report.removed, report.unchanged, report.skipped) == ([], [], 0, [])
    stats = engine.stats()
    assert (stats.articles, stats.internal, stats.retracted) == (3, 1, 0)
    assert stats.sentences > 0 and stats.chunks > 0


def test_the_report_counts_every_outcome(engine, newsroom_corpus):
    (newsroom_corpus / "binary.md").write_bytes(b"\x00" * 32)
    report = engine.ingest([newsroom_corpus])
    assert (len(report.added), len(report.updated), len(report.removed), report.unchanged) == (3, 0, 0, 0)
    [skipped] = report.skipped
    assert skipped.source.endswith("binary.md") and skipped.reason == "binary file, not text"


def test_a_second_ingest_of_the_same_files_changes_nothing(engine, newsroom_corpus):
    engine.ingest([newsroom_corpus])
    before = engine.stats()
    report = engine.ingest([newsroom_corpus])
    assert (report.added, report.updated, report.removed, report.skipped) == ([], [], [], [])
    assert report.unchanged == 3
    after = engine.stats()
    assert (after.articles, after.sentences, after.chunks, after.vectors) == (
        before.articles,
        before.sentences,
        before.chunks,
        before.vectors,
    )


def test_the_same_folder_spelled_another_way_is_still_unchanged(engine, newsroom_corpus, monkeypatch):
    engine.ingest([newsroom_corpus])
    monkeypatch.chdir(newsroom_corpus.parent)
    report = engine.ingest([newsroom_corpus.relative_to(newsroom_corpus.parent)])
    assert (report.added, report.removed, report.unchanged) == ([], [], 3)


def test_a_changed_article_replaces_its_old_version(engine, newsroom_corpus, write_article):
    engine.ingest([newsroom_corpus])
    before = engine.stats()
    old = "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."
    new = "Lifeguards returned to 19 lakefront beaches on Tuesday, the park district said."
    assert old in cited(engine)
    write_article("beaches.txt", f"Lake Michigan beaches reopen\n{new}\n")

    report = engine.ingest([newsroom_corpus])
    assert report.updated == [path_id(newsroom_corpus, "beaches.txt")], "its id names its new text"
    assert (report.added, report.removed, report.unchanged) == ([], [], 2)
    texts = cited(engine)
    assert new in texts and old not in texts
    after = engine.stats()
    assert (after.articles, after.sentences, after.chunks) == (
        before.articles,
        before.sentences,
        before.chunks,
    )


def set_front_matter(path, **fields) -> None:
    """Add or replace front-matter fields of an article file, keeping its body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    lines = [line for line in head.splitlines() if line.split(":")[0] not in fields]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")


def test_a_changed_front_matter_field_is_an_update(engine, newsroom_corpus):
    engine.ingest([newsroom_corpus])
    set_front_matter(newsroom_corpus / "carjackings-2021.md", outlet="Example Sun")
    report = engine.ingest([newsroom_corpus])
    assert report.updated == ["https://news.example/2022/01/carjackings-2021"]
    assert engine.article("https://news.example/2022/01/carjackings-2021").outlet == "Example Sun"


def test_a_removed_file_is_removed_and_no_longer_cited(engine, newsroom_corpus):
    engine.ingest([newsroom_corpus])
    gone = "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."
    assert gone in cited(engine)
    beaches = path_id(newsroom_corpus, "beaches.txt")
    (newsroom_corpus / "beaches.txt").unlink()
    report = engine.ingest([newsroom_corpus])
    assert report.removed == [beaches]
    assert report.unchanged == 2
    assert gone not in cited(engine)
    assert engine.stats().articles == 2
    assert engine.article(beaches) is None


def test_a_file_that_became_unreadable_keeps_its_article(engine, newsroom_corpus):
    engine.ingest([newsroom_corpus])
    (newsroom_corpus / "beaches.txt").write_bytes(b"\x00\x01 corrupted on disk")
    report = engine.ingest([newsroom_corpus])
    assert report.removed == [] and len(report.skipped) == 1
    assert engine.stats().articles == 3


def test_ingesting_another_folder_removes_nothing_from_the_first(
    engine, newsroom_corpus, tmp_path, write_article
):
    engine.ingest([newsroom_corpus])
    write_article(
        "other.md", "Snow plows cleared 400 miles of streets overnight.\n", directory=tmp_path / "other"
    )
    report = engine.ingest([tmp_path / "other"])
    assert len(report.added) == 1 and report.removed == []
    assert engine.stats().articles == 4


def test_a_retracted_article_is_reported_retracted_and_never_cited(engine, newsroom_corpus):
    article_id = "https://news.example/2022/01/carjackings-2021"
    figure = "In 2021, Chicago saw nearly 2,098 carjackings, according to the Cook County Sheriff's Office."
    engine.ingest([newsroom_corpus])
    assert figure in cited(engine)
    set_front_matter(newsroom_corpus / "carjackings-2021.md", status="retracted")

    report = engine.ingest([newsroom_corpus])
    assert (report.retracted, report.removed, report.updated) == ([article_id], [], [])
    assert figure not in cited(engine)
    assert figure not in cited(engine, include_internal=True, question="how many carjackings in 2021?")
    assert engine.article(article_id) is None
    assert all(hit.source.article_id != article_id for hit in engine.search("carjackings sheriff sticker"))
    stats = engine.stats()
    assert (stats.articles, stats.retracted) == (2, 1)
    assert stats.vectors == stats.chunks


def test_an_answer_that_would_have_come_from_a_retracted_article_says_so(open_engine, newsroom_corpus):
    engine = open_engine()  # the shipped threshold: an answer, not every sentence
    engine.ingest([newsroom_corpus])
    question = "how many carjackings in 2021?"
    assert engine.ask(question).retracted is None, "nothing retracted yet"
    set_front_matter(newsroom_corpus / "carjackings-2021.md", status="retracted")
    engine.ingest([newsroom_corpus])

    answer = engine.ask(question)
    assert answer.retracted is not None
    assert answer.retracted.article_id == "https://news.example/2022/01/carjackings-2021"
    assert answer.retracted.retracted_on == dt.date.today(), "the day the archive recorded it"
    shown = {c.sentence for c in answer.quoted} | {r.sentence for r in answer.related}
    assert not any("2,098" in text for text in shown), "its text is still never cited"
    assert engine.ask("what do lifeguards do at the beaches?").retracted is None


def test_a_retracted_article_can_be_republished(engine, newsroom_corpus):
    path = newsroom_corpus / "carjackings-2021.md"
    set_front_matter(path, status="retracted")
    engine.ingest([newsroom_corpus])
    set_front_matter(path, status="published")
    engine.ingest([newsroom_corpus])
    assert any("2,098" in text for text in cited(engine))


def test_an_internal_article_is_cited_only_when_internal_articles_are_allowed(engine, newsroom_corpus):
    engine.ingest([newsroom_corpus])
    memo = "The zeppelin desk budget is 4,512,000 dollars for the hangar coverage, the finance desk said."
    question = "what is the zeppelin desk budget?"
    assert memo not in cited(engine, question=question)
    assert memo not in cited(engine)
    assert memo in cited(engine, question=question, include_internal=True)
    assert engine.article("https://intranet.example/memos/zeppelin") is None
    assert engine.article("https://intranet.example/memos/zeppelin", include_internal=True) is not None


def test_boilerplate_sentences_are_never_cited(engine, newsroom_corpus, seed_corpus_dir):
    engine.ingest([newsroom_corpus, seed_corpus_dir])
    texts = cited(engine) | cited(engine, question="WATCH video newsletter sign up sticker program launch")
    assert "The sheriff said the anti-carjacking sticker program would expand to every suburb." in texts
    assert "Just 57 of those cases have resulted in an arrest, according to city data." in texts
    assert not [t for t in texts if is_boilerplate_line(t)]
    for furniture in ("WATCH:", "newsletter", "pic.twitter.com", "t.co/", "Ashlee Rezin Garcia/Sun-Times"):
        assert not [t for t in texts if furniture in t], furniture


def test_every_citation_quotes_its_article_text_at_its_offsets(engine, newsroom_corpus, seed_corpus_dir):
    engine.ingest([newsroom_corpus, seed_corpus_dir])
    texts = {
        a.article_id: a.text
        for root in (newsroom_corpus, seed_corpus_dir)
        for a in read_corpus(root).articles
    }
    answer = engine.ask(OVERVIEW, include_internal=True)
    assert len(answer.quoted) > 20
    for c in answer.quoted:
        assert c.sentence == texts[c.source.article_id][c.start : c.end]


def test_bad_files_are_skipped_with_reasons_while_good_ones_ingest(engine, newsroom_corpus, write_article):
    (newsroom_corpus / "binary.md").write_bytes(b"\x00\x01\x02" * 40)
    (newsroom_corpus / "latin1.md").write_bytes("Café owner shot".encode("latin-1"))
    (newsroom_corpus / "empty.md").write_text("", encoding="utf-8")
    write_article("bad-visibility.md", "Body.\n", visibility="everyone")
    (newsroom_corpus / "export.jsonl").write_text(
        json.dumps({"title": "Bridge reopens", "text": "The Wells Street bridge reopened to 9,000 cars."})
        + "\n{broken\n",
        encoding="utf-8",
    )
    report = engine.ingest([newsroom_corpus])
    assert len(report.added) == 4
    reasons = {s.source.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert set(reasons) == {
        "binary.md",
        "latin1.md",
        "empty.md",
        "bad-visibility.md",
        "export.jsonl:2",
    }
    assert all(reasons.values())
    assert "The Wells Street bridge reopened to 9,000 cars." in cited(engine)


def test_an_article_whose_date_cannot_be_read_is_stored_undated_with_a_warning(
    engine, newsroom_corpus, write_article
):
    write_article("bad-date.md", "The ferry carried 120 riders.\n", published="last Tuesday")
    report = engine.ingest([newsroom_corpus])
    assert len(report.added) == 4 and report.skipped == []
    [warning] = report.warnings
    assert warning.source.endswith("bad-date.md") and "'last Tuesday'" in warning.warning
    assert engine.article(path_id(newsroom_corpus, "bad-date.md")).published is None


def test_a_path_that_does_not_exist_stops_the_ingest_before_anything_changes(
    engine, newsroom_corpus, tmp_path
):
    engine.ingest([newsroom_corpus])
    (newsroom_corpus / "beaches.txt").unlink()
    with pytest.raises(UserError) as refused:
        engine.ingest([newsroom_corpus, tmp_path / "no-such-folder"])
    assert "no-such-folder" in str(refused.value) and "newsbot ingest PATH" in str(refused.value)
    assert engine.stats().articles == 3, "nothing removed either"


def test_jsonl_articles_are_updated_and_removed_line_by_line(engine, corpus_dir):
    export = corpus_dir / "export.jsonl"

    def write(*records):
        export.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")

    one = {"url": "https://news.example/1", "title": "One", "text": "The ferry carried 120 riders."}
    two = {"url": "https://news.example/2", "title": "Two", "text": "The tollway raised fares by 40 cents."}
    write(one, two)
    assert len(engine.ingest([corpus_dir]).added) == 2
    write({**one, "text": "The ferry carried 150 riders."})
    report = engine.ingest([corpus_dir])
    assert report.updated == ["https://news.example/1"]
    assert report.removed == ["https://news.example/2"]
    texts = cited(engine)
    assert "The ferry carried 150 riders." in texts
    assert not {"The ferry carried 120 riders.", "The tollway raised fares by 40 cents."} & texts


def test_a_single_file_can_be_ingested(engine, newsroom_corpus):
    report = engine.ingest([newsroom_corpus / "beaches.txt"])
    assert report.added == [path_id(newsroom_corpus, "beaches.txt")]
    assert engine.stats().articles == 1


# ---- identity and duplicates ------------------------------------------------------------------


def cited_list(engine, question: str = OVERVIEW) -> list[str]:
    answer = engine.ask(question, include_internal=True)
    return [c.sentence for c in answer.citations]


def test_a_copy_of_the_corpus_is_the_same_articles_not_new_ones(engine, newsroom_corpus, tmp_path):
    engine.ingest([newsroom_corpus])
    copy = tmp_path / "somewhere" / "corpus-copy"
    shutil.copytree(newsroom_corpus, copy)
    report = engine.ingest([copy])
    assert (report.added, report.updated, report.unchanged) == ([], [], 3)
    assert engine.stats().articles == 3
    both = engine.ingest([newsroom_corpus, copy])
    assert (both.unchanged, len(both.duplicates)) == (3, 3)
    assert engine.stats().articles == 3
    sentences = cited_list(engine)
    assert len(sentences) == len(set(sentences)), "no sentence cited twice"


STORY = "The Wells Street bridge reopened to 9,000 cars on Monday, the transportation department said.\n"


@pytest.fixture
def wire_copies(corpus_dir, write_article):
    """One wire story under three names: two urls and a file without one."""
    write_article("a.md", STORY, url="https://one.example/bridge", title="Bridge reopens")
    write_article("b.md", STORY, url="https://two.example/wire/bridge", title="Wells St. bridge open")
    write_article(
        "c.txt",
        "The Wells Street bridge reopened to 9,000 cars  on Monday,\nthe transportation department said.",
    )
    return corpus_dir


def test_the_same_text_under_other_names_is_stored_once_and_lists_them(engine, wire_copies):
    report = engine.ingest([wire_copies])
    assert report.added == ["https://one.example/bridge"]
    assert [(Path(d.source).name, d.of) for d in report.duplicates] == [
        ("b.md", "https://one.example/bridge"),
        ("c.txt", "https://one.example/bridge"),
    ]
    assert engine.stats().articles == 1
    names = ["https://two.example/wire/bridge", str(wire_copies / "c.txt")]
    assert engine.article("https://one.example/bridge").also_published_as == names
    answer = engine.ask(OVERVIEW)
    [citation] = [c for c in answer.citations if "Wells Street" in c.sentence]
    assert citation.source.also_published_as == names
    assert engine.article("https://two.example/wire/bridge") is None
    again = engine.ingest([wire_copies])
    assert (again.added, again.unchanged, len(again.duplicates)) == ([], 1, 2)


def test_a_duplicate_whose_file_goes_is_no_longer_listed(engine, wire_copies):
    engine.ingest([wire_copies])
    (wire_copies / "b.md").unlink()
    report = engine.ingest([wire_copies])
    assert (report.removed, report.unchanged) == ([], 1)
    assert engine.article("https://one.example/bridge").also_published_as == [str(wire_copies / "c.txt")]


def test_when_the_stored_copy_goes_a_duplicate_takes_its_place(engine, wire_copies):
    engine.ingest([wire_copies])
    (wire_copies / "a.md").unlink()
    report = engine.ingest([wire_copies])
    assert (report.removed, report.added) == (
        ["https://one.example/bridge"],
        ["https://two.example/wire/bridge"],
    )
    assert engine.article("https://two.example/wire/bridge").also_published_as == [str(wire_copies / "c.txt")]
    assert any("Wells Street" in s for s in cited(engine))


def test_an_article_edited_into_a_copy_of_another_is_merged_into_it(engine, corpus_dir, write_article):
    write_article("a.md", STORY, url="https://one.example/bridge")
    write_article("b.md", "The Wells Street bridge stays shut.\n", url="https://two.example/bridge")
    engine.ingest([corpus_dir])
    write_article("b.md", STORY, url="https://two.example/bridge")
    report = engine.ingest([corpus_dir])
    assert [d.of for d in report.duplicates] == ["https://one.example/bridge"]
    assert engine.stats().articles == 1 and engine.article("https://two.example/bridge") is None
    assert engine.article("https://one.example/bridge").also_published_as == ["https://two.example/bridge"]


def test_one_url_given_two_texts_keeps_the_first_and_says_why(engine, corpus_dir, write_article):
    write_article("a.md", "First text.\n", url="https://news.example/same")
    write_article("b.md", "Second text.\n", url="https://news.example/same")
    report = engine.ingest([corpus_dir])
    assert report.added == ["https://news.example/same"]
    [skipped] = report.skipped
    assert (
        skipped.source.endswith("b.md")
        and "same id as" in skipped.reason
        and "another text" in skipped.reason
    )


def test_a_sentence_two_different_stories_share_is_cited_once(engine, corpus_dir, write_article):
    shared = "The transportation department said the bridge carries 9,000 cars a day."
    write_article(
        "a.md", f"The Wells Street bridge reopened on Monday. {shared}\n", url="https://a.example/1"
    )
    write_article("b.md", f"{shared} Its paint job cost 2 million dollars.\n", url="https://b.example/2")
    engine.ingest([corpus_dir])
    assert engine.stats().articles == 2, "different texts: two articles"
    assert cited_list(engine).count(shared) == 1
