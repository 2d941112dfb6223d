"""How stored values read on the site: Vietnam time (+07:00) as dd/mm/yyyy HH:MM, bylines, category names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from diemtin.article import Article
from diemtin.group.taxonomy import CATEGORIES

VIETNAM = timezone(timedelta(hours=7), "ICT")


def local(when: datetime | None) -> datetime | None:
    """The moment in Vietnam time; a naive value is taken to be Vietnam time already."""
    if when is None:
        return None
    return when.replace(tzinfo=VIETNAM) if when.tzinfo is None else when.astimezone(VIETNAM)


def date_time(when: datetime | None) -> str:
    """'14/05/2022 06:55' in +07:00, or '' when unknown."""
    moment = local(when)
    return moment.strftime("%d/%m/%Y %H:%M") if moment else ""


def day(when: datetime | None) -> str:
    """'14/05/2022' in +07:00 (with the year: an archive spans years), or '' when unknown."""
    moment = local(when)
    return moment.strftime("%d/%m/%Y") if moment else ""


def iso(when: datetime | None) -> str:
    moment = local(when)
    return moment.isoformat() if moment else ""


def category_name(key: str | None) -> str:
    """The Vietnamese name of a taxonomy key ('the-gioi' -> 'Thế giới'); the key itself when unknown."""
    if not key:
        return ""
    return CATEGORIES.get(key, key)


def section_label(article: Article) -> str:
    """The label shown above a title: the outlet's own section, else our category's name."""
    return article.section or category_name(article.category)


def byline(article: Article) -> str:
    """'Theo Tuấn Anh (VietNamNet)': authors then the original outlet; '' when neither is known."""
    authors = ", ".join(name for name in article.authors if name)
    origin = article.source or article.outlet
    if authors and origin:
        return f"Theo {authors} ({origin})"
    if authors:
        return f"Theo {authors}"
    return f"Theo {origin}" if origin else ""
