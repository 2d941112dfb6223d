"""Outlet profiles: one declarative TOML file per outlet, loaded into SiteProfile records.

Profiles ship in this folder; a user adds or overrides one by dropping ``<key>.toml`` into
``<data dir>/sites/``. Code reads profiles and never branches on an outlet's name. The TOML layout:

    key = "vnexpress"                 # file stem by default
    name = "VnExpress"                # display name of the outlet
    aliases = ["VNE"]                 # other names it is credited under ("Theo NLĐ"); case and marks aside
    domains = ["vnexpress.net"]       # the host and its subdomains match

    [extract]                         # CSS selectors; any may be left out
    title = "h1.title-detail"
    lead = "p.description"
    body = "article.fck_detail"
    authors = "p.author_mail strong"
    published = "span.date"
    section = "ul.breadcrumb li a"
    tags = "div.tags a"
    captions = "figcaption"
    source = "p.source"
    drop = [".box_comment", "#box_tinlienquan"]

    [categories]                      # URL path prefix or section label -> taxonomy key (DESIGN.md section 5)
    "thoi-su" = "thoi-su"
    "thoi-su/phap-luat" = "phap-luat"

    [discovery]
    feeds = ["https://vnexpress.net/rss/tin-moi-nhat.rss"]
    sitemaps = ["https://vnexpress.net/google-news-sitemap.xml"]
    listings = ["https://vnexpress.net/thoi-su"]
    listing_links = "h3.title-news a"   # the main list on a listing page (generic finder when absent)
    article_url = '-\\d{7}\\.html$'      # regex an article URL matches
    schedule_minutes = 15
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from diemtin.textnorm import fold

PROFILE_DIR = Path(__file__).parent
_NAME_CHARS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class ExtractRules:
    title: str | None = None
    lead: str | None = None
    body: str | None = None
    authors: str | None = None
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    tags: str | None = None
    captions: str | None = None
    source: str | None = None
    drop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Discovery:
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    listing_links: str | None = None
    article_url: str | None = None
    schedule_minutes: int = 30


@dataclass(frozen=True, slots=True)
class SiteProfile:
    key: str
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    extract: ExtractRules = field(default_factory=ExtractRules)
    categories: dict[str, str] = field(default_factory=dict)
    discovery: Discovery = field(default_factory=Discovery)
    path: Path | None = None

    def matches(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_article_url(self, url: str) -> bool:
        """Whether a URL has the shape of this outlet's article pages (True when no pattern is known)."""
        pattern = self.discovery.article_url
        return not pattern or re.search(pattern, url) is not None

    def category_for(self, url: str | None = None, section: str | None = None) -> str | None:
        """Taxonomy key from the longest matching URL-path prefix, else from the section label."""
        if url:
            path = urlsplit(url).path.strip("/").lower()
            best: tuple[int, str] | None = None
            for prefix, key in self.categories.items():
                prefix = prefix.strip("/").lower()
                matches = prefix and (path == prefix or path.startswith(prefix + "/"))
                if matches and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), key)
            if best:
                return best[1]
        if section:
            return self.categories.get(section) or self.categories.get(section.lower())
        return None


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def parse_profile(data: dict[str, Any], key: str, path: Path | None = None) -> SiteProfile:
    """Build a SiteProfile from parsed TOML; raises ValueError naming the file on a bad layout."""
    try:
        rules = dict(data.get("extract") or {})
        rules["drop"] = _tuple(rules.get("drop"))
        disc = dict(data.get("discovery") or {})
        for name in ("feeds", "sitemaps", "listings"):
            disc[name] = _tuple(disc.get(name))
        return SiteProfile(
            key=str(data.get("key") or key),
            name=str(data.get("name") or key),
            domains=tuple(d.lower() for d in _tuple(data.get("domains"))),
            aliases=_tuple(data.get("aliases")),
            extract=ExtractRules(**rules),
            categories={str(k): str(v) for k, v in (data.get("categories") or {}).items()},
            discovery=Discovery(**disc),
            path=path,
        )
    except TypeError as exc:
        raise ValueError(f"{path or key}: unknown or malformed profile field ({exc})") from exc


def load_profile(path: Path) -> SiteProfile:
    with path.open("rb") as handle:
        return parse_profile(tomllib.load(handle), path.stem, path)


@cache
def load_profiles(extra_dir: Path | None = None) -> tuple[SiteProfile, ...]:
    """Every shipped profile, then those of ``extra_dir`` (a user's profile replaces a shipped one by key)."""
    by_key: dict[str, SiteProfile] = {}
    dirs = [PROFILE_DIR] + ([extra_dir] if extra_dir and extra_dir.is_dir() else [])
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            profile = load_profile(path)
            by_key[profile.key] = profile
    return tuple(by_key.values())


def outlet_name(credited: str, extra_dir: Path | None = None) -> str:
    """The display name of the outlet a credit names ("Theo NLĐ", "VietnamNet"), matching a profile's name or
    aliases whatever the case, marks and spacing; the credit as printed when no profile knows it."""
    return _outlet_names(extra_dir).get(_name_key(credited), credited)


@cache
def _outlet_names(extra_dir: Path | None) -> dict[str, str]:
    return {
        _name_key(printed): profile.name
        for profile in load_profiles(extra_dir)
        for printed in (profile.name, *profile.aliases)
    }


def _name_key(name: str) -> str:
    return "".join(_NAME_CHARS.findall(fold(name)))


def profile_for(url: str | None, extra_dir: Path | None = None) -> SiteProfile | None:
    """The profile whose domains match the URL's host, if any."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    for profile in load_profiles(extra_dir):
        if profile.matches(host):
            return profile
    return None
