"""Structure-aware chunking: sections, then paragraphs, then sentences, packed by token count."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .loaders import Section

# Bump when a change here cuts the same file into other chunks: `rag status` then says the index is
# out of date and `rag ingest` re-chunks every file (unchanged chunk texts keep their embeddings).
VERSION = 1

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`\"(\[])")


@dataclass
class Chunk:
    position: int
    heading: str
    text: str


MODEL_MAX_TOKENS = 256  # all-MiniLM-L6-v2 truncates longer input, [CLS] and [SEP] included


@lru_cache
def tokenizer():
    """The bundled MiniLM WordPiece tokenizer: counts tokens without loading torch."""
    from tokenizers import Tokenizer

    from .embeddings import bundled_model_path

    tok = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    # tokenizer.json ships with padding to 128 and truncation on: both would falsify counts
    tok.no_padding()
    tok.no_truncation()
    return tok


def count_tokens(text: str) -> int:
    return len(tokenizer().encode(text, add_special_tokens=False).ids)


def split_tokens(text: str, max_tokens: int) -> list[str]:
    """Cut text into runs of at most max_tokens tokens, at word boundaries where possible."""
    encoding = tokenizer().encode(text, add_special_tokens=False)
    offsets, words = encoding.offsets, encoding.word_ids
    out, start = [], 0
    while start < len(offsets):
        end = min(start + max_tokens, len(offsets))
        if end < len(offsets):  # back off to the start of the word that would be cut
            cut = end
            while cut > start and words[cut] is not None and words[cut] == words[cut - 1]:
                cut -= 1
            end = cut if cut > start else end
        piece = text[offsets[start][0] : offsets[end - 1][1]].strip()
        if piece:
            out.append(piece)
        start = end
    return out


def _pieces(text: str, max_tokens: int) -> list[str]:
    """Paragraphs, with any paragraph over max_tokens cut into sentences, then words."""
    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if count_tokens(paragraph) <= max_tokens:
            out.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            if count_tokens(sentence) <= max_tokens:
                out.append(sentence)
                continue
            out.extend(split_tokens(sentence, max_tokens))
    return out


def _tail(text: str, overlap: int) -> str:
    """The last sentences of text that fit in `overlap` tokens."""
    if overlap <= 0:
        return ""
    tail = ""
    for sentence in reversed(_SENTENCE_END.split(text)):
        candidate = f"{sentence} {tail}".strip()
        if count_tokens(candidate) > overlap:
            break
        tail = candidate
    return tail


def chunk_sections(
    sections: list[Section], max_tokens: int = 200, overlap: int = 30
) -> list[Chunk]:
    """Pack each section's paragraphs into chunks of at most max_tokens; never cross a heading."""
    if max_tokens < 16 or not 0 <= overlap < max_tokens // 2:
        raise ValueError("CHUNK_TOKENS must be >= 16 and CHUNK_OVERLAP in [0, CHUNK_TOKENS/2)")
    chunks: list[Chunk] = []
    for section in sections:
        current, size = [], 0
        for piece in _pieces(section.text, max_tokens - overlap):
            n = count_tokens(piece)
            if current and size + n > max_tokens:
                text = "\n\n".join(current)
                chunks.append(Chunk(len(chunks), section.heading, text))
                tail = _tail(text, overlap)
                current, size = ([tail] if tail else []), count_tokens(tail) if tail else 0
            current.append(piece)
            size += n
        if current:
            chunks.append(Chunk(len(chunks), section.heading, "\n\n".join(current)))
    return chunks
