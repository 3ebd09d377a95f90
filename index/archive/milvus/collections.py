"""The collections an archive in Milvus is kept in, named `<prefix>_<name>`, created when absent.

Milvus wants a vector in every collection: those that hold none carry a 2-dimensional zero
vector `_v` (a few bytes a row). Article texts are kept in parts (`texts`): a VARCHAR holds at
most 65,535 bytes."""

from __future__ import annotations

from collections.abc import Callable

from pymilvus import CollectionSchema, DataType, Function, FunctionType, MilvusClient
from pymilvus.client.types import LoadState

from ...params import RemoteParams

VARCHAR_MAX = 65_535  # bytes, Milvus's limit
NO_VECTOR = [0.0, 0.0]


def _text(schema, name: str, *, primary: bool = False, **extra: object) -> None:
    schema.add_field(name, DataType.VARCHAR, max_length=VARCHAR_MAX, is_primary=primary, **extra)


def _ints(schema, *names: str, primary: str | None = None) -> None:
    if primary is not None:
        schema.add_field(primary, DataType.INT64, is_primary=True)
    for name in names:
        schema.add_field(name, DataType.INT64)


def _article_fields(schema: CollectionSchema) -> None:
    """What the chunks of an article carry of it, for the filters searches apply in Milvus."""
    _text(schema, "status")
    _text(schema, "visibility")
    _text(schema, "outlet_key")
    _ints(schema, "published_day")


def _articles(schema: CollectionSchema) -> None:
    _ints(schema, primary="row")
    texts = ("article_id", "title", "title_key", "url", "outlet", "author", "published", "source",
             "source_file", "content_hash", "ingested_at", "fingerprint", "also_published_as", "note",
             "note_updated")  # fmt: skip
    for name in texts:
        _text(schema, name)
    schema.add_field("published_inferred", DataType.BOOL)
    _ints(schema, "parts", "tokens", "sentences", "chunks")  # tokens: its chunks' full-text tokens
    _article_fields(schema)


def _version(schema: CollectionSchema) -> None:
    """Rows of one stored version of an article (its content hash): readers take only those of
    the version its article row names."""
    _ints(schema, "article_row")
    _text(schema, "version")


def _chunks(schema: CollectionSchema, dimension: int) -> None:
    _ints(schema, primary="id")
    _version(schema)
    _ints(schema, "position", "first_sentence", "last_sentence", "start", "end")
    _text(schema, "text")
    _text(schema, "terms", enable_analyzer=True, enable_match=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    _article_fields(schema)
    schema.add_function(
        Function(
            name="terms_bm25",
            function_type=FunctionType.BM25,
            input_field_names=["terms"],
            output_field_names=["sparse"],
        )
    )


def _sentences(schema: CollectionSchema, dimension: int) -> None:
    _ints(schema, primary="id")
    _version(schema)
    _ints(schema, "position", "paragraph", "start", "end")
    schema.add_field("boilerplate", DataType.BOOL)
    schema.add_field("embedded", DataType.BOOL)  # boilerplate is not embedded: its vector is zeros
    _text(schema, "periods")
    _text(schema, "text")
    schema.add_field("cut", DataType.BOOL)  # too long for `text`: read from the article's text
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)


def _figures(schema: CollectionSchema) -> None:
    _ints(schema, primary="id")
    _version(schema)
    _ints(schema, "sentence_id", "start", "end")
    for name in ("value", "thing", "place", "period", "attributed_to"):
        _text(schema, name)
    schema.add_field("part_of_previous", DataType.BOOL)


def _texts(schema: CollectionSchema) -> None:
    _ints(schema, primary="id")
    _version(schema)
    _ints(schema, "part")
    _text(schema, "text")


def _meta(schema: CollectionSchema) -> None:
    _text(schema, "key", primary=True)
    _text(schema, "value")


def _feedback(schema: CollectionSchema) -> None:
    _ints(schema, primary="id")
    _text(schema, "created")
    schema.add_field("helpful", DataType.BOOL)
    _text(schema, "user_hash")
    _text(schema, "question")
    schema.add_field("asked", DataType.BOOL)  # whether the question was kept


def _abstentions(schema: CollectionSchema) -> None:
    _ints(schema, primary="id")
    _text(schema, "created")
    _text(schema, "user_hash")
    _text(schema, "question")


def _state(schema: CollectionSchema) -> None:
    _text(schema, "key", primary=True)  # "feed " or "page " and the URL
    _text(schema, "state")


def _layouts(dimension: int) -> dict[str, Callable[..., None]]:
    return {
        "articles": _articles,
        "chunks": lambda s: _chunks(s, dimension),
        "sentences": lambda s: _sentences(s, dimension),
        "figures": _figures,
        "texts": _texts,
        "meta": _meta,
        "feedback": _feedback,
        "abstentions": _abstentions,
        "state": _state,
    }


def load_all(client: MilvusClient, prefix: str) -> None:
    """Loads those of the archive's collections a server holds released (after it restarts):
    they answer no read until then. Loaded ones, and ones not made yet, are left as they are."""
    for name in _layouts(0):
        full = f"{prefix}_{name}"
        if client.has_collection(full) and client.get_load_state(full)["state"] != LoadState.Loaded:
            client.load_collection(full)


def create_missing(client: MilvusClient, prefix: str, dimension: int, params: RemoteParams) -> None:
    """Creates the collections the archive named `prefix` lacks (all of them for a new one)."""
    for name, layout in _layouts(dimension).items():
        full = f"{prefix}_{name}"
        if client.has_collection(full):
            continue
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        layout(schema)
        index = client.prepare_index_params()
        vector_fields = [f.name for f in schema.fields if f.dtype == DataType.FLOAT_VECTOR]
        if name == "chunks":
            index.add_index(
                "dense",
                index_type="HNSW",
                metric_type="IP",
                params={"M": params.hnsw_m, "efConstruction": params.ef_construction},
            )
            index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        else:
            for field in vector_fields:
                index.add_index(field, index_type="FLAT", metric_type="IP")
        if name != "chunks" and not vector_fields:
            schema.add_field("_v", DataType.FLOAT_VECTOR, dim=len(NO_VECTOR))
            index.add_index("_v", index_type="FLAT", metric_type="L2")
        client.create_collection(full, schema=schema, consistency_level="Strong")
        # Not waiting for the index of an empty collection to be built (the client polls every
        # half second), then loaded: searchable at once.
        client.create_index(full, index, sync=False)
        client.load_collection(full)


def drop_all(client: MilvusClient, prefix: str) -> None:
    """Drops the collections of the archive named `prefix` (those it has)."""
    for name in _layouts(0):
        full = f"{prefix}_{name}"
        if client.has_collection(full):
            client.drop_collection(full)
