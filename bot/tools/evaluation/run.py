"""An evaluation run: an archive built in a temporary folder, each question asked of the engine
and of the dense-only baseline, both graded the same way."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from index import Encoder, Engine, EngineParams

from .baseline import best_threshold, dense_baseline_answer, dense_best_sentence
from .gold import GoldQuestion, load_gold, load_squad
from .grading import Tally, grade

Row = dict[str, Any]


def evaluate(engine: Engine, questions: list[GoldQuestion]) -> tuple[list[Row], list[str]]:
    """(the engine's row, the baseline's row) and the engine's misses."""
    # The baseline's pick does not depend on its threshold: find each once, then give the
    # baseline its best case, a threshold tuned on the very questions it is graded on.
    vectors = engine.encoder.encode([q.question for q in questions])
    picks = [dense_best_sentence(engine, v) for v in vectors]
    threshold = best_threshold(
        (pick.score if pick else -1.0, q.answerable) for q, pick in zip(questions, picks, strict=True)
    )
    ours, base = Tally(), Tally()
    for q, pick in zip(questions, picks, strict=True):
        grade(q, engine.ask(q.question), ours)
        grade(q, dense_baseline_answer(q.question, pick, threshold), base)
    rows = [
        ours.row("newsbot (hybrid, period-aware)"),
        base.row(f"dense-only baseline (threshold {threshold:.3f})"),
    ]
    return rows, ours.failures


def evaluate_gold(
    encoder: Encoder,
    *,
    gold: Path,
    corpus: Path,
    squad: Path | None = None,
    limit: int | None = None,
    params: EngineParams = EngineParams(),
) -> tuple[list[Row], list[str]]:
    """The gold set over `corpus`, or SQuAD 2.0 (`squad`) over its own paragraphs."""
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        engine = Engine.open(Path(tmp) / "index", encoder, create=True, params=params)
        try:
            if squad:
                articles, questions = load_squad(squad)
                archive = Path(tmp) / "squad.jsonl"
                archive.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
                engine.ingest([archive])
            else:
                questions = load_gold(gold)
                engine.ingest([corpus])
            return evaluate(engine, questions[:limit] if limit else questions)
        finally:
            engine.close()


def markdown_table(rows: list[Row]) -> str:
    head = "| system | questions | answer accuracy | citation correct | abstention accuracy | overall |"
    lines = [head, "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['system']} | {r['questions']} | {r['answer_accuracy']}% | {r['citation_correct']}% "
            f"| {r['abstention_accuracy']}% | {r['overall']}% |"
        )
    return "\n".join(lines)
