"""Taxonomy: section labels map to known keys, accents and case do not matter, unknown labels give None."""

from __future__ import annotations

import pytest

from diemtin.group.taxonomy import CATEGORIES, SECTION_LABELS, category_for_label


def test_every_label_maps_to_a_category() -> None:
    assert set(SECTION_LABELS.values()) <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Xã hội", "thoi-su"),
        ("Thế giới", "the-gioi"),
        ("Kinh tế", "kinh-doanh"),
        ("Nhà đất", "bat-dong-san"),
        ("Pháp luật", "phap-luat"),
        ("Giáo dục", "giao-duc"),
        ("Thể thao", "the-thao"),
        ("Giải trí", "giai-tri"),
        ("Văn hóa", "giai-tri"),
        ("Văn hoá", "giai-tri"),
        ("Đời sống", "doi-song"),
        ("Công nghệ ", "cong-nghe"),
        ("Xe cộ", "xe"),
        ("Khoa học", "khoa-hoc"),
        ("THỂ THAO", "the-thao"),
        ("the thao", "the-thao"),
    ],
)
def test_section_labels(label: str, key: str) -> None:
    assert category_for_label(label) == key


@pytest.mark.parametrize("label", [None, "", "Tin mới", "Video"])
def test_unknown_labels(label: str | None) -> None:
    assert category_for_label(label) is None
