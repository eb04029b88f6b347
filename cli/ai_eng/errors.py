"""The errors ai-eng shows the user: one line each, exit code 1."""

from __future__ import annotations


class AiEngError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


class MissingAnswers(AiEngError):
    def __init__(self, names: list[str]):
        self.names = names
        super().__init__(
            "missing answers (no terminal to ask): "
            + ", ".join(names)
            + ". Pass them with -d NAME=VALUE, or --defaults."
        )


def one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text
