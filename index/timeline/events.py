"""A timeline from candidate sentences: those about the topic and dated, duplicates across
articles merged, in the order the events happened. Pure: the engine passes the sentences in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..answering.retrieval import Candidate
from ..models import Period, PeriodBasis, Quote, Timeline, TimelineEvent
from ..params import TimelineParams
from .dating import date_span, event_period


@dataclass(frozen=True)
class Dated:
    """A candidate sentence on the topic, with when it says its event happened."""

    candidate: Candidate
    period: Period
    similarity: float  # to the topic

    def quote(self) -> Quote:
        c = self.candidate
        return Quote(
            source=c.source, sentence=c.text, start=c.start, end=c.end, score=round(self.similarity, 4)
        )


@dataclass
class _Group:
    """One event: the sentence that reports it best, and the same event in other articles."""

    first: Dated
    others: list[Dated] = field(default_factory=list)

    @property
    def similarity(self) -> float:
        return max([self.first.similarity, *(o.similarity for o in self.others)])

    def articles(self) -> set[str]:
        return {self.first.candidate.source.article_id, *(o.candidate.source.article_id for o in self.others)}


def dated_on_topic(
    candidates: Iterable[Candidate], topic: np.ndarray, params: TimelineParams
) -> tuple[list[Dated], int]:
    """The sentences about the topic (`min_similarity`) that date their event, and how many
    about it do not: a sentence dated only by its article's publication counts as dated for that
    article's `published_per_article` most on-topic ones, the rest are left out."""
    seen: set[int] = set()
    dated: list[Dated] = []
    by_publication: dict[str, list[Dated]] = {}
    undated = 0
    for c in candidates:
        if c.sentence_id in seen:  # overlapping chunks share their edge sentences
            continue
        seen.add(c.sentence_id)
        similarity = float(topic @ c.vector)
        if similarity < params.min_similarity:
            continue
        period = event_period(c.periods)
        if period is None:
            undated += 1
        elif period.basis is PeriodBasis.PUBLISHED:
            by_publication.setdefault(c.source.article_id, []).append(Dated(c, period, similarity))
        else:
            dated.append(Dated(c, period, similarity))
    for sentences in by_publication.values():
        sentences.sort(key=lambda d: -d.similarity)
        dated += sentences[: params.published_per_article]
        undated += len(sentences[params.published_per_article :])
    return dated, undated


def _reported_first(d: Dated) -> tuple:
    """Which of a merged event's reports leads it: the one dating it most narrowly by its own
    words, then the earliest published, then the most on-topic."""
    published = d.candidate.source.published
    return (
        not d.period.basis.in_words,
        d.period.days,
        published.toordinal() if published else float("inf"),
        -d.similarity,
    )


def merged(dated: Sequence[Dated], params: TimelineParams) -> list[_Group]:
    """Reports of one event merged: sentences of other articles on overlapping days whose
    vectors mean at least `merge_similarity` alike join the first such event's group."""
    groups: list[_Group] = []
    for d in sorted(dated, key=_reported_first):
        same = next(
            (
                g
                for g in groups
                if g.first.period.overlaps(d.period)
                and float(g.first.candidate.vector @ d.candidate.vector) >= params.merge_similarity
            ),
            None,
        )
        if same is None:
            groups.append(_Group(d))
        elif d.candidate.source.article_id not in same.articles():
            same.others.append(d)
        # else: the same article saying it again adds no source
    return groups


def order_key(event: TimelineEvent) -> tuple:
    """Events in the order they happened: by the first day of their period; of two starting the
    same day the narrower first (a day before the month or year that begins with it), then the
    earlier reported."""
    published = event.quote.source.published
    return (event.period.start, event.period.end, published or event.period.end, event.quote.start)


def _event(group: _Group) -> TimelineEvent:
    first = group.first
    return TimelineEvent(
        period=first.period,
        quote=first.quote(),
        date_span=date_span(first.candidate.text, first.period),
        also_reported_by=[o.quote() for o in group.others],
    )


def build_timeline(
    topic: str,
    topic_vector: np.ndarray,
    candidates: Iterable[Candidate],
    params: TimelineParams,
    limit: int,
) -> Timeline:
    """The timeline of `topic`: its `limit` most on-topic events, in the order they happened."""
    dated, undated = dated_on_topic(candidates, topic_vector, params)
    groups = sorted(merged(dated, params), key=lambda g: -g.similarity)[:limit]
    events = sorted((_event(g) for g in groups), key=order_key)
    return Timeline(topic=topic, events=events, undated=undated)
