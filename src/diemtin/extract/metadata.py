"""Structured metadata of a page: JSON-LD (NewsArticle, BreadcrumbList), OpenGraph, article:* and itemprop.

These are the first layer of the HTML path: machine-readable values that the visible page then confirms or
overrides. Nothing here raises on broken markup or broken JSON; problems become warnings.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from diemtin.extract.dates import parse_machine_date
from diemtin.textnorm import clean

# JSON-LD @type values that describe an article page.
ARTICLE_TYPES: frozenset[str] = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "webpage",
    }
)

# Breadcrumb labels that name the home page rather than a section.
HOME_LABELS: frozenset[str] = frozenset({"trang chủ", "trang chu", "home", "homepage", "tin tức", "báo"})

_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+\d*);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(slots=True)
class PageMetadata:
    """What a page says about itself in machine-readable form. Strings are already cleaned for display."""

    canonical: str | None = None
    og_url: str | None = None
    title: str | None = None  # og:title
    headline: str | None = None  # JSON-LD headline
    html_title: str | None = None  # <title>
    description: str | None = None
    site_name: str | None = None
    section: str | None = None  # article:section / JSON-LD articleSection
    breadcrumb: list[tuple[str, str | None]] = field(default_factory=list)  # (label, url), home left out
    authors: list[str] = field(default_factory=list)  # JSON-LD / meta persons (organisations left out)
    published: list[datetime] = field(default_factory=list)  # machine values, most trusted first
    modified: list[datetime] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    is_article: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        return self.canonical or self.og_url


def _unescape(text: str) -> str:
    """Decode HTML entities, twice when a CMS escaped them twice ("Chi&amp;#7871;n")."""
    for _ in range(3):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str):
        return None
    return clean(_unescape(value)) or None


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document (top level, @graph, nested lists), outermost first."""
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _walk(graph)


def _load_json(raw: str, warnings: list[str]) -> Any:
    raw = raw.strip()
    if not raw:
        return None
    if raw.startswith("<!--"):
        raw = raw.removeprefix("<!--").removesuffix("-->").strip()
    try:
        return json.loads(raw, strict=False)
    except RecursionError:  # nested deeper than Python can read: a hostile page, nothing to repair
        warnings.append("JSON-LD block nested too deep, skipped")
        return None
    except ValueError:
        pass
    repaired = re.sub(r",\s*([}\]])", r"\1", _CONTROL.sub(" ", raw))
    try:
        return json.loads(repaired, strict=False)
    except ValueError:
        warnings.append("unreadable JSON-LD block skipped")
        return None


def _persons(value: Any) -> list[str]:
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            name = clean(_unescape(item))
        elif isinstance(item, dict) and "organization" not in _types(item):
            name = _text(item.get("name")) or ""
        else:
            continue
        if name and name not in names:
            names.append(name)
    return names


def _keywords(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    found: list[str] = []
    for item in items:
        word = clean(_unescape(str(item)))
        if word and word not in found:
            found.append(word)
    return found


def _breadcrumb(node: dict[str, Any]) -> list[tuple[str, str | None]]:
    entries: list[tuple[int, str, str | None]] = []
    items = node.get("itemListElement") or []
    flat: list[Any] = []
    for item in items if isinstance(items, list) else [items]:
        flat.extend(item if isinstance(item, list) else [item])
    for order, item in enumerate(flat):
        if not isinstance(item, dict):
            continue
        target = item.get("item")
        label = _text(item.get("name")) or (_text(target) if isinstance(target, dict) else None)
        url = target if isinstance(target, str) else (target.get("@id") if isinstance(target, dict) else None)
        position = item.get("position")
        rank = int(position) if isinstance(position, int | str) and str(position).isdigit() else order
        if label:
            entries.append((rank, label, url))
    entries.sort(key=lambda e: e[0])
    return [(label, url) for _, label, url in entries if label.lower() not in HOME_LABELS]


def _add_date(target: list[datetime], raw: Any) -> None:
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    value = parse_machine_date(raw) if isinstance(raw, str) else None
    if value is not None:
        target.append(value)


def _read_jsonld(tree: LexborHTMLParser, meta: PageMetadata) -> None:
    for script in tree.css('script[type="application/ld+json"]'):
        for node in _walk(_load_json(script.text(deep=True), meta.warnings)):
            kinds = _types(node)
            if "breadcrumblist" in kinds:
                if not meta.breadcrumb:
                    meta.breadcrumb = _breadcrumb(node)
                continue
            if not kinds & ARTICLE_TYPES:
                continue
            article = bool(kinds - {"webpage"})
            meta.is_article = meta.is_article or article
            if not article and meta.headline:
                continue
            meta.headline = meta.headline or _text(node.get("headline")) or _text(node.get("name"))
            meta.description = meta.description or _text(node.get("description"))
            meta.section = meta.section or _text(node.get("articleSection"))
            if not meta.authors:
                meta.authors = _persons(node.get("author"))
            _add_date(meta.published, node.get("datePublished"))
            _add_date(meta.modified, node.get("dateModified"))
            if not meta.keywords and node.get("keywords"):
                meta.keywords = _keywords(node.get("keywords"))
            publisher = node.get("publisher")
            if not meta.site_name and isinstance(publisher, dict):
                meta.site_name = _text(publisher.get("name"))


def read_metadata(tree: LexborHTMLParser) -> PageMetadata:
    """JSON-LD first, then OpenGraph / article:* / itemprop / plain meta tags for what JSON-LD left empty."""
    meta = PageMetadata()
    _read_jsonld(tree, meta)
    props: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        name = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        content = attrs.get("content")
        if name and content and name not in props:
            props[name] = content
    link = tree.css_first('link[rel="canonical"]')
    href = link.attributes.get("href") if link is not None else None
    meta.canonical = href.strip() if href and href.strip().startswith("http") else None
    og_url = props.get("og:url", "").strip()
    meta.og_url = og_url if og_url.startswith("http") else None
    meta.title = _text(props.get("og:title")) or _text(props.get("twitter:title"))
    title_node = tree.css_first("title")
    meta.html_title = clean(title_node.text(deep=True)) if title_node is not None else None
    meta.description = (
        _text(props.get("og:description")) or _text(props.get("description")) or meta.description
    )
    meta.site_name = _text(props.get("og:site_name")) or meta.site_name
    meta.section = meta.section or _text(props.get("article:section"))
    if not meta.authors:
        meta.authors = [a for a in [_text(props.get("article:author")), _text(props.get("author"))] if a][:1]
        meta.authors = [a for a in meta.authors if not a.startswith("http")]
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate", "dc.date.issued"):
        _add_date(meta.published, props.get(key))
    for key in ("article:modified_time", "datemodified", "og:updated_time", "lastmod"):
        _add_date(meta.modified, props.get(key))
    if not meta.keywords:
        meta.keywords = _keywords(props.get("news_keywords") or props.get("keywords"))
    html_node = tree.css_first("html")
    lang = html_node.attributes.get("lang") if html_node is not None else None
    meta.language = (lang or props.get("og:locale") or "").split("-")[0].split("_")[0].lower() or None
    meta.is_article = meta.is_article or props.get("og:type", "").lower() == "article"
    return meta
