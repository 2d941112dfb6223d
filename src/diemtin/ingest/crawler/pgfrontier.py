"""The shared frontier: the crawl state in the PostgreSQL article database, one queue for many crawler
processes on one machine or several (the ``CrawlFrontier`` protocol of frontierbase.py).

Tables: ``crawl_url`` (each URL queued -> claimed -> fetched -> done or failed, with the worker that holds
it), ``crawl_validator`` (ETag / Last-Modified of feeds and sitemaps), ``crawl_host`` (when the next request
to a host may start, whichever worker makes it) and ``crawl_worker`` (who is crawling, and when each was last
heard from).

- A claim is one ``UPDATE ... WHERE url = (SELECT ... FOR UPDATE SKIP LOCKED)``: two workers never take the
  same URL, and neither waits for the other.
- A host has one turn among all workers (its ``crawl_host`` row): the fetcher takes it before every
  request to the host (one upsert, only when no worker holds it and the delay since the last request has
  passed) and hands it on after, with the time the next may start (delay or back-off). So requests to a host
  never overlap and start at least the delay after the previous one ended, whichever worker made them. The
  turn of a worker that is gone is ended for it; one whose death nobody can tell ends by itself after the
  longest a request may take.
- Each worker (host name, pid, a random tag; its start time beside it) beats in ``crawl_worker`` while it
  uses the frontier. A claim is lost when its worker is gone: not heard from for ``lease`` seconds, or, on
  this machine, its process no longer runs. ``recover`` takes back lost claims only (never a live worker's):
  those whose response this worker finds in its archive become fetched, the others are queued again.
- Times that must agree between machines (heartbeats, host turns) are taken from the database's clock.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Iterable
from typing import Any

import psycopg

from diemtin.ingest.crawler.canonical import host_of
from diemtin.ingest.crawler.frontierbase import Archived, Entry, FrontierUnavailable, ValidatorTable
from diemtin.store.common import first_line

SCHEMA_LOCK = 7_301_946  # advisory lock key: one process creates the tables at a time (the store uses ...945)
ATTEMPTS = 3  # an add that deadlocks with another worker's add of the same URLs is tried again
CONNECT_TIMEOUT = 10  # seconds to reach the server
STATEMENT_TIMEOUT_MS = 30_000  # no statement waits longer than this on a lock
MIN_WAIT = 0.01  # seconds: a turn found free just after it was refused is asked for again this soon
NOW = "extract(epoch FROM statement_timestamp())::float8"  # the database's clock, in epoch seconds

SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_url (
    n BIGINT GENERATED ALWAYS AS IDENTITY,      -- discovery order
    url TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    source TEXT,
    state TEXT NOT NULL DEFAULT 'queued',       -- queued | claimed | fetched | done | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    redirects INTEGER NOT NULL DEFAULT 0,
    not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
    discovered_at DOUBLE PRECISION NOT NULL,
    claimed_at DOUBLE PRECISION,
    worker TEXT,                                -- crawl_worker.id of the last worker to hold it
    fetched_at DOUBLE PRECISION,
    status INTEGER,
    warc TEXT,                                  -- "<file>#<offset>" of the archived response
    reason TEXT
);
CREATE INDEX IF NOT EXISTS crawl_url_queue ON crawl_url (host, not_before, n) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS crawl_url_held ON crawl_url (worker) WHERE state IN ('claimed', 'fetched');
CREATE TABLE IF NOT EXISTS crawl_validator (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_host (
    host TEXT PRIMARY KEY,
    next_at DOUBLE PRECISION NOT NULL,          -- earliest start of the next request, database clock
    holder TEXT                                 -- the worker whose request is in flight (its turn)
);
CREATE TABLE IF NOT EXISTS crawl_worker (
    id TEXT PRIMARY KEY,
    machine TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    seen_at DOUBLE PRECISION NOT NULL           -- last heartbeat, database clock
);
"""

ENTRY = "url, host, source, attempts, redirects"
LOST = "state = %s AND NOT (COALESCE(worker, '') = ANY(%s))"  # held by none of the live workers given


