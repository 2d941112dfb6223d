"""One crawl of the configured sources: discovery -> frontier -> fetch -> archive -> extract -> ingest.

Discovery fetches each source's feeds, sitemaps (indexes followed) and listing pages, each with a
conditional GET, and queues the article URLs it finds. The drain then runs one worker per host
(``concurrency`` of them at most, under the fetcher's gate): claim a URL, check robots.txt, fetch, write the
response to the WARC archive, mark it fetched, extract and store it through ``diemtin.ingest.pipeline``, mark
it done. Every fault ends in a logged event with a reason; transient ones (timeouts, 5xx, 429) are retried
later with back-off, the crawl going on with the other URLs and hosts. A redirect is queued as a new URL, so
it is checked like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from diemtin.article import Page
from diemtin.config import Settings
from diemtin.ingest.crawler.canonical import canonical_url, host_of
from diemtin.ingest.crawler.events import event
from diemtin.ingest.crawler.feeds import Found, feed_entries
from diemtin.ingest.crawler.fetch import (
    FEED_TYPES,
    HTML_TYPES,
    RETRY_STATUSES,
    Fetcher,
    FetchError,
    FetchOptions,
    Response,
)
from diemtin.ingest.crawler.frontier import Frontier
from diemtin.ingest.crawler.frontierbase import CrawlFrontier
from diemtin.ingest.crawler.links import listing_links
from diemtin.ingest.crawler.robots import RobotsCache
from diemtin.ingest.crawler.sitemaps import parse_sitemap
from diemtin.ingest.crawler.warcwriter import WarcArchive, page_from, read_response, scan_responses
from diemtin.ingest.pipeline import NothingExtracted, understand
from diemtin.sites import SiteProfile, load_profiles
from diemtin.store import open_store
from diemtin.store.base import DatabaseLost, Store
from diemtin.store.common import first_line

MAX_CHILD_SITEMAPS = 20
MAX_HOST_WORKERS = 64  # hosts crawled at the same time
STOP_GRACE = 5.0  # seconds a worker may take to finish its page after a stop
STORED = frozenset({"new", "revised", "unchanged", "duplicate"})  # Store.add statuses (others are skips)


@dataclass(slots=True)
class CrawlStats:
    """What one crawl did; ``reasons`` counts every failure and skip by its reason."""

    discovered: int = 0  # new article URLs queued
    discovery_failed: int = 0  # feeds, sitemaps and listing pages that could not be read
    fetched: int = 0  # article responses archived
    ingested: Counter[str] = field(default_factory=Counter)  # new, revised, unchanged, duplicate or a skip
    retried: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def summary(self) -> dict[str, object]:
        return {
            "discovered": self.discovered,
            "discovery_failed": self.discovery_failed,
            "fetched": self.fetched,
            "stored": sum(n for status, n in self.ingested.items() if status in STORED),
            **{f"ingest_{k}": v for k, v in sorted(self.ingested.items())},
            "retried": self.retried,
            "failed": self.failed,
            "seconds": round(self.elapsed, 2),
        }


class Crawl:
    """Crawls sources into a store. ``run()`` does discovery then drains the frontier."""

    def __init__(
        self,
        *,
        frontier: CrawlFrontier,
        fetcher: Fetcher,
        archive: WarcArchive,
        store: Store,
        profiles: tuple[SiteProfile, ...] = (),
        since: datetime | None = None,
        max_pages: int | None = None,
        stop: asyncio.Event | None = None,
        extract_workers: int = 0,
    ) -> None:
        self.frontier = frontier
        self.fetcher = fetcher
        self.archive = archive
        self.store = store
        self.extract_workers = extract_workers
        self.profiles = profiles
        self.since = since
        self.max_pages = max_pages
        self.stop = stop or asyncio.Event()
        self.robots = RobotsCache(fetcher, self._archive)
        self.stats = CrawlStats()
        self._claimed = 0
        self._recovered = time.monotonic()  # when lost claims were last looked for
        # off the event loop: WARC writing and storing each in one thread (in order); extraction in the store
        # thread, or in ``extract_workers`` processes so that a crawl can use every core
        self._archiver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diemtin-warc")
        self._storer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diemtin-store")
        self._extractor: Executor = self._storer
        if extract_workers > 0:
            self._extractor = self._process_pool()

    # -- recovery ----------------------------------------------------------------

    async def recover(self) -> None:
        """Finish what a killed run (or, with a shared frontier, a worker gone) left: archived claims become
        fetched, pages fetched but not stored are ingested from the archive, other claims go back to the
        queue."""
        self._recovered = time.monotonic()
        oldest = self.frontier.oldest_claim()
        archived: dict[str, str] = {}
        if oldest is not None and self.archive.directory.is_dir():
            files = [p for p in self.archive.directory.glob("*.warc.gz") if p.stat().st_mtime >= oldest - 1]
            claimed = {entry.url for entry in self.frontier.claimed()}
            archived = {u: ref for u, ref in scan_responses(sorted(files)).items() if u in claimed}
        pending = self.frontier.recover(archived)
        if oldest is not None or pending:
            event("recover", requeued_or_archived=len(archived), pending_ingest=len(pending))
        for item in pending:
            try:
                page = read_response(item.warc)
            except (OSError, ValueError) as exc:
                self.frontier.retry(item.url, 0, f"archived copy unreadable: {exc}")
                continue
            await self._ingest(item.url, page)

    # -- discovery ----------------------------------------------------------------

    async def _get(
        self, url: str, accept: tuple[str, ...], headers: dict[str, str] | None = None
    ) -> Response:
        """A discovery GET: robots-checked, archived, redirects followed up to the limit (loops refused)."""
        hops: list[str] = []
        while True:
            refusal = await self.robots.allowed(url)
            if refusal:
                raise FetchError(refusal.reason, transient=refusal.retry_at is not None)
            response = await self.fetcher.get(url, accept=accept, headers=headers)
            await self._archive(response)
            location = response.header("location")
            if not (300 <= response.status < 400 and location):
                return response
            hops.append(url)
            target = canonical_url(location, url)
            if target is None or target in hops:
                raise FetchError(f"redirect loop at {url}", transient=False)
            if len(hops) > self.fetcher.options.max_redirects:
                raise FetchError(f"more than {self.fetcher.options.max_redirects} redirects", transient=False)
            url = target

    def _queue(self, found: list[Found], profile: SiteProfile, via: str) -> None:
        fresh = [
            item.url
            for item in found
            if profile.matches(host_of(item.url).split(":")[0])
            and (self.since is None or item.published is None or item.published >= self.since)
        ]
        new = self.frontier.add(fresh, profile.key)
        self.stats.discovered += new
        event("discovered", source=profile.key, via=via, found=len(found), new=new)

    async def _fresh(self, profile: SiteProfile, url: str, accept: tuple[str, ...]) -> Response | None:
        """A conditional GET of a discovery page (ETag / Last-Modified from the last visit): the response when
        it changed, None when the server says 304 Not Modified."""
        etag, modified = self.frontier.validators(url)
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        response = await self._get(url, accept, headers)
        if response.status == 304:
            event("discovered", source=profile.key, via=url, outcome="not-modified")
            return None
        if response.status != 200:
            raise FetchError(f"HTTP {response.status}", transient=response.status in RETRY_STATUSES)
        self.frontier.save_validators(url, response.header("etag"), response.header("last-modified"))
        return response

    async def _discover_feed(self, profile: SiteProfile, url: str) -> None:
        response = await self._fresh(profile, url, FEED_TYPES)
        if response is not None:
            self._queue(feed_entries(response.content, response.url), profile, url)

    async def _discover_sitemap(self, profile: SiteProfile, url: str, depth: int = 0) -> None:
        response = await self._fresh(profile, url, FEED_TYPES)
        if response is None:
            return
        try:
            sitemap = parse_sitemap(response.content, response.url)
        except ValueError as exc:
            raise FetchError(f"bad sitemap: {exc}", transient=False) from None
        self._queue(sitemap.urls, profile, url)
        if depth == 0:
            for child in sitemap.children[:MAX_CHILD_SITEMAPS]:
                await self._discover_one(profile, child, self._discover_sitemap, depth=1)

    async def _discover_listing(self, profile: SiteProfile, url: str) -> None:
        response = await self._fresh(profile, url, HTML_TYPES)
        if response is not None:
            links = listing_links(response.content, response.url, profile)
            self._queue([Found(link) for link in links], profile, url)

    async def _discover_one(
        self, profile: SiteProfile, url: str, how: Callable[..., object], **kw: int
    ) -> None:
        try:
            await how(profile, url, **kw)  # type: ignore[misc]
        except FetchError as exc:
            self.stats.discovery_failed += 1
            self.stats.reasons[exc.reason] += 1
            event("discovery-failed", logging.WARNING, source=profile.key, url=url, reason=exc.reason)

    async def discover(self, profile: SiteProfile) -> None:
        """Queue the article URLs of one source's feeds, sitemaps and listing pages."""
        rules = profile.discovery
        jobs = [(url, self._discover_feed) for url in rules.feeds]
        jobs += [(url, self._discover_sitemap) for url in rules.sitemaps]
        jobs += [(url, self._discover_listing) for url in rules.listings]
        for url, how in jobs:
            if self.stop.is_set():
                return
            target = canonical_url(url)
            if target:
                await self._discover_one(profile, target, how)

    # -- fetching articles ----------------------------------------------------------------

    async def _archive(self, response: Response) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._archiver, self.archive.write, response)

    def _limit_reached(self) -> bool:
        return self.max_pages is not None and self._claimed >= self.max_pages

    async def start_workers(self) -> None:
        """Start the extraction processes (if any) from a thread: starting them blocks, and no request in
        flight should wait for that."""
        if isinstance(self._extractor, ProcessPoolExecutor):
            await asyncio.to_thread(_start, self._extractor, self.extract_workers)

    def _process_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        return ProcessPoolExecutor(
            max_workers=self.extract_workers, mp_context=context, initializer=_ignore_interrupts
        )

    async def _store(self, page: Page) -> str:
        """Extract (here or in a worker process) and store one page; returns the store's status."""
        loop = asyncio.get_running_loop()
        try:
            article = await loop.run_in_executor(self._extractor, understand, page)
        except BrokenProcessPool:
            self._extractor = self._process_pool()  # a worker died (a parser crash): start afresh once
            article = await loop.run_in_executor(self._extractor, understand, page)
        if self.since is not None and article.published is not None and article.published < self.since:
            return "older-than-since"
        result = await loop.run_in_executor(self._storer, self.store.add, article)
        return result.status

    async def _ingest(self, url: str, page: Page) -> None:
        try:
            status = await self._store(page)
        except (BrokenProcessPool, DatabaseLost) as exc:
            # the extraction processes or the database are gone: the page stays "fetched" (archived) and is
            # ingested from the archive at the next start
            event("ingest-deferred", logging.ERROR, url=url, reason=f"{type(exc).__name__}: {exc}")
            return
        except NothingExtracted as exc:
            status = "nothing-extracted"
            event("skipped", logging.WARNING, url=url, reason=str(exc))
        except Exception as exc:  # an extractor or store bug must not stop the crawl
            status = "ingest-error"
            event("skipped", logging.ERROR, url=url, reason=f"{type(exc).__name__}: {exc}")
        self.stats.ingested[status] += 1
        self.frontier.mark_done(url, None if status in STORED else status)
        event("ingested", url=url, status=status)

    def _fail(self, url: str, reason: str, status: int | None = None, warc: str | None = None) -> None:
        self.stats.failed += 1
        self.stats.reasons[reason] += 1
        self.frontier.mark_failed(url, reason, status, warc)
        event("failed", logging.WARNING, url=url, reason=reason, status=status)

    def _retry_or_fail(self, url: str, attempts: int, reason: str, wait: float | None = None) -> None:
        options = self.fetcher.options
        if attempts >= options.max_attempts:
            self._fail(url, f"{reason} (gave up after {attempts} attempts)")
            return
        wait = options.backoff(attempts) if wait is None else min(wait, options.backoff_max)
        self.stats.retried += 1
        self.stats.reasons[reason] += 1
        self.frontier.retry(url, time.time() + wait, reason)
        event("retry", logging.WARNING, url=url, reason=reason, attempt=attempts, wait=round(wait, 2))

    async def _process(self, url: str, attempts: int, redirects: int, source: str | None) -> None:
        refusal = await self.robots.allowed(url)
        if refusal and refusal.retry_at is not None:
            self._retry_or_fail(url, attempts, refusal.reason, max(0.0, refusal.retry_at - time.time()))
            return
        if refusal:
            self._fail(url, refusal.reason)
            return
        try:
            response = await self.fetcher.get(url, accept=HTML_TYPES)
        except FetchError as exc:
            if exc.transient:
                self._retry_or_fail(url, attempts, exc.reason)
            else:
                self._fail(url, exc.reason)
            return
        ref = await self._archive(response)
        location = response.header("location")
        if 300 <= response.status < 400 and location:
            self._redirect(url, ref, response.status, canonical_url(location, url), redirects, source)
        elif response.status == 200:
            self.frontier.mark_fetched(url, response.status, ref)
            self.stats.fetched += 1
            event(
                "fetched",
                url=url,
                status=200,
                bytes=len(response.content),
                seconds=round(response.elapsed, 3),
            )
            await self._ingest(url, page_from(response, ref))
        elif response.status in RETRY_STATUSES:
            self._retry_or_fail(url, attempts, f"HTTP {response.status}", response.retry_after())
        else:
            self._fail(url, f"HTTP {response.status}", response.status, ref)

    def _redirect(
        self, url: str, ref: str, status: int, target: str | None, redirects: int, source: str | None
    ) -> None:
        if target is None:
            self._fail(url, "redirect to a non-web URL", status, ref)
        elif redirects >= self.fetcher.options.max_redirects:
            self._fail(url, f"more than {self.fetcher.options.max_redirects} redirects", status, ref)
        elif self.frontier.add([target], source, redirects=redirects + 1) == 0:
            self._fail(url, f"redirect loop or known target {target}", status, ref)
        else:
            self.frontier.mark_done(url, f"redirected to {target}", status=status, warc=ref)
            event("redirect", url=url, status=status, target=target)

    async def _host_worker(self, host: str) -> None:
        while not self.stop.is_set() and not self._limit_reached():
            entry = self.frontier.claim(host)
            if entry is None:
                return
            self._claimed += 1
            await self._process(entry.url, entry.attempts, entry.redirects, entry.source)

    async def drain(self, *, forever: bool = False) -> None:
        """Fetch queued URLs, host by host in parallel, until the queue is empty (or, ``forever``, until stop)
        or the page limit is hit."""
        workers: dict[str, list[asyncio.Task[None]]] = {}
        try:
            await self._drain(workers, forever)
        except BaseException:
            await self._finish(workers, STOP_GRACE)
            raise
        await self._finish(workers, STOP_GRACE if self.stop.is_set() else None)

    async def _drain(self, workers: dict[str, list[asyncio.Task[None]]], forever: bool) -> None:
        """The loop of ``drain``: start a worker task per ready host (in ``workers``), look again as they end;
        what escapes a worker task (a page's own errors are handled inside it) stops the crawl."""
        per_host = max(1, self.fetcher.options.concurrency)
        while not self.stop.is_set() and not self._limit_reached():
            if self._recovery_due(idle=False):
                await self.recover()
            for host, tasks in list(workers.items()):
                for task in tasks:
                    if task.done() and not task.cancelled() and (error := task.exception()) is not None:
                        raise error
                tasks[:] = [t for t in tasks if not t.done()]
                if not tasks:
                    del workers[host]
            for host in self.frontier.ready_hosts():
                if len(workers) >= MAX_HOST_WORKERS:
                    break
                if host not in workers:
                    workers[host] = [asyncio.create_task(self._host_worker(host)) for _ in range(per_host)]
            if not workers:
                ready_at = self.frontier.next_ready_at()
                if ready_at is None and not forever:
                    if not self._recovery_due(idle=True):
                        break
                    await self.recover()
                    continue
                await self._sleep(1.0 if ready_at is None else min(5.0, max(0.0, ready_at - time.time())))
                continue
            pending = [t for tasks in workers.values() for t in tasks]
            await asyncio.wait(pending, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)

    @staticmethod
    async def _finish(workers: dict[str, list[asyncio.Task[None]]], grace: float | None) -> None:
        """Let the worker tasks finish their page (within ``grace`` seconds, if given), cancel the late ones
        (a cancelled claim is recovered later) and collect them all."""
        remaining = [t for tasks in workers.values() for t in tasks]
        if remaining:
            _, late = await asyncio.wait(remaining, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*remaining, return_exceptions=True)

    def _recovery_due(self, *, idle: bool) -> bool:
        """With a shared frontier, whether to take back the claims of workers gone meanwhile: every half
        lease, and, ``idle`` (nothing left queued), at once if there are any."""
        lease = self.frontier.lease
        if lease is None:
            return False
        due = time.monotonic() - self._recovered >= lease / 2
        return due or (idle and self.frontier.oldest_claim() is not None)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)

    async def run(self) -> CrawlStats:
        """Recover from a previous kill, discover every source, then drain the frontier."""
        await self.start_workers()
        await self.recover()
        await asyncio.gather(*(self.discover(profile) for profile in self.profiles))
        await self.drain()
        event("crawl-finished", logging.INFO, **self.stats.summary())
        return self.stats

    def close(self) -> None:
        self._storer.shutdown(wait=True)
        self._archiver.shutdown(wait=True)
        if self._extractor is not self._storer:
            self._extractor.shutdown(wait=True)
        self.archive.close()


