"""How an answer is graded against a gold question, and the tallies the report prints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from index import Answer, Citation
from index.text.terms import composed

from .gold import GoldQuestion

# Curly quotes as straight ones: quiz answers quote titles ("“Arthur”") as a sentence may not.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
_AROUND = " \t\n\"'"


def normalise(text: str) -> str:
    """Composed (an accent written as a combining mark is the letter it makes), case-folded,
    quotes straightened, runs of whitespace as one space."""
    return " ".join(composed(text).translate(_QUOTES).casefold().split())


def holds(answer: str, text: str) -> bool:
    """`text` states `answer` (normalised, the quotes around it aside)."""
    wanted = normalise(answer).strip(_AROUND)
    return bool(wanted) and wanted in normalise(text)


def holds_any(answers: Iterable[str], text: str) -> bool:
    return any(holds(a, text) for a in answers)


@dataclass
class Tally:
    answerable: int = 0
    unanswerable: int = 0
    first_hit: int = 0  # answerable, and the first citation holds an answer
    top3_hit: int = 0  # answerable, and one of the first three citations holds an answer
    answered_right: int = 0
    cited_right: int = 0
    abstained: int = 0  # on any question
    abstained_right: int = 0  # abstained on unanswerable
    wrong: int = 0  # answered, and not right: the answers a newsroom must not get
    failures: list[str] = field(default_factory=list)

    def row(self, name: str) -> dict[str, Any]:
        total = self.answerable + self.unanswerable

        def pct(a: int, b: int) -> float:
            return round(100.0 * a / b, 1) if b else 0.0

        answered_answerable = self.answerable - (self.abstained - self.abstained_right)
        return {
            "system": name,
            "questions": total,
            "first_citation": pct(self.first_hit, self.answerable),
            "first_three": pct(self.top3_hit, self.answerable),
            "answer_accuracy": pct(self.answered_right, self.answerable),
            "citation_correct": pct(self.cited_right, self.answerable),
            "unanswerable_abstained": pct(self.abstained_right, self.unanswerable),
            "abstained": pct(self.abstained, total),
            "wrong_answers": pct(self.wrong, total),
            "abstention_accuracy": pct(self.abstained_right + answered_answerable, total),
            "overall": pct(self.answered_right + self.abstained_right, total),
        }


def _right_source(gold: GoldQuestion, citation: Citation) -> bool:
    if gold.any_answer:
        in_source = not gold.sources or citation.source.url in gold.sources
        return in_source and holds_any(gold.answers, citation.sentence)
    return citation.sentence in gold.sources


def grade(gold: GoldQuestion, answer: Answer, tally: Tally) -> None:
    if answer.abstained:
        tally.abstained += 1
    if not gold.answerable:
        tally.unanswerable += 1
        if answer.abstained:
            tally.abstained_right += 1
        else:
            tally.wrong += 1
            tally.failures.append(f"answered unanswerable: {gold.question}")
        return
    tally.answerable += 1
    if answer.abstained:
        tally.failures.append(f"abstained: {gold.question}")
        return
    stated = answer.stated  # the citations the answer's lines state, first first
    text = " ".join(c.sentence for c in stated)
    found = [holds(a, text) for a in gold.answers]
    right = bool(gold.answers) and (any(found) if gold.any_answer else all(found))
    if right:
        tally.answered_right += 1
    else:
        tally.wrong += 1
        tally.failures.append(f"wrong answer: {gold.question} -> {text[:120]!r}")
    cited = stated + [c for c in answer.quoted if c not in stated]
    if cited and holds_any(gold.answers, cited[0].sentence):
        tally.first_hit += 1
    if any(holds_any(gold.answers, c.sentence) for c in cited[:3]):
        tally.top3_hit += 1
    if any(_right_source(gold, c) for c in stated):
        tally.cited_right += 1
