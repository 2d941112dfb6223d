"""ingest/records: exported JSONL and Parquet read back and loaded into another store, nothing lost."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from diemtin.article import Article, Image, Provenance
from diemtin.cli import main
from diemtin.export import export, record
from diemtin.ingest.records import Record, import_records, iter_records
from diemtin.ingest.warc import InputError
from diemtin.store.sqlite import SQLiteStore

VN = timezone(timedelta(hours=7))
FLOOD = [
    "Mưa lớn kéo dài từ chiều qua khiến nhiều tuyến đường ở trung tâm thị xã ngập sâu nửa mét.",
    "Lực lượng chức năng đã điều tiết giao thông và hỗ trợ người dân đưa xe máy qua điểm ngập.",
    "Đài khí tượng cho biết mưa sẽ giảm dần từ ngày mai nhưng vẫn cần đề phòng lốc, sét và gió giật.",
]
FAIR = [
    "Hội chợ sách mùa hè mở cửa tại công viên trung tâm với hơn hai trăm gian hàng của các nhà xuất bản.",
    "Ban tổ chức dành riêng một khu đọc sách miễn phí cho thiếu nhi vào các buổi sáng cuối tuần.",
]


def article(url: str | None, input_: str, outlet: str, title: str, body: list[str], hour: int) -> Article:
    return Article(
        url=url,
        outlet=outlet,
        category="thoi-su",
        title=title,
        lead=body[0][:40],
        body=list(body),
        authors=["Minh An"],
        published=datetime(2026, 6, 1, hour, 30, tzinfo=VN),
        images=[Image("https://bao-a.example/anh.jpg", "Đường ngập")],
        provenance=Provenance(input=input_, input_hash="abc", profile="mau"),
    )


@pytest.fixture
def source(tmp_path: Path) -> SQLiteStore:
    """A store with two reports of one flood (one a copy of the other) and one book-fair dump."""
    store = SQLiteStore(tmp_path / "source.db")
    store.add(article("https://bao-a.example/mua.html", "crawl:a", "Báo A", "Mưa lớn gây ngập", FLOOD, 18))
    store.add(article("https://bao-b.example/ngap.html", "crawl:b", "Báo B", "Mưa lớn gây ngập", FLOOD, 19))
    store.add(article(None, "dumps/1.txt", "", "Hội chợ sách mùa hè", FAIR, 9))
    yield store
    store.close()


def records_of(store: SQLiteStore) -> list[dict[str, object]]:
    """Every article of a store as its export record, without the store-specific parts."""
    rows = []
    for stored in store.iter_all():
        data = record(stored)
        del data["ingested_at"], data["story_id"]
        rows.append(data)
    return sorted(rows, key=lambda row: str(row["id"]))


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_an_export_imported_into_an_empty_store_is_the_same_corpus(
    source: SQLiteStore, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"corpus.{fmt}"
    export(source, "jsonl" if fmt == "jsonl" else "parquet", path)
    target = SQLiteStore(tmp_path / "target.db")
    try:
        report = import_records(iter_records([path]), target)
        assert report.statuses == {"new": 2}
        assert records_of(target) == records_of(source)  # copies and +07:00 times included
        (flood,) = [s for s in target.iter_all() if s.article.url == "https://bao-a.example/mua.html"]
        assert [copy.url for copy in flood.copies] == ["https://bao-b.example/ngap.html"]
        assert flood.article.published == datetime(2026, 6, 1, 18, 30, tzinfo=VN)
        assert str(flood.article.published.tzinfo) in ("UTC+07:00", "+07:00")
        assert all(target.story(s.story_id) for s in target.iter_all())  # the target's own stories
        again = import_records(iter_records([path]), target)
        assert again.statuses == {"unchanged": 2}
        assert records_of(target) == records_of(source)
    finally:
        target.close()


def test_importing_into_the_store_it_came_from_changes_nothing(source: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "corpus.parquet"
    export(source, "parquet", path)
    before = records_of(source)
    report = import_records(iter_records([path]), source)
    assert report.statuses == {"unchanged": 2}
    assert records_of(source) == before


def test_a_copy_seen_again_as_a_page_is_not_recorded_twice(source: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    export(source, "jsonl", path)
    target = SQLiteStore(tmp_path / "target.db")
    try:
        import_records(iter_records([path]), target)
        copy = article("https://bao-b.example/ngap.html", "crawl:b", "Báo B", "Mưa lớn gây ngập", FLOOD, 19)
        assert target.add(copy).status == "unchanged"
        assert sum(len(s.copies) for s in target.iter_all()) == 1
    finally:
        target.close()


def test_folders_gzip_and_bad_records_are_read_or_reported(source: SQLiteStore, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "articles"
    folder.mkdir(parents=True)
    export(source, "parquet", folder / "part-00000.zstd.parquet")
    (folder / "_SUCCESS").write_text("")
    lines = [json.dumps(record(stored), ensure_ascii=False) for stored in source.iter_all()]
    extra = tmp_path / "extra.jsonl.gz"
    with gzip.open(extra, "wt", encoding="utf-8") as stream:
        stream.write("\n".join([lines[0], "{not json", "[1, 2]", '{"published": "hôm qua"}', ""]))
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    items = list(iter_records([folder.parent, extra, tmp_path / "broken.parquet", tmp_path / "nowhere"]))
    good = [item for item in items if isinstance(item, Record)]
    bad = [item for item in items if isinstance(item, InputError)]
    assert len(good) == 3
    assert [error.path for error in bad] == [
        f"{extra}:2",
        f"{extra}:3",
        f"{extra}:4",
        str(tmp_path / "broken.parquet"),
        str(tmp_path / "nowhere"),
    ]
    assert "not JSON" in bad[0].reason and "not an article record" in bad[1].reason
    assert "no such file" in bad[-1].reason


def test_import_command_loads_and_reports(source: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    export(source, "jsonl", path)
    runner = CliRunner()
    result = runner.invoke(main, ["import", "--db", str(tmp_path / "t.db"), str(path)])
    assert result.exit_code == 0, result.output
    assert "2 records: 2 new" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("x")
    failed = runner.invoke(main, ["import", "--db", str(tmp_path / "t.db"), str(empty)])
    assert failed.exit_code == 1
    assert "1 records: 1 failed" in failed.output


def test_a_bad_line_costs_only_itself_and_records_must_look_like_articles(
    source: SQLiteStore, tmp_path: Path
) -> None:
    lines = [json.dumps(record(stored), ensure_ascii=False).encode() for stored in source.iter_all()]
    path = tmp_path / "mixed.jsonl"
    shapes = [
        b'{"foo": 1}',
        '{"title": "Tiêu đề", "body": "không phải danh sách"}'.encode(),
        b'{"title": "b\xe1o"}',
    ]
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join([lines[0], *shapes, lines[1]]) + b"\n")  # a BOM first
    items = list(iter_records([path]))
    assert [item.article.id for item in items if isinstance(item, Record)] == [
        json.loads(line)["id"] for line in lines
    ]
    reasons = [item.reason for item in items if isinstance(item, InputError)]
    assert reasons[0] == "not an article record: no title and no body"
    assert reasons[1] == "not an article record: body must be a list of texts"
    assert reasons[2].startswith("not UTF-8")


def test_a_parquet_file_of_something_else_is_refused_whole(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"a": [1, 2], "b": ["x", "y"]}), path)
    (error,) = iter_records([path])
    assert isinstance(error, InputError) and error.reason == "not a diemtin export: no body, title column"


def test_times_without_an_offset_are_vietnam_time(tmp_path: Path) -> None:
    path = tmp_path / "times.jsonl"
    rows = [
        {"title": "Một", "body": FAIR, "published": "2026-03-07T08:07:18"},
        {"title": "Hai", "body": FLOOD, "published": "2026-03-07T01:06:00+00:00"},
    ]
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    first, second = (item.article for item in iter_records([path]) if isinstance(item, Record))
    assert first.published == datetime(2026, 3, 7, 8, 7, 18, tzinfo=VN)
    assert second.published == datetime(2026, 3, 7, 8, 6, tzinfo=VN)  # the same instant, offset kept


def test_import_reads_an_export_from_stdin(source: SQLiteStore, tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(record(stored), ensure_ascii=False) for stored in source.iter_all())
    result = CliRunner().invoke(main, ["import", "--db", str(tmp_path / "piped.db"), "-"], input=lines)
    assert result.exit_code == 0, result.output
    assert "2 records: 2 new" in result.output
