"""Reusable code for the notebooks: backends, device and seeding, models, embeddings, evaluation."""

from .backends import (
    Backend,
    BackendUnavailable,
    Generation,
    TransformersBackend,
    chat_messages,
    open_backend,
    open_backends,
)
from .config import DATA_DIR, FIGURES_DIR, MODELS_DIR, PROJECT_ROOT, Settings, get_settings
from .device import pick_device, seed_everything

__all__ = [
    "DATA_DIR",
    "FIGURES_DIR",
    "MODELS_DIR",
    "PROJECT_ROOT",
    "Backend",
    "BackendUnavailable",
    "Generation",
    "Settings",
    "TransformersBackend",
    "chat_messages",
    "get_settings",
    "open_backend",
    "open_backends",
    "pick_device",
    "seed_everything",
]
