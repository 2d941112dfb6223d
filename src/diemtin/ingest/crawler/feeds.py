"""RSS and Atom feeds (parsed by feedparser): the article links they list, with their dates when given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time

import feedparser

from diemtin.ingest.crawler.canonical import canonical_url


@dataclass(frozen=True, slots=True)
class Found:
    """An article URL found by discovery, with the publication date the source gave, if any."""

    url: str
    published: datetime | None = None


def _when(value: struct_time | None) -> datetime | None:
    return datetime(*value[:6], tzinfo=UTC) if value else None


def feed_entries(content: bytes, base_url: str) -> list[Found]:
    """The entries of an RSS/Atom document, canonical URLs in feed order (no network access)."""
    parsed = feedparser.parse(content, response_headers={"content-location": base_url})
    found: dict[str, Found] = {}
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (item.get("href") for item in entry.get("links", []) if item.get("href")), None
        )
        url = canonical_url(str(link), base_url) if link else None
        if url and url not in found:
            when = _when(entry.get("published_parsed") or entry.get("updated_parsed"))
            found[url] = Found(url, when)
    return list(found.values())
