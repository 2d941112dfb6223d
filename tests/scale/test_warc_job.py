"""scale/warc_job on a real local Spark: corpus pages, invented copies and bad records in, Parquet out.

Every article row must equal what the single-machine path (``understand``) gives for the same record.
One SparkSession (local[2]) and one job run serve the whole module (about 30 s with Spark's start).
"""

from __future__ import annotations

import csv
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
from diemtin.ingest.pipeline import NothingExtracted, understand
from diemtin.ingest.warc import iter_warc
from diemtin.scale.warc_job import ARTICLES, SKIPPED, Extracted, Kept, run, spark_session, stored

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


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str, status: str = "200 OK") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2026-11-20T02:00:00Z"},
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
    """One good WARC (corpus pages, a re-fetch, two mirrors, bad records) and one damaged; and the number
    of corpus pages in it."""
    good = folder / "crawl.warc.gz"
    pages = list(corpus_pages(shared))
    with good.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, html in pages:
            _response(writer, url, html, "text/html; charset=utf-8")
        _response(writer, pages[0][0], pages[0][1], "text/html; charset=utf-8")  # fetched again, unchanged
        _response(writer, MIRRORS[1], MIRRORED.replace(b"T08:00", b"T10:00"), "text/html")  # copied later
        _response(writer, MIRRORS[0], MIRRORED, "text/html; charset=utf-8")
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
        if got is None:  # the second mirror: a copy, not a row
            assert want["url"] == MIRRORS[1]
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
    assert MIRRORS[0] in urls and MIRRORS[1] not in urls
    (mirror,) = [row for row in job.rows if row["url"] == MIRRORS[0]]
    assert [copy["url"] for copy in mirror["copies"]] == [MIRRORS[1]]
    assert str(mirror["copies"][0]["input"]).startswith(str(Path(job.pages[0].origin or "").parent))
    assert all(row["copies"] == [] for row in job.rows if row["url"] != MIRRORS[0])
    assert all(row["revision"] == 1 and row["story_id"] == row["id"] for row in job.rows)
    assert job.report.articles == len(job.rows) and job.report.copies == 1


def test_bad_records_are_counted_and_listed_with_a_reason(job: JobRun) -> None:
    counts = job.report.counts
    assert counts["not HTML (image/png)"] == 1
    assert counts["HTTP status 404"] == 1
    assert counts["damaged WARC"] == 1
    assert counts["no article: a listing, section or home page, not an article"] >= 6
    no_article = sum(n for reason, n in counts.items() if reason.startswith(("no article", "failed")))
    assert len(job.skipped) == job.report.records - counts["article"]
    assert {row["reason"] for row in job.skipped} == set(counts) - {"article"}
    # the corpus pages, the re-fetch, two mirrors and two broken pages each gave an article or a reason
    assert counts["article"] + no_article == job.corpus_pages + 1 + 2 + 2


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
