"""scale/warc_job on a real local Spark: corpus pages, invented copies and bad records in, Parquet out.

Every article row must equal what the single-machine path (``understand``) gives for the same record, and
the articles kept with their copies what ``ingest_pages`` stores for the same pages in publication order.
One SparkSession (local[2]) and one job run serve the whole module (about 30 s with Spark's start).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diemtin import export
from diemtin.article import Page
from diemtin.group.dedup import NEAR_THRESHOLD, dedup_keys, similarity
from diemtin.ingest.pipeline import NothingExtracted, ingest_pages, understand
from diemtin.ingest.records import import_records, iter_records
from diemtin.ingest.warc import iter_warc
from diemtin.redact import redact
from diemtin.scale.warc_job import ARTICLES, SKIPPED, Extracted, Kept, run, spark_session, stored
from diemtin.store.sqlite import SQLiteStore
from diemtin.textnorm import vietnamese_share

pytestmark = pytest.mark.shared

INGESTED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# An invented article, published by two mirrors under different URLs: the first one published is the
# article, the other its copy.
MIRRORED = (
    "<html><head><title>Thành phố thử nghiệm xe buýt điện trên tuyến ven sông</title>"
    '<meta property="article:published_time" content="2026-11-20T08:00:00+07:00"></head><body><article>'
    "<h1>Thành phố thử nghiệm xe buýt điện trên tuyến ven sông</h1>"
    "<p>Từ tuần sau, mười chiếc xe buýt điện sẽ chạy thử trên tuyến ven sông dài mười hai cây số, "
    "mỗi chuyến cách nhau mười lăm phút từ sáng sớm đến chín giờ tối.</p>"
    "<p>Ban quản lý cho biết hành khách đi thử được miễn vé trong tháng đầu và có thể góp ý "
    "qua đường dây nóng về giờ chạy, điểm dừng và chỗ để xe đạp.</p>"
    "<p>Nếu kết quả tốt, thành phố dự kiến thay dần xe buýt chạy dầu trên ba tuyến nội đô vào năm tới.</p>"
    "</article></body></html>"
).encode()
MIRRORS = ("https://bao-mot.example/xe-buyt-dien-ven-song.html", "https://bao-hai.example/tin/xe-buyt-dien")


def _edit(html: bytes, published: str, *changes: tuple[str, str]) -> bytes:
    """The page published at another time ("2026-11-24T09"), with its text changed."""
    text = html.decode().replace("2026-11-20T08", published)
    for old, new in changes:
        text = text.replace(old, new)
    return text.encode()


# Invented near copies of it: one sentence rewritten four days later (a near copy, folded into the article);
# that copy edited again nine days after the article (like the copy, but out of the article's window: kept,
# as the store keeps it); and a follow-up adding a paragraph (a candidate under the threshold: kept).
_REWRITTEN = ("qua đường dây nóng", "qua ứng dụng của thành phố")
NEAR = ("https://bao-ba.example/xe-buyt-dien.html", _edit(MIRRORED, "2026-11-24T09", _REWRITTEN))
LATE = (
    "https://bao-bon.example/giao-thong/xe-buyt-dien.html",
    _edit(MIRRORED, "2026-11-29T09", _REWRITTEN, ("trên ba tuyến", "trên bốn tuyến")),
)
ADDED = (
    "<p>Sau ba ngày chạy thử, các chuyến xe buổi sáng thường kín chỗ, nhiều người mang theo xe đạp gấp "
    "để đi tiếp vào trung tâm.</p>"
)
FOLLOW_UP = (
    "https://bao-nam.example/xe-buyt-dien-dong-khach.html",
    _edit(MIRRORED, "2026-11-21T08", ("<p>Nếu", f"{ADDED}<p>Nếu")),
)
LATER_FETCH = "2026-11-30T02:00:00Z"  # the WARC date of those three: a published time after it is dropped


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str,
    status: str = "200 OK",
    date: str = "2026-11-20T02:00:00Z",
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def corpus_pages(shared: Path) -> Iterator[tuple[str, bytes]]:
    """(url, html) of every corpus HTML page, articles and listings."""
    corpus = shared / "corpus"
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["path"].startswith("html/") and row["url"]:
                yield row["url"], (corpus / row["path"]).read_bytes()


def write_warcs(folder: Path, shared: Path) -> tuple[Path, int]:
    """One good WARC (corpus pages, a re-fetch, two mirrors, three near copies, bad records) and one
    damaged; and the number of corpus pages in it."""
    good = folder / "crawl.warc.gz"
    pages = list(corpus_pages(shared))
    with good.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, html in pages:
            _response(writer, url, html, "text/html; charset=utf-8")
        _response(writer, pages[0][0], pages[0][1], "text/html; charset=utf-8")  # fetched again, unchanged
        _response(writer, MIRRORS[1], MIRRORED.replace(b"T08:00", b"T10:00"), "text/html")  # copied later
        _response(writer, MIRRORS[0], MIRRORED, "text/html; charset=utf-8")
        for url, html in (LATE, FOLLOW_UP, NEAR):  # not in publication order
            _response(writer, url, html, "text/html", date=LATER_FETCH)
        _response(writer, "https://bao-mot.example/hong", b"\x00\xff<html><bo\xfe\x00dy", "text/html")
        _response(writer, "https://bao-mot.example/latin", "Gi\u00e1 v\u00e0ng".encode("cp1258"), "text/html")
        _response(writer, "https://bao-mot.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        _response(writer, "https://bao-mot.example/mat", b"<html>gone</html>", "text/html", "404 Not Found")
    (folder / "broken.warc").write_bytes(b"garbage, not a record\r\n" * 4)
    return good, len(pages)


@dataclass
class JobRun:
    report: Any
    rows: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    pages: list[Page]
    corpus_pages: int
    out: Path


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def job(spark: SparkSession, shared: Path, tmp_path_factory: pytest.TempPathFactory) -> JobRun:
    folder = tmp_path_factory.mktemp("warcs")
    good, count = write_warcs(folder, shared)
    out = tmp_path_factory.mktemp("out") / "job"
    report = run(spark, [str(folder)], str(out), ingested_at=INGESTED)
    table = pq.read_table(out / ARTICLES)
    pages = [page for page in iter_warc(good) if isinstance(page, Page)]
    skipped = pq.read_table(out / SKIPPED).to_pylist()
    return JobRun(report, table.to_pylist(), skipped, pages, count, out)


def _single_machine(page: Page) -> dict[str, Any] | None:
    """The export row `understand` gives for the page on one machine (None: no article)."""
    try:
        article = understand(page)
    except NothingExtracted:
        return None
    one_version = Kept(Extracted(article, "", "", None), frozenset({"its content hash"}))
    return export.parquet_row(stored(one_version, INGESTED))


def test_each_article_equals_the_single_machine_one(job: JobRun) -> None:
    by_url = {row["url"]: row for row in job.rows}
    expected = [row for row in map(_single_machine, job.pages) if row is not None]
    assert len(expected) > 5  # the corpus articles and the mirrors
    inputs: dict[str, set[str]] = {}
    for want in expected:
        inputs.setdefault(want["url"], set()).add(want["provenance"]["input"])
        got = by_url.get(want["url"])
        if got is None:  # the second mirror and the near copy: copies, not rows
            assert want["url"] in (MIRRORS[1], NEAR[0])
            continue
        for name, value in want.items():
            if name == "provenance":
                for part, detail in got[name].items():  # the schema keeps some of the provenance
                    assert part == "input" or detail == value[part], (want["url"], part)
            elif name != "copies":
                assert got[name] == value, (want["url"], name)
    for url, row in by_url.items():  # a page read twice is kept once, from either record
        assert row["provenance"]["input"] in inputs[url]
    assert len(inputs[job.pages[0].url or ""]) == 2


def test_one_row_per_distinct_article_with_its_copies(job: JobRun) -> None:
    ids = [row["id"] for row in job.rows]
    assert len(ids) == len(set(ids))
    urls = [row["url"] for row in job.rows]
    assert {MIRRORS[0], LATE[0], FOLLOW_UP[0]} <= set(urls) and not {MIRRORS[1], NEAR[0]} & set(urls)
    (mirror,) = [row for row in job.rows if row["url"] == MIRRORS[0]]
    assert [copy["url"] for copy in mirror["copies"]] == sorted([MIRRORS[1], NEAR[0]])
    warcs = str(Path(job.pages[0].origin or "").parent)
    assert all(str(copy["input"]).startswith(warcs) for copy in mirror["copies"])
    assert all(row["copies"] == [] for row in job.rows if row["url"] != MIRRORS[0])
    assert all(row["revision"] == 1 and row["story_id"] == row["id"] for row in job.rows)
    assert job.report.articles == len(job.rows) and job.report.copies == 2 and job.report.near == 1


def test_near_copies_are_similar_but_not_the_same_text(job: JobRun) -> None:
    """The fixture itself: the near copy is above the threshold, the follow-up a candidate below it, and the
    late edit is a near copy of the near copy (kept only because that one is a copy)."""
    keys = {
        page.url: dedup_keys(understand(page))
        for page in job.pages
        if page.url in (MIRRORS[0], NEAR[0], LATE[0], FOLLOW_UP[0])
    }
    article, copy, follow_up = keys[MIRRORS[0]], keys[NEAR[0]], keys[FOLLOW_UP[0]]
    assert similarity(keys[LATE[0]].signature or b"", copy.signature or b"") >= NEAR_THRESHOLD
    assert article.text_key != copy.text_key
    assert similarity(article.signature or b"", copy.signature or b"") >= NEAR_THRESHOLD
    assert set(article.bands) & set(follow_up.bands)  # a candidate pair ...
    assert similarity(article.signature or b"", follow_up.signature or b"") < NEAR_THRESHOLD  # ... rejected


def _publication_order(pages: list[Page]) -> list[Page]:
    """The pages that give an article, earliest published (else fetched) first, then by canonical URL: the
    order in which the store keeps the article the job keeps (the store keeps the first one it is given)."""

    def when(page: Page) -> tuple[float, str]:
        article = understand(page)
        moment = article.published or article.provenance.fetched_at
        return moment.timestamp() if moment else math.inf, dedup_keys(article).canonical_key

    articles = []
    for page in pages:
        try:
            articles.append((when(page), page))
        except NothingExtracted:
            continue
    return [page for _, page in sorted(articles, key=lambda pair: pair[0])]


def test_same_articles_and_copies_as_ingest_into_a_store(job: JobRun, tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "news.db")
    try:
        ingest_pages(_publication_order(job.pages), store)
        expected = {
            kept.article.url: sorted(copy.url or "" for copy in kept.copies) for kept in store.iter_all()
        }
    finally:
        store.close()
    assert {row["url"]: [copy["url"] for copy in row["copies"]] for row in job.rows} == expected


def test_the_output_imported_into_a_store_gives_the_ingested_store(job: JobRun, tmp_path: Path) -> None:
    """`diemtin import OUT/articles`: the job's articles and copies, now with stories, in a store."""
    ingested, imported = SQLiteStore(tmp_path / "ingested.db"), SQLiteStore(tmp_path / "imported.db")
    try:
        ingest_pages(_publication_order(job.pages), ingested)
        report = import_records(iter_records([job.out / ARTICLES]), imported)
        assert report.statuses == {"new": len(job.rows)}

        def corpus(store: SQLiteStore) -> dict[str | None, list[str | None]]:
            return {kept.article.url: sorted(copy.url for copy in kept.copies) for kept in store.iter_all()}

        def stories(store: SQLiteStore) -> set[frozenset[str | None]]:
            return {frozenset(s.article.url for s in store.story(kept.story_id)) for kept in store.iter_all()}

        assert corpus(imported) == corpus(ingested)
        assert stories(imported) == stories(ingested)
    finally:
        ingested.close()
        imported.close()


