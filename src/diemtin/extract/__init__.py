"""Page -> Article: detects whether a page is HTML or a raw text dump and runs the matching path.

``extract(data, url)`` is the public one-page API; ``extract_page(page)`` is what the pipeline stages call.
"""

from __future__ import annotations

from datetime import datetime

from diemtin.article import Article, Page, PageKind
from diemtin.extract.guard import check_url, limit_nesting, limit_text_size
from diemtin.extract.html import extract_html
from diemtin.extract.sniff import decode, detect_kind
from diemtin.extract.text import extract_text


def extract_page(page: Page) -> Article:
    """Run the HTML or the text path on one page; never raises on bad content (warnings go to provenance)."""
    guarded, warnings = check_url(page)
    if page.kind == "html":
        guarded, more = limit_nesting(guarded)
        article = extract_html(guarded)
    else:
        guarded, more = limit_text_size(guarded)
        article = extract_text(guarded)
    if guarded is not page:
        article.provenance.warnings.extend(warnings + more)
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
