"""A tiny task set, metric functions, and a scorer that runs any backend over the tasks."""

import json
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .backends import Backend, chat_messages


@dataclass(frozen=True)
class Task:
    question: str
    answer: str


def load_tasks(path: Path) -> list[Task]:
    """One JSON object per line: {"question": ..., "answer": ...}."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [Task(**json.loads(line)) for line in lines if line.strip()]


def normalize(text: str) -> str:
    """Lowercase, drop punctuation and articles, collapse whitespace (SQuAD-style)."""
    text = text.lower().translate(str.maketrans("", "", string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, answer: str) -> float:
    return float(normalize(prediction) == normalize(answer))


def contains_answer(prediction: str, answer: str) -> float:
    """1.0 when the normalized answer appears as whole words in the normalized prediction."""
    pattern = rf"\b{re.escape(normalize(answer))}\b"
    return float(re.search(pattern, normalize(prediction)) is not None)


METRICS = {"exact_match": exact_match, "contains_answer": contains_answer}


def score(
    backend: Backend, tasks: list[Task], *, system: str | None = None, max_tokens: int = 24
) -> pd.DataFrame:
    """One row per task: question, answer, prediction, each metric, latency, tokens/s."""
    rows = []
    for task in tasks:
        generation = backend.chat(chat_messages(task.question, system), max_tokens=max_tokens)
        row = {"backend": backend.name, "question": task.question, "answer": task.answer}
        row["prediction"] = generation.text
        row |= {name: metric(generation.text, task.answer) for name, metric in METRICS.items()}
        row |= {"seconds": generation.seconds, "tokens_per_s": generation.tokens_per_second}
        rows.append(row)
    return pd.DataFrame(rows)
