"""Runs that are kept: each notebook run writes its own folder under reports/runs/.

    run = start_run("05-evaluate", settings, model=..., max_tokens=32)
    run.save("predictions", results)          # reports/runs/<time>-05-evaluate/predictions.csv
    run.log(contains_answer=0.75)             # into run.json's "metrics"
    compare_runs()                            # one row per run: when, commit, model, metrics

run.json holds the notebook, time, git commit (with "-dirty" for uncommitted changes), device,
seed, model, every setting (the API key left out), the run's own config and its metrics.
"""

import json
import platform
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import torch
import transformers

from .config import PROJECT_ROOT, REPORTS_DIR, Settings
from .device import pick_device

RUNS_DIR = REPORTS_DIR / "runs"


def git_commit() -> str | None:
    """The project's commit, "-dirty" when files differ from it; None outside a git repo."""
    try:
        git = ["git", "-C", str(PROJECT_ROOT)]
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True)
        status = subprocess.run([*git, "status", "--porcelain"], capture_output=True)
    except OSError:
        return None
    if commit.returncode != 0:
        return None
    return commit.stdout.decode().strip() + ("-dirty" if status.stdout.strip() else "")


@dataclass
class Run:
    path: Path

    @property
    def info(self) -> dict:
        return json.loads((self.path / "run.json").read_text(encoding="utf-8"))

    def _write(self, info: dict) -> None:
        text = json.dumps(info, indent=2, default=str)
        (self.path / "run.json").write_text(text + "\n", encoding="utf-8")

    def log(self, **metrics) -> None:
        """Add metrics (numbers or short strings) to run.json."""
        info = self.info
        info["metrics"] |= metrics
        self._write(info)

    def save(self, name: str, table: pd.DataFrame) -> Path:
        """A table of this run as <name>.csv in its folder."""
        path = self.path / f"{name}.csv"
        table.to_csv(path, index=False)
        return path

    def file(self, name: str) -> Path:
        """A path in this run's folder, e.g. for a figure or an adapter."""
        return self.path / name


def start_run(notebook: str, settings: Settings, *, model: str, **config) -> Run:
    """A new folder reports/runs/<YYYYmmdd-HHMMSS>-<notebook>/ with its run.json."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RUNS_DIR / f"{stamp}-{notebook}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = RUNS_DIR / f"{stamp}-{notebook}-{suffix}"
    path.mkdir(parents=True)
    run = Run(path)
    run._write(
        {
            "notebook": notebook,
            "started": datetime.now().isoformat(timespec="seconds"),
            "commit": git_commit(),
            "model": model,
            "device": pick_device(settings.device),
            "seed": settings.seed,
            "quick_mode": settings.ci,
            "versions": {
                "python": platform.python_version(),
                "torch": torch.__version__,
                "transformers": transformers.__version__,
            },
            "settings": settings.model_dump(mode="json", exclude={"llm_api_key"}),
            "config": config,
            "metrics": {},
        }
    )
    return run


def compare_runs(notebook: str | None = None) -> pd.DataFrame:
    """One row per kept run (newest last): run, commit, model, device, seed, then its metrics."""
    rows = []
    for path in sorted(RUNS_DIR.glob("*/run.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        if notebook and info["notebook"] != notebook:
            continue
        keep = ("notebook", "commit", "model", "device", "seed", "quick_mode")
        rows.append({"run": path.parent.name} | {k: info.get(k) for k in keep} | info["metrics"])
    return pd.DataFrame(rows)