def _ignore_interrupts() -> None:
    """In an extraction process: Ctrl-C is for the crawler, which stops its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pid(_: int) -> int:
    return os.getpid()


def _start(pool: ProcessPoolExecutor, workers: int) -> None:
    list(pool.map(_pid, range(workers)))


def frontier_path(settings: Settings, database: str | None) -> Path:
    """The embedded crawl state's own SQLite file beside the article database (``diemtin.db`` ->
    ``diemtin-crawl.db``). A file of its own: sharing the store's file made frontier updates wait for the
    store's write lock on the event loop."""
    target = database or settings.database
    path = Path(target.removeprefix("sqlite:///")).expanduser() if target else settings.database_path
    return path.with_name(f"{path.stem}-crawl.db")


def open_frontier(settings: Settings, database: str | None) -> CrawlFrontier:
    """The frontier for the article database ``database`` (default: the configured one): with PostgreSQL,
    tables in that database, shared by every crawler process using it; else a SQLite file (frontier_path)."""
    target = database or settings.database
    if target and target.startswith(("postgresql://", "postgres://")):
        from diemtin.ingest.crawler.pgfrontier import PgFrontier  # psycopg is an optional dependency

        return PgFrontier(target, lease=settings.crawl_lease_seconds)
    return Frontier(frontier_path(settings, database))


