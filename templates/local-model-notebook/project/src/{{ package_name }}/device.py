"""Device selection (CUDA, Apple MPS, CPU) and seeding for reproducible runs."""

import torch
from transformers import set_seed

DEVICES = ("auto", "cpu", "cuda", "mps")


def pick_device(preferred: str = "auto") -> str:
    """Return the best available device, or `preferred` when it is available."""
    if preferred not in DEVICES:
        raise ValueError(f"DEVICE must be one of {', '.join(DEVICES)}, not {preferred!r}")
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
        "cpu": True,
    }
    if preferred == "auto":
        return next(name for name, ok in available.items() if ok)
    if not available[preferred]:
        raise ValueError(f"DEVICE={preferred}, but no {preferred} device is visible: use auto")
    return preferred


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (all devices)."""
    set_seed(seed)
