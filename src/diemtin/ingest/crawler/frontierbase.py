"""What a crawl frontier offers the crawl, whatever holds it: the ``CrawlFrontier`` protocol and its records,
and the validator table both backends keep alike.

Two backends implement it: ``frontier.Frontier`` (a SQLite file, one crawler process) and
``pgfrontier.PgFrontier`` (tables in the PostgreSQL article database, shared by many crawler processes).
``crawl.open_frontier`` picks one from the database URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol


class FrontierUnavailable(Exception):
    """The frontier cannot be opened; the message (one line) says why."""


@dataclass(frozen=True, slots=True)
class Entry:
    url: str
    host: str
    source: str | None
    attempts: int
    redirects: int


@dataclass(frozen=True, slots=True)
class Archived:
    """A page whose response is archived but which was not yet ingested."""

    url: str
    source: str | None
    warc: str


class CrawlFrontier(Protocol):
    """The crawl state: each URL moving queued -> claimed -> fetched -> done (or failed), plus the validators
    of feeds and sitemaps. Every method commits before it returns."""

    @property
    def lease(self) -> float | None:
        """Seconds after which a silent worker's claims count as lost, for a frontier many processes share
        (the crawl then looks for lost claims that often); None for a frontier of one process, whose
        ``recover`` runs once, before it claims anything."""
        ...

    @property
    def lost(self) -> bool:
        """Whether the frontier's database connection is gone (its server went away mid-crawl)."""
        ...

    def add(
        self, urls: Iterable[str], source: str | None = None, *, redirects: int = 0, now: float | None = None
    ) -> int:
        """Queue the canonical URLs not seen before; returns how many were new."""
        ...

    def ready_hosts(self, now: float | None = None) -> list[str]:
        """Hosts with a queued URL whose back-off has passed."""
        ...

    def next_ready_at(self) -> float | None:
        """When the earliest queued URL becomes fetchable (None when nothing is queued)."""
        ...

    def claim(self, host: str, now: float | None = None) -> Entry | None:
        """Take the next ready URL of ``host`` for this worker alone; None when nothing is ready."""
        ...

    def mark_fetched(self, url: str, status: int, warc: str, now: float | None = None) -> None:
        """The response is archived at ``warc``: one transaction records it and ends the claim."""
        ...

    def mark_done(
        self, url: str, reason: str | None = None, *, status: int | None = None, warc: str | None = None
    ) -> None:
        """The page went through extraction and ingest (or was skipped or redirected, for ``reason``)."""
        ...

    def mark_failed(self, url: str, reason: str, status: int | None = None, warc: str | None = None) -> None:
        """Give up on a URL for good (robots, 404, too large, retries exhausted...)."""
        ...

    def retry(self, url: str, not_before: float, reason: str) -> None:
        """Put a claimed URL back in the queue, not to be fetched before ``not_before``."""
        ...

    def claimed(self) -> list[Entry]:
        """The claims ``recover`` would take back (those no live worker holds)."""
        ...

    def recover(self, archived: dict[str, str] | None = None) -> list[Archived]:
        """Take back the lost claims: those in ``archived`` (url -> warc ref) become fetched, the others go
        back to the queue (their attempt not counted); returns the fetched pages left for this worker to
        ingest."""
        ...

    def oldest_claim(self) -> float | None:
        """When the oldest of the ``claimed()`` claims was made (None when there is none)."""
        ...

    def take_turn(self, host: str, delay: float, hold: float) -> float:
        """Take ``host``'s turn among every worker of this frontier if it is free (0 then: one request of
        this worker's, which takes ``hold`` seconds at most), else the seconds until it may be."""
        ...

    def end_turn(self, host: str, wait: float) -> None:
        """Hand the host's turn on: the next request may start in ``wait`` seconds."""
        ...

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified last seen for a feed or sitemap (for a conditional GET)."""
        ...

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None: ...

    def close(self) -> None: ...


class ValidatorTable:
    """The ETag and Last-Modified of feeds and sitemaps in a ``crawl_validator`` table (url, etag,
    last_modified, checked_at) over ``db``, a DB-API connection whose parameter mark is ``PARAM``."""

    PARAM = "?"
    db: Any

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified last seen for a feed or sitemap (for a conditional GET)."""
        query = f"SELECT etag, last_modified FROM crawl_validator WHERE url = {self.PARAM}"
        row = self.db.execute(query, (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        marks = ", ".join([self.PARAM] * 4)
        self.db.execute(
            f"INSERT INTO crawl_validator (url, etag, last_modified, checked_at) VALUES ({marks})"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
            " checked_at = excluded.checked_at",
            (url, etag, last_modified, time.time()),
        )
