"""Input guards run before a page is parsed, so that hostile or broken input costs bounded time.

* A text dump larger than MAX_TEXT_BYTES is cut at a line end (the line classifier's work grows with the
  text; real dumps are under 100 KB). HTML has its own size cap in html.py.
* Block elements nested deeper than MAX_BLOCK_DEPTH lose the extra tags: HTML parsers look up the stack of
  open elements for every block start tag, so 100,000 nested <div> cost minutes; the text inside is kept.

* A URL that cannot be parsed (``http://[::1``) is dropped: the page is extracted as if it had none.

Each guard returns the page to parse (the same object when nothing was changed) and the warnings to record.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from urllib.parse import urlsplit

from diemtin.article import Page
from diemtin.extract.html import MAX_HTML_BYTES

MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_BLOCK_DEPTH = 400

# The block elements whose start tag makes the parser (lexbor) search the open-element stack: measured, 10,000
# nested cost ~0.5 s each (form, table parts, headings and inline elements are cheap and not counted).
BLOCK_TAGS = frozenset(
    b"div section article aside header footer main nav blockquote figure figcaption fieldset details dialog "
    b"center dl ol ul menu address hgroup summary pre listing search".split()
)
# matched in the lower-cased page (a quarter faster than IGNORECASE; bytes.lower keeps every offset)
_BLOCK_TAG = re.compile(rb"<(/?)(" + b"|".join(sorted(BLOCK_TAGS)) + rb")\b[^>]*>")
# the same tags without their names: the quick first pass that finds how deep the page nests
_BLOCK_TAG_START = re.compile(rb"<(/?)(?:" + b"|".join(sorted(BLOCK_TAGS)) + rb")\b[^>]*>")


def limit_text_size(page: Page) -> tuple[Page, list[str]]:
    """Cut a text dump past MAX_TEXT_BYTES at the last line end before the limit."""
    size = len(page.content)
    if size <= MAX_TEXT_BYTES:
        return page, []
    cut = page.content.rfind(b"\n", 0, MAX_TEXT_BYTES) + 1 or MAX_TEXT_BYTES
    return replace(page, content=page.content[:cut]), [f"text dump of {size} bytes cut to the first {cut}"]


def limit_nesting(page: Page) -> tuple[Page, list[str]]:
    """Drop the block tags (and their end tags) that would nest deeper than MAX_BLOCK_DEPTH.

    Only the part html.py will parse (MAX_HTML_BYTES) is looked at."""
    data = page.content
    if data.count(b"<") < MAX_BLOCK_DEPTH:
        return page, []
    lowered = data[:MAX_HTML_BYTES].lower()
    if _deepest(lowered) <= MAX_BLOCK_DEPTH:
        return page, []
    depth = 0
    dropped: Counter[bytes] = Counter()
    pieces: list[bytes] = []
    start = 0
    for tag in _BLOCK_TAG.finditer(lowered):
        name = tag.group(2)
        closing = bool(tag.group(1))
        if closing and dropped[name]:
            dropped[name] -= 1
        elif closing:
            depth = max(depth - 1, 0)
            continue
        elif depth >= MAX_BLOCK_DEPTH:
            dropped[name] += 1
        else:
            depth += 1
            continue
        pieces.append(data[start : tag.start()])
        start = tag.end()
    if not pieces:
        return page, []
    pieces.append(data[start:])
    removed = len(pieces) - 1
    warning = f"{removed} block tags nested deeper than {MAX_BLOCK_DEPTH} removed before parsing"
    return replace(page, content=b"".join(pieces)), [warning]


def _deepest(lowered: bytes) -> int:
    """How deep the block tags of a (lower-cased) page nest, counted as ``limit_nesting`` counts."""
    depth = deepest = 0
    for closing in _BLOCK_TAG_START.findall(lowered):
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def check_url(page: Page) -> tuple[Page, list[str]]:
    """Drop a page URL that urllib cannot parse, so no later stage trips on it."""
    if page.url is None:
        return page, []
    try:
        urlsplit(page.url).hostname  # noqa: B018  (parsing the host is what raises)
    except ValueError as error:
        return replace(page, url=None), [f"unparsable URL {page.url[:200]!r} ignored: {error}"]
    return page, []
