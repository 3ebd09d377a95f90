"""The calibrated decision: a logistic model of "this sentence answers the question", fitted on
development data, and the abstention threshold chosen on the curve it gives."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from ..params import Calibration


def probability(features: Mapping[str, float], calibration: Calibration) -> float:
    """p = sigmoid(bias + sum of weight * feature), features the model does not name weighing 0."""
    z = calibration.bias + sum(calibration.weights.get(name, 0.0) * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def fit_logistic(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[bool],
    names: Sequence[str],
    *,
    l2: float = 1.0,
    iterations: int = 50,
    nonpositive: Collection[str] = (),
) -> tuple[dict[str, float], float]:
    """(weights, bias) maximising the L2-penalised likelihood of `labels` (Newton's method).

    `l2` is the penalty on the weights (not the bias), which keeps features that never vary
    or that separate the data perfectly from running off to infinity. A feature named in
    `nonpositive` that comes out positive is held at 0 and the rest fitted again: a penalty
    that the data finds no harm in says nothing, rather than turning into a bonus through its
    correlation with the other features.
    """
    free = list(names)
    while True:
        weights, bias = _newton(rows, labels, free, l2, iterations)
        wrong_way = [n for n in free if n in nonpositive and weights[n] > 0]
        if not wrong_way:
            return {n: weights.get(n, 0.0) for n in names}, bias
        free = [n for n in free if n not in wrong_way]


def _newton(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[bool],
    names: Sequence[str],
    l2: float,
    iterations: int,
) -> tuple[dict[str, float], float]:
    x = np.array([[row.get(n, 0.0) for n in names] + [1.0] for row in rows], dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -60, 60)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return {n: float(v) for n, v in zip(names, w[:-1], strict=True)}, float(w[-1])


def tradeoff(sets: Sequence[Sequence[tuple[float, bool | None]]]) -> list[tuple[float, float, float]]:
    """For each threshold among the questions' best probabilities: (threshold, share answered
    right, share answered wrong), each share the mean over `sets` of its share of that set's
    questions, so that a large set does not speak for a small one. Each set holds each
    question's highest probability and whether that sentence was right (None: nothing could
    answer it, which every threshold abstains on)."""
    thresholds = np.array(sorted({p for best in sets for p, _ in best if p >= 0} | {0.0, 1.0}))
    right = np.zeros(len(thresholds))
    wrong = np.zeros(len(thresholds))
    for best in sets:
        scored = [(p, ok) for p, ok in best if ok is not None]
        p = np.array([p for p, _ in scored])
        ok = np.array([bool(ok) for _, ok in scored])
        order = np.argsort(p)
        p, ok = p[order], ok[order]
        # Answered at t: the questions from the first p >= t on; suffix sums count them.
        first = np.searchsorted(p, thresholds, side="left")
        right_after = np.concatenate([np.cumsum(ok[::-1])[::-1], [0]])
        answered = len(p) - first
        right += right_after[first] / max(1, len(best))
        wrong += (answered - right_after[first]) / max(1, len(best))
    count = max(1, len(sets))
    return [
        (float(t), float(r / count), float(w / count))
        for t, r, w in zip(thresholds, right, wrong, strict=True)
    ]


def choose_threshold(
    points: Sequence[tuple[float, float, float]], wrong_cost: float, tolerance: float = 0.0
) -> float:
    """The threshold with the most right answers less `wrong_cost` times the wrong ones; an
    abstention counts 0, so any positive cost makes a wrong answer worse than saying nothing,
    and a cost of 1 answers where a right answer is at least as likely as a wrong one. Of the
    thresholds within `tolerance` of the best score, the lowest: where the curve is flat,
    answering more costs nothing measurable."""
    scores = [right - wrong_cost * wrong for _, right, wrong in points]
    best = max(scores)
    return min(t for (t, _, _), score in zip(points, scores, strict=True) if score >= best - tolerance)


def lowest_no_worse(curves: Sequence[Sequence[tuple[float, float, float]]], limits: Sequence[float]) -> float:
    """The lowest threshold at which each set is answered wrongly no more often than its limit
    (each curve one set's `tradeoff`, each limit its share answered wrong by the model in use):
    where a refitted model answers the most without a wrong answer more on any set. 1.0 when no
    lower threshold keeps every limit."""
    lowest = 0.0
    for curve, limit in zip(curves, limits, strict=True):
        # A set's wrong answers only fall as the threshold rises: its first point within the limit.
        kept = min((t for t, _, wrong in curve if wrong <= limit + 1e-12), default=1.0)
        lowest = max(lowest, kept)
    return lowest
