"""Gold questions and the archives they are asked of: the shipped news gold set, SQuAD 2.0 (one
article per paragraph), and a RealTimeQA development set (weekly news-quiz questions asked as of
their quiz date over their evidence among distractor articles)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from index import UserError


class GoldQuestion(BaseModel):
    question: str
    answerable: bool
    answers: list[str] = []
    # Sentences that state the answer (the gold set) or URLs of articles that do (SQuAD).
    sources: list[str] = []
    # Several acceptable answers, any one of which counts (SQuAD, RealTimeQA).
    any_answer: bool = False
    as_of: dt.date | None = None  # the day relative periods are read against
    previous: str | None = None  # the question a follow-up refers to


def load_gold(path: Path) -> list[GoldQuestion]:
    if not path.exists():
        raise UserError(f"No gold set at {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [GoldQuestion.model_validate_json(line) for line in lines if line.strip()]


def load_squad(path: Path) -> tuple[list[dict[str, Any]], list[GoldQuestion]]:
    """SQuAD 2.0 as a corpus (one article per paragraph) and its questions."""
    if not path.exists():
        raise UserError(f"No SQuAD file at {path}")
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


def load_rtqa(folder: Path) -> tuple[list[Path], list[GoldQuestion]]:
    """The archive files and questions that `shared/tools/prepare_rtqa_dev.py` writes into
    `folder` (archive/*.jsonl, questions.jsonl); every question is answerable, as of its date."""
    questions_file, archive = folder / "questions.jsonl", folder / "archive"
    if not questions_file.exists() or not archive.is_dir():
        raise UserError(
            f"No RealTimeQA set in {folder}: build it with "
            "`python ../shared/tools/prepare_rtqa_dev.py MIRROR OUTDIR` (see the README)."
        )
    questions = []
    for line in questions_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            questions.append(
                GoldQuestion(
                    question=record["question"],
                    answerable=True,
                    answers=record["answers"],
                    any_answer=True,
                    as_of=dt.date.fromisoformat(record["as_of"]),
                )
            )
    return sorted(archive.glob("*.jsonl")), questions
