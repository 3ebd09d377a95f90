"""How an answer is graded against a gold question, and the tallies the report prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index import Answer

from .gold import GoldQuestion


@dataclass
class Tally:
    answerable: int = 0
    unanswerable: int = 0
    answered_right: int = 0
    cited_right: int = 0
    abstained_right: int = 0  # abstained on unanswerable
    answered_when_should: int = 0  # did not abstain on answerable
    failures: list[str] = field(default_factory=list)

    def row(self, name: str) -> dict[str, Any]:
        total = self.answerable + self.unanswerable

        def pct(a: int, b: int) -> float:
            return round(100.0 * a / b, 1) if b else 0.0

        return {
            "system": name,
            "questions": total,
            "answer_accuracy": pct(self.answered_right, self.answerable),
            "citation_correct": pct(self.cited_right, self.answerable),
            "abstention_accuracy": pct(self.abstained_right + self.answered_when_should, total),
            "overall": pct(self.answered_right + self.abstained_right, total),
        }


def grade(gold: GoldQuestion, answer: Answer, tally: Tally) -> None:
    if not gold.answerable:
        tally.unanswerable += 1
        if answer.abstained:
            tally.abstained_right += 1
        else:
            tally.failures.append(f"answered unanswerable: {gold.question}")
        return
    tally.answerable += 1
    if answer.abstained:
        tally.failures.append(f"abstained: {gold.question}")
        return
    tally.answered_when_should += 1
    stated = answer.stated  # the citations the answer's lines state
    text = " ".join(c.sentence for c in stated)
    found = [a.lower() in text.lower() for a in gold.answers]
    if (any(found) if gold.any_answer else all(found)) and gold.answers:
        tally.answered_right += 1
    else:
        tally.failures.append(f"wrong answer: {gold.question} -> {text[:120]!r}")
    if gold.any_answer:
        ok = any(
            c.source.url in gold.sources and any(a.lower() in c.sentence.lower() for a in gold.answers)
            for c in stated
        )
    else:
        ok = any(c.sentence in gold.sources for c in stated)
    if ok:
        tally.cited_right += 1
