"""An article's sentences, paragraphs, boilerplate flags, periods, figures and chunks: no model
needed (an ingest lays out the next batch while the model embeds this one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import Article, Period
from ..params import IngestParams
from ..text.boilerplate import boilerplate_ranges
from ..text.corrections import Note, find_note, wrong_sentences
from ..text.figures import SentenceFigure, sentence_figures
from ..text.periods import tag_sentences
from ..text.sentences import split_sentences
from .chunking import Passage, chunk_passage, chunk_sentences

TokenCounter = Callable[[str], int]


@dataclass
class ArticleLayout:
    spans: list[tuple[int, int]]
    paragraphs: list[int]
    boilerplate: list[bool]
    periods: list[tuple[Period, ...]]
    chunks: list[tuple[int, int]]  # (first, last) positions among all sentences
    note: Note | None = None  # correction and update notes
    figures: list[list[SentenceFigure]] = field(default_factory=list)  # of each sentence, none in boilerplate

    def facts(self, first: int, last: int) -> list[int]:
        """Positions of the sentences from `first` to `last` that are not boilerplate."""
        return [i for i in range(first, last + 1) if not self.boilerplate[i]]

    def chunk_passages(self, article: Article) -> list[Passage]:
        """What gets embedded for each chunk: the title, then its sentences but boilerplate
        (those of `facts`, in order)."""
        return [
            chunk_passage(article.title, [article.text[slice(*self.spans[i])] for i in self.facts(*chunk)])
            for chunk in self.chunks
        ]


def layout_article(article: Article, count_tokens: TokenCounter, params: IngestParams) -> ArticleLayout:
    text = article.text
    spans = [(s.start, s.end) for s in split_sentences(text)]
    # A sentence's paragraph is its line: news copy puts one paragraph per line.
    paragraphs = [text.count("\n", 0, start) for start, _ in spans]
    furniture = boilerplate_ranges(text)
    boiler = [any(a <= start < b for a, b in furniture) for start, _ in spans]
    # A correction note quotes what was wrong, and a sentence repeating it is wrong: neither is cited.
    note = find_note(text)
    if note is not None:
        wrong = wrong_sentences([text[s:e] for s, e in spans], note)
        boiler = [
            flag or i in wrong or any(a <= spans[i][0] < b for a, b in note.ranges)
            for i, flag in enumerate(boiler)
        ]
    periods = tag_sentences([text[s:e] for s, e in spans], paragraphs, article.published)
    facts = [i for i, flag in enumerate(boiler) if not flag]
    lengths = [count_tokens(text[spans[i][0] : spans[i][1]]) for i in facts]
    budget = max(params.chunk_min_tokens, params.chunk_tokens - count_tokens(article.title))
    chunks = [
        (facts[c.first], facts[c.last])
        for c in chunk_sentences(lengths, budget=budget, overlap=params.chunk_overlap)
    ]
    figures = [
        [] if flag else sentence_figures(text[s:e], sentence_periods)
        for (s, e), flag, sentence_periods in zip(spans, boiler, periods, strict=True)
    ]
    return ArticleLayout(spans, paragraphs, boiler, periods, chunks, note, figures)
