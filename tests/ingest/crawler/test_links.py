"""Article links of the corpus listing pages, scored against gold ``*.links.json`` (RULES.md "Listing
pages")."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from diemtin.ingest.crawler.canonical import canonical_url
from diemtin.ingest.crawler.links import listing_links, page_url
from diemtin.sites import profile_for

RECALL_BAR = 0.95
PRECISION_BAR = 0.90


def _gold(shared: Path) -> list[Path]:
    files = sorted((shared / "corpus" / "gold").glob("*.links.json"))
    assert len(files) >= 6
    return files


def _score(shared: Path, gold_file: Path, *, generic: bool) -> tuple[float, float, int, int]:
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    expected = [canonical_url(link["url"]) for link in gold["links"]]
    profile = None if generic else profile_for(gold["url"])
    found = listing_links((shared / "corpus" / gold["file"]).read_bytes(), gold["url"], profile)
    hits = len(set(found) & set(expected))
    return hits / max(1, len(found)), hits / len(expected), len(found), len(expected)


@pytest.mark.shared
def test_profile_selectors_meet_the_bar_on_every_listing(shared: Path) -> None:
    report = []
    for gold_file in _gold(shared):
        precision, recall, found, expected = _score(shared, gold_file, generic=False)
        report.append(f"{gold_file.name}: P={precision:.3f} R={recall:.3f} ({found} found, {expected} gold)")
        assert recall >= RECALL_BAR and precision >= PRECISION_BAR, report[-1]
    print("\n".join(report))


@pytest.mark.shared
def test_generic_finder_keeps_recall_without_a_profile(shared: Path) -> None:
    """Without a profile every gold link must still be found (precision is lower: sidebars are not known)."""
    recalls = []
    for gold_file in _gold(shared):
        precision, recall, found, expected = _score(shared, gold_file, generic=True)
        print(f"generic {gold_file.name}: P={precision:.3f} R={recall:.3f} ({found} found, {expected} gold)")
        recalls.append(recall)
    assert min(recalls) >= RECALL_BAR


@pytest.mark.shared
def test_hidden_items_are_not_taken(shared: Path) -> None:
    gold = json.loads((shared / "corpus/gold/vnexpress.net__meth04_vnexpress_list.links.json").read_text())
    page = (shared / "corpus" / gold["file"]).read_bytes()
    found = set(listing_links(page, gold["url"], profile_for(gold["url"])))
    hidden = {canonical_url(link["url"]) for link in gold["hidden_links"]}
    assert hidden and not hidden & found


@pytest.mark.shared
def test_links_command_prints_absolute_urls(shared: Path, tmp_path: Path) -> None:
    page = shared / "corpus/html/dantri.com.vn/meth04_dantri_list.html"
    assert page_url(page.read_bytes()) == "https://dantri.com.vn/kinh-doanh.htm"
    command = [str(Path(sys.executable).parent / "diemtin"), "links", str(page)]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    gold = json.loads((shared / "corpus/gold/dantri.com.vn__meth04_dantri_list.links.json").read_text())
    assert lines == [link["url"] for link in gold["links"]]
    zipped = tmp_path / "listing.html.gz"
    zipped.write_bytes(gzip.compress(page.read_bytes()))
    command[-1] = str(zipped)
    assert subprocess.run(command, capture_output=True, text=True, check=True).stdout.split() == lines
    binary = tmp_path / "listing.html"
    binary.write_bytes(b"\x00\x01" * 100)
    failed = subprocess.run([*command[:-1], str(binary)], capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stderr.startswith(f"Error: {binary}: ")


def test_generic_finder_on_an_invented_page() -> None:
    html = """<html><body><header><a href="/thoi-su/mot-bai-trong-menu-rat-dai-123456.html">menu</a></header>
    <main><a href="/xa-hoi/nguoi-dan-vui-mung-don-tet-som-123457.html">Bài 1</a>
    <a href="https://khac.test/bai-cua-trang-khac-rat-dai-123458.html">ngoài</a>
    <a href="/xa-hoi">chuyên mục</a><div class="d-none"><a
    href="/xa-hoi/bai-bi-an-di-khoi-trang-123459.html">ẩn</a></div> <a
    href="/xa-hoi/nguoi-dan-vui-mung-don-tet-som-123457.html?utm_source=x#top">Bài 1 lần nữa</a></main>
    <footer><a href="/gioi-thieu-ve-toa-soan-bao-123460.html">chân trang</a></footer></body></html>"""
    assert listing_links(html, "https://tin.test/xa-hoi") == [
        "https://tin.test/xa-hoi/nguoi-dan-vui-mung-don-tet-som-123457.html"
    ]
