"""Gold questions: the shipped news gold set, and SQuAD 2.0 as an archive with its questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from index import UserError


class GoldQuestion(BaseModel):
    question: str
    answerable: bool
    answers: list[str] = []
    sources: list[str] = []
    # For SQuAD: several acceptable answers, any one of which counts.
    any_answer: bool = False


def load_gold(path: Path) -> list[GoldQuestion]:
    if not path.exists():
        raise UserError(f"No gold set at {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [GoldQuestion.model_validate_json(line) for line in lines if line.strip()]


def load_squad(path: Path) -> tuple[list[dict[str, Any]], list[GoldQuestion]]:
    """SQuAD 2.0 as a corpus (one article per paragraph) and its questions."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    articles, questions = [], []
    for doc in data:
        for n, paragraph in enumerate(doc["paragraphs"]):
            articles.append(
                {
                    "title": f"{doc['title'].replace('_', ' ')} ({n + 1})",
                    "url": f"squad://{doc['title']}/{n}",
                    "text": paragraph["context"],
                }
            )
            for qa in paragraph["qas"]:
                answers = sorted({a["text"] for a in qa["answers"]})
                # The cited sentence must be from this paragraph and hold an answer.
                questions.append(
                    GoldQuestion(
                        question=qa["question"],
                        answerable=not qa["is_impossible"],
                        answers=answers,
                        sources=[f"squad://{doc['title']}/{n}"],
                        any_answer=True,
                    )
                )
    return articles, questions
