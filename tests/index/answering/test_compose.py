"""Composing cited answers from scored sentences: no model, hand-made candidates.

Vectors are built so that a candidate's dense similarity to the question is exactly `dense`.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pytest

from index.answering.compose import compose, judge
from index.answering.question import analyse, news_day
from index.answering.retrieval import Candidate, recency
from index.answering.scoring import answer_span, counted_figures, names_the_same, period_fit
from index.models import AbstainReason, Answer, AnswerKind, Period, PeriodBasis, PeriodFit, Source
from index.params import AnswerParams
from index.text.periods import tag_sentences
from index.text.spans import figure_spans, time_spans
from tests.fixtures.paths import SEED_TODAY as TODAY

PUBLISHED = dt.date(2022, 7, 28)
Q = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)

# The NBC 5 article's figures, one paragraph each, as in the seed corpus.
NBC = [
    "Earlier this year, The Chicago-Sun Times reported more than 500 carjackings had already been "
    "logged from January to April of 2022.",
    "And, according to data analyzed from NBC 5 Investigates, from Jan. 1 through July 24 of 2022, "
    "Chicago saw 942 vehicular hijackings, which averages to more than four a day.",
    "In 2021 alone, the Cook County Sheriff's Office confirms that Chicago saw nearly 2,098 "
    "incidents of vehicular hijacking.",
    "Officials say the incident took place around 6:05 p.m. in the 8800 block of South Constance Avenue.",
    "The effort comes as Chicago is on the heels of what is historically the time of year that "
    "sees the most carjackings.",
    '"He remained stable throughout the entire case, and he\'s currently doing well," said Dr. '
    "Susan Rowell, a trauma surgeon at University of Chicago Medical Center, where the officer was "
    "treated.",
]
ARTICLE_TEXT = "\n".join(NBC) + "\n"
SOURCE = Source(
    article_id="https://news.example/nbc",
    title="Off-duty officer",
    url="https://news.example/nbc",
    outlet="NBC 5 Chicago",
    published=PUBLISHED,
)


def vector(dense: float) -> np.ndarray:
    return np.array([dense, math.sqrt(max(0.0, 1 - dense * dense)), 0.0, 0.0], dtype=np.float32)


def candidate(
    text: str,
    *,
    dense: float = 0.9,
    chunk: float = 1.0,
    sentence_id: int | None = None,
    periods: tuple[Period, ...] | None = None,
    source: Source = SOURCE,
    article_text: str = ARTICLE_TEXT,
) -> Candidate:
    start = article_text.find(text)
    assert start >= 0 or article_text == "", "a candidate is a sentence of its article"
    start = max(start, 0)
    if periods is None:
        periods = tag_sentences([text], [0], source.published)[0]
    return Candidate(
        sentence_id=sentence_id if sentence_id is not None else start,
        text=text,
        start=start,
        end=start + len(text),
        periods=periods,
        vector=vector(dense),
        chunk_score=chunk,
        source=source,
    )


def reranker_agreeing_with_dense(candidates):
    """A stand-in cross-encoder whose logit follows each candidate's dense similarity: 0.9 reads
    as +8, 0.5 as 0, 0.1 as -8."""
    dense = {c.text: float(np.dot(Q, c.vector)) for c in candidates}

    def rerank(question: str, passages: list[str]) -> np.ndarray:
        return np.array([20 * next(d for t, d in dense.items() if p.endswith(t)) - 10 for p in passages])

    return rerank


def ask(question: str, candidates, params: AnswerParams = AnswerParams()) -> Answer:
    return compose(
        analyse(question, TODAY), Q, candidates, params, rerank=reranker_agreeing_with_dense(candidates)
    )


def stated(answer: Answer) -> str:
    """The sentences the answer states, as one text."""
    return " ".join(c.sentence for c in answer.stated)


def answered(answer: Answer) -> list[str | None]:
    """The answer span of each statement, in order."""
    return [c.answer_text for c in answer.stated]


def listed(answer: Answer) -> list[tuple[str | None, str | None]]:
    """(period label, answer span) of each statement."""
    return [(line.period, answer.citation(line.citation).answer_text) for line in answer.lines]


def numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,.:]*\d|\d", text)


# ---- the period decides -----------------------------------------------------------------------


def test_a_figure_for_another_period_is_never_the_answer():
    answer = ask(
        "how many carjackings in 2021?",
        [candidate(NBC[1], dense=0.95), candidate(NBC[0], dense=0.95), candidate(NBC[2], dense=0.8)],
    )
    assert not answer.abstained
    assert answered(answer) == ["nearly 2,098"]
    assert [c.sentence for c in answer.citations] == [NBC[2]]
    assert answer.citations[0].period == "2021"


def test_when_only_other_periods_are_found_it_abstains_and_shows_them_as_related():
    answer = ask(
        "how many carjackings in 2019?", [candidate(NBC[0], dense=0.95), candidate(NBC[2], dense=0.9)]
    )
    assert answer.abstained and answer.abstain_reason is AbstainReason.PERIOD_NOT_COVERED
    assert answer.period == "2019" and answer.covered_to == PUBLISHED, "what the archive does cover"
    assert answer.citations == [] and answer.lines == []
    assert {r.sentence for r in answer.related} == {NBC[0], NBC[2]}


def test_a_figure_from_articles_of_another_time_does_not_answer_for_a_period_nothing_speaks_of():
    """A sentence stating no period gives a figure of its article's time: asked about a year no
    sentence speaks of and no article was published in, it is no answer, however close its words;
    asked about its article's year, it is."""
    text = "Chicago saw 1,400 carjackings, police said.\n"
    undated_figure = candidate("Chicago saw 1,400 carjackings, police said.", dense=0.99, article_text=text)
    answer = ask("how many carjackings in 2019?", [undated_figure])
    assert answer.abstained and answer.abstain_reason is AbstainReason.PERIOD_NOT_COVERED
    assert answer.covered_to == PUBLISHED
    assert answered(ask("how many carjackings in 2022?", [undated_figure])) == ["1,400"]


