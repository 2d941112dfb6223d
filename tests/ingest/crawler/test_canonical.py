"""URL canonicalisation: one spelling per resource."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diemtin.ingest.crawler.canonical import canonical_url, host_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTPS://VnExpress.NET:443/thoi-su/bai-1.html#binh-luan",
            "https://vnexpress.net/thoi-su/bai-1.html",
        ),
        ("http://tin.test:80/a?utm_source=fb&utm_medium=x&id=2&fbclid=abc&gclid=z", "http://tin.test/a?id=2"),
        ("https://tin.test/a?b=2&a=1&a=0", "https://tin.test/a?a=0&a=1&b=2"),
        ("https://tin.test:8443/a/../b/./c.html", "https://tin.test:8443/b/c.html"),
        ("https://tin.test", "https://tin.test/"),
        ("https://tin.test/tìm kiếm", "https://tin.test/t%C3%ACm%20ki%E1%BA%BFm"),
        ("https://tin.test/t%C3%ACm%20ki%E1%BA%BFm", "https://tin.test/t%C3%ACm%20ki%E1%BA%BFm"),
        ("https://báo.test/a", "https://xn--bo-mia.test/a"),
        ("mailto:toa-soan@tin.test", None),
        ("javascript:void(0)", None),
        ("https://tin.test:99999/", None),
    ],
)
def test_canonical_forms(raw: str, expected: str | None) -> None:
    assert canonical_url(raw) == expected


def test_relative_links_resolve_against_the_page() -> None:
    assert canonical_url("../kinh-te/bai-2.html", "https://tin.test/xa-hoi/bai-1.html") == (
        "https://tin.test/kinh-te/bai-2.html"
    )
    assert canonical_url("//cdn.tin.test/x.html", "https://tin.test/") == "https://cdn.tin.test/x.html"


def test_host_keeps_a_non_default_port() -> None:
    assert host_of("https://tin.test:8443/a") == "tin.test:8443"
    assert host_of("https://tin.test/a") == "tin.test"


@given(st.text(alphabet="abcdefghij-/?=&#%.", max_size=30))
def test_canonicalising_twice_changes_nothing(path: str) -> None:
    once = canonical_url("https://tin.test/" + path)
    assert once is None or canonical_url(once) == once
