"""Content sniffing: is a document HTML or plain text, and which character set are its bytes in.

Declared charsets lie (a meta tag saying windows-1252 on a UTF-8 page is common), so UTF-8 that decodes
cleanly wins over any declaration; otherwise the declared charset or cp1258 (Vietnamese Windows), whichever
reads as Vietnamese, then latin-1. Legacy TCVN3/VNI text is converted (textnorm.fix_legacy).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from diemtin.textnorm import fix_legacy, looks_legacy, syllable_share

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|p|article|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(
    rb"<(?:/?(?:p|div|span|a|br|h[1-6]|li|ul|table|td|tr|img|script|article|section)\b)", re.IGNORECASE
)
UTF8_TOLERATED_ERRORS = 3  # broken sequences accepted in a UTF-8 page before another charset is tried
SAMPLE_CHARS = 65536  # how much text is looked at to choose between single-byte readings
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def detect_kind(data: bytes) -> str:
    """'html' when the bytes look like markup, else 'text'. Looks at the first 64 KiB only."""
    head = data[:65536]
    if head.startswith(UTF16_BOMS):
        head = head.decode("utf-16", "replace").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return "html"
    return "html" if len(_TAG.findall(head)) >= 5 else "text"


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by an HTTP Content-Type header or the page's own meta tag, if any."""
    if content_type:
        match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
        if match:
            return match.group(1).lower()
    meta = _META_CHARSET.search(data[:8192])
    return meta.group(1).decode("ascii", "ignore").lower() if meta else None


def decode(data: bytes, content_type: str | None = None) -> tuple[str, list[str]]:
    """Decode bytes to text; returns the text and warnings (a declared charset that was wrong, repairs made).

    Order: a UTF-8 or UTF-16 BOM; valid UTF-8 (or UTF-8 with a few broken bytes, e.g. a truncated page);
    otherwise the declared charset and cp1258, the one whose accented words read better as Vietnamese winning;
    then latin-1. Text in the legacy TCVN3/VNI encodings (shown as Latin-1) is converted to Unicode.
    """
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), warnings
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", "replace"), warnings
    declared = declared_charset(data, content_type)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        repaired = _mostly_utf8(data)
        if repaired is not None:
            warnings.append("invalid UTF-8 bytes replaced")
            return repaired, warnings
    else:
        if declared and _codec_name(declared) != "utf-8" and not data.isascii():
            warnings.append(f"declared charset {declared} ignored: content is valid UTF-8")
        return text, warnings
    text, charset = _best_single_byte(data, declared)
    if declared and charset != _codec_name(declared):
        warnings.append(f"declared charset {declared} ignored: content decoded as {charset}")
    elif not declared:
        warnings.append(f"no charset declared: content decoded as {charset}")
    as_bytes = data.decode("latin-1")  # the legacy encodings are defined on byte values
    if looks_legacy(as_bytes):
        converted = fix_legacy(as_bytes)
        if converted != as_bytes:
            return converted, [*warnings, "legacy Vietnamese encoding (TCVN3/VNI) converted to Unicode"]
    return text, warnings


def _codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """The UTF-8 reading when only a few bytes are broken among many good UTF-8 characters, or when the only
    broken character is the last one (a page cut short), else None."""
    text = data.decode("utf-8", "replace")
    if text.endswith("\ufffd") and text.count("\ufffd") == 1:
        return text
    broken = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - broken
    tolerated = max(UTF8_TOLERATED_ERRORS, valid // 100)
    return text if broken <= tolerated and valid >= 10 * broken else None


def _best_single_byte(data: bytes, declared: str | None) -> tuple[str, str]:
    """Decode with the declared charset and with cp1258; keep the one whose accented words read Vietnamese."""
    readings: list[tuple[float, str, str]] = []
    for candidate in dict.fromkeys(c for c in (_codec_name(declared or ""), "cp1258") if c and c != "utf-8"):
        try:
            text = data.decode(candidate)
        except (UnicodeError, LookupError, ValueError):  # LookupError: "uu", "base64" are not text encodings
            continue
        sample = unicodedata.normalize("NFC", text[:SAMPLE_CHARS])
        readings.append((syllable_share(sample), text, candidate))
    if not readings:
        return data.decode("latin-1"), "latin-1"
    best = max(readings, key=lambda reading: reading[0])  # max keeps the first (declared) on a tie
    return best[1], best[2]
