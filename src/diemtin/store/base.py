"""The one storage interface every backend implements (SQLite by default, PostgreSQL to scale).

``serve/`` and ``export`` read only through this interface; ``ingest`` writes only through it. A backend knows
nothing of HTML: it stores Articles and the grouping facts (duplicate copies, story ids) computed in ``group/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from diemtin.article import Article


@dataclass(slots=True)
class Copy:
    """One page that collapsed into a stored article as an exact or near duplicate."""

    input: str | None
    url: str | None
    outlet: str | None


@dataclass(slots=True)
class StoredArticle:
    article: Article
    story_id: str
    copies: list[Copy] = field(default_factory=list)
    revision: int = 1
    ingested_at: datetime | None = None
    views: int = 0


@dataclass(slots=True)
class SearchQuery:
    text: str = ""
    category: str | None = None
    outlet: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20
    offset: int = 0


@dataclass(slots=True)
class SearchResult:
    total: int
    hits: list[StoredArticle]


@dataclass(slots=True)
class UpsertResult:
    article_id: str
    status: str  # new | revised | unchanged | duplicate
    story_id: str


class Store(Protocol):
    def add(self, article: Article) -> UpsertResult:
        """Store one article idempotently: new, a revision of a known URL, unchanged, or a duplicate copy."""

    def get(self, article_id: str) -> StoredArticle | None: ...

    def latest(
        self, *, category: str | None = None, outlet: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[StoredArticle]: ...

    def count(self, *, category: str | None = None, outlet: str | None = None) -> int: ...

    def story(self, story_id: str) -> list[StoredArticle]: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def record_view(self, article_id: str, at: datetime | None = None) -> None: ...

    def most_read(self, *, since: datetime, limit: int = 10) -> list[StoredArticle]: ...

    def categories(self) -> list[tuple[str, int]]: ...

    def outlets(self) -> list[tuple[str, int]]: ...

    def iter_all(self) -> Iterator[StoredArticle]: ...

    def last_modified(self) -> datetime | None: ...

    def close(self) -> None: ...
