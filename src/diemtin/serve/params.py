"""Reading query parameters: whole numbers in a range and dates, with a clear message when they are wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from diemtin.group.taxonomy import CATEGORIES
from diemtin.serve.present import VIETNAM

_WHOLE = re.compile(r"-?[0-9]+")


class BadParameter(ValueError):
    """A query parameter that cannot be used; its message says which and why (in English for the API,
    in ``vietnamese`` for the site's pages)."""

    def __init__(self, message: str, vietnamese: str) -> None:
        super().__init__(message)
        self.vietnamese = vietnamese


def whole_number(raw: str | None, name: str, *, default: int, low: int, high: int) -> int:
    """The number written in plain digits (not "1_0", " 2" or full-width digits, as ``int`` would take),
    from ``low`` to ``high``."""
    if raw is None or raw == "":
        return default
    if not _WHOLE.fullmatch(raw):
        raise BadParameter(f"{name} must be a whole number", f"Tham số {name} phải là số nguyên.")
    value = int(raw)
    if not low <= value <= high:
        raise BadParameter(
            f"{name} must be between {low} and {high}", f"Tham số {name} phải từ {low} đến {high}."
        )
    return value


def named(params: Mapping[str, str], name: str, alias: str) -> tuple[str | None, str]:
    """(the value, the name it was given under) of a parameter that has a second name: ``name`` when given,
    else ``alias`` (the API's since/until are the search form's from/to)."""
    chosen = name if name in params else alias
    return params.get(chosen), chosen


def moment(raw: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """A date (YYYY-MM-DD, Vietnam time; the day's end when ``end_of_day``) or an ISO 8601 date-time."""
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime.combine(day, time(0, 0), VIETNAM)
            return start + timedelta(days=1, microseconds=-1) if end_of_day else start
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter(
            f"{name} must be a date (YYYY-MM-DD) or an ISO 8601 date-time",
            f"Tham số {name} phải là một ngày (năm-tháng-ngày, ví dụ 2026-05-14).",
        ) from None
    return value.replace(tzinfo=VIETNAM) if value.tzinfo is None else value


SEARCH_ORDERS = ("relevance", "newest")  # how search results can be sorted: best first, or newest first


def newest_first(raw: str | None) -> bool:
    """Whether ``sort`` asks for the newest matches first (``newest``) rather than the best (``relevance``,
    the default)."""
    if not raw:
        return False
    if raw not in SEARCH_ORDERS:
        raise BadParameter(
            "sort must be relevance or newest", "Tham số sort phải là relevance (liên quan nhất) hoặc newest."
        )
    return raw == "newest"


def category_key(raw: str | None) -> str | None:
    """A taxonomy key, or None when none is asked for."""
    if not raw:
        return None
    if raw not in CATEGORIES:
        raise BadParameter(
            f"category: unknown key {raw!r} (see /api/categories)", f"Không có chuyên mục {raw}."
        )
    return raw