def test_how_many_is_answered_by_a_figure_not_by_a_sentence_without_one():
    no_figure = candidate(NBC[4], dense=0.99)
    assert ask("how many carjackings in 2022?", [no_figure]).abstained
    answer = ask("how many carjackings in 2021?", [no_figure, candidate(NBC[2], dense=0.8)])
    assert not answer.abstained
    assert answer.citations[0].sentence == NBC[2]
    assert NBC[4] not in stated(answer)


def test_figures_for_different_periods_are_listed_with_their_period_labels():
    jan_apr = "The Sun-Times reported more than 500 carjackings from January to April of 2022."
    jan_jul = "NBC 5 counted 942 carjackings from Jan. 1 through July 24 of 2022."
    text = f"{jan_apr}\n{jan_jul}\n"
    answer = ask(
        "how many carjackings in 2022?",
        [candidate(jan_apr, article_text=text), candidate(jan_jul, article_text=text)],
    )
    assert not answer.abstained
    assert set(listed(answer)) == {
        ("from January to April of 2022", "more than 500"),
        ("from Jan. 1 through July 24 of 2022", "942"),
    }
    assert {c.sentence for c in answer.citations} == {jan_apr, jan_jul}
    assert {c.period for c in answer.citations} == {
        "from January to April of 2022",
        "from Jan. 1 through July 24 of 2022",
    }


def test_seed_figures_for_both_2022_periods_are_listed_at_equal_similarity():
    answer = ask(
        "how many carjackings in 2022?", [candidate(NBC[0], dense=0.9), candidate(NBC[1], dense=0.9)]
    )
    assert sorted(answered(answer)) == ["942", "more than 500"]


