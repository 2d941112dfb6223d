"""WARC input: every HTML response record of a WARC file (plain or gzip'd) as a Page.

Pages carry the record's target URL, WARC-Date, HTTP status and headers (lower-case names), and the origin
``<path>#<offset>``. Records that are not pages (warcinfo, requests, metadata, non-HTML, error statuses,
empty bodies, bodies over MAX_RECORD_BYTES) are skipped with a logged reason; ``iter_warc_records`` also
yields each skipped response as a SkippedRecord, for jobs that count them. A damaged archive, or one cut
short (a record incomplete, or bytes after the last whole record), ends in an InputError, after the pages
read before the damage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from diemtin.article import Page
from diemtin.extract.sniff import detect_kind

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Content types that say nothing about the body: the body itself decides whether it is HTML.
UNTYPED = ("", "application/octet-stream", "text/plain", "unk")
MAX_RECORD_BYTES = (
    32 * 1024 * 1024
)  # a response body past this is skipped unread (html.py parses 6 MB at most)
READ_CHUNK = 1024 * 1024
TAIL_BYTES = 4096  # how much of what follows the last whole record is looked at


@dataclass(frozen=True, slots=True)
class InputError:
    """An input that could not be read, with the reason; runs report it and go on."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A response record that is not a page (non-HTML, error status, empty or too large), with the reason."""

    origin: str
    reason: str


def iter_warc(path: str | Path) -> Iterator[Page | InputError]:
    """The HTML response pages of one WARC file, in file order; never raises on bad content."""
    for item in iter_warc_records(path):
        if isinstance(item, SkippedRecord):
            log.info("%s: skipped, %s", item.origin, item.reason)
        else:
            yield item


def iter_warc_records(path: str | Path) -> Iterator[Page | SkippedRecord | InputError]:
    """Every response record of one WARC file as a Page or a SkippedRecord, in file order."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                response = record.rec_type == "response"
                content = record.content_stream().read(MAX_RECORD_BYTES + 1) if response else b""
                cut_short = _cut_short(record)
                offset = records.get_record_offset()  # asked after reading: asking first skips the body
                if cut_short:
                    yield InputError(name, f"damaged WARC: the record at offset {offset} is cut short")
                    return
                if response:
                    yield _page(record, content, f"{name}#{offset}")
                else:
                    log.debug("%s: skipped a %s record", name, record.rec_type)
            if _unread_tail(handle, records.offset):
                yield InputError(name, f"damaged WARC: cut short after offset {records.offset}")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:
        yield InputError(name, f"damaged WARC: {error}")
    except (AttributeError, TypeError) as error:  # warcio on headers cut short, e.g. a type but no URI
        yield InputError(name, f"damaged WARC: unreadable record headers ({error})")


def _cut_short(record: Any) -> bool:
    """Whether a record ends before the length its headers give (it is read to its end here)."""
    if record.rec_headers.get_header("Content-Length") is None:
        return True  # the file ends inside the record's headers
    while record.raw_stream.read(READ_CHUNK):
        pass
    return bool(getattr(record.raw_stream, "limit", 0))


def _unread_tail(handle: BinaryIO, end: int) -> bool:
    """Whether anything but blank lines follows the end of the last whole record (warcio stops silently at
    a record cut short by a truncated download or copy)."""
    handle.seek(end)
    return bool(handle.read(TAIL_BYTES).strip())


def _page(record: Any, content: bytes, origin: str) -> Page | SkippedRecord:
    http = record.http_headers
    status = int(http.get_statuscode()) if http and http.get_statuscode() else None
    if status is not None and not 200 <= status < 300:
        return SkippedRecord(origin, f"HTTP status {status}")
    if not content:
        return SkippedRecord(origin, "empty body")
    if len(content) > MAX_RECORD_BYTES:
        return SkippedRecord(origin, f"body over {MAX_RECORD_BYTES} bytes")
    headers = {key.lower(): value for key, value in http.headers} if http else {}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES and not (content_type in UNTYPED and detect_kind(content) == "html"):
        return SkippedRecord(origin, f"not HTML ({content_type or 'no content type'})")
    return Page(
        content=content,
        kind="html",
        url=record.rec_headers.get_header("WARC-Target-URI"),
        fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
        status=status,
        headers=headers,
        origin=origin,
    )


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
