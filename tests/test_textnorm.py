"""textnorm: display form, legacy encodings, tone placement, folded keys (strings written for these tests)."""

from __future__ import annotations

import re
import time
import unicodedata

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252": cp1252 as browsers apply it)
import pytest

from diemtin.textnorm import (
    alternatives,
    clean,
    excluded,
    fix_legacy,
    fold,
    marked_query_words,
    marked_words,
    normalize_tones,
    syllables,
    vietnamese_share,
    wanted,
)

PLAIN = "Việt Nam, Hà Nội, Trường đại học"


def test_clean_composes_nfd() -> None:
    nfd = unicodedata.normalize("NFD", PLAIN)
    assert nfd != PLAIN
    assert clean(nfd) == PLAIN


def test_clean_removes_invisibles_and_overlays() -> None:
    spam = "T\u033ch\u033c\u1ee7\u033cy\u033c \u200bđiện\u00ad lực\ufeff \u2060Hà\u034f Nội\u200d"
    assert clean(spam) == "Thủy điện lực Hà Nội"


def test_clean_collapses_whitespace() -> None:
    assert clean("  Hà \n\t Nội \u00a0 hôm nay  ") == "Hà Nội hôm nay"
    assert clean("Hà\nNội\tnay") == "Hà Nội nay"  # one whitespace character that is not a space


def test_clean_maps_eth_only_where_it_is_d() -> None:
    assert clean("\u00d0à Nẵng và \u00f0ường phố") == "Đà Nẵng và đường phố"
    assert clean("Gu\u00f0rún") == "Gu\u00f0rún"  # inside a word it is an Icelandic eth


@pytest.mark.parametrize(
    "broken",
    [
        PLAIN.encode("utf-8").decode("sloppy-windows-1252"),
        PLAIN.encode("utf-8").decode("latin-1"),
    ],
)
def test_clean_repairs_mojibake(broken: str) -> None:
    assert broken != PLAIN
    assert clean(broken) == PLAIN


def test_clean_repairs_double_mojibake() -> None:
    once = PLAIN.encode("utf-8").decode("sloppy-windows-1252")
    twice = once.encode("utf-8").decode("sloppy-windows-1252")
    assert clean(twice) == PLAIN


def test_clean_keeps_good_text_and_uppercase_tilde() -> None:
    for text in ("NGÃ BA HUẾ", "Café crème", "Ông Ân, bà Ẩn", "x > y, a « b »"):
        assert clean(text) == text


def test_fix_legacy_tcvn3_and_vni() -> None:
    assert fix_legacy("ViÖt Nam, Hµ Néi, Tr\u00adêng ®¹i häc") == PLAIN
    assert fix_legacy("Vieät Nam, Haø Noäi, Tröôøng ñaïi hoïc") == PLAIN
    assert clean("ViÖt Nam, Hµ Néi, Tr\u00adêng ®¹i häc") == PLAIN


@pytest.mark.parametrize(
    "text",
    [
        PLAIN,
        "Müller größer, naïve garçon, Noël, señor año",
        "Copyright © 2026 ® — ½ price ¡olé!",
        "Hello world",
    ],
)
def test_fix_legacy_leaves_other_text_alone(text: str) -> None:
    assert fix_legacy(text) == text