def test_bad_records_are_counted_and_listed_with_a_reason(job: JobRun) -> None:
    counts = job.report.counts
    assert counts["not HTML (image/png)"] == 1
    assert counts["HTTP status 404"] == 1
    assert counts["damaged WARC"] == 1
    assert counts["no article: a listing, section or home page, not an article"] >= 6
    no_article = sum(n for reason, n in counts.items() if reason.startswith(("no article", "failed")))
    assert len(job.skipped) == job.report.records - counts["article"]
    assert {row["reason"] for row in job.skipped} == set(counts) - {"article"}
    # the corpus pages, the re-fetch, two mirrors, three near copies and two broken pages each gave an
    # article or a reason
    assert counts["article"] + no_article == job.corpus_pages + 1 + 2 + 3 + 2


def test_output_schema_is_the_export_schema(job: JobRun) -> None:
    table = pq.read_table(job.out / ARTICLES)
    assert table.schema.names == export.SCHEMA.names
    assert table.cast(export.SCHEMA).num_rows == len(job.rows)  # same types, list item names aside


def test_command_refuses_a_missing_input_or_an_existing_output(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from diemtin.cli import main

    runner = CliRunner()
    out = str(tmp_path / "new")
    missing = runner.invoke(main, ["spark-extract", "--out", out, str(tmp_path / "no.warc")])
    assert missing.exit_code == 1 and "no WARC file" in missing.output
    (tmp_path / "a.warc").write_bytes(b"")
    existing = runner.invoke(main, ["spark-extract", "--out", str(tmp_path), str(tmp_path / "a.warc")])
    assert existing.exit_code == 1 and "exists" in existing.output
    assert "--master" in runner.invoke(main, ["spark-extract", "--help"]).output


def test_corpus_options_keep_and_redact_what_export_would(
    spark: SparkSession, job: JobRun, shared: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "warcs"
    folder.mkdir()
    write_warcs(folder, shared)
    select = export.Selection(min_words=150, vietnamese=True)
    run(spark, [str(folder)], str(tmp_path / "out"), ingested_at=INGESTED, select=select, redact=True)
    rows = {row["id"]: row for row in pq.read_table(tmp_path / "out" / ARTICLES).to_pylist()}

    def kept(row: dict[str, Any]) -> bool:
        words = sum(len(paragraph.split()) for paragraph in row["body"])
        text = " ".join([row["title"], row["lead"], *row["body"]])
        return words >= 150 and vietnamese_share(text) >= export.VIETNAMESE_SHARE

    expected = {row["id"]: row for row in job.rows if kept(row)}
    assert 0 < len(expected) < len(job.rows)  # some are too short, or not Vietnamese
    assert rows.keys() == expected.keys()
    for article_id, row in rows.items():
        assert row["body"] == [redact(paragraph) for paragraph in expected[article_id]["body"]]
        assert row["copies"] == expected[article_id]["copies"]
