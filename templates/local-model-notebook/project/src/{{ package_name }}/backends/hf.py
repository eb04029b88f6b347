"""Transformers + PyTorch: the offline default, on CUDA, MPS or CPU."""

import torch

from ..config import Settings
from ..device import seed_everything
from ..models import load_model, model_source
from .base import Backend, Generation, stopwatch


class TransformersBackend(Backend):
    name = "transformers"

    def __init__(self, model=None, tokenizer=None, *, settings: Settings | None = None):
        if model is None:
            model, tokenizer = load_model(settings)
        self.hf_model, self.tokenizer = model, tokenizer
        self.model = model_source(settings) if settings else str(model.name_or_path)

    @property
    def device(self) -> torch.device:
        return self.hf_model.device

    def chat(self, messages, *, max_tokens=64, temperature=0.0, seed=0) -> Generation:
        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        ).to(self.device)
        sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {}
        seed_everything(seed)
        with stopwatch() as watch, torch.inference_mode():
            output = self.hf_model.generate(
                **inputs,
                max_new_tokens=max_tokens,
                pad_token_id=self.tokenizer.eos_token_id,
                **({"do_sample": False} | sampling),
            )
        new_tokens = output[0, inputs["input_ids"].shape[1] :]
        text = self.tokenizer.decode(new_tokens, skip_special_tokens=True).strip()
        n_prompt = int(inputs["input_ids"].shape[1])
        return Generation(self.name, text, int(new_tokens.numel()), watch.seconds, n_prompt)