def test_the_same_figure_from_two_sources_is_listed_once_and_both_are_cited():
    tribune = "In 2021, Chicago saw nearly 2,098 carjackings, the sheriff said."
    sun = "In 2021, Chicago saw nearly 2,098 carjackings, police said."
    other = Source(
        article_id="https://other.example/x", title="Other", url=None, outlet="Other", published=PUBLISHED
    )
    answer = ask(
        "how many carjackings in 2021?",
        [
            candidate(tribune, dense=0.9, article_text=tribune),
            candidate(sun, dense=0.9, source=other, article_text=sun, sentence_id=999),
        ],
    )
    assert answered(answer) == ["nearly 2,098"], "one statement of the figure"
    assert [c.sentence for c in answer.citations] == [tribune] and answer.lines[0].citation == 1
    assert {c.sentence for c in answer.more_sources} == {sun}, "the second source is still quoted"


def test_a_weak_match_abstains_with_its_confidence():
    answer = ask("how many carjackings in 2021?", [candidate(NBC[2], dense=0.1, chunk=0.1)])
    assert answer.abstained
    assert 0 < answer.confidence < AnswerParams().threshold
    assert answer.related and answer.related[0].sentence == NBC[2]


def test_no_candidates_abstains_without_related():
    answer = ask("how many carjackings in 2021?", [])
    assert answer.abstained and answer.related == [] and answer.citations == []


def test_at_most_max_answers_figures_are_listed():
    figures = [f"In 2022, Chicago saw {n} carjackings, source {n} said." for n in range(101, 108)]
    text = "\n".join(figures)
    cands = [candidate(f, dense=0.9, article_text=text) for f in figures]
    answer = ask("how many carjackings in 2022?", cands, AnswerParams(max_answers=3))
    assert len(answer.lines) == 3


# ---- every number and every citation can be checked ---------------------------------------------

QUESTIONS = [
    "how many carjackings in 2021?",
    "how many carjackings in 2022?",
    "how many vehicular hijackings from January to April of 2022?",
    "how many carjackings in 2019?",
    "What time did the carjacking attempt happen?",
    "Which hospital treated the officer?",
    "who is the trauma surgeon?",
    "what happened on South Constance Avenue?",
]


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("dense", [(0.9, 0.9, 0.9, 0.9, 0.9, 0.9), (0.6, 0.9, 0.7, 0.8, 0.5, 0.9)])
def test_every_number_in_an_answer_appears_in_a_cited_sentence(question, dense):
    answer = ask(question, [candidate(text, dense=d) for text, d in zip(NBC, dense, strict=True)])
    cited = " ".join(c.sentence for c in answer.quoted)
    said = [line.period or "" for line in answer.lines] + [a or "" for a in answered(answer)]
    for number in numbers(" ".join(said)):
        assert number in cited, (number, answer)
    assert {line.citation for line in answer.lines} <= {c.n for c in answer.citations}


@pytest.mark.parametrize("question", QUESTIONS)
def test_citations_quote_their_article_verbatim(question):
    answer = ask(question, [candidate(text, dense=0.9) for text in NBC], AnswerParams(threshold=0.3))
    assert answer.citations or answer.abstained
    assert {line.citation for line in answer.lines} == {c.n for c in answer.citations}, (
        "every citation is stated"
    )
    for n, citation in enumerate(answer.quoted, start=1):
        assert citation.n == n
        assert citation.sentence == ARTICLE_TEXT[citation.start : citation.end]
        assert citation.source == SOURCE
        if citation.answer_span is not None:
            a, b = citation.answer_span
            assert 0 <= a < b <= len(citation.sentence)


def test_a_period_label_carried_from_context_only_uses_numbers_of_cited_sentences():
    paragraph = [
        "From Jan. 1 through July 24 of 2022, Chicago saw 942 vehicular hijackings.",
        "Police made 57 arrests in those cases, according to city data.",
    ]
    other = "Police made 31 arrests in carjacking cases from January to April of 2022."
    text = "\n".join([*paragraph, other])
    tags = tag_sentences([*paragraph, other], [0, 0, 1], PUBLISHED)
    cands = [
        candidate(paragraph[1], periods=tags[1], article_text=text),
        candidate(other, periods=tags[2], article_text=text),
    ]
    answer = ask("how many arrests in 2022?", cands)
    assert len(answer.lines) == 2
    cited = " ".join(c.sentence for c in answer.citations)
    for period, figure in listed(answer):
        for number in numbers(f"{period} {figure}"):
            assert number in cited, (number, answer)


