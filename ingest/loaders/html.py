"""HTML: visible text only, headings kept as Markdown headings."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from ingest.documents import LoadedDocument, PageText

_INVISIBLE = ["script", "style", "noscript", "template", "head", "svg", "iframe", "nav", "footer"]
_BLOCKS = ["p", "div", "li", "tr", "br", "section", "article", "table", "dd", "dt", "blockquote"]


def load_html(path: Path, data: bytes) -> LoadedDocument:
    """Strip tags and scripts; `<h1>`..`<h6>` become `#` headings so the chunker sees structure."""
    soup = BeautifulSoup(data, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for tag in soup.find_all(_INVISIBLE):
        tag.decompose()
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n\n{'#' * level} {heading.get_text(' ', strip=True)}\n\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    if not title:
        first = next((ln[2:] for ln in lines if ln.startswith("# ")), "")
        title = first or path.stem
    return LoadedDocument(pages=[PageText(text.strip())], title=title)
