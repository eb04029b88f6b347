"""SYSTEM_PROMPT: a setting, sent first to the model after the history is fitted to the context."""


def solve(project) -> None:
    project.insert_after(
        "backend/app/core/config.py",
        r"^    LLM_MAX_TOKENS: ",
        '    SYSTEM_PROMPT: str = ""  # sent first in every request to the model; empty: none',
    )
    project.replace(
        "backend/app/api/routes/chat.py",
        "    return fit_to_context(prompt, settings.prompt_token_budget)\n",
        "    if not settings.SYSTEM_PROMPT:\n"
        "        return fit_to_context(prompt, settings.prompt_token_budget)\n"
        '    system = {"role": "system", "content": settings.SYSTEM_PROMPT}\n'
        "    budget = settings.prompt_token_budget - estimate_tokens(settings.SYSTEM_PROMPT)\n"
        "    return [system, *fit_to_context(prompt, budget)]\n",
    )
    project.append(
        ".env.example",
        "# Instructions sent first in every request to the model (empty: none)\nSYSTEM_PROMPT=\n",
    )
