"""The calibrated decision: a logistic model fitted on development data, a threshold chosen on
the curve of right against wrong answers, and shipped weights that name where they came from."""

from __future__ import annotations

import numpy as np
import pytest

from index.answering.calibration import choose_threshold, fit_logistic, lowest_no_worse, probability, tradeoff
from index.answering.features import FEATURES
from index.params import AnswerParams, Calibration


def test_the_fit_recovers_the_direction_and_rough_size_of_known_weights():
    rng = np.random.default_rng(3)
    rows = [{"rerank": float(a), "lexical": float(b)} for a, b in rng.normal(size=(4000, 2))]
    true = {"rerank": 2.0, "lexical": -1.0}
    labels = [rng.random() < 1 / (1 + np.exp(-(0.5 + sum(true[k] * r[k] for k in r)))) for r in rows]
    weights, bias = fit_logistic(rows, labels, ["rerank", "lexical"], l2=0.1)
    assert weights["rerank"] == pytest.approx(2.0, abs=0.25)
    assert weights["lexical"] == pytest.approx(-1.0, abs=0.25)
    assert bias == pytest.approx(0.5, abs=0.2)


def test_a_feature_that_never_varies_keeps_a_zero_weight():
    rows = [{"rerank": float(i % 2), "span": 0.0} for i in range(50)]
    weights, _ = fit_logistic(rows, [bool(i % 2) for i in range(50)], ["rerank", "span"])
    assert weights["span"] == 0.0 and weights["rerank"] > 0


def test_a_penalty_the_data_finds_harmless_weighs_zero_instead_of_turning_into_a_bonus():
    rng = np.random.default_rng(5)
    rerank = rng.normal(size=3000)
    # The flag is set exactly where sentences tend to answer: fitted freely it becomes a bonus.
    labels = [rng.random() < (0.9 if r > 0.5 else 0.1) for r in rerank]
    rows = [{"rerank": float(r), "names_missing": float(r > 0.5)} for r in rerank]
    free, _ = fit_logistic(rows, labels, ["rerank", "names_missing"], l2=0.1)
    held, _ = fit_logistic(rows, labels, ["rerank", "names_missing"], l2=0.1, nonpositive={"names_missing"})
    assert free["names_missing"] > 0.5
    assert held["names_missing"] == 0.0 and held["rerank"] > 0.5


def test_probability_rises_with_the_weighted_features_and_ignores_unknown_ones():
    calibration = Calibration(weights={"rerank": 2.0}, bias=0.0)
    assert probability({"rerank": 0.0}, calibration) == pytest.approx(0.5)
    assert probability({"rerank": 1.0, "unknown": 5.0}, calibration) == pytest.approx(1 / (1 + np.exp(-2)))


def test_the_curve_counts_right_and_wrong_answers_over_all_questions():
    best = [(0.9, True), (0.8, False), (0.4, True), (-1.0, None)]  # the last: nothing could answer
    points = {t: (right, wrong) for t, right, wrong in tradeoff([best])}
    assert points[0.0] == (0.5, 0.25)
    assert points[0.8] == (0.25, 0.25)
    assert points[0.9] == (0.25, 0.0)


def test_each_set_weighs_the_same_in_the_curve_however_many_questions_it_holds():
    large = [(0.9, False)] * 90  # 90 questions, all answered wrong
    small = [(0.9, True)] * 10  # 10 questions, all answered right
    assert tradeoff([large, small])[0] == (0.0, 0.5, 0.5)


def test_the_threshold_weighs_a_wrong_answer_more_than_an_abstention():
    points = [(0.2, 0.60, 0.30), (0.5, 0.55, 0.10), (0.8, 0.30, 0.02)]
    assert choose_threshold(points, wrong_cost=0.0) == 0.2
    assert choose_threshold(points, wrong_cost=2.0) == 0.5
    assert choose_threshold(points, wrong_cost=20.0) == 0.8


def test_on_a_flat_stretch_of_the_curve_the_lowest_threshold_answers_more():
    points = [(0.1, 0.40, 0.30), (0.2, 0.457, 0.228), (0.25, 0.411, 0.181)]
    assert choose_threshold(points, wrong_cost=1.0) == 0.25
    assert choose_threshold(points, wrong_cost=1.0, tolerance=0.005) == 0.2


def test_a_refit_answers_down_to_where_no_set_gets_more_wrong_answers_than_the_model_in_use():
    news = tradeoff([[(0.9, True), (0.6, False), (0.5, True), (0.3, False)]])
    wiki = tradeoff([[(0.8, True), (0.7, False), (0.4, False), (0.2, True)]])
    # The model in use answers one news question in four wrongly and two wiki questions in four.
    assert lowest_no_worse([news, wiki], [0.25, 0.5]) == 0.5, "news decides: 0.6 answered, 0.3 not"
    assert lowest_no_worse([news, wiki], [0.5, 0.25]) == 0.7, "wiki decides: 0.4 not answered"
    assert lowest_no_worse([news, wiki], [0.0, 0.0]) == 0.9
    assert lowest_no_worse([news, wiki], [-1.0, 0.0]) == 1.0, "no threshold keeps a limit below zero"


def test_the_shipped_calibration_was_fitted_on_development_data_not_the_gold_set():
    shipped = AnswerParams().calibration
    assert "gold" not in shipped.calibrated_on.lower()
    assert "SQuAD" in shipped.calibrated_on and "RealTimeQA" in shipped.calibrated_on
    assert set(shipped.weights) <= set(FEATURES)
