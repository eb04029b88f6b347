"""A system prompt that asks for the bare answer, with two examples."""

PROMPTS = '''"""System prompts, chosen by scoring them on data/raw/eval_tasks.jsonl."""

SHORT_ANSWER_SYSTEM_PROMPT = (
    "Reply with only the answer: one word, no sentence, no full stop.\\n"
    "Q: What is the capital of Spain?\\nA: Madrid\\n"
    "Q: How many wheels does a bicycle have?\\nA: two"
)
'''


def solve(project) -> None:
    project.write("src/{package}/prompts.py", PROMPTS)
