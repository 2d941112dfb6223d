"""The crawl end to end against the loopback replay: discovery, politeness, robots, archive, conditional
GET."""

from __future__ import annotations

import gzip
from itertools import pairwise
from typing import Any

from warcio.archiveiterator import ArchiveIterator

HOSTS = ("tin-a.test", "tin-b.test", "tin-c.test")


def publish_outlets(replay: Any, n: int = 6) -> dict[str, list[str]]:
    """Three outlets: a feed with half the articles, a listing with the rest, robots.txt closing /rieng/."""
    published: dict[str, list[str]] = {}
    for host in HOSTS:
        origin = f"https://{host}"
        urls = [f"{origin}/thoi-su/bai-viet-so-{i}-{1000 + i}.html" for i in range(n)]
        for i, url in enumerate(urls):
            replay.article(url, f"Bài {i} của {host}")
        private = f"{origin}/rieng/bai-kin-9999.html"
        replay.article(private, "Bài không được lấy")
        replay.robots(origin, "User-agent: *\nDisallow: /rieng/\n")
        replay.feed(f"{origin}/rss.xml", [*urls[: n // 2], private])
        links = "".join(f'<li><a href="{u}">Bài</a></li>' for u in urls[n // 2 :])
        replay.html(
            f"{origin}/thoi-su",
            f"<html><body><nav><a href='/'>Trang chủ</a></nav><ul>{links}</ul></body></html>",
        )
        published[host] = urls
    return published


def outlets(outlet: Any) -> list[Any]:
    return [
        outlet(h.split(".")[0], h, feeds=[f"https://{h}/rss.xml"], listings=[f"https://{h}/thoi-su"])
        for h in HOSTS
    ]


def test_every_article_stored_once_politely(replay: Any, crawl: Any, outlet: Any) -> None:
    published = publish_outlets(replay)
    done = crawl(replay.options(delay=0.3), *outlets(outlet))
    assert done.store.count() == sum(len(urls) for urls in published.values())
    for host, urls in published.items():
        hits = replay.hits(host)
        paths = [h.path for h in hits]
        assert paths[0] == "/robots.txt"
        assert not any(p.startswith("/rieng/") for p in paths), "a path closed by robots.txt was fetched"
        article_paths = [p for p in paths if p.endswith(".html")]
        assert sorted(article_paths) == sorted(u.split(host, 1)[1] for u in urls)  # each exactly once
        gaps = [b.start - a.start for a, b in pairwise(hits)]
        assert min(gaps) >= 0.3 - 0.005, f"{host}: requests {min(gaps):.3f} s apart"
        assert replay.max_in_flight[host] == 1
    assert done.stats.reasons["disallowed by robots.txt"] == len(HOSTS)


def test_responses_and_requests_archived(replay: Any, crawl: Any, outlet: Any) -> None:
    published = publish_outlets(replay, n=2)
    done = crawl(replay.options(delay=0.0), *outlets(outlet))
    records: list[tuple[str, str]] = []
    for path in sorted(done.warc_dir.glob("*.warc.gz")):
        with path.open("rb") as handle:
            records += [
                (r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(handle)
            ]
    responses = {uri for kind, uri in records if kind == "response"}
    requests = {uri for kind, uri in records if kind == "request"}
    every = {u for urls in published.values() for u in urls}
    assert every <= responses and every <= requests
    assert {f"https://{h}/robots.txt" for h in HOSTS} <= responses
    assert {f"https://{h}/rss.xml" for h in HOSTS} <= responses


def test_second_crawl_fetches_nothing_new_and_uses_conditional_get(
    replay: Any, crawl: Any, outlet: Any
) -> None:
    published = publish_outlets(replay, n=2)
    for host in HOSTS:
        replay.feed(f"https://{host}/rss.xml", published[host], ETag=f'"v1-{host}"')
    profiles = outlets(outlet)
    crawl(replay.options(delay=0.0), *profiles)
    before = len(replay.log)
    again = crawl(replay.options(delay=0.0), *profiles)
    later = replay.log[before:]
    assert again.stats.fetched == 0
    assert not [h for h in later if h.path.endswith(".html")], "an article was fetched twice"
    assert {h.status for h in later if h.path == "/rss.xml"} == {304}


def test_sitemap_index_followed(replay: Any, crawl: Any, outlet: Any) -> None:
    urls = [f"https://tin-a.test/kinh-te/tin-so-{i}-{500 + i}.html" for i in range(4)]
    for i, url in enumerate(urls):
        replay.article(url, f"Tin kinh tế {i}")
    replay.sitemap("https://tin-a.test/sitemap.xml", ["https://tin-a.test/sitemap-news.xml"], index=True)
    replay.sitemap("https://tin-a.test/sitemap-news.xml", urls)
    done = crawl(
        replay.options(delay=0.0), outlet("tin-a", "tin-a.test", sitemaps=["https://tin-a.test/sitemap.xml"])
    )
    assert done.stats.fetched == 4 and done.store.count() == 4


def test_crawl_delay_from_robots_is_honoured(replay: Any, crawl: Any, outlet: Any) -> None:
    urls = [f"https://tin-b.test/the-gioi/tin-so-{i}-{700 + i}.html" for i in range(3)]
    for i, url in enumerate(urls):
        replay.article(url, f"Tin thế giới {i}")
    replay.robots("https://tin-b.test", "User-agent: *\nCrawl-delay: 0.5\n")
    replay.feed("https://tin-b.test/rss.xml", urls)
    crawl(replay.options(delay=0.1), outlet("tin-b", "tin-b.test", feeds=["https://tin-b.test/rss.xml"]))
    hits = replay.hits("tin-b.test")
    assert len(hits) == 5
    assert min(b.start - a.start for a, b in pairwise(hits[1:])) >= 0.5 - 0.005


def test_max_pages_and_per_host_concurrency(replay: Any, crawl: Any, outlet: Any) -> None:
    urls = [f"https://tin-c.test/xe/tin-so-{i}-{300 + i}.html" for i in range(12)]
    for i, url in enumerate(urls):
        replay.article(url, f"Tin xe {i}", delay=0.2)
    replay.feed("https://tin-c.test/rss.xml", urls)
    done = crawl(
        replay.options(delay=0.0, concurrency=2),
        outlet("tin-c", "tin-c.test", feeds=["https://tin-c.test/rss.xml"]),
        max_pages=8,
    )
    assert done.stats.fetched == 8
    assert replay.max_in_flight["tin-c.test"] == 2


def test_extraction_in_worker_processes(replay: Any, crawl: Any, outlet: Any) -> None:
    published = publish_outlets(replay, n=3)
    done = crawl(replay.options(delay=0.0), *outlets(outlet), extract_workers=2)
    assert done.store.count() == sum(len(urls) for urls in published.values())
    assert {hit.article.title for hit in done.store.iter_all()} >= {
        "Bài 0 của tin-a.test",
        "Bài 2 của tin-c.test",
    }


def test_since_skips_older_feed_entries_and_gzip_sitemaps_are_read(
    replay: Any, crawl: Any, outlet: Any
) -> None:
    from datetime import datetime, timedelta, timezone

    urls = [f"https://tin-b.test/the-thao/tran-dau-so-{i}-{800 + i}.html" for i in range(4)]
    for i, url in enumerate(urls):
        replay.article(url, f"Trận đấu số {i}")
    replay.feed("https://tin-b.test/rss.xml", urls[:2])  # published 25 Nov 2026 08:00 and 08:01 +07:00
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    body = "".join(f"<url><loc>{u}</loc><lastmod>2026-11-20T10:00:00+07:00</lastmod></url>" for u in urls[2:])
    xml = f'<?xml version="1.0"?><urlset xmlns="{xmlns}">{body}</urlset>'.encode()
    replay.route(
        "https://tin-b.test/sitemap.xml.gz",
        replay.Reply(200, gzip.compress(xml), {"Content-Type": "application/x-gzip"}),
    )
    profile = outlet(
        "tin-b",
        "tin-b.test",
        feeds=["https://tin-b.test/rss.xml"],
        sitemaps=["https://tin-b.test/sitemap.xml.gz"],
    )
    since = datetime(2026, 11, 25, 8, 1, tzinfo=timezone(timedelta(hours=7)))
    done = crawl(replay.options(delay=0.0), profile, since=since)
    asked = {h.path for h in replay.hits("tin-b.test")}
    assert "/the-thao/tran-dau-so-1-801.html" in asked
    assert not {"/the-thao/tran-dau-so-0-800.html", "/the-thao/tran-dau-so-2-802.html"} & asked
    assert done.stats.discovered == 1


def test_sources_command_lists_shipped_and_user_profiles(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "tin-rieng.toml").write_text(
        'key = "tin-rieng"\nname = "Tin Riêng"\ndomains = ["r.test"]\n'
    )
    command = [str(Path(sys.executable).parent / "diemtin"), "sources"]
    env = {**os.environ, "DIEMTIN_DATA": str(tmp_path), "COLUMNS": "200"}
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    assert "tin-rieng" in out and "vnexpress" in out and "user" in out and "shipped" in out
