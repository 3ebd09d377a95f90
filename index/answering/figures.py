"""Which stored figures are about a topic, and how they are grouped: by the thing counted, then
by period, newest first, sources that disagree side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..models import Citation, CountedThing, Figure, FigureGroup, FigureReport, Period, PeriodBasis, Source
from ..params import FigureParams
from ..store.records import StoredFigure
from ..text.counting import shares_word
from ..text.periods import label
from ..text.terms import content_terms

NO_PERIOD = "no period stated"


class ThingVectors:
    """The vectors of counted things, kept once encoded: a topic's figures count mostly things
    other topics' figures count too, and encoding them was most of the time `figures` took
    (0.58 of 0.67 s for eight topics on 768 RealTimeQA articles). The oldest go first past
    `capacity`. Not thread-safe: the engine calls it under its lock."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], capacity: int):
        self._encode = encode
        self._capacity = capacity
        self._known: dict[str, np.ndarray] = {}

    def __call__(self, things: Sequence[str]) -> dict[str, np.ndarray]:
        missing = sorted({t for t in things if t not in self._known})
        if missing:
            self._known.update(zip(missing, self._encode(missing), strict=True))
            for oldest in list(self._known)[: max(len(self._known) - self._capacity, 0)]:
                del self._known[oldest]
        return {t: self._known[t] if t in self._known else self._encode([t])[0] for t in things}


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


def about_topic(
    topic: str,
    topic_vector: np.ndarray,
    figures: Sequence[StoredFigure],
    thing_vectors: Mapping[str, np.ndarray],
    params: FigureParams,
) -> list[StoredFigure]:
    """The figures that count the topic: their thing shares a stem with it or means nearly the
    same ("vehicular hijackings" for "carjackings"), and those that count part of such a figure
    in the sentence before ("Just 57 of those cases have resulted in an arrest")."""
    wanted = set(content_terms(topic))

    def counts_topic(f: StoredFigure) -> bool:
        if f.thing is None:
            return False
        if shares_word(wanted, content_terms(f.thing)):
            return True
        return _similarity(topic_vector, thing_vectors[f.thing]) >= params.thing_min_similarity

    direct = {id(f) for f in figures if counts_topic(f)}
    before = {(f.article_row, f.position) for f in figures if id(f) in direct}
    return [
        f
        for f in figures
        if id(f) in direct or (f.part_of_previous and f.thing and (f.article_row, f.position - 1) in before)
    ]


def _things(
    figures: Sequence[StoredFigure], thing_vectors: Mapping[str, np.ndarray], params: FigureParams
) -> list[list[StoredFigure]]:
    """Figures of the same thing together: a thing joins the first group holding a thing it
    shares a stem with or means nearly the same as; the others open a group of their own. A
    figure that counts part of another ("57 of those cases") is never one with the whole."""

    def same(a: str, b: str) -> bool:
        if shares_word(set(content_terms(a)), content_terms(b)):
            return True
        return _similarity(thing_vectors[a], thing_vectors[b]) >= params.same_thing_similarity

    groups: list[list[StoredFigure]] = []
    for f in figures:
        thing = f.thing
        assert thing is not None  # about_topic keeps only figures that count something
        joined = next(
            (
                g
                for g in groups
                if g[0].part_of_previous == f.part_of_previous and any(same(m.thing or "", thing) for m in g)
            ),
            None,
        )
        if joined is None:
            groups.append([f])
        else:
            joined.append(f)
    return groups


def period_label(period: Period | None) -> str:
    """A period as its sentence words it, with its dates when the words are relative ("Sunday
    (2021-05-23)", "last week (2021-05-17 to 2021-05-23)")."""
    if period is None:
        return NO_PERIOD
    if period.basis is not PeriodBasis.RELATIVE or not period.text:
        return label(period)
    return f"{period.text} ({label(period.model_copy(update={'text': ''}))})"


def _disagree(figures: Sequence[StoredFigure]) -> bool:
    """Whether sources give different values for one thing, period and place. Sentences that
    state no period may speak of different times, and other places have other counts."""
    if figures[0].period is None:
        return False
    values: dict[str | None, set] = {}
    for f in figures:
        values.setdefault(f.place, set()).add(f.value.key)
    return any(len(v) > 1 for v in values.values())


def _citation(n: int, f: StoredFigure, source: Source) -> Citation:
    return Citation(
        source=source,
        sentence=f.sentence,
        start=f.sentence_start,
        end=f.sentence_end,
        score=1.0,
        n=n,
        answer_span=(f.start, f.end),
        period=label(f.period) if f.period else None,
        attributed_to=f.attributed_to,
    )


def _newest_first(period: Period | None) -> tuple:
    # Periods stated come first, newest end first, the longer of two ending together first.
    return (period is None, *((-period.end.toordinal(), period.start.toordinal()) if period else ()))


def figure_report(
    topic: str,
    topic_vector: np.ndarray,
    figures: Sequence[StoredFigure],
    sources: Mapping[int, Source],
    thing_vectors: Mapping[str, np.ndarray],
    params: FigureParams,
) -> FigureReport:
    """Every figure about the topic, grouped by thing (the one closest to the topic first) and
    period (newest first); a sentence carried twice (a wire copy) counts once."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for f in about_topic(topic, topic_vector, figures, thing_vectors, params):
        key = (" ".join(f.sentence.split()), f.start, f.end)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    ranked = sorted(
        _things(unique, thing_vectors, params),
        key=lambda fs: -max(_similarity(topic_vector, thing_vectors[f.thing or ""]) for f in fs),
    )
    n = 0
    things = []
    for members in ranked:
        by_period: dict[tuple, list[StoredFigure]] = {}
        for f in members:
            by_period.setdefault((f.period.start, f.period.end) if f.period else (), []).append(f)
        groups = []
        for stated in sorted(by_period.values(), key=lambda fs: _newest_first(fs[0].period)):
            listed = []
            for f in sorted(stated, key=lambda f: (-f.value.number, f.sentence_id)):
                n += 1
                citation = _citation(n, f, sources[f.article_row])
                listed.append(
                    Figure(value=f.value, thing=f.thing, place=f.place, period=f.period, citation=citation)
                )
            period = stated[0].period
            groups.append(
                FigureGroup(
                    period=period,
                    label=period_label(period),
                    figures=listed,
                    disagree=_disagree(stated),
                )
            )
        names = sorted({f.thing for f in members if f.thing}, key=len)
        closest = max(names, key=lambda t: _similarity(topic_vector, thing_vectors[t]))
        things.append(CountedThing(thing=closest, groups=groups))
    return FigureReport(topic=topic, things=things)
