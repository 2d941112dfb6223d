"""diemtin: the Vietnamese news round-up. Crawl, extract, normalise, group, store and serve news articles.

The one-call API: ``diemtin.extract(data, url=None) -> Article`` for a single page (HTML or raw text dump).
"""

from diemtin.article import Article, Image, Link, Page, Provenance
from diemtin.extract import extract

__all__ = ["Article", "Image", "Link", "Page", "Provenance", "extract"]
__version__ = "0.1.0"
