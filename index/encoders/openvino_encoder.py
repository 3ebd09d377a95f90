"""The default encoder: the exported model on OpenVINO's CPU plugin, with no torch at run time.

OpenVINO computes in bfloat16 on CPUs with AVX-512 BF16 or AMX (mean cosine to torch fp32
0.99998 measured), float32 elsewhere; `openvino_export` makes the model it runs.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .base import Span, SpanVectors, TokenCounter, normalise, pooled_spans, spans_apart
from .openvino_export import OUTPUTS

log = logging.getLogger(__name__)


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

# Many texts at once (an ingest) run in batches of 8 on a model compiled for throughput, one
# batch in flight per stream (two on two cores), while the next is tokenized and the last one's
# sentences pooled: 150 RealTimeQA articles searchable in 14.9-16.1 s against 16.0-16.8 s with
# batches of 32 one at a time, in one run (issue 10's note). A few batches (an upload) do not
# wait for that model's compile.
BATCH_SIZE = 8
THROUGHPUT_FROM_BATCHES = 3


class OpenVINOEncoder:
    """`encode(texts)` on an exported OpenVINO model; loads no torch at run time."""

    def __init__(self, folder: Path, name: str, batch_size: int = BATCH_SIZE):
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
        self._count = TokenCounter(self._tokenizer)
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
        self._throughput: Any = None  # compiled for throughput on the first many-batch call
        self._static: dict[int, object] = {}  # token bucket -> compiled model, or None if it failed
        for tokens in STATIC_BUCKETS_AT_LOAD:
            self._static_model(tokens, cache=True)
        precision = self._compiled.get_property("INFERENCE_PRECISION_HINT")
        self.int8 = bool(info.get("int8"))
        self._mean_pooled = bool(info.get("mean_pooled"))
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
                    model.reshape(
                        {inp.get_any_name(): self._ov.PartialShape([1, tokens]) for inp in model.inputs}
                    )
                    config = self._config if cache else {**self._config, "CACHE_DIR": ""}
                    compiled = self._core.compile_model(model, "CPU", config)
                    # The first inference on a compiled model sets it up (10-20 ms): here, not in
                    # a question.
                    compiled.create_infer_request().infer(
                        {name: np.zeros((1, tokens), dtype=np.int64) for name in self._inputs}
                    )
                except Exception:
                    log.warning(
                        "no static-shape model for %d tokens; using the dynamic one", tokens, exc_info=True
                    )
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
        return self._batched(texts)[0]

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> SpanVectors:
        if not self._mean_pooled:
            return spans_apart(self, texts, spans)
        return self._batched(texts, spans)

    def _batched(self, texts: Sequence[str], spans: Sequence[Sequence[Span]] | None = None) -> SpanVectors:
        """The texts' vectors in batches, and with `spans`, their spans' vectors from the same pass."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        span_out = [np.zeros((len(s), self.dimension), dtype=np.float32) for s in spans or []]
        if not texts:
            return out, span_out
        # Longest first, in batches of similar length: little padding, as sentence-transformers does.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        batches = [order[start : start + self.batch_size] for start in range(0, len(texts), self.batch_size)]
        many = len(batches) >= THROUGHPUT_FROM_BATCHES
        requests = self._throughput_requests() if many else [self._request()]
        pending: deque = deque()  # (request, rows, tokenized batch), oldest first

        def finish() -> None:
            request, rows, batch = pending.popleft()
            request.wait()
            out[rows] = request.get_tensor(OUTPUTS[0]).data[: len(rows)]
            if spans is not None:
                length = batch["input_ids"].shape[1]  # the model's rows are padded further (_bucketed)
                tokens = request.get_tensor(OUTPUTS[1]).data
                for k, i in enumerate(rows):
                    span_out[i] = pooled_spans(
                        tokens[k, :length], batch["offset_mapping"][k], batch["attention_mask"][k], spans[i]
                    )

        try:
            for n, rows in enumerate(batches):
                if len(pending) == len(requests):
                    finish()
                batch = self._tokenizer(
                    [texts[i] for i in rows],
                    padding=True,
                    truncation=True,
                    max_length=self._max_length,
                    return_tensors="np",
                    return_offsets_mapping=spans is not None,
                )
                request = requests[n % len(requests)]
                request.start_async(_bucketed({name: batch[name] for name in self._inputs}))
                pending.append((request, rows, batch))
            while pending:
                finish()
        finally:  # a failure midway leaves no request running into the next call
            for request, _, _ in pending:
                request.wait()
        return normalise(out), span_out

    def _throughput_requests(self) -> list:
        """This thread's infer requests on the model compiled for throughput, one per stream;
        compiled on first use, without the cache (it may be a running bot's upload: see
        _COMPILE_LOCK)."""
        requests = getattr(self._local, "throughput", None)
        if requests is None:
            with _COMPILE_LOCK:
                if self._throughput is None:
                    self._throughput = self._core.compile_model(
                        self._model_xml, "CPU", {"PERFORMANCE_HINT": "THROUGHPUT", "CACHE_DIR": ""}
                    )
            streams = int(self._throughput.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            requests = self._local.throughput = [
                self._throughput.create_infer_request() for _ in range(max(1, streams))
            ]
        return requests

    def _encode_one(self, text: str) -> np.ndarray:
        encoding = self._single_tokenizer.encode(text)
        columns = {
            "input_ids": encoding.ids,
            "attention_mask": encoding.attention_mask,
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
            out = np.array(self._request().infer(feed)[OUTPUTS[0]][:1], dtype=np.float32)
        return normalise(out)

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def describe(self) -> str:
        return f"OpenVINO {'int8 + ' if self.int8 else ''}{self.precision}"


def _truncating_copy(tokenizer, max_length: int):
    """An independent `tokenizers.Tokenizer` that encodes one text as
    `tokenizer([text], padding=True, truncation=True, max_length=max_length)` does."""
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    copy.no_padding()
    copy.enable_truncation(
        max_length, stride=0, strategy="longest_first", direction=tokenizer.truncation_side
    )
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
