"""Generation tokens/s as notebook 02 measures it vs a bare warm loop on the same backend.

Target: the notebook's figure within 10% of the bare loop (ratio >= 0.9x).

Needs a project generated from templates/local-model-notebook with `make setup` done (and
`make setup-llamacpp` for --backend llama-cpp). In the project's venv, A is the notebook's code
path (`measure_speed` over the project's backend, as notebook 02 calls it) and B is a bare loop
with nothing of the project imported (`model.generate` on the same model folder, or
`Llama.create_chat_completion` on the same GGUF), both warm, both measured the same way:
(n - 1) extra tokens over the extra time of an n-token request against a one-token request.
A and B alternate for --rounds rounds; the ratio A/B is printed as min / median / max.

    python bench/notebook_speed.py PROJECT_DIR [--backend transformers] [--rounds 5] [--tokens 64]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

# Runs inside the project's venv.
ROUNDS = r"""
import json, sys, time
backend_name, rounds, n = json.loads(sys.argv[1])
from my_model_lab.backends import open_backend
from my_model_lab.speed import SPEED_PROMPT, measure_speed

notebook = open_backend(backend_name)
if backend_name == "transformers":
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    folder = notebook.model
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype="float32").eval()
    inputs = tokenizer.apply_chat_template(SPEED_PROMPT, add_generation_prompt=True,
                                           return_tensors="pt", return_dict=True)

    def bare(max_tokens):
        start = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False,
                                 pad_token_id=tokenizer.eos_token_id)
        return out.shape[1] - inputs["input_ids"].shape[1], time.perf_counter() - start
else:
    from llama_cpp import Llama
    llm = Llama(model_path=notebook.model, n_ctx=2048, verbose=False)

    def bare(max_tokens):
        start = time.perf_counter()
        out = llm.create_chat_completion(messages=SPEED_PROMPT, max_tokens=max_tokens,
                                         temperature=0.0, seed=0)
        return out["usage"]["completion_tokens"], time.perf_counter() - start

bare(n)
measure_speed(notebook, n_tokens=n, repeats=1, warmup=1)
for _ in range(rounds):
    a = measure_speed(notebook, n_tokens=n, repeats=1, warmup=0)
    _, first = bare(1)
    tokens, full = bare(n)
    b = (tokens - 1) / (full - first)
    print(json.dumps({"notebook": float(a.generation_tokens_per_s.iloc[0]), "bare": b,
                      "tokens": int(a.generated_tokens.iloc[0]), "bare_tokens": tokens}),
          flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a generated local-model-notebook project")
    parser.add_argument("--backend", default="transformers", choices=["transformers", "llama-cpp"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=64, help="generated tokens per run")
    args = parser.parse_args()

    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if not python.is_file():
        sys.exit(f"error: {python} not found: run `make setup` in {project}")
    package = next(project.glob("src/*/speed.py"), None)
    if package is None:
        sys.exit(f"error: {project} has no src/<package>/speed.py (generate it from this checkout)")
    script = ROUNDS.replace("my_model_lab", package.parent.name)
    env = os.environ | {"HF_HUB_OFFLINE": "1", "ENV_FILE": os.devnull}
    command = [python, "-c", script, json.dumps([args.backend, args.rounds, args.tokens])]
    process = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if process.returncode != 0:
        sys.exit(f"error: the rounds failed:\n{process.stderr[-3000:]}")
    rounds = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    ratios = [r["notebook"] / r["bare"] for r in rounds]
    for name in ("notebook", "bare"):
        values = [r[name] for r in rounds]
        print(
            f"{name:9} generation tokens/s: min {min(values):.1f} / median "
            f"{statistics.median(values):.1f} / max {max(values):.1f}"
        )
    print(f"tokens per run: notebook {rounds[0]['tokens']}, bare {rounds[0]['bare_tokens']}")
    print(
        f"ratio notebook/bare ({args.backend}, {len(rounds)} alternating rounds): "
        f"min {min(ratios):.2f} / median {statistics.median(ratios):.2f} / max {max(ratios):.2f}"
        " (target >= 0.90)"
    )


if __name__ == "__main__":
    main()
