"""What a question asks for: the kind of answer, the period, and the terms to match."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel

from ..errors import BadQuestionError
from ..models import AnswerKind, Period, PeriodBasis
from ..text.calendar_names import is_calendar_word
from ..text.counting import noun_phrase
from ..text.periods import find_periods
from ..text.terms import STOPWORDS, composed, content_terms, words

MAX_QUESTION_CHARS = 500

_KINDS = [
    (
        AnswerKind.HOW_MANY,
        r"\bhow (many|much|old|long|far|often|big|large)\b|\bnumber of\b|\bwhat age\b|"
        r"\bwhat (percentage|percent|share|proportion|fraction)\b|"
        # "what is the city's unemployment rate", not "what was the name of the count of Apulia"
        r"\bwhat (was|is|were|are) (the|its|their) ((?!of\b)[\w'’-]+ ){0,3}"
        r"(number|total|count|figure|rate)\b",
    ),
    (AnswerKind.TIME, r"\b(what|which) time\b|\bat what hour\b"),
    (
        AnswerKind.WHEN,
        # A leading "When ..., what ...?" is a clause setting the scene, not the thing asked.
        r"^\s*(since )?when\b(?![^?]*,[^?]*\b(what|which|who|whom|whose|where|how)\b)|"
        r"\b(what|which) (date|day|year|month)\b|\bwhen (did|was|were|is|will)\b",
    ),
    (
        AnswerKind.WHERE,
        r"\bwhere\b|\b(which|what|in what)\s+(hospital|city|neighbou?rhood|street|block|avenue|area|"
        r"place|country|state|town|location|county|district|building|station|address|part of)\b",
    ),
    (
        AnswerKind.WHO,
        r"\bwho(m|se)?\b|\b(which|what)\s+(person|people|official|officer|agency|organi[sz]ation|"
        r"company|office|department|group|surgeon|doctor|reporter|outlet)\b|\bwhat (is|was) the name\b",
    ),
]
# A terse question with a counting word and a question mark ("carjackings total in 2021?") asks
# for a figure; a question that asks "which ..." or "what ..." of something else does not ("which
# historical figure ...?", "what did the total solar eclipse show?"), so this comes last. The
# first such word, read once (an atomic group), is enough: a mark after a later one is after it.
_COUNTING_WORD = re.compile(
    r"^(?!.*\b(which|what|who|whom|whose|where|when|why)\b)"
    r"(?>(?s:.*?)\b(?:total|count|tally|figure|rate|percentage|share|proportion)\b).*\?"
)
_FOLLOW_UP_LEAD = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|what of|same for|and what about|"
    r"and how about|ok(ay)?,?)\b[\s,]*",
    re.IGNORECASE,
)


class QuestionAnalysis(BaseModel):
    question: str  # as asked, whitespace normalised
    text: str  # what is embedded: the question, with a follow-up's context folded in
    kind: AnswerKind
    period: Period | None
    terms: list[str]
    counted: str | None = None  # what a "how many" question counts: "carjackings"
    names: list[str] = []  # places, people and bodies it names: "New York City"
    # The day whose news it asks about ("who won this week?"), when it asks about one: articles
    # published shortly before it weigh more (`news_day`).
    news_of: dt.date | None = None


_COUNT_TRIGGER = re.compile(r"\b(?:how (?:many|much)|number of)\s+", re.IGNORECASE)


def counted_noun(question: str, period: Period | None = None) -> str | None:
    """The words after "how many" naming what is counted, skipping "of the 2021"; the words of
    the question's period end it ("carjackings", not "carjackings last year")."""
    if re.search(r"\bhow old\b|\bwhat age\b", question, re.IGNORECASE):
        return "years old"
    m = _COUNT_TRIGGER.search(question)
    if not m:
        return None
    dated = frozenset(w.lower() for w in words(period.text)) if period else frozenset()
    return noun_phrase(words(question[m.end() :]), ends_at=dated)


_MONEY_QUESTION = re.compile(
    r"\bhow much (?:money|cash|funding)\b|\bhow much\b.*?\b(?:cost|costs|worth|spend|spent|pay|paid|"
    r"raise|raised|earn|earned|owe|owed|charge|charged|fine|fined|price|budget|funding|salary|"
    r"lose|lost|save|saved|invest|invested|donate|donated)\b"
    r"|\bwhat (?:was|is|were|are|will be) (?:the|its|their) (?:[\w'’-]+ ){0,2}"
    r"(?:price|cost|value|budget|salary|fine|bill|valuation)\b",
    re.IGNORECASE,
)


def asks_for_money(question: str) -> bool:
    """ "How much will it cost?", "how much money did the PAC spend?": any sum of money counts,
    whatever words come after it ("$16 million on legal services")."""
    return bool(_MONEY_QUESTION.search(question))


def named_entities(question: str) -> list[str]:
    """Capitalised names in a question, past its first word: "New York City", "Chicago"."""
    names = []
    for m in re.finditer(r"(?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*)*", question):
        name = m.group().rstrip(".'’")
        if m.start() == 0 or is_calendar_word(name) or (name.isupper() and len(name) < 2):
            continue
        names.append(name)
    return names


