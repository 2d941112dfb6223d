"""The HTML path on the gold article pages of ../shared (field by field) and on invented pages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from diemtin.article import Page
from diemtin.evaluate import compare, summarise
from diemtin.extract import extract
from diemtin.extract.html import MAX_HTML_BYTES, extract_html

VN = timezone(timedelta(hours=7))
FETCHED = datetime(2026, 3, 8, tzinfo=VN)
FIELDS = ("title", "published", "lead", "authors", "source", "section", "captions", "tags")


def _gold(shared: Path) -> list[dict[str, Any]]:
    files = sorted((shared / "corpus" / "gold").glob("*_article.json"))
    assert len(files) == 6
    return [json.loads(path.read_text(encoding="utf-8")) for path in files]


def _run(shared: Path, gold: dict[str, Any], *, profiles: bool = True) -> Any:
    page = Page(
        content=(shared / "corpus" / gold["file"]).read_bytes(),
        kind="html",
        url=gold["url"],
        fetched_at=FETCHED,
    )
    return extract_html(page, profiles=profiles)


@pytest.mark.shared
def test_gold_articles_every_field(shared: Path) -> None:
    reports = []
    for gold in _gold(shared):
        article = _run(shared, gold)
        report = compare(article, gold)
        reports.append(report)
        wrong = [name for name in FIELDS if not report.right[name]]
        assert not wrong, (gold["site"], wrong)
        assert article.provenance.profile is not None
        assert article.category == "kinh-doanh", gold["site"]  # every gold page is a business story
        assert len(article.images) == len(gold["images"])
        for image, candidates in zip(article.images, gold["image_candidates"], strict=True):
            assert image.url in candidates, (gold["site"], image.url)
        if gold["modified"]:
            assert article.modified == datetime.fromisoformat(gold["modified"])
    score = summarise(r.body for r in reports)
    assert score.f1 >= 0.995
    assert score.exact >= 5


@pytest.mark.shared
def test_gold_articles_without_profiles(shared: Path) -> None:
    """Generic extraction alone (what an unknown outlet gets) still finds the body of every gold page."""
    reports = [compare(_run(shared, gold, profiles=False), gold) for gold in _gold(shared)]
    score = summarise(r.body for r in reports)
    assert score.f1 >= 0.98
    for report in reports:
        assert report.right["title"] and report.right["published"]


@pytest.mark.shared
def test_listing_and_home_pages_do_not_fail(shared: Path) -> None:
    for path in sorted((shared / "corpus" / "html").glob("*/*.html")):
        article = extract_html(Page(content=path.read_bytes(), kind="html", fetched_at=FETCHED))
        assert not any("extraction failed" in w for w in article.provenance.warnings), path
        assert article.title, path
        assert article.id


FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = (FIXTURES / "invented_article.html").read_text(encoding="utf-8")


def test_invented_article_all_layers() -> None:
    article = extract(ARTICLE, fetched_at=FETCHED)
    assert article.url == "https://baomau.vn/xa-hoi/cau-moi-noi-hai-bo-song-123.html"
    assert article.site == "baomau.vn" and article.outlet == "Báo Mẫu"
    assert article.title == "Cầu mới nối hai bờ sông"  # visible h1 beats og:title and JSON-LD
    assert article.lead.startswith("(BM) - Cây cầu dài")
    assert article.body == [
        "Đoạn thứ nhất kể rằng người dân hai xã từng phải đi đò mất gần một giờ, nhất là vào mùa nước lớn.",
        "Đoạn thứ hai nói về kinh phí xây dựng, thời gian thi công kéo dài mười tám tháng"
        " và những khó khăn gặp phải.",
        "Kỳ vọng phát triển",
        "Đoạn thứ ba nói rằng chính quyền kỳ vọng cây cầu giúp hàng hóa lưu thông dễ dàng hơn giữa hai bờ.",
    ]
    assert article.captions == ["Cây cầu nhìn từ trên cao. Ảnh: Minh An"]
    assert [(i.url, i.caption) for i in article.images] == [
        ("https://baomau.vn/anh/cau.jpg", "Cây cầu nhìn từ trên cao. Ảnh: Minh An")
    ]
    assert article.authors == ["Minh An"]  # trailing right-aligned byline, not the JSON-LD author
    assert article.source is None
    # visible 09:15 agrees with JSON-LD to the minute: the machine value (with seconds) is kept
    assert article.published == datetime(2025, 4, 2, 9, 15, 27, tzinfo=VN)
    assert article.modified == datetime(2025, 4, 2, 10, 0, tzinfo=VN)
    assert article.section == "Xã hội" and article.category == "thoi-su"
    assert article.tags == ["cầu", "giao thông"]
    assert [(link.kind, link.url) for link in article.related][:1] == [
        ("related", "https://baomau.vn/xa-hoi/cau-cu-xuong-cap-99.html")
    ]
    assert article.provenance.input_kind == "html" and article.provenance.profile is None
    assert article.id == article.compute_id()


def test_visible_time_wins_over_disagreeing_metadata() -> None:
    page = ARTICLE.replace("2025-04-02T09:15:27+07:00", "2025-04-02T02:15:27+00:00").replace(
        "02/04/2025 09:15", "02/04/2025 09:45"
    )
    assert extract(page, fetched_at=FETCHED).published == datetime(2025, 4, 2, 9, 45, tzinfo=VN)


def test_date_later_than_fetch_time_is_refused() -> None:
    early = datetime(2025, 4, 1, tzinfo=VN)
    article = extract(ARTICLE, fetched_at=early)
    assert article.published is None
    assert any("later than the fetch time" in warning for warning in article.provenance.warnings)


def test_a_saved_page_dated_in_the_future_has_no_date() -> None:
    # no fetch time (a file on disk): now is the limit, so the page cannot sit on top of every list for years
    page = ARTICLE.replace("2025-04-02T09:15:27+07:00", "2099-04-02T09:15:27+07:00").replace(
        "02/04/2025 09:15", "02/04/2099 09:15"
    )
    assert extract(page).published is None
    assert extract(ARTICLE).published == datetime(2025, 4, 2, 9, 15, 27, tzinfo=VN)


def test_profile_chosen_from_canonical_url_when_page_has_no_url() -> None:
    page = ARTICLE.replace("https://baomau.vn/xa-hoi/", "https://vnexpress.net/")
    article = extract(page, fetched_at=FETCHED)
    assert article.provenance.profile == "vnexpress"
    assert article.outlet == "VnExpress"
    # the profile's body selector finds nothing here: generic extraction takes over, with a warning
    assert any("generic extraction used" in w for w in article.provenance.warnings)
    assert len(article.body) == 4


def test_empty_and_garbage_pages() -> None:
    for data in (b"", b"   ", b"\x00\xff\xfe garbage \x00", b"<html>", b"<<<>>>"):
        article = extract(data, url="https://example.vn/x.html", kind="html")
        assert article.body == [] or all(isinstance(p, str) for p in article.body)
        assert article.id


def test_truncated_html() -> None:
    cut = ARTICLE[: ARTICLE.index("Đoạn thứ ba") + 40]
    article = extract(cut, fetched_at=FETCHED)
    assert article.title == "Cầu mới nối hai bờ sông"
    assert article.body[:2] == extract(ARTICLE, fetched_at=FETCHED).body[:2]


def test_huge_page_is_capped_with_a_warning() -> None:
    filler = "<p>" + "Một câu rất dài được lặp lại nhiều lần để làm trang lớn, " * 40 + "</p>\n"
    data = ("<html><body><h1>Trang lớn</h1><div>" + filler * 30000 + "</div></body></html>").encode()
    assert len(data) > MAX_HTML_BYTES
    article = extract(data, url="https://example.vn/lon.html")
    assert any("cut to the first" in w for w in article.provenance.warnings)
    assert article.title == "Trang lớn"
    assert article.body


def test_hostile_scripts_never_reach_text() -> None:
    page = (
        "<html><head><title>T</title><script>alert('x')</script></head><body><h1>Tiêu đề bài</h1>"
        "<article><p>Đoạn văn bình thường của bài viết, đủ dài để được tính là nội dung chính.</p>"
        "<script>var s = '<p>chèn đoạn giả</p>';</script><style>p{display:none}</style>"
        "<noscript><p>Bật JavaScript để xem</p></noscript><template><p>mẫu ẩn</p></template>"
        '<p onclick="alert(1)">Đoạn thứ hai vẫn là nội dung thật của bài viết này.</p>'
        "<svg><text>chữ trong hình</text></svg><iframe src='x'>khung</iframe></article></body></html>"
    )
    article = extract(page)
    joined = " ".join([article.title, article.lead, *article.body, *article.captions])
    for bad in ("alert", "chèn", "JavaScript", "mẫu ẩn", "hình", "khung", "display"):
        assert bad not in joined
    assert len(article.body) == 2


def test_headline_beats_a_logo_heading() -> None:
    page = (
        "<html><head><meta property='og:title' content='Cầu mới thông xe - Báo Mẫu'></head><body>"
        "<h1 class='logo'>Báo Mẫu</h1><h1>Cầu mới thông xe</h1>"
        "<div><p>Một đoạn văn đủ dài, có dấu phẩy, để làm nội dung của bài viết này.</p></div></body></html>"
    )
    assert extract(page).title == "Cầu mới thông xe"


def test_unusable_declared_charset_is_a_warning() -> None:
    data = "<html><head><meta charset='uu'></head><body><h1>Tiêu đề</h1><p>Nội dung</p></body></html>"
    article = extract(data.encode("cp1258", "replace") + b"\xff\xfe", url="https://example.vn/a.html")
    assert article.title
    assert not any("extraction failed" in w for w in article.provenance.warnings)


def test_foreign_page_trusts_its_machine_date_over_a_day_first_reading() -> None:
    page = (
        "<html lang='en'><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\","
        ' "datePublished": "2019-11-05T10:00:00-05:00"}</script></head><body><h1>Title</h1>'
        "<span class='date'>11/05/2019 10:00 AM</span><article><p>A paragraph long enough, with a comma,"
        " to be the body of this page.</p></article></body></html>"
    )
    assert extract(page).published == datetime(2019, 11, 5, 10, 0, tzinfo=timezone(timedelta(hours=-5)))


def test_table_layout_caption_pairs_with_its_image() -> None:
    page = (
        "<html><body><h1>Tin</h1><div class='fck_detail'>"
        "<p>Đoạn mở đầu đủ dài, có dấu phẩy, cho bài viết.</p>"
        "<table class='tplCaption'><tr><td><img src='/a.jpg'></td></tr>"
        "<tr><td><p class='Image'>Chú thích ảnh. Ảnh: Lan</p></td></tr></table>"
        "<p>Đoạn kết cũng đủ dài, có dấu phẩy, để được giữ lại.</p></div></body></html>"
    )
    article = extract(page, url="https://baomau.vn/tin.html")
    assert [(i.url, i.caption) for i in article.images] == [
        ("https://baomau.vn/a.jpg", "Chú thích ảnh. Ảnh: Lan")
    ]
    assert article.captions == ["Chú thích ảnh. Ảnh: Lan"] and len(article.body) == 2


def test_user_profile_in_the_data_dir_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "baomau.toml").write_text(
        'name = "Báo Mẫu Hồ Sơ"\ndomains = ["baomau.vn"]\n[extract]\nbody = "div.article-content"\n'
        'lead = "h2.sapo"\n[categories]\n"xa-hoi" = "doi-song"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DIEMTIN_DATA", str(tmp_path))
    article = extract(ARTICLE, fetched_at=FETCHED)
    assert article.provenance.profile == "baomau"
    assert article.outlet == "Báo Mẫu Hồ Sơ" and article.category == "doi-song"
    assert len(article.body) == 4


def test_generic_bylines() -> None:
    page = (
        "<html lang='en'><body><h1>Title</h1><div class='author-name'>By Jane Roe</div>"
        "<div class='author'><a class='name' href='/all'>All</a></div><article><p>A paragraph long enough,"
        " with a comma, to be the body.</p></article></body></html>"
    )
    assert extract(page).authors == ["Jane Roe"]
