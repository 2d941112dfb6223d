"""RSS 2.0 and Atom feeds for the front page, a category, a story and a search: they parse cleanly and link
back."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.testclient import TestClient

from diemtin.serve.app import create_app
from diemtin.store.base import Store

from .conftest import HOSTILE_MARK, CorpusDb, hostile_article

pytestmark = pytest.mark.shared
ATOM = "http://www.w3.org/2005/Atom"
FEEDS = [
    ("/", "/rss.xml"),
    ("/", "/atom.xml"),
    ("/chuyen-muc/the-gioi", "/chuyen-muc/the-gioi/rss.xml"),
    ("/chuyen-muc/the-gioi", "/chuyen-muc/the-gioi/atom.xml"),
    ("/tim-kiem?q=l%C3%A3nh+%C4%91%E1%BA%A1o", "/tim-kiem/rss.xml?q=l%C3%A3nh+%C4%91%E1%BA%A1o"),
    ("/tim-kiem?q=l%C3%A3nh+%C4%91%E1%BA%A1o", "/tim-kiem/atom.xml?q=l%C3%A3nh+%C4%91%E1%BA%A1o"),
    ("/nguon/VietNamNet?trang=1", "/tim-kiem/rss.xml?outlet=VietNamNet"),  # an outlet's: its search feed
    ("/nguon/VietNamNet", "/tim-kiem/atom.xml?outlet=VietNamNet"),
]


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store)) as test_client:
        yield test_client


@pytest.mark.parametrize(("page", "feed"), FEEDS)
def test_feed_parses_and_is_linked_from_its_page(client: TestClient, page: str, feed: str):
    html = HTMLParser(client.get(page).text)
    alternates = [link.attributes.get("href") for link in html.css('link[rel="alternate"]')]
    assert feed in alternates
    response = client.get(feed)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(("application/rss+xml", "application/atom+xml"))
    etree.fromstring(response.content)  # well-formed XML, strictly
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if feed.split("?")[0].endswith("rss.xml") else "atom10")
    assert parsed.entries
    for entry in parsed.entries[:5]:
        assert entry.title and entry.link and entry.get("published_parsed")
        assert client.get(urlsplit(entry.link).path).status_code == 200


def test_feed_links_of_a_later_page_point_at_the_feed_of_the_list(client: TestClient):
    html = HTMLParser(client.get("/tim-kiem", params={"q": "nam", "trang": 2}).text)
    alternates = [link.attributes.get("href") for link in html.css('link[rel="alternate"]')]
    assert alternates == ["/tim-kiem/rss.xml?q=nam", "/tim-kiem/atom.xml?q=nam"]


@pytest.mark.parametrize("feed", ["/rss.xml", "/atom.xml"])
def test_feed_items_credit_their_author_and_source(client: TestClient, corpus_db: CorpusDb, feed: str):
    parsed = feedparser.parse(client.get("/tim-kiem" + feed, params={"q": '"lãnh đạo quốc phòng"'}).content)
    (seed,) = [entry for entry in parsed.entries if entry.link.endswith(f"/tin/{corpus_db.seed_id}")]
    assert seed.author == "Tuấn Anh (VietNamNet)"


def test_category_feed_holds_only_its_category(client: TestClient, store: Store):
    parsed = feedparser.parse(client.get("/chuyen-muc/the-gioi/atom.xml").content)
    ids = [urlsplit(entry.link).path.rsplit("/", 1)[1] for entry in parsed.entries]
    stored = [store.get(article_id) for article_id in ids]
    assert stored and all(s is not None and s.article.category == "the-gioi" for s in stored)


def test_an_outlet_feed_holds_only_that_outlet_newest_first(client: TestClient, store: Store):
    parsed = feedparser.parse(client.get("/tim-kiem/rss.xml", params={"outlet": "VietNamNet"}).content)
    assert parsed.feed.title == "VietNamNet · Điểm tin"
    ids = [urlsplit(entry.link).path.rsplit("/", 1)[1] for entry in parsed.entries]
    assert ids == [stored.article.id for stored in store.latest(outlet="VietNamNet", limit=len(ids))]


def _entry_link(entry: etree._Element) -> str:
    atom_link = entry.find(f"{{{ATOM}}}link")
    return (entry.findtext("link") or "") if atom_link is None else (atom_link.get("href") or "")


def test_hostile_article_stays_text_in_feeds(client: TestClient, corpus_db: CorpusDb):
    hostile = hostile_article()
    for feed in ("/rss.xml", "/atom.xml", f"/tim-kiem/rss.xml?q={HOSTILE_MARK}"):
        content = client.get(feed).content
        assert feedparser.parse(content).bozo == 0
        root = etree.fromstring(content)
        titles = [
            entry.findtext("title") or entry.findtext(f"{{{ATOM}}}title")
            for entry in root.iter("item", f"{{{ATOM}}}entry")
            if corpus_db.hostile_id in _entry_link(entry)
        ]
        assert titles == [hostile.title], feed


def test_unknown_category_feed_is_404(client: TestClient):
    assert client.get("/chuyen-muc/khong-co/rss.xml").status_code == 404


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_story_feed_follows_the_story_newest_first(client: TestClient, store: Store, kind: str):
    story = next(s for s in (store.story(a.story_id) for a in store.latest(limit=500)) if len(s) > 1)
    page = f"/su-kien/{story[0].story_id}"
    html = HTMLParser(client.get(page).text)
    feed = f"{page}/{kind}.xml"
    assert feed in [link.attributes.get("href") for link in html.css('link[rel="alternate"]')]
    assert feed in [link.attributes.get("href") for link in html.css("footer a")]  # visible too
    parsed = feedparser.parse(client.get(feed).content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    links = [urlsplit(entry.link).path for entry in parsed.entries]
    assert links == [f"/tin/{stored.article.id}" for stored in reversed(story)]
    assert client.get(f"/su-kien/khong-co/{kind}.xml").status_code == 404
