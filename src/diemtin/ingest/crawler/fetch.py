"""The polite HTTP client: one GET at a time per host (configurable), a delay between requests to a host,
exponential back-off after errors, Retry-After on 429/503, timeouts, a body-size cap enforced while streaming,
a content-type allow-list, an honest User-Agent, and no private, loopback or link-local targets unless
allowed.

``Fetcher.get`` never follows redirects itself: a 3xx comes back as a response and the crawl queues its
target, so every hop passes the robots check, the per-host gate and the redirect limit. Errors that leave no
response raise ``FetchError`` with a short reason and whether trying again later makes sense.

Several crawler processes sharing a frontier keep these rules among them: given ``slots`` (the frontier),
each host's gate also takes the host's turn there before a request and hands it on after.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from diemtin.config import Settings
from diemtin.ingest.crawler.canonical import host_of

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml",
    "application/x-gzip", "application/gzip", "application/octet-stream", "text/plain", "text/html",
)  # fmt: skip
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MIN_POLL = 0.05  # seconds between two looks at a host whose turn another crawler process holds, at least


@dataclass(frozen=True, slots=True)
class FetchOptions:
    user_agent: str
    delay: float = 1.0  # seconds between two requests to one host (at least; robots Crawl-delay may raise it)
    concurrency: int = 1  # requests in flight per host
    timeout: float = 30.0  # seconds for a whole request, body included
    max_body_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    max_attempts: int = 4
    backoff_base: float = 2.0
    backoff_max: float = 600.0
    max_crawl_delay: float = 60.0
    allow_private: bool = False
    proxy: str | None = None
    ca_bundle: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> FetchOptions:
        agent = settings.user_agent
        if settings.contact and settings.contact not in agent:
            agent = f"{agent} contact: {settings.contact}"
        values: dict[str, object] = {
            "user_agent": agent,
            "delay": settings.host_delay_seconds,
            "concurrency": settings.host_concurrency,
            "max_body_bytes": settings.max_body_bytes,
            "allow_private": settings.allow_private_addresses,
            "proxy": settings.proxy,
            "ca_bundle": settings.ca_bundle,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` after ``attempt`` failures."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, attempt - 1)))


class FetchError(Exception):
    """A request that gave no usable response; ``transient`` errors are worth retrying later."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


@dataclass(slots=True)
class Response:
    url: str
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    content: bytes
    request_headers: list[tuple[str, str]]
    fetched_at: datetime
    elapsed: float

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    def retry_after(self, now: datetime | None = None) -> float | None:
        """Seconds asked for by a Retry-After header (delta or HTTP date), if any."""
        value = self.header("retry-after")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HostSlots(Protocol):
    """Turns at each host shared by several crawler processes (a shared frontier): one request at a time."""

    def take_turn(self, host: str, delay: float, hold: float) -> float:
        """Take the host's turn if it is free (0 then: ours for one request of ``hold`` seconds at most), else
        the seconds until it may be (``delay``: between two requests to the host)."""
        ...

    def end_turn(self, host: str, wait: float) -> None:
        """Hand the turn on: the next request may start in ``wait`` seconds."""
        ...


@dataclass(slots=True)
class HostGate:
    """Per-host politeness: at most ``concurrency`` requests in flight, a new one starting no sooner than
    ``delay`` after the previous one started and after the previous one ended, and no sooner than a
    back-off. With ``slots`` the same holds among every crawler process sharing them, one request at a time
    (a turn whose process died ends after ``hold`` seconds, the longest a request may take)."""

    delay: float
    concurrency: int
    host: str = ""
    slots: HostSlots | None = None
    hold: float = 0.0
    next_slot: float = 0.0
    failures: int = 0
    semaphore: asyncio.Semaphore = field(init=False)
    lock: asyncio.Lock = field(init=False)

    def __post_init__(self) -> None:
        self.semaphore = asyncio.Semaphore(max(1, self.concurrency))
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        await self.semaphore.acquire()
        async with self.lock:
            while (wait := self.next_slot - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            if self.slots is not None:
                while (wait := self.slots.take_turn(self.host, self.delay, self.hold)) > 0:
                    await asyncio.sleep(min(wait, max(self.delay, MIN_POLL)))
            self.next_slot = time.monotonic() + self.delay

    def release(self) -> None:
        """The request is over (its back-off, if any, already noted with ``pause``)."""
        self.next_slot = max(self.next_slot, time.monotonic() + self.delay)
        try:
            if self.slots is not None:
                self.slots.end_turn(self.host, self.next_slot - time.monotonic())
        finally:
            self.semaphore.release()

    def pause(self, seconds: float) -> None:
        """Hold every request to this host for ``seconds`` (back-off, Retry-After)."""
        self.next_slot = max(self.next_slot, time.monotonic() + seconds)


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
        or ip.is_unspecified
    )  # fmt: skip


