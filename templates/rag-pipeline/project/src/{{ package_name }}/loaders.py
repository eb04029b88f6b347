"""Read Markdown, plain text, HTML and PDF into (title, sections); refuse what can't be read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# Bump when a change here reads the same file differently (text, title, sections): `rag status` then
# says the index is out of date and `rag ingest` reloads every file.
VERSION = 1

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


# fmt: off
_DROP_TAGS = ["script", "style", "noscript", "template", "svg", "form", "button", "iframe",
              "nav", "header", "footer", "aside"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"address", "article", "blockquote", "br", "caption", "dd", "details", "dialog", "div",
           "dl", "dt", "fieldset", "figcaption", "figure", "hr", "li", "main", "ol", "p",
           "section", "summary", "table", "tbody", "tfoot", "thead", "ul"}
# fmt: on
_MARKERS = str.maketrans("", "", "¶§")  # permalink anchors next to headings


def _html(path: Path, data: bytes) -> LoadedDocument:
    """Main content by structure: <main>/role=main/<article> if present; navigation, banners,
    asides and blocks that are nothing but links (menus, breadcrumbs, prev/next) dropped;
    definition lists, tables (one row a line, cells joined by ' | ') and code kept."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": True}):
        if not tag.decomposed and tag.get("role") in _DROP_ROLES:
            tag.decompose()
    root = (
        soup.find("main")
        or soup.find(attrs={"role": "main"})
        or soup.find("article")
        or soup.body
        or soup
    )
    for tag in root.find_all(["ul", "ol", "table", "div", "p"]):
        if not tag.decomposed and _link_only(tag):
            tag.decompose()

    sections: list[Section] = []
    state = {"heading": "", "parts": [], "inline": []}

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(state["inline"]).translate(_MARKERS)).strip()
        if text:
            state["parts"].append(text)
        state["inline"] = []

    def walk(element) -> None:
        for child in element.children:
            name = getattr(child, "name", None)
            if name is None:
                if type(child).__name__ == "NavigableString":  # not comments, CDATA, doctype
                    state["inline"].append(str(child))
            elif name in _HEADINGS:
                flush()
                sections.append(Section(state["heading"], "\n\n".join(state["parts"])))
                state["heading"] = re.sub(r"\s+", " ", child.get_text().translate(_MARKERS))
                state["heading"], state["parts"] = state["heading"].strip(), []
            elif name == "pre":
                flush()
                code = child.get_text().strip("\n")
                if code.strip():
                    state["parts"].append(code)
            elif name == "tr":
                flush()
                cells = [
                    re.sub(r"\s+", " ", c.get_text()).strip()
                    for c in child.find_all(["td", "th"], recursive=False)
                ]
                if any(cells):
                    state["parts"].append(" | ".join(cells))
            elif name in _BLOCKS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(root)
    flush()
    sections.append(Section(state["heading"], "\n\n".join(state["parts"])))
    h1 = root.find("h1") or soup.find("h1")
    title = h1.get_text(" ", strip=True).translate(_MARKERS).strip() if h1 else ""
    if not title and soup.title:
        title = soup.title.get_text(" ", strip=True)
    return LoadedDocument(title or path.stem, sections)


def _link_only(tag) -> bool:
    """A menu, breadcrumb trail or prev/next bar: (almost) all of its text is link text."""
    if tag.find("pre"):
        return False
    text = re.sub(r"\s+", "", tag.get_text())
    if not text:
        return False
    linked = sum(len(re.sub(r"\s+", "", a.get_text())) for a in tag.find_all("a"))
    return linked >= 0.8 * len(text.translate(_MARKERS))


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
