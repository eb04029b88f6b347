"""llama.cpp through llama-cpp-python, when it is installed (`make setup-llamacpp` compiles it)."""

from pathlib import Path

from ..models import bundled_gguf
from .base import Backend, BackendUnavailable, Generation, stopwatch

INSTALL_HINT = (
    "skipped: llama-cpp-python is not installed; run `make setup-llamacpp` "
    "(it compiles llama.cpp: 8-25 min on a laptop)"
)


def llama_cpp_installed() -> bool:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


class LlamaCppBackend(Backend):
    name = "llama-cpp"

    def __init__(self, model_path: Path | str | None = None, *, n_ctx: int = 2048, n_threads=None):
        if model_path is not None and not Path(model_path).is_file():
            raise BackendUnavailable(
                f"skipped: GGUF_PATH={model_path} is not a file; point it at a .gguf model file "
                "(or leave it empty for the bundled SmolLM2)"
            )
        try:
            from llama_cpp import Llama
        except ImportError as error:
            raise BackendUnavailable(INSTALL_HINT) from error
        self.model = str(model_path or bundled_gguf())
        self.llm = Llama(model_path=self.model, n_ctx=n_ctx, n_threads=n_threads, verbose=False)

    def chat(self, messages, *, max_tokens=64, temperature=0.0, seed=0) -> Generation:
        with stopwatch() as watch:
            response = self.llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, seed=seed
            )
        text = response["choices"][0]["message"]["content"].strip()
        usage = response["usage"]
        return Generation(
            self.name, text, usage["completion_tokens"], watch.seconds, usage["prompt_tokens"]
        )
