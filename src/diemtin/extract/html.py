"""HTML path (to be written): structured metadata, then the outlet's profile, then generic main content."""

from __future__ import annotations

from diemtin.article import Article, Page


def extract_html(page: Page) -> Article:
    raise NotImplementedError("HTML extraction is being written")
