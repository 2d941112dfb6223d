"""Listing, section and home pages are told apart from articles; the pipeline stores no article for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from diemtin.article import Page
from diemtin.extract import extract
from diemtin.ingest.files import iter_pages
from diemtin.ingest.pipeline import NothingExtracted, understand

pytestmark = pytest.mark.shared


def _pages(shared: Path, pattern: str) -> list[Path]:
    found = sorted(shared.glob(pattern))
    assert found, pattern
    return found


@pytest.mark.parametrize(
    "pattern",
    [
        "corpus/html/*/*_list.html",
        "corpus/html/*/*home*.html",
        "corpus/dumps/*_list.txt",
        "corpus/dumps/*home*.txt",
    ],
)
def test_listing_pages_are_listings(shared: Path, pattern: str) -> None:
    for path in _pages(shared, pattern):
        article = extract(path.read_bytes())
        assert article.provenance.page_type == "listing", path.name


@pytest.mark.parametrize(
    "pattern", ["corpus/html/*/*_article.html", "corpus/dumps/*_article.txt", "seed/*.txt"]
)
def test_article_pages_are_articles(shared: Path, pattern: str) -> None:
    for path in _pages(shared, pattern):
        assert extract(path.read_bytes()).provenance.page_type == "article", path.name


def test_pipeline_refuses_a_listing(shared: Path) -> None:
    listing = _pages(shared, "corpus/html/*/*_list.html")[0]
    page = next(iter(iter_pages([listing])))
    assert isinstance(page, Page)
    with pytest.raises(NothingExtracted, match="listing"):
        understand(page)
