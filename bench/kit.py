"""A workshop laptop's first hour, with the offline kit against without it, measured in one run.

Target: with the kit and the network off, install ai-eng + `ai-eng new` + `make setup` of the
template (rag-pipeline) from an empty venv in <= 5 minutes on 2 cores. Each run starts from
nothing: a new venv, a new HOME (no pip, npm or ai-eng cache). The two sides alternate
(ABAB...) so that machine load hits both alike; each row shows min / median / max seconds, the
CPU seconds of the median run (user + sys of every process: what a quiet 2-core laptop would
spend, roughly, when the work is single-threaded) and the ratio of the medians.

- kit: inside `unshare -n` (no network; needs root): `python KIT/install.py`,
  `eval "$(ai-eng kit env KIT)"`, `ai-eng new`, `make setup`.
- no kit: network on, pip from its configured index with an empty cache:
  `pip install KIT/wheels/ai_eng-*.whl` (ai-eng's dependencies from the index), `ai-eng new`,
  `make setup`. Linux needs a CPU torch from somewhere: the machine's pip configuration
  (find-links or PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu) is kept.

    python bench/kit.py KIT [--runs 1] [--template rag-pipeline]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = ("install", "new", "setup")

SCRIPT = """\
set -eu
{net}
cd "$WORK"
step() {{
  local s=$(date +%s.%N); "$@"; local e=$(date +%s.%N)
  times > "$WORK/cpu"  # in this shell: `$(times)` would report a fresh subshell's zeros
  echo "$s $e $(tail -1 "$WORK/cpu")" >> "$WORK/times"
}}
python3 -m venv venv
{install}
step venv/bin/ai-eng new proj -a {template} --defaults --no-git > /dev/null
cd proj
step make setup > "$WORK/setup.log" 2>&1
"""


def run(side: str, kit: Path, template: str) -> tuple[list[float], float]:
    work = Path(tempfile.mkdtemp(prefix=f"ai-eng-bench-kit-{side}-"))
    work.chmod(0o755)
    try:
        home = work / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "npm_"))}
        env.update(HOME=str(home), WORK=str(work), KIT=str(kit))
        if side == "kit":
            install = (
                'step venv/bin/python "$KIT/install.py" > /dev/null\n'
                'eval "$(venv/bin/ai-eng kit env "$KIT")"'
            )
            net, cmd = "ip link set lo up", ["unshare", "-n", "bash", "-c"]
        else:
            wheel = next((kit / "wheels").glob("ai_eng-*.whl"))
            install = f"step venv/bin/pip install -q {wheel}"
            net, cmd = "", ["bash", "-c"]
        script = SCRIPT.format(net=net, install=install, template=template)
        done = subprocess.run(
            [*cmd, script], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if done.returncode:
            log = work / "setup.log"
            tail = log.read_text()[-3000:] if log.is_file() else ""
            sys.exit(f"{side} run failed: {done.stderr[-2000:]}\n{tail}")
        walls, cpu = [], 0.0
        for line in (work / "times").read_text().splitlines():
            start, end, *children = line.split()
            walls.append(float(end) - float(start))
            # `times`' last line: children's user and sys, cumulative (e.g. 1m2.5s 0m3.1s)
            cpu = sum(_seconds(t) for t in children)
        return walls, cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _seconds(text: str) -> float:
    minutes, _, seconds = text.rstrip("s").partition("m")
    return float(minutes) * 60 + float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kit", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--template", default="rag-pipeline")
    args = parser.parse_args()
    kit = args.kit.resolve()
    if os.geteuid() != 0 or not shutil.which("unshare"):
        sys.exit("needs root and unshare (the kit side runs with the network off)")
    results: dict[str, list[tuple[list[float], float]]] = {"kit": [], "no kit": []}
    for i in range(args.runs):
        for side in ("kit", "no kit"):
            results[side].append(run("kit" if side == "kit" else "net", kit, args.template))
            walls, cpu = results[side][-1]
            print(
                f"run {i + 1} {side:6}: "
                + ", ".join(f"{s} {w:.0f} s" for s, w in zip(STEPS, walls, strict=True))
                + f"; total {sum(walls):.0f} s, CPU {cpu:.0f} s",
                flush=True,
            )
    print(f"\n{args.template}, {args.runs} run(s) each, seconds (min / median / max):")
    medians = {}
    for side, rows in results.items():
        totals = [sum(w) for w, _ in rows]
        med = statistics.median(totals)
        medians[side] = med
        cpu = statistics.median(c for _, c in rows)
        steps = "  ".join(
            f"{s} {statistics.median(w[j] for w, _ in rows):.0f}" for j, s in enumerate(STEPS)
        )
        print(
            f"  {side:6} total {min(totals):.0f} / {med:.0f} / {max(totals):.0f}"
            f"  (CPU {cpu:.0f})  {steps}"
        )
    print(f"  kit / no kit: {medians['kit'] / medians['no kit']:.2f}x")


if __name__ == "__main__":
    main()
