"""The text path on dumps rendered here: the demo pages through headless Chromium (JavaScript off, as the
corpus dumps were made), each dump read by the text path and compared with the HTML path on the same page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import diemtin
from diemtin.article import Page
from diemtin.evaluate import score_body, summarise
from diemtin.extract.html import extract_html
from diemtin.extract.text import extract_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
DEMO = Path(diemtin.__file__).parent / "demo"


def render(pages: list[Path]) -> dict[Path, str]:
    """``document.body.innerText`` of each page, every non-file request aborted."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    texts: dict[Path, str] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
        tab = context.new_page()
        tab.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
        )
        for page in pages:
            tab.goto(page.as_uri())
            texts[page] = str(tab.evaluate("document.body.innerText"))
        browser.close()
    return texts


def test_rendered_demo_pages_read_like_their_html() -> None:
    pages = sorted(DEMO.glob("*.html"))
    assert len(pages) >= 10
    scores = []
    for page, dump in render(pages).items():
        from_html = extract_html(Page(content=page.read_bytes(), kind="html"))
        from_text = extract_text(Page(content=dump.encode("utf-8"), kind="text"))
        assert from_text.title == from_html.title, page.name
        assert from_text.published == from_html.published, page.name
        assert from_text.section in {from_html.section, *from_html.section_path}, page.name
        assert from_text.authors == from_html.authors, page.name
        assert from_text.lead == from_html.lead, page.name
        scores.append(score_body(" ".join(from_text.body), " ".join(from_html.body)))
    assert summarise(scores).f1 >= 0.95