def select_profiles(settings: Settings, names: tuple[str, ...] = ()) -> tuple[SiteProfile, ...]:
    """The configured sources (shipped profiles plus the data dir's ``sites/``), or those named."""
    profiles = load_profiles(settings.profile_dir)
    if not names:
        return profiles
    known = {p.key: p for p in profiles}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return tuple(known[n] for n in names)


@asynccontextmanager
async def open_crawl(
    settings: Settings,
    store: Store,
    *,
    database: str | None = None,
    profiles: tuple[SiteProfile, ...] = (),
    since: datetime | None = None,
    max_pages: int | None = None,
    stop: asyncio.Event | None = None,
    options: FetchOptions | None = None,
    extract_workers: int = 0,
) -> AsyncIterator[Crawl]:
    """A ready Crawl over ``store``: frontier, fetcher and WARC archive opened, all closed on exit."""
    frontier = open_frontier(settings, database)
    archive = WarcArchive(settings.warc_dir)
    try:
        async with Fetcher(options or FetchOptions.from_settings(settings), slots=frontier) as fetcher:
            crawl = Crawl(
                frontier=frontier,
                fetcher=fetcher,
                archive=archive,
                store=store,
                extract_workers=extract_workers,
                profiles=profiles,
                since=since,
                max_pages=max_pages,
                stop=stop,
            )
            try:
                yield crawl
            except Exception as error:
                if frontier.lost:  # every later step would fail the same way: say so once
                    raise DatabaseLost(first_line(error)) from error
                raise
            finally:
                crawl.close()
    finally:
        frontier.close()


async def run_crawl(
    settings: Settings,
    *,
    database: str | None = None,
    sources: tuple[str, ...] = (),
    since: datetime | None = None,
    max_pages: int | None = None,
    options: FetchOptions | None = None,
    extract_workers: int = 0,
) -> CrawlStats:
    """``diemtin crawl``: one crawl of the chosen sources into the database; SIGINT/SIGTERM stop cleanly."""
    profiles = select_profiles(settings, sources)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    store = open_store(database)
    try:
        async with open_crawl(
            settings,
            store,
            database=database,
            profiles=profiles,
            since=since,
            max_pages=max_pages,
            stop=stop,
            options=options,
            extract_workers=extract_workers,
        ) as crawl:
            return await crawl.run()
    finally:
        store.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
