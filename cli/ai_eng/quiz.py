"""A short quiz that recommends an archetype from how you see AI problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[tuple[str, str], ...]  # (answer, archetype)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "Someone asks how to make their AI app better. Your first answer:",
        (
            ("Better data: cleaner sources, smarter chunking and indexing", "data-pipeline"),
            ("Tighter collaboration with the user: streaming, editing, feedback", "ux"),
            ("Better models and algorithms: fine-tune, swap, quantize, measure", "researcher"),
        ),
    ),
    Question(
        "What do you most enjoy building?",
        (
            ("Pipelines and databases that turn messy documents into answers", "data-pipeline"),
            ("Interfaces people love to use", "ux"),
            ("Experiments: notebooks, plots, ablations", "researcher"),
        ),
    ),
    Question(
        "Which number would you rather move?",
        (
            ("Retrieval recall and answer groundedness", "data-pipeline"),
            ("Time to first token and user satisfaction", "ux"),
            ("Eval score and tokens per second", "researcher"),
        ),
    ),
    Question(
        "What do you hack on?",
        (
            ("A laptop and a Postgres database", "data-pipeline"),
            ("A laptop and a browser", "ux"),
            ("Whatever GPU I can get (or a laptop running small models)", "researcher"),
        ),
    ),
)

WHY = {
    "data-pipeline": "you improve AI by improving what it reads: data, chunking, indexing "
    "and retrieval quality.",
    "ux": "you improve AI by tightening the loop with its user: streaming, editing, "
    "and an interface people trust.",
    "researcher": "you improve AI through models themselves: local inference, "
    "fine-tuning and careful measurement.",
}


def recommend(answers: list[int]) -> str:
    """Archetype for the chosen option indexes (0-based), one per question.

    Ties go to the answer of the first question, the one that best tells the
    archetypes apart.
    """
    if len(answers) != len(QUESTIONS):
        raise ValueError(f"expected {len(QUESTIONS)} answers, got {len(answers)}")
    picks = [q.options[a][1] for q, a in zip(QUESTIONS, answers, strict=True)]
    counts = Counter(picks)
    best = max(counts.values())
    leaders = {k for k, v in counts.items() if v == best}
    return picks[0] if picks[0] in leaders else next(p for p in picks if p in leaders)
