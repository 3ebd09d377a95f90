"""An evaluation run: an archive built in a temporary folder, each question asked of the engine
and of the naive baseline over the same articles, both graded the same way."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index import Encoder, Engine, EngineParams
from index.ingest.corpus import read_corpus

from .baseline import NaiveBaseline, baseline_answer, best_threshold
from .gold import GoldQuestion, load_gold, load_rtqa, load_squad
from .grading import Tally, grade

Row = dict[str, Any]
MEASURES = (
    ("first_citation", "first citation holds the answer"),
    ("first_three", "in the first three"),
    ("answer_accuracy", "answer accuracy"),
    ("citation_correct", "citation correct"),
    ("unanswerable_abstained", "unanswerable abstained"),
    ("abstained", "abstained"),
    ("wrong_answers", "wrong answers"),
    ("overall", "overall"),
)


def evaluate(
    engine: Engine, baseline: NaiveBaseline, questions: Sequence[GoldQuestion]
) -> tuple[list[Row], list[str]]:
    """(the engine's row, the baseline's row) and the engine's misses."""
    vectors = engine.encoder.encode([q.question for q in questions])
    picks = [baseline.pick(v) for v in vectors]
    threshold = best_threshold(
        [(pick.score if pick else -1.0, q.answerable) for q, pick in zip(questions, picks, strict=True)]
    )
    ours, base = Tally(), Tally()
    for q, pick in zip(questions, picks, strict=True):
        grade(q, engine.ask(q.question, previous=q.previous, as_of=q.as_of), ours)
        grade(q, baseline_answer(q.question, pick, threshold), base)
    rows = [ours.row("newsbot"), base.row(f"naive baseline (threshold {threshold:.3f})")]
    return rows, ours.failures


def evaluate_archive(
    encoder: Encoder,
    archive: Sequence[Path],
    questions: Sequence[GoldQuestion],
    *,
    params: EngineParams = EngineParams(),
    limit: int | None = None,
) -> tuple[list[Row], list[str]]:
    """`questions` over an archive of these files, ingested into a temporary index."""
    articles = [a for path in archive for a in read_corpus(path).articles]
    baseline = NaiveBaseline(encoder, articles)
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        engine = Engine.open(Path(tmp) / "index", encoder, create=True, params=params)
        try:
            engine.ingest(list(archive))
            return evaluate(engine, baseline, questions[:limit] if limit else questions)
        finally:
            engine.close()


def evaluate_set(
    encoder: Encoder,
    *,
    gold: Path,
    corpus: Path,
    squad: Path | None = None,
    rtqa: Path | None = None,
    limit: int | None = None,
    params: EngineParams = EngineParams(),
) -> tuple[list[Row], list[str]]:
    """The gold set over `corpus`, SQuAD 2.0 (`squad`) over its own paragraphs, or a
    RealTimeQA development set (`rtqa`, a folder) over its archive."""
    if rtqa:
        archive, questions = load_rtqa(rtqa)
        return evaluate_archive(encoder, archive, questions, params=params, limit=limit)
    if squad:
        articles, squad_questions = load_squad(squad)
        with tempfile.TemporaryDirectory(prefix="newsbot-squad-") as tmp:
            path = Path(tmp) / "squad.jsonl"
            path.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
            return evaluate_archive(encoder, [path], squad_questions, params=params, limit=limit)
    return evaluate_archive(encoder, [corpus], load_gold(gold), params=params, limit=limit)


def markdown_table(rows: list[Row]) -> str:
    head = "| system | questions | " + " | ".join(label for _, label in MEASURES) + " |"
    lines = [head, "|---|---|" + "---|" * len(MEASURES)]
    for r in rows:
        cells = " | ".join(f"{r[key]}%" for key, _ in MEASURES)
        lines.append(f"| {r['system']} | {r['questions']} | {cells} |")
    return "\n".join(lines)
