"""react-chat-ui's initial JS against its budget (<= 200 kB gzip), measured on a fresh copy.

Generates the template with Copier from this checkout, runs `npm ci` and `npm run build` in
its frontend/ (the build ends with scripts/bundle-size.mjs), and prints the ratio.

    python bench/chat_bundle.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from render import render  # bench/render.py, beside this script

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()

    dest = args.keep or Path(tempfile.mkdtemp(prefix="chat-bundle-")) / "app"
    render("react-chat-ui", dest, overwrite=True)
    frontend = dest / "frontend"
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=frontend,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    build = subprocess.run(["npm", "run", "build"], cwd=frontend, capture_output=True, text=True)
    print(build.stdout[-2000:], build.stderr[-2000:], sep="\n")
    match = re.search(
        r"initial JS: ([\d.]+) kB gzip \(budget (\d+) kB\); lazy chunks: ([\d.]+)",
        build.stdout + build.stderr,
    )
    if not match:
        sys.exit("error: the build did not report the bundle size")
    initial, budget, lazy = float(match[1]), float(match[2]), float(match[3])
    print(
        f"initial JS {initial:.1f} kB gzip / budget {budget:.0f} kB = {initial / budget:.2f}x "
        f"(lazy chunks {lazy:.1f} kB: markdown, highlighting)"
    )
    sys.exit(build.returncode)


if __name__ == "__main__":
    main()
