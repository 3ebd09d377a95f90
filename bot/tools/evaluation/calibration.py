"""`newsbot calibrate`: fit the answer model on development data and choose where to abstain.

Each development question is asked of an engine over its archive; every candidate sentence the
cross-encoder read becomes an example, labelled by whether it holds one of the question's
answers (and, for SQuAD, comes from its paragraph). A logistic model over the named features
(index/answering/features.py) is fitted to them; then each question's best probability traces
the curve of answered-right against answered-wrong as the threshold moves (each set's shares
averaged, so that SQuAD's 6,078 questions do not outvote RealTimeQA's 500), and the threshold
that maximises right minus `wrong_cost` times wrong is chosen. The gold set is never used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index import Encoder, Engine, EngineParams, Reranker
from index.answering.calibration import choose_threshold, fit_logistic, lowest_no_worse, probability, tradeoff
from index.answering.compose import Judged, could_answer
from index.answering.features import FEATURES, PENALTIES
from index.answering.question import answer_kind
from index.params import AnswerParams, Calibration

from .gold import GoldQuestion
from .grading import holds_any
from .run import built, question_set


@dataclass(frozen=True)
class Example:
    """One candidate sentence of one question: its features and whether it answers."""

    question: int
    features: dict[str, float]
    answers: bool
    eligible: bool  # it could be the answer whatever its probability (period, span)


@dataclass
class DevSet:
    name: str
    questions: list[GoldQuestion]
    examples: list[Example] = field(default_factory=list)


def _answers(gold: GoldQuestion, judged: Judged) -> bool:
    c = judged.candidate
    in_source = not gold.sources or c.source.url in gold.sources or c.text in gold.sources
    return gold.answerable and in_source and holds_any(gold.answers, c.text)


def collect(engine: Engine, name: str, questions: Sequence[GoldQuestion]) -> DevSet:
    """The examples of one development set (the candidates the cross-encoder read)."""
    found = DevSet(name, list(questions))
    for n, q in enumerate(questions):
        kind = answer_kind(q.question)
        for j in engine.judge(q.question, previous=q.previous, as_of=q.as_of):
            if j.pooled:
                found.examples.append(Example(n, dict(j.features), _answers(q, j), could_answer(j, kind)))
    return found


def best_per_question(dev: DevSet, calibration: Calibration) -> list[tuple[float, bool | None]]:
    """Each question's best eligible probability and whether that sentence answers it; (-1, None)
    when no candidate could answer, which every threshold abstains on."""
    best: dict[int, tuple[float, bool]] = {}
    for e in dev.examples:
        if not e.eligible:
            continue
        p = probability(e.features, calibration)
        if e.question not in best or p > best[e.question][0]:
            best[e.question] = (p, e.answers)
    return [best.get(n, (-1.0, None)) for n in range(len(dev.questions))]


@dataclass
class Calibrated:
    calibration: Calibration
    threshold: float
    curve: list[tuple[float, float, float]]  # (threshold, right, wrong) over all questions
    at_threshold: dict[str, tuple[float, float, float]]  # set -> (right, wrong, abstained)
    held_out: dict[str, tuple[float, float, float]]  # the same, fitted on the other half
    # The lowest threshold at which no set is answered wrongly more often than by the model in
    # use, with the same measures (`lowest_no_worse`).
    replacing: float
    replacing_at: dict[str, tuple[float, float, float]]
    replacing_held_out: dict[str, tuple[float, float, float]]


def _fitted(sets: Sequence[DevSet], keep: Callable[[int], bool], l2: float) -> Calibration:
    examples = [e for dev in sets for e in dev.examples if e.eligible and keep(e.question)]
    weights, bias = fit_logistic(
        [e.features for e in examples], [e.answers for e in examples], FEATURES, l2=l2, nonpositive=PENALTIES
    )
    counted = ", ".join(f"{dev.name} ({sum(map(keep, range(len(dev.questions))))} questions)" for dev in sets)
    return Calibration(weights=weights, bias=bias, calibrated_on=counted)


def _measured(
    dev: DevSet, calibration: Calibration, threshold: float, keep: Callable[[int], bool]
) -> tuple[float, float, float]:
    """(share right, share wrong, share abstained) of the kept questions at `threshold`."""
    per = [b for n, b in enumerate(best_per_question(dev, calibration)) if keep(n)]
    answered = [ok for p, ok in per if p >= threshold and ok is not None]
    total = len(per) or 1
    right = sum(1 for ok in answered if ok)
    return right / total, (len(answered) - right) / total, 1 - len(answered) / total


# Half a point of right-less-wrong: the held-out half of the same data moves the curve's best
# score by more than that, so thresholds closer than it to the best are not told apart.
FLAT = 0.005


def _replacing(
    sets: Sequence[DevSet], calibration: Calibration, in_use: AnswerParams, keep: Callable[[int], bool]
) -> float:
    """`lowest_no_worse` over the kept questions, against `in_use` at its own threshold."""
    limits = [_measured(dev, in_use.calibration, in_use.threshold, keep)[1] for dev in sets]
    curves = [
        tradeoff([[b for n, b in enumerate(best_per_question(dev, calibration)) if keep(n)]]) for dev in sets
    ]
    return lowest_no_worse(curves, limits)


def fit(
    sets: Sequence[DevSet], *, wrong_cost: float, l2: float = 1.0, in_use: AnswerParams = AnswerParams()
) -> Calibrated:
    """The model fitted on every set's examples and the threshold chosen on their questions;
    beside it, as a check against fitting the data it is measured on, the same fitted on the
    even-numbered questions and measured on the odd ones. Also the threshold at which the new
    model would replace `in_use` (the shipped model) without more wrong answers on any set."""

    def every(n: int) -> bool:
        return True

    def even(n: int) -> bool:
        return n % 2 == 0

    def odd(n: int) -> bool:
        return n % 2 == 1

    calibration = _fitted(sets, every, l2)
    curve = tradeoff([best_per_question(dev, calibration) for dev in sets])
    threshold = choose_threshold(curve, wrong_cost, FLAT)
    half = _fitted(sets, even, l2)
    half_threshold = choose_threshold(
        tradeoff([[b for n, b in enumerate(best_per_question(dev, half)) if even(n)] for dev in sets]),
        wrong_cost,
        FLAT,
    )
    replacing = _replacing(sets, calibration, in_use, every)
    half_replacing = _replacing(sets, half, in_use, even)
    return Calibrated(
        calibration,
        threshold,
        curve,
        {dev.name: _measured(dev, calibration, threshold, every) for dev in sets},
        {dev.name: _measured(dev, half, half_threshold, odd) for dev in sets},
        replacing,
        {dev.name: _measured(dev, calibration, replacing, every) for dev in sets},
        {dev.name: _measured(dev, half, half_replacing, odd) for dev in sets},
    )


def save_examples(sets: Sequence[DevSet], path: Path) -> None:
    """The collected examples, so that the model can be fitted again without asking again."""
    data = [
        {
            "name": dev.name,
            "questions": [q.model_dump(mode="json") for q in dev.questions],
            "examples": [[e.question, e.features, e.answers, e.eligible] for e in dev.examples],
        }
        for dev in sets
    ]
    path.write_text(json.dumps(data), encoding="utf-8")


def load_examples(path: Path) -> list[DevSet]:
    return [
        DevSet(
            d["name"],
            [GoldQuestion.model_validate(q) for q in d["questions"]],
            [Example(n, features, answers, eligible) for n, features, answers, eligible in d["examples"]],
        )
        for d in json.loads(path.read_text(encoding="utf-8"))
    ]


def collect_sets(
    encoder: Encoder,
    reranker: Reranker,
    *,
    squad: Path | None,
    rtqa: Path | None,
    limit: int | None,
    params: EngineParams,
) -> list[DevSet]:
    sets = []
    for name, squad_file, rtqa_folder in (("SQuAD 2.0", squad, None), ("RealTimeQA", None, rtqa)):
        if not (squad_file or rtqa_folder):
            continue
        with (
            question_set(gold=Path(), corpus=Path(), squad=squad_file, rtqa=rtqa_folder) as (
                archive,
                questions,
            ),
            built(encoder, reranker, archive, params) as engine,
        ):
            sets.append(collect(engine, name, questions[:limit] if limit else questions))
    return sets


def _shares(measured: dict[str, tuple[float, float, float]]) -> dict[str, dict[str, float]]:
    return {
        name: {"right": round(r, 4), "wrong": round(w, 4), "abstained": round(a, 4)}
        for name, (r, w, a) in measured.items()
    }


def report(result: Calibrated, wrong_cost: float) -> dict[str, Any]:
    c = result.calibration
    return {
        "calibrated_on": c.calibrated_on,
        "weights": {k: round(v, 4) for k, v in c.weights.items()},
        "bias": round(c.bias, 4),
        "threshold": round(result.threshold, 4),
        "wrong_cost": wrong_cost,
        "at_threshold": _shares(result.at_threshold),
        "held_out": _shares(result.held_out),
        # Rounded up: a threshold shipped as printed answers nothing the pick does not.
        "replacing_threshold": math.ceil(result.replacing * 10_000) / 10_000,
        "replacing_at": _shares(result.replacing_at),
        "replacing_held_out": _shares(result.replacing_held_out),
        "curve": [
            {"threshold": round(t, 4), "right": round(r, 4), "wrong": round(w, 4)}
            for t, r, w in result.curve[:: max(1, len(result.curve) // 40)]
        ],
    }
