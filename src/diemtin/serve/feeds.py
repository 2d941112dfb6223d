"""RSS 2.0 and Atom 1.0 documents for a list of articles (front page, a category, a search).

Built with ElementTree, so every string is escaped; characters XML cannot carry are dropped first.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from diemtin.article import Article
from diemtin.serve.present import byline, category_name
from diemtin.serve.sanitize import xml_text

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"  # dc:creator: RSS 2.0's <author> must be an e-mail address
GENERATOR = "diemtin"
RSS_MEDIA_TYPE = "application/rss+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"


@dataclass(slots=True)
class FeedEntry:
    article: Article
    link: str  # absolute URL of the article page on this site


@dataclass(slots=True)
class Feed:
    title: str
    link: str  # absolute URL of the HTML page the feed mirrors
    self_link: str  # absolute URL of the feed itself
    description: str
    updated: datetime | None
    entries: list[FeedEntry]


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _rfc822(when: datetime) -> str:
    return format_datetime(_utc(when).replace(microsecond=0), usegmt=True)


def _rfc3339(when: datetime) -> str:
    return _utc(when).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: xml_text(value) for key, value in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _summary(article: Article) -> str:
    return article.lead or (article.body[0] if article.body else "")


def _updated(feed: Feed) -> datetime:
    moments = [e.article.modified or e.article.published for e in feed.entries]
    known = [_utc(m) for m in moments if m is not None]
    if feed.updated is not None:
        known.append(_utc(feed.updated))
    return max(known) if known else datetime(1970, 1, 1, tzinfo=UTC)


def rss(feed: Feed) -> bytes:
    """The feed as RSS 2.0 (with an atom:link to itself, as validators ask); each item's credit, "Tuấn Anh
    (VietNamNet)", is its dc:creator."""
    ET.register_namespace("atom", ATOM_NS)
    ET.register_namespace("dc", DC_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", feed.title)
    _sub(channel, "link", feed.link)
    _sub(channel, "description", feed.description)
    _sub(channel, "language", "vi")
    _sub(channel, "generator", GENERATOR)
    _sub(channel, "lastBuildDate", _rfc822(_updated(feed)))
    _sub(channel, f"{{{ATOM_NS}}}link", href=feed.self_link, rel="self", type=RSS_MEDIA_TYPE)
    for entry in feed.entries:
        article = entry.article
        item = _sub(channel, "item")
        _sub(item, "title", article.title)
        _sub(item, "link", entry.link)
        _sub(item, "guid", entry.link, isPermaLink="true")
        _sub(item, "description", _summary(article))
        if article.published is not None:
            _sub(item, "pubDate", _rfc822(article.published))
        if article.category:
            _sub(item, "category", category_name(article.category))
        credit = byline(article)
        if credit:
            _sub(item, f"{{{DC_NS}}}creator", credit.removeprefix("Theo "))
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def atom(feed: Feed) -> bytes:
    """The feed as Atom 1.0."""
    ET.register_namespace("", ATOM_NS)

    def tag(name: str) -> str:
        return f"{{{ATOM_NS}}}{name}"

    root = ET.Element(tag("feed"), {"xml:lang": "vi"})
    _sub(root, tag("title"), feed.title)
    _sub(root, tag("subtitle"), feed.description)
    _sub(root, tag("id"), feed.self_link)
    _sub(root, tag("updated"), _rfc3339(_updated(feed)))
    _sub(root, tag("link"), href=feed.link, rel="alternate", type="text/html")
    _sub(root, tag("link"), href=feed.self_link, rel="self", type=ATOM_MEDIA_TYPE)
    _sub(root, tag("generator"), GENERATOR)
    author = _sub(root, tag("author"))
    _sub(author, tag("name"), GENERATOR)
    for entry in feed.entries:
        article = entry.article
        element = _sub(root, tag("entry"))
        _sub(element, tag("title"), article.title)
        _sub(element, tag("id"), entry.link)
        _sub(element, tag("link"), href=entry.link, rel="alternate", type="text/html")
        published = article.published
        _sub(element, tag("updated"), _rfc3339(article.modified or published or _updated(feed)))
        if published is not None:
            _sub(element, tag("published"), _rfc3339(published))
        credit = byline(article)
        if credit:
            _sub(_sub(element, tag("author")), tag("name"), credit.removeprefix("Theo "))
        if article.category:
            _sub(element, tag("category"), term=article.category, label=category_name(article.category))
        _sub(element, tag("summary"), _summary(article), type="text")
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
