"""The one storage interface every backend implements (SQLite by default, PostgreSQL to scale).

``serve/`` and ``export`` read only through this interface; ``ingest`` writes only through it. A backend
knows nothing of HTML: it stores Articles and the grouping facts (duplicate copies, story ids) computed in
``group/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
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
    newest_first: bool = False  # the matches by date, newest first, instead of by relevance


@dataclass(slots=True)
class SearchResult:
    total: int  # the number of matches when total_exact, else the search stopped counting: there are more
    hits: list[StoredArticle]
    total_exact: bool = True


class DatabaseLost(Exception):
    """The database stopped answering in the middle of a run (its server went away, the connection broke):
    every later write would fail too. What was committed before is kept; the message (one line) says why."""


@dataclass(slots=True)
class StoreStats:
    """What a store holds, in figures (``diemtin stats``)."""

    articles: int
    copies: dict[str, int]  # pages folded into an article, by how they were found (same-page, exact, near...)
    earlier_versions: int  # revisions kept besides the shown version of each article
    stories: int
    shared_stories: int  # stories told by two outlets or more
    first: datetime | None  # the oldest and newest article's time (published, else stored)
    last: datetime | None


@dataclass(slots=True)
class UpsertResult:
    article_id: str
    status: str  # new | revised | unchanged | duplicate
    story_id: str


class Store(Protocol):
    """What every backend offers. Lists of articles are newest first (by published time, else ingest time)
    unless said otherwise; an article's duplicates never appear on their own, only in its ``copies``."""

    def add(self, article: Article) -> UpsertResult:
        """Store one article idempotently: new, a revision of a known URL, unchanged, or a duplicate copy.

        Atomic: committed on return, or (inside ``batch()``) with the batch's next commit."""

    def add_copies(self, article_id: str, copies: Sequence[Copy]) -> int:
        """Record pages that collapsed into a stored article elsewhere (the ``copies`` of an imported
        export); how many were not recorded before."""

    def batch(self) -> AbstractContextManager[None]:
        """Group this thread's writes into few commits (a bulk ingest); each add stays atomic, and a crash
        loses at most the writes since the last commit (a re-run redoes them)."""
        ...

    def get(self, article_id: str) -> StoredArticle | None:
        """The article with this id (also found by the id of a URL-less dump that collapsed into it)."""

    def latest(
        self, *, category: str | None = None, outlet: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[StoredArticle]: ...

    def count(self, *, category: str | None = None, outlet: str | None = None) -> int: ...

    def story(self, story_id: str) -> list[StoredArticle]:
        """Every article of one story, oldest first."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Accent- and case-insensitive full text ("quoted phrases" kept), filtered; ranked by relevance
        weighted by recency; with no text, the filtered articles newest first. ``total``: all matches,
        or, with ``total_exact`` False, how far a broad query was counted (there are more matches)."""

    def record_view(self, article_id: str, at: datetime | None = None) -> None:
        """Count one reader view (ignored for an unknown id)."""

    def record_views(self, views: Sequence[tuple[str, datetime]]) -> None:
        """Count many reader views, (article id, when) each, at once (unknown ids ignored)."""

    def most_read(self, *, since: datetime, limit: int = 10) -> list[StoredArticle]:
        """Articles with the most views recorded since ``since``, most first (``views``: all-time count)."""

    def forget_views(self, before: datetime) -> int:
        """Drop the dated views older than ``before`` (the all-time counts stay); how many were dropped."""

    def categories(self) -> list[tuple[str, int]]:
        """(category key, article count), largest first."""

    def outlets(self) -> list[tuple[str, int]]:
        """(outlet name, article count), largest first."""

    def iter_all(self) -> Iterator[StoredArticle]:
        """Every article, in insertion order (for export)."""

    def regroup_stories(
        self, since: datetime | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Re-cluster the stories of the stored articles (published since `since`); how many changed story."""

    def top_stories(self, *, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """(story id, outlets) of the stories that two outlets or more reported since ``since``, the most
        outlets first, then the most recent: an aggregator's top stories."""

    def stats(self) -> StoreStats:
        """Counts of articles, copies, kept versions and stories, and the time span of the articles."""

    def last_modified(self) -> datetime | None:
        """When anything was last added or changed (for HTTP caching), None for an empty store."""

    def close(self) -> None: ...
