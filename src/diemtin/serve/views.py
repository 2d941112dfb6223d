"""Server-side view counting for "Bài đọc nhiều": one view per article page served to a person, bots excluded.

Views are buffered in memory and written through the Store at once (``Store.record_views``) every
``flush_every`` views or ``flush_seconds``, on one writer thread of its own (off the event loop, and one
database connection however long the server runs), and at shutdown; a busy article page costs no database
write per request.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from diemtin.store.base import Store

# User-Agent words of crawlers, link previewers, monitors and HTTP libraries; no User-Agent is a bot too.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|uptime|pingdom"
    r"|curl|wget|python|httpx|aiohttp|go-http|java/|okhttp|libwww|scrapy|wrk|ab/|siege|feed|rss|lighthouse",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or BOT_USER_AGENT.search(user_agent) is not None


class ViewCounter:
    """Collects article views and hands them to the store in batches."""

    def __init__(self, store: Store, *, flush_every: int = 500, flush_seconds: float = 5.0) -> None:
        self._store = store
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
