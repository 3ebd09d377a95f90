"""`newsbot eval`: the engine against a gold set, beside a dense-only baseline, in one run."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from .answering import AnswerParams
from .encoder import Encoder
from .engine import Engine
from .errors import UserError
from .models import Answer, Citation


class GoldQuestion(BaseModel):
    question: str
    answerable: bool
    answers: list[str] = []
    sources: list[str] = []
    # For SQuAD: several acceptable answers, any one of which counts.
    any_answer: bool = False


@dataclass
class Tally:
    answerable: int = 0
    unanswerable: int = 0
    answered_right: int = 0
    cited_right: int = 0
    abstained_right: int = 0  # abstained on unanswerable
    answered_when_should: int = 0  # did not abstain on answerable
    failures: list[str] = field(default_factory=list)

    def row(self, name: str) -> dict:
        total = self.answerable + self.unanswerable
        pct = lambda a, b: round(100.0 * a / b, 1) if b else 0.0  # noqa: E731
        return {
            "system": name,
            "questions": total,
            "answer_accuracy": pct(self.answered_right, self.answerable),
            "citation_correct": pct(self.cited_right, self.answerable),
            "abstention_accuracy": pct(self.abstained_right + self.answered_when_should, total),
            "overall": pct(self.answered_right + self.abstained_right, total),
        }


def load_gold(path: Path) -> list[GoldQuestion]:
    if not path.exists():
        raise UserError(f"No gold set at {path}")
    return [GoldQuestion.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_squad(path: Path) -> tuple[list[dict], list[GoldQuestion]]:
    """SQuAD 2.0 as a corpus (one article per paragraph) and its questions."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    articles, questions = [], []
    for doc in data:
        for n, paragraph in enumerate(doc["paragraphs"]):
            articles.append({
                "title": f"{doc['title'].replace('_', ' ')} ({n + 1})",
                "url": f"squad://{doc['title']}/{n}",
                "text": paragraph["context"],
            })
            for qa in paragraph["qas"]:
                answers = sorted({a["text"] for a in qa["answers"]})
                # The cited sentence must be from this paragraph and hold an answer.
                questions.append(GoldQuestion(
                    question=qa["question"], answerable=not qa["is_impossible"],
                    answers=answers, sources=[f"squad://{doc['title']}/{n}"], any_answer=True,
                ))
    return articles, questions


def _cited(answer: Answer) -> list:
    """Citations the answer text refers to ([n])."""
    return [c for c in answer.citations if f"[{c.n}]" in answer.answer]


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
    text = answer.answer.replace("**", "").lower()
    found = [a.lower() in text for a in gold.answers]
    if (any(found) if gold.any_answer else all(found)) and gold.answers:
        tally.answered_right += 1
    else:
        tally.failures.append(f"wrong answer: {gold.question} -> {answer.answer[:120]!r}")
    cited = _cited(answer)
    if gold.any_answer:
        ok = any(
            c.url in gold.sources and any(a.lower() in c.sentence.lower() for a in gold.answers)
            for c in cited
        )
    else:
        ok = any(c.sentence in gold.sources for c in cited)
    if ok:
        tally.cited_right += 1


def dense_baseline_answer(question: str, pick: tuple[Citation, float] | None, threshold: float) -> Answer:
    """Plain semantic search: the top chunk's most similar sentence, abstaining below `threshold`."""
    if pick is None or pick[1] < threshold:
        return Answer(question=question, answer="Not in the archive.", abstained=True)
    citation, score = pick
    return Answer(
        question=question, answer=f"{citation.sentence} [1]", abstained=False,
        citations=[citation.model_copy(update={"score": score})], confidence=score,
    )


def best_threshold(scores: Iterable[tuple[float, bool]]) -> float:
    """The abstention threshold that classifies answerable/unanswerable best on these scores."""
    pairs = sorted(scores)
    best, best_right = 0.0, -1
    for candidate in [0.0] + [s for s, _ in pairs]:
        right = sum((s >= candidate) == answerable for s, answerable in pairs)
        if right > best_right:
            best, best_right = candidate, right
    return best


def evaluate(engine: Engine, encoder: Encoder, questions: list[GoldQuestion]) -> tuple[list[dict], list[str]]:
    # The baseline's pick does not depend on its threshold: find each once, then give the
    # baseline its best case, a threshold tuned on the very questions it is graded on.
    vectors = encoder.encode([q.question for q in questions])
    picks = [engine.dense_best_sentence(v) for v in vectors]
    threshold = best_threshold(
        (pick[1] if pick else -1.0, q.answerable) for q, pick in zip(questions, picks)
    )
    ours, base = Tally(), Tally()
    for q, pick in zip(questions, picks):
        grade(q, engine.ask(q.question), ours)
        grade(q, dense_baseline_answer(q.question, pick, threshold), base)
    rows = [
        ours.row("newsbot (hybrid, period-aware)"),
        base.row(f"dense-only baseline (threshold {threshold:.3f})"),
    ]
    return rows, ours.failures


def markdown_table(rows: list[dict]) -> str:
    head = "| system | questions | answer accuracy | citation correct | abstention accuracy | overall |"
    lines = [head, "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['system']} | {r['questions']} | {r['answer_accuracy']}% | {r['citation_correct']}% "
            f"| {r['abstention_accuracy']}% | {r['overall']}% |"
        )
    return "\n".join(lines)


def run_eval(args, settings) -> int:
    from .encoder import load_encoder

    encoder = load_encoder(settings.model_path, settings.encoder_backend)
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        engine = Engine.open(Path(tmp) / "index", encoder, create=True, params=AnswerParams())
        try:
            if args.squad:
                articles, questions = load_squad(args.squad)
                corpus = Path(tmp) / "squad.jsonl"
                corpus.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
                engine.ingest([corpus], progress=False)
            else:
                questions = load_gold(args.gold)
                engine.ingest([args.corpus], progress=False)
            if args.limit:
                questions = questions[: args.limit]
            rows, failures = evaluate(engine, encoder, questions)
        finally:
            engine.close()
    if args.json:
        print(json.dumps({"rows": rows, "failures": failures}, indent=2))
    else:
        print(markdown_table(rows))
        if args.verbose and failures:
            print("\n".join(["", "Engine misses:"] + failures))
    return 0

