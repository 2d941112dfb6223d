"""Store behaviours on both backends (SQLite and a real PostgreSQL server, see conftest.py): idempotent adds,
revisions, duplicates, folded full-text search, filters, views, restarts; then SQLite's own details."""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from diemtin.article import Article, Provenance
from diemtin.group import stories
from diemtin.store import open_store, sqlbase
from diemtin.store.base import Copy, SearchQuery
from diemtin.store.postgres import PostgresStore
from diemtin.store.sqlite import SQLiteStore, fts_query

AnyStore = SQLiteStore | PostgresStore

VN = timezone(timedelta(hours=7))
BASE = datetime(2024, 3, 10, 8, 0, tzinfo=VN)

# Invented sample texts (written for these tests).
DEFENCE = [
    "Bộ trưởng hai nước đã có cuộc điện đàm kéo dài gần một giờ về tình hình an ninh khu vực.",
    "Hai bên nhất trí duy trì kênh liên lạc thường xuyên để tránh hiểu lầm trong thời gian tới.",
    "Các chuyên gia nhận định đây là bước đi quan trọng sau nhiều tháng căng thẳng kéo dài.",
]
RICE = [
    "Giá lúa tại nhiều tỉnh miền Tây tăng nhẹ trong tuần qua do nhu cầu xuất khẩu phục hồi.",
    "Nông dân cho biết thương lái đến tận ruộng thu mua với giá cao hơn vụ trước khoảng năm trăm đồng.",
    "Hiệp hội lương thực dự báo sản lượng xuất khẩu quý hai sẽ vượt kế hoạch đề ra từ đầu năm.",
]
FOOTBALL = [
    "Đội tuyển giành chiến thắng thuyết phục ba bàn không gỡ trong trận đấu tối qua trên sân nhà.",
    "Huấn luyện viên trưởng hài lòng với tinh thần thi đấu của các cầu thủ trẻ lần đầu ra sân.",
    "Kết quả này giúp đội bóng vươn lên vị trí thứ hai trên bảng xếp hạng trước vòng đấu cuối.",
]


WORDS = " ".join(DEFENCE + RICE + FOOTBALL).replace(".", "").split()


def article(
    url: str | None,
    title: str,
    body: list[str],
    *,
    hours: float = 0,
    category: str | None = "thoi-su",
    outlet: str = "Báo Mẫu",
    input_: str | None = None,
    fetched: datetime | None = None,
) -> Article:
    made = Article(
        url=url,
        title=title,
        lead="Tóm tắt: " + body[0][:40],
        body=list(body),
        category=category,
        outlet=outlet,
        published=BASE + timedelta(hours=hours),
        provenance=Provenance(input=input_ or url, fetched_at=fetched),
    )
    made.id = made.compute_id()
    return made


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "news.db")
    yield opened
    opened.close()


def test_same_page_twice_is_one_article(store: AnyStore) -> None:
    first = store.add(article("https://a.vn/quoc-phong-1.html", "Lãnh đạo quốc phòng điện đàm", DEFENCE))
    again = store.add(article("https://a.vn/quoc-phong-1.html", "Lãnh đạo quốc phòng điện đàm", DEFENCE))
    assert first.status == "new"
    assert again.status == "unchanged"
    assert again.article_id == first.article_id
    assert store.count() == 1
    stored = store.get(first.article_id)
    assert stored is not None
    assert stored.revision == 1
    assert stored.copies == []
    assert stored.story_id


def test_changed_page_is_new_revision_and_newest_shown(store: AnyStore) -> None:
    url = "https://a.vn/gia-lua.html"
    old = article(url, "Giá lúa đứng yên", RICE, fetched=BASE)
    new = article(url, "Giá lúa tăng mạnh", [*RICE, "Cập nhật: giá tiếp tục tăng vào buổi chiều."])
    new.provenance.fetched_at = BASE + timedelta(hours=5)
    assert store.add(old).status == "new"
    assert store.add(new).status == "revised"
    stored = store.get(old.id)
    assert stored is not None
    assert stored.revision == 2
    assert stored.article.title == "Giá lúa tăng mạnh"
    assert [version.title for version in store.revisions(old.id)] == ["Giá lúa đứng yên"]
    # the old version read again (e.g. from an archive) changes nothing
    assert store.add(article(url, "Giá lúa đứng yên", RICE, fetched=BASE)).status == "unchanged"
    assert store.count() == 1
    assert store.search(SearchQuery(text="tang manh")).total == 1
    assert store.search(SearchQuery(text='"dung yen"')).total == 0


def test_an_older_or_empty_version_never_replaces_the_shown_one(store: AnyStore) -> None:
    url = "https://a.vn/bong-da.html"
    store.add(article(url, "Thắng ba bàn", FOOTBALL, fetched=BASE + timedelta(days=1)))
    older = article(url, "Thắng hai bàn", FOOTBALL[:2], fetched=BASE)
    assert store.add(older).status == "revised"
    broken = article(url, "Thắng ba bàn", FOOTBALL, fetched=BASE + timedelta(days=2))
    broken.body = []
    store.add(broken)
    stored = store.get(older.id)
    assert stored is not None
    assert stored.article.title == "Thắng ba bàn"
    assert stored.article.body == FOOTBALL


