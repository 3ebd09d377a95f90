"""The engine on the archive the settings name: the embedded one in the index folder, or the
one a Milvus server keeps (NEWSBOT_ARCHIVE_URL). The one place front ends open an engine."""

from __future__ import annotations

from index import Encoder, Engine, EngineParams, Reranker
from index.archive.location import remote_location
from index.errors import IndexMissingError, UserError
from index.store.schema import DB_NAME

from .settings import Settings


def archive_shown(settings: Settings) -> str:
    """Where the archive is, for people (no credentials)."""
    location = remote_location(settings.archive_url)
    if location is None:
        return str(settings.index_dir)
    return f"{location.shown} ({settings.archive_collections}_*)"


def is_remote(settings: Settings) -> bool:
    return remote_location(settings.archive_url) is not None


def embedded_missing(settings: Settings) -> bool:
    """Whether the embedded archive the settings name has no index yet (False for a remote
    one: only connecting tells)."""
    return not is_remote(settings) and not (settings.index_dir / DB_NAME).exists()


def check_exists(settings: Settings) -> None:
    """Fails before a model loads when the embedded archive has no index yet."""
    if embedded_missing(settings):
        raise IndexMissingError(
            f"No index at {settings.index_dir}: run `newsbot ingest` first (or pass --index-dir)."
        )


def open_engine(
    settings: Settings,
    encoder: Encoder | None,
    params: EngineParams,
    *,
    reranker: Reranker | None = None,
    create: bool = False,
) -> Engine:
    """The engine on the settings' archive; without an encoder, for reads that need no model.
    Files sent for ingesting are kept in the index folder's uploads either way."""
    location = remote_location(settings.archive_url)
    if location is None:
        if encoder is None:
            return Engine.open_existing(settings.index_dir, params=params)
        return Engine.open(settings.index_dir, encoder, reranker=reranker, create=create, params=params)
    return Engine.open_remote(
        location,
        encoder,
        token=settings.archive_token.get_secret_value(),
        collections=settings.archive_collections,
        uploads=settings.index_dir / "uploads",
        reranker=reranker,
        create=create,
        params=params,
    )


def refuse_remote_rebuild(settings: Settings) -> None:
    if is_remote(settings):
        raise UserError(
            "A Milvus archive is not rebuilt in place: ingest into new collections "
            "(NEWSBOT_ARCHIVE_COLLECTIONS=<new prefix> newsbot ingest ...), then point the bots at "
            "them; or ingest again into these, which rewrites only what changed (docs/scale.md)."
        )
