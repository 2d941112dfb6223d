"""Content sniffing: is a document HTML or plain text, and which character set are its bytes in.

Declared charsets lie (a meta tag saying windows-1252 on a UTF-8 page is common), so UTF-8 that decodes cleanly
wins over any declaration; otherwise the declared charset, then cp1258 (Vietnamese Windows), then latin-1.
"""

from __future__ import annotations

import codecs
import re

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|p|article|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(
    rb"<(?:/?(?:p|div|span|a|br|h[1-6]|li|ul|table|td|tr|img|script|article|section)\b)", re.IGNORECASE
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def detect_kind(data: bytes) -> str:
    """'html' when the bytes look like markup, else 'text'. Looks at the first 64 KiB only."""
    head = data[:65536].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return "html"
    return "html" if len(_TAG.findall(head)) >= 5 else "text"


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by an HTTP Content-Type header or the page's own meta tag, if any."""
    if content_type:
        match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
        if match:
            return match.group(1).lower()
    match = _META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii", "ignore").lower() if match else None


def decode(data: bytes, content_type: str | None = None) -> tuple[str, list[str]]:
    """Decode bytes to text; returns the text and warnings (e.g. a declared charset that was wrong)."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), warnings
    declared = declared_charset(data, content_type)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared and declared.replace("-", "") not in {"utf8", "utf"}:
            warnings.append(f"declared charset {declared} ignored: content is valid UTF-8")
        return text, warnings
    for candidate in (declared, "cp1258"):
        if not candidate:
            continue
        try:
            return data.decode(candidate), warnings
        except (LookupError, UnicodeDecodeError):
            warnings.append(f"charset {candidate} failed to decode")
    warnings.append("undecodable bytes replaced")
    return data.decode("utf-8", "replace"), warnings
