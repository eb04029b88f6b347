"""Refuse off-topic questions: the best vector hit's cosine similarity under a threshold."""

CLI = "src/{package}/cli.py"


def solve(project) -> None:
    project.replace(
        CLI,
        "        result = None\n        for piece in stream_answer(\n",
        "        from .search import vector_search\n"
        "\n"
        "        closest = vector_search(conn, embedder.embed([question])[0], 1, source=source)\n"
        "        if not closest or closest[0].score < MIN_RELEVANCE:\n"
        '            out.print("I don\'t know: nothing relevant in the documents.")\n'
        "            return\n"
        "        result = None\n"
        "        for piece in stream_answer(\n",
    )
    project.append(
        CLI,
        "\n\n# all-MiniLM-L6-v2 cosine of a question and its closest chunk: the questions of\n"
        "# eval/questions.jsonl score 0.26 and up, unrelated ones (recipes, football) 0.10-0.13\n"
        "MIN_RELEVANCE = 0.2\n",
    )
