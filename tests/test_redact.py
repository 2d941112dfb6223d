"""Personal data in an export: e-mail addresses and Vietnamese phone numbers become placeholders; sums of
money, dates and years stay."""

from __future__ import annotations

import pytest

from diemtin.article import Article, Image
from diemtin.redact import redact, redacted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Liên hệ 0912 345 678 hoặc 0912.345.678.", "Liên hệ <PHONE> hoặc <PHONE>."),
        ("ĐT: (024) 3825 1234 - Fax: (04) 3944 9266", "ĐT: <PHONE> - Fax: <PHONE>"),
        ("Gọi +84 912 345 678 hay 024-3825-1234", "Gọi <PHONE> hay <PHONE>"),
        ("Tổng đài 19001234 hoặc 1900.1234 (miễn phí)", "Tổng đài <PHONE> hoặc <PHONE> (miễn phí)"),
        ("Thư gửi hoang.an@baomau.vn.", "Thư gửi <EMAIL>."),
        ("Gửi bài về phongsu@baomau.com.vnGhi rõ họ tên", "Gửi bài về <EMAIL>Ghi rõ họ tên"),  # glued
        (
            "Giá 2.000.000.000 đồng, tăng 1.234.567.890 đồng",
            "Giá 2.000.000.000 đồng, tăng 1.234.567.890 đồng",
        ),
        ("Ngày 03.06.2013, năm 1900 1234 người, 0,5 tỷ", "Ngày 03.06.2013, năm 1900 1234 người, 0,5 tỷ"),
        ("Mã hồ sơ 0912345678901 và @baomau trên mạng", "Mã hồ sơ 0912345678901 và @baomau trên mạng"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redacted_article_keeps_bylines_and_the_original() -> None:
    original = Article(
        title="Đường dây nóng 0912 345 678",
        lead="Bạn đọc gửi thư về hoang.an@baomau.vn",
        body=["Gọi 024 3825 1234 để được hỗ trợ."],
        captions=["Ảnh: số 0912.345.678 trên biển hiệu"],
        images=[Image("https://a.vn/a.jpg", "Gọi 19001234"), Image("https://a.vn/b.jpg")],
        authors=["Hoàng An"],
    )
    copy = redacted(original)
    assert (copy.title, copy.lead, copy.body) == (
        "Đường dây nóng <PHONE>",
        "Bạn đọc gửi thư về <EMAIL>",
        ["Gọi <PHONE> để được hỗ trợ."],
    )
    assert copy.captions == ["Ảnh: số <PHONE> trên biển hiệu"]
    assert [image.caption for image in copy.images] == ["Gọi <PHONE>", None]
    assert copy.authors == ["Hoàng An"]
    assert original.body == ["Gọi 024 3825 1234 để được hỗ trợ."]  # the stored article is not changed