def test_same_text_at_another_url_collapses_with_copy(store: AnyStore) -> None:
    first = store.add(article("https://a.vn/x.html", "Giá lúa tăng", RICE, outlet="Báo A"))
    copy = store.add(article("https://b.vn/y.html", "Giá lúa tăng", RICE, outlet="Báo B"))
    assert copy.status == "duplicate"
    assert copy.article_id == first.article_id
    assert (
        store.add(article("https://b.vn/y.html", "Giá lúa tăng", RICE, outlet="Báo B")).status == "unchanged"
    )
    refetched = article(
        "https://b.vn/y.html?utm_source=zalo", "Giá lúa tăng", RICE, outlet="Báo B", input_="w#9"
    )
    assert store.add(refetched).status == "unchanged"  # the copy's page fetched again adds no second copy
    stored = store.get(first.article_id)
    assert stored is not None
    assert [(c.url, c.outlet) for c in stored.copies] == [("https://b.vn/y.html", "Báo B")]
    assert store.count() == 1


def test_urlless_identical_dumps_collapse_and_record_each_input(store: AnyStore) -> None:
    one = article(None, "Giá lúa tăng", RICE, input_="dumps/1.txt")
    two = article(None, "Giá lúa tăng", RICE, input_="dumps/2.txt")
    assert store.add(one).status == "new"
    assert store.add(two).status == "duplicate"
    assert store.add(two).status == "unchanged"
    stored = store.get(one.id)
    assert stored is not None
    assert [c.input for c in stored.copies] == ["dumps/2.txt"]


def test_copies_from_an_export_are_added_once_and_recognised(store: AnyStore) -> None:
    first = store.add(article("https://a.vn/x.html", "Giá lúa tăng", RICE, outlet="Báo A"))
    copies = [Copy("w.warc.gz#12", "https://b.vn/y.html", "Báo B"), Copy("dumps/3.txt", None, None)]
    assert store.add_copies(first.article_id, copies) == 2
    assert store.add_copies(first.article_id, copies) == 0
    stored = store.get(first.article_id)
    assert stored is not None
    assert [(c.input, c.url, c.outlet) for c in stored.copies] == [
        ("w.warc.gz#12", "https://b.vn/y.html", "Báo B"),
        ("dumps/3.txt", None, None),
    ]
    # the copy's page crawled later is that copy, not a new article
    again = store.add(article("https://b.vn/y.html", "Giá lúa tăng (cập nhật)", DEFENCE, outlet="Báo B"))
    assert (again.status, again.article_id) == ("unchanged", first.article_id)
    assert store.count() == 1


def test_near_duplicate_syndicated_copy(store: AnyStore) -> None:
    long_body = DEFENCE + RICE + FOOTBALL
    edited = [*long_body[:-1], long_body[-1].replace("thứ hai", "thứ ba"), "Theo Báo A."]
    first = store.add(article("https://a.vn/1.html", "Tin tổng hợp", long_body, outlet="Báo A"))
    near = store.add(article("https://b.vn/2.html", "Tin tổng hợp sáng nay", edited, outlet="Báo B", hours=2))
    assert near.status == "duplicate"
    assert near.article_id == first.article_id
    other = store.add(article("https://c.vn/3.html", "Tin khác", DEFENCE + RICE, outlet="Báo C"))
    assert other.status == "new"


def test_short_texts_never_collapse_by_content(store: AnyStore) -> None:
    one = store.add(article("https://a.vn/video-1", "Video", ["Xem video."]))
    two = store.add(article("https://a.vn/video-2", "Video", ["Xem video."]))
    assert one.status == two.status == "new"
    assert store.count() == 2


@pytest.mark.parametrize("text", ["lanh dao quoc phong", "lãnh đạo quốc phòng", "LÃNH ĐẠO", '"Quoc Phong"'])
def test_search_folds_accents_and_case(store: AnyStore, text: str) -> None:
    target = store.add(article("https://a.vn/qp.html", "Lãnh đạo quốc phòng hai nước điện đàm", DEFENCE))
    store.add(article("https://a.vn/lua.html", "Giá lúa tăng", RICE))
    result = store.search(SearchQuery(text=text))
    assert [hit.article.id for hit in result.hits] == [target.article_id]
    assert result.total == 1


def test_words_typed_with_marks_prefer_matches_written_so(store: AnyStore) -> None:
    press = store.add(
        article(
            "https://a.vn/bao-chi.html", "Báo chí và báo mạng", ["Các báo in và báo điện tử cùng đưa tin."]
        )
    )
    storm = store.add(article("https://a.vn/bao.html", "Bão vào đất liền", ["Bão mạnh lên trong đêm."]))
    assert [hit.article.id for hit in store.search(SearchQuery(text="bao")).hits] == [
        press.article_id,
        storm.article_id,
    ]
    assert [hit.article.id for hit in store.search(SearchQuery(text="bão")).hits] == [
        storm.article_id,
        press.article_id,
    ]
    assert store.search(SearchQuery(text="BÁO")).hits[0].article.id == press.article_id


