"""ingest/warc: HTML responses of a WARC written here with warcio become Pages; other records are skipped."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diemtin.article import Page
from diemtin.ingest import warc
from diemtin.ingest.warc import InputError, SkippedRecord, iter_warc, iter_warc_records

PAGE = "<html><head><title>Bài mẫu</title></head><body><p>Hà Nội mở thêm tuyến buýt.</p></body></html>"


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str | None, status: str = "200 OK"
) -> None:
    headers = [("Content-Length", str(len(body)))]
    if content_type:
        headers.append(("Content-Type", content_type))
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": "2026-11-18T01:30:00Z"},
    )
    writer.write_record(record)


def write_warc(path: Path, *, gzip: bool) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "bao.example")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record("https://bao.example/a", "request", http_headers=request)
        )
        _response(writer, "https://bao.example/a", PAGE.encode(), "text/html; charset=utf-8")
        _response(writer, "https://bao.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        _response(
            writer, "https://bao.example/missing", b"<html>not found</html>", "text/html", "404 Not Found"
        )
        _response(writer, "https://bao.example/b", PAGE.replace("buýt", "tàu").encode(), None)
        _response(writer, "https://bao.example/feed.json", b'{"items": []}', "application/json")


@pytest.mark.parametrize("gzip", [True, False])
def test_html_responses_become_pages(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    write_warc(path, gzip=gzip)
    pages = list(iter_warc(path))
    assert all(isinstance(page, Page) for page in pages)
    assert [page.url for page in pages if isinstance(page, Page)] == [
        "https://bao.example/a",
        "https://bao.example/b",
    ]
    first = pages[0]
    assert isinstance(first, Page)
    assert first.kind == "html"
    assert first.status == 200
    assert first.fetched_at == datetime(2026, 11, 18, 1, 30, tzinfo=UTC)
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    assert first.content == PAGE.encode()
    file, _, offset = (first.origin or "").rpartition("#")
    assert file == str(path)
    assert int(offset) > 0


def test_skipped_responses_come_with_their_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, gzip=True)
    monkeypatch.setattr(warc, "MAX_RECORD_BYTES", 105)  # page a has 106 bytes, page b 105
    results = list(iter_warc_records(path))
    assert [item.reason if isinstance(item, SkippedRecord) else "page" for item in results] == [
        "body over 105 bytes",
        "not HTML (image/png)",
        "HTTP status 404",
        "page",
        "not HTML (application/json)",
    ]


def test_origin_offset_points_at_the_record(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, gzip=True)
    second = list(iter_warc(path))[1]
    assert isinstance(second, Page)
    offset = int((second.origin or "").rpartition("#")[2])
    with path.open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        assert record.rec_headers.get_header("WARC-Target-URI") == second.url


@pytest.mark.parametrize("gzip", [True, False])
def test_damaged_archive_gives_pages_then_an_error(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gzip=gzip)
    second = list(iter_warc(path))[1]
    assert isinstance(second, Page)
    damage_at = int((second.origin or "").rpartition("#")[2])
    data = path.read_bytes()
    path.write_bytes(data[:damage_at] + b"garbage, not a record\r\n" * 4 + data[damage_at:])
    results = list(iter_warc(path))
    assert [type(result) for result in results] == [Page, InputError]
    assert isinstance(results[1], InputError)
    assert results[1].path == str(path)
    assert "damaged WARC" in results[1].reason


@pytest.mark.parametrize("gzip", [True, False])
@pytest.mark.parametrize("cut_into", [0.1, 0.5, 0.9])
def test_archive_cut_short_keeps_the_whole_records_then_says_so(
    tmp_path: Path, gzip: bool, cut_into: float
) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gzip=gzip)
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        spans = [(records.get_record_offset(), records.get_record_length()) for _ in records]
    start, length = spans[-2]  # the second page
    path.write_bytes(path.read_bytes()[: start + int(length * cut_into)])  # a download stopped in it
    *pages, error = list(iter_warc(path))
    assert [page.url for page in pages if isinstance(page, Page)] == ["https://bao.example/a"]
    assert isinstance(error, InputError)
    assert error.path == str(path) and "damaged WARC" in error.reason and "cut short" in error.reason


def test_archive_cut_inside_record_headers_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gzip=False)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"WARC-Target-URI: https://bao.example/b")])  # a type, no URI
    *pages, error = list(iter_warc(path))
    assert [page.url for page in pages if isinstance(page, Page)] == ["https://bao.example/a"]
    assert isinstance(error, InputError) and "damaged WARC" in error.reason


@pytest.mark.parametrize("gzip", [True, False])
def test_a_whole_archive_gives_no_error(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gzip=gzip)
    assert not [result for result in iter_warc(path) if isinstance(result, InputError)]


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    (result,) = list(iter_warc(tmp_path / "none.warc.gz"))
    assert isinstance(result, InputError)
