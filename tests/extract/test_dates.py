"""Visible and machine dates: every form listed in notes/outlets.md section 3, the traps included."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from diemtin.extract.dates import (
    VN_TZ,
    date_line_rest,
    find_datetimes,
    not_after,
    parse_machine_date,
    parse_relative,
    parse_visible_date,
)

NOW = datetime(2022, 5, 14, 12, 0, tzinfo=VN_TZ)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)  # type: ignore[misc]


ABSOLUTE = [
    ("14/05/2022 06:55", at(2022, 5, 14, 6, 55)),
    ("Thứ bảy, 14/5/2022, 06:55 (GMT+7)", at(2022, 5, 14, 6, 55)),
    ("14/05/2022 - 06:55", at(2022, 5, 14, 6, 55)),
    ("Thứ Bảy, ngày 14/05/2022 06:55 AM", at(2022, 5, 14, 6, 55)),
    ("Thứ Bảy, 14/05/2022 - 18:55", at(2022, 5, 14, 18, 55)),
    ("14/05/2022 18:55 GMT+7", at(2022, 5, 14, 18, 55)),
    ("06:55 14/05/2022", at(2022, 5, 14, 6, 55)),
    ("06:55 | 14/05/2022", at(2022, 5, 14, 6, 55)),
    ("Thứ bảy, 14/5/2022 06:55 (GMT+07:00)", at(2022, 5, 14, 6, 55)),
    ("14-05-2022 06:55", at(2022, 5, 14, 6, 55)),
    ("14-5-2022 06:55", at(2022, 5, 14, 6, 55)),
    ("05/04/2022 06:55", at(2022, 4, 5, 6, 55)),  # day first: 5 April, never 4 May
    ("ngày 14 tháng 5 năm 2022", at(2022, 5, 14)),
    ("14 tháng 5, 2022", at(2022, 5, 14)),
    ("14 tháng Năm, 2022", at(2022, 5, 14)),
    ("Tháng Năm 14, 2022", at(2022, 5, 14)),  # dateparser silently reads this as 4 January
    ("Chủ nhật, 15/5/2022, 20:10 (GMT+7)", at(2022, 5, 15, 20, 10)),
    ("Chủ nhật, ngày 08 tháng 12 năm 2024 16:02", at(2024, 12, 8, 16, 2)),
    ("16:02 ngày 08 tháng 12 năm 2024", at(2024, 12, 8, 16, 2)),
    ("11:30 ngày 14/05/2022", at(2022, 5, 14, 11, 30)),
    ("Thứ Sáu, 13/05/2022 | 23:10", at(2022, 5, 13, 23, 10)),
    ("Thứ Hai, 00:15 16/05/2022", at(2022, 5, 16, 0, 15)),
    ("14/5 06:55", at(2022, 5, 14, 6, 55)),  # year from the reference time
    ("06:55 SA, 14/05/2022", at(2022, 5, 14, 6, 55)),
    ("6:55 CH 14/05/2022", at(2022, 5, 14, 18, 55)),
    ("14/5/2022 6:55 PM", at(2022, 5, 14, 18, 55)),
    ("18.1.2026", at(2026, 1, 18)),
    ("26.2.2025 17:00", at(2025, 2, 26, 17, 0)),
    ("26/05/13 20:44 GMT+7", at(2013, 5, 26, 20, 44)),  # two-digit year
    ("07-03-2026 - 00:01 AM", at(2026, 3, 7, 0, 1)),  # 00:01 AM stays after midnight
    ("12:30 AM 07/03/2026", at(2026, 3, 7, 0, 30)),
    ("12:30 PM 07/03/2026", at(2026, 3, 7, 12, 30)),
    ("07/03/2026   08:52 (GMT+07:00)", at(2026, 3, 7, 8, 52)),
    # traps from the notes: labels, "GMT +7" with a space, parts of the day
    ("Cập nhật: 14/05/2022 06:55", at(2022, 5, 14, 6, 55)),
    ("Cập nhật lúc 06:55 14/05/2022", at(2022, 5, 14, 6, 55)),
    ("Đăng lúc 06:55 ngày 14/05/2022", at(2022, 5, 14, 6, 55)),
    ("14/05/2022 06:55 (GMT +7)", at(2022, 5, 14, 6, 55)),
    ("14/05/2022 06:55 GMT + 7", at(2022, 5, 14, 6, 55)),
    ("chiều 14/5", at(2022, 5, 14)),
    ("sáng 14-5-2022", at(2022, 5, 14)),
    ("3:30 chiều 14/5/2022", at(2022, 5, 14, 15, 30)),
    ("7:30 tối 14/5/2022", at(2022, 5, 14, 19, 30)),
    ("1h15 trưa 14/5/2022", at(2022, 5, 14, 13, 15)),
    ("12:10 trưa 14/5/2022", at(2022, 5, 14, 12, 10)),
    ("11:40 đêm 14/5/2022", at(2022, 5, 14, 23, 40)),
    ("2:30 đêm 14/5/2022", at(2022, 5, 14, 2, 30)),
    ("9 giờ 05 sáng 14/5/2022", at(2022, 5, 14, 9, 5)),
]


@pytest.mark.parametrize(("text", "expected"), ABSOLUTE)
def test_visible_forms(text: str, expected: datetime) -> None:
    value = parse_visible_date(text, now=NOW)
    assert value == expected
    assert value is not None and value.utcoffset() == timedelta(hours=7)


RELATIVE = [
    ("2 giờ trước", NOW - timedelta(hours=2)),
    ("30 phút trước", NOW - timedelta(minutes=30)),
    ("45 giây trước", NOW - timedelta(seconds=45)),
    ("3 ngày trước", NOW - timedelta(days=3)),
    ("1 tuần trước", NOW - timedelta(days=7)),
    ("hôm qua", at(2022, 5, 13)),
    ("Hôm qua lúc 06:55", at(2022, 5, 13, 6, 55)),
    ("3 ngày trước lúc 10:00", at(2022, 5, 11, 10, 0)),
    ("Hôm nay 06:55", at(2022, 5, 14, 6, 55)),
    ("06:55 hôm nay", at(2022, 5, 14, 6, 55)),
    ("vừa xong", NOW),
]


@pytest.mark.parametrize(("text", "expected"), RELATIVE)
def test_relative_forms(text: str, expected: datetime) -> None:
    assert parse_visible_date(text, now=NOW) == expected


def test_months_and_years_back_are_approximate_but_in_the_past() -> None:
    five_months = parse_visible_date("5 tháng trước", now=NOW)
    one_year = parse_visible_date("1 năm trước", now=NOW)
    assert five_months is not None and one_year is not None
    assert datetime(2021, 12, 1, tzinfo=VN_TZ) < five_months < datetime(2022, 1, 1, tzinfo=VN_TZ)
    assert one_year.year == 2021


@pytest.mark.parametrize("text", ["", "   ", "Không có ngày nào ở đây", "Tin liên quan", "32/13/2022 25:99"])
def test_no_date(text: str) -> None:
    assert parse_visible_date(text, now=NOW) is None


def test_gmt_plus_7_is_east_of_greenwich() -> None:
    # python-dateutil would read POSIX "GMT+7" as UTC-7; the result must be 23:55 UTC the day before.
    value = parse_visible_date("14/05/2022 06:55 GMT+7", now=NOW)
    assert value is not None
    assert value.utcoffset() == timedelta(hours=7)
    assert value.astimezone(UTC) == datetime(2022, 5, 13, 23, 55, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("14/05/2022 06:55 GMT+7", 7),
        ("14/05/2022 06:55 (GMT+8)", 8),
        ("14/05/2022 06:55 (GMT-5)", -5),
        ("14/05/2022 06:55 UTC+09:00", 9),
        ("14/05/2022 06:55 GMT", 0),
        ("14/05/2022 06:55", 7),
    ],
)
def test_written_offsets_keep_their_sign(text: str, offset: int) -> None:
    value = parse_visible_date(text, now=NOW)
    assert value is not None
    assert (value.hour, value.minute) == (6, 55)
    assert value.utcoffset() == timedelta(hours=offset)


MACHINE = [
    ("2022-05-14T06:55:00+07:00", at(2022, 5, 14, 6, 55)),
    ("2022-05-13T23:55:00Z", at(2022, 5, 14, 6, 55)),
    ("Wed, 30 Aug 2017 20:04:25 +0700", at(2017, 8, 30, 20, 4, 25)),
    ("Sat, 14 May 2022 06:55:00 GMT", at(2022, 5, 14, 13, 55)),
    ("2026-03-07T08:52:11.000 +07:00", at(2026, 3, 7, 8, 52, 11)),  # space before the offset
    ("2026-03-07T00:01:00", at(2026, 3, 7, 0, 1)),  # naive -> Vietnamese time
    ("2026-03-07 08:07", at(2026, 3, 7, 8, 7)),
    ("2026-03-07", at(2026, 3, 7)),
]


@pytest.mark.parametrize(("value", "expected"), MACHINE)
def test_machine_dates(value: str, expected: datetime) -> None:
    parsed = parse_machine_date(value)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize("value", [None, "", "không phải ngày", "2026-13-45T99:00"])
def test_machine_dates_unreadable(value: str | None) -> None:
    assert parse_machine_date(value) is None


def test_not_after_fetch_time() -> None:
    fetched = at(2022, 5, 14, 12, 0)
    assert not_after(at(2022, 5, 14, 6, 55), fetched) == at(2022, 5, 14, 6, 55)
    assert not_after(at(2022, 5, 15, 6, 55), fetched) is None
    assert not_after(None, fetched) is None
    assert not_after(at(2022, 5, 15, 6, 55), None) == at(2022, 5, 15, 6, 55)  # before now: kept
    assert not_after(datetime.now(VN_TZ) + timedelta(days=2), None) is None  # no fetch time: now is the limit
    naive_fetch = datetime(2022, 5, 14, 12, 0)
    assert not_after(at(2022, 5, 14, 13, 0), naive_fetch) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12 23:50", at(2021, 12, 31, 23, 50)),  # read in May: last December
        ("15/05 10:00", at(2022, 5, 15, 10, 0)),  # a day ahead is clock or zone slack, not last year
        ("ngày 13/5", at(2022, 5, 13)),
        ("20/6/2022", at(2022, 6, 20)),  # the year written is kept (not_after judges it)
    ],
)
def test_a_day_month_without_year_is_never_far_after_now(text: str, expected: datetime) -> None:
    found = find_datetimes(text, now=NOW)
    assert [match.value for match in found] == [expected]


def test_date_glued_to_a_headline_gives_its_span() -> None:
    line = "21/09/2023 14:05Tàu cá gặp nạn được kéo về bờ an toàn"
    found = date_line_rest(line, now=NOW)
    assert found is not None
    match, rest = found
    assert match.value == at(2023, 9, 21, 14, 5)
    assert line[match.end :] == "Tàu cá gặp nạn được kéo về bờ an toàn"
    assert rest == "Tàu cá gặp nạn được kéo về bờ an toàn"


def test_date_line_with_a_section_label() -> None:
    found = date_line_rest("02-11-2024 - 09:15 PM | Ngân hàng", now=NOW)
    assert found is not None
    assert found[0].value == at(2024, 11, 2, 21, 15)
    assert found[1] == "Ngân hàng"


def test_pure_date_line_leaves_nothing() -> None:
    found = date_line_rest("Chủ nhật, 3/11/2024, 10:20 (GMT+7)", now=NOW)
    assert found is not None and found[1] == ""


def test_label_offsets_are_in_the_original_line() -> None:
    line = "Cập nhật: 14/05/2022 06:55"
    found = date_line_rest(line, now=NOW)
    assert found is not None
    assert line[found[0].start : found[0].end] == "14/05/2022 06:55"


def test_every_date_of_a_line_in_order() -> None:
    matches = find_datetimes("Khởi hành 10/6/2023 lúc 7:00, trở về 12/6/2023", now=NOW)
    assert [m.value for m in matches] == [at(2023, 6, 10, 7, 0), at(2023, 6, 12)]
    assert matches[0].has_time and not matches[1].has_time


def test_regex_path_is_fast() -> None:
    import time

    start = time.perf_counter()
    for _ in range(2000):
        parse_visible_date("Thứ bảy, 14/5/2022, 06:55 (GMT+7)", now=NOW)
    assert time.perf_counter() - start < 2.0  # dateparser alone manages ~1,600 parses/s


def test_a_long_run_of_digits_is_no_relative_date_and_costs_little() -> None:
    start = time.perf_counter()
    assert parse_relative("1" * 300_000 + " giờ trước", now=NOW) is None  # no count of hours that long
    assert parse_relative("3 giờ trước", now=NOW) == NOW - timedelta(hours=3)
    assert time.perf_counter() - start < 2.0
