"""Speed measured like llama-bench: warm-up, repeated runs, mean ± sd, prompt processing and
generation tokens/s reported separately, the same generated-token budget in every run.

Each repeat makes two requests with the same prompt: one for a single token (prompt processing,
plus one token) and one for `n_tokens`. Generation tokens/s is the extra tokens over the extra
time, so it does not mix prompt length or answer length into the figure.
"""

import statistics

import pandas as pd

from .backends import Backend

# Asks for a long answer, so every run generates (close to) the full budget.
SPEED_PROMPT = [{"role": "user", "content": "Count from 1 to 200, one number per line."}]


def measure_speed(
    backend: Backend,
    messages: list[dict[str, str]] = SPEED_PROMPT,
    *,
    n_tokens: int = 64,
    repeats: int = 5,
    warmup: int = 1,
) -> pd.DataFrame:
    """One row per repeat: prompt tokens, prompt tokens/s, generated tokens, generation tokens/s."""
    for _ in range(warmup):
        backend.chat(messages, max_tokens=n_tokens)
    rows = []
    for repeat in range(repeats):
        first = backend.chat(messages, max_tokens=1)
        full = backend.chat(messages, max_tokens=n_tokens)
        extra_seconds = max(full.seconds - first.seconds, 1e-9)
        rows.append(
            {
                "backend": backend.name,
                "repeat": repeat,
                "prompt_tokens": first.prompt_tokens,
                "prompt_tokens_per_s": first.prompt_tokens / first.seconds,
                "generated_tokens": full.completion_tokens,
                "generation_tokens_per_s": (full.completion_tokens - 1) / extra_seconds,
            }
        )
    return pd.DataFrame(rows)


def summarize_speed(runs: pd.DataFrame) -> pd.DataFrame:
    """Per backend: n repeats, mean ± sd of prompt and generation tokens/s (as llama-bench)."""
    rows = []
    for backend, group in runs.groupby("backend", sort=False):
        row = {"backend": backend, "repeats": len(group)}
        for column in ("prompt_tokens_per_s", "generation_tokens_per_s"):
            values = group[column].tolist()
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            row[column.replace("_per_s", "/s")] = f"{statistics.mean(values):.1f} ± {sd:.1f}"
        row["generated_tokens"] = int(group["generated_tokens"].median())
        rows.append(row)
    return pd.DataFrame(rows)
