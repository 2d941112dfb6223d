"""The installed `diemtin` console script: `extract` on the demo pages and on inputs written here; `regroup`;
user errors (bad or missing databases, unwritable output, empty input) as one line on stderr, no traceback."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diemtin import export
from diemtin.article import Article, Page
from diemtin.cli import main
from diemtin.ingest import files, pipeline
from diemtin.store.base import DatabaseLost

DIEMTIN = Path(sys.executable).with_name("diemtin")
DEMO = Path(__file__).resolve().parents[1] / "src" / "diemtin" / "demo"
DEMO_PAGES = sorted(path for path in DEMO.iterdir() if path.suffix in {".html", ".txt"})
PAGE = (
    "<!DOCTYPE html><html><head><title>Bài mẫu</title></head><body><article>"
    "<h1>Bài mẫu: thư viện xã mở cửa buổi tối</h1>"
    "<p>Bài mẫu — nội dung minh họa. Thư viện xã mở cửa đến chín giờ tối để học sinh đọc sách.</p>"
    "<p>Mỗi tối có khoảng ba mươi em đến thư viện, nhiều em đi cùng cha mẹ sau bữa cơm chiều ở nhà.</p>"
    "</article></body></html>"
)


def diemtin(
    *args: str, stdin: bytes | None = None, data: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command with stdout and stderr piped (no terminal); ``data`` is DIEMTIN_DATA; no DIEMTIN_DB."""
    env = {key: value for key, value in os.environ.items() if key != "DIEMTIN_DB"}
    if data is not None:
        env["DIEMTIN_DATA"] = str(data)
    return subprocess.run(
        [str(DIEMTIN), *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return diemtin("extract", *args, stdin=stdin)


def test_demo_folder_to_json_lines() -> None:
    done = run(str(DEMO))
    assert done.returncode == 0, done.stderr
    articles = [Article.from_dict(json.loads(line)) for line in done.stdout.splitlines()]
    assert len(articles) == len(DEMO_PAGES)
    assert [Path(article.provenance.input or "").name for article in articles] == [p.name for p in DEMO_PAGES]
    assert all(article.title and article.body for article in articles)
    by_name = {Path(article.provenance.input or "").name: article for article in articles}
    copy, original = by_name["vnexpress-thoi-su-ban-luu.html"], by_name["vnexpress-thoi-su.html"]
    assert copy.id == original.id and copy.body == original.body
    assert by_name["dump-suc-khoe.txt"].provenance.input_kind == "text"
    assert "Bài mẫu — nội dung minh họa." in by_name["dump-suc-khoe.txt"].body


def test_json_array_text_and_markdown() -> None:
    page = DEMO / "nld-cau-vuot-bien.html"
    as_json = run("--format", "json", str(page), str(DEMO / "tuoitre-cau-vuot-bien.html"))
    assert as_json.returncode == 0, as_json.stderr
    titles = [item["title"] for item in json.loads(as_json.stdout)]
    assert len(titles) == 2
    for output_format in ("text", "markdown"):
        done = run("--format", output_format, str(page))
        assert done.returncode == 0, done.stderr
        assert titles[0] in done.stdout
        assert "Bài mẫu — nội dung minh họa." in done.stdout
        assert done.stdout.lstrip().startswith("# ") == (output_format == "markdown")


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = run("-o", str(out), str(DEMO / "dantri-giao-duc.html"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["category"] == "giao-duc"


def test_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    page = str(DEMO / "dantri-giao-duc.html")
    out = tmp_path / "missing" / "out.jsonl"
    done = run("-o", str(out), page)
    assert (done.returncode, done.stderr) == (1, f"Error: cannot write {out}: No such file or directory\n")
    with open("/dev/full", "w") as full:  # a disk that is full
        filled = subprocess.run(
            [str(DIEMTIN), "extract", page], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert (filled.returncode, filled.stderr) == (1, "Error: cannot write stdout: No space left on device\n")


def test_stdin_with_url() -> None:
    done = run("--url", "https://bao.example/thu-vien-xa", "-", stdin=PAGE.encode())
    assert done.returncode == 0, done.stderr
    article = json.loads(done.stdout)
    assert article["url"] == "https://bao.example/thu-vien-xa"
    assert article["title"] == "Bài mẫu: thư viện xã mở cửa buổi tối"
    assert "ba mươi em" in " ".join(article["body"])


def test_bad_pages_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "garbage.html").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "good.html").write_text(PAGE, encoding="utf-8")
    missing = tmp_path / "missing.html"
    done = run(str(missing), str(tmp_path))
    assert done.returncode == 1  # the good page is written, and the exit status says an input failed
    assert len(done.stdout.splitlines()) >= 1
    assert str(missing) in done.stderr
    assert str(tmp_path / "empty.html") in done.stderr
    assert "Traceback" not in done.stderr


def test_on_a_terminal_a_bad_page_is_a_line_of_its_own_not_glued_to_the_counter(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "good.html").write_text(PAGE, encoding="utf-8")
    master, terminal = pty.openpty()
    command = [str(DIEMTIN), "extract", str(tmp_path), "-o", str(tmp_path / "out.jsonl")]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the command has exited
        while chunk := os.read(master, 4096):
            shown += chunk
    os.close(master)
    assert process.wait(timeout=120) == 1
    lines = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode()).replace("\r", "\n").splitlines()
    assert f"{tmp_path / 'empty.html'}: cannot read: empty input" in lines
    assert any("extracting" in line for line in lines)  # the counter was shown


def test_nothing_readable_exits_non_zero(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    done = run(str(tmp_path / "missing.html"), str(tmp_path / "empty.html"))
    assert done.returncode != 0
    assert done.stdout == ""
    assert "missing.html" in done.stderr and "empty.html" in done.stderr
    assert "Traceback" not in done.stderr


def test_warc_archive(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, body, kind in [
            ("https://bao.example/a", PAGE.encode(), "text/html; charset=utf-8"),
            ("https://bao.example/logo.png", b"\x89PNG" + bytes(40), "image/png"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(body), length=len(body), http_headers=headers
            )
            writer.write_record(record)
    done = run("--format", "json", str(path))
    assert done.returncode == 0, done.stderr
    (article,) = json.loads(done.stdout)
    assert article["url"] == "https://bao.example/a"
    assert article["provenance"]["input"].startswith(f"{path}#")


@pytest.mark.parametrize("args", [["--help"], []])
def test_help_and_usage(args: list[str]) -> None:
    done = run(*args)
    if args:
        assert done.returncode == 0
        assert "Examples:" in done.stdout and "--format" in done.stdout and "WARC" in done.stdout
    else:
        assert done.returncode == 2
        assert "Missing argument" in done.stderr


def test_regroup_after_ingest_changes_nothing_and_since_limits_it(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert diemtin("ingest", "--db", db, str(DEMO)).returncode == 0
    every = diemtin("regroup", "--db", db)
    assert every.returncode == 0, every.stderr
    read = int(every.stderr.split()[0])
    assert read >= 10 and every.stderr.strip().endswith("0 changed story")  # ingest already regrouped them
    later = diemtin("regroup", "--db", db, "--since", "2100-01-01")
    assert later.stderr.strip() == "0 articles read, 0 changed story"
    assert diemtin("regroup", "--db", db, "--since", "hôm qua").returncode == 2


# every command that takes --db, with the arguments it needs besides
DB_COMMANDS = {
    "ingest": [str(DEMO / "dantri-giao-duc.html")],
    "import": ["records.jsonl"],
    "export": ["--format", "jsonl"],
    "serve": [],
    "regroup": [],
    "crawl": ["--max-pages", "1"],
    "run": [],
}
READERS = ["serve", "export", "regroup"]


@pytest.mark.parametrize("command", DB_COMMANDS)
def test_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path, command: str) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n", encoding="utf-8")
    done = diemtin(command, "--db", str(notes), *DB_COMMANDS[command], data=tmp_path)
    assert done.returncode == 1
    assert done.stderr == f"Error: cannot open database {notes}: file is not a database\n"


def test_an_unreachable_server_or_an_empty_db_option() -> None:
    url = "postgresql://nobody:secret@127.0.0.1:1/news"
    done = diemtin("export", "--db", url, "--format", "jsonl")
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: cannot open database postgresql://nobody:***@127.0.0.1:1/news: ")
    empty = diemtin("export", "--db", "", "--format", "jsonl")
    assert empty.returncode == 2
    assert "Invalid value for '--db': empty" in empty.stderr and "Traceback" not in empty.stderr


@pytest.mark.parametrize("command", READERS)
def test_readers_refuse_a_missing_database_and_create_nothing(tmp_path: Path, command: str) -> None:
    typo = tmp_path / "typo" / "tpyo.db"
    done = diemtin(command, "--db", str(typo), *DB_COMMANDS[command], data=tmp_path / "data")
    assert done.returncode == 1
    assert done.stderr == f"Error: no database at {typo}: run `diemtin ingest` first\n"
    default = diemtin(command, *DB_COMMANDS[command], data=tmp_path / "data")
    assert default.returncode == 1
    assert f"no database at {tmp_path / 'data' / 'diemtin.db'}" in default.stderr
    assert sorted(tmp_path.iterdir()) == []
    empty = tmp_path / "page.html"  # a file given by mistake: left as it is
    empty.touch()
    done = diemtin(command, "--db", str(empty), *DB_COMMANDS[command], data=tmp_path / "data")
    assert done.returncode == 1
    assert done.stderr == f"Error: no database at {empty}: the file is empty: run `diemtin ingest` first\n"
    assert empty.stat().st_size == 0


def test_writers_create_the_database_and_export_reports_an_unwritable_output(tmp_path: Path) -> None:
    db = tmp_path / "new" / "news.db"
    assert diemtin("ingest", "--db", str(db), str(DEMO / "dantri-giao-duc.html")).returncode == 0
    out = tmp_path / "missing" / "corpus.jsonl"
    for export_format in ("jsonl", "parquet"):
        done = diemtin("export", "--db", str(db), "--format", export_format, "--out", str(out))
        assert done.returncode == 1
        assert done.stderr == f"Error: cannot write {out}: no folder {out.parent}\n"
    assert diemtin("export", "--db", str(db), "--format", "jsonl").stdout.count("\n") == 1


def test_export_into_a_reader_that_stops_early_is_quiet(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert diemtin("ingest", "--db", str(db), str(DEMO)).returncode == 0
    export = subprocess.Popen(
        [str(DIEMTIN), "export", "--db", str(db), "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert export.stdout is not None and export.stderr is not None
    export.stdout.close()  # `| true`: gone before the first write (13 demo articles fit a pipe's buffer)
    assert export.wait(timeout=120) == 1
    assert export.stderr.read() == b""


def test_classify_reports_empty_input() -> None:
    empty = diemtin("classify", "-", stdin=b"  \n")
    assert (empty.returncode, empty.stdout, empty.stderr) == (1, "", "-: empty input\n")
    page = DEMO / "dantri-giao-duc.html"
    mixed = diemtin("classify", "-", str(page), stdin=b"")
    assert mixed.returncode == 1  # the page is classified, and the exit status says an input was empty
    assert mixed.stdout == f"{page}\tgiao-duc\n"


def test_extract_says_why_there_is_no_article() -> None:
    done = run("-", stdin="Chào buổi sáng".encode())
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first == "<stdin>: no article: no article text found (too short, or a list of headlines)"


def test_no_line_is_wrapped_or_cut_when_the_output_is_not_a_terminal(tmp_path: Path) -> None:
    sources = diemtin("sources", data=tmp_path)
    assert sources.returncode == 0
    assert "…" not in sources.stdout and "listings" in sources.stdout
    folder = tmp_path / ("mot-thu-muc-co-ten-rat-dai-" * 4) / "trang-chu-chi-co-tieu-de"
    folder.mkdir(parents=True)
    (folder / "trang-chu.txt").write_text("Trang chủ\n", encoding="utf-8")
    done = diemtin("ingest", "-v", "--db", str(tmp_path / "news.db"), str(folder), data=tmp_path)
    assert done.returncode == 0
    (skipped,) = [line for line in done.stderr.splitlines() if line.startswith("INFO")]
    assert str(folder / "trang-chu.txt") in skipped


def _count(db: Path) -> int:
    done = diemtin("export", "--db", str(db), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    return len(done.stdout.splitlines())


def test_ingest_of_bad_inputs_beside_good_ones_says_each_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert diemtin("ingest", "--db", str(db), str(DEMO)).returncode == 0
    before = _count(db)
    (tmp_path / "good.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "photo.html").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    cut = (
        "<html><head><title>Chợ phiên vùng cao</title></head><body><article>"
        "<h1>Chợ phiên vùng cao họp sớm</h1><p>Bài mẫu — nội dung minh họa. Chợ phiên họp từ bốn giờ sáng,"
        " người bán mang rau rừng và mật ong xuống núi từ chiều hôm trước.</p><p>Khách dưới xuôi lên chợ"
    )
    (tmp_path / "cut.html").write_text(cut, encoding="utf-8")  # broken HTML: read as far as it goes
    warc = tmp_path / "cut.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        body = PAGE.replace("buổi tối", "cả ngày").encode()
        writer.write_record(
            writer.create_warc_record(
                "https://bao.example/b", "response", payload=BytesIO(body), http_headers=headers
            )
        )
    warc.write_bytes(warc.read_bytes()[:-40])
    inputs = [
        tmp_path / name for name in ("good.html", "empty.html", "photo.html", "cut.html", "cut.warc.gz")
    ]
    done = diemtin("ingest", "--db", str(db), *map(str, inputs), str(tmp_path / "missing.html"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    failed = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert [line.split()[2].rstrip(":") for line in failed] == [
        str(tmp_path / name) for name in ("empty.html", "photo.html", "cut.warc.gz", "missing.html")
    ]
    assert done.stderr.splitlines()[-1] == "6 pages: 4 failed, 2 new"
    assert _count(db) == before + 2
    again = diemtin("ingest", "--db", str(db), str(tmp_path / "good.html"), str(DEMO))
    assert again.returncode == 0 and again.stderr.endswith("unchanged\n")
    assert _count(db) == before + 2


def test_ctrl_c_during_ingest_is_one_line_exit_130_and_keeps_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def pages_then_ctrl_c(_paths: object) -> Iterator[Page]:
        yield Page(content=PAGE.encode(), kind="html", url="https://bao.example/thu-vien-xa", origin="a.html")
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "iter_pages", pages_then_ctrl_c)
    db = tmp_path / "news.db"
    result = CliRunner().invoke(main, ["ingest", "--db", str(db), "a.html", "b.html"])
    assert result.exit_code == 130
    assert result.stderr == "interrupted after 1 pages: 1 new; what was stored is kept, run again to finish\n"
    assert _count(db) == 1


def test_ctrl_c_in_any_command_is_one_line_and_exit_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ctrl_c(_page: Page) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "understand", ctrl_c)
    (tmp_path / "good.html").write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "good.html")])
    assert (result.exit_code, result.stderr) == (130, "interrupted\n")


def test_import_of_a_bad_record_exits_1_and_stores_the_good_ones(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert diemtin("ingest", "--db", str(db), str(DEMO / "dantri-giao-duc.html")).returncode == 0
    exported = diemtin("export", "--db", str(db), "--format", "jsonl").stdout
    records = tmp_path / "records.jsonl"
    records.write_text(exported + "not json\n", encoding="utf-8")
    done = diemtin("import", "--db", str(tmp_path / "copy.db"), str(records))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "2 records: 1 failed, 1 new"


def test_crawl_of_an_unreachable_source_exits_1(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "chet.toml").write_text(
        'key = "chet"\nname = "Báo thử"\ndomains = ["127.0.0.1"]\n\n'
        '[discovery]\nfeeds = ["http://127.0.0.1:9/rss.xml"]\n',  # port 9 (discard): nothing listens
        encoding="utf-8",
    )
    done = subprocess.run(
        [str(DIEMTIN), "crawl", "--source", "chet", "--db", str(tmp_path / "news.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DIEMTIN_DATA": str(tmp_path), "DIEMTIN_ALLOW_PRIVATE": "1"},
    )
    assert done.returncode == 1
    assert "discovery_failed=1 fetched=0" in done.stdout
    assert "event=discovery-failed source=chet" in done.stderr


def test_sources_piped_are_tab_separated_lines(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "thu.toml").write_text(
        'key = "thu"\nname = "Báo Thử"\ndomains = ["bao-thu.example"]\n', encoding="utf-8"
    )
    done = diemtin("sources", data=tmp_path)
    assert done.returncode == 0
    header, *rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert header[:3] == ["source", "outlet", "domains"]
    assert all(len(row) == len(header) for row in rows)
    assert ["thu", "Báo Thử", "bao-thu.example"] in [row[:3] for row in rows]
    assert rows[[row[0] for row in rows].index("thu")][-1] == "user"


def test_crawl_says_in_one_line_when_the_shared_frontier_cannot_be_opened(
    postgres_server: Any, tmp_path: Path
) -> None:
    url = postgres_server.create_database()
    with psycopg.connect(url, autocommit=True) as connection:  # another program's table of that name
        connection.execute("CREATE TABLE crawl_url (id INTEGER)")
    for command in (["crawl"], ["run", "--port", "0"]):
        done = diemtin(*command, "--db", url, data=tmp_path)
        assert done.returncode == 1, done.stderr
        last = done.stderr.splitlines()[-1]
        assert last.startswith('Error: cannot open the crawl frontier in PostgreSQL: column "')
        assert "Traceback" not in done.stderr


def _articles_in(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM articles").fetchone()
    return int(row[0]) if row else 0


@pytest.mark.shared
@pytest.mark.slow
def test_ingest_stops_in_one_line_when_the_database_goes_away_and_a_rerun_finishes(
    postgres_server: Any, shared: Path, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for path in sorted((shared / "corpus" / "baomoi-2013").glob("*.txt"))[:400]:
        (pages / path.name).symlink_to(path)
    url = postgres_server.create_database()
    assert diemtin("ingest", "--db", url, str(pages / "11111114.txt")).returncode == 0  # the schema, made
    env = {key: value for key, value in os.environ.items() if key != "DIEMTIN_DB"}
    ingest = subprocess.Popen(
        [str(DIEMTIN), "ingest", "--db", url, str(pages)], stderr=subprocess.PIPE, text=True, env=env
    )
    deadline = time.monotonic() + 60
    while _articles_in(url) < 50 and ingest.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    with psycopg.connect(url, autocommit=True) as admin:  # the server drops the writer's connection
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert ingest.stderr is not None
    stderr = ingest.stderr.read()
    assert ingest.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "WARNING" not in stderr  # no page is blamed for it
    assert stderr.splitlines()[-1].startswith("Error: the database stopped answering (")
    assert stderr.splitlines()[-1].endswith(
        "what was committed is kept, run the same command again to finish"
    )
    kept = _articles_in(url)
    assert 50 <= kept < 400
    again = diemtin("ingest", "--db", url, str(pages))
    assert again.returncode == 0, again.stderr
    one_run = postgres_server.create_database()
    assert diemtin("ingest", "--db", one_run, str(pages)).returncode == 0
    assert _articles_in(url) == _articles_in(one_run)  # nothing lost, nothing twice


def test_a_database_lost_in_any_command_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def server_gone(*_args: object, **_kwargs: object) -> int:
        raise DatabaseLost("server closed the connection unexpectedly")

    monkeypatch.setattr(export, "export", server_gone)
    db = tmp_path / "news.db"
    made = CliRunner().invoke(main, ["ingest", "--db", str(db), str(DEMO / "dump-suc-khoe.txt")])
    assert made.exit_code == 0
    result = CliRunner().invoke(main, ["export", "--db", str(db)])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: the database stopped answering (server closed the connection unexpectedly)\n",
    )


def test_stats_of_the_demo_database_as_lines_and_as_json(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert CliRunner().invoke(main, ["ingest", "--db", db, str(DEMO)]).exit_code == 0
    figures = json.loads(CliRunner().invoke(main, ["stats", "--db", db, "--json"]).stdout)
    # one page saved twice under its URL: the same page, neither a copy nor a version
    assert figures["articles"] == sum(figures["outlets"].values()) == len(DEMO_PAGES) - 1
    assert (figures["copies"], figures["earlier_versions"]) == ({}, 0)
    assert figures["shared_stories"] == 1  # the bridge, told by Tuổi Trẻ and Người Lao Động
    assert figures["stories"] == figures["articles"] - 1
    assert figures["first"] < figures["last"] and figures["last"].endswith("+07:00")
    lines = CliRunner().invoke(main, ["stats", "--db", db]).stdout.splitlines()
    assert lines[0] == f"articles\t{figures['articles']}"
    assert f"stories\t{figures['stories']} (1 told by several outlets)" in lines
    assert all(line.count("\t") == 1 for line in lines)
    missing = CliRunner().invoke(main, ["stats", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1
