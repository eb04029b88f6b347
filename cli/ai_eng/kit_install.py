"""Install ai-eng from an offline kit, with the network off. Standard library only.

`ai-eng kit build` copies this file into the kit as install.py, so that a laptop without
ai-eng runs it with any Python 3.11+ (inside the venv it should install into):

    python3 -m venv ~/ai-eng && . ~/ai-eng/bin/activate     # Windows: ~\\ai-eng\\Scripts\\activate
    python /path/to/KIT/install.py

`ai-eng kit install KIT` runs the same code.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path


def kit_env(kit: Path) -> dict[str, str]:
    """What pip and npm read so that an unchanged `make setup` installs from the kit only."""
    kit = kit.resolve()
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(kit / "wheels"),
        "npm_config_cache": str(kit / "npm-cache"),
        "npm_config_offline": "true",
        "HF_HUB_OFFLINE": "1",
    }


def env_lines(kit: Path, powershell: bool = False) -> list[str]:
    if powershell:
        return [f'$env:{k} = "{v}"' for k, v in kit_env(kit).items()]
    return [f"export {k}={shlex.quote(v)}" for k, v in kit_env(kit).items()]


def install(kit: Path, quiet: bool = False) -> int:
    """pip install ai-eng (the kit's version) from the kit into this Python; 0 when done."""
    manifest = kit / "manifest.json"
    if not manifest.is_file():
        print(f"error: {kit} is not an ai-eng kit (no manifest.json)", file=sys.stderr)
        return 1
    version = json.loads(manifest.read_text())["ai_eng"]
    env = {**os.environ, **kit_env(kit)}
    cmd = [sys.executable, "-m", "pip", "install", "--no-index", "--find-links"]
    cmd += [str(kit.resolve() / "wheels"), f"ai-eng=={version}"] + (["--quiet"] if quiet else [])
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        out = done.stdout + done.stderr
        lacking = [ln for ln in out.splitlines() if "No matching distribution found for" in ln]
        why = lacking[0].split("found for ", 1)[1] if lacking else out.strip().splitlines()[-1]
        print(
            f"error: the kit lacks {why} for this laptop (Python "
            f"{sys.version_info.major}.{sys.version_info.minor}); add it on a machine with "
            f"internet: ai-eng kit build {kit} --python "
            f"{sys.version_info.major}.{sys.version_info.minor}",
            file=sys.stderr,
        )
        return 1
    return 0


def main() -> int:
    kit = Path(__file__).resolve().parent
    if sys.version_info < (3, 11):  # noqa: UP036  (a laptop may run an older python3)
        print("error: ai-eng needs Python 3.11 or newer", file=sys.stderr)
        return 1
    if sys.prefix == sys.base_prefix:
        print(
            "error: run this inside a virtual environment: python3 -m venv ~/ai-eng && "
            ". ~/ai-eng/bin/activate (Windows: ~\\ai-eng\\Scripts\\activate), then again",
            file=sys.stderr,
        )
        return 1
    if code := install(kit):
        return code
    print(f"Installed ai-eng from {kit}. For this shell, so that `make setup` uses the kit:")
    for line in env_lines(kit, powershell=os.name == "nt"):
        print(f"  {line}")
    print(f'or run: eval "$(ai-eng kit env {shlex.quote(str(kit))})"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
