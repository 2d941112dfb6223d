"""The long-running service behind ``diemtin run``: crawls every source on its schedule, ingests what it
fetches, and serves the website and JSON API, all in one process and one event loop.

uvicorn runs as a task beside the crawl (its own signal capture is turned off: the service owns SIGTERM and
SIGINT). A signal stops discovery, lets each crawl worker finish its page for a few seconds, stops the web
server and closes the store; anything cut short is recovered by the next start. Logs are structured
(``key=value`` or JSON lines, see ``diemtin.ingest.crawler.events``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import uvicorn

from diemtin.config import Settings
from diemtin.ingest.crawler.crawl import Crawl, open_crawl, select_profiles
from diemtin.ingest.crawler.events import event
from diemtin.ingest.crawler.fetch import FetchOptions
from diemtin.serve.app import create_app
from diemtin.sites import SiteProfile
from diemtin.store import open_store


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the service decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _on_schedule(crawl: Crawl, profile: SiteProfile, stop: asyncio.Event) -> None:
    """Discover one source now and then every ``schedule_minutes`` until stop."""
    period = max(1, profile.discovery.schedule_minutes) * 60.0
    while not stop.is_set():
        await crawl.discover(profile)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=period)


async def run_service(
    settings: Settings,
    *,
    database: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    sources: tuple[str, ...] = (),
    options: FetchOptions | None = None,
    extract_workers: int = 0,
) -> None:
    """Crawl and serve until SIGTERM or SIGINT."""
    profiles = select_profiles(settings, sources)
    stop = asyncio.Event()
    store = open_store(database)
    config = uvicorn.Config(
        create_app(store), host=host, port=port, log_config=None, access_log=False, server_header=False
    )
    server = _Server(config)
    loop = asyncio.get_running_loop()

    def shutdown(sig: signal.Signals) -> None:
        event("shutdown", signal=sig.name)
        stop.set()
        server.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, shutdown, sig)
    event("service-start", host=host, port=port, sources=len(profiles))
    try:
        async with open_crawl(
            settings,
            store,
            database=database,
            profiles=profiles,
            stop=stop,
            options=options,
            extract_workers=extract_workers,
        ) as crawl:
            await crawl.start_workers()
            await crawl.recover()
            tasks = [asyncio.create_task(_on_schedule(crawl, p, stop)) for p in profiles]
            tasks.append(asyncio.create_task(crawl.drain(forever=True)))
            await server.serve()  # returns once should_exit is set (or the port cannot be bound)
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        store.close()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        event("service-stopped")
