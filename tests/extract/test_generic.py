"""Generic main-content extraction: the walk, container choice and furniture removal; aeb benchmark F1."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from diemtin.article import Page
from diemtin.evaluate import score_body, summarise
from diemtin.extract import extract
from diemtin.extract.generic import image_url, walk
from diemtin.extract.html import extract_html

PROSE = (
    "Người dân trong xóm kể lại rằng con đường đất ngày trước lầy lội, trẻ em đi học thường phải cởi dép, "
    "xắn quần lội bùn."
)


def _page(body: str) -> str:
    return f"<html lang='vi'><head><title>Bài mẫu</title></head><body>{body}</body></html>"


def test_walk_blocks_br_and_inline_text() -> None:
    tree = LexborHTMLParser(
        _page("<div>Dòng một<br>Dòng hai</div><p>Một <b>đoạn</b><br>liền <a href='#'>mạch</a></p>")
    )
    blocks = walk(tree.body, generic=False).blocks
    assert [b.text for b in blocks] == ["Dòng một", "Dòng hai", "Một đoạn liền mạch"]
    assert blocks[2].links == len("mạch") and blocks[2].tag == "p"


def test_lazy_image_urls() -> None:
    assert (
        image_url({"src": "data:image/gif;base64,AAAA", "data-src": "https://a.vn/1.jpg"})
        == "https://a.vn/1.jpg"
    )
    assert (
        image_url({"src": "https://a.vn/t.jpg", "data-original": "https://a.vn/full.jpg"})
        == "https://a.vn/t.jpg"
    )
    assert image_url({"src": "data:,", "data-srcset": "https://a.vn/2.jpg 1x, https://a.vn/3.jpg 2x"}) == (
        "https://a.vn/2.jpg"
    )
    assert image_url({"src": "data:,"}) is None


def test_main_text_found_among_furniture() -> None:
    page = _page(
        "<header><div class='menu'><a href='/a'>Thời sự</a><a href='/b'>Thế giới</a></div></header>"
        "<div class='sidebar'><h3>Đọc nhiều</h3><ul>"
        + "".join(f"<li><a href='/x{i}'>Bài đọc nhiều thứ {i} với tiêu đề dài</a></li>" for i in range(8))
        + "</ul></div><div class='main'><h1>Con đường mới</h1><div class='story'>"
        + f"<p>{PROSE}</p><div class='share-bar'>Chia sẻ Facebook Zalo</div>"
        + f"<p>{PROSE.replace('Người dân', 'Các cụ')}</p>"
        + "<p>Xem thêm: <a href='/y'>Đường làng đổi mới từng ngày</a></p>"
        + "<div class='box-tinlienquan'><h4>Tin liên quan</h4>"
        + "<a href='/z'>Một bài liên quan có tiêu đề khá dài</a></div>"
        + f"<p>{PROSE.replace('con đường', 'cây cầu')}</p></div>"
        + "<div class='tags'>Tags: <a href='/t/1'>đường</a> <a href='/t/2'>nông thôn</a></div>"
        + "<div class='comments'><p>Bình luận (2)</p>"
        + "<p>Một bạn đọc viết bình luận rất dài về con đường.</p></div>"
        + "</div><footer><p>Bản quyền thuộc về báo mẫu, ghi rõ nguồn khi đăng lại.</p></footer>"
    )
    article = extract(page, url="https://baomau.vn/duong-moi.html")
    assert len(article.body) == 3
    assert all("người dân" in p.lower() or "các cụ" in p.lower() for p in article.body[:2])
    assert article.tags == ["đường", "nông thôn"]
    assert "https://baomau.vn/z" in [link.url for link in article.related]


def test_wrapper_named_like_furniture_is_still_read() -> None:
    paragraphs = "".join(f"<p>{PROSE} Câu số {i}.</p>" for i in range(6))
    page = _page(f"<div class='page-with-sidebar ad-margins'><article>{paragraphs}</article></div>")
    article = extract(page, url="https://baomau.vn/a.html")
    assert len(article.body) == 6


def test_trailing_credit_goes_to_authors_and_source() -> None:
    paragraphs = "".join(f"<p>{PROSE} Câu số {i}.</p>" for i in range(3))
    page = _page(f"<h1>Tin</h1><div class='content'>{paragraphs}<p>Theo Thu Hà (Báo Mẫu)</p></div>")
    article = extract(page, url="https://baomau.vn/a.html")
    assert article.authors == ["Thu Hà"] and article.source == "Báo Mẫu"
    assert len(article.body) == 3


def test_deeply_nested_markup_does_not_overflow() -> None:
    page = _page("<div>" * 5000 + f"<p>{PROSE}</p>" + "</div>" * 5000)
    article = extract(page, url="https://baomau.vn/sau.html")
    assert article.body == [PROSE]


def test_listing_page_gives_a_warning_not_an_error() -> None:
    links = "".join(f"<li><a href='/bai-{i}.html'>Tiêu đề bài viết số {i}</a></li>" for i in range(30))
    article = extract(_page(f"<h1>Thời sự</h1><ul>{links}</ul>"), url="https://baomau.vn/thoi-su")
    assert article.body == []
    assert any("no body paragraphs" in w for w in article.provenance.warnings)


@pytest.mark.shared
@pytest.mark.slow
def test_aeb_benchmark_f1(shared: Path) -> None:
    """The public article-extraction benchmark (181 pages, mostly English), no profiles involved."""
    folder = shared / "corpus" / "aeb"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    scores = []
    for key, item in truth.items():
        raw = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        article = extract_html(Page(content=raw, kind="html", url=item.get("url")))
        assert article.provenance.profile is None
        scores.append(score_body(" ".join(article.body), item["articleBody"]))
    result = summarise(scores)
    assert result.pages == 181
    assert result.f1 >= 0.95, result
