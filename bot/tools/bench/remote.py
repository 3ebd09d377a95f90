"""The remote archive of the bench (`newsbot bench --archive URL`): a fresh archive on a Milvus
server, grown beside the embedded one from the same batches (sizes.py), and what is measured of
it that the embedded archive's figures do not cover: recall@10 of the server's dense search,
and bytes per chunk of the server's data folder when the server runs on this machine."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import EngineParams, UserError
from index.archive.location import RemoteLocation, remote_location
from index.archive.milvus.archive import MilvusArchive

from .index_figures import exact_nearest, recall_at_10
from .measure import folder_bytes

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class RemoteTarget:
    """What `--archive URL` names: the server, its token (from settings), and with
    `--archive-data DIR` the folder it keeps its data in."""

    location: RemoteLocation
    token: str
    data_dir: Path | None = None

    @classmethod
    def given(cls, url: str | None, token: str, data_dir: Path | None) -> RemoteTarget | None:
        """The server `--archive` names (checked before anything is measured); None without it."""
        if url is None:
            if data_dir is not None:
                raise UserError("--archive-data weighs the --archive server's data: give --archive URL too.")
            return None
        location = remote_location(url)
        if location is None:
            raise UserError("--archive takes a Milvus server's address: milvus://host:port.")
        if data_dir is not None and not data_dir.is_dir():
            raise UserError(f"--archive-data {data_dir} is not a folder.")
        return cls(location, token, data_dir)


@dataclass
class RemoteResult:
    """The remote archive at one size. `build_s` is the time its `apply` and `save_files` of
    every batch took; `bytes_per_chunk` None when not measured (`bytes_note` says why)."""

    location: str
    chunks: int
    build_s: float
    ask_p50: float
    ask_p95: float
    recall10: float
    bytes_per_chunk: float | None
    bytes_note: str

    @property
    def ingest_chunks_s(self) -> float:
        return self.chunks / self.build_s if self.build_s else float("nan")


class RemoteBench:
    """A new archive, collections `bench_<random>_*`, so that nothing of another archive on the
    server is touched; `close` drops it."""

    def __init__(self, target: RemoteTarget, model: str, dimension: int, uploads: Path, params: EngineParams):
        self.local = target.location.host in LOCAL_HOSTS
        self.data_dir = target.data_dir
        self.archive = MilvusArchive.connect(
            target.location,
            token=target.token,
            prefix=f"bench_{secrets.token_hex(6)}",
            model=model,
            dimension=dimension,
            create=True,
            uploads=uploads,
            params=params.remote,
            vector_params=params.vectors,
        )
        # What the server kept before: the bench's archive is what it adds.
        self._bytes_before = folder_bytes(self.data_dir) if self.local and self.data_dir else 0

    @property
    def location(self) -> str:
        return self.archive.location

    def bytes_per_chunk(self, chunks: int) -> tuple[float | None, str]:
        """The data folder's growth since the bench began, per chunk, and what that covers."""
        if not self.local:
            return None, "not measured: the server is not on this machine"
        if self.data_dir is None:
            return None, "not measured: no --archive-data folder given"
        grown = folder_bytes(self.data_dir) - self._bytes_before
        return grown / chunks, "the server's data folder (every collection: texts, sentences, vectors)"

    def recall10(self, queries: np.ndarray, k: int) -> float:
        """Recall@10 of the server's dense search for `k` chunks (no filter) against exact search
        over the vectors it stores."""
        ids, matrix = self.archive.chunk_vectors()
        exact = exact_nearest(ids, matrix, queries)
        del matrix
        return recall_at_10(self.archive.nearest(queries, k), exact)

    def close(self) -> None:
        try:
            self.archive.drop()
        finally:
            self.archive.close()
