"""The six outlets' real pages (../shared/corpus/html) served under their original URLs through the loopback
proxy, crawled with the shipped profiles: the listing's article links are found and each asked for once, the
one article on the server is stored with its headline intact, and the missing feeds fail with a logged reason
while the crawl goes on."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from diemtin.ingest.crawler.canonical import canonical_url
from diemtin.sites import profile_for


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.shared
@pytest.mark.slow
def test_outlets_crawled_from_their_listing_pages(replay: Any, crawl: Any, shared: Path) -> None:
    corpus = shared / "corpus"
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = [
            r for r in csv.DictReader(handle, delimiter="\t") if r["path"].startswith("html/") and r["url"]
        ]
    listings: dict[str, dict[str, Any]] = {}
    articles: dict[str, str] = {}
    for row in rows:
        suffix = ".links.json" if row["kind"] == "listing" else ".json"
        gold_file = corpus / "gold" / f"{row['site']}__{Path(row['path']).stem}{suffix}"
        if not gold_file.is_file():  # the 2019 home page has no gold and no profile listing
            continue
        replay.route(row["url"], replay.Reply(200, (corpus / row["path"]).read_bytes()))
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        if row["kind"] == "listing":
            listings[row["site"]] = gold
        else:
            articles[row["url"]] = gold["title"]
    assert len(listings) == 6 and len(articles) == 6
    for site in listings:
        replay.robots(f"https://{site}", "User-agent: *\nDisallow: /tim-kiem\n")
    profiles = [profile_for(gold["url"]) for gold in listings.values()]
    done = crawl(replay.options(delay=0.05, max_attempts=1), *profiles)

    stored = {hit.article.url: hit.article.title for hit in done.store.iter_all()}
    assert set(stored) == set(articles)
    for url, title in articles.items():
        assert _norm(stored[url]) == _norm(title)
    for site, gold in listings.items():
        hits = replay.hits(site)
        asked = Counter(h.path for h in hits)
        expected = {canonical_url(link["url"]) for link in gold["links"]}
        article_paths = {"/" + u.split("/", 3)[3] for u in expected if u}
        assert {p for p in asked if p in article_paths} == article_paths, site
        assert max(asked.values()) == 1, f"{site}: asked twice: {[p for p, n in asked.items() if n > 1]}"
        hidden = {"/" + link["url"].split("/", 3)[3] for link in gold["hidden_links"]}
        assert not hidden & set(asked), f"{site}: a hidden listing item was crawled"
        assert min(b.start - a.start for a, b in pairwise(hits)) >= 0.05 - 0.005
        assert replay.max_in_flight[site] == 1
    missing = done.frontier.db.execute("SELECT COUNT(*) FROM crawl_url WHERE reason = 'HTTP 404'").fetchone()[
        0
    ]
    assert missing == sum(len(g["links"]) for g in listings.values()) - len(articles)
