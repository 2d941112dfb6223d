"""Article links on a listing page (a section front): the profile's ``listing_links`` selector when it has
one, else a generic finder that keeps same-site links shaped like article URLs outside menus, headers,
footers and asides. Hidden items (class ``hidden``/``d-none``, ``display:none``) are not shown, so they are
not taken.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from diemtin.ingest.crawler.canonical import canonical_url
from diemtin.sites import SiteProfile

# a last path segment shaped like a news article: a long hyphenated slug ending in an id or a page extension
GENERIC_ARTICLE = re.compile(
    r"/[^/]*[a-z0-9]+(?:-[a-z0-9]+){3,}[^/]*(?:\d{5,}|\.html?|\.chn|\.epi|\.ldo|\.vnp|\.aspx)$"
    r"|/\d{6,}(?:\.\w+)?$",
    re.IGNORECASE,
)
# page furniture the generic finder never looks inside
FURNITURE = (
    "header, nav, footer, aside, script, style, template,"
    " [role=navigation], [role=banner], [role=contentinfo]"
)
# class or id words of boxes that are furniture, not the listing (menus, most-read, sliders...)
FURNITURE_WORDS = frozenset(
    {
        "header", "footer", "nav", "navigation", "breadcrumb", "sidebar", "mostview", "tieudiem", "swiper",
        "slider", "video", "banner", "tag", "tags", "popup", "ads", "advertisement", "sponsor", "social",
        "share",
    }
)  # fmt: skip
_WORD_SPLIT = re.compile(r"[\s_-]+")
HIDDEN_CLASSES = frozenset({"hidden", "d-none", "hide", "is-hidden"})
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def _hidden(node: Node) -> bool:
    current: Node | None = node
    while current is not None and current.tag not in ("body", "html"):
        attrs = current.attributes
        if HIDDEN_CLASSES.intersection((attrs.get("class") or "").split()):
            return True
        if _DISPLAY_NONE.search(attrs.get("style") or "") or "hidden" in attrs:
            return True
        current = current.parent
    return False


def _in_furniture(node: Node) -> bool:
    current: Node | None = node.parent
    while current is not None and current.tag not in ("body", "html"):
        attrs = current.attributes
        words = _WORD_SPLIT.split(f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower())
        if any(word in FURNITURE_WORDS or "menu" in word for word in words):
            return True
        current = current.parent
    return False


def _same_site(url: str, base_url: str, profile: SiteProfile | None) -> bool:
    host = urlsplit(url).hostname or ""
    if profile is not None and profile.domains:
        return profile.matches(host)
    base = (urlsplit(base_url).hostname or "").removeprefix("www.")
    return host.removeprefix("www.") == base


def _anchors(nodes: list[Node]) -> list[Node]:
    found: list[Node] = []
    for node in nodes:
        found.extend([node] if node.tag == "a" else node.css("a[href]"))
    return found


def listing_links(html: bytes | str, base_url: str, profile: SiteProfile | None = None) -> list[str]:
    """Absolute canonical article URLs of the page's main listing, in page order, each once."""
    tree = HTMLParser(html)
    base = tree.css_first("base[href]")
    if base is not None:
        base_url = canonical_url(base.attributes.get("href") or "", base_url) or base_url
    rules = profile.discovery if profile else None
    pattern = re.compile(rules.article_url) if rules and rules.article_url else GENERIC_ARTICLE
    if rules and rules.listing_links:
        anchors = _anchors(tree.css(rules.listing_links))
    else:
        for node in tree.css(FURNITURE):
            node.decompose()
        anchors = [anchor for anchor in tree.css("a[href]") if not _in_furniture(anchor)]
    found: dict[str, None] = {}
    for anchor in anchors:
        href = anchor.attributes.get("href")
        url = canonical_url(href, base_url) if href and not href.startswith(("#", "javascript:")) else None
        if not url or url in found or not _same_site(url, base_url, profile):
            continue
        if pattern.search(urlsplit(url).path) and not _hidden(anchor):
            found[url] = None
    return list(found)


def page_url(html: bytes | str) -> str | None:
    """The URL a saved page declares for itself (``link rel=canonical``, else ``og:url``), if any."""
    tree = HTMLParser(html)
    for selector, attribute in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        value = canonical_url(node.attributes.get(attribute) or "") if node is not None else None
        if value:
            return value
    return None
