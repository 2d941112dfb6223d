"""WARC archive: every request and response of the crawl, appended to rotating gzip'd WARC files in the data
dir.

Each process writes its own files (``diemtin-<time>-<pid>-<n>.warc.gz``), flushed after every record pair,
so a response is on disk before the frontier marks it fetched. A record is addressed as ``<file>#<offset>``;
``read_response`` turns one back into a Page and ``scan_responses`` lists what a crashed run archived.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diemtin import __version__
from diemtin.article import Page
from diemtin.extract.sniff import detect_kind
from diemtin.ingest.crawler.fetch import Response

DEFAULT_MAX_BYTES = 1024**3
GZIP_LEVEL = 3  # ~9% larger than level 6 for half its CPU (measured on the corpus pages)


class WarcArchive:
    """Appends request/response pairs to ``directory``, starting a new file past ``max_bytes``."""

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self._serial = 0
        self._handle: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self.path: Path | None = None

    def _open(self) -> WARCWriter:
        if self._writer is not None and self._handle is not None and self._handle.tell() < self.max_bytes:
            return self._writer
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        self.path = self.directory / f"diemtin-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        self._handle = self.path.open("ab")
        self._writer = WARCWriter(BytesIO(), gzip=False)
        info = self._writer.create_warcinfo_record(
            self.path.name, {"software": f"diemtin/{__version__}", "format": "WARC File Format 1.1"}
        )
        self._handle.write(_member(info))
        self._handle.flush()
        return self._writer

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        self._writer = None

    def write(self, response: Response) -> str:
        """Archive the request and the response; returns the response record's ``<file>#<offset>``."""
        writer = self._open()
        assert self._handle is not None and self.path is not None
        date = response.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        target = response.url
        path = target.split("://", 1)[1].partition("/")[2]
        request_headers = StatusAndHeaders(
            f"GET /{path} HTTP/1.1", response.request_headers, is_http_request=True
        )
        request = writer.create_warc_record(
            target, "request", http_headers=request_headers, warc_headers_dict={"WARC-Date": date}
        )
        http_headers = StatusAndHeaders(
            f"{response.status} {response.reason}",
            [*response.headers, ("Content-Length", str(len(response.content)))],
            protocol=response.http_version or "HTTP/1.1",
        )
        record = writer.create_warc_record(
            target,
            "response",
            payload=BytesIO(response.content),
            length=len(response.content),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        request.rec_headers.add_header("WARC-Concurrent-To", record.rec_headers.get_header("WARC-Record-ID"))
        self._handle.write(_member(request))
        offset = self._handle.tell()
        self._handle.write(_member(record))
        self._handle.flush()
        return f"{self.path}#{offset}"


def _member(record: object) -> bytes:
    """One record as its own gzip member, at GZIP_LEVEL (warcio's own writer always uses level 9)."""
    buffer = BytesIO()
    WARCWriter(buffer, gzip=False).write_record(record)
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(buffer.getvalue()) + compressor.flush()


def _page(record: object, origin: str) -> Page:
    http = record.http_headers  # type: ignore[attr-defined]
    content = record.content_stream().read()  # type: ignore[attr-defined]
    date = record.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]
    fetched = datetime.fromisoformat(date.replace("Z", "+00:00")) if date else datetime.now(UTC)
    headers = {k.lower(): v for k, v in http.headers} if http else {}
    return Page(
        content=content,
        kind=detect_kind(content),  # type: ignore[arg-type]
        url=record.rec_headers.get_header("WARC-Target-URI"),  # type: ignore[attr-defined]
        fetched_at=fetched,
        status=int(http.get_statuscode()) if http else None,
        headers=headers,
        origin=origin,
    )


def page_from(response: Response, ref: str) -> Page:
    """The Page for a fetched response archived at ``ref``."""
    return Page(
        content=response.content,
        kind=detect_kind(response.content),  # type: ignore[arg-type]
        url=response.url,
        fetched_at=response.fetched_at,
        status=response.status,
        headers={k.lower(): v for k, v in response.headers},
        origin=ref,
    )


def read_response(ref: str) -> Page:
    """The Page archived at ``<file>#<offset>``."""
    path, _, offset = ref.rpartition("#")
    with open(path, "rb") as handle:
        handle.seek(int(offset))
        for record in ArchiveIterator(handle):
            return _page(record, ref)
    raise ValueError(f"no WARC record at {ref}")


def scan_responses(paths: Iterable[Path]) -> dict[str, str]:
    """Target URL -> ``<file>#<offset>`` of every complete 200 response record; a torn tail is ignored."""
    found: dict[str, str] = {}
    for path in paths:
        with path.open("rb") as handle:
            iterator = ArchiveIterator(handle)
            try:
                for record in iterator:
                    ok = record.http_headers is not None and record.http_headers.get_statuscode() == "200"
                    if record.rec_type == "response" and ok:
                        record.content_stream().read()
                        url = record.rec_headers.get_header("WARC-Target-URI")
                        found[url] = f"{path}#{iterator.get_record_offset()}"
            except Exception:  # a killed writer leaves a torn last record: everything before it counts
                continue
    return found
