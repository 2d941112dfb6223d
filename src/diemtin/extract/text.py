"""Text path (to be written): raw text dumps split into classified lines."""

from __future__ import annotations

from diemtin.article import Article, Page


def extract_text(page: Page) -> Article:
    raise NotImplementedError("text extraction is being written")
