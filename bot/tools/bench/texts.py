"""The real text the bench encodes and asks: SQuAD 2.0 dev paragraphs and the shipped corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.ingest.corpus import read_corpus
from index.models import Article

from ..evaluation.gold import load_squad

DEFAULT_SQUAD = Path("..") / "shared" / "data" / "squad-v2.0-dev-half.json"

# Asked when there are no SQuAD questions (the corpus alone).
CORPUS_QUESTIONS = [
    "how many carjackings in 2021?",
    "where did the shooting happen?",
    "who investigates police shootings?",
    "when was the officer ambushed?",
]


@dataclass
class Texts:
    articles: list[Article]
    passages: list[str]  # for raw encoding speed: title + paragraph, ~150-250 word pieces
    sentences: list[str]
    questions: list[str]
    source: str


def load_texts(squad: Path | None, corpus: Path) -> Texts:
    articles: list[Article] = list(read_corpus(corpus).articles) if corpus.exists() else []
    questions: list[str] = []
    source = f"{len(articles)} articles of {corpus}/"
    if squad is not None and squad.exists():
        raw, gold = load_squad(squad)
        for n, a in enumerate(raw):
            articles.append(
                Article(
                    article_id=a["url"],
                    title=a["title"],
                    text=a["text"],
                    url=a["url"],
                    source=f"{squad}:{n + 1}",
                )
            )
        questions = [q.question for q in gold if q.answerable]
        source = f"{len(raw)} SQuAD 2.0 dev paragraphs ({squad.name}) and " + source
    if not questions:
        questions = CORPUS_QUESTIONS * 25
    sentences = [s for a in articles for s in re.split(r"(?<=[.!?])\s+", a.text) if len(s) > 30]
    passages = [f"{a.title}. {a.text}" for a in articles if len(a.text) > 400]
    # Spread the questions over the whole set (they come grouped by paragraph).
    questions = questions[:: max(1, len(questions) // 400)]
    return Texts(articles, passages, sentences, questions, source)
