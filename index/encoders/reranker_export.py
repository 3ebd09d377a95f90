"""The bundled cross-encoder's int8 ONNX graph rewritten once as a float graph for OpenVINO.

The file quantizes weights to int8 and activations at run time: each matrix product is
DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(scale). OpenVINO emulates those integer
ops; rewritten as one MatMul with the weight dequantized ((W - zero point) * scale), the graph
runs in bf16 on CPUs with AMX or AVX-512 BF16 and in f32 elsewhere. The weights keep their int8
rounding; only the activations are no longer quantized. The result is derived deterministically
from the hash-checked file and cached per its digest and the OpenVINO version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .cache import cache_root, made_once

EXPORT_VERSION = 1  # bump when the rewrite changes


def dequantized(model: Any) -> tuple[Any, int]:
    """The ONNX model with each quantized matrix product replaced by a float one, and how many
    were replaced."""
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    replacing: dict[int, Any] = {}
    dropped: set[int] = set()
    added = []
    for node in graph.node:
        if node.op_type != "MatMulInteger" or node.input[1] not in weights:
            continue
        quantize = producer.get(node.input[0])
        cast = next(iter(consumers.get(node.output[0], [])), None)
        scale = next(iter(consumers.get(cast.output[0], [])), None) if cast is not None else None
        if (
            quantize is None
            or quantize.op_type != "DynamicQuantizeLinear"
            or cast is None
            or cast.op_type != "Cast"
            or scale is None
            or scale.op_type != "Mul"
        ):
            continue
        scale_of = producer[scale.input[1] if scale.input[0] == cast.output[0] else scale.input[0]]
        weight_scale = next(name for name in scale_of.input if name in weights)
        quantized = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)
        zero = (
            numpy_helper.to_array(weights[node.input[3]]).astype(np.float32)
            if len(node.input) > 3 and node.input[3]
            else 0.0
        )
        weight = ((quantized - zero) * numpy_helper.to_array(weights[weight_scale])).astype(np.float32)
        name = f"{node.input[1]}_dequantized"
        added.append(numpy_helper.from_array(weight, name))
        replacing[id(node)] = helper.make_node(
            "MatMul", [quantize.input[0], name], [scale.output[0]], name=f"{node.name}_float"
        )
        dropped |= {id(cast), id(scale)}
    nodes = [replacing.get(id(n), n) for n in graph.node if id(n) not in dropped]
    outputs = {o.name for o in graph.output}
    while True:  # drop what no longer feeds anything: the quantizers and their scale products
        used = {name for n in nodes for name in n.input} | outputs
        kept = [n for n in nodes if any(out in used for out in n.output)]
        if len(kept) == len(nodes):
            break
        nodes = kept
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for n in nodes for name in n.input}
    kept_weights = [t for t in [*graph.initializer, *added] if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept_weights)
    return model, len(replacing)


def _convert(source: Path, folder: Path) -> None:
    import onnx
    import openvino as ov

    model, replaced = dequantized(onnx.load(str(source)))
    if not replaced:
        raise ValueError(f"{source} has no quantized matrix products to rewrite")
    onnx.checker.check_model(model)
    float_onnx = folder / "model-float.onnx"
    onnx.save(model, str(float_onnx))
    ov.save_model(ov.convert_model(str(float_onnx)), str(folder / "model.xml"), compress_to_fp16=False)
    float_onnx.unlink()


def ensure_float_graph(source: Path, digest: str, *, root: Path | None = None) -> Path:
    """The OpenVINO float graph of the int8 file `source` (whose SHA-256 is `digest`)."""
    import openvino

    version = openvino.__version__.split("-")[0]
    folder = (root or cache_root()) / "reranker" / f"{digest[:16]}-ov{version}-v{EXPORT_VERSION}"
    made_once(
        folder, "model.xml", lambda target: _convert(source, target), "the reranking model for OpenVINO"
    )
    return folder / "model.xml"
