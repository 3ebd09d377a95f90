"""The calibrated decision: a logistic model of "this sentence answers the question", fitted on
development data, and the abstention threshold chosen on the curve it gives."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

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
) -> tuple[dict[str, float], float]:
    """(weights, bias) maximising the L2-penalised likelihood of `labels` (Newton's method).

    `l2` is the penalty on the weights (not the bias), which keeps features that never vary
    or that separate the data perfectly from running off to infinity.
    """
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


def tradeoff(best: Sequence[tuple[float, bool | None]]) -> list[tuple[float, float, float]]:
    """For each threshold among the questions' best probabilities: (threshold, share answered
    right, share answered wrong), over all questions. `best` holds each question's highest
    probability and whether that sentence was right (None: nothing could answer it)."""
    total = len(best)
    points = []
    for t in sorted({p for p, _ in best if p >= 0} | {0.0, 1.0}):
        answered = [(p, ok) for p, ok in best if p >= t]
        right = sum(1 for _, ok in answered if ok)
        points.append((t, right / total if total else 0.0, (len(answered) - right) / total if total else 0.0))
    return points


def choose_threshold(points: Sequence[tuple[float, float, float]], wrong_cost: float) -> float:
    """The threshold with the most right answers less `wrong_cost` times the wrong ones: a wrong
    answer costs a newsroom more than an abstention."""
    return max(points, key=lambda point: (point[1] - wrong_cost * point[2], point[0]))[0]
