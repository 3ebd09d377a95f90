"""The index database's tables, its format version, and the upgrade from older formats."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from ..text.figures import sentence_figures
from ..text.fingerprint import text_fingerprint
from ..text.terms import content_terms, index_terms
from .records import FIGURE_INSERT, figure_row, parse_periods

# 3: articles carry their text's fingerprint and the other names the same text arrived under.
# 4: the tables of feeds and pages read, correction notes and abstentions (created on open: an
# index of format 3 opened read-only would lack them).
# 5: figures as records (table `figures`), worked out from the stored sentences on upgrade.
FORMAT_VERSION = 5
DB_NAME = "newsbot.sqlite3"
MANIFEST_NAME = "manifest.json"

# Chunks as index.text.terms.index_terms gives them: the same stems questions are cut into, one token
# each, so that the term counts (table `terms`) are exactly the lengths of FTS5's postings.
FTS_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts "
    "USING fts5(terms, tokenize='unicode61 remove_diacritics 0')"
)
SCHEMA = (
    FTS_TABLE
    + """;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- fingerprint: index.text.fingerprint of the text; also_published_as: the other names the same
-- text arrived under (index.store.records.also_json).
CREATE TABLE IF NOT EXISTS articles(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL, url TEXT, outlet TEXT, author TEXT,
    published TEXT, published_inferred INTEGER NOT NULL,
    visibility TEXT NOT NULL, status TEXT NOT NULL,
    source TEXT NOT NULL, source_file TEXT NOT NULL,
    text TEXT NOT NULL, content_hash TEXT NOT NULL, ingested_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL DEFAULT '', also_published_as TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS articles_source_file ON articles(source_file);
CREATE TABLE IF NOT EXISTS sentences(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article INTEGER NOT NULL, position INTEGER NOT NULL, paragraph INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, boilerplate INTEGER NOT NULL,
    periods TEXT NOT NULL, vector BLOB);
CREATE INDEX IF NOT EXISTS sentences_article ON sentences(article, position);
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article INTEGER NOT NULL, position INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL, last_sentence INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article);
-- Narrow copies of what an answer looks up for each retrieved chunk and article: the rows
-- themselves carry text and vectors and, past a few GB, are read from disk one page per row.
CREATE INDEX IF NOT EXISTS chunks_span ON chunks(id, article, first_sentence, last_sentence);
CREATE INDEX IF NOT EXISTS articles_visibility ON articles(id, status, visibility);
-- What a filter (index.models.ArticleFilter) reads of an article, without its wide row: the
-- outlet as filters compare it (ASCII case and surrounding spaces ignored), then as written.
CREATE INDEX IF NOT EXISTS articles_filter
    ON articles(lower(trim(outlet)), published, status, visibility, outlet);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published, status, visibility);
