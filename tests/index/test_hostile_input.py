"""Hostile input never breaks the engine: whatever the text, file or question, the splitter and
chunker keep offsets that map back, the readers turn bad input into one reason each, and
question analysis refuses only with a BadQuestionError.

Generated input mixes news-like pieces (dates, figures, abbreviations, front matter fences)
with arbitrary Unicode, so the parsers meet both near-misses and noise.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.answering.question import MAX_QUESTION_CHARS, analyse_in_context
from index.errors import BadQuestionError
from index.ingest.chunking import chunk_passage, chunk_sentences
from index.ingest.corpus import BadArticle, read_corpus, split_front_matter
from index.ingest.pipeline import prepare
from index.models import Article
from index.params import IngestParams
from index.text.sentences import split_sentences
from tests.fixtures.backends import both_backends
from tests.fixtures.encoder import HashingEncoder

pytest_generate_tests = both_backends  # engine tests run against both archives

NEWSY = [
    "In 2021, Chicago saw nearly 2,098 carjackings.",
    "Dr. Smith said",
    "U.S.",
    "a.m.",
    "p.m.",
    "from Jan. 1 through July 24 of 2022",
    "earlier this year",
    "last week",
    "on Monday",
    "between March and May",
    "since 1999",
    "2019-2021",
    "the first quarter of 2020",
    "March 15, 2021",
    "Feb. 30, 2021",
    "in 0000",
    "in 9999",
    "Dec. 32",
    "the 1900 block",
    "$2021",
    "99.9%",
    "...",
    "?!",
    "\u201cquoted\u201d",
    "\u2014",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    " ",
    "---",
    "title: x",
    "published: 2021-13-45",
    "\ufeff",
    "\x00",
    "\u200b",
    "#",
    "WATCH:",
    "Photo: AP",
    "\u0645\u0631\u062d\u0628\u0627",
    "\U0001f600",
    "e\u0301",
]
pieces = st.one_of(st.sampled_from(NEWSY), st.text(max_size=30))
texts = st.lists(pieces, max_size=40).map("".join)
fuzz = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(texts)
def test_sentences_map_back_to_the_text_in_order_and_cover_every_word(text: str) -> None:
    spans = split_sentences(text)
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        sentence = text[start:end]
        assert sentence == sentence.strip() and len(sentence) <= 1500
        position = end
    covered = "".join(text[s:e] for s, e in spans)
    # Nothing but whitespace falls between sentences: no word of an article is lost.
    assert "".join(covered.split()) == "".join(text.split())


@fuzz
@given(st.lists(st.integers(0, 400), max_size=60), st.integers(1, 300), st.integers(0, 3))
def test_chunks_cover_every_sentence_in_order_within_budget(lengths, budget, overlap) -> None:
    chunks = chunk_sentences(lengths, budget=budget, overlap=overlap)
    covered = sorted({i for c in chunks for i in range(c.first, c.last + 1)})
    assert covered == list(range(len(lengths)))
    for before, after in itertools.pairwise(chunks):
        assert before.first < after.first <= before.last + 1  # moves on, shares at most `overlap`
        assert before.last - after.first + 1 <= overlap
    for c in chunks:
        assert c.first == c.last or sum(lengths[c.first : c.last + 1]) <= budget


@fuzz
@given(texts, st.text(max_size=40))
def test_prepared_offsets_map_back_to_the_article_text(text: str, title: str) -> None:
    if not text.strip():
        return
    article = Article(article_id="a", title=title, text=text, source="fuzz", published=dt.date(2022, 5, 1))
    [prepared] = prepare([article], HashingEncoder(dimension=16), IngestParams())
    by_position = {s.position: s for s in prepared.sentences}
    for s in prepared.sentences:
        assert text[s.start : s.end] == text[s.start : s.end].strip() != ""
        for period in s.periods:
            assert period.start <= period.end
    for chunk in prepared.chunks:
        first, last = by_position[chunk.first_sentence], by_position[chunk.last_sentence]
        assert (chunk.start, chunk.end) == (first.start, last.end)
        inside = [
            text[s.start : s.end]
            for s in prepared.sentences
            if chunk.first_sentence <= s.position <= chunk.last_sentence and not s.boilerplate
        ]
        assert chunk.text == chunk_passage(title, inside).text


@fuzz
@given(texts)
def test_front_matter_splits_or_gives_a_reason_and_keeps_the_body_verbatim(text: str) -> None:
    for candidate in (text, "---\n" + text, "---\n" + text + "\n---\n" + text):
        try:
            meta, body = split_front_matter(candidate)
        except BadArticle as exc:
            assert str(exc)
            continue
        assert isinstance(meta, dict) and candidate.endswith(body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FIELDS = [
    "title",
    "url",
    "published",
    "outlet",
    "author",
    "visibility",
    "status",
    "text",
    "published_inferred",
]
records = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values | texts, max_size=9)
jsonl_lines = st.one_of(
    records.map(json.dumps),
    st.builds(lambda r, t: json.dumps({**r, "text": t}), records, texts),
    texts.map(lambda t: t.replace("\n", " ")),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ").decode("latin-1")),
)


@fuzz
@given(st.lists(jsonl_lines, max_size=12))
def test_every_jsonl_line_is_one_article_or_one_reason(tmp_path_factory, lines) -> None:
    folder = tmp_path_factory.mktemp("jsonl")
    path = folder / "export.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    result = read_corpus(folder)
    counted = len(result.articles) + len(result.skipped)
    non_blank = [n for n, raw in enumerate(path.read_bytes().split(b"\n"), 1) if raw.strip()]
    assert counted == len(non_blank)
    assert sorted(int(s.source.rsplit(":", 1)[1]) for s in result.skipped) == sorted(
        set(non_blank) - {int(a.source.rsplit(":", 1)[1]) for a in result.articles}
    )
    assert all(s.reason.strip() and "\n" not in s.reason for s in result.skipped)


front_matters = st.builds(
    lambda fields: "---\n" + "".join(f"{k}: {v}\n" for k, v in fields) + "---\n",
    st.lists(st.tuples(st.sampled_from(FIELDS), texts.map(lambda t: t.replace("\n", " "))), max_size=6),
)
files = st.one_of(
    st.binary(max_size=200),
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(lambda fm, body: (fm + body).encode("utf-8", "surrogatepass"), front_matters, texts),
)


@fuzz
@given(st.lists(files, min_size=1, max_size=6))
def test_every_text_file_is_one_article_or_one_reason(tmp_path_factory, contents) -> None:
    folder = tmp_path_factory.mktemp("files")
    for n, data in enumerate(contents):
        (folder / f"f{n}.md").write_bytes(data)
    result = read_corpus(folder)
    sources = sorted(
        [Path(a.source).name for a in result.articles] + [Path(s.source).name for s in result.skipped]
    )
    assert sources == sorted(f"f{n}.md" for n in range(len(contents)))
    assert all(s.reason.strip() and "\n" not in s.reason for s in result.skipped)


questions = st.one_of(
    texts,
    st.lists(st.sampled_from([*NEWSY, "how many", "when", "and", "what about", "who", "?"]), max_size=12).map(
        " ".join
    ),
    st.text(min_size=MAX_QUESTION_CHARS - 5, max_size=MAX_QUESTION_CHARS + 5),
)


@fuzz
# Questions are read against today's date: any date a running clock could show.
@given(questions, st.one_of(st.none(), questions), st.dates(dt.date(1900, 1, 1), dt.date(2999, 1, 1)))
def test_question_analysis_refuses_only_with_a_bad_question_error(question, previous, today) -> None:
    try:
        analysis = analyse_in_context(question, previous, today)
    except BadQuestionError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert analysis.text
    if analysis.period is not None:
        assert analysis.period.start <= analysis.period.end


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "0999-12-31T00:00:00"])
def test_a_placeholder_publication_date_is_a_warning_not_a_crash(corpus_dir, engine_for_fuzz, published):
    # "last year" read against 0001-01-01 would be year 0: the whole ingest used to stop there.
    (corpus_dir / "placeholder.md").write_text(
        f"---\npublished: {published}\n---\nLast year the council met last month and last week.\n"
    )
    (corpus_dir / "good.md").write_text("---\npublished: 2022-05-01\n---\nLast year it rained.\n")
    report = engine_for_fuzz.ingest([corpus_dir])
    assert len(report.added) == 2 and report.skipped == []
    [warning] = report.warnings
    assert warning.source.endswith("placeholder.md")
    assert "outside the years 1000 to 2999" in warning.warning and "stored undated" in warning.warning


@pytest.fixture
def engine_for_fuzz(open_engine):
    return open_engine()
