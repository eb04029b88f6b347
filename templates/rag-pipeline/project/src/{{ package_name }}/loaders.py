"""Read Markdown, plain text, HTML and PDF into (title, sections); refuse what can't be read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


class SkipFile(Exception):
    """This file is skipped; the message says why (one line)."""


@dataclass
class Section:
    heading: str
    text: str


@dataclass
class LoadedDocument:
    title: str
    sections: list[Section] = field(default_factory=list)


def load(path: Path, data: bytes) -> LoadedDocument:
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise SkipFile(f"unsupported file type '{path.suffix or path.name}'")
    if not data.strip():
        raise SkipFile("empty file")
    document = {"markdown": _markdown, "text": _text, "html": _html, "pdf": _pdf}[kind](path, data)
    document.sections = [s for s in document.sections if s.text.strip()]
    if not document.sections:
        raise SkipFile("no text found")
    return document


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise SkipFile("binary content")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not UTF-8 text (byte {exc.start})") from None


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _markdown(path: Path, data: bytes) -> LoadedDocument:
    title, heading, lines, sections, in_code = None, "", [], [], False
    for line in _decode(data).splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            sections.append(Section(heading, "\n".join(lines)))
            heading, lines = match.group(2), []
            if title is None and len(match.group(1)) == 1:
                title = heading
        else:
            lines.append(line)
    sections.append(Section(heading, "\n".join(lines)))
    return LoadedDocument(title or path.stem, sections)


def _text(path: Path, data: bytes) -> LoadedDocument:
    return LoadedDocument(path.stem, [Section("", _decode(data))])


def _html(path: Path, data: bytes) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    sections, heading, parts = [], "", []
    for tag in (soup.body or soup).find_all(["h1", "h2", "h3", "h4", "p", "li", "pre", "td"]):
        if tag.name in {"h1", "h2", "h3", "h4"}:
            sections.append(Section(heading, "\n\n".join(parts)))
            heading, parts = tag.get_text(" ", strip=True), []
            title = title or heading
        elif not tag.find_parent(["li", "td"]) or tag.name in {"li", "td"}:
            text = tag.get_text(" ", strip=True)
            if text:
                parts.append(text)
    sections.append(Section(heading, "\n\n".join(parts)))
    return LoadedDocument(title or path.stem, sections)


def _pdf(path: Path, data: bytes) -> LoadedDocument:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # we report one line per file instead
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SkipFile("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or path.stem
    except SkipFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SkipFile(f"unreadable PDF ({type(exc).__name__})") from None
    return LoadedDocument(title, [Section(f"page {i}", t) for i, t in enumerate(pages, 1)])
