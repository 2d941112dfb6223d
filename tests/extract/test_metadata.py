"""Structured metadata: JSON-LD, OpenGraph, article:* and itemprop, on invented pages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from selectolax.lexbor import LexborHTMLParser

from diemtin.extract.metadata import PageMetadata, read_metadata

VN = timezone(timedelta(hours=7))


def _meta(head: str, body: str = "") -> PageMetadata:
    return read_metadata(
        LexborHTMLParser(f"<html lang='vi-VN'><head>{head}</head><body>{body}</body></html>")
    )


def test_jsonld_graph_with_breadcrumb_and_article() -> None:
    meta = read_metadata(
        LexborHTMLParser(
            """<html lang="vi"><head><script type="application/ld+json">
            {"@context": "https://schema.org", "@graph": [
              {"@type": "BreadcrumbList", "itemListElement": [
                [{"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": "https://bao.vn"}],
                [{"@type": "ListItem", "position": 3, "name": "Chứng khoán", "item": "https://bao.vn/kd/ck"}],
                [{"@type": "ListItem", "position": 2, "name": "Kinh doanh", "item": "https://bao.vn/kd"}]]},
              {"@type": ["NewsArticle"], "headline": "Giá l&amp;#250;a tăng",
               "datePublished": "2026-01-05T08:52:11.000 +07:00", "dateModified": "2026-01-05T09:00:00",
               "author": [{"@type": "Person", "name": "Lan Anh"}, {"@type": "Organization", "name": "Báo"}],
               "articleSection": "Kinh doanh", "keywords": ["lúa", "giá lúa"],
               "publisher": {"@type": "Organization", "name": "Báo Mẫu"}}]}
            </script></head><body></body></html>"""
        )
    )
    assert meta.headline == "Giá lúa tăng"  # escaped twice by the CMS, decoded twice
    assert meta.breadcrumb == [("Kinh doanh", "https://bao.vn/kd"), ("Chứng khoán", "https://bao.vn/kd/ck")]
    assert meta.authors == ["Lan Anh"]  # organisations are not authors
    assert meta.published == [datetime(2026, 1, 5, 8, 52, 11, tzinfo=VN)]
    assert meta.modified == [datetime(2026, 1, 5, 9, 0, tzinfo=VN)]  # naive: Vietnamese time
    assert meta.section == "Kinh doanh"
    assert meta.keywords == ["lúa", "giá lúa"]
    assert meta.site_name == "Báo Mẫu"
    assert meta.is_article and meta.language == "vi"


def test_opengraph_and_article_meta_fill_what_jsonld_lacks() -> None:
    meta = _meta(
        '<link rel="canonical" href="https://bao.vn/bai-1.html">'
        '<meta property="og:url" content="https://m.bao.vn/bai-1.html">'
        '<meta property="og:title" content="Tiêu đề OG"><meta property="og:type" content="article">'
        '<meta property="og:site_name" content="Báo Mẫu"><meta name="description" content="Mô tả ngắn.">'
        '<meta property="article:published_time" content="2026-02-01T07:30:00+07:00">'
        '<meta property="article:modified_time" content="2026-02-01T08:00:00+07:00">'
        '<meta property="article:section" content="Thời sự">'
        '<meta name="keywords" content="a, b, , a"><title>Tiêu đề - Báo Mẫu</title>'
    )
    assert meta.url == "https://bao.vn/bai-1.html" and meta.og_url == "https://m.bao.vn/bai-1.html"
    assert meta.title == "Tiêu đề OG" and meta.html_title == "Tiêu đề - Báo Mẫu"
    assert meta.description == "Mô tả ngắn."
    assert meta.published == [datetime(2026, 2, 1, 7, 30, tzinfo=VN)]
    assert meta.modified == [datetime(2026, 2, 1, 8, 0, tzinfo=VN)]
    assert meta.section == "Thời sự" and meta.keywords == ["a", "b"]
    assert meta.is_article


def test_jsonld_dates_come_before_meta_dates() -> None:
    meta = _meta(
        '<meta property="article:published_time" content="2026-02-01T07:30:53+07:00">'
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"datePublished":"2026-02-01T07:30:00+07:00"}</script>'
    )
    assert meta.published[0] == datetime(2026, 2, 1, 7, 30, tzinfo=VN)
    assert meta.published[1] == datetime(2026, 2, 1, 7, 30, 53, tzinfo=VN)


def test_broken_jsonld_is_a_warning_not_an_error() -> None:
    meta = _meta(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ok",}</script>'
        '<script type="application/ld+json">{this is not json</script>'
        '<meta property="og:title" content="Tiêu đề dự phòng">'
    )
    assert meta.headline == "Ok"  # a trailing comma is repaired
    assert meta.title == "Tiêu đề dự phòng"
    assert meta.warnings == ["unreadable JSON-LD block skipped"]


def test_relative_canonical_is_ignored_and_nothing_found_is_empty() -> None:
    meta = _meta('<link rel="canonical" href="/bai-1.html">')
    assert meta.url is None
    assert meta.published == [] and meta.authors == [] and meta.breadcrumb == []
    assert not meta.is_article
