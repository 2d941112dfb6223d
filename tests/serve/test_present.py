"""How values read on the site: Vietnam time, bylines, labels; and HTTP validation rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from starlette.requests import Request

from diemtin.article import Article
from diemtin.serve.caching import http_date, not_modified
from diemtin.serve.present import byline, date_time, day, section_label


def test_times_show_in_vietnam_time():
    moment = datetime(2022, 5, 13, 23, 55, tzinfo=UTC)
    assert date_time(moment) == "14/05/2022 06:55"
    assert day(moment) == "14/05/2022"
    assert date_time(datetime(2022, 5, 14, 6, 55)) == "14/05/2022 06:55"  # naive: already Vietnam time
    assert date_time(datetime(2022, 5, 14, 1, 55, tzinfo=timezone(timedelta(hours=2)))) == "14/05/2022 06:55"
    assert date_time(None) == ""


def test_byline_reads_theo_author_source():
    assert byline(Article(authors=["Minh Châu"], source="Báo Mẫu")) == "Theo Minh Châu (Báo Mẫu)"
    assert byline(Article(authors=["An", "Bình"], outlet="Trang Mẫu")) == "Theo An, Bình (Trang Mẫu)"
    assert byline(Article(source="Báo Mẫu")) == "Theo Báo Mẫu"
    assert byline(Article(authors=["An"])) == "Theo An"
    assert byline(Article()) == ""


def test_section_label_prefers_the_outlets_own():
    assert section_label(Article(section="Quốc tế", category="the-gioi")) == "Quốc tế"
    assert section_label(Article(category="the-gioi")) == "Thế giới"


def _request(**headers: str) -> Request:
    raw = [(name.lower().replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b""})


def test_validation_prefers_if_none_match():
    changed = datetime(2026, 3, 7, 8, 0, 30, tzinfo=UTC)
    assert not_modified(_request(if_none_match='"abc"'), '"abc"', changed)
    assert not_modified(_request(if_none_match='W/"abc", "def"'), '"abc"', changed)
    assert not not_modified(
        _request(if_none_match='"def"', if_modified_since=http_date(changed)), '"abc"', changed
    )
    assert not_modified(_request(if_modified_since=http_date(changed)), '"abc"', changed)
    earlier = http_date(changed - timedelta(seconds=1))
    assert not not_modified(_request(if_modified_since=earlier), '"abc"', changed)
    assert not not_modified(_request(if_modified_since="not a date"), '"abc"', changed)
    assert not not_modified(_request(), '"abc"', changed)
