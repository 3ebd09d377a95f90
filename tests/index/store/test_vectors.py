"""The FAISS index follows the archive's size: exact while small, HNSW (8-bit) past FLAT_MAX.

Approximate search is checked against brute force on real all-MiniLM-L6-v2 embeddings of real
text (the slow tests); the mechanics (switch-over, tombstones, compaction, saving, memory-mapped
loading) on vectors derived from random ones. The threshold is lowered so that small archives
exercise HNSW; how it behaves at 100k and 1M chunks is measured by `newsbot bench`.
"""

from __future__ import annotations

import sqlite3

import faiss
import numpy as np
import pytest

from index import Engine, EngineParams, VectorParams
from index.store.schema import DB_NAME
from index.store.vectors import VectorIndex
from tests.fixtures.encoder import HashingEncoder

DIM = 64


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    """Unit vectors around 50 topics, as embeddings of an archive are (uniform noise is not)."""
    rng = np.random.default_rng(seed)
    topics = unit(rng.normal(size=(50, dim)))
    return unit(topics[rng.integers(0, 50, n)] + 0.6 * rng.normal(size=(n, dim)) / np.sqrt(dim))


def exact_top(ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return ids[np.argsort(-(vectors @ query), kind="stable")[:k]].tolist()


def recall_at(index: VectorIndex, ids, vectors, queries, k: int = 10) -> float:
    found = [
        len({i for i, _ in index.search(q, k)} & set(exact_top(ids, vectors, q, k))) / k for q in queries
    ]
    return float(np.mean(found))


DEFAULT = VectorParams()
SMALL = VectorParams(flat_max=300)  # archives of a few thousand vectors use HNSW


# ---- which index, and when ------------------------------------------------------------------


def test_a_small_archive_gets_the_exact_index_and_brute_force_results():
    vectors = clustered(1000)
    ids = np.arange(5000, 6000)
    index = VectorIndex.build(DIM, ids, vectors, DEFAULT)
    assert index.kind == "flat"
    for q in clustered(20, seed=1):
        assert [i for i, _ in index.search(q, 10)] == exact_top(ids, vectors, q, 10)


def test_building_past_the_threshold_gives_hnsw():
    index = VectorIndex.build(DIM, np.arange(301), clustered(301), SMALL)
    assert index.kind == "hnsw" and index.size == 301


def test_adding_past_the_threshold_converts_once_and_keeps_every_vector():
    vectors, ids = clustered(2000), np.arange(10, 2010)
    index = VectorIndex.empty(DIM, SMALL)
    index.add(ids[:250], vectors[:250])
    assert index.kind == "flat"
    index.add(ids[250:400], vectors[250:400])
    assert index.kind == "hnsw" and index.size == 400
    converted = index._index
    index.add(ids[400:], vectors[400:])
    assert index._index is converted, "adding to HNSW extends it, never rebuilds it"
    assert sorted(index.ids().tolist()) == ids.tolist()
    # Every stored vector is found as its own nearest neighbour.
    found = sum(index.search(v, 1)[0][0] == i for i, v in zip(ids, vectors, strict=True))
    assert found >= 0.99 * len(ids)


def test_hnsw_takes_under_1_kb_per_384_dimension_vector(tmp_path):
    vectors = clustered(3000, dim=384)
    index = VectorIndex.build(384, np.arange(3000), vectors, SMALL)
    assert index.kind == "hnsw"
    index.save(tmp_path / "hnsw.faiss")
    VectorIndex.build(384, np.arange(300), vectors[:300], SMALL).save(tmp_path / "flat.faiss")
    assert (tmp_path / "hnsw.faiss").stat().st_size / 3000 < 1024
    assert (tmp_path / "flat.faiss").stat().st_size / 300 > 1536


# ---- removing ---------------------------------------------------------------------------------


def test_removed_vectors_are_never_found_again_and_not_counted():
    vectors, ids = clustered(2000), np.arange(2000)
    index = VectorIndex.build(DIM, ids, vectors, SMALL)
    removed = ids[::10]
    index.remove(removed.tolist())
    assert index.size == 1800 and index.tombstones == 200
    keep = ~np.isin(ids, removed)
    for q in vectors[removed[:30]]:
        hits = [i for i, _ in index.search(q, 50)]
        assert len(hits) == 50 and not set(hits) & set(removed.tolist())
    assert recall_at(index, ids[keep], vectors[keep], clustered(50, seed=2)) >= 0.95
    assert sorted(index.ids().tolist()) == ids[keep].tolist()


def test_many_removals_compact_the_graph_without_losing_live_vectors():
    vectors, ids = clustered(2000), np.arange(2000)
    index = VectorIndex.build(DIM, ids, vectors, SMALL)
    index.remove(ids[:300].tolist())
    assert index.tombstones == 300
    index.remove(ids[300:700].tolist())  # now more than COMPACT_FRACTION of the index
    assert index.tombstones == 0 and index.size == 1300 and index.kind == "hnsw"
    assert sorted(index.ids().tolist()) == ids[700:].tolist()
    assert recall_at(index, ids[700:], vectors[700:], clustered(50, seed=3)) >= 0.95
    index.add(np.array([99_999]), vectors[:1])
    assert index.search(vectors[0], 1)[0][0] == 99_999


def test_removing_from_an_exact_index_removes_for_real():
    vectors, ids = clustered(100), np.arange(100)
    index = VectorIndex.build(DIM, ids, vectors, DEFAULT)
    index.remove([3, 4, 5])
    assert index.kind == "flat" and index.size == 97 and index.tombstones == 0
    assert 4 not in {i for i, _ in index.search(vectors[4], 10)}


# ---- saving and loading -------------------------------------------------------------------------


def test_tombstones_survive_saving_and_loading(tmp_path):
    vectors, ids = clustered(1000), np.arange(1000)
    index = VectorIndex.build(DIM, ids, vectors, SMALL)
    index.remove([1, 2, 3])
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", DIM, SMALL)
    assert (loaded.kind, loaded.size, loaded.tombstones) == ("hnsw", 997, 3)
    assert 2 not in {i for i, _ in loaded.search(vectors[2], 20)}
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_an_index_built_with_a_narrower_graph_links_new_vectors_with_the_current_breadth(tmp_path):
    """Vectors added to an index an older build saved are linked as this build's parameters say:
    with one thread HNSW linking is deterministic, so the same additions under the saved breadth
    and under the current one give different graphs, and each is reproducible."""
    vectors, ids = clustered(1200), np.arange(1200)
    VectorIndex.build(DIM, ids[:1000], vectors[:1000], SMALL.model_copy(update={"ef_construction": 40})).save(
        tmp_path / "old.faiss"
    )

    def grown(ef_construction: int) -> bytes:
        loaded = VectorIndex.load(
            tmp_path / "old.faiss", DIM, SMALL.model_copy(update={"ef_construction": ef_construction})
        )
        loaded.add(ids[1000:], vectors[1000:])
        assert loaded.size == 1200
        assert [i for i, _ in loaded.search(vectors[1100], 1)] == [1100]
        loaded.save(tmp_path / "grown.faiss")
        return (tmp_path / "grown.faiss").read_bytes()

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        as_saved, as_saved_again, current = grown(40), grown(40), grown(80)
    finally:
        faiss.omp_set_num_threads(threads)
    assert as_saved == as_saved_again
    assert current != as_saved


def test_a_memory_mapped_index_can_be_searched_then_changed(tmp_path):
    mapping = SMALL.model_copy(update={"mmap_min_bytes": 0})  # map every file
    vectors, ids = clustered(1500), np.arange(1500)
    VectorIndex.build(DIM, ids[:1000], vectors[:1000], mapping).save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", DIM, mapping)
    assert loaded.mapped
    assert loaded.search(vectors[7], 1)[0][0] == 7
    loaded.add(ids[1000:], vectors[1000:])  # a mapped index is read-only: copied first
    loaded.remove([7])
    assert loaded.size == 1499 and not loaded.mapped
    assert loaded.search(vectors[1200], 1)[0][0] == 1200
    assert 7 not in {i for i, _ in loaded.search(vectors[7], 10)}


def test_a_file_that_is_not_an_index_raises_value_error(tmp_path):
    path = tmp_path / "v.faiss"
    path.write_bytes(b"not a faiss index at all")
    with pytest.raises(ValueError):
        VectorIndex.load(path, DIM, DEFAULT)


# ---- through the store ------------------------------------------------------------------------


def test_an_archive_past_the_threshold_answers_like_before(tmp_path, write_article, corpus_dir):
    """Ingest, update and remove articles with HNSW underneath: counts agree, removed text is gone."""
    params = EngineParams(vectors=VectorParams(flat_max=20))
    rng = np.random.default_rng(4)
    words = [f"w{n}" for n in range(300)]
    for n in range(40):
        sentences = [" ".join(rng.choice(words, 8)) + "." for _ in range(6)]
        if n == 1:
            a01_sentence = sentences[0]
        write_article(f"a{n:02}.md", "\n".join(sentences), title=f"Article {n}", published="2022-01-01")
    engine = Engine.open(tmp_path / "index", HashingEncoder(), create=True, params=params)
    try:
        engine.ingest([corpus_dir])
        stats = engine.stats()
        assert stats.vectors == stats.chunks > 20
        old_a01 = next(
            h.snippet for h in engine.search(a01_sentence, limit=40) if h.source.title == "Article 1"
        )
        (corpus_dir / "a00.md").unlink()
        write_article("a01.md", "Zeppelin hangar budget rises to 4,512,000 dollars.", title="Article 1")
        engine.ingest([corpus_dir])
        stats = engine.stats()
        assert stats.vectors == stats.chunks
        hits = engine.search("zeppelin hangar budget")
        assert hits and hits[0].source.title == "Article 1"
        assert stats.articles == 39
        assert [a.title for a in engine.find_articles("Article 0")] == []
        with sqlite3.connect(tmp_path / "index" / DB_NAME) as db:
            stored = " ".join(t for (t,) in db.execute("SELECT text FROM chunks"))
        assert old_a01 and old_a01 not in stored
        with engine.snapshot() as store:
            assert store.vectors().kind == "hnsw"
    finally:
        engine.close()
    reopened = Engine.open(tmp_path / "index", HashingEncoder(), params=params)
    try:
        assert reopened.stats().vectors == stats.chunks
        assert reopened.search("zeppelin hangar budget")[0].source.title == "Article 1"
    finally:
        reopened.close()


# ---- real embeddings ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def squad_embeddings(real_encoder, squad_text):
    """Real MiniLM vectors of 1,500 SQuAD sentences and 200 SQuAD questions (text nobody here wrote)."""
    sentences, questions = squad_text
    return real_encoder.encode(sentences[:1500]), real_encoder.encode(questions[::15][:200])


@pytest.mark.slow
def test_hnsw_recall_at_10_on_real_embeddings_is_at_least_095(squad_embeddings):
    vectors, questions = squad_embeddings
    ids = np.arange(100, 100 + len(vectors))
    index = VectorIndex.empty(vectors.shape[1], SMALL)
    for start in range(0, len(ids), 250):  # grown batch by batch, as ingest does
        index.add(ids[start : start + 250], vectors[start : start + 250])
    assert index.kind == "hnsw"
    assert recall_at(index, ids, vectors, questions) >= 0.95
    removed = ids[::5]
    index.remove(removed.tolist())
    keep = ~np.isin(ids, removed)
    assert recall_at(index, ids[keep], vectors[keep], questions) >= 0.95


# ---- search among a few ids: filters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "mapped"),
    [(DEFAULT, False), (SMALL, False), (SMALL, True)],
    ids=["exact", "hnsw", "hnsw memory-mapped"],
)
def test_a_search_among_ids_is_brute_force_over_those_ids_alone(params, mapped, tmp_path):
    vectors = clustered(2000)
    ids = np.arange(5000, 7000, dtype=np.int64)
    index = VectorIndex.build(DIM, ids, vectors, params)
    if mapped:
        index.save(tmp_path / "v.faiss")
        index = VectorIndex.load(tmp_path / "v.faiss", DIM, params.model_copy(update={"mmap_min_bytes": 1}))
        assert index.mapped
    among = ids[::9]
    asked = [*among.tolist(), 1, 99_999]  # ids the index does not hold are passed over
    for query in vectors[:5]:
        got = index.search_among(query, 10, asked)
        expected = exact_top(among, vectors[::9], query, 10)
        # HNSW scores its 8-bit codes: near-ties may swap, the set of the best stays.
        assert len({i for i, _ in got} & set(expected)) >= 9
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)


def test_a_search_among_ids_skips_removed_ones_and_sees_added_ones():
    vectors = clustered(600)
    ids = np.arange(600, dtype=np.int64)
    index = VectorIndex.build(DIM, ids[:500], vectors[:500], SMALL)
    query = vectors[3]
    assert index.search_among(query, 1, [3, 4])[0][0] == 3
    index.remove([3])
    index.add(ids[500:], vectors[500:])
    assert [i for i, _ in index.search_among(query, 5, [3, 4, 550])] == sorted(
        [4, 550], key=lambda i: -float(vectors[i] @ query)
    )
    assert index.search_among(query, 5, []) == []
