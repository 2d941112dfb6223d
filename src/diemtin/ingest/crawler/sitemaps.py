"""XML sitemaps: sitemap indexes (child sitemaps) and URL sets, Google News sitemaps included, gzip or plain.

Parsed with lxml with entity resolution and network access off; a gzip'd sitemap is inflated up to a cap.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from diemtin.ingest.crawler.canonical import canonical_url
from diemtin.ingest.crawler.feeds import Found

MAX_INFLATED = 50 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


@dataclass(slots=True)
class Sitemap:
    children: list[str] = field(default_factory=list)  # sitemaps of a sitemap index, newest lastmod first
    urls: list[Found] = field(default_factory=list)


def _inflate(content: bytes) -> bytes:
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = inflater.decompress(content, MAX_INFLATED)
    if inflater.unconsumed_tail:
        raise ValueError(f"gzip'd sitemap inflates past {MAX_INFLATED} bytes")
    return data


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2] if isinstance(tag, str) else ""


def parse_sitemap(content: bytes, base_url: str) -> Sitemap:
    """Child sitemaps and page URLs (with news:publication_date or lastmod) of one sitemap document."""
    root = etree.fromstring(_inflate(content), _PARSER)
    result = Sitemap()
    if root is None:
        return result
    index = _local(root.tag) == "sitemapindex"
    dated: list[Found] = []
    for node in root:
        values = {_local(child.tag): (child.text or "").strip() for child in node.iter()}
        loc = values.get("loc")
        url = canonical_url(loc, base_url) if loc else None
        if not url:
            continue
        found = Found(url, _date(values.get("publication_date") or values.get("lastmod")))
        (dated if index else result.urls).append(found)
    oldest = datetime.min.replace(tzinfo=UTC)
    result.children = [f.url for f in sorted(dated, key=lambda f: f.published or oldest, reverse=True)]
    return result
