"""The one interface every backend implements, and the tokens/s timer they share."""

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


class BackendUnavailable(RuntimeError):
    """The backend cannot run here; the message says how to enable it."""


@dataclass(frozen=True)
class Generation:
    backend: str
    text: str
    completion_tokens: int
    seconds: float
    prompt_tokens: int = 0

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Stopwatch:
    seconds: float = 0.0
    _start: float = field(default=0.0, repr=False)


@contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    """Wall-clock time of the block, for tokens/s: `with stopwatch() as t: ...; t.seconds`."""
    watch = Stopwatch(_start=time.perf_counter())
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - watch._start


def chat_messages(prompt: str, system: str | None = None) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": system}] if system else []
    return [*messages, {"role": "user", "content": prompt}]


class Backend(ABC):
    name: str
    model: str

    @abstractmethod
    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int = 64,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Generation:
        """One chat completion; temperature 0 is greedy, so the same input gives the same text."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r})"
