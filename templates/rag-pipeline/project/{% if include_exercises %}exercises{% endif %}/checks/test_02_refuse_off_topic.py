"""Exercise 2: `rag ask` refuses an off-topic question without calling the model."""

from conftest import NOBODY

REFUSAL = "nothing relevant in the documents"
OFF_TOPIC = [
    "What is a good recipe for banana bread?",
    "Who won the football world cup in 1998?",
    "How do I change a flat bicycle tyre?",
]
ON_TOPIC = [
    "How does HNSW find nearest neighbours?",
    "What does reciprocal rank fusion do?",
]


def test_off_topic_questions_are_refused_without_the_model(ingested) -> None:
    for question in OFF_TOPIC:
        result = ingested("ask", question, check=False)
        output = result.stdout + result.stderr
        assert result.returncode == 0, (
            f"`rag ask {question!r}` called the model ({NOBODY}: nothing listens):\n{output}"
        )
        assert REFUSAL in result.stdout.lower(), f"no refusal for {question!r}:\n{output}"


def test_on_topic_questions_still_go_to_the_model(ingested) -> None:
    for question in ON_TOPIC:
        result = ingested("ask", question, check=False)
        output = result.stdout + result.stderr
        assert REFUSAL not in output.lower(), f"refused an on-topic question {question!r}"
        assert result.returncode != 0 and "127.0.0.1:9" in output, (
            f"`rag ask {question!r}` should have tried the model server:\n{output}"
        )
