"""Page -> Article: detects whether a page is HTML or a raw text dump and runs the matching path.

``extract(data, url)`` is the public one-page API; ``extract_page(page)`` is what the pipeline stages call.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from diemtin.article import Article, Page, PageKind
from diemtin.extract.html import extract_html
from diemtin.extract.sniff import decode, detect_kind
from diemtin.extract.text import extract_text

# Text dumps larger than this are cut at a line end before the text path reads them (a warning says so); real
# dumps are under 100 KB, and the line classifier's work grows with the text. HTML is capped in html.py.
MAX_TEXT_BYTES = 2 * 1024 * 1024


def extract_page(page: Page) -> Article:
    """Run the HTML or the text path on one page; never raises on bad content (warnings go to provenance)."""
    if page.kind == "html":
        return extract_html(page)
    if len(page.content) <= MAX_TEXT_BYTES:
        return extract_text(page)
    cut = page.content.rfind(b"\n", 0, MAX_TEXT_BYTES) + 1 or MAX_TEXT_BYTES
    article = extract_text(replace(page, content=page.content[:cut]))
    article.provenance.warnings.append(f"text dump of {len(page.content)} bytes cut to the first {cut}")
    article.provenance.input_hash = page.content_hash
    return article


def extract(
    data: str | bytes,
    url: str | None = None,
    *,
    kind: PageKind | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """Extract one article from an HTML page or a text dump, the kind detected from the content."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    detected: PageKind = "html" if detect_kind(raw) == "html" else "text"
    page = Page(content=raw, kind=kind or detected, url=url, fetched_at=fetched_at, origin=url)
    return extract_page(page)


__all__ = ["decode", "detect_kind", "extract", "extract_page"]