-- Whether any article is retracted, asked with every question (Store.has_retracted).
CREATE INDEX IF NOT EXISTS articles_status ON articles(status);
-- How many chunks hold each term (index.text.terms.content_terms): IDF weights, and which terms FTS5
-- can rank quickly, in one lookup instead of a count over the postings.
CREATE TABLE IF NOT EXISTS terms(term TEXT PRIMARY KEY, chunks INTEGER NOT NULL) WITHOUT ROWID;
-- Chunks removed, with the generation that removed them: with the chunks added since (larger
-- ids), what brings an older vector file up to date (index/store/vector_files.py). Trimmed as
-- vector files are written.
CREATE TABLE IF NOT EXISTS removed_chunks(chunk INTEGER NOT NULL, generation INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feedback(
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, helpful INTEGER NOT NULL,
    user_hash TEXT NOT NULL, question TEXT);
-- Feeds, sitemaps and article pages as last read (index/feeds/records.py, as JSON): validators
-- for conditional requests, the pages a feed listed, why a page failed. Not carried by a rebuild,
-- which starts from the sources again: the next refresh fetches every page in full.
CREATE TABLE IF NOT EXISTS feed_state(url TEXT PRIMARY KEY, state TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS page_state(url TEXT PRIMARY KEY, state TEXT NOT NULL) WITHOUT ROWID;
-- Correction and update notes of articles (index/text/corrections.py), shown with their citations.
CREATE TABLE IF NOT EXISTS article_notes(
    article_id TEXT PRIMARY KEY, note TEXT NOT NULL, updated TEXT) WITHOUT ROWID;
-- Each figure of a published article's sentences (index/text/figures.py): start and end are
-- offsets in the sentence; value and period are JSON (index.store.records.figure_row).
CREATE TABLE IF NOT EXISTS figures(
    id INTEGER PRIMARY KEY, article INTEGER NOT NULL, sentence INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, value TEXT NOT NULL, thing TEXT,
    part_of_previous INTEGER NOT NULL, place TEXT, period TEXT, attributed_to TEXT);
CREATE INDEX IF NOT EXISTS figures_sentence ON figures(sentence);
CREATE INDEX IF NOT EXISTS figures_article ON figures(article);
-- Questions the bot abstained on, kept only where NEWSBOT_LOG_QUESTIONS allows (coverage gaps).
CREATE TABLE IF NOT EXISTS abstentions(
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, user_hash TEXT NOT NULL, question TEXT NOT NULL);
"""
)


def update_term_counts(db: sqlite3.Connection, added: Iterable[str], removed: Iterable[str] = ()) -> None:
    """Update the term counts for chunks added and removed (their texts)."""
    delta = Counter(term for text in added for term in content_terms(text))
    delta.subtract(term for text in removed for term in content_terms(text))
    db.executemany(
        "INSERT INTO terms(term, chunks) VALUES(?, ?) "
        "ON CONFLICT(term) DO UPDATE SET chunks = chunks + excluded.chunks",
        [(term, n) for term, n in delta.items() if n],
    )
    db.executemany(
        "DELETE FROM terms WHERE term = ? AND chunks <= 0", [(t,) for t, n in delta.items() if n < 0]
    )


def upgrade_from_1(db: sqlite3.Connection) -> None:
    """Format 1 indexed porter stems and lacked the term counts: redo both from the chunks
    (inside the caller's write transaction)."""
    db.execute("DROP TABLE chunks_fts")
    db.execute(FTS_TABLE)
    rows = db.execute("SELECT id, text FROM chunks").fetchall()
    db.executemany(
        "INSERT INTO chunks_fts(rowid, terms) VALUES(?, ?)", [(i, index_terms(t)) for i, t in rows]
    )
    db.execute("DELETE FROM terms")
    update_term_counts(db, (t for _, t in rows))


def upgrade_from_2(db: sqlite3.Connection) -> None:
    """Format 2 lacked the fingerprints and the other names: the columns are added and every
    stored text fingerprinted (inside the caller's write transaction). The next ingest finds the
    duplicates among them."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
    if "fingerprint" not in columns:
        db.execute("ALTER TABLE articles ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''")
    if "also_published_as" not in columns:
        db.execute("ALTER TABLE articles ADD COLUMN also_published_as TEXT NOT NULL DEFAULT '[]'")
    rows = db.execute("SELECT id, text FROM articles").fetchall()
    db.executemany(
        "UPDATE articles SET fingerprint = ? WHERE id = ?", [(text_fingerprint(t), i) for i, t in rows]
    )


def upgrade_from_4(db: sqlite3.Connection) -> None:
    """Format 4 kept no figures: they are worked out from the stored sentences of published
    articles, and their periods as stored (inside the caller's write transaction)."""
    db.execute("DELETE FROM figures")
    rows = db.execute(
        'SELECT s.id, s.article, s.start, s."end", s.periods, a.text FROM sentences s '
        "JOIN articles a ON a.id = s.article WHERE s.boilerplate = 0 AND a.status = 'published'"
    )
    db.executemany(
        FIGURE_INSERT,
        [
            figure_row(article, sentence, figure)
            for sentence, article, start, end, periods, text in rows
            for figure in sentence_figures(text[start:end], parse_periods(periods))
        ],
    )
