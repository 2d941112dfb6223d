"""The shipped outlet profiles: they load, their selectors parse, their category keys exist."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from diemtin.group.taxonomy import CATEGORIES
from diemtin.sites import ExtractRules, SiteProfile, load_profiles, outlet_name, profile_for

PROFILES = load_profiles()
MAJOR_OUTLETS = [
    "vnexpress.net", "dantri.com.vn", "tuoitre.vn", "vietnamnet.vn", "nld.com.vn", "cafef.vn", "thanhnien.vn",
    "znews.vn", "laodong.vn", "tienphong.vn", "vtcnews.vn", "vov.vn", "nhandan.vn", "vietnamplus.vn",
    "baomoi.com", "kenh14.vn", "genk.vn", "plo.vn", "sggp.org.vn", "cand.com.vn", "vtv.vn", "baotintuc.vn",
]  # fmt: skip


def _selectors(rules: ExtractRules) -> list[str]:
    found: list[str] = []
    for item in fields(rules):
        value = getattr(rules, item.name)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, tuple):
            found.extend(value)
    return found


def test_every_major_outlet_has_exactly_one_profile() -> None:
    for host in MAJOR_OUTLETS:
        matching = [p.key for p in PROFILES if p.matches(host)]
        assert len(matching) == 1, (host, matching)
        profile = profile_for(f"https://www.{host}/some-article.html")
        assert profile is not None and profile.key == matching[0]


def test_keys_are_unique_and_named() -> None:
    keys = [p.key for p in PROFILES]
    assert len(keys) == len(set(keys))
    for profile in PROFILES:
        assert profile.name and profile.name != profile.key, profile.key
        assert profile.path is not None and profile.path.stem == profile.key


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.key)
def test_selectors_parse(profile: SiteProfile) -> None:
    page = LexborHTMLParser("<html><body><p>x</p></body></html>")
    for selector in _selectors(profile.extract):
        page.css(selector)  # raises on a malformed selector


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.key)
def test_category_values_are_taxonomy_keys(profile: SiteProfile) -> None:
    for prefix, key in profile.categories.items():
        assert key in CATEGORIES, (profile.key, prefix, key)
        assert prefix == prefix.strip("/"), (profile.key, prefix)


def test_longest_prefix_wins() -> None:
    nld = next(p for p in PROFILES if p.key == "nld")
    assert nld.category_for("https://nld.com.vn/kinh-te/bat-dong-san/abc-196.htm") == "bat-dong-san"
    assert nld.category_for("https://nld.com.vn/kinh-te/tieu-dung/abc-196.htm") == "kinh-doanh"
    assert nld.category_for("https://nld.com.vn/kinh-tevui/abc-196.htm") is None


@pytest.mark.shared
def test_corpus_pages_find_their_profile(shared: Path) -> None:
    for gold_file in sorted((shared / "corpus" / "gold").glob("*_article.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        profile = profile_for(gold["url"])
        assert profile is not None, gold["url"]
        assert profile.matches(gold["site"])


def test_a_credited_name_maps_to_its_outlet_whatever_the_spelling() -> None:
    assert outlet_name("NLĐ") == outlet_name("nlđ") == "Người Lao Động"  # an alias of the profile
    assert outlet_name("VietnamNet") == "VietNamNet"  # the name in another case
    assert outlet_name("Pháp luật TP HCM") == "Pháp Luật TP.HCM"  # marks, case and punctuation aside
    assert outlet_name("Báo Vô Danh") == "Báo Vô Danh"  # no profile knows it: as printed
    names = [name for profile in PROFILES for name in (profile.name, *profile.aliases)]
    assert len({outlet_name(name) for name in names}) == len(PROFILES)  # no alias names two outlets


def test_user_profile_aliases_are_read(tmp_path: Path) -> None:
    (tmp_path / "mau.toml").write_text(
        'name = "Báo Mẫu"\naliases = ["BM"]\ndomains = ["baomau.vn"]\n', encoding="utf-8"
    )
    assert outlet_name("BM", tmp_path) == "Báo Mẫu"
    assert outlet_name("BM") == "BM"
