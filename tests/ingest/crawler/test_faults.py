"""Every fault the web throws is handled with a logged reason and the crawl goes on."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

ORIGIN = "https://tin-a.test"


def _url(name: str, n: int) -> str:
    return f"{ORIGIN}/su-co/bai-{name}-{n}.html"


def _then_ok(replay: Any, url: str, first: Any, title: str) -> None:
    """A route answering ``first`` once, then the article."""
    replay.article(url, title)
    ok = replay.routes[replay_key(url)]
    replay.route(url, lambda headers, asked: first if asked == 0 else ok)


def replay_key(url: str) -> tuple[str, str]:
    host, _, path = url.split("://", 1)[1].partition("/")
    return host, "/" + path


@pytest.mark.slow
def test_faults_are_logged_and_the_crawl_goes_on(replay: Any, crawl: Any, outlet: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="diemtin.crawl")
    Reply = replay.Reply
    urls = {name: _url(name, i) for i, name in enumerate(
        ["tot-mot", "tot-hai", "cham", "loi-500", "ban-503", "qua-tai-429", "vong-a", "vong-b", "khong-lo",
         "bang-ma", "anh", "mat", "chuyen"]
    )}  # fmt: skip
    replay.robots(ORIGIN, "User-agent: *\nAllow: /\n")
    replay.article(urls["tot-mot"], "Tin tốt thứ nhất")
    replay.article(urls["tot-hai"], "Tin tốt thứ hai")
    replay.article(urls["cham"], "Tin chậm", delay=3.0)
    _then_ok(replay, urls["loi-500"], Reply(500, b"oops"), "Tin sau lỗi máy chủ")
    _then_ok(replay, urls["ban-503"], Reply(503, b"busy", {"Retry-After": "1"}), "Tin sau khi máy bận")
    _then_ok(
        replay, urls["qua-tai-429"], Reply(429, b"slow down", {"Retry-After": "1"}), "Tin sau khi quá tải"
    )
    replay.route(urls["vong-a"], Reply(301, b"", {"Location": urls["vong-b"]}))
    replay.route(urls["vong-b"], Reply(302, b"", {"Location": urls["vong-a"]}))
    replay.route(
        urls["khong-lo"], Reply(200, b"", {"Content-Type": "text/html"}, stream_bytes=50 * 1024 * 1024)
    )
    page = '<html><head><meta property="article:section" content="Đời sống"><title>Tiếng Việt</title>'
    page += "</head><body><h1>Tiếng Việt có dấu đúng</h1>"
    page += (
        "<p>"
        + "Nội dung bài viết bằng tiếng Việt được mã hóa UTF-8 nhưng máy chủ khai báo sai. " * 5
        + "</p>"
    )
    replay.route(
        urls["bang-ma"], Reply(200, page.encode(), {"Content-Type": "text/html; charset=iso-8859-1"})
    )
    replay.route(urls["anh"], Reply(200, b"\x89PNG....", {"Content-Type": "image/png"}))
    target = _url("dich-den", 99)
    replay.article(target, "Tin sau chuyển hướng")
    replay.route(urls["chuyen"], Reply(301, b"", {"Location": target}))
    replay.feed(f"{ORIGIN}/rss.xml", [u for name, u in urls.items() if name != "vong-b"])

    started = time.monotonic()
    done = crawl(
        replay.options(delay=0.05, timeout=1.5, max_body_bytes=1024 * 1024, max_attempts=2),
        outlet("tin-a", "tin-a.test", feeds=[f"{ORIGIN}/rss.xml"]),
    )
    assert time.monotonic() - started < 20

    rows = dict(
        (url, (state, reason)) for url, state, reason in done.frontier.db.execute(
            "SELECT url, state, reason FROM crawl_url"
        )
    )  # fmt: skip
    stored = {hit.article.title for hit in done.store.iter_all()}
    for name in ("tot-mot", "tot-hai", "loi-500", "ban-503", "qua-tai-429"):
        assert rows[urls[name]][0] == "done", (name, rows[urls[name]])
    assert {"Tin tốt thứ nhất", "Tin sau lỗi máy chủ", "Tin sau khi máy bận", "Tin sau khi quá tải"} <= stored
    assert "Tiếng Việt có dấu đúng" in stored, "a wrong declared charset garbled the page"
    assert "Tin sau chuyển hướng" in stored

    assert rows[urls["cham"]][0] == "failed" and "timeout" in rows[urls["cham"]][1]
    assert rows[urls["khong-lo"]][0] == "failed" and "limit" in rows[urls["khong-lo"]][1]
    assert rows[urls["anh"]][0] == "failed" and "content type image/png" in rows[urls["anh"]][1]
    assert rows[urls["mat"]][0] == "failed" and rows[urls["mat"]][1] == "HTTP 404"
    loop_reasons = [rows[urls["vong-a"]][1] or "", rows[urls["vong-b"]][1] or ""]
    assert any("redirect loop" in reason for reason in loop_reasons)
    assert len(replay.hits("tin-a.test", replay_key(urls["vong-a"])[1])) == 1

    # Retry-After: nothing reached the host for a second after each 503 / 429
    log = replay.hits("tin-a.test")
    for i, hit in enumerate(log[:-1]):
        if hit.status in (429, 503):
            assert log[i + 1].start - hit.end >= 1.0 - 0.01, f"request {log[i + 1].path} ignored Retry-After"
    assert len(replay.hits("tin-a.test", replay_key(urls["khong-lo"])[1])) == 1  # a hard limit is not retried
    # a timeout is retried, within max_attempts
    assert len(replay.hits("tin-a.test", replay_key(urls["cham"])[1])) == 2

    # every fault left a logged reason
    logged = [getattr(r, "fields", {}) for r in caplog.records if r.getMessage() in ("failed", "retry")]
    reasons = " | ".join(str(f.get("reason")) for f in logged)
    for expected in (
        "timeout",
        "HTTP 500",
        "HTTP 503",
        "HTTP 429",
        "limit",
        "content type",
        "HTTP 404",
        "loop",
    ):
        assert expected in reasons, f"no logged reason mentions {expected!r}: {reasons}"