# ---- answer spans by kind -------------------------------------------------------------------


def test_the_answer_span_of_a_how_many_question_is_the_figure_with_its_qualifier():
    answer = ask("how many carjackings in 2021?", [candidate(NBC[2])])
    citation = answer.citations[0]
    assert citation.answer_span is not None
    assert citation.sentence[slice(*citation.answer_span)] == "nearly 2,098"
    assert answer.lines[0].citation == citation.n


def test_a_where_question_marks_the_place():
    answer = ask("Which hospital treated the officer?", [candidate(NBC[5], dense=0.8)])
    assert not answer.abstained
    assert answered(answer) == ["University of Chicago Medical Center"]


def test_a_when_question_marks_the_clock_time():
    answer = ask("What time did the incident take place?", [candidate(NBC[3], dense=0.8)])
    assert not answer.abstained
    assert answered(answer) == ["6:05 p.m."]


def test_a_what_question_quotes_the_sentence_unmarked():
    answer = ask("what happened on South Constance Avenue?", [candidate(NBC[3], dense=0.8)])
    assert stated(answer) == NBC[3] and answered(answer) == [None]


@pytest.mark.parametrize(
    ("sentence", "figures"),
    [
        (NBC[2], ["nearly 2,098"]),
        (NBC[1], ["942", "more than four"]),
        (
            "Neighbors and witnesses told NBC 5 they heard more than a dozen gunshots fired.",
            ["more than a dozen"],
        ),
        ("please contact @Area2Detectives at (312) 747-8271.", []),
        ("The officer will be on administrative duties for 30 days.", ["30 days"]),
        ("Police said 57 cases resulted in an arrest.", ["57"]),
        ("The budget rose 12 percent to 4.5 million dollars.", ["12 percent", "4.5 million"]),
    ],
)
def test_figures_are_counts_and_amounts_not_dates_times_phones_or_names(sentence, figures):
    periods = tag_sentences([sentence], [0], PUBLISHED)[0]
    assert [sentence[a:b] for a, b in figure_spans(sentence, periods)] == figures


@pytest.mark.parametrize(
    ("sentence", "figures"),
    [
        ("The takeover was worth £124bn, up from €5m, or 30p a share.", ["£124bn", "€5m", "30p"]),
        ("He ran the 100m in 9.85 seconds as turnout rose 12.3%.", ["100m", "9.85 seconds", "12.3%"]),
        ("Sales of the Commodore 64 and of Ocean's Twelve passed 2 million.", ["2 million"]),
        ("The fund lost $2.3bn, or 15 per cent, in 12 months.", ["$2.3bn", "15 per cent", "12 months"]),
        ("On Tuesday 57 people were hurt, Route 66 police said.", ["57"]),
    ],
)
def test_figures_keep_their_currency_magnitude_and_unit_and_names_keep_their_numbers(sentence, figures):
    assert [sentence[a:b] for a, b in figure_spans(sentence, ())] == figures


@pytest.mark.parametrize(
    ("sentence", "question", "expected"),
    [
        (
            "The minister resigned on Tuesday.",
            "Who resigned on Tuesday?",
            "The minister resigned on Tuesday.",
        ),
        ("Stuart was replaced by Jane Smith.", "Who replaced Graham Stuart?", "Jane Smith"),
        ("The summit was held in Geneva, not Chicago.", "Where was the Chicago summit held?", "Geneva"),
    ],
)
def test_a_who_or_where_span_is_a_new_name_not_a_weekday_or_the_questions_own(sentence, question, expected):
    answer = ask(question, [candidate(sentence, article_text=sentence, periods=())])
    assert not answer.abstained
    assert (answer.stated[0].answer_text or answer.stated[0].sentence) == expected


