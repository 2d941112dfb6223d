"""What only the PostgreSQL store has to show (its shared behaviours run in test_store.py): batches seen by
other connections, two writers racing on one page or one text, the schema version and its upgrade, and the
whole path from ``diemtin ingest --db postgresql://...`` to the web page of the seed article."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient

from diemtin.article import Article, Provenance
from diemtin.serve.app import create_app
from diemtin.store import open_store, sqlbase
from diemtin.store.base import DatabaseLost, SearchQuery
from diemtin.store.postgres import SCHEMA_VERSION, PostgresStore

# Invented text, long enough (over 30 syllables) to be recognised as the same text under another URL.
HARBOUR = [
    "Cảng cá ven biển vừa hoàn thành việc nạo vét luồng lạch sau nhiều tháng thi công liên tục.",
    "Ngư dân cho biết tàu thuyền giờ đây ra vào thuận tiện hơn, kể cả khi nước ròng vào sáng sớm.",
    "Ban quản lý cảng dự kiến mở thêm một khu neo đậu tránh trú bão trước mùa mưa năm nay.",
]


def page(url: str, body: list[str] = HARBOUR, title: str = "Cảng cá nạo vét xong luồng") -> Article:
    made = Article(url=url, title=title, body=list(body), outlet="Báo Mẫu", provenance=Provenance(input=url))
    made.id = made.compute_id()
    return made


@pytest.fixture
def url(postgres_server: Any) -> str:
    database: str = postgres_server.create_database()
    return database


def test_batch_commits_in_groups_and_a_failed_write_leaves_nothing(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlbase, "BATCH_SECONDS", 60.0)
    store = PostgresStore(url)
    with psycopg.connect(url, autocommit=True) as other:
        with store.batch():
            store.add(page("https://a.vn/1.html"))
            with pytest.raises(RuntimeError), store._transaction() as db:
                db.execute("INSERT INTO view_hours (hour, article_id, hits) VALUES (0, 'y', 1)")
                raise RuntimeError("a write that fails half-way")
            store.add(page("https://a.vn/2.html", ["Một tin ngắn khác."]))
            assert other.execute("SELECT count(*) FROM articles").fetchone() == (0,)  # not committed yet
        assert other.execute("SELECT count(*) FROM articles").fetchone() == (2,)
        assert other.execute("SELECT count(*) FROM view_hours").fetchone() == (0,)
    store.close()


def _drop_other_connections(url: str) -> None:
    """What a server restart does to clients: every other connection to the database is closed."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_a_dropped_connection_stops_a_batch_and_the_store_connects_again(url: str) -> None:
    store = PostgresStore(url)
    first = store.add(page("https://a.vn/1.html"))
    _drop_other_connections(url)
    assert store.get(first.article_id) is not None  # the read that finds the connection gone reads again
    _drop_other_connections(url)
    assert store.search(SearchQuery("cang ca")).total == 1
    with pytest.raises(DatabaseLost, match="terminat"), store.batch():
        store.add(page("https://a.vn/2.html", ["Một tin ngắn khác."]))
        _drop_other_connections(url)  # mid-batch: the uncommitted add is gone with the connection
        store.add(page("https://a.vn/3.html", ["Tin thứ ba, cũng ngắn."]))
    assert store.count() == 1
    assert store.add(page("https://a.vn/2.html", ["Một tin ngắn khác."])).status == "new"  # a rerun redoes it
    store.close()


def test_a_read_while_the_server_is_away_raises_database_lost_and_a_read_after_it_is_back_works(
    url: str,
) -> None:
    store = PostgresStore(url)
    first = store.add(page("https://a.vn/1.html"))
    store.url = "postgresql://127.0.0.1:1/gone"  # where the server was: nothing listens now
    _drop_other_connections(url)
    with pytest.raises(DatabaseLost):
        store.latest()
    on_another_thread: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(store.count, on_another_thread))  # no connection yet
    reader.start()
    reader.join()
    assert [type(error) for error in on_another_thread] == [DatabaseLost]
    store.url = url  # the server is back
    assert [stored.article.id for stored in store.latest()] == [first.article_id]
    store.close()