def answer_kind(question: str) -> AnswerKind:
    lowered = question.lower()
    for kind, pattern in _KINDS:
        if re.search(pattern, lowered):
            return kind
    return AnswerKind.HOW_MANY if _COUNTING_WORD.search(lowered) else AnswerKind.WHAT


def validate_question(question: str) -> str:
    cleaned = composed(" ".join(question.split()))
    if not cleaned:
        raise BadQuestionError('The question is empty: ask something, e.g. "how many carjackings in 2021?"')
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise BadQuestionError(
            f"The question is {len(cleaned):,} characters long; the most is {MAX_QUESTION_CHARS}."
        )
    if not re.search(r"\w", cleaned):
        raise BadQuestionError("The question has no words in it.")
    return cleaned


_RELATIVE_SCOPE = re.compile(r"\b(year|month|week|since)\b", re.IGNORECASE)


def _constrains(period: Period) -> bool:
    return period.basis is PeriodBasis.STATED or bool(_RELATIVE_SCOPE.search(period.text))


def _period_terms(period: Period | None) -> set[str]:
    return set(content_terms(period.text)) if period else set()


def analyse(question: str, today: dt.date) -> QuestionAnalysis:
    text = validate_question(question)
    # A bare weekday or month in a question ("shot on Sunday") names the event's day, not one
    # relative to today; only dates and year-, month- or week-level phrases constrain the answer.
    periods = [p for p in find_periods(text, today, any_case=True) if _constrains(p)]
    period = None
    if periods:
        # Several periods in one question ("in 2021 and 2022"): the span that covers them all.
        period = Period(
            start=min(p.start for p in periods),
            end=max(p.end for p in periods),
            text=" / ".join(p.text for p in periods),
            basis=periods[0].basis,
        )
    terms = [t for t in content_terms(text) if t not in _period_terms(period)]
    return QuestionAnalysis(
        question=text,
        text=text,
        kind=answer_kind(text),
        period=period,
        terms=terms,
        counted=counted_noun(text, period),
        names=named_entities(text),
    )


# Words that say what kind of answer is asked for, not what it is about.
_ASKING = frozenset("how what which who whom whose when where why old long far often number".split())
SUBJECT_WORDS = 6  # a reading line names the subject, it does not repeat the question


def subject(text: str, period: Period | None) -> str | None:
    """What a question is about, in its own words: those left once the words asking, the
    period's and the little ones are gone ("shot sergeant Sunday" for "who shot the sergeant on
    Sunday?")."""
    left = {w.lower() for w in words(period.text)} if period else set()
    kept: dict[str, str] = {}
    for word in words(text):
        lowered = word.lower()
        if lowered in STOPWORDS or lowered in _ASKING or lowered in left or lowered in kept:
            continue
        kept[lowered] = word
    return " ".join(list(kept.values())[:SUBJECT_WORDS]) or None


# Words that ask about things as they stand: "recently", "the latest", "now", "so far".
_PRESENT = re.compile(
    r"\b(?:recent|recently|latest|newest|now|currently|current|so far|to date|this week|this month|"
    r"yesterday|today|tonight)\b",
    re.IGNORECASE,
)


def news_day(analysis: QuestionAnalysis, as_of: dt.date, *, as_of_given: bool) -> QuestionAnalysis:
    """The question with the day whose news it asks about: `as_of` when the asker gave it, when a
    relative period ("this week") was read against it, or when the question asks about the
    present ("recently", "the latest"); otherwise none, and no article weighs more for its date."""
    period = analysis.period
    relative = period is not None and period.basis is PeriodBasis.RELATIVE
    if as_of_given or relative or _PRESENT.search(analysis.question):
        return analysis.model_copy(update={"news_of": as_of})
    return analysis


def is_follow_up(question: str, analysis: QuestionAnalysis) -> bool:
    """'and in 2022?', 'arrests?': a lead-in word, or too little of its own to stand alone."""
    if _FOLLOW_UP_LEAD.match(question) or not analysis.terms:
        return True
    return analysis.kind is AnswerKind.WHAT and len(analysis.terms) < 2


def analyse_in_context(question: str, previous: str | None, today: dt.date) -> QuestionAnalysis:
    """Read a follow-up ("and in 2022?", "what about arrests?") against the previous question."""
    current = analyse(question, today)
    if not previous or not is_follow_up(question, current):
        return current
    try:
        before = analyse(previous, today)
    except BadQuestionError:
        return current
    stripped = _FOLLOW_UP_LEAD.sub("", current.text)
    base = before.text
    if current.period and before.period:
        base = base.replace(before.period.text, " ")
    has_own_kind = answer_kind(stripped) is not AnswerKind.WHAT or re.match(
        r"\s*(what|which)\b", stripped, re.I
    )
    terms = current.terms + [t for t in before.terms if t not in current.terms]
    return QuestionAnalysis(
        question=current.question,
        text=" ".join(f"{stripped} {base}".split()),
        kind=current.kind if has_own_kind else before.kind,
        period=current.period or before.period,
        terms=terms,
        counted=current.counted or before.counted,
        names=current.names or before.names,
    )
