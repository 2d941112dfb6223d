"""The Article record: stable ids and a lossless JSON round trip with DESIGN.md's field names."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from diemtin.article import Article, Image, Link, Provenance
from diemtin.extract import extract

VIETNAM = timezone(timedelta(hours=7))
DESIGN_FIELDS = {
    "url", "site", "outlet", "section", "category", "title", "lead", "body", "captions", "authors", "source",
    "published", "modified", "tags", "images", "related", "provenance",
}  # fmt: skip


def _sample() -> Article:
    article = Article(
        url="https://bao-mau.example/the-gioi/bai-mau-1.html",
        site="bao-mau.example",
        outlet="Báo Mẫu",
        section="Thế giới",
        section_path=["Thế giới"],
        category="the-gioi",
        title="Bài mẫu: hai bộ trưởng điện đàm",
        lead="Nội dung minh họa cho phần sapo.",
        body=["Đoạn một.", "Đoạn hai có “ngoặc kép” và dấu …"],
        captions=["Ảnh minh họa"],
        authors=["Minh An"],
        source="Báo Gốc",
        published=datetime(2026, 11, 20, 6, 55, tzinfo=VIETNAM),
        modified=datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
        tags=["ngoại giao"],
        images=[Image("https://bao-mau.example/anh.jpg", "Ảnh minh họa")],
        related=[Link("Tin cùng chuyên mục mẫu", None, "19/11", "same-section")],
        provenance=Provenance(input="mau.html", input_hash="ab", warnings=["một cảnh báo"],
                              fetched_at=datetime(2026, 11, 21, tzinfo=VIETNAM)),
    )  # fmt: skip
    article.id = article.compute_id()
    return article


def test_json_round_trip_is_lossless() -> None:
    article = _sample()
    data = json.loads(json.dumps(article.to_dict(), ensure_ascii=False))
    assert set(data) >= DESIGN_FIELDS
    assert data["published"] == "2026-11-20T06:55:00+07:00"
    assert data["provenance"]["input"] == "mau.html"
    assert Article.from_dict(data) == article


def test_id_hashes_the_url_or_the_content_of_a_url_less_dump() -> None:
    article = _sample()
    same_url = Article(url=article.url, title="another title")
    assert article.compute_id() == same_url.compute_id()
    dump = Article(title=article.title, body=article.body, published=article.published)
    changed = Article(title=article.title, body=[*article.body, "thêm"], published=article.published)
    assert dump.compute_id() != changed.compute_id() != article.compute_id()


@pytest.mark.shared
def test_real_pages_round_trip(shared: Path) -> None:
    paths = sorted(shared.glob("corpus/html/*/*_article.html")) + sorted(shared.glob("seed/*.txt"))
    assert paths
    for path in paths:
        article = extract(path.read_bytes())
        assert Article.from_dict(json.loads(json.dumps(article.to_dict()))) == article, path.name
