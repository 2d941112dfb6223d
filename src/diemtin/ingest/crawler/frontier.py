"""The embedded frontier and seen-URL set of one crawler process: a SQLite table, each URL moving queued ->
claimed -> fetched -> done (the ``CrawlFrontier`` protocol of frontierbase.py).

A URL is added once (its canonical form is the primary key), so nothing is fetched twice. ``fetched`` is
written in the same transaction that records where the response was archived (WARC file and offset);
``done`` once the page has been ingested. After a crash (kill -9 at any moment) ``recover()`` puts back
every claim that left no archived response and hands back the archived-but-not-ingested pages, so a rerun
loses no URL and fetches none twice. The tables belong to the crawler alone and live
in a SQLite file of their own beside the article database (see ``crawl.frontier_path``). Several crawler
processes share a PostgreSQL frontier instead (pgfrontier.py).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from diemtin.ingest.crawler.canonical import host_of
from diemtin.ingest.crawler.frontierbase import Archived, Entry, ValidatorTable

SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_url (
    url TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    source TEXT,
    state TEXT NOT NULL DEFAULT 'queued',      -- queued | claimed | fetched | done | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    redirects INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    discovered_at REAL NOT NULL,
    claimed_at REAL,
    fetched_at REAL,
    status INTEGER,
    warc TEXT,                                  -- "<file>#<offset>" of the archived response
    reason TEXT
);
CREATE INDEX IF NOT EXISTS crawl_url_queue ON crawl_url (state, host, not_before);
CREATE TABLE IF NOT EXISTS crawl_validator (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked_at REAL NOT NULL
);
"""


class Frontier(ValidatorTable):
    """The crawl state in a SQLite file; every method commits before it returns. One process uses it, so
    ``recover`` (run before anything is claimed) takes back every claim, and the fetcher's own per-host gate
    is all the politeness there is to keep."""

    lease: float | None = None
    lost = False  # a file does not go away

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db: sqlite3.Connection = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def add(
        self, urls: Iterable[str], source: str | None = None, *, redirects: int = 0, now: float | None = None
    ) -> int:
        """Queue the canonical URLs not seen before; returns how many were new."""
        now = time.time() if now is None else now
        rows = [(url, host_of(url), source, redirects, now) for url in dict.fromkeys(urls)]
        with self._transaction():
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO crawl_url (url, host, source, redirects, discovered_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            return self.db.total_changes - before

    def ready_hosts(self, now: float | None = None) -> list[str]:
        """Hosts with a queued URL whose back-off has passed."""
        now = time.time() if now is None else now
        rows = self.db.execute(
            "SELECT DISTINCT host FROM crawl_url WHERE state = 'queued' AND not_before <= ?", (now,)
        )
        return [row[0] for row in rows]

    def next_ready_at(self) -> float | None:
        """When the earliest queued URL becomes fetchable (None when nothing is queued)."""
        row = self.db.execute("SELECT MIN(not_before) FROM crawl_url WHERE state = 'queued'").fetchone()
        return row[0] if row and row[0] is not None else None

    def claim(self, host: str, now: float | None = None) -> Entry | None:
        """Take the next ready URL of ``host`` (state claimed): fresh ones in discovery order, then retries by
        due time; None when nothing is ready."""
        now = time.time() if now is None else now
        row = self.db.execute(
            "UPDATE crawl_url SET state = 'claimed', claimed_at = ?, attempts = attempts + 1"
            " WHERE rowid = (SELECT rowid FROM crawl_url WHERE host = ? AND state = 'queued'"
            " AND not_before <= ? ORDER BY not_before, rowid LIMIT 1)"
            " RETURNING url, host, source, attempts, redirects",
            (now, host, now),
        ).fetchone()
        return Entry(*row) if row else None

    def mark_fetched(self, url: str, status: int, warc: str, now: float | None = None) -> None:
        """The response is archived at ``warc``: one transaction records it and ends the claim."""
        now = time.time() if now is None else now
        self.db.execute(
            "UPDATE crawl_url SET state = 'fetched', status = ?, warc = ?, fetched_at = ?, reason = NULL"
            " WHERE url = ?",
            (status, warc, now, url),
        )

    def mark_done(
        self, url: str, reason: str | None = None, *, status: int | None = None, warc: str | None = None
    ) -> None:
        """The page went through extraction and ingest (or was skipped or redirected, for ``reason``)."""
        self.db.execute(
            "UPDATE crawl_url SET state = 'done', reason = ?, status = COALESCE(?, status),"
            " warc = COALESCE(?, warc) WHERE url = ?",
            (reason, status, warc, url),
        )

    def mark_failed(self, url: str, reason: str, status: int | None = None, warc: str | None = None) -> None:
        """Give up on a URL for good (robots, 404, too large, retries exhausted...)."""
        self.db.execute(
            "UPDATE crawl_url SET state = 'failed', reason = ?, status = COALESCE(?, status),"
            " warc = COALESCE(?, warc), fetched_at = ? WHERE url = ?",
            (reason, status, warc, time.time(), url),
        )

    def retry(self, url: str, not_before: float, reason: str) -> None:
        """Put a claimed URL back in the queue, not to be fetched before ``not_before``."""
        self.db.execute(
            "UPDATE crawl_url SET state = 'queued', not_before = ?, reason = ? WHERE url = ?",
            (not_before, reason, url),
        )

    def claimed(self) -> list[Entry]:
        rows = self.db.execute(
            "SELECT url, host, source, attempts, redirects FROM crawl_url WHERE state = 'claimed'"
        )
        return [Entry(*row) for row in rows]

    def recover(self, archived: dict[str, str] | None = None) -> list[Archived]:
        """After a crash: claims found in ``archived`` (url -> warc ref) become fetched, the others go back to
        the queue (their attempt not counted); returns every fetched page still waiting for ingest."""
        archived = archived or {}
        with self._transaction():
            for entry in self.claimed():
                if entry.url in archived:
                    self.db.execute(
                        "UPDATE crawl_url SET state = 'fetched', warc = ?, fetched_at = ? WHERE url = ?",
                        (archived[entry.url], time.time(), entry.url),
                    )
                else:
                    self.db.execute(
                        "UPDATE crawl_url SET state = 'queued', attempts = attempts - 1 WHERE url = ?",
                        (entry.url,),
                    )
        rows = self.db.execute(
            "SELECT url, source, warc FROM crawl_url WHERE state = 'fetched' ORDER BY rowid"
        )
        return [Archived(*row) for row in rows]

    def oldest_claim(self) -> float | None:
        row = self.db.execute("SELECT MIN(claimed_at) FROM crawl_url WHERE state = 'claimed'").fetchone()
        return row[0] if row and row[0] is not None else None

    def take_turn(self, host: str, delay: float, hold: float) -> float:
        """No other worker makes requests: the turn is always free (the fetcher's gate spaces this one's)."""
        return 0.0

    def end_turn(self, host: str, wait: float) -> None:
        """No other worker waits for the turn."""
