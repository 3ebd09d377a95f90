"""A corrected article's citations carry its note and updated date; the note's own sentences and
a sentence repeating what the note says was wrong are never cited; an article with no note has
none; a new version without the note drops it."""

from __future__ import annotations

import datetime as dt

from tests.fixtures.backends import both_backends

pytest_generate_tests = both_backends  # engine tests run against both archives

CORRECTED = """\
A water main broke under Elm Street early Tuesday, flooding three blocks.
Officials first said the pipe was 60 years old.
Crews replaced the 90-year-old cast iron pipe by Wednesday night.
Correction: An earlier version of this story said the pipe was 60 years old. It was laid in 1934.
Updated March 6, 2024.
"""
PLAIN = "The Riverton ferry will run every 20 minutes during the summer, the transit authority said.\n"
META = {
    "title": "Water main break floods Elm Street",
    "url": "https://riverton.test/water",
    "published": "2024-03-05",
}


def cited(engine, question):
    return engine.ask(question).citations


def test_citations_of_a_corrected_article_carry_its_note_and_date(
    write_article, corpus_dir, open_engine, cite_everything
):
    write_article("water.md", CORRECTED, **META)
    write_article("ferry.md", PLAIN, title="Ferry runs more often", url="https://riverton.test/ferry")
    engine = open_engine(cite_everything)
    engine.ingest([corpus_dir])

    citations = cited(engine, "How old was the pipe under Elm Street?")
    water = [c for c in citations if c.source.article_id == META["url"]]
    assert water, citations
    for citation in water:
        assert citation.source.note is not None and citation.source.note.startswith(
            "Correction: An earlier version"
        )
        assert citation.source.updated == dt.date(2024, 3, 6)
    ferry = [
        c for c in cited(engine, "How often will the ferry run?") if c.source.article_id.endswith("ferry")
    ]
    assert ferry and all(c.source.note is None and c.source.updated is None for c in ferry)


def test_neither_the_note_nor_the_sentence_it_corrects_is_cited(
    write_article, corpus_dir, open_engine, cite_everything
):
    write_article("water.md", CORRECTED, **META)
    engine = open_engine(cite_everything)
    engine.ingest([corpus_dir])

    sentences = {c.sentence for c in cited(engine, "How old was the pipe under Elm Street?")}
    assert "Crews replaced the 90-year-old cast iron pipe by Wednesday night." in sentences
    assert not any("60 years old" in s or s.startswith(("Correction", "Updated")) for s in sentences), (
        sentences
    )


def test_a_new_version_without_the_note_cites_without_it(
    write_article, corpus_dir, open_engine, cite_everything
):
    write_article("water.md", CORRECTED, **META)
    engine = open_engine(cite_everything)
    engine.ingest([corpus_dir])
    write_article("water.md", CORRECTED.split("Correction")[0], **META)
    engine.ingest([corpus_dir])

    citations = cited(engine, "How old was the pipe under Elm Street?")
    assert citations and all(c.source.note is None for c in citations)
