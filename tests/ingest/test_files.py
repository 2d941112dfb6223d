"""ingest/files: files, folders, gzip, WARC and stdin become Pages; unreadable inputs become InputErrors."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diemtin.article import Page
from diemtin.ingest.files import InputError, iter_pages
from diemtin.ingest.warc import MAX_RECORD_BYTES

HTML = "<!DOCTYPE html><html><body><h1>Bài mẫu</h1><p>Hà Nội mở thêm tuyến buýt điện.</p></body></html>"
DUMP = "Thời sự\n18/11/2026 07:30Hà Nội mở thêm tuyến buýt điện\nBài mẫu — nội dung minh họa.\n"


def make_tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a.html").write_text(HTML, encoding="utf-8")
    (root / "b" / "c.txt").write_text(DUMP, encoding="utf-8")
    (root / "b" / "d.htm.gz").write_bytes(gzip.compress(HTML.encode()))
    (root / "b" / "e.txt.gz").write_bytes(gzip.compress(DUMP.encode()))
    (root / "notes.md").write_text("not an input", encoding="utf-8")
    (root / ".hidden.html").write_text(HTML, encoding="utf-8")


def test_folder_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    make_tree(tmp_path)
    pages = list(iter_pages([tmp_path]))
    assert all(isinstance(page, Page) for page in pages)
    origins = [
        Path(page.origin or "").relative_to(tmp_path).as_posix() for page in pages if isinstance(page, Page)
    ]
    assert origins == ["a.html", "b/c.txt", "b/d.htm.gz", "b/e.txt.gz"]
    kinds = [page.kind for page in pages if isinstance(page, Page)]
    assert kinds == ["html", "text", "html", "text"]
    gzipped = pages[2]
    assert isinstance(gzipped, Page)
    assert gzipped.content == HTML.encode()


def test_kind_comes_from_the_content_not_the_name(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(HTML, encoding="utf-8")
    (tmp_path / "dump.html").write_text(DUMP, encoding="utf-8")
    pages = list(iter_pages([tmp_path / "page.txt", tmp_path / "dump.html"]))
    assert [page.kind for page in pages if isinstance(page, Page)] == ["html", "text"]


def test_url_is_set_on_file_pages(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(HTML, encoding="utf-8")
    (page,) = list(iter_pages([tmp_path / "a.html"], url="https://bao.example/a"))
    assert isinstance(page, Page)
    assert page.url == "https://bao.example/a"
    assert page.origin == str(tmp_path / "a.html")


def test_bad_inputs_are_error_records(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage that is not deflate")
    (tmp_path / "good.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "nothing-here").mkdir()
    paths = [
        tmp_path / "missing.html",
        tmp_path / "empty.html",
        tmp_path / "blank.txt",
        tmp_path / "broken.html.gz",
        tmp_path / "nothing-here",
        tmp_path / "good.html",
    ]
    results = list(iter_pages(paths))
    assert [type(result) for result in results] == [InputError] * 5 + [Page]
    errors = [result for result in results if isinstance(result, InputError)]
    assert [error.path for error in errors] == [str(path) for path in paths[:5]]
    assert all(error.reason for error in errors)


def test_binary_data_is_an_error_but_a_utf16_page_is_read(tmp_path: Path) -> None:
    (tmp_path / "photo.html").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    (tmp_path / "utf16.html").write_bytes(HTML.encode("utf-16"))  # with its BOM
    binary, page = list(iter_pages([tmp_path / "photo.html", tmp_path / "utf16.html"]))
    assert isinstance(binary, InputError) and "binary" in binary.reason
    assert isinstance(page, Page) and page.kind == "html"


def test_a_file_too_big_for_a_page_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as handle:
        handle.write(HTML.encode())
        handle.truncate(MAX_RECORD_BYTES + 1)  # sparse: no disk space used
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(HTML.encode() + b" " * MAX_RECORD_BYTES, compresslevel=1))
    results = list(iter_pages([big, bomb, tmp_path]))  # the folder holds both again
    assert [type(result) for result in results] == [InputError] * 4
    assert all("too big" in result.reason for result in results if isinstance(result, InputError))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "secret.html"
    path.write_text(HTML, encoding="utf-8")
    path.chmod(0)
    (result,) = list(iter_pages([path]))
    assert isinstance(result, InputError)
    assert "permission" in result.reason


def test_warc_in_a_folder_is_read_record_by_record(tmp_path: Path) -> None:
    with (tmp_path / "crawl.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for name in ("a", "b"):
            body = HTML.encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            url = f"https://bao.example/{name}"
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(body), length=len(body), http_headers=headers
            )
            writer.write_record(record)
    (tmp_path / "a.html").write_text(HTML, encoding="utf-8")
    pages = [page for page in iter_pages([tmp_path]) if isinstance(page, Page)]
    assert [page.url for page in pages] == [None, "https://bao.example/a", "https://bao.example/b"]
    assert (pages[1].origin or "").startswith(str(tmp_path / "crawl.warc.gz") + "#")


def test_stdin(tmp_path: Path) -> None:
    script = (
        "from diemtin.ingest.files import iter_pages\n"
        "for page in iter_pages(['-']):\n"
        "    print(page.kind, page.origin, len(page.content))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=HTML.encode(), capture_output=True, check=True, timeout=60
    )
    assert done.stdout.decode().split() == ["html", "<stdin>", str(len(HTML.encode()))]
