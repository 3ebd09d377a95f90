"""A fuzz run through the whole engine: 10,000 generated files over five ingests, then 10,000
generated questions. Nothing may crash; every bad file or JSONL line gets exactly one reason,
every article whose date cannot be read one warning, every good one is stored verbatim, and
every answer quotes the stored text at its offsets and cites internal articles only for an
internal audience.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from index.engine import Engine
from index.errors import BadQuestionError
from index.params import AnswerParams, EngineParams
from index.store.schema import DB_NAME
from index.store.store import Store
from index.text.fingerprint import ID_DIGITS, text_fingerprint
from index.text.terms import composed
from tests.fixtures.encoder import HashingEncoder

ROUNDS = 5
FILES_PER_ROUND = 2_000
QUESTIONS = 10_000
SEED = 11

# A vocabulary as varied as an archive's, so that exact-term search meets realistic hit counts.
_SYLLABLES = "ka lo mi ne ru sa to vi ze bor dan fel gri hul jas kem lun mor".split()
NOUNS = sorted({"".join(random.Random(i).choices(_SYLLABLES, k=3)) + "s" for i in range(600)})
PLACES = sorted({"".join(random.Random(-i).choices(_SYLLABLES, k=2)).title() for i in range(150)})
HOSTILE = [
    "@everyone",
    "<@123456789012345678>",
    "**bold**",
    "`code`",
    "[x](javascript:alert(1))",
    "'; DROP TABLE articles; --",
    '"',
    "NEAR(a b)",
    "text:foo",
    "AND OR NOT",
    "*",
    "^",
    "\\",
    "\u200b",
    "\u202e",
    "\ufeff",
    "e\u0301",
    "\U0001f600",
    "\r",
    "\t",
    "\u2028",
    "Jan. 1 through July 24 of 2022",
    "since 1850",
    "in 0000",
    "2019-2021",
    "last year",
    "Q5 2021",
    "WATCH:",
    "Photo: AP",
    "a.m.",
    "U.S.",
    "...",
    "?!",
    "---",
    "#",
    "\\n",
]


def sentence(rng: random.Random) -> str:
    words = [
        f"In {rng.randint(1990, 2024)}, {rng.choice(PLACES)} saw {rng.randint(1, 99_999):,}",
        rng.choice(NOUNS),
        rng.choice(["police said.", "officials said.", "the report says."]),
    ]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words) + 1), rng.choice(HOSTILE))
    return " ".join(words)


def body(rng: random.Random) -> str:
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(1, 2))) for _ in range(rng.randint(1, 3))]
    return "\n".join(paragraphs) + "\n"


def noise(rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    pieces = [
        rng.choice(HOSTILE + NOUNS + ["\n", ": ", "---\n", "title: ", "url: "])
        for _ in range(rng.randint(0, 60))
    ]
    text = "".join(pieces)
    if kind == 1:
        text = "---\n" + text
    return text.encode("utf-8", "surrogatepass")


# Files that must be refused, each with the words its one reason must contain.
BAD_FILES = [
    (b"", "empty"),
    (b"  \n\t\n", "empty"),
    (b"PDF\x00\x01binary", "binary"),
    ("caf\u00e9 story".encode("latin-1"), "UTF-8"),
    (b"---\ntitle: never closed\nIn 2021 it rained.\n", "never closed"),
    (b"---\ntitle: [unclosed\n---\nIn 2021 it rained.\n", "YAML"),
    (b"---\n- a list\n---\nIn 2021 it rained.\n", "mapping"),
    (b"---\nvisibility: secret\n---\nIn 2021 it rained.\n", "visibility"),
    (b"---\nstatus: draft\n---\nIn 2021 it rained.\n", "status"),
    (b"---\ntitle: [a, b]\n---\nIn 2021 it rained.\n", "title"),
    (b"---\ntitle: only front matter\n---\n", "empty"),
]
# Files stored undated, each with the words its one warning must contain.
UNDATED_FILES = [
    (b"---\npublished: last tuesday\n---\nIn 2021 it rained.\n", "is not a date"),
    (b"---\npublished: 0001-01-01\n---\nLast year it rained.\n", "placeholder"),
    (b"---\npublished: 2021-13-45\n---\nIn 2021 it rained.\n", "is not a date"),
]
BAD_LINES = [
    ("{not json", "malformed JSON"),
    ("[1, 2, 3]", "not a JSON object"),
    ('{"title": "no text"}', "missing text"),
    ('{"text": 42}', "is a number, not text"),
    ('{"text": "   "}', "empty"),
    ('{"text": "In 2021 it rained.", "visibility": "secret"}', "visibility"),
]


@dataclass
class Expected:
    texts: dict[str, str] = field(default_factory=dict)  # article id -> text
    reasons: dict[str, str] = field(default_factory=dict)  # source -> words the reason holds
    warnings: dict[str, str] = field(default_factory=dict)  # source -> words the warning holds
    either: set[str] = field(default_factory=set)  # noise: one article or one reason


def good_article(rng: random.Random, url: str) -> tuple[dict, str]:
    meta = {
        "url": url,
        "title": f"{rng.choice(NOUNS)} in {rng.choice(PLACES)}",
        "published": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "visibility": "internal" if rng.random() < 0.2 else "public",
    }
    return meta, body(rng)


def write_round(rng: random.Random, folder: Path, round_: int) -> Expected:
    folder.mkdir(parents=True)
    expected = Expected()
    for n in range(FILES_PER_ROUND):
        roll = rng.random()
        if roll < 0.55:
            url = f"https://fuzz.example/{round_}/{n}"
            meta, text = good_article(rng, url)
            front = "".join(f"{k}: {json.dumps(v)}\n" for k, v in meta.items())
            (folder / f"{n}.md").write_text(f"---\n{front}---\n{text}", encoding="utf-8")
            expected.texts[url] = text
        elif roll < 0.65:
            path = folder / f"{n}.txt"
            text = body(rng)
            path.write_text(text, encoding="utf-8")
            # A byte order mark opening a file is an encoding mark, not text.
            text = text.removeprefix("\ufeff")
            expected.texts[f"{folder.name}/{n}.txt#{text_fingerprint(text)[:ID_DIGITS]}"] = text
        elif roll < 0.75:
            data, words = (BAD_FILES + UNDATED_FILES)[n % (len(BAD_FILES) + len(UNDATED_FILES))]
            (folder / f"{n}.md").write_bytes(data)
            bad = (data, words) in BAD_FILES
            (expected.reasons if bad else expected.warnings)[str(folder / f"{n}.md")] = words
        elif roll < 0.85:
            path = folder / f"{n}.jsonl"
            lines = []
            for line_no in range(1, rng.randint(2, 6)):
                if rng.random() < 0.5:
                    line, words = BAD_LINES[rng.randrange(len(BAD_LINES))]
                    expected.reasons[f"{path}:{line_no}"] = words
                else:
                    url = f"https://fuzz.example/{round_}/{n}/{line_no}"
                    meta, text = good_article(rng, url)
                    line = json.dumps({**meta, "text": text})
                    expected.texts[url] = text
                lines.append(line)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif roll < 0.97:
            (folder / f"{n}.md").write_bytes(noise(rng))
            expected.either.add(str(folder / f"{n}.md"))
        else:  # not article files: ignored without a word
            (folder / f"{n}.{rng.choice(['pdf', 'docx', 'png'])}").write_bytes(noise(rng))
            (folder / f".hidden-{n}.md").write_text("In 2021 nothing happened.")
    return expected


def question(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return f"how many {rng.choice(NOUNS)} in {rng.choice(PLACES)} in {rng.randint(1990, 2024)}?"
    if roll < 0.6:
        return rng.choice(["and in 2022?", "what about arrests?", "and last year?", "who said so?"])
    if roll < 0.9:
        pieces = HOSTILE + NOUNS + [" ", "?", "how many ", "when ", "\x00"]
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
    return rng.choice(["", "   ", "?!?", "x" * rng.randint(400, 5000), "\u200b" * 10, "\x00"])


def check_round(report, expected: Expected, index_dir: Path) -> None:
    reasons: dict[str, list[str]] = {}
    for skip in report.skipped:
        assert skip.reason.strip() and "\n" not in skip.reason, skip
        reasons.setdefault(skip.source, []).append(skip.reason)
    assert all(len(r) == 1 for r in reasons.values()), "a bad input got several reasons"
    for source, words in expected.reasons.items():
        assert source in reasons, f"{source} was refused without a reason"
        assert words.lower() in reasons[source][0].lower(), (source, reasons[source])
    stray = set(reasons) - set(expected.reasons) - expected.either
    assert not stray, f"good inputs were refused: {sorted(stray)[:5]}"
    warned = {w.source: w.warning for w in report.warnings}
    assert len(warned) == len(report.warnings), "an article got several warnings"
    for source, words in expected.warnings.items():
        assert words in warned.get(source, ""), (source, warned.get(source))
    assert set(warned) - set(expected.warnings) <= expected.either

    store = Store.open_existing(index_dir)
    try:
        assert store.check() == []
    finally:
        store.close()
    with sqlite3.connect(index_dir / DB_NAME) as db:
        stored = {a: (t, s) for a, t, s in db.execute("SELECT article_id, text, source FROM articles")}
    for article_id, text in expected.texts.items():
        # Stored as written, accents composed (an "e" and a combining accent read as "é").
        assert stored.get(article_id, [None])[0] == composed(text), article_id
    # Noise repeats itself ("x" * 400 twice): a second copy is a duplicate, not stored again.
    sources = {source for _, source in stored.values()} | {d.source for d in report.duplicates}
    for path in expected.either:
        assert (str(Path(path).resolve()) in sources) + (path in reasons) == 1, path


def ask_all(engine: Engine, rng: random.Random, index_dir: Path, count: int, counts: dict) -> None:
    """`count` generated questions, each answered from stored text or refused with one line."""
    # Noise files may hold articles too: answers are checked against what was stored.
    with sqlite3.connect(index_dir / DB_NAME) as db:
        stored = {a: (t, v) for a, t, v in db.execute("SELECT article_id, text, visibility FROM articles")}
    previous = None
    for _ in range(count):
        asked, internal = question(rng), rng.random() < 0.5
        try:
            answer = engine.ask(asked, include_internal=internal, previous=previous)
        except BadQuestionError as exc:
            assert str(exc) and "\n" not in str(exc)
            counts["refused"] += 1
            continue
        counts["abstained" if answer.abstained else "answered"] += 1
        for c in answer.quoted:
            text, visibility = stored[c.source.article_id]
            assert text[c.start : c.end] == c.sentence
            assert internal or visibility == "public"
        for r in answer.related:
            text, visibility = stored[r.source.article_id]
            assert text[r.start : r.end] == r.sentence
            assert internal or visibility == "public"
        previous = asked


@pytest.mark.slow
def test_ten_thousand_files_and_ten_thousand_questions(tmp_path):
    rng = random.Random(SEED)
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    engine = Engine.open(
        index_dir,
        HashingEncoder(),
        create=True,
        params=EngineParams(answer=AnswerParams(threshold=-1.0, dense_margin=10.0, max_citations=10)),
    )
    live: dict[int, Expected] = {}
    counts = {"answered": 0, "abstained": 0, "refused": 0}
    try:
        for round_ in range(ROUNDS):
            live[round_] = write_round(rng, corpus / f"round-{round_}", round_)
            if round_ >= 2:  # the oldest folder is deleted: its articles must be removed
                shutil.rmtree(corpus / f"round-{round_ - 2}")
                del live[round_ - 2]
            report = engine.ingest([corpus])
            merged = Expected()
            for part in live.values():
                merged.texts |= part.texts
                merged.reasons |= part.reasons
                merged.warnings |= part.warnings
                merged.either |= part.either
            check_round(report, merged, index_dir)
            ask_all(engine, rng, index_dir, QUESTIONS // ROUNDS, counts)
    finally:
        engine.close()
    assert all(counts.values()), counts
    print(f"\n{ROUNDS * FILES_PER_ROUND} files, {sum(counts.values())} questions: {counts}")
