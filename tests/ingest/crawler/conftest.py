"""A replay of the web on loopback for the crawler tests.

``ReplayServer`` listens on 127.0.0.1 and acts as the HTTP(S) proxy the crawler is configured with:
absolute-URI requests (``GET http://host/path``) and ``CONNECT host:443`` tunnels (TLS terminated with a
certificate from a test CA, as a corporate proxy does) are answered by Host from a table of routes, so real
host names reach real pages of ../shared and nothing leaves the machine. Routes can be slow, fail, redirect,
stream 50 MB or change over time. Every request is logged with its start and end time, which is what the
politeness tests check.
"""

from __future__ import annotations

import asyncio
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme

from diemtin.ingest.crawler.crawl import Crawl, CrawlStats
from diemtin.ingest.crawler.fetch import Fetcher, FetchOptions
from diemtin.ingest.crawler.frontier import Frontier
from diemtin.ingest.crawler.warcwriter import WarcArchive
from diemtin.sites import SiteProfile, parse_profile
from diemtin.store.sqlite import SQLiteStore

HOSTS = [
    "vnexpress.net", "dantri.com.vn", "tuoitre.vn", "vietnamnet.vn", "nld.com.vn", "cafef.vn",
    "tin-a.test", "tin-b.test", "tin-c.test", "*.bench.test",
]  # fmt: skip


# invented sample vocabulary: article bodies are random sentences of these words, so no two pages are alike
VOCABULARY = (
    "người dân thành phố công việc ổn định trở lại chính quyền địa phương kế hoạch mới năm nay giá cả thị "
    "trường tăng giảm nhẹ doanh nghiệp xuất khẩu nông sản mùa vụ thời tiết mưa lớn học sinh giáo viên "
    "trường học bệnh viện bác sĩ điều trị giao thông đường phố dự án cầu cảng sân bay du lịch khách quốc "
    "tế văn hóa lễ hội bóng đá đội tuyển trận đấu chiến thắng công nghệ điện thoại ứng dụng ngân hàng lãi "
    "suất vàng xăng dầu chứng khoán cổ phiếu"
)
WORDS = tuple(VOCABULARY.split())


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0  # seconds before the status line is sent
    stream_bytes: int = 0  # when set, a body of this many bytes is streamed without Content-Length


Route = Reply | Callable[[dict[str, str], int], Reply]  # (request headers, how many times asked before)


