"""Dates of Vietnamese news pages: visible text ("Thứ bảy, 14/5/2022, 06:55 (GMT+7)") and machine values.

Visible dates are read day-first with regular expressions for the common forms (fast), and with dateparser
(languages=["vi"], DATE_ORDER=DMY) only when no regex matches. Every result is timezone-aware; a value
without an offset is Vietnamese time (+07:00). "GMT+7" means +07:00: python-dateutil reads POSIX "GMT+7" as
-07:00, so it is never used here. ``not_after`` refuses a date later than the fetch time (or than now, when
that is unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

VN_TZ = timezone(timedelta(hours=7), "+07:00")

# --- Vocabulary ---------------------------------------------------------------------------------------------

# Weekday names as shown before a date ("Thứ bảy, 14/5/2022"); removed before parsing.
WEEKDAYS: tuple[str, ...] = (
    "thứ hai",
    "thứ ba",
    "thứ tư",
    "thứ năm",
    "thứ sáu",
    "thứ bảy",
    "thứ 2",
    "thứ 3",
    "thứ 4",
    "thứ 5",
    "thứ 6",
    "thứ 7",
    "chủ nhật",
    "cn",
)

# Labels printed in front of a date ("Cập nhật: 14/05/2022 06:55"); removed before parsing.
DATE_LABELS: tuple[str, ...] = (
    "cập nhật lúc",
    "cập nhật",
    "ngày đăng",
    "đăng lúc",
    "đăng ngày",
    "đăng",
    "xuất bản",
    "thời gian",
    "ngày cập nhật",
    "lúc",
    "ngày",
)

# Parts of the day -> the clock hours they move past noon ("7:30 tối" -> 19:30, "1 giờ trưa" -> 13:00,
# "11 giờ đêm" -> 23:00, but "2 giờ đêm" stays 02:00).
DAY_PARTS: dict[str, range] = {
    "sáng": range(0),
    "trưa": range(1, 6),
    "chiều": range(1, 12),
    "tối": range(1, 12),
    "đêm": range(6, 12),
}

# 12-hour markers, Vietnamese and English: True = after noon.
AM_PM: dict[str, bool] = {"sa": False, "am": False, "ch": True, "pm": True}

# Month names written in words ("14 tháng Năm, 2022", "Tháng Năm 14, 2022").
MONTH_WORDS: dict[str, int] = {
    "giêng": 1,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}

# Relative expressions: unit word -> seconds per unit ("2 giờ trước").
RELATIVE_UNITS: dict[str, int] = {
    "giây": 1,
    "phút": 60,
    "giờ": 3600,
    "tiếng": 3600,
    "ngày": 86400,
    "tuần": 7 * 86400,
    "tháng": 30 * 86400,
    "năm": 365 * 86400,
}

# Words meaning "just now", "today", "yesterday", "the day before yesterday" -> days back.
RELATIVE_DAYS: dict[str, int] = {"vừa xong": 0, "vừa đăng": 0, "hôm nay": 0, "hôm qua": 1, "hôm kia": 2}

# Time-zone tags: "(GMT+7)", "GMT +7", "[UTC+07:00]" (Vietnamese time, the default), another offset read
# with its written sign (east of Greenwich is +, never the POSIX way), or a bare "GMT"/"UTC".
_TZ_TAG = re.compile(
    r"[\(\[]?\s*\b(?:GMT|UTC)\b(?:\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?\s*[\)\]]?",
    re.IGNORECASE,
)

# --- Patterns -----------------------------------------------------------------------------------------------

_DATE_NUMERIC = re.compile(
    r"(?<![\d/.\-])(?P<d>\d{1,2})\s*(?P<sep>[/\-.])\s*(?P<m>\d{1,2})(?:\s*(?P=sep)\s*(?P<y>\d{4}|\d{2}))?(?![\d/])"
)
_MONTH = r"(?P<m>\d{1,2}|" + "|".join(sorted(MONTH_WORDS, key=len, reverse=True)) + r")"
_DATE_WORDS = re.compile(
    r"(?:ngày\s+)?(?P<d>\d{1,2})\s+tháng\s+" + _MONTH + r"(?:\s*(?:,|năm)\s*(?P<y>\d{4}))?",
    re.IGNORECASE,
)
_DATE_MONTH_FIRST = re.compile(r"tháng\s+" + _MONTH + r"\s+(?P<d>\d{1,2})\s*,\s*(?P<y>\d{4})", re.IGNORECASE)
_DATE_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_TIME = re.compile(
    r"(?<![\d:/.])(?P<H>\d{1,2})\s*(?::|h|g(?:iờ)?)\s*(?P<M>\d{2})(?::(?P<S>\d{2}))?(?![\d/])"
    r"(?:\s*(?P<ampm>SA|CH|AM|PM)\b)?",
    re.IGNORECASE,
)
_DAY_PART = re.compile(r"\b(?P<part>sáng|trưa|chiều|tối|đêm)\b", re.IGNORECASE)
_RELATIVE = re.compile(
    r"(?<!\d)(?P<n>\d{1,4})\s*(?P<unit>giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s*(?:trước|qua)\b",
    re.IGNORECASE,
)
_RELATIVE_DAY = re.compile(r"\b(?P<word>vừa xong|vừa đăng|hôm nay|hôm qua|hôm kia)\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True)) + r")\b\s*,?",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^\s*(?:"
    + "|".join(sorted((re.escape(w) for w in DATE_LABELS), key=len, reverse=True))
    + r")\b\s*:?\s*",
    re.IGNORECASE,
)
# What may surround a date on a pure date line: separators, brackets, the time-zone tag.
_DATE_LINE_FILLER = re.compile(r"[\s,|\-–—/()\[\]:.·•]+")
# How far (characters) a time may sit from its date and still belong to it.
_TIME_WINDOW = 12


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date (and time, when shown) found in a line: the value and the span of the text it came from."""

    value: datetime
    start: int
    end: int
    has_time: bool


