"""The vectors of counted things are encoded once and kept, within a bound."""

from __future__ import annotations

import numpy as np

from index.answering.figures import ThingVectors
from tests.fixtures.encoder import HashingEncoder


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded += list(texts)
        return super().encode(texts)


def test_each_thing_is_encoded_once_and_gives_the_encoders_vector():
    encoder = CountingEncoder()
    vectors = ThingVectors(encoder.encode, capacity=10)
    first = vectors(["arrests", "carjackings", "arrests"])
    again = vectors(["carjackings", "homicides"])
    assert encoder.encoded == ["arrests", "carjackings", "homicides"]
    assert np.array_equal(first["carjackings"], again["carjackings"])
    assert np.allclose(again["homicides"], HashingEncoder().encode(["homicides"])[0])


def test_the_oldest_things_go_past_the_capacity():
    encoder = CountingEncoder()
    vectors = ThingVectors(encoder.encode, capacity=2)
    vectors(["a1", "b2"])
    vectors(["c3"])
    vectors(["a1"])
    assert encoder.encoded == ["a1", "b2", "c3", "a1"]
