"""The engine's structured answer as the terminal and JSON show it."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

from bot.cli.render import answer_json, answer_text, format_answer, format_hits, format_stats
from bot.display import BIDI_CONTROLS
from index.models import (
    AbstainReason,
    Answer,
    AnswerLine,
    ArticleFilter,
    Citation,
    Quote,
    SearchHit,
    Stats,
)
from tests.fixtures.answers import FIRST, SOURCE, cite, listing, read_as


def test_one_statement_leads_with_the_answer_then_quotes_its_sentence_with_the_span_in_bold():
    answer = listing().model_copy(update={"lines": [AnswerLine(citation=2)]})
    assert answer_text(answer) == (
        "942\nFrom Jan. 1 through July 24 of 2022, Chicago saw **942** vehicular hijackings. [2]"
    )
    dated = answer.model_copy(
        update={"lines": [AnswerLine(citation=1, period="from January to April of 2022")]}
    )
    assert answer_text(dated).splitlines()[0] == "More than 500 from January to April of 2022"


def test_a_statement_without_an_answer_span_is_its_sentence_alone():
    plain = Citation(n=1, source=SOURCE, sentence=FIRST, start=0, end=len(FIRST), score=0.5)
    answer = Answer(
        question="what happened?", abstained=False, lines=[AnswerLine(citation=1)], citations=[plain]
    )
    assert answer_text(answer) == f"{FIRST} [1]"


def test_several_figures_are_listed_each_with_the_period_its_sentence_gives():
    assert answer_text(listing()).splitlines() == [
        "Sources give these figures:",
        "- from January to April of 2022: More than 500 — **More than 500** were logged from January to "
        "April of 2022. [1]",
        "- period not stated in the sentence: 942 — From Jan. 1 through July 24 of 2022, Chicago saw **942** "
        "vehicular hijackings. [2]",
    ]


def test_an_abstention_names_the_period_asked_and_shows_related_passages_apart():
    related = Quote(source=SOURCE, sentence=FIRST, start=0, end=len(FIRST), score=0.2)
    answer = Answer(
        question="how many carjackings in 2019?",
        abstained=True,
        abstain_reason=AbstainReason.NO_ANSWER,
        period="2019",
        related=[related],
    )
    text = format_answer(answer)
    assert text.startswith("Not in the archive: no article I have answers this for 2019.")
    assert f'Related passages (not an answer):\n  - "{FIRST}" (Carjackings, 2022-01-05)' in text


def test_the_json_keeps_its_documented_fields_and_adds_the_lines():
    shown = answer_json(listing())
    assert {"question", "answer", "abstained", "citations", "related", "kind", "period", "confidence"} <= set(
        shown
    )
    assert shown["answer"] == answer_text(listing())
    first = shown["citations"][0]
    assert first == {
        "n": 1,
        "article_id": SOURCE.article_id,
        "title": "Carjackings",
        "url": SOURCE.url,
        "outlet": "Example Tribune",
        "published": "2022-01-05",
        "also_published_as": [],
        "retracted_on": None,
        "note": None,
        "updated": None,
        "sentence": FIRST,
        "start": 10,
        "end": 10 + len(FIRST),
        "score": 0.5,
        "answer_start": 0,
        "answer_end": 13,
        "period": "from January to April of 2022",
        "attributed_to": None,
    }
    assert shown["lines"] == [
        {"citation": 1, "period": "from January to April of 2022"},
        {"citation": 2, "period": None},
    ]
    assert shown["kind"] == "how_many" and shown["abstain_reason"] is None


# Erase the line and move up, hide text, a disguised OSC 8 link, an 8-bit CSI, a right-to-left
# override, a backspace and a bell.
HOSTILE = (
    "Police said \x1b[2K\r\x1b[1AFake answer \x1b[8mhidden\x1b[0m "
    "\x1b]8;;https://evil.example\x1b\\the report\x1b]8;;\x1b\\ \x9b31m \u202egnp.exe\b\x07."
)


def controls(text: str) -> list[str]:
    return [ch for ch in text if (unicodedata.category(ch) == "Cc" and ch != "\n") or ch in BIDI_CONTROLS]


def hostile_answer() -> Answer:
    source = SOURCE.model_copy(update={"title": "Title \x1b[2J", "outlet": "\x1b]0;pwned\x07Outlet"})
    citation = Citation(
        n=1, source=source, sentence=HOSTILE, start=0, end=len(HOSTILE), score=0.5, answer_span=(0, 6)
    )
    return Answer(question="q", abstained=False, lines=[AnswerLine(citation=1)], citations=[citation])


def test_article_text_cannot_drive_the_terminal():
    answer = hostile_answer()
    hit = SearchHit(source=answer.citations[0].source, snippet=HOSTILE, score=1.0)
    stats = Stats(
        articles=1, sentences=1, chunks=1, vectors=1, retracted=0, internal=0, model="m\x1b[31m",
        dimension=384, last_ingest=None, feedback_helpful=0, feedback_unhelpful=0, index_dir="/x",
    )  # fmt: skip
    for shown in (format_answer(answer), format_hits([hit]), format_stats(stats)):
        assert controls(shown) == [], shown
    text = format_answer(answer)
    assert "\\x1b[2K\\r\\x1b[1AFake answer" in text, "shown as escapes, so the attempt is visible"
    assert "\\x1b]8;;https://evil.example" in text and "\\u202egnp.exe\\x08\\x07" in text
    assert "Title \\x1b[2J" in text and "\\x1b]0;pwned\\x07Outlet" in text


def test_the_json_answer_keeps_article_text_exact_and_json_escaped():
    dumped = json.dumps(answer_json(hostile_answer()))
    assert controls(dumped) == [] and dumped.isascii()
    assert json.loads(dumped)["citations"][0]["sentence"] == HOSTILE


def test_an_abstention_for_a_period_no_article_reaches_says_what_the_archive_covers():
    answer = Answer(
        question="how many carjackings in 1990?",
        abstained=True,
        abstain_reason=AbstainReason.PERIOD_NOT_COVERED,
        period="1990",
        covered_from=dt.date(2021, 1, 5),
        covered_to=dt.date(2022, 7, 28),
    )
    assert answer_text(answer) == (
        "Not in the archive: nothing I have on this speaks of 1990 (the articles I found on it are "
        "from 2021-01-05 to 2022-07-28)."
    )


def test_a_citation_names_where_the_same_text_was_also_published():
    copies = ["https://two.example/wire/bridge", "/archive/wire/bridge.txt"]
    citation = cite(1, FIRST, "More than 500", None).model_copy(
        update={"source": SOURCE.model_copy(update={"also_published_as": copies})}
    )
    answer = Answer(question="q", abstained=False, lines=[AnswerLine(citation=1)], citations=[citation])
    assert f"    also published as: {', '.join(copies)}" in format_answer(answer).splitlines()
    assert answer_json(answer)["citations"][0]["also_published_as"] == copies


def test_search_hits_mark_the_matched_words_and_say_nothing_of_an_outlet_not_known():
    snippet = "Lifeguards returned to 23 lakefront beaches on Monday."
    source = SOURCE.model_copy(update={"outlet": None})
    hit = SearchHit(source=source, snippet=snippet, score=0.5, marks=[(0, 10), (36, 43)])
    first, second = format_hits([hit]).splitlines()
    assert first == f"1. Carjackings (2022-01-05) {SOURCE.url}", "no 'outlet unknown'"
    assert second == "   **Lifeguards** returned to 23 lakefront **beaches** on Monday."


def test_an_answer_that_would_have_come_from_a_retracted_article_says_when_it_was_retracted():
    gone = SOURCE.model_copy(update={"retracted_on": dt.date(2022, 8, 1)})
    answer = Answer(question="q", abstained=True, period="2021", retracted=gone)
    note = 'The article that reported this ("Carjackings") was retracted on 2022-08-01.'
    assert format_answer(answer).splitlines()[:2] == [
        "Not in the archive: no article I have answers this for 2021.",
        note,
    ]
    shown = answer_json(answer)
    assert shown["retraction_note"] == note and shown["retracted"]["retracted_on"] == "2022-08-01"
    assert answer_json(listing())["retracted"] is None


def test_an_answer_ends_with_the_line_saying_how_its_question_was_read():
    answer = listing().model_copy(update={"reading": read_as()})
    assert format_answer(answer).splitlines()[-1] == "Read as: how many · carjackings · in 2021 · all outlets"
    abstained = Answer(question="how many carjackings in 2021?", abstained=True, reading=read_as())
    assert format_answer(abstained).splitlines()[-2:] == [
        "",
        "Read as: how many · carjackings · in 2021 · all outlets",
    ]


def test_the_json_answer_carries_the_reading_as_data_and_as_its_line():
    reading = read_as(filters=ArticleFilter(outlet="Example Tribune", since=dt.date(2022, 1, 1)))
    shown = json.loads(json.dumps(answer_json(listing().model_copy(update={"reading": reading}))))
    assert shown["reading"]["filters"] == {"outlet": "Example Tribune", "since": "2022-01-01", "until": None}
    assert shown["reading"]["kind"] == "how_many" and shown["reading"]["counted"] == "carjackings"
    assert shown["reading_line"].endswith("Example Tribune only · published since 2022-01-01")
