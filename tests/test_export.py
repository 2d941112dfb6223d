"""Export: JSONL and Parquet carry every article with category, story id, provenance and copies."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from diemtin.article import Article, Image, Link, Provenance
from diemtin.export import Extras, Selection, Split, export
from diemtin.store.sqlite import SQLiteStore

VN = timezone(timedelta(hours=7))

BODY = [
    "Mưa lớn kéo dài từ chiều qua khiến nhiều tuyến đường ở trung tâm thành phố ngập sâu.",
    "Lực lượng chức năng đã điều tiết giao thông và hỗ trợ người dân đưa xe qua điểm ngập.",
    "Cơ quan khí tượng cho biết mưa sẽ giảm dần từ ngày mai nhưng vẫn cần đề phòng lốc sét.",
]


ENGLISH = [
    "Heavy rain since yesterday afternoon flooded many streets in the city centre, some of them deeply.",
    "Traffic police directed cars around the worst spots and helped people push their motorbikes through.",
]
CONTACT = ["Bạn đọc cần hỗ trợ xin gọi 0912 345 678 hoặc viết thư về hotro@baomau.vn trong giờ hành chính."]

STORM = ["Cơn bão mạnh đổ bộ vào bờ biển phía nam sáng nay, gió giật trên cấp mười hai."]

OTHER = [
    "Hội chợ sách mùa hè mở cửa tại công viên với hàng trăm gian hàng của các nhà xuất bản.",
    "Ban tổ chức dành riêng một khu vực đọc sách miễn phí cho thiếu nhi vào cuối tuần.",
]


def make(
    url: str | None, input_: str, outlet: str, title: str = "Mưa lớn gây ngập", body: list[str] = BODY
) -> Article:
    return Article(
        url=url,
        outlet=outlet,
        category="thoi-su",
        title=title,
        lead="Nhiều tuyến phố ngập sau cơn mưa.",
        body=list(body),
        authors=["Minh An"],
        published=datetime(2024, 6, 1, 18, 30, tzinfo=VN),
        images=[Image("https://a.vn/anh.jpg", "Đường ngập")],
        related=[Link("Tin khác", "https://a.vn/khac.html", "01/06", "same-section")],
        provenance=Provenance(input=input_, input_hash="abc", profile="mau", warnings=["thử"]),
    )


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    opened = SQLiteStore(tmp_path / "news.db")
    opened.add(make("https://a.vn/mua.html", "crawl:a", "Báo A"))
    opened.add(make("https://b.vn/mua-lon.html", "crawl:b", "Báo B"))
    opened.add(make(None, "dumps/1.txt", "Báo C", title="Hội chợ sách", body=OTHER))
    yield opened
    opened.close()


def test_jsonl_has_every_article_with_copies(store: SQLiteStore, tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    assert export(store, "jsonl", out) == 2
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2
    first = records[0]
    assert first["category"] == "thoi-su"
    assert first["story_id"]
    assert first["provenance"]["input"] == "crawl:a"
    assert first["copies"] == [{"input": "crawl:b", "url": "https://b.vn/mua-lon.html", "outlet": "Báo B"}]
    assert datetime.fromisoformat(first["published"]) == datetime(2024, 6, 1, 18, 30, tzinfo=VN)
    assert Article.from_dict(first).body == BODY
    assert records[1]["copies"] == []


def test_jsonl_to_stdout(store: SQLiteStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert export(store, "jsonl") == 2
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_parquet_round_trip(store: SQLiteStore, tmp_path: Path) -> None:
    out = tmp_path / "corpus.parquet"
    assert export(store, "parquet", out) == 2
    rows = pq.read_table(out).to_pylist()
    assert [row["title"] for row in rows] == ["Mưa lớn gây ngập", "Hội chợ sách"]
    assert rows[0]["copies"] == [{"input": "crawl:b", "url": "https://b.vn/mua-lon.html", "outlet": "Báo B"}]
    assert rows[0]["provenance"]["warnings"] == ["thử"]
    assert rows[0]["images"] == [{"url": "https://a.vn/anh.jpg", "caption": "Đường ngập"}]
    assert rows[0]["published"] == datetime(2024, 6, 1, 18, 30, tzinfo=VN)
    assert rows[1]["url"] is None


def test_bad_format_or_missing_parquet_file(store: SQLiteStore) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(store, "csv")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="--out"):
        export(store, "parquet")


def test_export_command(store: SQLiteStore, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from diemtin.cli import main

    runner = CliRunner()
    database = str(store.path)
    printed = runner.invoke(main, ["export", "--db", database, "--format", "jsonl"])
    assert printed.exit_code == 0, printed.output
    lines = [line for line in printed.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["title"] for line in lines] == ["Mưa lớn gây ngập", "Hội chợ sách"]
    out = tmp_path / "corpus.parquet"
    written = runner.invoke(main, ["export", "--db", database, "--format", "parquet", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert pq.read_table(out).num_rows == 2
    refused = runner.invoke(main, ["export", "--db", database, "--format", "parquet"])
    assert refused.exit_code != 0
    assert "--out" in refused.output


def test_export_format_defaults_to_jsonl_or_the_out_file_suffix(store: SQLiteStore, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from diemtin.cli import main

    runner = CliRunner()
    database = str(store.path)
    printed = runner.invoke(main, ["export", "--db", database])
    assert printed.exit_code == 0, printed.output
    assert [json.loads(line)["title"] for line in printed.stdout.splitlines() if line.startswith("{")] == [
        "Mưa lớn gây ngập",
        "Hội chợ sách",
    ]
    parquet, jsonl = tmp_path / "corpus.PARQUET", tmp_path / "corpus.jsonl"
    assert runner.invoke(main, ["export", "--db", database, "--out", str(parquet)]).exit_code == 0
    assert pq.read_table(parquet).num_rows == 2
    assert runner.invoke(main, ["export", "--db", database, "--out", str(jsonl)]).exit_code == 0
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == 2


def test_a_selection_exports_a_category_an_outlet_and_a_time_range(
    store: SQLiteStore, tmp_path: Path
) -> None:
    later = make("https://d.vn/bao.html", "crawl:d", "Báo D", title="Bão vào đất liền", body=STORM)
    later.category, later.published = "the-gioi", datetime(2024, 6, 3, 7, 0, tzinfo=VN)
    store.add(later)
    reports: list[tuple[int, int]] = []

    def titles(select: Selection) -> list[str]:
        out = tmp_path / "part.jsonl"
        written = export(store, "jsonl", out, select=select, progress=lambda *counts: reports.append(counts))
        lines = out.read_text(encoding="utf-8").splitlines()
        assert written == len(lines)
        return [json.loads(line)["title"] for line in lines]

    assert titles(Selection()) == ["Mưa lớn gây ngập", "Hội chợ sách", "Bão vào đất liền"]
    assert reports[-1] == (3, 3)
    assert titles(Selection(category="the-gioi")) == ["Bão vào đất liền"]
    assert reports[-1] == (3, 1)
    assert titles(Selection(outlet="Báo C")) == ["Hội chợ sách"]
    june_2 = datetime(2024, 6, 2, tzinfo=VN)
    assert titles(Selection(since=june_2)) == ["Bão vào đất liền"]
    assert titles(Selection(until=june_2)) == ["Mưa lớn gây ngập", "Hội chợ sách"]
    assert titles(Selection(category="giao-duc")) == []


def test_export_command_selects_and_shows_no_progress_when_piped(store: SQLiteStore) -> None:
    from click.testing import CliRunner

    from diemtin.cli import main

    runner = CliRunner()
    args = ["export", "--db", str(store.path), "--since", "2024-06-01", "--until", "2024-06-01"]
    day = runner.invoke(main, args)
    assert day.exit_code == 0, day.output
    assert len(day.stdout.splitlines()) == 2  # the end of the --until day is in it
    assert day.stderr == "2 articles exported\n"
    before = runner.invoke(main, ["export", "--db", str(store.path), "--until", "2024-05-31"])
    assert (before.stdout, before.stderr) == ("", "0 articles exported\n")
    wrong = runner.invoke(main, ["export", "--db", str(store.path), "--category", "khong-co"])
    assert wrong.exit_code == 2 and "khong-co" in wrong.stderr


def test_an_export_that_fails_half_way_leaves_the_earlier_file_whole(
    store: SQLiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("corpus.jsonl", "corpus.parquet"):
        out = tmp_path / name
        out.write_bytes(b"the export of yesterday")

        def broken(_stored: object, _extras: object = None) -> dict[str, object]:
            raise OSError(28, "No space left on device")

        with monkeypatch.context() as patched:
            patched.setattr("diemtin.export.record", broken)
            with pytest.raises(OSError, match="No space"):
                export(store, "parquet" if name.endswith("parquet") else "jsonl", out)
        assert out.read_bytes() == b"the export of yesterday"
        assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # no part left
        assert export(store, "parquet" if name.endswith("parquet") else "jsonl", out) == 2  # then replaced
        assert out.read_bytes() != b"the export of yesterday"


def test_a_training_corpus_selection_and_redaction(store: SQLiteStore, tmp_path: Path) -> None:
    english = make("https://e.vn/en.html", "crawl:e", "Báo E", title="Flooded streets", body=ENGLISH)
    contact = make("https://f.vn/f.html", "crawl:f", "Báo F", title="Đường dây nóng", body=CONTACT)
    store.add(english)
    store.add(contact)
    out = tmp_path / "train.jsonl"
    assert export(store, "jsonl", out, select=Selection(vietnamese=True, min_words=15), redact=True) == 3
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [record["title"] for record in records] == ["Mưa lớn gây ngập", "Hội chợ sách", "Đường dây nóng"]
    assert records[2]["body"] == [
        "Bạn đọc cần hỗ trợ xin gọi <PHONE> hoặc viết thư về <EMAIL> trong giờ hành chính."
    ]
    assert records[2]["authors"] == ["Minh An"]
    kept = store.get(contact.compute_id())
    assert kept is not None and "0912 345 678" in kept.article.body[0]  # the store keeps the original
    assert export(store, "jsonl", out, select=Selection(min_words=40)) == 1  # 57 words; the fair 39
    assert export(store, "jsonl", out, select=Selection(min_words=60)) == 0


def test_export_command_corpus_options(store: SQLiteStore) -> None:
    from click.testing import CliRunner

    from diemtin.cli import main

    store.add(make("https://e.vn/en.html", "crawl:e", "Báo E", title="Flooded streets", body=ENGLISH))
    args = ["export", "--db", str(store.path), "--vietnamese-only", "--min-words", "20", "--redact"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    titles = [json.loads(line)["title"] for line in result.stdout.splitlines()]
    assert titles == ["Mưa lớn gây ngập", "Hội chợ sách"]  # not the English report


def test_a_split_keeps_each_story_in_one_part(store: SQLiteStore, tmp_path: Path) -> None:
    # the two rain reports are one story; the book fair is another
    split = Split.parse("train=8,dev=1,test=1")
    assert split.parts == (("train", 0.8), ("dev", 0.1), ("test", 0.1))
    out = tmp_path / "corpus.parquet"
    assert export(store, "parquet", out, extras=Extras(split=split)) == 2
    table = pq.read_table(out).to_pylist()
    assert {row["split"] for row in table} <= {"train", "dev", "test"}
    assert all(row["split"] == split.of(row["story_id"]) for row in table)
    jsonl = tmp_path / "corpus.jsonl"
    export(store, "jsonl", jsonl, extras=Extras(split=split))
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [record["split"] for record in records] == [row["split"] for row in table]  # the same every time
    export(store, "jsonl", jsonl)
    assert "split" not in json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])


def test_a_text_field_on_request_in_jsonl_and_parquet(store: SQLiteStore, tmp_path: Path) -> None:
    jsonl, parquet = tmp_path / "corpus.jsonl", tmp_path / "corpus.parquet"
    export(store, "jsonl", jsonl, extras=Extras(text=True), redact=True)
    export(store, "parquet", parquet, extras=Extras(text=True, split=Split.parse("a=1,b=1")))
    first = json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert first["text"] == "\n".join(["Mưa lớn gây ngập", "Nhiều tuyến phố ngập sau cơn mưa.", *BODY])
    rows = pq.read_table(parquet).to_pylist()
    assert [row["text"] for row in rows] == [
        json.loads(line)["text"] for line in jsonl.read_text().splitlines()
    ]
    assert pq.read_schema(parquet).names[-2:] == ["text", "split"]
    export(store, "jsonl", jsonl)
    assert "text" not in json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])


def test_split_shares_hold_over_many_stories() -> None:
    split = Split.parse("train=0.8,dev=0.1,test=0.1")
    parts = [split.of(f"story-{number}") for number in range(20_000)]
    assert abs(parts.count("train") / len(parts) - 0.8) < 0.01
    assert abs(parts.count("test") / len(parts) - 0.1) < 0.01
    other = Split.parse("a=1,b=1")
    assert abs([other.of(f"story-{n}") for n in range(20_000)].count("a") / 20_000 - 0.5) < 0.015


@pytest.mark.parametrize(
    "spec", ["train", "train=0.8", "train=x,test=1", "a=1,a=1", "a=0,b=1", "a b=1,c=1", ""]
)
def test_an_unreadable_split_is_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        Split.parse(spec)


def test_export_command_split(store: SQLiteStore) -> None:
    from click.testing import CliRunner

    from diemtin.cli import main

    args = ["export", "--db", str(store.path), "--split", "train=0.9,test=0.1", "--with-text"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {record["split"] for record in records} <= {"train", "test"}
    assert all(record["text"].startswith(record["title"]) for record in records)
    refused = CliRunner().invoke(main, ["export", "--db", str(store.path), "--split", "train=0.9"])
    assert refused.exit_code == 2
    assert "--split" in refused.output and "two or more parts" in refused.output
