"""Unanswered questions grouped by meaning: average-linkage clusters of their embeddings, cut
where the questions of a group stop meaning alike, most asked first."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field
from scipy.cluster.hierarchy import fcluster, linkage

from ..params import GapParams


class GapTopic(BaseModel):
    """One topic people asked about that the archive could not answer."""

    question: str = Field(description="The question most like the others of the topic: its name.")
    count: int = Field(description="How many unanswered questions it holds.")
    examples: list[str] = Field(description="Other questions of the topic, distinct, most typical first.")


class GapReport(BaseModel):
    questions: int = Field(description="Unanswered questions read.")
    topics: list[GapTopic] = []


def _groups(vectors: np.ndarray, similarity: float) -> list[list[int]]:
    """Positions of the vectors (unit length) in each group."""
    if len(vectors) < 2:
        return [list(range(len(vectors)))] if len(vectors) else []
    tree = linkage(vectors, method="average", metric="cosine")
    labels = fcluster(tree, t=1 - similarity, criterion="distance")
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(int(label), []).append(position)
    return list(groups.values())


def gap_topics(questions: Sequence[str], vectors: np.ndarray, params: GapParams) -> GapReport:
    """`questions` and their embeddings (unit vectors, one row each) as topics: the largest first
    (ties: the one asked first in `questions`), each named by its most typical question."""
    topics = []
    for members in _groups(vectors, params.similarity):
        block = vectors[members]
        typical = np.argsort(-(block @ block.T).mean(axis=1), kind="stable")
        ordered = list(dict.fromkeys(questions[members[i]].strip() for i in typical))
        topics.append((len(members), members[0], ordered))
    topics.sort(key=lambda t: (-t[0], t[1]))
    return GapReport(
        questions=len(questions),
        topics=[
            GapTopic(question=ordered[0], count=count, examples=ordered[1 : 1 + params.examples])
            for count, _, ordered in topics[: params.topics]
        ],
    )
