"""Each sentence's vector is read in its chunk's pass (late chunking), as the mean of its
vectors in the chunks that hold it; an archive made before keeps its sentences embedded alone,
so that one archive holds one kind of vector."""

from __future__ import annotations

import sqlite3

import numpy as np

from index.encoders.base import normalise
from index.ingest.pipeline import ingest, lay_out, prepare
from index.models import Article
from index.params import IngestParams
from index.store.records import IN_CHUNK, SENTENCE_VECTORS
from index.store.store import DB_NAME, Store
from tests.fixtures.encoder import PassageEncoder

SENTENCES = [
    "The council met on Monday night.",
    "It voted seven to two for the new budget.",
    "The budget adds forty officers.",
    "The mayor said she would sign it.",
    "Opponents said the city cannot pay.",
]
# Small chunks that share one sentence each side: every sentence but the first and last is in two.
PARAMS = IngestParams(chunk_tokens=24, chunk_min_tokens=24, chunk_overlap=1)


def article(text: str = "\n".join(SENTENCES), title: str = "Council passes budget") -> Article:
    return Article(article_id="budget", title=title, text=text, source="budget.md")


def test_a_sentence_in_two_chunks_has_the_mean_of_its_vectors_in_both():
    encoder = PassageEncoder(dimension=64)
    [item] = [article()]
    [layout] = lay_out([item], encoder, PARAMS)
    [prepared] = prepare([item], encoder, PARAMS, [layout])
    passages = layout.chunk_passages(item)
    assert len(passages) >= 3, "the test needs chunks that overlap"
    _, pooled = encoder.encode_spans([p.text for p in passages], [p.spans for p in passages])
    for sentence in prepared.sentences:
        held = [
            vectors[at]
            for (first, last), vectors in zip(layout.chunks, pooled, strict=True)
            for at, position in enumerate(layout.facts(first, last))
            if position == sentence.position
        ]
        assert held, "every sentence but boilerplate is in a chunk"
        assert sentence.vector is not None
        assert np.allclose(sentence.vector, normalise(np.sum(held, axis=0)[None, :])[0], atol=1e-6)
    shared = [
        s
        for s in prepared.sentences
        if sum(c.first_sentence <= s.position <= c.last_sentence for c in prepared.chunks) == 2
    ]
    assert shared, "some sentence is shared by two chunks"
    alone = encoder.encode([SENTENCES[s.position] for s in shared])
    assert all(not np.allclose(s.vector, v) for s, v in zip(shared, alone, strict=True))


def test_chunk_vectors_are_the_chunks_own_vectors():
    encoder = PassageEncoder(dimension=64)
    [prepared] = prepare([article()], encoder, PARAMS)
    assert np.allclose(
        np.stack([c.vector for c in prepared.chunks]), encoder.encode([c.text for c in prepared.chunks])
    )


def test_a_sentence_no_chunk_pass_read_is_embedded_by_itself():
    class Truncating(PassageEncoder):
        """Reads no span of any passage, as if each were cut off by the input length."""

        def encode_spans(self, texts, spans):
            vectors, out = super().encode_spans(texts, spans)
            return vectors, [np.zeros_like(v) for v in out]

    encoder = Truncating(dimension=64)
    [prepared] = prepare([article()], encoder, PARAMS)
    assert np.allclose(np.stack([s.vector for s in prepared.sentences]), encoder.encode(SENTENCES))


def test_boilerplate_gets_no_vector_and_is_in_no_passage():
    encoder = PassageEncoder(dimension=64)
    text = "\n".join([*SENTENCES, "Subscribe to our newsletter for more stories like this."])
    [prepared] = prepare([article(text)], encoder, PARAMS)
    boiler = [s for s in prepared.sentences if s.boilerplate]
    assert boiler and all(s.vector is None for s in boiler)
    assert not any("newsletter" in c.text for c in prepared.chunks)


def write_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "budget.md").write_text("# Council passes budget\n\n" + "\n".join(SENTENCES) + "\n")
    return corpus


def test_a_new_archive_records_that_its_sentences_are_read_in_their_chunks(tmp_path):
    encoder = PassageEncoder(dimension=64)
    store = Store.open(tmp_path / "index", encoder.name, encoder.dimension, create=True)
    try:
        ingest(store, encoder, [write_corpus(tmp_path)], PARAMS)
        assert store.meta()[SENTENCE_VECTORS] == IN_CHUNK
        assert encoder.pooled >= len(SENTENCES)
    finally:
        store.close()


def test_an_archive_made_before_goes_on_embedding_sentences_alone(tmp_path):
    encoder = PassageEncoder(dimension=64)
    store = Store.open(tmp_path / "index", encoder.name, encoder.dimension, create=True)
    db = store.build / DB_NAME
    store.close()
    with sqlite3.connect(db) as made_before:
        made_before.execute("DELETE FROM meta WHERE key = ?", (SENTENCE_VECTORS,))
    made_before.close()
    store = Store.open(tmp_path / "index", encoder.name, encoder.dimension, create=False)
    try:
        ingest(store, encoder, [write_corpus(tmp_path)], PARAMS)
        assert encoder.pooled == 0, "no sentence was pooled in a passage"
        assert SENTENCE_VECTORS not in store.meta()
    finally:
        store.close()
