"""Fast encoder backends for the same model: OpenVINO (bf16 where the CPU has it) and int8.

The model is exported once from the local sentence-transformers directory into a cache folder
and reused; nothing is downloaded. The exported graph includes the model's own pooling, so an
exported encoder returns what `SentenceTransformer.encode` returns, up to rounding.

- `openvino`: OpenVINO's CPU plugin computes in bfloat16 on CPUs with AVX-512 BF16 or AMX
  (mean cosine to torch fp32 0.99998 measured), float32 elsewhere.
- `openvino-int8`: the same graph with int8 weights and activations (NNCF post-training
  quantization, calibrated on local news text shipped in `index/calibration.txt`, never on a
  downloaded data set).

torch stays the reference and the fallback: when OpenVINO is not installed or the export fails,
`load` logs why and returns the torch encoder (int8 first falls back to `openvino`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .encoder import SentenceTransformerEncoder, normalise
from .errors import UserError

log = logging.getLogger(__name__)

BACKENDS = ("torch", "torch-bf16", "openvino", "openvino-int8")
DEFAULT_BACKEND = "openvino"
EXPORT_VERSION = 1  # bump when the export procedure changes
CALIBRATION_TEXT = Path(__file__).with_name("calibration.txt")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsbot" / "encoders"


def _model_fingerprint(model_dir: Path) -> str:
    """Changes when the model's files change (names, sizes, modification times)."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            digest.update(f"{path.relative_to(model_dir)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def export_dir(model_dir: Path, backend: str, root: Path | None = None) -> Path:
    import openvino

    version = openvino.__version__.split("-")[0]
    key = f"{_model_fingerprint(model_dir)}-ov{version}-v{EXPORT_VERSION}"
    return (root or cache_root()) / backend / key


def calibration_texts() -> list[str]:
    """Local in-domain text for int8 calibration: sentences, and passages made of several."""
    lines = [line.strip() for line in CALIBRATION_TEXT.read_text(encoding="utf-8").splitlines()]
    sentences = [line for line in lines if line and not line.startswith("#")]
    passages = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 3)]
    return sentences + passages


# ---- export -----------------------------------------------------------------------------------


def _export_openvino(model_dir: Path, target: Path, int8: bool) -> None:
    """Convert the sentence-transformers model (with its pooling) to OpenVINO IR in `target`."""
    import openvino as ov
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    st.eval()
    tokenizer = st.tokenizer
    input_names = ["input_ids", "attention_mask"]
    if "token_type_ids" in tokenizer.model_input_names:
        input_names.append("token_type_ids")

    class Embed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.st = st

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            features = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                features["token_type_ids"] = token_type_ids
            return self.st(features)["sentence_embedding"]

    sample = tokenizer(
        ["a short example", "a longer example sentence, with a few more words in it"],
        padding=True, return_tensors="pt",
    )
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracing warnings about shape-dependent Python code
        model = ov.convert_model(
            Embed(),
            example_input={name: sample[name] for name in input_names},
            input=[(name, ov.PartialShape([-1, -1]), ov.Type.i64) for name in input_names],
        )
    for output in model.outputs:
        output.get_tensor().set_names({"sentence_embedding"})
    if int8:
        model = _quantize(model, tokenizer, input_names, st.max_seq_length)
    ov.save_model(model, target / "model.xml", compress_to_fp16=False)
    tokenizer.save_pretrained(str(target / "tokenizer"))
    (target / "export.json").write_text(json.dumps({
        "inputs": input_names,
        "max_seq_length": int(st.max_seq_length),
        "dimension": int(st.get_embedding_dimension()),
        "int8": int8,
    }))


def _quantize(model, tokenizer, input_names: list[str], max_length: int):
    import nncf

    nncf.set_log_level(logging.ERROR)

    items = [
        {name: tokenizer([text], truncation=True, max_length=max_length, return_tensors="np")[name]
         for name in input_names}
        for text in calibration_texts()
    ]
    with contextlib.redirect_stdout(io.StringIO()):  # progress bars
        return nncf.quantize(
            model,
            nncf.Dataset(items),
            model_type=nncf.ModelType.TRANSFORMER,
            subset_size=len(items),
        )


