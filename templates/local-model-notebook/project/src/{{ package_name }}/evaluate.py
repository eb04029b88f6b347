"""A small evaluation harness: metric functions, a scorer that logs every prediction, each score
with n and a 95% Wilson interval, an exact McNemar test between two models scored on the same
tasks, and a check that no evaluation question is among the fine-tuning prompts.

Why not lm-evaluation-harness or inspect-ai: both would do, but each pulls a large dependency
tree and expects to download its task data; for a short-answer task file read offline, scipy's
binomial test (already installed with sentence-transformers) is all the statistics this needs.
"""

import json
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.stats import binomtest

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


def overlap(tasks: list[Task], prompts: list[str]) -> list[str]:
    """Evaluation questions that also appear (after normalisation) among fine-tuning prompts."""
    seen = {normalize(prompt) for prompt in prompts}
    return [task.question for task in tasks if normalize(task.question) in seen]


def score(
    backend: Backend,
    tasks: list[Task],
    *,
    system: str | None = None,
    max_tokens: int = 24,
    model: str | None = None,
) -> pd.DataFrame:
    """One row per task (the per-sample log): model, question, answer, prediction, each metric,
    latency, tokens/s. `model` labels the rows (default: the backend's model)."""
    rows = []
    for index, task in enumerate(tasks):
        generation = backend.chat(chat_messages(task.question, system), max_tokens=max_tokens)
        row = {"model": model or backend.model, "backend": backend.name, "task": index}
        row |= {"question": task.question, "answer": task.answer}
        row["prediction"] = generation.text
        row |= {name: metric(generation.text, task.answer) for name, metric in METRICS.items()}
        row |= {"seconds": generation.seconds, "tokens_per_s": generation.tokens_per_second}
        rows.append(row)
    return pd.DataFrame(rows)


def wilson(correct: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (sound at small n and near 0 or 1)."""
    if n == 0:
        return (0.0, 1.0)
    interval = binomtest(correct, n).proportion_ci(confidence, method="wilson")
    return (float(interval.low), float(interval.high))


def summarize(results: pd.DataFrame, by: str = "model") -> pd.DataFrame:
    """One row per `by` value and metric: n, correct, score and its 95% Wilson interval."""
    rows = []
    for key, group in results.groupby(by, sort=False):
        for metric in METRICS:
            n, correct = len(group), int(group[metric].sum())
            low, high = wilson(correct, n)
            rows.append(
                {by: key, "metric": metric, "n": n, "correct": correct, "score": correct / n}
                | {"ci95_low": round(low, 3), "ci95_high": round(high, 3)}
            )
    return pd.DataFrame(rows)


def mcnemar(results: pd.DataFrame, a: str, b: str, metric: str = "contains_answer") -> dict:
    """Exact McNemar test of models `a` and `b` on the same tasks (paired by `task`).

    Only the tasks where they disagree count: p is the two-sided binomial test of those
    discordant pairs against 50/50. p < 0.05: the difference is unlikely to be chance.
    """
    pairs = results.pivot_table(index="task", columns="model", values=metric)[[a, b]].dropna()
    only_a = int(((pairs[a] == 1) & (pairs[b] == 0)).sum())
    only_b = int(((pairs[a] == 0) & (pairs[b] == 1)).sum())
    p = binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1.0
    verdict = "a real difference (p < 0.05)" if p < 0.05 else "no significant difference"
    return {"n": len(pairs), f"only {a}": only_a, f"only {b}": only_b, "p": p, "verdict": verdict}
