"""24 one-word answers, none of them an eval question."""

import json

EXAMPLES = [
    ("What is the capital of Spain?", "Madrid"),
    ("What is the capital of Germany?", "Berlin"),
    ("What is the capital of Italy?", "Rome"),
    ("What is the capital of Japan?", "Tokyo"),
    ("What is the capital of Egypt?", "Cairo"),
    ("How many months are in a year?", "twelve"),
    ("How many wheels does a bicycle have?", "two"),
    ("How many legs does a spider have?", "eight"),
    ("How many sides does a triangle have?", "three"),
    ("What is 2 + 2? Answer with a word.", "four"),
    ("What color is grass?", "green"),
    ("What color is snow?", "white"),
    ("What color are ripe bananas?", "yellow"),
    ("What is the opposite of hot?", "cold"),
    ("What is the opposite of big?", "small"),
    ("What is the opposite of left?", "right"),
    ("Which animal meows?", "cat"),
    ("Which animal moos?", "cow"),
    ("What do cows give us to drink?", "milk"),
    ("What do spiders spin?", "webs"),
    ("Which star is closest to Earth?", "Sun"),
    ("Which planet do we live on?", "Earth"),
    ("What gas do people need to breathe?", "oxygen"),
    ("What falls from clouds when it rains?", "water"),
]


def solve(project) -> None:
    lines = [json.dumps({"prompt": q, "response": a}) for q, a in EXAMPLES]
    project.write("data/raw/one_word.jsonl", "\n".join(lines) + "\n")