def ensure_export(model_dir: Path, backend: str, root: Path | None = None) -> Path:
    """The export folder for this model and backend, made on first use (atomically)."""
    target = export_dir(model_dir, backend, root)
    if (target / "export.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.warning("exporting %s for the %s encoder backend (once) into %s", model_dir.name, backend, target)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        _export_openvino(model_dir, tmp, int8=backend == "openvino-int8")
        try:
            tmp.rename(target)
        except OSError:
            if not (target / "export.json").exists():  # not a concurrent export that won
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


# ---- the encoder --------------------------------------------------------------------------------


# Single texts (a question) run on models compiled for the static shape [1, tokens], one per
# token bucket up to STATIC_MAX_TOKENS: on a 2-core CPU that is 15-25% faster than the
# dynamic-shape model at any length, and ~1.5 ms faster when consecutive questions change
# shape (the dynamic model re-plans for each new shape). Each bucket costs a compile (~0.3 s, or
# ~0.15 s from the cache) and ~120 MB of resident memory (~35 MB anonymous, the rest mapped
# files), so only question lengths get one; the commonest are compiled at load, so the first
# question does not wait, and the rest on first use.
TOKEN_BUCKET = 16
STATIC_MAX_TOKENS = 64
STATIC_BUCKETS_AT_LOAD = (16, 32)

# OpenVINO's compile with a CACHE_DIR switches the process locale (LC_CTYPE) to "C" while it
# reads or writes the cache, and restores it after: two such compiles at once can leave the
# process in "C" (ASCII `open()`), so this module compiles one model at a time. Buckets compiled
# while the bot runs skip the cache so that no other thread sees the locale change.
_COMPILE_LOCK = threading.Lock()


class OpenVINOEncoder:
    """`encode(texts)` on an exported OpenVINO model; loads no torch at run time."""

    def __init__(self, folder: Path, name: str, batch_size: int = 32):
        import openvino as ov
        from transformers import AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        info = json.loads((folder / "export.json").read_text())
        self._inputs = info["inputs"]
        self._max_length = info["max_seq_length"]
        self.dimension = int(info["dimension"])
        self.name = name
        self.batch_size = batch_size
        self._tokenizer = AutoTokenizer.from_pretrained(str(folder / "tokenizer"), local_files_only=True)
        # A private copy of the fast tokenizer for single texts, truncating as `encode`'s batch call
        # does: the same ids without the wrapper's per-call overhead, and unaffected by the
        # settings the wrapper writes into its own backend tokenizer on every call.
        self._single_tokenizer = _truncating_copy(self._tokenizer, self._max_length)
        self._ov = ov
        self._core = core = ov.Core()
        core.set_property({"CACHE_DIR": str(folder / "compiled")})
        self._model_xml = str(folder / "model.xml")
        self._config = {"PERFORMANCE_HINT": "LATENCY"}
        with _COMPILE_LOCK:
            self._compiled = core.compile_model(self._model_xml, "CPU", self._config)
        self._static: dict[int, object] = {}  # token bucket -> compiled model, or None if it failed
        for tokens in STATIC_BUCKETS_AT_LOAD:
            self._static_model(tokens, cache=True)
        precision = self._compiled.get_property("INFERENCE_PRECISION_HINT")
        self.int8 = bool(info.get("int8"))
        # What OpenVINO computes in: bf16 on CPUs with AVX-512 BF16 or AMX, else f32.
        self.precision = precision.get_type_name() if hasattr(precision, "get_type_name") else str(precision)
        self._local = threading.local()  # infer requests per thread (the bot encodes off-loop)

    def _request(self):
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        return request

    def _static_model(self, tokens: int, cache: bool = False):
        """The model compiled for input shape [1, tokens], compiled on first use; None if it cannot be."""
        compiled = self._static.get(tokens, False)
        if compiled is not False:
            return compiled
        with _COMPILE_LOCK:
            compiled = self._static.get(tokens, False)
            if compiled is False:
                try:
                    model = self._core.read_model(self._model_xml)
                    model.reshape({inp.get_any_name(): self._ov.PartialShape([1, tokens]) for inp in model.inputs})
                    config = self._config if cache else {**self._config, "CACHE_DIR": ""}
                    compiled = self._core.compile_model(model, "CPU", config)
                    # The first inference on a compiled model sets it up (10-20 ms): here, not in
                    # a question.
                    compiled.create_infer_request().infer(
                        {name: np.zeros((1, tokens), dtype=np.int64) for name in self._inputs}
                    )
                except Exception:
                    log.warning("no static-shape model for %d tokens; using the dynamic one", tokens, exc_info=True)
                    compiled = None
                self._static[tokens] = compiled
        return compiled

    def _static_request(self, tokens: int):
        """This thread's infer request on the [1, tokens] model with its input arrays bound, or None."""
        requests = getattr(self._local, "static", None)
        if requests is None:
            requests = self._local.static = {}
        slot = requests.get(tokens)
        if slot is None:
            compiled = self._static_model(tokens)
            if compiled is None:
                return None
            request = compiled.create_infer_request()
            arrays = {name: np.zeros((1, tokens), dtype=np.int64) for name in self._inputs}
            for name, array in arrays.items():
                request.set_tensor(name, self._ov.Tensor(array, shared_memory=True))
            slot = requests[tokens] = (request, arrays)
        return slot

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._encode_one(texts[0])
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        request = self._request()
        # Longest first, in batches of similar length: little padding, as sentence-transformers does.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            batch = self._tokenizer(
                [texts[i] for i in rows], padding=True, truncation=True,
                max_length=self._max_length, return_tensors="np",
            )
            feed = _bucketed({name: batch[name] for name in self._inputs})
            result = request.infer(feed)
            out[rows] = next(iter(result.values()))[: len(rows)]
        return normalise(out)

    def _encode_one(self, text: str) -> np.ndarray:
        encoding = self._single_tokenizer.encode(text)
        columns = {
            "input_ids": encoding.ids, "attention_mask": encoding.attention_mask,
            "token_type_ids": encoding.type_ids,
        }
        length = len(encoding.ids)
        tokens = _token_bucket(length)
        slot = self._static_request(tokens) if tokens <= STATIC_MAX_TOKENS else None
        if slot is not None:
            request, arrays = slot
            for name, array in arrays.items():
                array[0, :length] = columns[name]
                array[0, length:] = 0
            request.infer()
            out = np.array(request.get_output_tensor(0).data[:1], dtype=np.float32)
        else:
            feed = _bucketed({name: np.array([columns[name]], dtype=np.int64) for name in self._inputs})
            out = np.array(next(iter(self._request().infer(feed).values()))[:1], dtype=np.float32)
        return normalise(out)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


