"""robots.txt: fetched once per host (through the polite fetcher, archived like any response), parsed with
protego, cached for a day.

Following RFC 9309: a 4xx robots.txt means no rules; a 5xx or an unreachable robots.txt means the whole host
is off limits for now: it is asked again after a back-off, and the refused URLs are retried then. A
Crawl-delay for our User-Agent raises that host's delay in the fetcher.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from diemtin.ingest.crawler.canonical import host_of
from diemtin.ingest.crawler.events import event
from diemtin.ingest.crawler.fetch import Fetcher, FetchError, Response

ROBOTS_TTL = 24 * 3600.0
UNREACHABLE_TTL = 600.0  # longest wait before asking an unreachable robots.txt again (back-off below it)
ROBOTS_TYPES = ("text/plain", "text/html", "application/octet-stream")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a URL may not be fetched; ``retry_at`` (epoch seconds) when the refusal is only for now."""

    reason: str
    retry_at: float | None = None


@dataclass(slots=True)
class _Rules:
    parser: Protego | None  # None: every path allowed
    blocked: str | None  # a reason when the whole host is off limits
    expires: float


class RobotsCache:
    """Answers "may we fetch this URL?" for any host, fetching each robots.txt once per TTL."""

    def __init__(
        self, fetcher: Fetcher, archive: Callable[[Response], Awaitable[object]] | None = None
    ) -> None:
        self.fetcher = fetcher
        self.archive = archive
        self.agent = fetcher.options.user_agent.split("/")[0]
        self._rules: dict[str, _Rules] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._failures: dict[str, int] = {}

    def _unreachable(self, host: str, reason: str) -> _Rules:
        failures = self._failures[host] = self._failures.get(host, 0) + 1
        wait = min(UNREACHABLE_TTL, self.fetcher.options.backoff(failures))
        return _Rules(None, reason, time.time() + wait)

    async def _load(self, url: str) -> _Rules:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        host = host_of(url)
        now = time.time()
        try:
            response = await self.fetcher.get(robots_url, accept=ROBOTS_TYPES)
        except FetchError as exc:
            event("robots", logging.WARNING, host=host, outcome="unreachable", reason=exc.reason)
            return self._unreachable(host, f"robots.txt unreachable ({exc.reason})")
        if self.archive is not None:
            await self.archive(response)
        if response.status >= 500:
            event("robots", logging.WARNING, host=host, outcome="server-error", status=response.status)
            return self._unreachable(host, f"robots.txt answered {response.status}")
        self._failures.pop(host, None)
        if response.status >= 400 or response.status < 200 or response.status >= 300:
            event("robots", host=host, outcome="no-rules", status=response.status)
            return _Rules(None, None, now + ROBOTS_TTL)
        parser = Protego.parse(response.content.decode("utf-8", "replace"))
        delay = parser.crawl_delay(self.agent)
        if delay:
            self.fetcher.set_crawl_delay(host, float(delay))
        event("robots", host=host, outcome="rules", crawl_delay=delay)
        return _Rules(parser, None, now + ROBOTS_TTL)

    async def allowed(self, url: str) -> Refusal | None:
        """None when robots.txt lets us fetch ``url``, else why not (and until when, if only for now)."""
        host = host_of(url)
        async with self._locks.setdefault(host, asyncio.Lock()):
            rules = self._rules.get(host)
            if rules is None or rules.expires < time.time():
                rules = self._rules[host] = await self._load(url)
        if rules.blocked:
            return Refusal(rules.blocked, rules.expires)
        if rules.parser is not None and not rules.parser.can_fetch(url, self.agent):
            return Refusal("disallowed by robots.txt")
        return None