@pytest.mark.parametrize(
    ("written", "placed"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("huỷ", "hủy"),
        ("hoạ", "họa"),
        ("Thuý", "Thúy"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("qúy", "quý"),
        ("qủa", "quả"),
        ("tòan", "toàn"),
        ("lựơng", "lượng"),
        ("gìa", "già"),
    ],
)
def test_normalize_tones_moves_marks(written: str, placed: str) -> None:
    assert normalize_tones(written) == placed


@pytest.mark.parametrize(
    "word",
    ["hoàn", "thuở", "quý", "quỳnh", "huỳnh", "khuỷu", "suýt", "thuyền", "người", "ngoài", "gìn", "café"],
)
def test_normalize_tones_keeps_fixed_syllables(word: str) -> None:
    assert normalize_tones(word) == word


def test_normalize_tones_in_a_sentence_and_nfd_input() -> None:
    sentence = "Khánh Hoà có thuỷ điện, hoàn thành năm ngoái; quý khách khoẻ."
    expected = "Khánh Hòa có thủy điện, hoàn thành năm ngoái; quý khách khỏe."
    assert normalize_tones(sentence) == expected
    assert normalize_tones(unicodedata.normalize("NFD", sentence)) == expected


def test_fold_is_the_same_key_for_all_spellings() -> None:
    spellings = [
        "Lãnh đạo Khánh Hoà",
        "LÃNH ĐẠO KHÁNH HÒA",
        unicodedata.normalize("NFD", "lãnh đạo khánh hòa"),
    ]
    assert {fold(text) for text in spellings} == {"lanh dao khanh hoa"}


def test_syllables() -> None:
    assert syllables("Hà Nội, 2026 — thuỷ điện!") == ["ha", "noi", "2026", "thuy", "dien"]
    assert syllables("") == []


@pytest.mark.parametrize(
    "text",
    [
        "ĐÀ NẴNG, Đồng Nai",
        "x\u0303y\u0301 z",  # marks that NFC cannot compose onto their letter: the word stays one
        "Ðà Nẵng",  # eth for Đ
        "ﬁ ² ① Ω_",
    ],
)
def test_syllables_are_the_words_of_the_folded_text(text: str) -> None:
    assert syllables(text) == re.findall(r"\w+", fold(text))


def test_tone_placement_is_fast_on_a_long_run_of_letters() -> None:
    start = time.perf_counter()
    assert normalize_tones("a" * 500_000 + " hoà") == "a" * 500_000 + " hòa"
    assert time.perf_counter() - start < 2.0


def test_clean_and_fold_are_fast_on_a_long_text() -> None:
    text = ("Ông Nguyễn Văn Hoà cho biết thuỷ điện sẽ hoàn thành trong quý tới. " * 3000).strip()
    start = time.perf_counter()
    clean(text)
    fold(text)
    assert time.perf_counter() - start < 2.0


def test_marked_words_keep_marks_and_place_tones_one_way():
    assert marked_words("Hoà bình, HÒA BÌNH") == {"hòa", "bình"}
    assert marked_query_words("Bão số 3 Ha Noi đi") == frozenset({"bão", "số", "đi"})
    assert marked_query_words("lanh dao quoc phong") == frozenset()


def test_vietnamese_share_tells_vietnamese_from_english() -> None:
    assert vietnamese_share("Cảng cá ven biển vừa hoàn thành việc nạo vét luồng lạch.") > 0.6
    assert vietnamese_share("The harbour finished dredging its channel to the sea.") == 0.0  # "to", "the"
    assert vietnamese_share("Le café a été fermé.") == 0.0  # marked words that are no Vietnamese syllables
    assert vietnamese_share("") == 0.0


def test_words_left_out_of_a_search_query() -> None:
    assert excluded('bão -lũ -"miền Trung" COVID-19 Hà Nội - Hải Phòng') == ["lũ", "miền Trung"]
    assert wanted('bão -lũ -"miền Trung"').split() == ["bão"]


def test_alternatives_part_at_a_capital_or_and_a_bar_only() -> None:
    def parts(query: str) -> list[list[str]]:
        return [piece.split() for piece in alternatives(query)]

    assert parts("giá vàng OR giá xăng -Mỹ") == [["giá", "vàng"], ["giá", "xăng"]]
    assert parts('"bão OR lũ"|sạt lở') == [['"bão', "OR", 'lũ"'], ["sạt", "lở"]]  # never inside quotes
    assert parts("trước or sau ORDER") == [["trước", "or", "sau", "ORDER"]]  # a word, not a separator
    assert parts("OR bão OR") == [[], ["bão"], []]
    assert parts("") == [[]]
    assert marked_query_words("bão -lũ") == {"bão"}
