"""An evaluation run: an archive built in a temporary folder, each question asked of the engine
and of the naive baseline over the same articles, both graded the same way."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index import Encoder, Engine, EngineParams, Reranker
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


@contextmanager
def built(
    encoder: Encoder, reranker: Reranker | None, archive: Sequence[Path], params: EngineParams
) -> Iterator[Engine]:
    """An engine over these archive files, ingested into a temporary index."""
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        engine = Engine.open(Path(tmp) / "index", encoder, reranker=reranker, create=True, params=params)
        try:
            engine.ingest(list(archive))
            yield engine
        finally:
            engine.close()


@contextmanager
def question_set(
    *, gold: Path, corpus: Path, squad: Path | None = None, rtqa: Path | None = None
) -> Iterator[tuple[list[Path], list[GoldQuestion]]]:
    """(archive files, questions): the gold set over `corpus`, SQuAD 2.0 (`squad`) over its own
    paragraphs, or a RealTimeQA development set (`rtqa`, a folder) over its archive."""
    if rtqa:
        yield load_rtqa(rtqa)
    elif squad:
        articles, questions = load_squad(squad)
        with tempfile.TemporaryDirectory(prefix="newsbot-squad-") as tmp:
            path = Path(tmp) / "squad.jsonl"
            path.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
            yield [path], questions
    else:
        yield [corpus], load_gold(gold)


def evaluate_set(
    encoder: Encoder,
    reranker: Reranker | None,
    *,
    gold: Path,
    corpus: Path,
    squad: Path | None = None,
    rtqa: Path | None = None,
    limit: int | None = None,
    params: EngineParams = EngineParams(),
) -> tuple[list[Row], list[str]]:
    """The engine and the naive baseline over one question set (`question_set`)."""
    with question_set(gold=gold, corpus=corpus, squad=squad, rtqa=rtqa) as (archive, questions):
        baseline = NaiveBaseline(encoder, [a for path in archive for a in read_corpus(path).articles])
        with built(encoder, reranker, archive, params) as engine:
            return evaluate(engine, baseline, questions[:limit] if limit else questions)


def depth_curve(
    encoder: Encoder,
    reranker: Reranker | None,
    *,
    depths: Sequence[int],
    gold: Path,
    corpus: Path,
    squad: Path | None = None,
    rtqa: Path | None = None,
    limit: int | None = None,
    params: EngineParams = EngineParams(),
) -> list[Row]:
    """The engine's rows at each rerank depth over one archive, with the median time a question
    took (all of `Engine.ask`, the cross-encoder included) beside them."""
    rows = []
    with question_set(gold=gold, corpus=corpus, squad=squad, rtqa=rtqa) as (archive, questions):
        asked = questions[:limit] if limit else questions
        with built(encoder, reranker, archive, params) as engine:
            directory = Path(engine.stats().index_dir)
            for depth in depths:
                at = params.model_copy(
                    update={
                        "answer": params.answer.model_copy(
                            update={"rerank": params.answer.rerank.model_copy(update={"depth": depth})}
                        )
                    }
                )
                probe = Engine.open(directory, encoder, reranker=reranker, params=at)
                tally, times = Tally(), []
                try:
                    for q in asked:
                        started = time.perf_counter()
                        answer = probe.ask(q.question, previous=q.previous, as_of=q.as_of)
                        times.append(time.perf_counter() - started)
                        grade(q, answer, tally)
                finally:
                    probe.close()
                row = tally.row(f"rerank depth {depth}")
                row["ask_p50_ms"] = round(1000 * statistics.median(times), 1) if times else 0.0
                rows.append(row)
    return rows


def markdown_table(rows: list[Row]) -> str:
    head = "| system | questions | " + " | ".join(label for _, label in MEASURES) + " |"
    lines = [head, "|---|---|" + "---|" * len(MEASURES)]
    for r in rows:
        cells = " | ".join(f"{r[key]}%" for key, _ in MEASURES)
        timed = f" ({r['ask_p50_ms']} ms a question)" if "ask_p50_ms" in r else ""
        lines.append(f"| {r['system']}{timed} | {r['questions']} | {cells} |")
    return "\n".join(lines)
