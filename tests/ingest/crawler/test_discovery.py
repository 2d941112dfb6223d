"""Feeds and sitemaps parsed into article URLs with their dates (invented documents)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from diemtin.ingest.crawler.feeds import feed_entries
from diemtin.ingest.crawler.sitemaps import MAX_INFLATED, parse_sitemap

VN = timezone(timedelta(hours=7))
SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def test_rss_items_in_order_with_rfc822_dates() -> None:
    rss = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin mới</title>
    <item><title>Một</title><link>https://tin.test/mot-1.html?utm_source=rss</link>
      <pubDate>Wed, 25 Nov 2026 08:30:00 +0700</pubDate></item>
    <item><title>Hai</title><link>/hai-2.html</link></item>
    <item><title>Một lần nữa</title><link>https://tin.test/mot-1.html</link></item>
    </channel></rss>""".encode()
    found = feed_entries(rss, "https://tin.test/rss/tin-moi.rss")
    assert [f.url for f in found] == ["https://tin.test/mot-1.html", "https://tin.test/hai-2.html"]
    assert found[0].published == datetime(2026, 11, 25, 8, 30, tzinfo=VN)
    assert found[1].published is None


def test_atom_entries() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <entry><title>A</title><link rel="alternate" href="https://tin.test/a-1.html"/>
      <updated>2026-11-24T23:00:00Z</updated></entry></feed>"""
    found = feed_entries(atom, "https://tin.test/atom.xml")
    assert [(f.url, f.published) for f in found] == [
        ("https://tin.test/a-1.html", datetime(2026, 11, 24, 23, 0, tzinfo=UTC))
    ]


def test_news_sitemap_dates_and_gzip() -> None:
    xml = f"""<?xml version="1.0"?><urlset {SITEMAP_NS} {NEWS_NS}>
    <url><loc>https://tin.test/b-1.html</loc><lastmod>2026-11-01</lastmod>
      <news:news><news:publication_date>2026-11-25T08:00:00+07:00</news:publication_date></news:news></url>
    <url><loc>https://tin.test/b-2.html</loc><lastmod>2026-11-20T10:00:00Z</lastmod></url>
    <url><loc>mailto:x@tin.test</loc></url></urlset>""".encode()
    for document in (xml, gzip.compress(xml)):
        found = parse_sitemap(document, "https://tin.test/sitemap-news.xml").urls
        assert [(f.url, f.published) for f in found] == [
            ("https://tin.test/b-1.html", datetime(2026, 11, 25, 8, 0, tzinfo=VN)),
            ("https://tin.test/b-2.html", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
        ]


def test_sitemap_index_newest_first() -> None:
    xml = f"""<sitemapindex {SITEMAP_NS}>
    <sitemap><loc>https://tin.test/s-cu.xml</loc><lastmod>2026-01-01</lastmod></sitemap>
    <sitemap><loc>https://tin.test/s-khong-ngay.xml</loc></sitemap>
    <sitemap><loc>https://tin.test/s-moi.xml</loc><lastmod>2026-11-25T00:00:00+07:00</lastmod></sitemap>
    </sitemapindex>""".encode()
    sitemap = parse_sitemap(xml, "https://tin.test/sitemap.xml")
    assert sitemap.children == [
        "https://tin.test/s-moi.xml",
        "https://tin.test/s-cu.xml",
        "https://tin.test/s-khong-ngay.xml",
    ]
    assert sitemap.urls == []


def test_gzip_bomb_refused_and_entities_not_expanded() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_INFLATED + 1024) + b"</urlset>")
    with pytest.raises(ValueError, match="inflates past"):
        parse_sitemap(bomb, "https://tin.test/s.xml.gz")
    xxe = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <urlset><url><loc>https://tin.test/&x;-1.html</loc></url></urlset>"""
    urls = [f.url for f in parse_sitemap(xxe, "https://tin.test/s.xml").urls]
    assert not any("root" in url for url in urls)