def test_words_typed_with_marks_find_matches_older_than_the_ranked_ones(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word typed with marks finds the matches written so even where a word folding to the same key
    fills the newest ranked matches ("báo", newspaper, is in nearly every article; "bão", storm, is not)."""
    monkeypatch.setattr(backend.module, "CANDIDATES", 3)
    storm = store.add(
        article("https://a.vn/bao.html", "Bão vào đất liền", ["Bão mạnh lên trong đêm."], hours=-24 * 90)
    )
    for number in range(6):
        words = " ".join(random.Random(number).sample(WORDS, 12))
        body = [f"Theo các báo, {words}."]
        store.add(article(f"https://a.vn/tin-{number}.html", f"Tin báo chí {number}", body, hours=number))
    folded = store.search(SearchQuery(text="bao"))
    assert (folded.total, folded.total_exact) == (3, False)
    assert storm.article_id not in [hit.article.id for hit in folded.hits]
    typed = store.search(SearchQuery(text="bão"))
    assert typed.hits[0].article.id == storm.article_id
    assert (typed.total, typed.total_exact, len(typed.hits)) == (3, False, 3)  # still CANDIDATES ranked
    assert store.search(SearchQuery(text="bão", limit=1, offset=1)).hits == typed.hits[1:2]
    assert store.search(SearchQuery(text="bão", category="the-thao")).total == 0


def test_a_typed_word_in_the_title_or_lead_outranks_a_passing_mention(store: AnyStore) -> None:
    """Both hold "bão" as typed (the first tier); the one whose title and lead hold it comes first, though
    the other says "báo" and "bảo" more often and is newer (the same on both backends)."""
    passing = store.add(
        article(
            "https://a.vn/de.html",
            "Báo cáo bảo vệ đê điều",
            ["Các xã gửi báo cáo bảo vệ đê điều, bảo đảm an toàn bờ sông.", "Mùa bão năm nay đến sớm."],
            hours=2,
        )
    )
    storm = store.add(
        article("https://a.vn/bao.html", "Bão vào đất liền", ["Bão mạnh lên trong đêm, gió giật cấp mười."])
    )
    assert [hit.article.id for hit in store.search(SearchQuery(text="bão")).hits] == [
        storm.article_id,
        passing.article_id,
    ]
    assert store.search(SearchQuery(text="bao")).hits[0].article.id == passing.article_id


def test_search_phrase_requires_adjacent_words(store: AnyStore) -> None:
    store.add(article("https://a.vn/1.html", "Đội tuyển thắng", FOOTBALL))
    assert store.search(SearchQuery(text='"cau thu tre"')).total == 1
    assert store.search(SearchQuery(text='"tre cau thu"')).total == 0
    assert store.search(SearchQuery(text="tre cau thu")).total == 1


def test_search_filters_and_ranking(store: AnyStore) -> None:
    old = store.add(
        article("https://a.vn/1.html", "Giá lúa tăng", RICE, hours=-24 * 60, category="kinh-doanh")
    )
    new = store.add(article("https://b.vn/2.html", "Lúa gạo: giá lúa tăng", RICE[:2] + FOOTBALL, hours=0))
    store.add(
        article("https://c.vn/3.html", "Đội tuyển thắng", FOOTBALL, category="the-thao", outlet="Báo C")
    )
    both = store.search(SearchQuery(text="gia lua"))
    assert both.total == 2
    assert both.hits[0].article.id == new.article_id
    only_business = store.search(SearchQuery(text="gia lua", category="kinh-doanh"))
    assert [hit.article.id for hit in only_business.hits] == [old.article_id]
    recent = store.search(SearchQuery(text="gia lua", since=BASE - timedelta(days=1)))
    assert [hit.article.id for hit in recent.hits] == [new.article_id]
    assert store.search(SearchQuery(text="doi tuyen", outlet="Báo C")).total == 1
    assert store.search(SearchQuery(text="doi tuyen", outlet="Báo A")).total == 0
    page = store.search(SearchQuery(text="", category="the-thao"))
    assert page.total == 1
    assert store.search(SearchQuery(text='AND OR NOT ( " *')).total == 0


def test_stats_count_articles_copies_versions_and_stories(store: AnyStore) -> None:
    empty = store.stats()
    assert (empty.articles, empty.copies, empty.stories, empty.first) == (0, {}, 0, None)
    url = "https://a.vn/gia-lua.html"
    store.add(article(url, "Giá lúa đứng yên", RICE, fetched=BASE, hours=-3))
    changed = article(
        url, "Giá lúa tăng mạnh", [*RICE, "Cập nhật: giá tiếp tục tăng vào buổi chiều."], hours=-3
    )
    changed.provenance.fetched_at = BASE + timedelta(hours=5)
    assert store.add(changed).status == "revised"
    assert store.add(article("https://b.vn/lua.html", "Giá lúa đứng yên", RICE, outlet="Báo B")).status == (
        "duplicate"
    )
    store.add(article("https://c.vn/bong-da.html", "Đội tuyển thắng", FOOTBALL, hours=2, outlet="Báo C"))
    figures = store.stats()
    assert (figures.articles, sum(figures.copies.values()), figures.earlier_versions) == (2, 1, 1)
    assert (figures.stories, figures.shared_stories) == (2, 0)
    assert (figures.first, figures.last) == (BASE - timedelta(hours=3), BASE + timedelta(hours=2))


def test_search_leaves_out_words_and_phrases_after_a_minus_sign(store: AnyStore) -> None:
    rice = store.add(article("https://a.vn/1.html", "Giá lúa tăng", RICE))
    store.add(article("https://b.vn/2.html", "Lúa gạo và bóng đá", RICE[:1] + FOOTBALL))

    def found(text: str) -> list[str]:
        return [hit.article.id for hit in store.search(SearchQuery(text=text)).hits]

    assert len(found("gia lua")) == 2
    assert found("gia lua -doi") == [rice.article_id]  # "Đội tuyển" is in the other one
    assert found('gia lua -"doi tuyen"') == [rice.article_id]
    assert len(found('gia lua -"tuyen doi"')) == 2  # not that phrase: both stay
    assert found("gia lua -lúa") == []
    assert store.search(SearchQuery(text="-lua")).total == 0  # nothing asked for, only left out
    assert (
        len(found("COVID-19 gia lua")) == 0
    )  # a hyphen inside a word excludes nothing: "covid" is looked for


def test_search_finds_either_alternative_of_an_or(store: AnyStore) -> None:
    rice = store.add(article("https://a.vn/1.html", "Giá lúa tăng", RICE))
    football = store.add(article("https://b.vn/2.html", "Đội tuyển thắng", FOOTBALL, hours=1))
    store.add(article("https://c.vn/3.html", "Điện đàm quốc phòng", DEFENCE, hours=2))

    def found(text: str, **filters: Any) -> set[str]:
        return {hit.article.id for hit in store.search(SearchQuery(text=text, **filters)).hits}

    both = {rice.article_id, football.article_id}
    assert found("gia lua OR doi tuyen") == both
    assert found('"gia lua" | "doi tuyen"') == both
    assert found('"lua gia" OR "doi tuyen"') == {football.article_id}  # each phrase still in its order
    assert found("gia lua OR doi tuyen -thuyet") == {rice.article_id}  # what is left out, from every one
    assert found("gia lua OR doi tuyen", category="the-thao") == set()
    assert store.search(SearchQuery(text="gia lua OR doi tuyen")).total == 2
    assert found("lua or tuyen") == set()  # a lower-case "or" is a word to find
    best = store.search(SearchQuery(text="doi tuyen thang OR lua")).hits[0]
    assert best.article.id == football.article_id  # all its words, side by side in the title


def test_words_typed_with_marks_in_an_or_prefer_matches_written_so(store: AnyStore) -> None:
    press = store.add(
        article("https://a.vn/bao-chi.html", "Báo chí", ["Các báo in và báo điện tử."], hours=3)
    )
    storm = store.add(article("https://a.vn/bao.html", "Bão vào đất liền", ["Bão mạnh lên trong đêm."]))
    flood = store.add(article("https://a.vn/lu.html", "Lũ trên sông", ["Nước lũ lên nhanh."], hours=1))
    hits = [hit.article.id for hit in store.search(SearchQuery(text="bão OR lũ")).hits]
    assert hits[:2] in ([storm.article_id, flood.article_id], [flood.article_id, storm.article_id])
    assert hits[2] == press.article_id
    assert len(store.search(SearchQuery(text="bao OR lu")).hits) == 3


def test_a_quoted_phrase_typed_with_marks_prefers_matches_written_so(store: AnyStore) -> None:
    # the storm in the body only, the press in its title and newer: the words as typed put the storm first
    press = store.add(article("https://a.vn/bao-so.html", "Báo số mới", ["Báo số ra sáng nay."], hours=2))
    storm = store.add(article("https://a.vn/thoi-tiet.html", "Thời tiết", ["Tin về bão số 3 vào bờ."]))
    for text in ('"bão số"', '"bão số" OR "lũ quét"'):
        assert [hit.article.id for hit in store.search(SearchQuery(text=text)).hits] == [
            storm.article_id,
            press.article_id,
        ], text
    assert store.search(SearchQuery(text='"bao so"')).hits[0].article.id == press.article_id  # the newer


def test_words_typed_with_marks_in_an_or_find_older_matches_written_so(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend.module, "CANDIDATES", 3)
    storm = store.add(article("https://a.vn/bao.html", "Bão vào bờ", ["Bão mạnh lên."], hours=-24 * 90))
    flood = store.add(article("https://a.vn/lu.html", "Lũ về", ["Nước lũ lên nhanh."], hours=-24 * 80))
    for number in range(6):
        words = " ".join(random.Random(number).sample(WORDS, 12))
        body = [f"Theo các báo, {words}, lu bu."]
        store.add(article(f"https://a.vn/tin-{number}.html", f"Tin báo chí {number}", body, hours=number))
    assert {storm.article_id, flood.article_id}.isdisjoint(
        hit.article.id for hit in store.search(SearchQuery(text="bao OR lu")).hits
    )
    typed = store.search(SearchQuery(text="bão OR lũ"))
    assert {hit.article.id for hit in typed.hits[:2]} == {storm.article_id, flood.article_id}
    assert store.search(SearchQuery(text="bão OR lũ", category="the-thao")).total == 0


def test_search_sorted_newest_first(store: AnyStore) -> None:
    # the best match (the words side by side, in the title) is the oldest; newest first puts it last
    best = store.add(article("https://a.vn/1.html", "Giá lúa tăng mạnh", RICE, hours=-48))
    middle = store.add(article("https://b.vn/2.html", "Thị trường nông sản", RICE[:1], hours=-24))
    newest = store.add(article("https://c.vn/3.html", "Chợ quê đầu hạ", ["Giá vé xe tăng, lúa chín sớm."]))
    relevance = store.search(SearchQuery(text="gia lua"))
    assert relevance.hits[0].article.id == best.article_id
    by_date = store.search(SearchQuery(text="gia lua", newest_first=True))
    assert [hit.article.id for hit in by_date.hits] == [newest.article_id, middle.article_id, best.article_id]
    second_page = store.search(SearchQuery(text="gia lua", newest_first=True, limit=1, offset=1))
    assert [hit.article.id for hit in second_page.hits] == [middle.article_id]
    assert second_page.total == by_date.total == relevance.total == 3


def scored_by_outlet(monkeypatch: pytest.MonkeyPatch, table: dict[frozenset[str], float]) -> None:
    """Story pair scores read from `table`, keyed by the two reports' outlets (x, y, z)."""
    outlets = {zlib.crc32(name.encode()): name for name in "xyz"}
    monkeypatch.setattr(
        stories, "pair_score", lambda a, b, gap: table[frozenset((outlets[a.outlet], outlets[b.outlet]))]
    )


def add_three_reports(store: AnyStore) -> list[str]:
    """Reports from outlets x, y, z an hour apart, alike enough in words to be each other's candidates."""
    bodies = {"x": DEFENCE, "y": DEFENCE[:2] + RICE[:1], "z": DEFENCE[:1] + RICE[1:] + FOOTBALL[:1]}
    return [
        store.add(
            article(f"https://{name}.vn/1.html", "Điện đàm", bodies[name], hours=i, outlet=name)
        ).article_id
        for i, name in enumerate("xyz")
    ]


def test_top_stories_are_those_most_outlets_told_in_the_window(
    store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored_by_outlet(monkeypatch, {frozenset("xy"): 5.0, frozenset("yz"): -5.0, frozenset("xz"): -5.0})
    x, y, z = add_three_reports(store)
    story_of = {article_id: stored.story_id for article_id in (x, y, z) if (stored := store.get(article_id))}
    assert story_of[x] == story_of[y] != story_of[z]
    assert store.top_stories(since=BASE - timedelta(hours=1)) == [(story_of[x], 2)]
    assert store.top_stories(since=BASE + timedelta(minutes=30)) == []  # x, before the window, does not count


@pytest.mark.parametrize("in_batch", [True, False], ids=["batch", "single-adds"])
def test_stories_are_regrouped_by_batch_end_or_close(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch, in_batch: bool
) -> None:
    # x ~ y weakly, y ~ z strongly, x and z unlike. Added one by one, z follows y into x's story; when the
    # batch ends (or the store closes), average linkage parts them and the store keeps the new ids.
    scored_by_outlet(monkeypatch, {frozenset("xy"): 0.5, frozenset("yz"): 5.0, frozenset("xz"): -1.0})
    with store.batch() if in_batch else contextlib.nullcontext():
        ids = add_three_reports(store)
        assert len({store.get(id_).story_id for id_ in ids}) == 1  # type: ignore[union-attr]
    store.close()
    reopened = backend.open()
    x, y, z = (reopened.get(id_) for id_ in ids)
    assert x and y and z and x.story_id != y.story_id == z.story_id


def test_a_regroup_that_fails_at_the_end_of_a_batch_loses_no_article(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(index: stories.StoryIndex) -> dict[str, str]:
        raise RuntimeError("the database went away mid-regroup")

    monkeypatch.setattr(sqlbase, "REGROUP_SECONDS", 3600.0)
    with store.batch():
        ids = add_three_reports(store)
        monkeypatch.setattr(stories.StoryIndex, "regroup", fail)
    store.close()
    reopened = backend.open()
    assert [reopened.get(id_) is not None for id_ in ids] == [True, True, True]
    reopened.close()


def test_regroup_stories_reclusters_what_is_stored(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored while x, y and z looked unlike (three stories); with scores that make them one event, a regroup
    # of the stored articles puts all three in the oldest one's story, and a later start leaves x alone.
    table = dict.fromkeys(map(frozenset, ["xy", "yz", "xz"]), -2.0)
    scored_by_outlet(monkeypatch, table)
    ids = add_three_reports(store)
    assert len({store.get(id_).story_id for id_ in ids}) == 3  # type: ignore[union-attr]
    table.update(dict.fromkeys(table, 3.0))
    assert store.regroup_stories(since=BASE + timedelta(hours=1)) == 1  # y and z only: z joins y
    assert store.regroup_stories() == 2  # all three: y and z join x
    assert {store.get(id_).story_id for id_ in ids} == {ids[0]}  # type: ignore[union-attr]
    store.close()
    assert {backend.open().get(id_).story_id for id_ in ids} == {ids[0]}


def test_two_writers_file_one_event_into_one_story(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes share the database; each has its own story index. The second built its index before
    # the first stored x, so its greedy add puts y in a story of its own; its next regroup first reads what
    # the other writer stored, and x and y end in one story in the database.
    scored_by_outlet(monkeypatch, {frozenset("xy"): 3.0, frozenset("yz"): -2.0, frozenset("xz"): -2.0})
    other = backend.open()
    try:
        other.add(article("https://z.vn/1.html", "Giá lúa", RICE, hours=-30, outlet="z"))  # builds its index
        x = store.add(article("https://x.vn/1.html", "Điện đàm", DEFENCE, outlet="x"))
        y = other.add(article("https://y.vn/1.html", "Điện đàm", DEFENCE[:2] + RICE[:1], hours=1, outlet="y"))
        assert y.story_id != x.story_id  # not seen yet
    finally:
        other.close()  # its pending article is regrouped
    reopened = backend.open()
    try:
        assert reopened.get(y.article_id).story_id == x.story_id  # type: ignore[union-attr]
    finally:
        reopened.close()


def test_reports_of_an_older_event_meet_after_newer_news_was_stored(
    store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A backfill: the database already holds news ten days newer; two reports of an older event, added with
    # a regroup between them, still end in one story (the index loads the days each report needs).
    scored_by_outlet(monkeypatch, {frozenset("xy"): 3.0, frozenset("yz"): -2.0, frozenset("xz"): -2.0})
    store.add(article("https://z.vn/1.html", "Giá lúa", RICE, hours=240, outlet="z"))
    store.close()
    with store.batch():
        x = store.add(article("https://x.vn/1.html", "Điện đàm", DEFENCE, outlet="x"))
    y = store.add(article("https://y.vn/1.html", "Điện đàm", DEFENCE[:2] + RICE[:1], hours=1, outlet="y"))
    assert y.story_id == x.story_id


def test_latest_count_categories_outlets_story(store: AnyStore) -> None:
    for hour in range(5):
        store.add(
            article(f"https://a.vn/{hour}.html", f"Tin {hour}", [f"Nội dung riêng số {hour}."], hours=hour)
        )
    store.add(article("https://c.vn/x.html", "Thể thao", FOOTBALL, category="the-thao", outlet="Báo C"))
    latest = store.latest(category="thoi-su", limit=3)
    assert [hit.article.title for hit in latest] == ["Tin 4", "Tin 3", "Tin 2"]
    assert [hit.article.title for hit in store.latest(category="thoi-su", limit=2, offset=3)] == [
        "Tin 1",
        "Tin 0",
    ]
    assert store.count() == 6
    assert store.count(category="the-thao") == 1
    assert store.count(outlet="Báo Mẫu") == 5
    assert store.categories() == [("thoi-su", 5), ("the-thao", 1)]
    assert store.outlets() == [("Báo Mẫu", 5), ("Báo C", 1)]
    first = latest[0]
    members = store.story(first.story_id)
    assert first.article.id in [member.article.id for member in members]
    assert {member.story_id for member in members} == {first.story_id}
    assert len(list(store.iter_all())) == 6
    modified = store.last_modified()
    assert modified is not None
    assert modified <= datetime.now(UTC)


def test_views_and_most_read(store: AnyStore) -> None:
    a = store.add(article("https://a.vn/1.html", "Một", DEFENCE))
    b = store.add(article("https://a.vn/2.html", "Hai", RICE))
    now = datetime.now(UTC)
    for _ in range(3):
        store.record_view(b.article_id, now)
        store.record_view(a.article_id, now - timedelta(days=30))
    store.record_view(a.article_id, now)
    store.record_view("does-not-exist", now)
    ranked = store.most_read(since=now - timedelta(days=1))
    assert [(hit.article.id, hit.views) for hit in ranked] == [(b.article_id, 3), (a.article_id, 4)]
    month = store.most_read(since=now - timedelta(days=31))
    assert [hit.article.id for hit in month] == [a.article_id, b.article_id]
    assert store.forget_views(now - timedelta(days=1)) == 1  # the old hour goes, the all-time counts stay
    month = store.most_read(since=now - timedelta(days=31))
    assert [(hit.article.id, hit.views) for hit in month] == [(b.article_id, 3), (a.article_id, 4)]


def test_data_survives_reopen_and_open_store(backend: Any) -> None:
    first = open_store(backend.target)
    added = first.add(article("https://a.vn/1.html", "Giá lúa tăng", RICE))
    first.close()
    again = open_store(backend.target)
    assert again.add(article("https://a.vn/1.html", "Giá lúa tăng", RICE)).status == "unchanged"
    assert again.add(article("https://z.vn/2.html", "Giá lúa tăng", RICE)).status == "duplicate"
    stored = again.get(added.article_id)
    assert stored is not None
    assert stored.article.to_dict() == article("https://a.vn/1.html", "Giá lúa tăng", RICE).to_dict()
    again.close()


def test_reads_from_other_threads_while_writing(store: AnyStore) -> None:
    store.add(article("https://a.vn/0.html", "Giá lúa tăng", RICE))
    seen: list[int] = []

    def read() -> None:
        for _ in range(20):
            seen.append(store.search(SearchQuery(text="gia lua")).total)

    reader = threading.Thread(target=read)
    reader.start()
    for number in range(1, 20):
        store.add(article(f"https://a.vn/{number}.html", f"Tin {number}", [f"Giá lúa hôm nay số {number}."]))
    reader.join()
    assert len(seen) == 20
    assert seen[-1] >= 1


def test_fts_query_escapes_syntax() -> None:
    assert fts_query("") == (None, None, "")
    assert fts_query("  ( * ") == (None, None, "")
    assert fts_query('"Lãnh đạo" Mỹ') == ('"lanh dao" AND "my"', None, "")
    assert fts_query("quốc phòng AND") == ('"quoc" AND "phong" AND "and"', '"quoc phong and"', "")
    assert fts_query('Mỹ -"NOT (" -Nga*') == ('"my"', None, ' NOT ("not" OR "nga")')
    assert fts_query('giá vàng OR "giá xăng" | Mỹ -Nga') == (
        '(("gia" AND "vang") OR ("gia xang") OR ("my"))',
        '"gia vang"',
        ' NOT ("nga")',
    )
    assert fts_query("lúa gạo OR cà phê") == (
        '(("lua" AND "gao") OR ("ca" AND "phe"))',
        '(("lua gao") OR ("ca phe"))',
        "",
    )
    assert fts_query("OR | OR") == (None, None, "")


def test_schema_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    made = article("https://a.vn/lua.html", "Giá lúa tăng", RICE, category="kinh-doanh", outlet="Báo A")
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE articles (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
            canonical_key TEXT NOT NULL UNIQUE, url TEXT, content_hash TEXT NOT NULL, text_key TEXT,
            published TEXT, sort_time REAL NOT NULL,
            category TEXT, outlet TEXT, story_id TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1,
            ingested_at REAL NOT NULL, updated_at REAL NOT NULL, views INTEGER NOT NULL DEFAULT 0,
            signature BLOB, story_features BLOB, data TEXT NOT NULL);
        CREATE INDEX articles_time ON articles(sort_time);
        CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize = 'unicode61');
        CREATE TABLE views (article_id TEXT NOT NULL, at REAL NOT NULL);
        PRAGMA user_version = 1;
        """
    )
    db.execute(
        "INSERT INTO articles VALUES (1, ?, 'a.vn/lua.html', ?, 'h', NULL, ?, 1.0, 'kinh-doanh', 'Báo A',"
        " ?, 1, 1.0, 1.0, 4, NULL, NULL, ?)",
        (
            made.id,
            made.url,
            made.published.isoformat() if made.published else None,
            made.id,
            json.dumps(made.to_dict()),
        ),
    )
    db.execute("INSERT INTO fts (rowid, title, text) VALUES (1, 'gia lua tang', 'thuong lai den tan ruong')")
    db.executemany(
        "INSERT INTO views VALUES (?, ?)", [(made.id, 7200.5), (made.id, 10799.0), (made.id, 10800.0)]
    )
    db.commit()
    db.close()
    upgraded = SQLiteStore(path)
    stored = upgraded.get(made.id)
    assert stored is not None
    assert stored.article.to_dict() == made.to_dict()
    assert stored.views == 4
    assert upgraded.search(SearchQuery(text="thương lái", category="kinh-doanh")).total == 1
    assert upgraded.search(SearchQuery(text="thương lái", outlet="Báo B")).total == 0
    upgraded.close()
    migrated = sqlite3.connect(path)
    assert migrated.execute("PRAGMA user_version").fetchone()[0] == 4
    marks = migrated.execute("SELECT marks FROM fts").fetchone()[0].split()
    assert {"lu2a", "ta7ng"} <= set(marks)  # the words of the article written with marks: lúa, tăng, …
    hours = migrated.execute("SELECT hour, article_id, hits FROM view_hours ORDER BY hour").fetchall()
    assert hours == [(2, made.id, 2), (3, made.id, 1)]  # one row per view became a count per hour


def test_schema_3_database_gets_its_marked_words_indexed_and_credited_outlets_listed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    storm = store.add(article("https://a.vn/bao.html", "Bão vào đất liền", ["Bão mạnh lên trong đêm."]))
    dump = article(None, "Báo chí", ["Các báo in và báo điện tử cùng đưa tin."], outlet="", input_="d.txt")
    dump.source = "Báo Nguồn"
    store.add(dump)
    store.close()
    db = sqlite3.connect(path)  # back to schema 3: no marks column, no outlet for a credited article
    db.executescript(
        """
        ALTER TABLE fts RENAME TO fts_4;
        CREATE VIRTUAL TABLE fts USING fts5(title, text, facets, tokenize = 'unicode61');
        INSERT INTO fts (rowid, title, text, facets) SELECT rowid, title, text, '' FROM fts_4;
        DROP TABLE fts_4;
        UPDATE articles SET outlet = NULL WHERE url IS NULL;
        PRAGMA user_version = 3;
        """
    )
    db.close()
    upgraded = SQLiteStore(path)
    assert upgraded.search(SearchQuery(text="bão")).hits[0].article.id == storm.article_id
    assert upgraded.search(SearchQuery(text="bão")).total == 2
    assert upgraded.outlets() == [("Báo Mẫu", 1), ("Báo Nguồn", 1)]
    assert upgraded.search(SearchQuery(text="bao", outlet="Báo Nguồn")).total == 1
    upgraded.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 4


def test_broad_search_counts_as_far_as_it_ranks_and_ranks_recent_ones(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend.module, "CANDIDATES", 10)
    for number in range(30):
        words = random.Random(number).sample(WORDS, len(WORDS))
        body = [" ".join(words) + ". Chiều tối có mưa rào rải rác ở vài nơi."]
        store.add(article(f"https://a.vn/thoi-tiet-{number}.html", f"Thời tiết {number}", body, hours=number))
    first = store.search(SearchQuery(text="mua rao", limit=5))
    assert (first.total, first.total_exact) == (10, False)  # more than 10 matches: counted no further
    assert len(first.hits) == 5
    assert all(int(hit.article.title.split()[-1]) >= 20 for hit in first.hits)  # the 10 newest are ranked
    pages = [store.search(SearchQuery(text="mua rao", limit=3, offset=offset)) for offset in range(0, 12, 3)]
    paged = [hit.article.id for page in pages for hit in page.hits]
    assert paged == [hit.article.id for hit in store.search(SearchQuery(text="mua rao", limit=10)).hits]
    assert pages[-1].total == 10 and len(pages[-1].hits) == 1  # pages end with the ranked matches
    assert store.search(SearchQuery(text="mua rao", limit=10, offset=10)).hits == []
    dated = store.search(SearchQuery(text="mua rao", since=BASE + timedelta(hours=25)))
    assert (dated.total, dated.total_exact) == (5, True)
    assert store.search(SearchQuery(text="mua rao", category="the-thao")).total_exact


def test_ranking_only_boosts_the_candidates_that_can_reach_the_page(
    backend: Any, store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaving out the candidates that no boost can lift onto the page changes no page of the ranking."""
    vocabulary = ["giá", "lúa", "đội", "tuyển", "hai", "bên", "thi", "đấu", "sân", "nhà", "mùa", "mưa"]
    for number in range(60):
        rng = random.Random(number)
        body = [" ".join(rng.choices(vocabulary, k=rng.randint(8, 40))) + "."]
        title = " ".join(rng.choices(vocabulary, k=4))
        store.add(article(f"https://a.vn/{number}.html", title, body, hours=-rng.uniform(0, 24 * 365)))
    queries = [
        SearchQuery(text=text, limit=5, offset=offset)
        for text in ("gia lua", "doi tuyen", "hai ben", '"mua mua"', "mùa mưa", "đội")
        for offset in (0, 5, 15)
    ]
    pruned = [[hit.article.id for hit in store.search(query).hits] for query in queries]
    assert all(pruned)
    for text in (
        "gia lua",
        "mùa mưa",
        "mua mưa",
    ):  # pages of a query, marked or not, are slices of one ranking
        whole = [hit.article.id for hit in store.search(SearchQuery(text=text, limit=30)).hits]
        pages = [
            store.search(SearchQuery(text=text, limit=5, offset=offset)).hits for offset in range(0, 30, 5)
        ]
        assert [hit.article.id for page in pages for hit in page] == whole
    monkeypatch.setattr(backend.module, "MAX_BOOST", float("inf"))  # every candidate is boosted and ranked
    assert pruned == [[hit.article.id for hit in store.search(query).hits] for query in queries]


def test_batch_commits_in_groups_each_write_atomic_and_idle_batch_blocks_nobody(
    sqlite_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlbase, "BATCH_SECONDS", 60.0)
    other = sqlite3.connect(sqlite_store.path, timeout=0.2)
    with sqlite_store.batch():
        other.execute("BEGIN IMMEDIATE")  # no write yet: the batch holds no lock
        other.execute("INSERT INTO view_hours (hour, article_id, hits) VALUES (0, 'x', 1)")
        other.execute("COMMIT")
        sqlite_store.add(article("https://a.vn/1.html", "Giá lúa tăng", RICE))
        with pytest.raises(RuntimeError), sqlite_store._transaction() as db:
            db.execute("INSERT INTO view_hours (hour, article_id, hits) VALUES (0, 'y', 1)")
            raise RuntimeError("a write that fails half-way")
        sqlite_store.add(article("https://a.vn/2.html", "Đội tuyển thắng", FOOTBALL))
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 0  # not committed yet
    assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    assert [row[0] for row in other.execute("SELECT article_id FROM view_hours")] == ["x"]
    other.close()


def test_an_article_without_an_outlet_is_listed_under_the_one_it_credits(store: AnyStore) -> None:
    dump = article(None, "Giá lúa tăng", RICE, input_="dumps/1.txt", outlet="")
    dump.source = "Báo Nguồn"
    stored = store.add(dump)
    store.add(article("https://a.vn/doi-tuyen.html", "Đội tuyển thắng", FOOTBALL, outlet="Báo Mẫu"))
    credited = article(
        None, "Lãnh đạo quốc phòng hai nước điện đàm", DEFENCE, input_="dumps/2.txt", outlet=""
    )
    credited.source = "NLĐ"  # an alias in the profile of nld.com.vn
    store.add(credited)
    assert store.outlets() == [("Báo Mẫu", 1), ("Báo Nguồn", 1), ("Người Lao Động", 1)]
    assert [s.article.id for s in store.latest(outlet="Báo Nguồn")] == [stored.article_id]
    assert store.count(outlet="Báo Nguồn") == 1
    assert store.search(SearchQuery(text="lua", outlet="Báo Nguồn")).total == 1
    assert store.search(SearchQuery(text="lua", outlet="Báo Mẫu")).total == 0


def test_copy_of_an_aggregator_dump_names_the_credited_outlet(store: AnyStore) -> None:
    first = article(None, "Giá lúa tăng", RICE, input_="dumps/1.txt", outlet="")
    second = article(None, "Giá lúa tăng", RICE, input_="dumps/2.txt", outlet="")
    first.outlet = second.outlet = None
    second.source = "Báo Nông Thôn"
    store.add(first)
    store.add(second)
    stored = store.get(first.id)
    assert stored is not None
    assert [(c.input, c.url, c.outlet) for c in stored.copies] == [("dumps/2.txt", None, "Báo Nông Thôn")]


def test_words_side_by_side_and_in_the_title_rank_first(store: AnyStore) -> None:
    scattered = [
        "Ông Trần Văn Hải từ trần tại nhà riêng ở thành phố, hưởng thọ tám mươi tuổi.",
        "Gia đình ông Trần cho biết lễ viếng diễn ra ở nhà tang lễ thành phố từ sáng mai.",
        "Bạn bè nhớ ông Trần là người thành thật, tận tụy với nghề dạy học suốt bốn mươi năm.",
    ]
    store.add(
        article("https://a.vn/cao-pho.html", "Lễ viếng nhà giáo Trần Văn Hải ở thành phố", scattered, hours=1)
    )
    named = ["Nam diễn viên hài chia sẻ về dự định lưu diễn khắp các tỉnh vào mùa hè năm nay."]
    target = store.add(article("https://b.vn/tran-thanh.html", "Trấn Thành kể chuyện lưu diễn", named))
    hits = store.search(SearchQuery(text="Trấn Thành")).hits
    assert len(hits) == 2
    assert hits[0].article.id == target.article_id