def _truncating_copy(tokenizer, max_length: int):
    """An independent `tokenizers.Tokenizer` that encodes one text as
    `tokenizer([text], padding=True, truncation=True, max_length=max_length)` does."""
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    copy.no_padding()
    copy.enable_truncation(max_length, stride=0, strategy="longest_first", direction=tokenizer.truncation_side)
    return copy


def _token_bucket(tokens: int) -> int:
    return -(-tokens // TOKEN_BUCKET) * TOKEN_BUCKET


def _bucketed(feed: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Inputs padded to a few shapes: rows to a power of two, tokens to a multiple of 16.

    OpenVINO compiles kernels for each new input shape it meets (tens of milliseconds); with
    buckets, a running bot meets a few dozen shapes instead of one per question length. Padding
    tokens have attention mask 0, so the pooled vectors do not change; padding rows are dropped.
    """
    rows, tokens = feed["input_ids"].shape
    want_rows = 1 << (rows - 1).bit_length()
    want_tokens = _token_bucket(tokens)
    out = {}
    for name, array in feed.items():
        padded = np.zeros((want_rows, want_tokens), dtype=np.int64)
        padded[:rows, :tokens] = array
        out[name] = padded
    return out


def vector_name(name: str, backend: str) -> str:
    """The model name an index records for vectors from `backend`.

    bf16 and fp32 vectors are interchangeable (cosine 0.99998, top-10 overlap 0.99 in
    docs/bench.md), so an archive built with one is searched with the other. int8 vectors are
    not (top-10 overlap 0.82): an archive built with them names them, and opening it with
    another backend asks for a rebuild instead of silently mixing the two.
    """
    return f"{name}+int8" if backend == "openvino-int8" else name


def load(model_dir: Path, name: str, backend: str, *, cache: Path | None = None):
    """An encoder of `model_dir` on `backend`; torch fp32 when the backend cannot be had."""
    if backend not in BACKENDS:
        raise UserError(f"Unknown encoder backend {backend!r}: choose one of {', '.join(BACKENDS)}.")
    if backend == "torch":
        return SentenceTransformerEncoder(model_dir, name=name)
    if backend == "torch-bf16":
        return SentenceTransformerEncoder(model_dir, name=name, dtype="bfloat16")
    # int8 falls back to the OpenVINO default, which falls back to torch.
    for candidate in ([backend, "openvino"] if backend == "openvino-int8" else [backend]):
        try:
            return OpenVINOEncoder(ensure_export(Path(model_dir), candidate, cache), name=vector_name(name, candidate))
        except ImportError as exc:
            log.warning("encoder backend %s needs %s; trying the next one", candidate, exc.name)
        except Exception:
            log.warning("encoder backend %s failed to load; trying the next one", candidate, exc_info=True)
    log.warning("using the torch encoder backend")
    return SentenceTransformerEncoder(model_dir, name=name)
