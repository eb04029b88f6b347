"""SYSTEM_PROMPT: a setting, sent first to the model after the history is fitted to the context."""


def solve(project) -> None:
    project.insert_after(
        "backend/app/core/config.py",
        r"^    LLM_MAX_TOKENS: ",
        '    SYSTEM_PROMPT: str = ""  # sent first in every request to the model; empty: none',
    )
    project.replace(
        "backend/app/api/routes/chat.py",
        "    prompt = fit_to_context(prompt, settings.prompt_token_budget)\n"
        "    return [system, *prompt] if system else prompt\n",
        "    if not settings.SYSTEM_PROMPT:\n"
        "        prompt = fit_to_context(prompt, settings.prompt_token_budget)\n"
        "        return [system, *prompt] if system else prompt\n"
        '    first = {"role": "system", "content": settings.SYSTEM_PROMPT}\n'
        "    budget = settings.prompt_token_budget - estimate_tokens(settings.SYSTEM_PROMPT)\n"
        "    prompt = fit_to_context(prompt, budget)\n"
        "    return [first, system, *prompt] if system else [first, *prompt]\n",
    )
    project.append(
        ".env.example",
        "# Instructions sent first in every request to the model (empty: none)\nSYSTEM_PROMPT=\n",
    )
