"""`rag search --max-per-doc N`: rank a deeper list, keep each document's best N, cut to k."""

CLI = "src/{package}/cli.py"


def solve(project) -> None:
    project.insert_after(
        CLI,
        r'^    as_json: .*help="One JSON object per hit"',
        "    max_per_doc: Annotated[\n"
        '        int | None, typer.Option(min=1, help="At most N chunks from one document")\n'
        "    ] = None,",
    )
    project.replace(
        CLI,
        "            query,\n            k,\n",
        "            query,\n            k if max_per_doc is None else max(6 * k, 30),\n",
    )
    project.replace(
        CLI,
        "    if as_json:\n        for hit in hits:\n",
        "    if max_per_doc is not None:\n"
        "        per_doc: dict[str, int] = {}\n"
        "        kept = []\n"
        "        for hit in hits:\n"
        "            per_doc[hit.source] = per_doc.get(hit.source, 0) + 1\n"
        "            if per_doc[hit.source] <= max_per_doc:\n"
        "                kept.append(hit)\n"
        "        hits = kept[:k]\n"
        "    if as_json:\n"
        "        for hit in hits:\n",
    )
