"""extract/sniff: kind detection and decoding with declared and real charsets (bytes written here)."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from diemtin.extract.sniff import decode, detect_kind

VI = "Việt Nam, Hà Nội. Trường đại học mở thêm ngành dạy tiếng Việt cho người nước ngoài."
HTML = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>{VI}</p></body></html>'


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (HTML.encode(), "html"),
        (codecs.BOM_UTF8 + HTML.encode(), "html"),
        (codecs.BOM_UTF16_LE + HTML.encode("utf-16-le"), "html"),
        (
            b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
            "html",
        ),
        (b"<!-- saved -->\n<div><p>a</p></div>", "html"),
        ("Thời sự\n18/11/2026 07:30Tiêu đề\nĐoạn văn có dấu < và > trong câu.\n".encode(), "text"),
        (b"", "text"),
    ],
)
def test_detect_kind(data: bytes, kind: str) -> None:
    assert detect_kind(data) == kind


def test_valid_utf8_wins_over_a_wrong_declaration() -> None:
    text, warnings = decode(HTML.replace("utf-8", "windows-1252").encode())
    assert VI in text
    assert warnings == ["declared charset windows-1252 ignored: content is valid UTF-8"]


def test_ascii_page_matches_any_declaration() -> None:
    assert decode(b'<meta charset="iso-8859-1"><p>plain</p>') == (
        '<meta charset="iso-8859-1"><p>plain</p>',
        [],
    )


def test_header_charset_is_read() -> None:
    _, warnings = decode(HTML.encode(), "text/html; charset=ISO-8859-1")
    assert warnings == ["declared charset iso-8859-1 ignored: content is valid UTF-8"]


def test_utf16_with_bom() -> None:
    text, _ = decode(codecs.BOM_UTF16_BE + HTML.encode("utf-16-be"))
    assert VI in text


def test_truncated_utf8_keeps_utf8() -> None:
    data = HTML.encode()
    cut = data[: data.index("Trường".encode()) + 3]  # inside "ư"
    text, warnings = decode(cut)
    assert "Việt Nam, Hà Nội" in text
    assert warnings == ["invalid UTF-8 bytes replaced"]


def test_cp1258_bytes_with_a_latin1_declaration() -> None:
    # Windows-1258 writes the base letter, then the tone as a combining byte: ệ = ê (0xEA) + dot below (0xF2)
    data = b'<meta charset="iso-8859-1"><p>Vi\xea\xf2t Nam, H\xe0 N\xf4\xf2i, tr\xfd\xf5\xccng ho\xf2c</p>'
    text, warnings = decode(data)
    assert "Việt Nam, Hà Nội, trường học" in unicodedata.normalize("NFC", text)
    assert warnings == ["declared charset iso-8859-1 ignored: content decoded as cp1258"]


def test_french_latin1_page_stays_latin1() -> None:
    data = "<meta charset='iso-8859-1'><p>Crème brûlée, naïve garçon, où êtes-vous?</p>".encode("latin-1")
    text, _ = decode(data)
    assert "Crème brûlée, naïve garçon, où êtes-vous?" in text


def test_tcvn3_page_is_converted() -> None:
    data = "<p>ViÖt Nam, Hµ Néi, Tr\u00adêng ®¹i häc vµ c¸c tØnh phÝa B¾c</p>".encode("latin-1")
    text, warnings = decode(data)
    assert "Việt Nam, Hà Nội, Trường đại học" in text
    assert "legacy Vietnamese encoding (TCVN3/VNI) converted to Unicode" in warnings


@pytest.mark.parametrize(
    "charset", ["uu", "base64", "zlib", "idna", "punycode", "utf-7", "unicode_escape", "x-none"]
)
def test_declared_charsets_that_cannot_decode(charset: str) -> None:
    data = f'<meta charset="{charset}"><p>'.encode() + "Hà Nội".encode("cp1258", "replace") + b"\\x \xff\xfe"
    text, warnings = decode(data)
    assert "<p>" in text
    assert warnings