def test_a_dollar_amount_keeps_its_dollar_sign():
    sentence = "The city paid $4.5 million for the cameras."
    assert [sentence[a:b] for a, b in figure_spans(sentence, ())] == ["$4.5 million"]


@pytest.mark.parametrize(
    ("sentence", "figure"),
    [
        ("Just 57 of those cases have resulted in an arrest, according to city data.", "57"),
        ("Nearly 2,098 carjackings were reported in 2021.", "2,098"),
        ("The 32-year-old officer underwent surgery on Monday and is in fair condition.", "32-year-old"),
        ("About 500 people attended the vigil.", "500"),
    ],
)
def test_a_figure_after_a_capitalised_first_word_is_a_figure(sentence, figure):
    found = [sentence[a:b] for a, b in figure_spans(sentence, ())]
    assert any(figure in f for f in found), found


def test_an_address_block_number_is_not_a_figure():
    periods = tag_sentences([NBC[3]], [0], PUBLISHED)[0]
    assert figure_spans(NBC[3], periods) == []


def test_time_spans_include_clock_times_and_stated_periods():
    periods = tag_sentences([NBC[3]], [0], PUBLISHED)[0]
    assert [NBC[3][a:b] for a, b in time_spans(NBC[3], periods)] == ["6:05 p.m."]
    periods = tag_sentences([NBC[2]], [0], PUBLISHED)[0]
    assert [NBC[2][a:b] for a, b in time_spans(NBC[2], periods)] == ["2021"]


@pytest.mark.parametrize(
    ("sentence", "times"),
    [
        ("The abbey was in use in the 10th and 11th centuries.", ["the 10th and 11th centuries"]),
        ("The first bridge dates from the ninth century.", ["the ninth century"]),
        ("The charter was granted in 911.", ["911"]),
        ("The town fell in February 1082 after a siege.", ["February 1082"]),
        ("In the 1050s the mill was rebuilt.", ["the 1050s"]),
        ("The king ruled between 1016 and 1035.", ["1016", "1035"]),
        ("The wall was finished around 122 AD.", ["122 AD"]),
        # Counts after the same words are not times.
        ("Volunteers built 1500 homes in 1500 days.", []),
        ("Sales rose by 250 percent.", []),
    ],
)
def test_time_spans_include_centuries_decades_and_years_before_1800(sentence, times):
    """A "when" question about history is answered by the time its sentence gives, though the
    period reader starts at 1800."""
    assert [sentence[a:b] for a, b in time_spans(sentence, ())] == times


def test_answer_span_picks_the_figure_nearest_the_question_terms():
    text = "Police made 12 arrests while 942 vehicular hijackings were counted."
    c = candidate(text, article_text=text, periods=())
    assert text[slice(*answer_span(AnswerKind.HOW_MANY, c, ["hijacking"]))] == "942"
    assert text[slice(*answer_span(AnswerKind.HOW_MANY, c, ["arrest"]))] == "12"


# ---- period fit ---------------------------------------------------------------------------

Y2021 = Period(start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), text="2021")
Y2022 = Period(start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31), text="2022")
JAN_APR_2022 = Period(start=dt.date(2022, 1, 1), end=dt.date(2022, 4, 30), text="January to April of 2022")
PUBLISHED_ONLY = Period(start=PUBLISHED, end=PUBLISHED, basis=PeriodBasis.PUBLISHED)


