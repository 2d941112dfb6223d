"""Ingest pipeline: page -> article -> store, idempotent runs, bad input skipped, and a run killed with
SIGKILL mid-way that the next run finishes with nothing lost and nothing stored twice."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from diemtin.article import Page
from diemtin.ingest.files import iter_pages
from diemtin.ingest.pipeline import NothingExtracted, ingest_page, ingest_pages, understand
from diemtin.store.base import SearchQuery
from diemtin.store.sqlite import SQLiteStore

DIEMTIN = Path(sys.executable).parent / "diemtin"

# Invented dumps in the aggregator layout: title, lead, body, "dd/mm/yy HH:MM GMT+7", section, tags, outlet.
BRIDGE = """Khánh thành cầu vượt sông mới nối hai huyện ven biển
(Báo Mẫu) - Sáng nay, cây cầu dài gần một cây số nối hai huyện ven biển chính thức được đưa vào sử dụng.
Cây cầu được xây dựng trong hai năm với tổng vốn đầu tư hơn năm trăm tỷ đồng từ ngân sách tỉnh và trung ương.
Người dân hai bên bờ trước đây phải đi đò hoặc vòng đường bộ hơn ba mươi cây số để sang huyện bên kia sông.
Chủ tịch tỉnh cho biết cây cầu sẽ giúp hàng hóa nông sản và hải sản của vùng được vận chuyển nhanh hơn.
Trong dịp khánh thành, tỉnh cũng khởi công tuyến đường dẫn nối cầu với quốc lộ ven biển dài mười hai cây số.
Minh Tâm
{date} GMT+7
Xã hội
Cầu,Khánh thành,Ven biển
Báo Mẫu
"""
HARVEST = """Nông dân vùng cao thu hoạch chè vụ xuân đạt năng suất cao
(Báo Mẫu) - Những ngày này, các đồi chè ở xã vùng cao rộn ràng tiếng cười của người dân vào vụ thu hoạch.
Năm nay thời tiết thuận lợi nên cây chè phát triển tốt, búp to và đều, năng suất tăng khoảng một phần năm.
Hợp tác xã thu mua toàn bộ chè búp tươi với giá ổn định, giúp bà con yên tâm chăm sóc các vụ tiếp theo.
Nhiều hộ gia đình đã đầu tư máy sao chè mini để tự chế biến, bán sản phẩm khô với giá cao hơn chè tươi.
Chính quyền xã đang hướng dẫn bà con đăng ký nhãn hiệu tập thể để đưa sản phẩm vào siêu thị ở thành phố.
Thu Hà
{date} GMT+7
Kinh tế
Chè,Vùng cao,Thu hoạch
Báo Mẫu
"""


def write(folder: Path, name: str, text: str, date: str = "12/03/24 09:15") -> Path:
    path = folder / name
    path.write_text(text.format(date=date), encoding="utf-8")
    return path


def test_understand_fills_provenance_category_and_id(tmp_path: Path) -> None:
    path = write(tmp_path, "cau.txt", BRIDGE)
    [page] = iter_pages([path])
    assert isinstance(page, Page)
    article = understand(page)
    assert article.title.startswith("Khánh thành cầu vượt sông")
    assert article.category == "thoi-su"
    assert article.id == article.compute_id()
    assert article.provenance.input == str(path)
    assert article.provenance.input_hash == page.content_hash
    assert article.provenance.input_kind == "text"


def test_empty_page_is_not_an_article() -> None:
    with pytest.raises(NothingExtracted):
        understand(Page(content=b"   \n\n  ", kind="text", origin="blank.txt"))


def test_folder_twice_is_idempotent_and_searchable(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    write(pages, "1.txt", BRIDGE)
    write(pages, "2.txt", HARVEST)
    write(pages, "3.txt", BRIDGE)  # the same page saved twice
    store = SQLiteStore(tmp_path / "news.db")
    first = ingest_pages(iter_pages([pages]), store)
    assert dict(first.statuses) == {"new": 2, "duplicate": 1}
    second = ingest_pages(iter_pages([pages]), store)
    assert dict(second.statuses) == {"unchanged": 3}
    assert store.count() == 2
    hits = store.search(SearchQuery(text="khanh thanh cau")).hits
    assert len(hits) == 1
    assert [copy.input for copy in hits[0].copies] == [str(pages / "3.txt")]
    assert store.search(SearchQuery(text="chè vùng cao", category="kinh-doanh")).total == 1
    store.close()


def test_bad_inputs_are_skipped_and_never_lose_stored_data(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    write(pages, "1.txt", BRIDGE)
    (pages / "2.txt").write_bytes(b"")
    (pages / "3.html").write_bytes(b"\x00\x01\x02 not a page \xff\xfe")
    (pages / "4.txt.gz").write_bytes(b"\x1f\x8b broken gzip")
    store = SQLiteStore(tmp_path / "news.db")
    report = ingest_pages(iter_pages([pages, tmp_path / "missing"]), store)
    assert report.statuses["new"] == 1
    assert report.statuses["failed"] + report.statuses["skipped"] == 4
    assert report.statuses["failed"] >= 2  # the broken gzip and the missing path cannot even be read
    assert {Path(origin).name for origin, _ in report.failures} == {"2.txt", "3.html", "4.txt.gz", "missing"}
    assert store.count() == 1
    # a later run over broken copies of the same input keeps the stored article
    (pages / "1.txt").write_bytes(b"\x00" * 10)
    ingest_pages(iter_pages([pages]), store)
    assert store.count() == 1
    assert store.search(SearchQuery(text="khanh thanh")).total == 1
    store.close()


def test_ingest_page_one_call(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "news.db")
    page = Page(
        content=HARVEST.format(date="12/03/24 09:15").encode("utf-8"),
        kind="text",
        origin="crawl:test",
        fetched_at=datetime(2024, 3, 12, 3, tzinfo=UTC),
    )
    result = ingest_page(page, store)
    assert result.status == "new"
    assert ingest_page(page, store).status == "unchanged"
    stored = store.get(result.article_id)
    assert stored is not None
    assert stored.story_id == result.story_id
    store.close()


# -- the evaluation corpus ---------------------------------------------------------------------------------


def _inputs(db_path: Path) -> tuple[set[str], dict[str, str]]:
    """(files stored as articles, copy file -> the file of the article it collapsed into) of a database."""
    db = sqlite3.connect(db_path)
    try:
        owner = {
            article_id: Path(path).name
            for article_id, path in db.execute(
                "SELECT a.id, json_extract(d.data, '$.provenance.input')"
                " FROM articles a JOIN article_data d ON d.n = a.n"
            )
        }
        copies = {
            Path(path).name: owner[article_id]
            for article_id, path in db.execute("SELECT article_id, input FROM copies")
        }
        counts = db.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM fts)").fetchone()
        assert counts[0] == counts[1], "full-text index out of step with the articles"
    finally:
        db.close()
    assert len(owner) == len(set(owner.values())), "one file stored as two articles"
    assert not set(copies) & set(owner.values()), "one file stored both as an article and as a copy"
    return set(owner.values()), copies


def _committed(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        db = sqlite3.connect(db_path, timeout=1)
        try:
            return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def clean_run(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baomoi-2013 folder ingested once, start to end, in this process."""
    db_path = tmp_path_factory.mktemp("clean") / "news.db"
    store = SQLiteStore(db_path)
    report = ingest_pages(iter_pages([shared / "corpus" / "baomoi-2013"]), store)
    store.close()
    assert report.statuses["failed"] == 0
    return db_path