class Fetcher:
    """One shared httpx client and a gate per host (with ``slots``, kept among all the crawler processes that
    share them). Use as an async context manager."""

    def __init__(self, options: FetchOptions, slots: HostSlots | None = None) -> None:
        self.options = options
        self.slots = slots
        self.gates: dict[str, HostGate] = {}
        self._resolved: dict[str, str | None] = {}
        verify: ssl.SSLContext | bool = True
        if options.ca_bundle:
            verify = ssl.create_default_context(cafile=options.ca_bundle)
        self.client = httpx.AsyncClient(
            proxy=options.proxy,
            verify=verify,
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(options.timeout),
            headers={"User-Agent": options.user_agent, "Accept-Language": "vi,en;q=0.5"},
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    def gate(self, host: str) -> HostGate:
        if host not in self.gates:
            options = self.options
            self.gates[host] = HostGate(options.delay, options.concurrency, host, self.slots, options.timeout)
        return self.gates[host]

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        """Raise the host's delay to a robots.txt Crawl-delay (capped by ``max_crawl_delay``)."""
        gate = self.gate(host)
        gate.delay = max(self.options.delay, min(seconds, self.options.max_crawl_delay))

    async def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched on address grounds, or None when it may."""
        if self.options.allow_private:
            return None
        host = httpx.URL(url).host
        if host in self._resolved:
            return self._resolved[host]
        reason: str | None = None
        try:
            reason = f"private address {host}" if _refused_address(host) else None
        except ValueError:
            if host == "localhost" or host.endswith(".localhost"):
                reason = f"loopback host {host}"
            elif not self.options.proxy:  # behind a proxy the proxy resolves names
                try:
                    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
                except OSError as exc:
                    return f"DNS failure for {host}: {exc}"
                bad = [info[4][0] for info in infos if _refused_address(str(info[4][0]))]
                reason = f"{host} resolves to private address {bad[0]}" if bad else None
        self._resolved[host] = reason
        return reason

    async def get(
        self,
        url: str,
        *,
        accept: tuple[str, ...] = HTML_TYPES,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One polite GET. Raises FetchError when no response could be had or it breaks a limit."""
        refusal = await self.refusal(url)
        if refusal:
            raise FetchError(refusal, transient=False)
        gate = self.gate(host_of(url))
        await gate.acquire()
        try:
            response = await self._get(url, accept, headers or {})
            self._back_off(gate, response)
        except FetchError as exc:
            if exc.transient:
                gate.failures += 1
                gate.pause(self.options.backoff(gate.failures))
            raise
        finally:
            gate.release()  # after any pause: the host's turn is handed on with it
        return response

    def _back_off(self, gate: HostGate, response: Response) -> None:
        """Pause the host after a 429, 503 (as long as Retry-After asks) or another 5xx."""
        if response.status in (429, 503):
            gate.failures += 1
            asked = response.retry_after()
            gate.pause(min(asked, self.options.backoff_max) if asked else self.options.backoff(gate.failures))
        elif response.status >= 500:
            gate.failures += 1
            gate.pause(self.options.backoff(gate.failures))
        else:
            gate.failures = 0

    async def _get(self, url: str, accept: tuple[str, ...], headers: dict[str, str]) -> Response:
        started = time.monotonic()
        limit = self.options.max_body_bytes
        try:
            async with asyncio.timeout(self.options.timeout):
                request = self.client.build_request("GET", url, headers=headers)
                reply = await self.client.send(request, stream=True)
                try:
                    ctype = (reply.headers.get("content-type") or "").split(";")[0].strip().lower()
                    if reply.status_code == 200 and ctype and not ctype.startswith(accept):
                        raise FetchError(f"content type {ctype} not accepted", transient=False)
                    declared = reply.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > limit:
                        raise FetchError(f"body of {declared} bytes over the {limit} limit", transient=False)
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in reply.aiter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise FetchError(f"body over the {limit} byte limit", transient=False)
                        chunks.append(chunk)
                finally:
                    await reply.aclose()
        except TimeoutError:
            raise FetchError(f"timeout after {self.options.timeout:g} s", transient=True) from None
        except httpx.TimeoutException as exc:
            raise FetchError(f"timeout ({type(exc).__name__})", transient=True) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}", transient=True) from None
        dropped = {"content-encoding", "content-length", "transfer-encoding"}
        return Response(
            url=url,
            status=reply.status_code,
            reason=reply.reason_phrase,
            http_version=reply.http_version,
            headers=[(k, v) for k, v in reply.headers.multi_items() if k.lower() not in dropped],
            content=b"".join(chunks),
            request_headers=list(request.headers.multi_items()),
            fetched_at=datetime.now(UTC),
            elapsed=time.monotonic() - started,
        )
