"""Numbers in digits and words match: both sides have 0-20 written as words before matching."""

EVALUATE = "src/{package}/evaluate.py"


def solve(project) -> None:
    project.replace(
        EVALUATE,
        '    pattern = rf"\\b{re.escape(normalize(answer))}\\b"\n'
        "    return float(re.search(pattern, normalize(prediction)) is not None)\n",
        '    pattern = rf"\\b{re.escape(numbers_as_words(normalize(answer)))}\\b"\n'
        "    prediction = numbers_as_words(normalize(prediction))\n"
        "    return float(re.search(pattern, prediction) is not None)\n",
    )
    project.append(
        EVALUATE,
        "\n\nNUMBER_WORDS = (\n"
        '    "zero one two three four five six seven eight nine ten eleven twelve"\n'
        '    " thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"\n'
        ").split()\n"
        "\n\n"
        "def numbers_as_words(text: str) -> str:\n"
        '    """7 -> seven, for whole numbers 0-20 (others stay digits)."""\n'
        "    def word(match: re.Match) -> str:\n"
        "        number = int(match.group())\n"
        "        return NUMBER_WORDS[number] if number < len(NUMBER_WORDS) else match.group()\n"
        "\n"
        '    return re.sub(r"\\b\\d+\\b", word, text)\n',
    )
