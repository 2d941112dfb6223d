"""Headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against a live uvicorn on 127.0.0.1.

Walks the site as a reader with JavaScript off (home -> category -> article -> story -> search), checks the
seed's article page, the phone layout, and that a hostile article runs nothing with JavaScript on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from diemtin.store.base import Store

from .conftest import HOSTILE_MARK, CorpusDb

pytestmark = [pytest.mark.browser, pytest.mark.shared]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make system)")
    with sync_playwright() as driver:
        yield driver


def _context(playwright: Playwright, profile: Path, **options: Any) -> BrowserContext:
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True, **options
    )


@pytest.fixture
def no_js(playwright: Playwright, tmp_path: Path) -> Iterator[Page]:
    context = _context(playwright, tmp_path / "profile", java_script_enabled=False, locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.fixture
def with_js(playwright: Playwright, tmp_path: Path) -> Iterator[Page]:
    context = _context(playwright, tmp_path / "profile", java_script_enabled=True)
    yield context.new_page()
    context.close()


def body_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("body"))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_reader_walk_without_javascript(no_js: Page, live_server: str, corpus_db: CorpusDb, store: Store):
    page = no_js
    page.goto(live_server + "/")
    assert page.title().endswith("Điểm tin")
    page.click("nav.sections a >> nth=0")
    page.wait_for_url(re.compile(r"/chuyen-muc/"))
    category_title = page.inner_text("h1")
    assert category_title
    page.click("a.item-title >> nth=0")
    page.wait_for_url(re.compile(r"/tin/"))
    assert page.inner_text("h1")
    assert page.locator("text=Tin cùng chuyên mục").count() == 1
    seed = store.get(corpus_db.seed_id)
    assert seed is not None
    page.goto(f"{live_server}/su-kien/{quote(seed.story_id)}")
    assert seed.article.title in body_text(page)
    page.click(f'a.item-title[href="/tin/{corpus_db.seed_id}"]')
    page.wait_for_url(re.compile(corpus_db.seed_id))
    page.fill("header input[name=q]", "lãnh đạo quốc phòng")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/tim-kiem\?q="))
    assert page.locator(f'a.item-title[href="/tin/{corpus_db.seed_id}"]').count() == 1
    assert page.locator("a.item-title mark").count() > 0


def test_seed_article_page(no_js: Page, live_server: str, corpus_db: CorpusDb, shared: Path):
    gold = json.loads((shared / "corpus" / "gold" / "seed.json").read_text("utf-8"))
    page = no_js
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/tin/{corpus_db.seed_id}")
    text = body_text(page)
    assert page.inner_text("article .section").strip() == gold["category"]  # "Thế giới"
    published = datetime.fromisoformat(gold["published"])
    assert page.inner_text("article .time").strip() == published.strftime("%d/%m/%Y %H:%M")
    assert page.inner_text("h1").strip() == gold["title"]
    assert squash(page.inner_text("article .lead")) == squash(gold["lead"])
    paragraphs = [squash(p) for p in page.locator("article .body p").all_inner_texts()]
    assert paragraphs == [squash(p) for p in gold["body"]]
    assert squash(page.inner_text("article .byline")) == gold["byline_line"]  # "Theo Tuấn Anh (VietNamNet)"
    assert "Tin cùng chuyên mục" in text and "Bài đọc nhiều" in text
    shot = page.screenshot(full_page=True)
    assert len(shot) > 10_000


@pytest.mark.parametrize("query", ["lanh dao quoc phong", "lãnh đạo quốc phòng", "LÃNH ĐẠO"])
def test_search_form_finds_the_seed(no_js: Page, live_server: str, corpus_db: CorpusDb, query: str):
    page = no_js
    page.goto(live_server + "/tim-kiem")
    page.fill("form.search-form input[name=q]", query)
    page.click("form.search-form button")
    page.wait_for_url(re.compile(r"/tim-kiem\?"))
    assert page.locator(f'a.item-title[href="/tin/{corpus_db.seed_id}"]').count() == 1


def test_phone_layout_has_no_sideways_scroll(no_js: Page, live_server: str, corpus_db: CorpusDb):
    page = no_js
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ["/", f"/tin/{corpus_db.seed_id}", "/tim-kiem?q=l%C3%A3nh+%C4%91%E1%BA%A1o"]:
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)


def test_hostile_article_runs_nothing(with_js: Page, live_server: str, corpus_db: CorpusDb):
    page = with_js
    dialogs: list[str] = []
    console: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    paths = [
        f"/tin/{corpus_db.hostile_id}",
        "/",
        "/chuyen-muc/the-gioi",
        f"/tim-kiem?q={HOSTILE_MARK}",
        f"/tim-kiem?q={quote('<script>alert(1)</script>')}",
        f"/su-kien/{corpus_db.hostile_id}",
    ]
    for path in paths:
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.evaluate("document.scripts.length") == 0, path
        injected = page.evaluate(
            """() => [...document.querySelectorAll('*')].filter(el =>
                   ['IFRAME', 'SVG', 'svg', 'OBJECT', 'EMBED'].includes(el.tagName)
                   || [...el.attributes].some(a => a.name.startsWith('on')
                        || /^\\s*javascript:/i.test(a.value) && ['href', 'src', 'action'].includes(a.name))
               ).map(el => el.outerHTML.slice(0, 80))"""
        )
        assert injected == [], (path, injected)
    page.goto(f"{live_server}/tin/{corpus_db.hostile_id}")
    assert HOSTILE_MARK in page.inner_text("h1")
    page.hover("article .body")
    page.hover("article .byline")
    assert dialogs == []
    assert not [line for line in console if HOSTILE_MARK in line or "Content Security Policy" in line]