def test_reading_every_article_rides_over_a_dropped_connection_between_pages(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlbase, "READ_PAGE", 2)
    store = PostgresStore(url)
    for n, line in enumerate(HARBOUR):
        store.add(page(f"https://a.vn/{n}.html", [line], title=f"Tin ngắn số {n}"))
    every = [stored.article.id for stored in store.iter_all()]
    assert len(every) == 3  # two pages
    reading = store.iter_all()
    first = next(reading)
    _drop_other_connections(url)  # as the export reads on, the server restarts
    assert [first.article.id] + [stored.article.id for stored in reading] == every
    store.close()


def _catch(call: Any, errors: list[BaseException]) -> None:
    try:
        call()
    except BaseException as error:
        errors.append(error)


def test_a_lost_connection_inside_a_batch_with_writes_is_not_read_again(url: str) -> None:
    store = PostgresStore(url)
    with pytest.raises(DatabaseLost), store.batch():
        store.add(page("https://a.vn/1.html"))
        _drop_other_connections(url)
        store.count()  # reading again would hide that the add above went with the connection
    assert store.count() == 0
    store.close()


def test_a_revision_keeps_its_text_key_unless_another_article_holds_that_text(url: str) -> None:
    store = PostgresStore(url)
    store.add(page("https://a.vn/1.html"))
    assert (
        store.add(page("https://a.vn/1.html", title="Cảng cá xong luồng")).status == "revised"
    )  # title only
    assert store.add(page("https://b.vn/2.html")).status == "duplicate"  # still found by its text
    other = page("https://c.vn/3.html", ["Một tin ngắn khác."])
    store.add(other)
    assert store.add(page("https://c.vn/3.html")).status == "revised"  # now holds the text of a.vn/1
    assert store.count() == 2
    with psycopg.connect(url) as db:
        keys = db.execute("SELECT url, text_key IS NOT NULL FROM articles ORDER BY n").fetchall()
    assert keys == [("https://a.vn/1.html", True), ("https://c.vn/3.html", False)]
    store.close()


@pytest.mark.parametrize(
    ("second_url", "expected"),
    [("https://a.vn/cang-ca.html?utm_source=x", "unchanged"), ("https://b.vn/cang.html", "duplicate")],
    ids=["same-page", "same-text"],
)
def test_two_writers_racing_store_one_article(
    url: str, monkeypatch: pytest.MonkeyPatch, second_url: str, expected: str
) -> None:
    """The second writer looks before the first commits, so only the unique keys can stop a second row."""
    monkeypatch.setattr(sqlbase, "BATCH_SECONDS", 60.0)
    first, second = PostgresStore(url), PostgresStore(url)
    results: list[str] = []
    racer = threading.Thread(target=lambda: results.append(second.add(page(second_url)).status))
    with first.batch():
        assert first.add(page("https://a.vn/cang-ca.html")).status == "new"
        racer.start()
        time.sleep(0.5)  # the second writer's insert now waits for this batch's commit
    racer.join(timeout=30)
    assert results == [expected]
    assert first.count() == 1
    stored = first.latest()[0]
    assert [copy.url for copy in stored.copies] == ([second_url] if expected == "duplicate" else [])
    first.close()
    second.close()


FERRY = [
    "Bến phà mới bên kia sông bắt đầu đón khách từ sáng thứ hai sau ba tháng xây dựng gấp rút.",
    "Mỗi chuyến phà chở được hai mươi ô tô và vài trăm xe máy, chạy liên tục từ năm giờ sáng.",
    "Chính quyền huyện cho biết giá vé giữ nguyên như bến cũ trong suốt năm đầu tiên hoạt động.",
]


