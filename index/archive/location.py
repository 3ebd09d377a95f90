"""Where the archive is: `NEWSBOT_ARCHIVE_URL` read. Empty is the embedded archive in the index
folder; `milvus://host:port` (or `milvus+tls://host:port`) a Milvus server."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from ..errors import UserError

SCHEMES = {"milvus": False, "milvus+tls": True}  # scheme: over TLS
DEFAULT_PORT = 19530


class BadArchiveUrlError(UserError):
    """NEWSBOT_ARCHIVE_URL names no archive this newsbot can open."""


class RemoteLocation(BaseModel):
    """A Milvus server's address. Credentials are never part of it: they come from settings
    (`NEWSBOT_ARCHIVE_TOKEN`), so that the address can be logged and shown."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int
    tls: bool

    @property
    def uri(self) -> str:
        """The address as pymilvus takes it."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def shown(self) -> str:
        return f"milvus{'+tls' if self.tls else ''}://{self.host}:{self.port}"


def remote_location(url: str) -> RemoteLocation | None:
    """The server `url` names; None for an empty one (the embedded archive)."""
    if not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        known = ", ".join(f"{s}://host:port" for s in SCHEMES)
        raise BadArchiveUrlError(
            f"NEWSBOT_ARCHIVE_URL {parts.scheme or url!r} is not an archive this newsbot opens: "
            f"leave it empty for the embedded archive, or give {known}."
        )
    if parts.username or parts.password:
        raise BadArchiveUrlError(
            "NEWSBOT_ARCHIVE_URL carries credentials: put them in NEWSBOT_ARCHIVE_TOKEN "
            "(user:password or an API key), never in the address."
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BadArchiveUrlError(
            "NEWSBOT_ARCHIVE_URL takes only a host and a port (milvus://host:port); name the "
            "collections with NEWSBOT_ARCHIVE_COLLECTIONS."
        )
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise BadArchiveUrlError(f"NEWSBOT_ARCHIVE_URL has a bad port: {url!r}.") from None
    if not parts.hostname:
        raise BadArchiveUrlError(f"NEWSBOT_ARCHIVE_URL names no host: {url!r}.")
    return RemoteLocation(host=parts.hostname, port=port, tls=SCHEMES[parts.scheme])
