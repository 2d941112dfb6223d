"""Server-side view counting for "Bài đọc nhiều": one view per article page served to a person, bots excluded.

Views are buffered in memory and written through the Store at once (``Store.record_views``) every
``flush_every`` views or ``flush_seconds``, on one writer thread of its own (off the event loop, and one
database connection however long the server runs), and at shutdown: a busy article page costs no database
write per request. The "Bài đọc nhiều" list (most views over a recent window) is read again every
``refresh_seconds`` on the same thread, so no page render waits for it.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from diemtin.store.base import Store, StoredArticle

# User-Agent words of crawlers, link previewers, monitors and HTTP libraries; no User-Agent is a bot too.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|uptime|pingdom"
    r"|curl|wget|python|httpx|aiohttp|go-http|java/|okhttp|libwww|scrapy|wrk|ab/|siege|feed|rss|lighthouse",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or BOT_USER_AGENT.search(user_agent) is not None


class ViewCounter:
    """Collects article views, hands them to the store in batches and keeps the "Bài đọc nhiều" list."""

    def __init__(
        self,
        store: Store,
        *,
        window: timedelta = timedelta(days=7),
        refresh_seconds: float = 30.0,
        most_read_size: int = 10,
        flush_every: int = 500,
        flush_seconds: float = 5.0,
    ) -> None:
        self._store = store
        self._window = window
        self._refresh_seconds = refresh_seconds
        self._most_read_size = most_read_size
        self._most_read: tuple[float, list[StoredArticle]] | None = None
        self._refresh_claimed = False
        self._flush_every = flush_every
        self._flush_seconds = flush_seconds
        self._pending: list[tuple[str, datetime]] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._flush_claimed = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diemtin-views")

    def record(self, article_id: str, user_agent: str | None) -> bool:
        """Count one view unless the client is a bot; returns whether it counted."""
        if is_bot(user_agent):
            return False
        with self._lock:
            self._pending.append((article_id, datetime.now(UTC)))
        return True

    def flush_when_due(self) -> None:
        """Hand the pending views to the writer thread when enough views or time have gathered."""
        with self._lock:
            due = len(self._pending) >= self._flush_every or (
                self._pending and time.monotonic() - self._last_flush >= self._flush_seconds
            )
            if not due or self._flush_claimed:
                return
            self._flush_claimed = True
        self._writer.submit(self.flush)

    def most_read(self) -> list[StoredArticle]:
        """The most viewed articles of the window. The first call reads them; later, a list older than
        ``refresh_seconds`` is still answered while the writer thread reads a fresh one."""
        with self._lock:
            current = self._most_read
            refresh = current is not None and time.monotonic() - current[0] > self._refresh_seconds
            refresh = refresh and not self._refresh_claimed
            if refresh:
                self._refresh_claimed = True
        if current is None:
            return self._refresh()
        if refresh:
            self._writer.submit(self._refresh)
        return current[1]

    def _refresh(self) -> list[StoredArticle]:
        """Read the list again, and drop the dated views that fell out of the window (the table stays the
        size of one window)."""
        since = datetime.now(UTC) - self._window
        self._store.forget_views(since)
        articles = self._store.most_read(since=since, limit=self._most_read_size)
        with self._lock:
            self._most_read = (time.monotonic(), articles)
            self._refresh_claimed = False
        return articles

    def close(self) -> None:
        """Write what is pending and stop the writer thread."""
        self._writer.submit(self.flush)
        self._writer.shutdown(wait=True)

    def flush(self) -> None:
        """Write every pending view to the store, in one batch."""
        with self._lock:
            pending, self._pending = self._pending, []
            self._last_flush = time.monotonic()
            self._flush_claimed = False
        if pending:
            self._store.record_views(pending)
