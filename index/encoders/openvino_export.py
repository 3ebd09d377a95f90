"""The model exported once to OpenVINO IR, from the local sentence-transformers directory.

The exported graph includes the model's own pooling, so an exported encoder returns what
`SentenceTransformer.encode` returns, up to rounding; its second output, the token vectors, lets
a mean-pooling model give the sentences of a chunk their vectors in the chunk's pass. The int8
variant quantises weights and activations with NNCF, calibrated on local news text shipped in
`calibration.txt` (never on a downloaded data set). Nothing is downloaded; the export is cached
per model content and runtime version.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from pathlib import Path

from .cache import cache_root, content_digest, made_once

log = logging.getLogger(__name__)

# Bump when the export procedure changes. 2: folders keyed by the model's content, not its
# files' times (a reinstall of the same model made another 345 MB folder). 3: the token vectors
# are a second output (sentences pooled in their chunk's pass).
EXPORT_VERSION = 3
CALIBRATION_TEXT = Path(__file__).with_name("calibration.txt")
OUTPUTS = ("sentence_embedding", "token_embeddings")


def _runtime() -> str:
    import openvino

    return f"ov{openvino.__version__.split('-')[0]}-v{EXPORT_VERSION}"


def export_dir(model_dir: Path, *, int8: bool, root: Path | None = None) -> Path:
    """Where the export of this model for this runtime lives: named by the model's content, the
    OpenVINO version and EXPORT_VERSION."""
    base = root or cache_root()
    content = content_digest(model_dir, base / ".digests")
    return base / ("openvino-int8" if int8 else "openvino") / f"{content[:16]}-{_runtime()}"


def _other_runtime(folder: Path) -> bool:
    """An export for another OpenVINO version or export procedure: this install cannot use it."""
    return not folder.name.endswith(f"-{_runtime()}")


def calibration_texts() -> list[str]:
    """Local in-domain text for int8 calibration: sentences, and passages made of several."""
    lines = [line.strip() for line in CALIBRATION_TEXT.read_text(encoding="utf-8").splitlines()]
    sentences = [line for line in lines if line and not line.startswith("#")]
    passages = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 3)]
    return sentences + passages


def _export_openvino(model_dir: Path, target: Path, int8: bool) -> None:
    """Convert the sentence-transformers model (with its pooling) to OpenVINO IR in `target`."""
    import openvino as ov
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    from .torch_encoder import mean_pooled

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
            out = self.st(features)
            return out["sentence_embedding"], out["token_embeddings"]

    sample = tokenizer(
        ["a short example", "a longer example sentence, with a few more words in it"],
        padding=True,
        return_tensors="pt",
    )
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracing warnings about shape-dependent Python code
        model = ov.convert_model(
            Embed(),
            example_input={name: sample[name] for name in input_names},
            input=[(name, ov.PartialShape([-1, -1]), ov.Type.i64) for name in input_names],
        )
    for output, name in zip(model.outputs, OUTPUTS, strict=True):
        output.get_tensor().set_names({name})
    max_length, dimension = st.max_seq_length, st.get_embedding_dimension()
    if max_length is None or dimension is None:
        raise ValueError(f"{model_dir} does not say its input length and embedding size")
    if int8:
        model = _quantize(model, tokenizer, input_names, max_length)
    ov.save_model(model, target / "model.xml", compress_to_fp16=False)
    tokenizer.save_pretrained(str(target / "tokenizer"))
    (target / "export.json").write_text(
        json.dumps(
            {
                "inputs": input_names,
                "max_seq_length": int(max_length),
                "dimension": int(dimension),
                "int8": int8,
                "mean_pooled": mean_pooled(st),
            }
        )
    )


def _quantize(model, tokenizer, input_names: list[str], max_length: int):
    import nncf

    nncf.set_log_level(logging.ERROR)

    items = [
        {
            name: tokenizer([text], truncation=True, max_length=max_length, return_tensors="np")[name]
            for name in input_names
        }
        for text in calibration_texts()
    ]
    with contextlib.redirect_stdout(io.StringIO()):  # progress bars
        return nncf.quantize(
            model,
            nncf.Dataset(items),
            model_type=nncf.ModelType.TRANSFORMER,
            subset_size=len(items),
        )


def ensure_export(model_dir: Path, *, int8: bool, root: Path | None = None) -> Path:
    """The export folder for this model (int8 or not), made on first use."""
    return made_once(
        export_dir(model_dir, int8=int8, root=root),
        "export.json",
        lambda folder: _export_openvino(model_dir, folder, int8=int8),
        f"the embedding model ({model_dir.name}{', int8' if int8 else ''})",
        expect="" if int8 else "~40 s",
        stale=_other_runtime,
    )
