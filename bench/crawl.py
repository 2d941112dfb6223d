"""Crawl throughput on loopback: many hosts, no politeness delay, every page fetched, archived to WARC,
extracted and stored.

A server process plays the web behind an HTTP proxy address: ``--hosts`` outlets ``h<i>.bench.test``,
each with a sitemap of ``--pages`` articles. The pages are the real corpus article pages of
../shared/corpus/html with the text of every paragraph swapped for random words, so that each page keeps a
real outlet's size and markup but is a new article to the store (no duplicate short cuts). The crawl runs
in this process; reported: pages per second (fetched + archived + extracted + stored) and CPU seconds per
page of the crawler and its extraction processes (the server's CPU is not counted).

    .venv/bin/python bench/crawl.py --hosts 20 --pages 30 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import re
import socket
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from diemtin.ingest.crawler.crawl import Crawl
from diemtin.ingest.crawler.fetch import Fetcher, FetchOptions
from diemtin.ingest.crawler.frontier import Frontier
from diemtin.ingest.crawler.warcwriter import WarcArchive
from diemtin.sites import parse_profile
from diemtin.store.sqlite import SQLiteStore

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PARAGRAPH = re.compile(rb"(<p\b[^>]*>)(.*?)(</p>)", re.DOTALL | re.IGNORECASE)
VOCABULARY = (
    "người dân thành phố công việc ổn định chính quyền kế hoạch giá cả thị trường doanh nghiệp xuất khẩu"
    " nông sản thời tiết học sinh giáo viên bệnh viện bác sĩ giao thông dự án du lịch văn hóa lễ hội bóng đá"
    " công nghệ ngân hàng lãi suất vàng xăng dầu chứng khoán cổ phiếu tăng giảm mạnh nhẹ năm nay tháng trước"
)
WORDS = VOCABULARY.split()


def _templates() -> list[bytes]:
    pages = sorted((SHARED / "corpus" / "html").glob("*/*_article.html"))
    if not pages:
        raise SystemExit(f"no corpus article pages under {SHARED}/corpus/html")
    return [page.read_bytes() for page in pages]


def _page(template: bytes, seed: str) -> bytes:
    rng = random.Random(seed)

    def fresh(match: re.Match[bytes]) -> bytes:
        words = max(8, len(match.group(2)) // 7)
        text = " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."
        return match.group(1) + text.encode("utf-8") + match.group(3)

    return PARAGRAPH.sub(fresh, template)


def _serve(sock: socket.socket, hosts: int, pages: int) -> None:
    """The server process: answers absolute-URI proxy requests from an in-memory table."""
    templates = _templates()
    table: dict[str, tuple[bytes, bytes]] = {}
    for h in range(hosts):
        host = f"h{h}.bench.test"
        urls = [f"http://{host}/tin-tuc/bai-viet-so-{p}-{100000 + p}.html" for p in range(pages)]
        for p, url in enumerate(urls):
            table[url] = (b"text/html; charset=utf-8", _page(templates[(h + p) % len(templates)], url))
        entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
        xml = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        table[f"http://{host}/sitemap.xml"] = (b"application/xml", xml.encode())

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                target = line.split(b" ")[1].decode()
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                kind, body = table.get(target, (b"text/plain", b""))
                status = b"200 OK" if body else b"404 Not Found"
                head = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
                    status,
                    kind,
                    len(body),
                )
                writer.write(head + body)
                await writer.drain()
        except (ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, sock=sock, limit=1 << 20)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _process_cpu(pid: int, task: str = "") -> float:
    """User + system CPU seconds of a live process, or of one of its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}{task}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _thread_cpu(native_id: int) -> float:
    """User + system CPU seconds of one thread of this process (Linux /proc)."""
    return _process_cpu(os.getpid(), f"/task/{native_id}")


async def _crawl(
    workdir: Path, proxy: str, hosts: int, concurrency: int, workers: int
) -> tuple[int, float, dict[str, float]]:
    store = SQLiteStore(workdir / "bench.db")
    frontier = Frontier(workdir / "crawl.db")
    profiles = tuple(
        parse_profile(
            {
                "domains": [f"h{h}.bench.test"],
                "discovery": {"sitemaps": [f"http://h{h}.bench.test/sitemap.xml"]},
            },
            f"h{h}",
        )
        for h in range(hosts)
    )
    options = FetchOptions(user_agent="diemtin-bench/0.1", delay=0.0, concurrency=concurrency, proxy=proxy)
    async with Fetcher(options) as fetcher:
        crawl = Crawl(
            frontier=frontier,
            fetcher=fetcher,
            archive=WarcArchive(workdir / "warc"),
            store=store,
            extract_workers=workers,
            profiles=profiles,
        )
        await crawl.start_workers()  # process start-up and imports are not counted
        threads = {
            "event loop (fetch, robots, frontier)": threading.get_native_id(),
            "WARC thread": crawl._archiver.submit(threading.get_native_id).result(),
            "store thread (store.add; extraction too when no workers)": crawl._storer.submit(
                threading.get_native_id
            ).result(),
        }
        processes = list(getattr(crawl._extractor, "_processes", None) or {})

        def cpu_now() -> dict[str, float]:
            now = {name: _thread_cpu(tid) for name, tid in threads.items()}
            now["extraction processes"] = sum(_process_cpu(pid) for pid in processes)
            return now

        before = cpu_now()
        started = time.perf_counter()
        try:
            stats = await crawl.run()
            elapsed = time.perf_counter() - started
            cpu = {name: spent - before[name] for name, spent in cpu_now().items()}
        finally:
            crawl.close()
    stored = store.count()
    store.close()
    frontier.close()
    assert stats.fetched == stored, (stats.summary(), stored)
    return stats.fetched, elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=30, help="articles per host")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight per host")
    parser.add_argument("--workers", type=int, default=2, help="extraction processes (0: in a thread)")
    args = parser.parse_args()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(sock, args.hosts, args.pages), daemon=True
    )
    server.start()
    proxy = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        with tempfile.TemporaryDirectory(prefix="diemtin-bench-crawl-") as tmp:
            pages, elapsed, parts = asyncio.run(
                _crawl(Path(tmp), proxy, args.hosts, args.concurrency, args.workers)
            )
            warc_bytes = sum(p.stat().st_size for p in (Path(tmp) / "warc").glob("*.warc.gz"))
    finally:
        server.terminate()
        server.join(5)
    cpu = sum(parts.values())
    print(
        f"proxy {urlsplit(proxy).netloc}: {args.hosts} hosts x {args.pages} pages, delay 0,"
        f" {args.concurrency}/host, {args.workers} extraction processes"
    )
    print(
        f"pages fetched+archived+extracted+stored: {pages} in {elapsed:.2f} s = {pages / elapsed:.1f} pages/s"
    )
    print(f"crawler CPU: {cpu:.2f} s = {cpu / pages * 1000:.1f} ms per page; WARC {warc_bytes / 1e6:.1f} MB")
    for part, seconds in parts.items():
        print(f"  {part}: {seconds / pages * 1000:.1f} ms per page")


if __name__ == "__main__":
    main()