@pytest.mark.shared
@pytest.mark.slow
def test_baomoi_exact_duplicates_match_the_gold_groups(shared: Path, clean_run: Path) -> None:
    articles, copies = _inputs(clean_run)
    assert len(articles) + len(copies) == 3045
    with (shared / "corpus" / "baomoi-2013-duplicates.tsv").open(encoding="utf-8") as handle:
        groups = list(csv.DictReader(handle, delimiter="\t"))
    duplicates = 0
    for group in groups:
        for name in group["duplicate_files"].split(","):
            assert copies[name] == group["kept_file"], name
            duplicates += 1
    assert duplicates == 329
    # beyond the byte-identical repeats, only a handful of syndicated copies collapse
    assert 2716 - 20 <= len(articles) <= 2716


@pytest.mark.shared
@pytest.mark.slow
def test_killed_run_resumes_with_nothing_lost_or_doubled(
    shared: Path, clean_run: Path, tmp_path: Path
) -> None:
    folder = shared / "corpus" / "baomoi-2013"
    db_path = tmp_path / "news.db"
    command = [str(DIEMTIN), "ingest", "--db", str(db_path), str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _committed(db_path) < 600 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = _committed(db_path)
    assert 0 < killed_at < 2700
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    articles, copies = _inputs(db_path)
    assert len(articles) + len(copies) == 3045  # every file once: nothing lost, nothing stored twice
    expected_articles, expected_copies = _inputs(clean_run)
    assert articles == expected_articles
    assert copies == expected_copies


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{title}</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-03-12T09:15:00+07:00"></head>
<body><article><h1>{title}</h1>
<p>Sáng nay, cây cầu dài gần một cây số nối hai huyện ven biển chính thức được đưa vào sử dụng
sau hai năm thi công.</p>
<p>Người dân hai bên bờ trước đây phải đi đò hoặc vòng đường bộ hơn ba mươi cây số để sang huyện
bên kia sông.</p>
<p>{extra}</p></article></body></html>"""


def _warc(path: Path, responses: list[tuple[str, str, str]]) -> Path:
    """A WARC file of HTML responses (url, WARC-Date, page)."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, when, html in responses:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(html.encode("utf-8")),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": when},
            )
            writer.write_record(record)
    return path


def test_warc_refetches_and_revisions(tmp_path: Path) -> None:
    url = "https://bao-mau.example/thoi-su/khanh-thanh-cau-123.html"
    first = PAGE.format(title="Khánh thành cầu nối hai huyện", extra="Chủ tịch tỉnh cắt băng khánh thành.")
    changed = PAGE.format(
        title="Khánh thành cầu nối hai huyện ven biển", extra="Cập nhật: hàng nghìn người dự lễ."
    )
    archive = _warc(
        tmp_path / "crawl.warc.gz",
        [
            (url, "2024-03-12T03:00:00Z", first),
            (url + "?utm_source=facebook", "2024-03-12T04:00:00Z", first),  # fetched again, unchanged
            (url, "2024-03-12T06:00:00Z", changed),  # the outlet updated the page
        ],
    )
    store = SQLiteStore(tmp_path / "news.db")
    report = ingest_pages(iter_pages([archive]), store)
    assert dict(report.statuses) == {"new": 1, "unchanged": 1, "revised": 1}
    again = ingest_pages(iter_pages([archive]), store)
    assert dict(again.statuses) == {"unchanged": 3}
    [stored] = store.latest()
    assert stored.article.title == "Khánh thành cầu nối hai huyện ven biển"
    assert stored.revision == 2
    assert stored.copies == []
    assert [old.title for old in store.revisions(stored.article.id)] == ["Khánh thành cầu nối hai huyện"]
    store.close()
