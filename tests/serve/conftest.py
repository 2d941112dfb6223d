"""A real database for the serving tests, built once by ingesting ../shared, and a live uvicorn on 127.0.0.1.

The database holds the corpus article pages (HTML, with their public URLs from MANIFEST.tsv), their text
dumps, the seed, a slice of the baomoi-2013 dumps, and one hostile article written here (script tags, on*
attributes, javascript: links in every text field, its links and its URL): nothing from an article may run.
"""

from __future__ import annotations

import csv
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import uvicorn

from diemtin.article import Article, Image, Link, Page
from diemtin.extract.sniff import detect_kind
from diemtin.ingest.pipeline import ingest_page, ingest_pages
from diemtin.serve.app import create_app
from diemtin.store import open_store
from diemtin.store.base import Store

BAOMOI_PAGES = 400
HOSTILE_MARK = "HOSTILE-7f3a"
# What a successful injection would do: open a dialog, set a global, or add an element.
HOSTILE_SCRIPT = f"window.__pwned='{HOSTILE_MARK}';alert('{HOSTILE_MARK}')"


@dataclass(slots=True)
class CorpusDb:
    path: Path
    seed_id: str
    hostile_id: str


def hostile_article() -> Article:
    """An article whose every string tries to inject markup or script."""
    script = f"<script>{HOSTILE_SCRIPT}</script>"
    return Article(
        url=f"javascript:{HOSTILE_SCRIPT}//https://example.com/",
        outlet=f"Báo Độc {script}",
        section=f'<i onclick="{HOSTILE_SCRIPT}">Thế giới</i>',
        category="the-gioi",
        title=f'Tin độc hại {HOSTILE_MARK} {script}<img src=x onerror="{HOSTILE_SCRIPT}">',
        lead=f'<a href="javascript:{HOSTILE_SCRIPT}">bấm vào đây</a> <svg onload="{HOSTILE_SCRIPT}"></svg>',
        body=[
            f'<iframe src="javascript:{HOSTILE_SCRIPT}"></iframe> Đoạn mở đầu.',
            f'Đoạn giữa "><script>{HOSTILE_SCRIPT}</script>',
            f'<div onmouseover="{HOSTILE_SCRIPT}">di chuột</div>',
            f"javascript:{HOSTILE_SCRIPT}",
        ],
        captions=[f'<img src=x onerror="{HOSTILE_SCRIPT}"> chú thích {HOSTILE_MARK}'],
        authors=[f'<b onmouseover="{HOSTILE_SCRIPT}">Kẻ Xấu</b>'],
        source=f'"><script>{HOSTILE_SCRIPT}</script>',
        published=datetime(2022, 5, 13, 9, 30, tzinfo=timezone(timedelta(hours=7))),
        tags=[f"<script>{HOSTILE_SCRIPT}</script>", "an ninh mạng"],
        images=[Image(url=f"javascript:{HOSTILE_SCRIPT}", caption=f'"><svg onload="{HOSTILE_SCRIPT}">')],
        related=[Link(title=f"<script>{HOSTILE_SCRIPT}</script>", url=f"javascript:{HOSTILE_SCRIPT}")],
    )


def _page(path: Path, url: str | None = None) -> Page:
    content = path.read_bytes()
    return Page(content=content, kind=detect_kind(content), url=url, origin=str(path))


def corpus_pages(shared: Path) -> Iterator[Page]:
    """The corpus article pages (HTML with their URLs, then their text dumps) and a slice of baomoi-2013."""
    corpus = shared / "corpus"
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    for row in rows:
        if row["kind"] == "article" and row["path"].startswith("html/"):
            yield _page(corpus / row["path"], row["url"] or None)
    for dump in sorted((corpus / "dumps").glob("*_article.txt")):
        yield _page(dump)
    for dump in sorted((corpus / "baomoi-2013").glob("*.txt"))[:BAOMOI_PAGES]:
        yield _page(dump)


@pytest.fixture(scope="session")
def corpus_db(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> CorpusDb:
    path = tmp_path_factory.mktemp("serve") / "corpus.db"
    store = open_store(path)
    try:
        report = ingest_pages(corpus_pages(shared), store)
        assert report.statuses["new"] > 100, report
        seed = ingest_page(_page(shared / "seed" / "000_79f4e5ef3a90aeb7.txt"), store)
        hostile = store.add(hostile_article())
    finally:
        store.close()
    return CorpusDb(path, seed.article_id, hostile.article_id)


@pytest.fixture(scope="session")
def store(corpus_db: CorpusDb) -> Iterator[Store]:
    opened = open_store(corpus_db.path)
    yield opened
    opened.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(store: Store) -> Iterator[str]:
    """The site under a real uvicorn on 127.0.0.1 (in a thread), as its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(store), host="127.0.0.1", port=port, access_log=False, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
