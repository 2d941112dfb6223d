"""The frontier's states and crash recovery, with the WARC archive as the record of what was fetched; the
behavioural tests run on both backends (SQLite file, PostgreSQL tables)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from diemtin.ingest.crawler.fetch import Response
from diemtin.ingest.crawler.frontier import Frontier
from diemtin.ingest.crawler.pgfrontier import PgFrontier
from diemtin.ingest.crawler.warcwriter import WarcArchive, read_response, scan_responses

AnyFrontier = Frontier | PgFrontier


@pytest.fixture(params=["sqlite", "postgres"])
def open_frontier(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], AnyFrontier]]:
    """Opens a handle on one frontier: a SQLite file, or a new PostgreSQL database (each handle a worker)."""
    target = str(tmp_path / "f.db")
    if request.param == "postgres":
        target = request.getfixturevalue("postgres_server").create_database()
    opened: list[AnyFrontier] = []

    def open_one() -> AnyFrontier:
        opened.append(PgFrontier(target) if request.param == "postgres" else Frontier(target))
        return opened[-1]

    yield open_one
    for frontier in opened:
        frontier.close()


def _next_run(frontier: AnyFrontier, open_frontier: Callable[[], AnyFrontier]) -> AnyFrontier:
    """The frontier as the run after a crash sees it: the SQLite file is one process's (the same handle
    will do); a PostgreSQL worker that is gone leaves its claims to another."""
    if isinstance(frontier, Frontier):
        return frontier
    frontier.close()
    return open_frontier()


def _response(url: str, body: str) -> Response:
    return Response(
        url=url,
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=[("Content-Type", "text/html; charset=utf-8")],
        content=body.encode(),
        request_headers=[("Host", "tin.test"), ("User-Agent", "diemtin-test")],
        fetched_at=datetime(2026, 11, 25, 1, 2, 3, tzinfo=UTC),
        elapsed=0.01,
    )


def test_a_url_is_queued_once_and_claimed_oldest_first(open_frontier: Callable[[], Any]) -> None:
    frontier = open_frontier()
    assert frontier.add(["https://tin.test/a-1.html", "https://tin.test/b-2.html"], "tin") == 2
    assert frontier.add(["https://tin.test/a-1.html", "https://khac.test/c-3.html"], "tin") == 1
    assert set(frontier.ready_hosts()) == {"tin.test", "khac.test"}
    first = frontier.claim("tin.test")
    assert first is not None and first.url == "https://tin.test/a-1.html" and first.attempts == 1
    frontier.retry(first.url, not_before=4102444800, reason="HTTP 503")  # far in the future
    second = frontier.claim("tin.test")
    assert second is not None and second.url == "https://tin.test/b-2.html"
    assert frontier.claim("tin.test") is None
    frontier.close()


def test_recover_requeues_lost_claims_and_returns_unstored_pages(
    open_frontier: Callable[[], Any], tmp_path: Path
) -> None:
    frontier = open_frontier()
    archive = WarcArchive(tmp_path / "warc")
    urls = [f"https://tin.test/bai-{i}-{i}.html" for i in range(4)]
    frontier.add(urls, "tin")
    claims = [frontier.claim("tin.test") for _ in urls]
    assert all(claims)
    # 0: archived and committed as fetched, never ingested; 1: archived, then killed before the commit;
    # 2: killed mid-request (nothing archived); 3: done.
    frontier.mark_fetched(urls[0], 200, archive.write(_response(urls[0], "<p>không</p>")))
    ref1 = archive.write(_response(urls[1], "<p>một</p>"))
    frontier.mark_fetched(urls[3], 200, archive.write(_response(urls[3], "<p>ba</p>")))
    frontier.mark_done(urls[3])
    archive.close()
    with (tmp_path / "warc").glob("*.warc.gz").__next__().open("ab") as torn:
        torn.write(b"\x1f\x8b\x08\x00garbage of a record cut by kill -9")

    found = scan_responses(sorted((tmp_path / "warc").glob("*.warc.gz")))
    assert found[urls[1]] == ref1
    frontier = _next_run(frontier, open_frontier)
    pending = frontier.recover({u: found[u] for u in (urls[1], urls[2]) if u in found})
    assert [p.url for p in pending] == [urls[0], urls[1]]
    assert read_response(pending[1].warc).content == "<p>một</p>".encode()
    states = dict(frontier.db.execute("SELECT url, state FROM crawl_url").fetchall())
    assert states == {urls[0]: "fetched", urls[1]: "fetched", urls[2]: "queued", urls[3]: "done"}
    again = frontier.claim("tin.test")
    assert again is not None and again.url == urls[2] and again.attempts == 1  # the lost claim is not counted
    frontier.close()


def test_archived_page_reads_back_with_its_headers(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path / "warc", max_bytes=1)  # every record pair in a new file
    refs = [archive.write(_response(f"https://tin.test/x-{i}.html", f"<p>{i}</p>")) for i in range(3)]
    archive.close()
    assert len(list((tmp_path / "warc").glob("*.warc.gz"))) == 3
    page = read_response(refs[2])
    assert page.url == "https://tin.test/x-2.html" and page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8" and page.content == b"<p>2</p>"
    assert page.fetched_at == datetime(2026, 11, 25, 1, 2, 3, tzinfo=UTC)


def test_only_successful_responses_count_as_archived_for_recovery(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path / "warc")
    busy = _response("https://tin.test/ban-1.html", "<p>Máy chủ bận</p>")
    busy.status, busy.reason = 503, "Service Unavailable"
    archive.write(busy)
    ok_ref = archive.write(_response("https://tin.test/tot-2.html", "<p>tốt</p>"))
    archive.close()
    found = scan_responses(sorted((tmp_path / "warc").glob("*.warc.gz")))
    assert found == {"https://tin.test/tot-2.html": ok_ref}
