"""Property test: extraction of mutated real pages never raises and always returns a well-formed Article.

The pages are the corpus HTML pages and text dumps (read from ../shared at run time) and the demo pages; each
case applies one to four mutations: byte flips, truncation, tag deletion, chunk duplication, a changed or
false charset declaration, re-encoding (cp1258, latin-1, UTF-16, NFD), insertion of hostile markup; it then
runs extract() with a URL that may be wrong or malformed and a kind that may be the wrong one.

The number of cases is DIEMTIN_FUZZ_EXAMPLES (default 300; the 10,000-case run is documented in the report).
"""

from __future__ import annotations

import json
import os
import random
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from diemtin.article import Article
from diemtin.extract import extract

EXAMPLES = int(os.environ.get("DIEMTIN_FUZZ_EXAMPLES", "300"))
DEMO = Path(__file__).resolve().parents[2] / "src" / "diemtin" / "demo"
TAG = re.compile(rb"<[^<>]{0,200}>")
META_CHARSET = re.compile(rb"<meta[^>]*charset[^>]*>", re.IGNORECASE)
CHARSETS = ["utf-8", "windows-1252", "iso-8859-1", "windows-1258", "shift_jis", "utf-16", "x-no-such", ""]
URLS = [
    None,
    "https://vnexpress.net/bai-mau-9900001.html",
    "https://dantri.com.vn/xa-hoi/bai-mau.htm",
    "https://bao.example/tin/1",
    "not a url",
    "javascript:alert(1)",
    "http://[::1",
    "https://" + "a" * 300 + ".vn/",
    "",
]
HOSTILE = [
    b"<script>document.write('<p>Tin gi\xe1\xba\xa3 ch\xc3\xa8n</p>')</script>",
    b"<script>var s = '</p><p>x';",
    b"<style>",
    b"<!--",
    b"<![CDATA[",
    b"<plaintext>",
    b"<textarea>",
    b"<title>",
    b"<svg><foreignObject><math><mi><mglyph><style><img src=x onerror=alert(1)>",
    b"<div>" * 3000,
    b"</div>" * 3000,
    b"<p " + b'a="' * 500,
    b"<a href='javascript:alert(1)'>" * 50,
    b"\x00" * 100,
    "\u202e\u200b\u2066\ufeff\U0001f600T\u033ch\u033c".encode(),
    b'<script type="application/ld+json">{"@type": "NewsArticle", "headline": [1, {"a": null}],'
    b' "datePublished": "9999-99-99"}</script>',
    b'<script type="application/ld+json">{"@graph": [{"@type": ["NewsArticle"],'
    b' "author": {"name": 5}}]</script>',
    b'<meta property="article:published_time" content="2026-13-45T99:99:99+25:00">',
    b'<meta property="og:url" content="http://[::1">',
    b'<link rel="canonical" href="%%%">',
    b"<time datetime='0000-00-00'>Th\xe1\xbb\xa9 hai, 31/02/2026 25:61 (GMT+7)</time>",
    b"\n14/05/2022 06:55\n-\n-\nTin c\xc3\xb9ng chuy\xc3\xaan m\xe1\xbb\xa5c\n",
    b"<table>" + b"<tr><td>" * 2000,
]


@cache
def sources(shared: Path) -> tuple[bytes, ...]:
    corpus = shared / "corpus"
    paths = sorted((corpus / "html").glob("*/*.html")) + sorted((corpus / "dumps").glob("*.txt"))
    paths += sorted(corpus.glob("baomoi-2013/1111112*.txt"))
    paths += sorted(DEMO.glob("*.html")) + sorted(DEMO.glob("*.txt"))
    return tuple(path.read_bytes() for path in paths)


Mutation = Callable[[st.DataObject, bytes], bytes]


def flip_bytes(data: st.DataObject, page: bytes) -> bytes:
    if not page:
        return page
    out = bytearray(page)
    chooser = random.Random(data.draw(st.integers(0, 2**32), label="flip seed"))
    for _ in range(data.draw(st.integers(1, 64), label="flips")):
        out[chooser.randrange(len(out))] ^= chooser.randrange(1, 256)
    return bytes(out)


def truncate(data: st.DataObject, page: bytes) -> bytes:
    return page[: data.draw(st.integers(0, len(page)), label="cut")]


def delete_tags(data: st.DataObject, page: bytes) -> bytes:
    tags = [match.span() for match in TAG.finditer(page)]
    if not tags:
        return page
    first = data.draw(st.integers(0, len(tags) - 1), label="first tag")
    step = data.draw(st.integers(1, 50), label="every nth tag")
    count = data.draw(st.integers(1, 200), label="tags deleted")
    pieces, start = [], 0
    for begin, end in tags[first::step][:count]:
        pieces.append(page[start:begin])
        start = end
    return b"".join([*pieces, page[start:]])


def duplicate_chunk(data: st.DataObject, page: bytes) -> bytes:
    begin = data.draw(st.integers(0, len(page)))
    end = data.draw(st.integers(begin, min(len(page), begin + 20_000)))
    at = data.draw(st.integers(0, len(page)))
    return page[:at] + page[begin:end] * data.draw(st.integers(1, 5)) + page[at:]


def swap_charset(data: st.DataObject, page: bytes) -> bytes:
    charset = data.draw(st.sampled_from(CHARSETS), label="charset")
    meta = b'<meta charset="' + charset.encode() + b'">'
    if META_CHARSET.search(page):
        return META_CHARSET.sub(meta, page, count=1)
    return meta + page


def reencode(data: st.DataObject, page: bytes) -> bytes:
    text = page.decode("utf-8", "replace")
    encoding = data.draw(st.sampled_from(["nfd", "cp1258", "latin-1", "utf-16", "cp1252"]), label="encoding")
    if encoding == "nfd":
        return unicodedata.normalize("NFD", text).encode()
    if encoding == "utf-16":
        return text.encode("utf-16")
    return unicodedata.normalize("NFD", text).encode(encoding, "replace")


def insert_hostile(data: st.DataObject, page: bytes) -> bytes:
    snippet = data.draw(st.sampled_from(HOSTILE), label="hostile")
    at = data.draw(st.integers(0, len(page)))
    return page[:at] + snippet + page[at:]


MUTATIONS: list[Mutation] = [
    flip_bytes,
    truncate,
    delete_tags,
    duplicate_chunk,
    swap_charset,
    reencode,
    insert_hostile,
]


@pytest.mark.shared
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(data=st.data())
def test_extract_never_raises_on_mutated_pages(shared: Path, data: st.DataObject) -> None:
    pages = sources(shared)
    page = pages[data.draw(st.integers(0, len(pages) - 1), label="page index")]
    mutations = data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4), label="mutations")
    for mutation in mutations:
        page = mutation(data, page)
    url = data.draw(st.sampled_from(URLS), label="url")
    kind = data.draw(st.sampled_from([None, None, "html", "text"]), label="kind")

    article = extract(page, url, kind=kind)

    assert isinstance(article, Article)
    assert isinstance(article.title, str) and isinstance(article.lead, str)
    assert all(isinstance(text, str) and text for text in article.body)
    assert article.id
    json.dumps(article.to_dict(), ensure_ascii=False)  # the record always serialises
    for warning in article.provenance.warnings:
        if warning.startswith("extraction failed"):
            event(f"caught inside extract_html: {warning.split(':')[1].strip()}")