@pytest.mark.parametrize(
    ("asked", "periods", "fit"),
    [
        (Y2022, (JAN_APR_2022,), PeriodFit.WITHIN),
        (JAN_APR_2022, (Y2022,), PeriodFit.OVERLAP),
        (Y2022, (PUBLISHED_ONLY,), PeriodFit.DATED),
        (Y2021, (PUBLISHED_ONLY,), PeriodFit.OUTSIDE),
        (Y2021, (Y2022,), PeriodFit.CONFLICT),
        (Y2021, (Y2022, PUBLISHED_ONLY), PeriodFit.CONFLICT),
        (None, (Y2022,), PeriodFit.UNKNOWN),
        (Y2021, (), PeriodFit.UNKNOWN),
    ],
)
def test_period_fit(asked, periods, fit):
    assert period_fit(asked, periods) is fit


def test_a_sentence_found_in_two_chunks_is_scored_by_its_best_chunk():
    best = candidate(NBC[2], chunk=1.0, sentence_id=7)
    worse = candidate(NBC[2], chunk=0.0, sentence_id=7)
    alone = ask("how many carjackings in 2021?", [best])
    both = ask("how many carjackings in 2021?", [best, worse])
    assert both.citations[0].score == alone.citations[0].score


def _counting_candidate(text: str, title: str = "Crime figures") -> Candidate:
    source = Source(
        article_id="https://news.example/figures", title=title, url=None, outlet=None, published=PUBLISHED
    )
    return Candidate(
        sentence_id=1,
        text=text,
        start=0,
        end=len(text),
        periods=(),
        vector=np.ones(4) / 2,
        chunk_score=1.0,
        source=source,
    )


def test_a_count_is_matched_to_its_thing_by_shared_words_inside_longer_ones():
    question = analyse("how many shots did neighbours hear?", TODAY)
    sentence = "Neighbors told NBC 5 they heard more than a dozen gunshots fired."
    candidate = _counting_candidate(sentence)
    # An encoder that would reject every figure by meaning: the shared stem alone must accept it.
    reject = lambda texts: np.eye(len(texts), 4)  # noqa: E731
    allowed = counted_figures(question, [candidate], reject, AnswerParams())[1]
    assert [sentence[a:b] for a, b in allowed] == ["more than a dozen"]


def test_a_count_of_another_thing_is_not_an_answer_when_the_model_says_so():
    question = analyse("how many homicides in 2021?", TODAY)
    candidate = _counting_candidate("In 2021 the city saw nearly 2,098 incidents of vehicular hijacking.")
    orthogonal = lambda texts: np.eye(len(texts), 4)  # noqa: E731
    assert counted_figures(question, [candidate], orthogonal, AnswerParams())[1] == []


@pytest.mark.parametrize(
    ("question", "sentence", "money"),
    [
        (
            "How much money did the committee spend on legal services in 2022?",
            "In 2022 the committee paid 12 law firms a total of $16 million for its legal work.",
            ["a total of $16 million"],
        ),
        (
            "How much is his pay package worth?",
            "The board approved the 10-year package, valued at £51bn, in 2018.",
            ["£51bn"],
        ),
        (
            "how much will the repairs cost?",
            "Repairs to 40 bridges will cost 45 million dollars.",
            ["45 million"],
        ),
    ],
)
def test_a_question_about_money_is_answered_by_a_sum_of_money(question, sentence, money):
    """Whatever words follow the sum ("for its legal work"), and never by a count beside it."""
    candidate = _counting_candidate(sentence)
    orthogonal = lambda texts: np.eye(len(texts), 4)  # noqa: E731 (the words after mean nothing alike)
    allowed = counted_figures(analyse(question, TODAY), [candidate], orthogonal, AnswerParams())[1]
    assert [sentence[a:b] for a, b in allowed] == money