def _running(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


class PgFrontier(ValidatorTable):
    """The crawl state in PostgreSQL, shared by workers; one autocommit connection, used from one thread."""

    PARAM = "%s"

    def __init__(self, url: str, *, lease: float = 300.0) -> None:
        if lease <= 0:
            raise ValueError(f"the claim lease must be positive, not {lease:g} s")
        self.lease = lease
        self.machine = socket.gethostname()
        self.pid = os.getpid()
        self.worker = f"{self.machine}:{self.pid}:{uuid.uuid4().hex[:8]}"
        self.started_at = time.time()
        self._beat_due = 0.0
        try:
            self.db: psycopg.Connection[Any] = psycopg.connect(
                url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
            )
            self.db.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            with self.db.transaction():
                self.db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                self.db.execute(SCHEMA)
            self._beat()
        except psycopg.Error as error:
            reason = first_line(error)
            raise FrontierUnavailable(f"cannot open the crawl frontier in PostgreSQL: {reason}") from error

    @property
    def lost(self) -> bool:
        """psycopg closes a connection the server dropped (restarted, terminated it, went away)."""
        return self.db.closed

    def close(self) -> None:
        """Leave: claims this worker still holds (cut short by a stop) are at once free for the others."""
        with contextlib.suppress(psycopg.Error):
            self.db.execute("DELETE FROM crawl_worker WHERE id = %s", (self.worker,))
        self.db.close()

    # -- the workers -------------------------------------------------------------------------------------

    def _beat(self) -> None:
        """Tell the others this worker is alive (at most every quarter lease)."""
        if time.monotonic() < self._beat_due:
            return
        self.db.execute(
            "INSERT INTO crawl_worker (id, machine, pid, started_at, seen_at)"
            f" VALUES (%s, %s, %s, %s, {NOW}) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            (self.worker, self.machine, self.pid, self.started_at),
        )
        self._beat_due = time.monotonic() + self.lease / 4

    def _live(self) -> list[str]:
        """The workers whose claims are theirs to keep: this one, and every other heard from within the lease
        whose process, when it is on this machine, still runs."""
        rows = self.db.execute(
            f"SELECT id, machine, pid, seen_at >= {NOW} - %s FROM crawl_worker", (self.lease,)
        ).fetchall()
        live = [self.worker]
        for worker, machine, pid, fresh in rows:
            if worker != self.worker and fresh and (machine != self.machine or _running(pid)):
                live.append(worker)
        return live

    # -- the queue ---------------------------------------------------------------------------------------

    def add(
        self, urls: Iterable[str], source: str | None = None, *, redirects: int = 0, now: float | None = None
    ) -> int:
        """Queue the canonical URLs not seen before; returns how many were new."""
        now = time.time() if now is None else now
        unique = list(dict.fromkeys(urls))
        if not unique:
            return 0
        self._beat()
        query = (
            "INSERT INTO crawl_url (url, host, source, redirects, discovered_at)"
            " SELECT u, h, %s, %s, %s FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(u, h, i)"
            " ORDER BY i ON CONFLICT (url) DO NOTHING"
        )
        params = (source, redirects, now, unique, [host_of(url) for url in unique])
        for _ in range(ATTEMPTS - 1):
            with contextlib.suppress(psycopg.errors.DeadlockDetected):
                return self.db.execute(query, params).rowcount
        return self.db.execute(query, params).rowcount

    def ready_hosts(self, now: float | None = None) -> list[str]:
        """Hosts with a queued URL whose back-off has passed."""
        now = time.time() if now is None else now
        self._beat()
        rows = self.db.execute(
            "SELECT DISTINCT host FROM crawl_url WHERE state = 'queued' AND not_before <= %s", (now,)
        )
        return [row[0] for row in rows]

    def next_ready_at(self) -> float | None:
        """When the earliest queued URL becomes fetchable (None when nothing is queued)."""
        self._beat()
        row = self.db.execute("SELECT MIN(not_before) FROM crawl_url WHERE state = 'queued'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def claim(self, host: str, now: float | None = None) -> Entry | None:
        """Take the next ready URL of ``host`` for this worker (rows another worker is claiming are
        skipped, not waited for): fresh ones in discovery order, then retries by due time; None when nothing
        is ready."""
        now = time.time() if now is None else now
        self._beat()
        row = self.db.execute(
            "UPDATE crawl_url SET state = 'claimed', claimed_at = %s, attempts = attempts + 1, worker = %s"
            " WHERE url = (SELECT url FROM crawl_url WHERE host = %s AND state = 'queued'"
            " AND not_before <= %s ORDER BY not_before, n LIMIT 1 FOR UPDATE SKIP LOCKED)"
            f" RETURNING {ENTRY}",
            (now, self.worker, host, now),
        ).fetchone()
        return Entry(*row) if row else None

    def take_turn(self, host: str, delay: float, hold: float) -> float:
        """Take the host's turn if no worker holds it and its next request is due (0 then: this worker holds
        it while its request runs, ``hold`` seconds at most, plus the ``delay``), else the seconds until
        then (by the database's clock). The turn of a worker that is gone is ended for it, as if its request
        ended now."""
        self._beat()
        taken = self.db.execute(
            f"INSERT INTO crawl_host AS h (host, next_at, holder) VALUES (%(host)s, {NOW} + %(hold)s, %(me)s)"
            " ON CONFLICT (host) DO UPDATE SET next_at = excluded.next_at, holder = excluded.holder"
            f" WHERE h.next_at <= {NOW} RETURNING host",
            {"host": host, "hold": hold + delay, "me": self.worker},
        ).fetchone()
        if taken:
            return 0.0
        row = self.db.execute(
            f"SELECT next_at - {NOW}, holder FROM crawl_host WHERE host = %s", (host,)
        ).fetchone()
        wait, holder = (float(row[0]), row[1]) if row else (0.0, None)
        if holder is not None and holder not in self._live():
            self._hand_on(host, holder, delay)
            wait = delay
        return max(MIN_WAIT, wait)

    def end_turn(self, host: str, wait: float) -> None:
        """Hand the host's turn on, the next request due in ``wait`` seconds (unless the turn outlived its
        hold and another worker has it now)."""
        self._hand_on(host, self.worker, wait)

    def _hand_on(self, host: str, holder: str, wait: float) -> None:
        self.db.execute(
            f"UPDATE crawl_host SET next_at = {NOW} + %s, holder = NULL WHERE host = %s AND holder = %s",
            (max(0.0, wait), host, holder),
        )

    # -- the claims of this worker (a claim taken back from it as lost is no longer changed by it) ---------

    def mark_fetched(self, url: str, status: int, warc: str, now: float | None = None) -> None:
        """The response is archived at ``warc``: one transaction records it and ends the claim."""
        now = time.time() if now is None else now
        self._beat()
        self.db.execute(
            "UPDATE crawl_url SET state = 'fetched', status = %s, warc = %s, fetched_at = %s, reason = NULL"
            " WHERE url = %s AND worker = %s",
            (status, warc, now, url, self.worker),
        )

    def mark_done(
        self, url: str, reason: str | None = None, *, status: int | None = None, warc: str | None = None
    ) -> None:
        """The page went through extraction and ingest (or was skipped or redirected, for ``reason``)."""
        self._beat()  # also while a recovering worker ingests what another left
        self.db.execute(
            "UPDATE crawl_url SET state = 'done', reason = %s, status = COALESCE(%s, status),"
            " warc = COALESCE(%s, warc) WHERE url = %s AND worker = %s",
            (reason, status, warc, url, self.worker),
        )

    def mark_failed(self, url: str, reason: str, status: int | None = None, warc: str | None = None) -> None:
        """Give up on a URL for good (robots, 404, too large, retries exhausted...)."""
        self.db.execute(
            "UPDATE crawl_url SET state = 'failed', reason = %s, status = COALESCE(%s, status),"
            " warc = COALESCE(%s, warc), fetched_at = %s WHERE url = %s AND worker = %s",
            (reason, status, warc, time.time(), url, self.worker),
        )

    def retry(self, url: str, not_before: float, reason: str) -> None:
        """Put a claimed URL back in the queue, not to be fetched before ``not_before``."""
        self.db.execute(
            "UPDATE crawl_url SET state = 'queued', not_before = %s, reason = %s"
            " WHERE url = %s AND worker = %s",
            (not_before, reason, url, self.worker),
        )

    # -- recovery ----------------------------------------------------------------------------------------

    def claimed(self) -> list[Entry]:
        """The lost claims: held by workers that are gone."""
        rows = self.db.execute(
            f"SELECT {ENTRY} FROM crawl_url WHERE {LOST} ORDER BY n", ("claimed", self._live())
        )
        return [Entry(*row) for row in rows]

    def oldest_claim(self) -> float | None:
        row = self.db.execute(
            f"SELECT MIN(claimed_at) FROM crawl_url WHERE {LOST}", ("claimed", self._live())
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def recover(self, archived: dict[str, str] | None = None) -> list[Archived]:
        """Take back what gone workers held: their claims found in ``archived`` (url -> warc ref) become
        fetched, the others go back to the queue (their attempt not counted); their fetched pages and those
        become this worker's to ingest, and are returned. Rows another worker is recovering are skipped."""
        archived = archived or {}
        live = self._live()
        with self.db.transaction():
            lost = self.db.execute(
                "SELECT url, state FROM crawl_url WHERE state IN ('claimed', 'fetched')"
                " AND NOT (COALESCE(worker, '') = ANY(%s)) ORDER BY n FOR UPDATE SKIP LOCKED",
                (live,),
            ).fetchall()
            claims = [url for url, state in lost if state == "claimed"]
            found = [url for url in claims if url in archived]
            with self.db.cursor() as cursor:
                cursor.executemany(
                    "UPDATE crawl_url SET state = 'fetched', warc = %s, fetched_at = %s WHERE url = %s",
                    [(archived[url], time.time(), url) for url in found],
                )
            self.db.execute(
                "UPDATE crawl_url SET state = 'queued', attempts = attempts - 1, worker = NULL"
                " WHERE url = ANY(%s)",
                ([url for url in claims if url not in archived],),
            )
            pending = [url for url, state in lost if state == "fetched" or url in archived]
            rows = self.db.execute(
                "UPDATE crawl_url SET worker = %s WHERE url = ANY(%s) RETURNING n, url, source, warc",
                (self.worker, pending),
            ).fetchall()
            self.db.execute("DELETE FROM crawl_worker WHERE NOT (id = ANY(%s))", (live,))
        return [Archived(url, source, warc) for _, url, source, warc in sorted(rows)]
