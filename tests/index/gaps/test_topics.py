"""Unanswered questions become topics: grouped by meaning, the most asked first, each named by
its most typical question with distinct examples; with the real model, a scripted set is grouped
as a person would group it."""

from __future__ import annotations

import numpy as np
import pytest

from index import Engine
from index.gaps.topics import gap_topics
from index.params import GapParams
from tests.fixtures.backends import both_backends

pytest_generate_tests = both_backends  # engine tests run against both archives

# Scripted questions a newsroom's archive could not answer, by the topic a person sees in them.
SCRIPTED = {
    "pool": [
        "When does the public pool open this summer?",
        "What are the summer hours of the city swimming pool?",
        "Is the Riverton pool open on weekends?",
        "how much is a pool pass for kids",
    ],
    "snow": [
        "Why haven't the side streets been plowed after the snowstorm?",
        "When will the city plow my street?",
        "Will the city salt the roads before the next snowstorm?",
    ],
    "dog park": [
        "Where is the new dog park going to be built?",
        "Will the dog park on Maple Avenue have a fence for small dogs?",
    ],
    "parade": ["What is the route of the Fourth of July parade?"],
}


def axis(n: int, noise: float = 0.0) -> np.ndarray:
    vector = np.full(8, noise, dtype=np.float32)
    vector[n] = 1.0
    return vector / np.linalg.norm(vector)


def test_questions_near_each_other_form_one_topic_and_the_largest_comes_first():
    questions = ["b1", "a1", "a2", "b2", "a3", "c1"]
    vectors = np.stack([axis(1), axis(0), axis(0, 0.05), axis(1, 0.05), axis(0, 0.1), axis(2)])
    report = gap_topics(questions, vectors, GapParams(similarity=0.9))

    assert report.questions == 6
    assert [(t.count, {t.question, *t.examples}) for t in report.topics] == [
        (3, {"a1", "a2", "a3"}),
        (2, {"b1", "b2"}),
        (1, {"c1"}),
    ]


def test_the_same_question_asked_twice_counts_twice_but_shows_once():
    report = gap_topics(["Pool hours?", "Pool hours?"], np.stack([axis(0), axis(0)]), GapParams())
    assert [(t.count, t.question, t.examples) for t in report.topics] == [(2, "Pool hours?", [])]


def test_topics_and_examples_are_capped():
    questions = [f"q{i}" for i in range(6)]
    vectors = np.stack([axis(0)] * 4 + [axis(1), axis(2)])
    report = gap_topics(questions, vectors, GapParams(topics=2, examples=2))
    assert len(report.topics) == 2 and report.topics[0].count == 4 and len(report.topics[0].examples) == 2


def test_no_questions_no_topics():
    assert gap_topics([], np.zeros((0, 8), np.float32), GapParams()).topics == []


def test_the_engine_groups_abstentions_and_unhelpful_answers(open_engine, corpus_dir, write_article):
    engine = open_engine()
    write_article("a.md", "The council met on Tuesday.")
    engine.ingest([corpus_dir])
    for question in ("pool opening hours summer", "pool opening hours weekend"):
        engine.record_abstention(user_hash="u1", question=question)
    engine.record_feedback(helpful=False, user_hash="u2", question="pool opening hours holiday")
    engine.record_feedback(helpful=True, user_hash="u2", question="council meeting day")
    engine.record_feedback(helpful=False, user_hash="u3", question=None)  # question logging off

    report = engine.coverage_gaps()
    assert report.questions == 3
    assert [t.count for t in report.topics] == [3]


@pytest.mark.slow
def test_scripted_questions_are_grouped_as_a_person_would(real_encoder):
    questions = [q for group in SCRIPTED.values() for q in group]
    report = gap_topics(questions, real_encoder.encode(questions), GapParams())

    groups = [{t.question, *t.examples} for t in report.topics]
    assert groups == [set(group) for group in SCRIPTED.values()]
    assert [t.count for t in report.topics] == [4, 3, 2, 1]


def test_a_rebuild_keeps_the_unanswered_questions(open_engine, corpus_dir, write_article, index_dir, encoder):
    write_article("a.md", "The council met on Tuesday.")
    engine = open_engine()
    engine.ingest([corpus_dir])
    engine.record_abstention(user_hash="u1", question="pool opening hours summer")
    Engine.rebuild(index_dir, encoder, [corpus_dir])

    assert engine.coverage_gaps().questions == 1
