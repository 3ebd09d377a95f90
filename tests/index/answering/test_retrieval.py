"""Hybrid retrieval: reciprocal rank fusion, exact terms, and the dense part against brute force."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import numpy as np
import pytest

from index.answering.retrieval import retrieve
from index.archive.fusion import rare_terms, rrf_fuse
from index.archive.protocol import Archive
from index.params import RetrievalParams, VectorParams
from index.store.schema import DB_NAME
from index.store.store import Store
from index.store.vectors import VectorIndex
from index.text.terms import content_terms
from tests.conftest import STORY_DAY
from tests.fixtures.encoder import HashingEncoder

RRF_K = RetrievalParams().rrf_k

# ---- rrf_fuse -------------------------------------------------------------------------------


def test_an_id_ranked_in_both_lists_beats_ids_ranked_in_one():
    fused = rrf_fuse([[1, 2, 3], [3, 4, 5]], RRF_K)
    assert fused[0][0] == 3
    assert fused[0][1] == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))


def test_scores_are_sums_of_reciprocal_ranks_best_first():
    fused = dict(rrf_fuse([[10, 20], [20]], k=60))
    assert fused == pytest.approx({10: 1 / 61, 20: 1 / 62 + 1 / 61})
    assert [i for i, _ in rrf_fuse([[10, 20], [20]], k=60)] == [20, 10]


def test_ties_are_broken_by_the_smaller_id():
    assert [i for i, _ in rrf_fuse([[7, 3], [3, 7]], RRF_K)] == [3, 7]
    assert [i for i, _ in rrf_fuse([[9], [4]], RRF_K)] == [4, 9]


def test_a_single_ranking_keeps_its_order():
    assert [i for i, _ in rrf_fuse([[5, 1, 9, 2]], RRF_K)] == [5, 1, 9, 2]


def test_empty_rankings_fuse_to_nothing():
    assert rrf_fuse([], RRF_K) == []
    assert rrf_fuse([[], []], RRF_K) == []


def test_scores_never_increase_down_the_list():
    rng = random.Random(7)
    rankings = [rng.sample(range(40), 25) for _ in range(3)]
    scores = [s for _, s in rrf_fuse(rankings, RRF_K)]
    assert scores == sorted(scores, reverse=True)
    assert {i for i, _ in rrf_fuse(rankings, RRF_K)} == set().union(*map(set, rankings))


# ---- rare_terms: what the full-text query may afford -------------------------------------------


def test_the_rarest_terms_are_kept_in_question_order_within_the_budget():
    chunks_with = {"police": 900, "carjack": 40, "2021": 300, "chicago": 700}
    terms = ["police", "carjack", "2021", "chicago"]
    assert rare_terms(terms, chunks_with, budget=1000) == ["carjack", "2021"]
    assert rare_terms(terms, chunks_with, budget=2000) == ["police", "carjack", "2021", "chicago"]


def test_a_term_no_chunk_holds_is_left_out():
    assert rare_terms(["zeppelin", "budget"], {"zeppelin": 0, "budget": 3}, budget=10) == ["budget"]


def test_when_even_the_rarest_term_is_too_common_there_is_no_full_text_query():
    assert rare_terms(["city", "year"], {"city": 5000, "year": 8000}, budget=1000) == []


# ---- against a stored index -------------------------------------------------------------------

VOCABULARY = (
    "carjacking officer sheriff hospital surgeon police shooting arrest sticker program budget "
    "zeppelin hangar beach lifeguard council mayor alderman transit train bus fare school teacher "
    "strike union snow plow storm flood river bridge museum library park festival"
).split()


@pytest.fixture
def random_archive(tmp_path, open_engine, open_store, write_article):
    """Forty articles of random words, ingested with the HashingEncoder."""
    rng = random.Random(2024)
    for n in range(40):
        sentences = [
            " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(6, 14))).capitalize() + "."
            for _ in range(rng.randint(3, 12))
        ]
        write_article(f"a{n:02d}.md", "\n".join(sentences) + "\n", title=f"Article {n}")
    report = open_engine().ingest([tmp_path / "corpus"])
    assert len(report.added) == 40
    return open_store()


@pytest.fixture
def open_store(index_dir):
    """open_store() -> the index directory opened as a Store (as the engine opens it)."""
    stores: list[Store] = []

    def open_() -> Store:
        store = Store.open(index_dir, "hashing-test-encoder", 384, create=False)
        stores.append(store)
        return store

    yield open_
    for store in stores:
        store.close()


@pytest.fixture
def newsroom_store(open_engine, open_archive, newsroom_corpus) -> Archive:
    open_engine().ingest([newsroom_corpus])
    return open_archive()


def stored_chunk_vectors(index_dir) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with sqlite3.connect(index_dir / DB_NAME) as db:
        rows = db.execute("SELECT id, vector, text FROM chunks ORDER BY id").fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    vectors = np.stack([np.frombuffer(r[1], dtype=np.float16).astype(np.float32) for r in rows])
    return ids, vectors, [r[2] for r in rows]


@pytest.mark.embedded_only  # the FAISS and FTS5 sides, read apart
@pytest.mark.parametrize("k", [1, 5, 20])
def test_dense_search_returns_the_brute_force_top_k(random_archive, index_dir, k):
    ids, vectors, _ = stored_chunk_vectors(index_dir)
    encoder = HashingEncoder()
    store = random_archive
    queries = ["carjacking officer hospital", "zeppelin hangar budget", "snow plow storm", "museum"]
    with store.snapshot():
        index = store.vectors()
        assert index.size == len(ids)
        for query in queries:
            q = encoder.encode([query])[0]
            hits = index.search(q, k)
            scores = vectors @ q
            order = np.argsort(-scores, kind="stable")[:k]
            assert len(hits) == k
            assert [s for _, s in hits] == pytest.approx(scores[order].tolist(), abs=1e-5)
            # The same ids, wherever the k-th score is not tied with the (k+1)-th.
            if k == len(ids) or scores[order[-1]] - np.sort(scores)[::-1][k] > 1e-5:
                assert {i for i, _ in hits} == set(ids[order].tolist())


@pytest.mark.embedded_only  # the FAISS and FTS5 sides, read apart
def test_stored_chunk_vectors_are_the_encodings_of_the_chunk_texts(random_archive, index_dir):
    _, vectors, texts = stored_chunk_vectors(index_dir)
    encoded = HashingEncoder().encode(texts)
    assert np.allclose(vectors, encoded, atol=1e-3)


def test_vector_index_search_matches_brute_force_on_random_vectors():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1000, 1500, dtype=np.int64)
    index = VectorIndex.build(32, ids, vectors, VectorParams())
    for q in vectors[:10] + 0.1 * rng.normal(size=(10, 32)).astype(np.float32):
        expected = ids[np.argsort(-(vectors @ q))[:10]].tolist()
        assert [i for i, _ in index.search(q, 10)] == expected


def test_an_empty_vector_index_finds_nothing():
    assert VectorIndex.empty(8, VectorParams()).search(np.ones(8, np.float32), 5) == []


@pytest.mark.embedded_only  # the FAISS and FTS5 sides, read apart
def test_retrieve_keeps_what_either_side_finds_and_ranks_what_both_find_first(
    tmp_path, open_engine, open_store, write_article
):
    """With RRF's k (60) above the depth each side contributes (40), a chunk both the dense and
    the exact-term side find outranks every chunk only one of them finds."""
    rng = random.Random(7)
    for n in range(60):
        words = [rng.choice(VOCABULARY) for _ in range(12)] + (["dirigible"] if n < 3 else [])
        write_article(f"d{n:02d}.md", " ".join(words).capitalize() + ".\n", title=f"Article {n}")
    open_engine().ingest([tmp_path / "corpus"])
    store = open_store()
    params = RetrievalParams(top=40)
    assert params.rrf_k > params.depth - 2
    terms = content_terms("dirigible")  # the one word only three articles hold
    q = HashingEncoder().encode(["dirigible zeppelin hangar"])[0]
    with store.snapshot():
        got = [i for i, _ in retrieve(store, q, terms, params, include_internal=False)]
        lexical = {i for i, _ in store.lexical_chunks(terms, params.depth, False)}
        ids, vectors = store.chunk_vectors()
    scores = vectors @ q
    depth_score = np.sort(scores)[::-1][params.depth - 1]
    dense = {int(i) for i, score in zip(ids, scores, strict=True) if score >= depth_score - 1e-4}  # ties
    assert len(lexical) == 3 and set(got) <= dense | lexical
    both = [n for n, i in enumerate(got) if i in dense and i in lexical]
    one = [n for n, i in enumerate(got) if (i in dense) != (i in lexical)]
    assert both and one and max(both) < min(one)


def test_retrieve_never_returns_hidden_articles(newsroom_store):
    encoder = HashingEncoder()
    store = newsroom_store
    q = encoder.encode(["zeppelin desk budget"])[0]
    with store.snapshot():
        public = retrieve(store, q, ["zeppelin", "budget"], RetrievalParams(), include_internal=False)
        everything = retrieve(store, q, ["zeppelin", "budget"], RetrievalParams(), include_internal=True)
        public_rows = set(store.chunk_article_rows([i for i, _ in public]).values())
        all_rows = set(store.chunk_article_rows([i for i, _ in everything]).values())
        memo_row = next(
            row
            for row, source in store.sources(all_rows).items()
            if store.find_article(source.article_id, include_internal=True).visibility.value == "internal"
        )
    assert memo_row not in public_rows
    assert len(all_rows) == len(public_rows) + 1


@pytest.mark.embedded_only  # the FAISS and FTS5 sides, read apart
def test_exact_terms_find_the_chunk_with_a_rare_word(newsroom_store):
    store = newsroom_store
    with store.snapshot():
        hits = store.lexical_chunks(content_terms("lifeguards"), 10, include_internal=False)
        texts = store.chunk_sentences([i for i, _ in hits])
    assert len(hits) == 1
    assert any("Lifeguards returned" in s.text for s in texts[hits[0][0]])


@pytest.mark.embedded_only  # the FAISS and FTS5 sides, read apart
def test_a_figure_with_a_thousands_separator_matches_as_an_exact_term(newsroom_store):
    store = newsroom_store
    with store.snapshot():
        hits = store.lexical_chunks(content_terms("2,098"), 10, include_internal=False)
        texts = store.chunk_sentences([i for i, _ in hits])
    assert any("2,098" in s.text for i, _ in hits for s in texts[i])


# ---- a question about a day's news ------------------------------------------------------------

NEWS_QUESTION = "what did the council vote on the transit budget and bus fare"


@pytest.fixture
def two_stories(open_engine, open_archive, two_stories_corpus) -> Archive:
    open_engine().ingest([two_stories_corpus])
    return open_archive()


def _retrieve(archive: Archive, news_of: dt.date | None, params: RetrievalParams) -> list[tuple[int, float]]:
    vector = HashingEncoder().encode([NEWS_QUESTION])[0]
    with archive.snapshot():
        return retrieve(
            archive, vector, content_terms(NEWS_QUESTION), params, include_internal=False, news_of=news_of
        )


def _first_titles(archive: Archive, news_of: dt.date | None, params: RetrievalParams) -> list[str]:
    hits = _retrieve(archive, news_of, params)
    with archive.snapshot():
        rows = archive.chunk_article_rows([c for c, _ in hits])
        sources = archive.sources(rows.values())
    return [sources[rows[c]].title for c, _ in hits]


def test_fused_rank_alone_puts_the_closer_match_first(two_stories):
    assert _first_titles(two_stories, None, RetrievalParams(top=1)) == ["Council transit budget vote"]


def test_a_question_about_a_days_news_reads_that_days_story_first(two_stories):
    assert _first_titles(two_stories, STORY_DAY, RetrievalParams(top=1)) == ["Fare settled"]


def test_recency_weighs_nothing_when_its_weight_is_zero_or_no_deeper_list_is_read(two_stories):
    for params in (RetrievalParams(top=1, news_recency_weight=0), RetrievalParams(top=1, news_depth=1)):
        assert _first_titles(two_stories, STORY_DAY, params) == ["Council transit budget vote"]


def test_an_article_published_after_the_news_day_is_not_weighed_as_recent(two_stories):
    day_before = STORY_DAY - dt.timedelta(days=1)
    assert _first_titles(two_stories, day_before, RetrievalParams(top=1)) == ["Council transit budget vote"]


def test_the_scores_returned_stay_the_fused_ones(two_stories):
    fused = dict(_retrieve(two_stories, None, RetrievalParams(top=2)))
    weighed = _retrieve(two_stories, STORY_DAY, RetrievalParams(top=2))
    assert dict(weighed) == fused
    assert weighed[0][1] < weighed[1][1]  # the day's story first, on recency, not on its fused score
