"""The records every stage passes on: what was fetched (Page) and what was understood (Article).

Every field is typed and lists are never None. ``Article.to_dict()`` / ``Article.from_dict()`` give a lossless
JSON round-trip with the field names of DESIGN.md section 3; datetimes travel as ISO 8601 with their offset.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

PageKind = Literal["html", "text"]

EXTRACTOR_NAME = "diemtin"
EXTRACTOR_VERSION = "0.1.0"


@dataclass(slots=True)
class Page:
    """One fetched or loaded document, before anything is understood about it."""

    content: bytes
    kind: PageKind
    url: str | None = None
    fetched_at: datetime | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    origin: str | None = None  # file path, "warc-path#offset" or the URL it was crawled from

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(slots=True)
class Image:
    url: str
    caption: str | None = None


@dataclass(slots=True)
class Link:
    """A furniture link found on the page (same-section, most read, related), kept apart from the body."""

    title: str
    url: str | None = None
    date: str | None = None  # as shown, e.g. "19/07"
    kind: str = "related"  # same-section | most-read | related | more


@dataclass(slots=True)
class Provenance:
    input: str | None = None  # the path or URL the page was read from
    input_kind: str = "html"  # html | text
    input_hash: str = ""
    extractor: str = EXTRACTOR_NAME
    extractor_version: str = EXTRACTOR_VERSION
    profile: str | None = None  # site profile used, if any
    page_type: str = "article"  # article | listing (a section, home or tag page: links, not an article)
    fetched_at: datetime | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Article:
    """An understood news article: the one record that flows from extract to store, serve and export."""

    id: str = ""
    url: str | None = None
    site: str | None = None
    outlet: str | None = None
    section: str | None = None
    section_path: list[str] = field(default_factory=list)
    category: str | None = None
    title: str = ""
    lead: str = ""
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)

    def compute_id(self) -> str:
        """Hash of the canonical URL, or of title + published + body for a URL-less dump."""
        if self.url:
            basis = self.url
        else:
            when = self.published.isoformat() if self.published else ""
            basis = "\n".join([self.title, when, *self.body])
        return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]

    @property
    def text(self) -> str:
        """Title, lead and body as one plain text (for keys, search and classification)."""
        return "\n".join(part for part in [self.title, self.lead, *self.body] if part)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("published", "modified"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        fetched = self.provenance.fetched_at
        data["provenance"]["fetched_at"] = fetched.isoformat() if fetched else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for name in ("published", "modified"):
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        values["images"] = [Image(**image) for image in values.get("images") or []]
        values["related"] = [Link(**link) for link in values.get("related") or []]
        provenance = dict(values.get("provenance") or {})
        if provenance.get("fetched_at"):
            provenance["fetched_at"] = datetime.fromisoformat(provenance["fetched_at"])
        values["provenance"] = Provenance(**provenance)
        return cls(**values)
