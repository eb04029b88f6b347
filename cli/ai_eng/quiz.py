"""A short quiz that recommends an archetype from how you see AI problems.

The questions are here; each template's answers (`quiz` in its template.toml) are the options,
so a new template joins the quiz by adding its folder.
"""

from __future__ import annotations

from collections import Counter

QUESTIONS: tuple[str, ...] = (
    "Someone asks how to make their AI app better. Your first answer:",
    "What do you most enjoy building?",
    "Which number would you rather move?",
    "What do you hack on?",
)


def recommend(picks: list[str]) -> str:
    """The archetype picked most often, one pick per question.

    Ties go to the answer of the first question, the one that best tells the
    archetypes apart.
    """
    if len(picks) != len(QUESTIONS):
        raise ValueError(f"expected {len(QUESTIONS)} answers, got {len(picks)}")
    counts = Counter(picks)
    best = max(counts.values())
    leaders = {k for k, v in counts.items() if v == best}
    return picks[0] if picks[0] in leaders else next(p for p in picks if p in leaders)
