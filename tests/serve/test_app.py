"""The website over a real SQLite database built from ../shared: pages, search, views, validators, safety."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.testclient import TestClient

from diemtin.article import Article, Provenance
from diemtin.serve.app import create_app
from diemtin.serve.present import VIETNAM
from diemtin.serve.views import is_bot
from diemtin.store import sqlite as sqlite_store
from diemtin.store.base import SearchQuery, Store
from diemtin.store.sqlite import SQLiteStore

from .conftest import HOSTILE_MARK, CorpusDb

pytestmark = pytest.mark.shared
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/130.0"}
SEED_QUERIES = ["lanh dao quoc phong", "lãnh đạo quốc phòng", "LÃNH ĐẠO"]


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def seed_gold(shared: Path) -> dict[str, Any]:
    gold: dict[str, Any] = json.loads((shared / "corpus" / "gold" / "seed.json").read_text("utf-8"))
    return gold


def text_of(html: str) -> str:
    tree = HTMLParser(html)
    assert tree.body is not None
    return re.sub(r"\s+", " ", tree.body.text(separator=" "))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_seed_article_page_shows_everything(
    client: TestClient, corpus_db: CorpusDb, seed_gold: dict[str, Any]
):
    response = client.get(f"/tin/{corpus_db.seed_id}", headers=BROWSER)
    assert response.status_code == 200
    page = text_of(response.text)
    published = datetime.fromisoformat(seed_gold["published"])
    assert seed_gold["category"] in page  # the section label, "Thế giới"
    assert published.strftime("%d/%m/%Y %H:%M") in page
    for part in [seed_gold["title"], seed_gold["lead"], *seed_gold["body"]]:
        assert squash(part) in page
    assert squash(seed_gold["byline_line"]) in page  # "Theo Tuấn Anh (VietNamNet)"
    assert "Tin cùng chuyên mục" in page and "Bài đọc nhiều" in page


def test_article_page_lists_same_category_with_dates(client: TestClient, corpus_db: CorpusDb, store: Store):
    seed = store.get(corpus_db.seed_id)
    assert seed is not None and seed.article.category
    others = [
        s for s in store.latest(category=seed.article.category, limit=5) if s.article.id != seed.article.id
    ]
    assert others, "the seed's category should hold other articles"
    tree = HTMLParser(client.get(f"/tin/{corpus_db.seed_id}", headers=BROWSER).text)
    side = next(node for node in tree.css("aside section") if "Tin cùng chuyên mục" in node.text())
    items = side.css("li")
    assert items and all(re.search(r"\(\d\d/\d\d/\d{4}\)", item.text()) for item in items)  # years differ
    assert others[0].article.title in side.text()


def test_original_link_is_nofollow_and_other_outlets_shown(client: TestClient, store: Store):
    with_url = next(s for s in store.latest(limit=500) if s.article.url and s.article.url.startswith("http"))
    tree = HTMLParser(client.get(f"/tin/{with_url.article.id}", headers=BROWSER).text)
    link = tree.css_first(f'a[href="{with_url.article.url}"]')
    assert link is not None
    assert set((link.attributes.get("rel") or "").split()) >= {"nofollow", "noopener"}


def test_same_category_list_leaves_out_the_story_already_listed(client: TestClient, store: Store):
    grouped = next(
        s for s in store.latest(limit=2000) if s.article.category and len(store.story(s.story_id)) > 1
    )
    tree = HTMLParser(client.get(f"/tin/{grouped.article.id}", headers=BROWSER).text)
    siblings = tree.css_first("section.siblings")
    same = next(node for node in tree.css("aside section") if "Tin cùng chuyên mục" in node.text())
    sibling_links = {a.attributes.get("href") for a in siblings.css("a")}
    assert sibling_links and not sibling_links & {a.attributes.get("href") for a in same.css("a")}


def test_home_and_category_pages_with_pagination(client: TestClient, store: Store):
    home = client.get("/")
    assert home.status_code == 200
    key, total = max(store.categories(), key=lambda pair: pair[1])
    assert total > 20, "the test corpus should fill more than one page of a category"
    assert f'href="/chuyen-muc/{key}"' in home.text
    first = HTMLParser(client.get(f"/chuyen-muc/{key}").text)
    second = HTMLParser(client.get(f"/chuyen-muc/{key}?trang=2").text)
    titles_first = [a.text() for a in first.css("a.item-title")]
    titles_second = [a.text() for a in second.css("a.item-title")]
    assert len(titles_first) == 20 and titles_second
    assert not set(titles_first) & set(titles_second)
    assert first.css_first('a[rel="next"]') is not None and first.css_first('a[rel="prev"]') is None
    assert client.get("/chuyen-muc/khong-co").status_code == 404
    # an item with no outlet of its own (the seed, a page of an aggregator) is credited to its source
    world = HTMLParser(client.get("/chuyen-muc/the-gioi").text)
    seed_item = next(li for li in world.css("li.item") if "Lãnh đạo quốc phòng" in li.text())
    credit = seed_item.css_first("p.meta a")
    assert credit is not None and credit.text() == "Theo VietNamNet"
    assert credit.attributes["href"] == "/nguon/VietNamNet"  # listed under the outlet it credits
    assert "Lãnh đạo quốc phòng" in client.get("/nguon/VietNamNet").text
    assert client.get(f"/chuyen-muc/{key}?trang=abc").status_code == 400


def test_the_navigation_marks_the_category_of_the_page(client: TestClient, corpus_db: CorpusDb):
    def marked(path: str) -> list[tuple[str | None, str | None]]:
        nav = HTMLParser(client.get(path).text).css("nav.sections a[aria-current]")
        return [(a.attributes.get("href"), a.attributes.get("aria-current")) for a in nav]

    assert marked("/") == []
    assert marked("/chuyen-muc/the-gioi") == [("/chuyen-muc/the-gioi", "page")]
    assert marked(f"/tin/{corpus_db.seed_id}") == [("/chuyen-muc/the-gioi", "true")]  # filed under it


def test_story_and_outlet_pages(client: TestClient, corpus_db: CorpusDb, store: Store):
    seed = store.get(corpus_db.seed_id)
    assert seed is not None
    story = client.get(f"/su-kien/{seed.story_id}")
    assert story.status_code == 200 and seed.article.title in story.text
    outlet, _ = store.outlets()[0]
    page = client.get(f"/nguon/{outlet}")
    assert page.status_code == 200
    assert client.get(f"/nguon/{outlet}/").url.path == page.url.path  # redirected, as other routes are
    assert len(HTMLParser(page.text).css("a.item-title")) == min(20, store.count(outlet=outlet))
    assert client.get("/su-kien/khong-co").status_code == 404
    assert client.get("/tin/khong-co").status_code == 404
    style = client.get("/static/site.css")
    assert style.headers["content-type"].startswith("text/css")
    assert style.headers["x-content-type-options"] == "nosniff"
    assert style.headers["cache-control"] == "public, max-age=3600"
    for path in ("/khong-co", "/static/khong-co.css"):  # the site's own error page, in Vietnamese
        missing = client.get(path)
        assert missing.status_code == 404 and "Không có trang này." in missing.text
    posted = client.post("/tim-kiem")
    assert posted.status_code == 405 and "GET" in posted.headers["allow"] and "<html" in posted.text
    bad = client.get("/chuyen-muc/the-gioi", params={"trang": "abc"})
    assert bad.status_code == 400 and "Tham số trang phải là số nguyên." in bad.text


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_search_finds_the_seed_accent_and_case_insensitively(
    client: TestClient, corpus_db: CorpusDb, query: str
):
    response = client.get("/tim-kiem", params={"q": query})
    assert response.status_code == 200
    tree = HTMLParser(response.text)
    assert f"/tin/{corpus_db.seed_id}" in [a.attributes.get("href") for a in tree.css("a.item-title")]
    assert tree.css("a.item-title mark"), "the matched words are highlighted"
    api = client.get("/api/search", params={"q": query, "limit": 50}).json()
    assert corpus_db.seed_id in [item["id"] for item in api["items"]]


def test_a_broad_search_says_it_counted_only_so_far(
    client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(sqlite_store, "CANDIDATES", 20)
    assert not store.search(SearchQuery(text="nam", offset=40, limit=20)).total_exact  # over 60 matches
    first = HTMLParser(client.get("/tim-kiem", params={"q": "nam", "to": "2100-01-01"}).text)
    assert first.css_first("p.count").text() == "Hơn 20 kết quả"
    assert first.css_first("nav.pager span").text() == "Trang 1/1+"
    assert first.css_first("a[rel=next]") is None  # pages end with the ranked matches
    api = client.get("/api/search", params={"q": "nam", "limit": 5}).json()
    assert (api["total"], api["total_exact"], len(api["items"])) == (20, False, 5)


def test_quoted_phrases_are_phrases_on_the_site_and_in_the_api(client: TestClient, corpus_db: CorpusDb):
    def found(q: str) -> tuple[bool, bool]:
        page = f"/tin/{corpus_db.seed_id}" in client.get("/tim-kiem", params={"q": q}).text
        api = client.get("/api/search", params={"q": q, "limit": 100}).json()["items"]
        return page, corpus_db.seed_id in [item["id"] for item in api]

    assert found('"lãnh đạo quốc phòng"') == (True, True)
    assert found("phong quoc lanh dao") == (True, True)  # loose words, any order
    assert found('"phong quoc lanh dao"') == (False, False)  # not side by side in that order


def test_or_finds_either_on_the_site_and_in_the_api(client: TestClient, corpus_db: CorpusDb):
    def ids(q: str) -> set[str]:
        return {
            item["id"] for item in client.get("/api/search", params={"q": q, "limit": 100}).json()["items"]
        }

    seed, other = ids('"lãnh đạo quốc phòng"'), ids('"giá vàng"')
    assert corpus_db.seed_id in seed and other and not seed & other
    assert ids('"lãnh đạo quốc phòng" OR "giá vàng"') == seed | other
    page = HTMLParser(client.get("/tim-kiem", params={"q": '"lanh dao quoc phong" OR "gia vang"'}).text)
    assert f"/tin/{corpus_db.seed_id}" in [a.attributes.get("href") for a in page.css("a.item-title")]
    assert "OR" not in [mark.text() for mark in page.css("a.item-title mark, .item-lead mark")]
    assert page.css_first("p.hint") is None  # the syntax hint is shown only where nothing was found
    empty = HTMLParser(client.get("/tim-kiem").text)
    assert "OR" in empty.css_first("p.hint").text()


def test_punctuation_alone_finds_nothing_on_the_site_or_the_api(client: TestClient):
    assert not HTMLParser(client.get("/tim-kiem", params={"q": "!!!"}).text).css("a.item-title")
    assert client.get("/api/search", params={"q": "!!!"}).json()["items"] == []
    assert client.get("/api/search").json()["items"]  # no q at all: the newest articles, as documented


def test_a_hit_shows_the_paragraph_that_matched_when_the_lead_does_not():
    from diemtin.article import Article
    from diemtin.serve.app import _snippet
    from diemtin.store.base import StoredArticle

    article = Article(
        title="Hội chợ sách",
        lead="Hội chợ mở cửa từ sáng nay.",
        body=["Có hơn hai trăm gian hàng.", "Khu đọc sách cho thiếu nhi " + "rất rộng " * 60 + "mở cả tối."],
    )
    stored = StoredArticle(article, "s")
    assert _snippet(stored, ["hoi", "cho"], frozenset()) == article.lead
    assert _snippet(stored, [], frozenset()) == article.lead
    assert _snippet(stored, ["gian", "hang"], frozenset()) == article.body[0]
    far = _snippet(stored, ["toi"], frozenset())
    assert far.startswith("…") and "mở cả tối." in far and len(far) <= 282


def test_search_filters(client: TestClient, corpus_db: CorpusDb, store: Store):
    seed = store.get(corpus_db.seed_id)
    assert seed is not None and seed.article.published and seed.article.category
    day = seed.article.published.strftime("%Y-%m-%d")
    after = (seed.article.published + timedelta(days=1)).strftime("%Y-%m-%d")
    other = next(key for key, _ in store.categories() if key != seed.article.category)

    def found(**params: str) -> bool:
        html = client.get("/tim-kiem", params={"q": "lãnh đạo", **params}).text
        return f"/tin/{corpus_db.seed_id}" in html

    assert found(category=seed.article.category)
    assert not found(category=other)
    assert found(**{"from": day, "to": day})
    assert not found(**{"from": after})

    def in_api(**params: str) -> bool:
        items = client.get("/api/search", params={"q": "lãnh đạo", "limit": 100, **params}).json()["items"]
        return corpus_db.seed_id in [item["id"] for item in items]

    assert in_api(since=day, until=day) and in_api(**{"from": day, "to": day})  # the form's names work too
    assert not in_api(**{"from": after}) and not in_api(since=after, **{"from": day})  # since wins
    refused = client.get("/api/search", params={"q": "x", "to": "hôm qua"})
    assert refused.status_code == 400 and "to must be a date" in refused.text
    assert client.get("/tim-kiem", params={"q": "x", "from": "hôm qua"}).status_code == 400
    unknown = client.get("/tim-kiem", params={"q": "x", "category": "khong-co"})
    assert unknown.status_code == 400 and "Không có chuyên mục khong-co." in unknown.text  # as the API


def test_search_sorted_newest_first_on_the_site_in_the_api_and_in_feeds(client: TestClient):
    def dates(items: list[dict[str, str]]) -> list[str]:
        return [item["published"] for item in items]

    newest = client.get("/api/search", params={"q": "nam", "sort": "newest", "limit": 30}).json()["items"]
    best = client.get("/api/search", params={"q": "nam", "limit": 30}).json()["items"]
    assert dates(newest) == sorted(dates(newest), reverse=True) and len(newest) == 30
    assert dates(best) != sorted(dates(best), reverse=True)  # by relevance: not the same order
    page = HTMLParser(client.get("/tim-kiem", params={"q": "nam", "sort": "newest"}).text)
    shown = [a.attributes["datetime"] for a in page.css("li.item time")]
    assert shown == sorted(shown, reverse=True) and len(shown) == 20
    assert page.css_first("select[name=sort] option[selected]").attributes["value"] == "newest"
    assert "sort=newest" in page.css_first("a[rel=next]").attributes["href"]  # the next page keeps the order
    feed = feedparser.parse(client.get("/tim-kiem/rss.xml", params={"q": "nam"}).content)
    updated = [entry.published_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)  # a search's feed: the new matches first
    assert client.get("/api/search", params={"q": "nam", "sort": "date"}).status_code == 400
    assert client.get("/tim-kiem", params={"q": "nam", "sort": "date"}).status_code == 400


def test_views_count_people_not_bots(client: TestClient, store: Store):
    assert is_bot("Googlebot/2.1 (+http://www.google.com/bot.html)") and is_bot(None) and is_bot("curl/8.5")
    assert not is_bot(BROWSER["User-Agent"])
    target = store.latest(category="the-thao", limit=1) or store.latest(limit=1)
    article_id = target[0].article.id
    site = client.app.state.site  # type: ignore[attr-defined]
    before = store.get(article_id)
    assert before is not None
    for _ in range(3):
        client.get(f"/tin/{article_id}", headers={"User-Agent": "Googlebot/2.1"})
    site.views.flush()
    after_bots = store.get(article_id)
    assert after_bots is not None and after_bots.views == before.views
    for _ in range(30):
        client.get(f"/tin/{article_id}", headers=BROWSER)
    site.views.flush()
    after_people = store.get(article_id)
    assert after_people is not None and after_people.views == before.views + 30
    most_read = store.most_read(since=datetime.now(UTC) - timedelta(days=7))
    assert most_read[0].article.id == article_id
    store.record_views([("khong-co", datetime.now(UTC))])  # an unknown id is ignored
    assert store.most_read(since=datetime.now(UTC) - timedelta(days=7))[0].article.id == article_id


def test_pages_carry_validators_and_answer_304(client: TestClient, corpus_db: CorpusDb):
    for path in [
        "/",
        f"/tin/{corpus_db.seed_id}",
        "/rss.xml",
        "/api/articles",
        f"/api/articles/{corpus_db.seed_id}",
    ]:
        first = client.get(path)
        assert first.status_code == 200
        assert first.headers["etag"] and "max-age" in first.headers["cache-control"]
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and not again.content
        changed = client.get(path, headers={"If-None-Match": '"something-else"'})
        assert changed.status_code == 200
    api = client.get("/api/categories")
    since = client.get("/api/categories", headers={"If-Modified-Since": api.headers["last-modified"]})
    assert since.status_code == 304
    old = client.get("/api/categories", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200


def test_api_lists_paginate_and_describe_errors(client: TestClient, corpus_db: CorpusDb, store: Store):
    first = client.get("/api/articles", params={"limit": 5}).json()
    second = client.get("/api/articles", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == store.count() and len(first["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    one = client.get(f"/api/articles/{corpus_db.seed_id}").json()
    assert one["id"] == corpus_db.seed_id and one["body"] and one["story_id"]
    story = client.get(f"/api/stories/{one['story_id']}").json()
    assert corpus_db.seed_id in [item["id"] for item in story["items"]]
    categories = client.get("/api/categories").json()["items"]
    assert sum(c["count"] for c in categories) == sum(count for _, count in store.categories())
    assert client.get("/api/articles", params={"limit": 0}).status_code == 400
    assert client.get("/api/articles", params={"offset": "x"}).json()["error"]
    assert client.get("/api/articles/khong-co").status_code == 404
    assert client.get("/api/search", params={"since": "ngày mai"}).status_code == 400
    assert client.get("/api/articles", params={"category": "khong-co"}).status_code == 400
    assert client.get("/api/search", params={"q": "a", "category": "khong-co"}).json()["error"]
    assert client.get("/api/khong-co").json() == {"error": "not found"}
    assert client.post("/api/articles").status_code == 405
    spec = client.get("/openapi.json").json()
    assert {
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/search",
    } <= set(spec["paths"])


def test_api_lists_stories_newest_first_one_entry_each(client: TestClient, store: Store):
    first = client.get("/api/stories", params={"limit": 10}).json()
    second = client.get("/api/stories", params={"limit": 10, "offset": 10}).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == 20 == len(set(ids)) and first["has_more"]
    newest = [item["latest"]["published"] for item in first["items"] + second["items"]]
    assert newest == sorted(newest, reverse=True)
    for item in first["items"]:
        members = store.story(item["id"])
        assert item["articles"] == len(members) >= 1
        assert item["latest"]["id"] in [member.article.id for member in members]
    several = [item for item in first["items"] + second["items"] if item["articles"] > 1]
    assert several, "the corpus has stories told more than once"
    world = client.get("/api/stories", params={"category": "the-gioi", "limit": 5}).json()["items"]
    assert world and all(item["latest"]["category"] == "the-gioi" for item in world)
    assert client.get("/api/stories", params={"offset": 5000}).status_code == 400


def _attributes(html: str) -> list[tuple[str, str, str]]:
    return [
        (node.tag, name, value or "")
        for node in HTMLParser(html).css("*")
        for name, value in node.attributes.items()
    ]


def test_hostile_article_is_shown_as_text(client: TestClient, corpus_db: CorpusDb):
    pages = [
        f"/tin/{corpus_db.hostile_id}",
        "/",
        "/chuyen-muc/the-gioi",
        f"/tim-kiem?q={HOSTILE_MARK}",
        f"/tim-kiem?q=<script>{HOSTILE_MARK}",
    ]
    for path in pages:
        response = client.get(path, headers=BROWSER)
        assert response.status_code == 200, path
        assert HOSTILE_MARK in response.text, path
        tree = HTMLParser(response.text)
        assert not tree.css("script, iframe, svg, object, embed"), path
        for tag, name, value in _attributes(response.text):
            assert not name.startswith("on"), (path, tag, name)
            if name in ("href", "src", "action"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), (path, tag, value)
        assert "script-src" not in response.headers["content-security-policy"]
        assert "default-src 'none'" in response.headers["content-security-policy"]
    article = HTMLParser(client.get(f"/tin/{corpus_db.hostile_id}").text)
    title = article.css_first("h1")
    assert title is not None and "<script>" in title.text()


def test_a_page_past_the_last_leads_back_to_the_last(client: TestClient, store: Store):
    key, total = max(store.categories(), key=lambda pair: pair[1])
    last = -(-total // 20)
    beyond = HTMLParser(client.get(f"/chuyen-muc/{key}", params={"trang": last + 5}).text)
    assert beyond.css_first("p.empty").text() == "Trang này không còn bài."
    assert beyond.css_first('a[rel="prev"]').attributes["href"] == f"?trang={last}"
    end = HTMLParser(client.get(f"/chuyen-muc/{key}", params={"trang": last}).text)
    assert end.css_first('a[rel="prev"]').attributes["href"] == f"?trang={last - 1}"
    assert end.css_first('a[rel="next"]') is None and end.css("a.item-title")


def test_a_head_request_is_not_a_view(client: TestClient, store: Store):
    article_id = store.latest(category="the-gioi", limit=3)[-1].article.id
    site = client.app.state.site  # type: ignore[attr-defined]
    site.views.flush()
    before = store.get(article_id)
    head = client.head(f"/tin/{article_id}", headers=BROWSER)
    assert head.status_code == 200 and head.headers["etag"] and not head.content
    site.views.flush()
    after = store.get(article_id)
    assert before is not None and after is not None and after.views == before.views


def test_the_api_root_lists_its_endpoints_from_the_openapi_document(client: TestClient):
    spec = client.get("/openapi.json").json()
    for root in ("/api", "/api/"):
        index = client.get(root).json()
        assert index["openapi"] == "/openapi.json" and index["version"] == spec["info"]["version"]
        assert [e["path"] for e in index["endpoints"]] == list(spec["paths"])
        assert all(e["summary"] for e in index["endpoints"])
    footer = HTMLParser(client.get("/", headers=BROWSER).text).css_first("footer a[href='/api/']")
    assert footer is not None and footer.text() == "API"


@pytest.mark.parametrize(
    "path", ["/api/", "/api/articles", "/api/articles/khong-co", "/api/khong-co", "/openapi.json"]
)
def test_api_answers_are_never_taken_for_pages(client: TestClient, path: str):
    response = client.get(path)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    if response.status_code == 200:  # the OpenAPI document too is validated and cached
        assert response.headers["etag"] and "max-age" in response.headers["cache-control"]
        assert client.get(path, headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_a_query_is_shown_back_without_control_characters(client: TestClient):
    page = client.get("/tim-kiem", params={"q": "bão\x00 lũ\x1b"}).text
    assert "\x00" not in page and "\x1b" not in page
    assert HTMLParser(page).css_first("form.search-form input[name=q]").attributes["value"] == "bão lũ"


def test_most_read_leaves_out_the_article_being_read(store: Store):
    first, second = (s.article.id for s in store.latest(category="the-thao", limit=2))
    with TestClient(create_app(store, cache_ttl=0, most_read_ttl=0)) as fresh:
        site = fresh.app.state.site  # type: ignore[attr-defined]
        for _ in range(200):  # more than any other test gives, so it is the most read
            site.views.record(first, BROWSER["User-Agent"])
        site.views.flush()

        def most_read(article_id: str) -> list[str | None]:
            tree = HTMLParser(fresh.get(f"/tin/{article_id}", headers=BROWSER).text)
            box = next(node for node in tree.css("aside section") if "Bài đọc nhiều" in node.text())
            return [a.attributes.get("href") for a in box.css("a")]

        assert most_read(second)[0] == f"/tin/{first}"
        assert f"/tin/{first}" not in most_read(first)


def test_later_pages_of_a_list_say_their_number_in_the_title(client: TestClient):
    assert client.get("/chuyen-muc/the-gioi").text.count("<title>Thế giới · Điểm tin</title>") == 1
    assert "<title>Thế giới · Trang 2 · Điểm tin</title>" in client.get("/chuyen-muc/the-gioi?trang=2").text


@pytest.mark.parametrize("trang", ["99999999999999999999", "1_0", " 2", "２"])
def test_page_numbers_are_plain_digits_in_range(client: TestClient, trang: str):
    for path in ("/chuyen-muc/the-gioi", "/nguon/VietNamNet", "/tim-kiem"):
        response = client.get(path, params={"trang": trang, "q": "nam"})
        assert response.status_code == 400, path
        assert "Tham số trang phải" in response.text
    assert client.get("/api/articles", params={"offset": trang}).status_code == 400


@pytest.mark.parametrize("path", ["/nguon/", "/nguon//"])
def test_an_outlet_page_needs_an_outlet(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 404 and "Không có nguồn này." in response.text


# Invented reports of one event, told three times with different sentences (not copies of each other).
BRIDGE = [
    "Cây cầu vượt biển dài 5,4 km nối đất liền với đảo Hòn Mẫu chính thức thông xe sáng nay sau ba năm.",
    "Chủ đầu tư cho biết công trình có tổng vốn hơn 4.000 tỷ đồng, gồm bốn làn xe và hai làn xe thô sơ.",
    "Người dân trên đảo trước đây phải đi phà mất hơn một giờ, nay chỉ cần mười phút để vào đất liền.",
    "Lực lượng cảnh sát giao thông được bố trí tại hai đầu cầu để phân luồng trong ngày đầu thông xe.",
    "Tỉnh dự kiến thu hút thêm khách du lịch đến đảo nhờ tuyến đường mới rút ngắn thời gian đi lại.",
]


def bridge_report(outlet: str, hours: float, sentences: list[int], title: str) -> Article:
    body = [BRIDGE[i] for i in sentences]
    made = Article(
        url=f"https://{abs(hash(outlet))}.vn/cau-{hours}.html",
        title=title,
        lead=body[0],
        body=body[1:],
        outlet=outlet,
        category="thoi-su",
        published=datetime(2026, 11, 20, 9, tzinfo=VIETNAM) + timedelta(hours=hours),
        provenance=Provenance(input=f"{outlet}-{hours}"),
    )
    made.id = made.compute_id()
    return made


def test_top_stories_on_the_home_page_and_in_the_api(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "top.db")
    told = [
        store.add(bridge_report("Báo A", 0, [0, 1, 2], "Thông xe cầu vượt biển nối đảo Hòn Mẫu")),
        store.add(bridge_report("Báo B", 1, [0, 2, 3], "Cầu vượt biển Hòn Mẫu thông xe")),
        store.add(bridge_report("Báo C", 2, [0, 3, 4], "Đảo Hòn Mẫu có cầu vượt biển")),
        # the same event told twice ten days before: outside every window
        store.add(bridge_report("Báo D", -240, [0, 1, 2], "Sắp thông xe cầu vượt biển nối đảo Hòn Mẫu")),
        store.add(bridge_report("Báo E", -239, [0, 2, 3], "Cầu vượt biển Hòn Mẫu sắp thông xe")),
    ]
    assert len({result.story_id for result in told[:3]}) == 1  # one story, three outlets
    try:
        with TestClient(create_app(store)) as client:
            api = client.get("/api/top-stories").json()
            assert api["hours"] == 192  # two days, then four, then eight: the one story is all there is
            assert [(s["id"], s["outlets"]) for s in api["items"]] == [
                (told[0].story_id, ["Báo A", "Báo B", "Báo C"])
            ]
            assert api["items"][0]["latest"]["title"] == "Đảo Hòn Mẫu có cầu vượt biển"
            home = HTMLParser(client.get("/").text)
            (box,) = home.css("section.top-stories")
            assert box.css_first("a.item-title").attributes["href"] == f"/su-kien/{told[0].story_id}"
            assert box.css_first("p.meta").text() == "3 nguồn: Báo A, Báo B, Báo C"
            story = HTMLParser(client.get(f"/su-kien/{told[0].story_id}").text)  # the same headline there
            assert story.css_first("h1").text() == box.css_first("a.item-title").text()
            feed = feedparser.parse(client.get(f"/su-kien/{told[0].story_id}/rss.xml").content)
            assert feed.feed.title.startswith("Đảo Hòn Mẫu có cầu vượt biển")
            assert client.get("/api/top-stories", params={"limit": 0}).status_code == 400
    finally:
        store.close()


def test_a_minus_sign_leaves_words_out_on_the_site_and_in_the_api(client: TestClient, corpus_db: CorpusDb):
    def found(q: str) -> tuple[bool, bool]:
        page = f"/tin/{corpus_db.seed_id}" in client.get("/tim-kiem", params={"q": q}).text
        api = client.get("/api/search", params={"q": q, "limit": 100}).json()["items"]
        return page, corpus_db.seed_id in [item["id"] for item in api]

    assert found("lãnh đạo quốc phòng") == (True, True)
    assert found("lãnh đạo quốc phòng -Ukraine") == (False, False)  # the seed is about Ukraine
    assert found('lãnh đạo quốc phòng -"Trung Quốc đại lục"') == (True, True)
    page = HTMLParser(client.get("/tim-kiem", params={"q": "quốc phòng -Nga"}).text)
    assert "nga" not in {mark.text().lower() for mark in page.css("mark")}  # what is left out is not marked