def test_a_figure_for_another_place_weighs_less_for_a_question_naming_a_place():
    chicago = _counting_candidate("In 2021 alone, Chicago saw nearly 2,098 carjackings.")
    elsewhere = analyse("How many carjackings were there in New York City in 2021?", TODAY)
    here = analyse("How many carjackings were there in Chicago in 2021?", TODAY)
    assert not names_the_same(elsewhere, chicago) and names_the_same(here, chicago)
    judged = [judge(q, Q, [chicago], AnswerParams())[0] for q in (elsewhere, here)]
    assert judged[0].features["names_missing"] == 1.0 and judged[1].features["names_missing"] == 0.0
    assert judged[0].probability < judged[1].probability


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("United States", "The US economy grew 2% last year."),
        ("US", "The United States economy grew 2% last year."),
        ("Graham Stuart", "Mr Stuart said the plan would cost £5m."),
        ("NHS", "The National Health Service said waiting lists fell."),
    ],
)
def test_names_match_their_parts_and_acronyms(name, text):
    question = analyse(f"How much did {name} spend in 2021?", TODAY)
    assert question.names == [name]
    assert names_the_same(question, _counting_candidate(text))


def test_a_city_is_not_matched_by_the_common_noun_of_its_name():
    question = analyse("How many carjackings were there in New York City in 2021?", TODAY)
    assert not names_the_same(question, _counting_candidate("The city council of Chicago met in 2021."))


# ---- a day's news --------------------------------------------------------------------------------


def _story(text: str, published: dt.date | None, sentence_id: int) -> Candidate:
    source = Source(
        article_id=f"https://news.example/{sentence_id}", title="Harbour news", url=None, outlet=None,
        published=published,
    )  # fmt: skip
    return Candidate(
        sentence_id=sentence_id, text=text, start=0, end=len(text), periods=(), vector=np.ones(4) / 2,
        chunk_score=1.0, source=source,
    )  # fmt: skip


def test_recency_is_one_on_the_day_halves_by_the_half_life_and_is_none_after_it():
    day = dt.date(2023, 3, 15)
    assert recency(day, day, 7.0) == 1.0
    assert recency(day, day - dt.timedelta(days=7), 7.0) == 0.5
    assert recency(day, day + dt.timedelta(days=1), 7.0) == 0.0
    assert recency(None, day, 7.0) == 0.0 and recency(day, None, 7.0) == 0.0


def test_a_question_about_a_days_news_reads_the_articles_of_that_day_first():
    """Two stories name a new harbour master; asked as of the second story's day, the question
    "who is the new harbour master this week?" ranks that week's story above last year's."""
    day = dt.date(2023, 3, 15)
    old = _story("Ada Byrne was named harbour master.", day - dt.timedelta(days=400), 1)
    new = _story("Cora Quinn was named harbour master.", day - dt.timedelta(days=1), 2)
    question = news_day(analyse("who is the new harbour master this week?", day), day, as_of_given=True)
    judged = {j.candidate.sentence_id: j for j in judge(question, Q, [old, new], AnswerParams())}
    assert judged[2].first.relevance > judged[1].first.relevance
    assert judged[2].probability > judged[1].probability


def test_a_question_not_about_a_day_weighs_no_article_for_its_date():
    day = dt.date(2023, 3, 15)
    question = news_day(analyse("who was named harbour master in 2022?", day), day, as_of_given=False)
    assert question.news_of is None
    old = _story("Ada Byrne was named harbour master.", day - dt.timedelta(days=400), 1)
    new = _story("Cora Quinn was named harbour master.", day - dt.timedelta(days=1), 2)
    judged = {j.candidate.sentence_id: j for j in judge(question, Q, [old, new], AnswerParams())}
    assert judged[1].first.relevance == judged[2].first.relevance


def test_the_answer_model_weighs_recency_only_for_a_days_news_that_asks_no_period():
    """As of a day, "who is the harbour master?" is weighed by how recent each story was; "...
    this week?" asks a period, which the period features judge, so its date is not counted twice."""
    day = dt.date(2023, 3, 15)
    story = _story("Cora Quinn was named harbour master.", day - dt.timedelta(days=7), 1)
    for asked, recent in (("who is the harbour master?", 0.5), ("who is the harbour master this week?", 0.0)):
        question = news_day(analyse(asked, day), day, as_of_given=True)
        [judged] = judge(question, Q, [story], AnswerParams())
        assert judged.first.recent == 0.5
        assert judged.features["recent"] == recent
