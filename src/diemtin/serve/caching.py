"""HTTP validation and an in-memory cache of rendered responses.

Every page, feed and API answer carries an ETag (a hash of its bytes) and, where the store knows when it
last changed, a Last-Modified; a request with a matching If-None-Match (or, without one, an If-Modified-Since
not older than the data) gets 304 Not Modified. Rendered bodies are kept in a bounded LRU cache, emptied
whenever the store's last-modified time moves (checked at most once a second) and whose entries expire after
``ttl`` seconds (the "Bài đọc nhiều" box changes with views, not with the data).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Generic, TypeVar

from starlette.requests import Request
from starlette.responses import Response

T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    last_modified: datetime | None
    created: float
    last_modified_http: str | None  # the Last-Modified header, formatted once


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def http_date(when: datetime) -> str:
    """RFC 9110 date in GMT; a naive value is taken as UTC."""
    moment = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy is current (If-None-Match first, If-Modified-Since only without it)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            client_time = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if client_time.tzinfo is None:
            return False
        stored = last_modified.replace(tzinfo=UTC) if last_modified.tzinfo is None else last_modified
        return stored.replace(microsecond=0) <= client_time
    return False


def respond(
    request: Request, rendered: Rendered, cache_control: str, extra: Mapping[str, str] | None = None
) -> Response:
    """The rendered body, or 304 when the client's copy is current, with the validators, Cache-Control and
    the ``extra`` headers."""
    headers = {"ETag": rendered.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if rendered.last_modified_http is not None:
        headers["Last-Modified"] = rendered.last_modified_http
    if extra:
        headers.update(extra)
    if not_modified(request, rendered.etag, rendered.last_modified):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


class ResponseCache:
    """A bounded LRU of rendered responses, emptied when the store's data changes."""

    def __init__(
        self,
        data_version: Callable[[], datetime | None],
        *,
        ttl: float = 60.0,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self._data_version = data_version
        self._ttl = ttl
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._bytes = 0
        self._version: datetime | None = None
        self._checked = -1.0

    def last_modified(self) -> datetime | None:
        """The store's last-modified time, read at most once a second; a change empties the cache."""
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._checked = now
            version = self._data_version()
            if version != self._version:
                self._version = version
                self.clear()
        return self._version

    def get(self, key: str) -> Rendered | None:
        self.last_modified()
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.created > self._ttl:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def render(self, key: str | None, body: bytes, media_type: str) -> Rendered:
        """Wrap a freshly rendered body (and keep it when ``key`` is given)."""
        version = self.last_modified()
        http_version = http_date(version) if version is not None else None
        entry = Rendered(body, media_type, etag_of(body), version, time.monotonic(), http_version)
        if key is not None and len(body) <= self._max_bytes // 16:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._bytes += len(body)
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))
        return entry

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.body)


class Memo(Generic[T]):
    """A value derived from the store (navigation, outlet list, most-read box), recomputed when the store's
    data moves or after ``ttl`` seconds, so that pages rendered in between do not ask the database again."""

    def __init__(self, compute: Callable[[], T], cache: ResponseCache, *, ttl: float) -> None:
        self._compute = compute
        self._cache = cache
        self._ttl = ttl
        self._value: tuple[datetime | None, float, T] | None = None

    def get(self) -> T:
        version = self._cache.last_modified()
        now = time.monotonic()
        if self._value is None or self._value[0] != version or now - self._value[1] > self._ttl:
            self._value = (version, now, self._compute())
        return self._value[2]

    def clear(self) -> None:
        self._value = None