def test_two_writers_whose_batches_wait_for_each_other_both_finish(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each writer's open batch holds a new text the other then stores again under another URL: each insert
    waits for the other batch, PostgreSQL cancels one, which commits its batch and tries again."""
    monkeypatch.setattr(sqlbase, "BATCH_SECONDS", 60.0)
    stores = PostgresStore(url), PostgresStore(url)
    both_added = threading.Barrier(2, timeout=30)
    outcomes: dict[int, list[str] | BaseException] = {}

    def writer(me: int) -> None:
        mine, theirs = (HARBOUR, FERRY) if me == 0 else (FERRY, HARBOUR)
        try:
            with stores[me].batch():
                first = stores[me].add(page(f"https://w{me}.vn/1.html", mine)).status
                both_added.wait()
                second = stores[me].add(page(f"https://w{me}.vn/2.html", theirs)).status
            outcomes[me] = [first, second]
        except BaseException as error:
            outcomes[me] = error

    threads = [threading.Thread(target=writer, args=(me,)) for me in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {0: ["new", "duplicate"], 1: ["new", "duplicate"]}
    assert stores[0].count() == 2
    assert sorted(len(stored.copies) for stored in stores[0].latest()) == [1, 1]
    for store in stores:
        store.close()


def test_schema_is_created_once_and_a_newer_one_is_refused(url: str) -> None:
    PostgresStore(url).close()
    store = PostgresStore(url)  # opening again keeps the data and the version
    store.add(page("https://a.vn/1.html"))
    store.close()
    with psycopg.connect(url, autocommit=True) as db:
        assert db.execute("SELECT version FROM diemtin_schema").fetchall() == [(SCHEMA_VERSION,)]
        db.execute("UPDATE diemtin_schema SET version = 99")
    with pytest.raises(ValueError, match="schema 99"):
        PostgresStore(url)


def test_a_long_phrase_whose_word_pairs_are_apart_is_no_match(url: str) -> None:
    """Every pair of "cang ca map" is in the text, but not side by side: the search keys alone would match."""
    store = PostgresStore(url)
    store.add(page("https://a.vn/1.html", [*HARBOUR, "Ngư dân thấy cá mập gần bờ."]))
    assert store.search(SearchQuery(text='"cang ca map"')).total == 0
    assert store.search(SearchQuery(text='"thay ca map gan"')).total == 1
    assert store.search(SearchQuery(text='"ca map" "cang ca"')).total == 1
    store.close()


def test_schema_1_database_gets_search_keys_on_open(url: str) -> None:
    """A schema-1 database (search rows with category and outlet, a GIN index on the document) is upgraded."""
    store = PostgresStore(url)
    store.add(page("https://a.vn/1.html"))
    credited = page("https://b.vn/2.html", ["Một tin ngắn khác về cảng cá."], title="Tin khác")
    credited.outlet, credited.source = None, "Báo Nguồn"
    store.add(credited)
    store.close()
    with psycopg.connect(url, autocommit=True) as db:  # back to schema 1, as its store left it
        db.execute("UPDATE articles SET outlet = NULL WHERE outlet = 'Báo Nguồn'")
        db.execute(
            "ALTER TABLE search ADD COLUMN category TEXT, ADD COLUMN outlet TEXT, DROP COLUMN keys;"
            " UPDATE search s SET category = a.category, outlet = a.outlet FROM articles a WHERE a.n = s.n;"
            " CREATE INDEX search_category ON search(category, n);"
            " CREATE INDEX search_outlet ON search(outlet, n);"
            " CREATE INDEX search_doc ON search USING gin(doc);"
            " DROP FUNCTION search_keys, search_filter_keys; UPDATE diemtin_schema SET version = 1;"
            " DROP TABLE view_hours, headings;"
            " CREATE TABLE views (article_id TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)"
        )
        first = db.execute("SELECT id FROM articles ORDER BY n LIMIT 1").fetchone()[0]
        db.execute("INSERT INTO views VALUES (%s, 7200.5), (%s, 10799), (%s, 10800)", (first,) * 3)
    upgraded = PostgresStore(url)
    assert upgraded.search(SearchQuery(text='"nạo vét luồng"', outlet="Báo Mẫu")).total == 1
    assert upgraded.search(SearchQuery(text='"cang ca"')).total == 2
    assert upgraded.search(SearchQuery(text='"ca cang"')).total == 0
    assert upgraded.search(SearchQuery(text="cang", outlet="Báo Khác")).total == 0
    assert upgraded.outlets() == [("Báo Mẫu", 1), ("Báo Nguồn", 1)]  # listed under the outlet it credits
    assert upgraded.search(SearchQuery(text="cang", outlet="Báo Nguồn")).total == 1
    upgraded.close()
    with psycopg.connect(url) as db:
        assert db.execute("SELECT version FROM diemtin_schema").fetchall() == [(SCHEMA_VERSION,)]
        assert db.execute("SELECT to_regclass('search_1')").fetchone() == (None,)
        marked = "SELECT bool_and(EXISTS (SELECT 1 FROM unnest(keys) k WHERE k LIKE '~%%')) FROM search"
        assert db.execute(marked).fetchone() == (True,)  # each row has the keys of its words with marks
        hours = db.execute("SELECT hour, article_id, hits FROM view_hours ORDER BY hour").fetchall()
        assert hours == [(2, first, 2), (3, first, 1)]  # one row per view became a count per hour


@pytest.mark.shared
@pytest.mark.slow
def test_schema_4_database_gets_the_marked_words_of_its_headings_on_open(url: str) -> None:
    """A schema-4 database (no ``headings``: the accent boost read the stored JSON) is upgraded on open, and
    the article whose title holds "bão" as typed ranks first again."""
    store = PostgresStore(url)
    passing = store.add(page("https://a.vn/1.html", title="Báo cáo bảo vệ luồng lạch"))
    storm = store.add(
        page("https://a.vn/2.html", ["Bão mạnh lên trong đêm, gió giật cấp mười."], title="Bão")
    )
    store.close()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DROP TABLE headings; UPDATE diemtin_schema SET version = 4")
    upgraded = PostgresStore(url)
    hits = upgraded.search(SearchQuery(text="bão")).hits
    assert [hit.article.id for hit in hits] == [storm.article_id, passing.article_id]
    upgraded.close()
    with psycopg.connect(url) as db:
        assert db.execute("SELECT version FROM diemtin_schema").fetchall() == [(SCHEMA_VERSION,)]
        marks = db.execute("SELECT marks FROM headings ORDER BY n").fetchall()
        # the lead is empty: the title's words
        assert marks == [(sorted(["báo", "cáo", "bảo", "vệ", "luồng", "lạch"]),), (["bão"],)]


def test_ingest_into_postgres_then_serve_the_seed_article(url: str, shared: Path) -> None:
    seed = shared / "seed" / "000_79f4e5ef3a90aeb7.txt"
    diemtin = Path(sys.executable).with_name("diemtin")
    run = subprocess.run(
        [str(diemtin), "ingest", "--db", url, str(shared / "corpus" / "html"), str(shared / "seed")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    gold = json.loads((shared / "corpus" / "gold" / "seed.json").read_text("utf-8"))
    store = open_store(url)
    try:
        (seed_id,) = [s.article.id for s in store.iter_all() if s.article.provenance.input == str(seed)]
        with TestClient(create_app(store)) as client:
            response = client.get(f"/tin/{seed_id}")
            assert response.status_code == 200
            assert gold["title"] in response.text
            found = client.get("/tim-kiem", params={"q": "lanh dao quoc phong"})
            assert f"/tin/{seed_id}" in found.text
    finally:
        store.close()


def test_the_site_reads_again_after_a_restart_and_answers_503_while_the_server_is_away(url: str) -> None:
    store = PostgresStore(url)
    first = store.add(page("https://a.vn/1.html"))
    try:
        with TestClient(create_app(store, cache_ttl=0)) as client:
            assert client.get(f"/tin/{first.article_id}").status_code == 200
            _drop_other_connections(url)  # a restart: every thread's connection is gone
            assert client.get(f"/tin/{first.article_id}").status_code == 200
            _drop_other_connections(url)
            assert client.get("/api/health").status_code == 200  # reads again on a new connection
            store.url = "postgresql://127.0.0.1:1/gone"  # the server is away: nothing listens
            _drop_other_connections(url)
            assert client.get("/api/health").status_code == 503
            away = client.get("/")
            assert away.status_code == 503
            assert away.headers["retry-after"] == "10"
            assert "Xin thử lại sau" in away.text
            api = client.get("/api/articles")
            assert (api.status_code, api.json()) == (
                503,
                {"error": "the database does not answer; try again later"},
            )
            store.url = url  # back
            assert client.get("/api/articles").json()["total"] == 1
            healthy = client.get("/api/health")
            assert (healthy.json()["status"], healthy.headers["cache-control"]) == ("ok", "no-store")
    finally:
        store.close()
