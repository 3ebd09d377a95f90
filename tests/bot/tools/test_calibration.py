"""`newsbot calibrate`'s fit: the model and its thresholds, from examples of development sets."""

from __future__ import annotations

import numpy as np

from bot.tools.evaluation.calibration import DevSet, Example, _measured, best_per_question, fit, report
from bot.tools.evaluation.gold import GoldQuestion
from index.params import AnswerParams, Calibration


def dev_set(name: str, seed: int, questions: int = 200) -> DevSet:
    """Each question has four candidates; the one that answers (none for one question in four)
    scores higher on `rerank` and on `lexical`, each with noise, so no threshold separates right
    from wrong."""
    rng = np.random.default_rng(seed)
    dev = DevSet(name, [GoldQuestion(question=f"q{n}", answerable=n % 4 != 0) for n in range(questions)])
    for n, q in enumerate(dev.questions):
        for k in range(4):
            answers = q.answerable and k == 0
            rerank, lexical = rng.normal(1.0 if answers else -0.5, 1.0, size=2)
            features = {"rerank": float(rerank), "lexical": float(lexical)}
            dev.examples.append(Example(n, features, answers, eligible=True))
    return dev


def answered_shares(dev: DevSet, params: AnswerParams) -> tuple[float, float, float]:
    """(right, wrong, abstained) shares of all the set's questions with these weights and threshold."""
    return _measured(dev, params.calibration, params.threshold, lambda n: True)


def test_a_refit_replaces_the_model_in_use_without_a_wrong_answer_more_on_any_set():
    sets = [dev_set("news", 1), dev_set("wiki", 2, questions=600)]
    # The model in use reads only one of the two features: it tells right from wrong less well.
    in_use = AnswerParams(calibration=Calibration(weights={"rerank": 1.0}, bias=-1.0), threshold=0.5)
    result = fit(sets, wrong_cost=1.0, in_use=in_use)
    assert result.calibration.weights["lexical"] > 0.5
    for dev in sets:
        right, wrong, _ = result.replacing_at[dev.name]
        old_right, old_wrong, _ = answered_shares(dev, in_use)
        assert wrong <= old_wrong and right > old_right
    # Answering one question more (the best probability next below it) answers a set wrongly more often.
    below = max(
        p for dev in sets for p, _ in best_per_question(dev, result.calibration) if p < result.replacing
    )
    lower = AnswerParams(calibration=result.calibration, threshold=below)
    assert any(answered_shares(dev, lower)[1] > answered_shares(dev, in_use)[1] for dev in sets)
    shown = report(result, 1.0)
    assert shown["replacing_threshold"] >= result.replacing
    assert set(shown["replacing_held_out"]) == {"news", "wiki"}