def _year(raw: str | None, now: datetime) -> int:
    if not raw:
        return now.year
    year = int(raw)
    if len(raw) == 2:
        year += 2000 if year <= (now.year % 100) + 1 else 1900
    return year


def _hour(hour: int, ampm: str | None, part: str | None) -> int | None:
    if ampm:
        afternoon = AM_PM[ampm.lower()]
        if hour > 12:
            return hour
        if afternoon:
            return hour if hour == 12 else hour + 12
        return 0 if hour == 12 else hour
    if part and hour in DAY_PARTS.get(part.lower(), range(0)):
        return hour + 12
    return hour


def _build(
    y: int, m: int, d: int, hour: int = 0, minute: int = 0, second: int = 0, tz: timezone = VN_TZ
) -> datetime | None:
    try:
        return datetime(y, m, d, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _zone(text: str) -> timezone:
    """The offset a "GMT+7"-style tag in ``text`` names; Vietnamese time when there is none."""
    tag = _TZ_TAG.search(text)
    if not tag:
        return VN_TZ
    if not tag["sign"]:
        return UTC
    minutes = int(tag["hours"]) * 60 + int(tag["minutes"] or 0)
    if minutes > 14 * 60:
        return VN_TZ
    offset = timedelta(minutes=minutes if tag["sign"] == "+" else -minutes)
    return VN_TZ if offset == timedelta(hours=7) else timezone(offset)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(VN_TZ)
    return now if now.tzinfo else now.replace(tzinfo=VN_TZ)


def _date_candidates(text: str) -> list[tuple[int, int, int, int, str | None]]:
    """(start, end, day, month, year as written or None) of every date-shaped span, leftmost first."""
    found: list[tuple[int, int, int, int, str | None]] = []
    for pattern in (_DATE_ISO, _DATE_MONTH_FIRST, _DATE_WORDS, _DATE_NUMERIC):
        for match in pattern.finditer(text):
            if any(s <= match.start() < e or s < match.end() <= e for s, e, *_ in found):
                continue
            month = match["m"]
            number = int(month) if month.isdigit() else MONTH_WORDS[month.lower()]
            found.append((match.start(), match.end(), int(match["d"]), number, match["y"]))
    return sorted(found)


def find_datetimes(text: str, *, now: datetime | None = None) -> list[DateMatch]:
    """Every date in ``text`` with its time when one sits next to it (either side), in order of position.

    Works on glued lines such as "14/05/2022 06:55Lãnh đạo…": the span tells where the date text ends.
    A day-month without a year takes the year of ``now``, or the year before when that would put it more than
    a day after ``now`` ("31/12" read on 2 January is last year's).
    """
    base = _now(now)
    zone = _zone(text)
    text = _TZ_TAG.sub(lambda tag: " " * len(tag.group()), text)  # same length: spans stay true
    times = list(_TIME.finditer(text))
    results: list[DateMatch] = []
    for start, end, day, month, raw_year in _date_candidates(text):
        year = _year(raw_year, base)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        time_match = None
        for candidate in times:
            if candidate.start() < end and candidate.end() > start:
                continue  # overlaps the date itself
            gap = start - candidate.end() if candidate.end() <= start else candidate.start() - end
            between = (
                text[candidate.end() : start] if candidate.end() <= start else text[end : candidate.start()]
            )
            if 0 <= gap <= _TIME_WINDOW and not re.search(r"[^\W\d_]{3,}", _strip_fillers(between)):
                time_match = candidate
                break
        if time_match is None:
            value = _build(year, month, day, tz=zone)
            if value and raw_year is None and value > base + timedelta(days=1):
                value = _build(year - 1, month, day, tz=zone)
            if value:
                results.append(DateMatch(value, start, end, False))
            continue
        hour = int(time_match.group("H"))
        minute = int(time_match.group("M"))
        second = int(time_match.group("S") or 0)
        part_match = _DAY_PART.search(
            text[max(0, min(start, time_match.start()) - 8) : max(end, time_match.end()) + 8]
        )
        fixed = _hour(hour, time_match.group("ampm"), part_match.group("part") if part_match else None)
        if fixed is None or not (0 <= fixed < 24 and minute < 60 and second < 60):
            continue
        value = _build(year, month, day, fixed, minute, second, tz=zone)
        if value and raw_year is None and value > base + timedelta(days=1):
            value = _build(year - 1, month, day, fixed, minute, second, tz=zone)
        if value:
            results.append(DateMatch(value, min(start, time_match.start()), max(end, time_match.end()), True))
    return results


def _strip_fillers(text: str) -> str:
    text = _TZ_TAG.sub(" ", text)
    text = _WEEKDAY.sub(" ", text)
    text = _DAY_PART.sub(" ", text)
    text = re.sub(r"\b(?:lúc|ngày|SA|CH|AM|PM)\b", " ", text, flags=re.IGNORECASE)
    return _DATE_LINE_FILLER.sub(" ", text).strip()


def find_datetime(text: str, *, now: datetime | None = None) -> DateMatch | None:
    """The first date in ``text`` that carries a time, else the first date; None when there is none."""
    matches = find_datetimes(text, now=now)
    for match in matches:
        if match.has_time:
            return match
    return matches[0] if matches else None


def date_line_rest(line: str, *, now: datetime | None = None) -> tuple[DateMatch, str] | None:
    """The first date of ``line`` (span in ``line``) and the words left once the date, its time, weekday,
    labels, "(GMT+7)" and separators are removed: "" for a pure date line, "Lãnh đạo…" for a date glued to a
    headline, "Thị trường chứng khoán" for cafef's "07-03-2026 - 00:01 AM | Thị trường chứng khoán"."""
    label = _LABEL.match(line)
    offset = label.end() if label else 0
    found = find_datetime(line[offset:], now=now)
    if found is None:
        return None
    match = DateMatch(found.value, found.start + offset, found.end + offset, found.has_time)
    rest = _strip_fillers(line[offset : match.start] + " " + line[match.end :])
    return match, rest


def parse_relative(text: str, *, now: datetime | None = None) -> datetime | None:
    """'2 giờ trước', 'hôm qua', 'Hôm qua lúc 06:55', '06:55 hôm nay', 'vừa xong' against ``now``."""
    base = _now(now)
    match = _RELATIVE.search(text)
    if match:
        unit = RELATIVE_UNITS[match.group("unit").lower()]
        moment = base - timedelta(seconds=int(match.group("n")) * unit)
        clock = _TIME.search(text)
        if clock and unit >= RELATIVE_UNITS["ngày"]:
            return _at_clock(moment, clock, text) or moment
        return moment
    day = _RELATIVE_DAY.search(text)
    if day:
        back = RELATIVE_DAYS[day.group("word").lower()]
        moment = base - timedelta(days=back)
        clock = _TIME.search(text)
        at_clock = _at_clock(moment, clock, text) if clock else None
        if at_clock:
            return at_clock
        if back == 0 and day.group("word").lower() in {"vừa xong", "vừa đăng"}:
            return base
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return None


def _at_clock(moment: datetime, clock: re.Match[str], text: str) -> datetime | None:
    part = _DAY_PART.search(text)
    hour = _hour(int(clock.group("H")), clock.group("ampm"), part.group("part") if part else None)
    if hour is None or hour >= 24 or int(clock.group("M")) >= 60:
        return None
    return moment.replace(hour=hour, minute=int(clock.group("M")), second=0, microsecond=0)


def _dateparser(text: str, base: datetime) -> datetime | None:
    import dateparser

    settings = {
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "TO_TIMEZONE": "Asia/Ho_Chi_Minh",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "DATE_ORDER": "DMY",
        "RELATIVE_BASE": base.replace(tzinfo=None),
    }
    value: datetime | None = dateparser.parse(text, languages=["vi"], settings=settings)
    return value.astimezone(VN_TZ) if value else None


def parse_visible_date(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """A date as printed on a Vietnamese page, +07:00; None when ``text`` holds no date.

    Regexes handle the common forms (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, two-digit years, "ngày … tháng …
    năm", "Tháng Năm 14, 2022", time before or after, SA/CH/AM/PM, sáng/chiều/tối, weekday names, labels,
    "GMT+7" with or without a space); relative forms are read against ``now``; dateparser (Vietnamese,
    day-first) is the last resort.
    """
    if not text or not text.strip():
        return None
    base = _now(now)
    unlabelled = _LABEL.sub("", text.strip())
    match = find_datetime(unlabelled, now=base)
    if match:
        return match.value
    cleaned = _TZ_TAG.sub(" ", unlabelled)
    relative = parse_relative(cleaned, now=base)
    if relative:
        return relative
    if not re.search(r"\d", cleaned) or len(cleaned) > 80:
        return None
    return _dateparser(_WEEKDAY.sub(" ", cleaned).strip(), base)


_ISO_SPACE_OFFSET = re.compile(r"(\d)\s+([+-]\d{2}:?\d{2})$")


def parse_machine_date(value: str | None) -> datetime | None:
    """A machine-readable date: ISO 8601 (JSON-LD, meta, time@datetime) or RFC 822 (RSS pubDate).

    Naive values are Vietnamese time (+07:00). Tolerates "2026-03-07T08:52:11.000 +07:00" (space before the
    offset), "Z", and a date with a space instead of "T". Returns None when unreadable.
    """
    if not value or not value.strip():
        return None
    raw = _ISO_SPACE_OFFSET.sub(r"\1\2", value.strip())
    iso = raw.replace("Z", "+00:00") if raw.endswith("Z") else raw
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        only_date = _DATE_ISO.fullmatch(raw)
        if only_date:
            try:
                parsed = datetime.combine(
                    date(int(only_date["y"]), int(only_date["m"]), int(only_date["d"])), datetime.min.time()
                )
            except ValueError:
                return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=VN_TZ)
    return parsed.astimezone(VN_TZ)


def not_after(value: datetime | None, fetched_at: datetime | None) -> datetime | None:
    """``value`` unless it is later than the fetch time, or than now when that is unknown: a page cannot be
    published after it was fetched or read (a date in the future is a misreading, and would keep the
    article on top of every list)."""
    if value is None:
        return None
    return None if value > _now(fetched_at) + timedelta(minutes=1) else value
