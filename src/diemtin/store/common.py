"""Pure helpers both store backends share: row values, times, the stored JSON and a reader's query words."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from diemtin.article import Article
from diemtin.group import dedup
from diemtin.textnorm import fold, marked_words

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+")
# Score factor for a match whose title or lead has every marked word of the query as typed: "bão" (storm)
# ranks above "báo" (newspaper) and "bảo", which fold to the same key.
ACCENT_BOOST = 2.0
ACCENT_CHECKED = 100  # the best-scored matches whose title and lead are read for it


def epoch(moment: datetime) -> float:
    """Seconds since 1970 (a naive time is taken as UTC)."""
    return moment.timestamp() if moment.tzinfo else moment.replace(tzinfo=UTC).timestamp()


def version_time(article: Article) -> float | None:
    """When this version of a page was seen: fetched, else modified (None when neither is known)."""
    moment = article.provenance.fetched_at or article.modified
    return epoch(moment) if moment else None


def dumps(article: Article) -> str:
    """The Article as the JSON text a store keeps."""
    return json.dumps(article.to_dict(), ensure_ascii=False)


def listed_values(article: Article, keys: dedup.DedupKeys, now: float) -> tuple[object, ...]:
    """The articles-table columns url, content_hash, text_key, published, sort_time, category, outlet."""
    published = article.published
    return (
        article.url,
        keys.content_hash,
        keys.text_key,
        published.isoformat() if published else None,
        epoch(published) if published else now,
        article.category,
        article.outlet,
    )


def folded_words(text: str) -> list[str]:
    """The words of ``text`` folded by ``textnorm.fold`` ('Lãnh đạo!' -> ['lanh', 'dao'])."""
    return _WORD.findall(fold(text))


def query_words(text: str) -> tuple[list[list[str]], list[str]]:
    """What a reader typed as (its "quoted phrases", its other words), folded; empty phrases dropped."""
    phrases = [words for words in map(folded_words, _PHRASE.findall(text)) if words]
    return phrases, folded_words(_PHRASE.sub(" ", text))


def accent_match(marked: frozenset[str], title: str | None, lead: str | None) -> bool:
    """Whether the title and lead (as stored: cleaned) hold every marked query word as typed."""
    return marked <= marked_words(f"{title or ''} {lead or ''}")


def accent_boosted(
    scores: dict[int, float],
    base: dict[int, float],
    marked: frozenset[str],
    read: Callable[[list[int]], Iterable[tuple[int, str | None, str | None]]],
) -> dict[int, float]:
    """``scores`` with ACCENT_BOOST for those among the ACCENT_CHECKED best ``base`` scores (text and
    recency: the same rows whatever page is asked) whose title and lead hold every marked query word as
    typed; ``read`` gives (row, title, lead) of the rows asked."""
    if not marked:
        return scores
    best = sorted(base, key=base.__getitem__, reverse=True)[:ACCENT_CHECKED]
    as_typed = {
        n for n, title, lead in read([n for n in best if n in scores]) if accent_match(marked, title, lead)
    }
    return {n: score * (ACCENT_BOOST if n in as_typed else 1.0) for n, score in scores.items()}