@dataclass
class Hit:
    host: str
    path: str
    start: float
    end: float = 0.0
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class ReplayServer:
    """The loopback web: ``route(url, reply)`` and ``log`` (every request, in arrival order)."""

    Reply = Reply

    def __init__(self, tmp: Path) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.log: list[Hit] = []
        self.max_in_flight: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._asked: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        ca = trustme.CA()
        self.ca_path = tmp / "replay-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_path))
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*HOSTS).configure_cert(self.tls)
        self.loop = asyncio.new_event_loop()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self._ready.wait(5)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, url: str, reply: Route) -> None:
        parts = urlsplit(url)
        path = parts.path or "/"
        self.routes[(parts.netloc.lower(), path + (f"?{parts.query}" if parts.query else ""))] = reply

    def hits(self, host: str | None = None, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [
                h for h in self.log if (host is None or h.host == host) and (path is None or h.path == path)
            ]

    # -- the server thread ---------------------------------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> asyncio.Server:
            return await asyncio.start_server(self._connection, sock=self._sock, limit=1 << 20)

        self.server = self.loop.run_until_complete(start())
        self._ready.set()
        self.loop.run_forever()

    def close(self) -> None:
        async def shutdown() -> None:
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tunnel_host: str | None = None
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                if method == "CONNECT":
                    tunnel_host = target.split(":")[0].lower()
                    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    await writer.drain()
                    await writer.start_tls(self.tls)
                    continue
                if target.startswith(("http://", "https://")):
                    parts = urlsplit(target)
                    host = parts.netloc.lower()
                    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                else:
                    host = tunnel_host or headers.get("host", "").lower()
                    path = target
                if not await self._answer(writer, host, path, headers):
                    return
        except (ConnectionError, ssl.SSLError, ValueError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def _answer(
        self, writer: asyncio.StreamWriter, host: str, path: str, headers: dict[str, str]
    ) -> bool:
        hit = Hit(host, path, time.monotonic(), headers=headers)
        with self._lock:
            self.log.append(hit)
            self._in_flight[host] = self._in_flight.get(host, 0) + 1
            self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), self._in_flight[host])
            asked = self._asked.get((host, path), 0)
            self._asked[(host, path)] = asked + 1
        try:
            route = self.routes.get((host, path))
            if route is None:
                reply = Reply(404, b"not here", {"Content-Type": "text/plain"})
            else:
                reply = route(headers, asked) if callable(route) else route
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if (
                reply.status == 200
                and (etag := reply.headers.get("ETag"))
                and headers.get("if-none-match") == etag
            ):
                reply = Reply(304, b"", {"ETag": etag})
            hit.status = reply.status
            head = [f"HTTP/1.1 {reply.status} X"] + [f"{k}: {v}" for k, v in reply.headers.items()]
            if reply.stream_bytes:
                writer.write(("\r\n".join([*head, "Connection: close"]) + "\r\n\r\n").encode("latin-1"))
                chunk = b"0" * 65536
                for _ in range(reply.stream_bytes // len(chunk)):
                    writer.write(chunk)
                    await writer.drain()
                return False
            head.append(f"Content-Length: {len(reply.body)}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + reply.body)
            await writer.drain()
            return True
        finally:
            hit.end = time.monotonic()
            with self._lock:
                self._in_flight[host] -= 1

    # -- content the tests publish (invented text, never third-party pages) --------------------------------

    def article(self, url: str, title: str, **reply: object) -> None:
        """Publish an invented Vietnamese article at ``url``."""
        rng = random.Random(title)
        body = "".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + ".</p>" for _ in range(4)
        )
        page = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            '<meta property="article:section" content="Thời sự">'
            f"<title>{title}</title></head><body><header><a href='/'>Trang chủ</a></header>"
            f'<article><h1>{title}</h1><p class="sapo">Tóm tắt: {title}.</p>'
            '<span class="date">25/11/2026 08:00</span>'
            f'<div class="content">{body}</div></article></body></html>'
        )
        self.route(url, Reply(200, page.encode("utf-8"), **reply))  # type: ignore[arg-type]

    def feed(self, url: str, links: list[str], **headers: str) -> None:
        items = "".join(
            f"<item><title>Tin {i}</title><link>{link}</link>"
            f"<pubDate>Wed, 25 Nov 2026 08:{i % 60:02d}:00 +0700</pubDate></item>"
            for i, link in enumerate(links)
        )
        xml = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        xml += f"{items}</channel></rss>"
        self.route(url, Reply(200, xml.encode(), {"Content-Type": "application/rss+xml", **headers}))

    def sitemap(self, url: str, links: list[str], index: bool = False) -> None:
        tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
        entries = "".join(f"<{item}><loc>{link}</loc></{item}>" for link in links)
        xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
        xml = f'<?xml version="1.0"?><{tag} xmlns="{xmlns}">{entries}</{tag}>'
        self.route(url, Reply(200, xml.encode(), {"Content-Type": "application/xml"}))

    def html(self, url: str, text: str, **reply: object) -> None:
        self.route(url, Reply(200, text.encode("utf-8"), **reply))  # type: ignore[arg-type]

    def robots(self, origin: str, text: str) -> None:
        self.route(origin + "/robots.txt", Reply(200, text.encode(), {"Content-Type": "text/plain"}))

    def options(self, **overrides: object) -> FetchOptions:
        """Fetch options that reach every host through this server (delay 0.2 s unless overridden)."""
        values: dict[str, object] = {
            "user_agent": "diemtin-test/0.1 (+https://example.invalid/; contact: test@example.invalid)",
            "delay": 0.2,
            "timeout": 2.0,
            "backoff_base": 0.2,
            "backoff_max": 1.0,
            "proxy": self.proxy,
            "ca_bundle": str(self.ca_path),
        }
        values.update(overrides)
        return FetchOptions(**values)  # type: ignore[arg-type]


def make_profile(key: str, host: str, **discovery: object) -> SiteProfile:
    """A test outlet on ``host`` (articles end in -<digits>.html)."""
    data = {"key": key, "name": key.upper(), "domains": [host], "discovery": {"article_url": r"-\d+\.html$"}}
    data["discovery"].update(discovery)  # type: ignore[attr-defined]
    return parse_profile(data, key)


@dataclass
class Crawled:
    stats: CrawlStats
    store: SQLiteStore
    frontier: Frontier
    warc_dir: Path


async def crawl_once(
    tmp: Path, options: FetchOptions, profiles: tuple[SiteProfile, ...], **kw: object
) -> Crawled:
    """One crawl into ``tmp/db.sqlite`` (frontier in the same file) with the archive in ``tmp/warc``."""
    store = SQLiteStore(tmp / "db.sqlite")
    frontier = Frontier(tmp / "crawl.db")
    archive = WarcArchive(tmp / "warc")
    async with Fetcher(options) as fetcher:
        crawl = Crawl(
            frontier=frontier,
            fetcher=fetcher,
            archive=archive,
            store=store,
            profiles=profiles,
            **kw,  # type: ignore[arg-type]
        )
        try:
            stats = await crawl.run()
        finally:
            crawl.close()
    return Crawled(stats, store, frontier, tmp / "warc")


@pytest.fixture
def replay(tmp_path: Path) -> Iterator[ReplayServer]:
    server = ReplayServer(tmp_path)
    yield server
    server.close()


@pytest.fixture
def crawl(tmp_path: Path) -> Callable[..., Crawled]:
    """Run one crawl synchronously: ``crawl(options, *profiles, **Crawl kwargs)``; closes what it opened."""
    opened: list[Crawled] = []

    def run(options: FetchOptions, *profiles: SiteProfile, **kw: object) -> Crawled:
        done = asyncio.run(crawl_once(tmp_path, options, profiles, **kw))
        opened.append(done)
        return done

    yield run  # type: ignore[misc]
    for done in opened:
        done.store.close()
        done.frontier.close()


@pytest.fixture
def outlet() -> Callable[..., SiteProfile]:
    return make_profile
