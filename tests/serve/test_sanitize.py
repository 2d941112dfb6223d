"""The sanitiser: links only over http(s), XML-legal text, search highlights built from escaped pieces."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from diemtin.serve.sanitize import first_match, highlight, matched_terms, query_terms, safe_url, xml_text


def test_only_absolute_http_links_pass():
    assert safe_url("https://vnexpress.net/bai-viet-1.html") == "https://vnexpress.net/bai-viet-1.html"
    assert safe_url("  http://dantri.com.vn/a.htm ") == "http://dantri.com.vn/a.htm"
    for bad in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "/tin/abc",
        "https://",
        "http://exa mple.com/",
        "https://a.example/\x00",
        "",
        None,
    ]:
        assert safe_url(bad) is None, bad


def test_query_terms_fold_accents_and_case():
    assert query_terms("LÃNH ĐẠO") == ["lanh", "dao"]
    assert query_terms("lãnh đạo quốc phòng") == query_terms("lanh dao quoc phong")


def test_highlight_marks_words_accent_insensitively_and_escapes_the_rest():
    marked = str(highlight("Lãnh đạo <b>quốc</b> phòng & Nga", ["lanh", "quoc"]))
    assert marked == "<mark>Lãnh</mark> đạo &lt;b&gt;<mark>quốc</mark>&lt;/b&gt; phòng &amp; Nga"


def test_matched_terms_and_first_match_are_whole_folded_words():
    text = "Đà Nẵng đón khách; bóng đá tối nay"
    assert matched_terms(text, ["da", "nang", "bong", "gia"]) == {"da", "nang", "bong"}
    assert first_match(text, ["bong"]) == text.index("bóng")
    assert first_match(text, ["bon"]) is None


def test_a_word_typed_with_marks_is_marked_only_as_written_so():
    text = "Bão số 3 vào đất liền; báo chí đưa tin, bảo hiểm chi trả. Hoà bình và hòa bình."
    storm = str(highlight(text, ["bao"], frozenset({"bão"})))
    assert storm.count("<mark>") == 1 and "<mark>Bão</mark>" in storm
    assert str(highlight(text, ["bao"])).count("<mark>") == 3  # typed without marks: every bao
    assert str(highlight(text, ["hoa", "binh"], frozenset({"hòa", "bình"}))).count("<mark>") == 4
    assert matched_terms("báo chí", ["bao"], frozenset({"bão"})) == set()
    assert first_match(text, ["bao"], frozenset({"bảo"})) == text.index("bảo")


def test_highlight_marks_whole_words_only():
    marked = str(highlight("Bóng đá: đội bóng đã đăng ký, giải đấu giảm giá", ["bong", "da", "gia"]))
    assert marked == (
        "<mark>Bóng</mark> <mark>đá</mark>: đội <mark>bóng</mark> <mark>đã</mark> đăng ký,"
        " giải đấu giảm <mark>giá</mark>"
    )


@given(st.text(), st.lists(st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=1, max_size=4), max_size=3))
def test_highlight_never_lets_markup_through(text: str, terms: list[str]):
    marked = str(highlight(text, terms))
    assert re.sub(r"</?mark>", "", marked).count("<") == 0
    unmarked = re.sub(r"</?mark>", "", marked)
    assert (
        unmarked.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        == text
    )


@given(st.text())
def test_xml_text_is_always_serialisable(text: str):
    element = ET.Element("t")
    element.text = xml_text(text)
    ET.fromstring(ET.tostring(element))
