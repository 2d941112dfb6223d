"""Pure helpers both store backends share: row values, times, the stored JSON and a reader's query words."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from diemtin.article import Article
from diemtin.config import settings
from diemtin.group import dedup
from diemtin.sites import outlet_name
from diemtin.textnorm import alternatives, excluded, fold, marked_query_words, marked_words

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+")
Row = TypeVar("Row", bound=Sequence[Any])
# Score factor for a match whose title or lead has every marked word of the query as typed: among the
# matches holding them somewhere, "bão" (storm) in a title ranks above a passing mention.
ACCENT_BOOST = 2.0
ACCENT_CHECKED = 100  # the best-scored matches whose title and lead are read for it
OLDER_TYPED = 200  # matches written as typed looked up beyond the newest ones: ten pages, each ranked by bm25


def first_line(error: BaseException) -> str:
    """An error's message, first line only (a database driver's may run on with context)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


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


def listed_outlet(article: Article) -> str | None:
    """The outlet an article is listed, filtered and counted under: its own, else the one it credits ("Theo
    Thanh Niên" on an aggregator's page, whose dump names no outlet), by its profile's display name when a
    profile knows it ("NLĐ" -> "Người Lao Động", "VietnamNet" -> "VietNamNet")."""
    named = article.outlet or article.source
    return outlet_name(named, settings().profile_dir) if named else None


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
        listed_outlet(article),
    )


def folded_words(text: str) -> list[str]:
    """The words of ``text`` folded by ``textnorm.fold`` ('Lãnh đạo!' -> ['lanh', 'dao'])."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True, slots=True)
class Alternative:
    """One alternative of what a reader typed to find ("giá vàng" in 'giá vàng OR "giá xăng"'): its quoted
    phrases and its other (loose) words, folded, and the words typed with marks (``marked_query_words``)."""

    phrases: list[list[str]]
    loose: list[str]
    marked: frozenset[str]

    @property
    def parts(self) -> list[str]:
        """Each phrase (its words joined by a space) and each loose word: what a match must hold."""
        return [" ".join(words) for words in self.phrases] + self.loose

    @property
    def words(self) -> list[str]:
        """Every word of the alternative once, phrases' words included."""
        return list(dict.fromkeys([word for words in self.phrases for word in words] + self.loose))


def query_alternatives(text: str) -> list[Alternative]:
    """What a reader typed to find, as its alternatives (one unless it says OR; those with no word dropped,
    so none for a query that asks for nothing); what it excludes is ``excluded_words``."""
    found = []
    for piece in alternatives(text):
        phrases = [words for words in map(folded_words, _PHRASE.findall(piece)) if words]
        loose = folded_words(_PHRASE.sub(" ", piece))
        if phrases or loose:
            found.append(Alternative(phrases, loose, marked_query_words(piece)))
    return found


def any_of(expressions: list[str], operator: str) -> str:
    """Query expressions joined by ``operator`` ("OR" in FTS5, "||" between SQL tsqueries, "|" in tsquery
    text), each and the whole in brackets so that what is appended after binds to all of them; one expression
    stays as it is."""
    if len(expressions) == 1:
        return expressions[0]
    return "(" + f" {operator} ".join(f"({expression})" for expression in expressions) + ")"


def typed_with_marks(alternatives: Sequence[Alternative]) -> frozenset[str]:
    """Every word typed with marks in any alternative (empty: the search prefers no spelling)."""
    return frozenset().union(*(alternative.marked for alternative in alternatives))


def headed_as_typed(alternatives: Sequence[Alternative], heading: set[str]) -> bool:
    """Whether a title and lead (their ``heading_marks``) hold as typed every marked word of an alternative
    that has some."""
    return any(alternative.marked and alternative.marked <= heading for alternative in alternatives)


def excluded_words(text: str) -> list[list[str]]:
    """The words of each word or phrase a query excludes ("-lũ", -"miền Trung"), folded."""
    return [words for words in map(folded_words, excluded(text)) if words]


def marks(article: Article) -> list[str]:
    """The words of an article (title, lead, body, tags) written with Vietnamese marks, as
    ``textnorm.marked_words`` gives them: what a search typed with marks looks for as typed."""
    text = "\n".join([article.text, *article.tags])
    # marked_words gives lower case: a word outside ASCII carries marks (or is of another script: kept too)
    return sorted(word for word in marked_words(text) if not word.isascii())


def search_candidates(
    found: list[Row],
    typed_among: Callable[[list[int]], set[int]] | None,
    older_typed: Callable[[int, int], list[Row]],
    depth: int,
) -> tuple[list[Row], set[int], bool]:
    """The matches a search ranks (rows whose first value is the row number), those of them written as
    typed, and whether they are every match.

    ``found`` holds the depth + 1 newest matches. When the reader typed words with marks, ``typed_among``
    tells which of the rows asked hold those words as typed: they rank first. Where they are under a tenth
    of the newest matches, other words folding to the same key fill those ("báo", newspaper, is in nearly
    every article; "bão", storm, is not): then ``older_typed(row, count)`` gives up to ``count`` (at most
    OLDER_TYPED) more of them, the newest stored before that row, and the newest others fill up to ``depth``.
    """
    newest = found[:depth]
    exact = len(found) <= depth
    as_found = typed_among([row[0] for row in newest]) if typed_among and newest else set()
    if typed_among is None or exact or 10 * len(as_found) >= depth:
        return newest, as_found, exact
    typed = [row for row in newest if row[0] in as_found]
    typed += older_typed(newest[-1][0], min(OLDER_TYPED, depth - len(typed)))
    others = [row for row in newest if row[0] not in as_found][: depth - len(typed)]
    return typed + others, {row[0] for row in typed}, False


def heading_marks(title: str | None, lead: str | None) -> set[str]:
    """The words of a title and lead written with marks, as ``textnorm.marked_words`` gives them: what the
    accent boost looks for (every word a reader typed with marks is among them when the boost applies)."""
    return {word for word in marked_words(f"{title or ''} {lead or ''}") if not word.isascii()}


def accent_boosted(
    scores: dict[int, float],
    base: dict[int, float],
    marked: frozenset[str],
    headed: Callable[[list[int]], set[int]],
) -> dict[int, float]:
    """``scores`` with ACCENT_BOOST for those among the ACCENT_CHECKED best ``base`` scores (text and
    recency: the same rows whatever page is asked) whose title and lead hold every marked query word as
    typed; ``headed`` says which of the rows asked do (see ``heading_marks``)."""
    if not marked:
        return scores
    best = [n for n in sorted(base, key=base.__getitem__, reverse=True)[:ACCENT_CHECKED] if n in scores]
    as_typed = headed(best)
    return {n: score * (ACCENT_BOOST if n in as_typed else 1.0) for n, score in scores.items()}


def page_order(
    base: dict[int, float],
    as_typed: set[int],
    boosted: Callable[[list[int], bool], dict[int, float]],
    offset: int,
    limit: int,
    most: float,
    *,
    marked: frozenset[str],
    headed: Callable[[list[int]], set[int]],
    by_time: dict[int, float] | None = None,
) -> list[int]:
    """The rows of one page of a search ranking (with ``by_time``, each row's time: of the search sorted
    newest first).

    The matches holding every word the reader typed with marks (``marked``) as typed (``as_typed``) rank
    first, the others after them: "bão" (storm) finds storms before "báo" (newspaper) and "bảo". Within each
    tier, ``boosted(rows, typed)`` gives the backend's scores of the rows asked, multiplying a ``base`` score
    by at most ``most``, and ``accent_boosted`` (``headed`` says whose title and lead hold the marked words)
    doubles some once more; so only the rows within that factor of the page's last base score are asked: the
    others cannot reach the page. Every page is a slice of one ranking. Sorted by time, the tiers stay: the
    matches holding the marked words as typed first, each tier newest first.
    """
    if by_time is not None:
        ranked = sorted(by_time, key=lambda n: (n in as_typed, by_time[n], n), reverse=True)
        return ranked[offset : offset + limit]
    most *= ACCENT_BOOST if marked else 1.0
    order: list[int] = []
    skip, need = offset, limit
    typed_rows = [n for n in base if n in as_typed]
    for typed, tier in ((True, typed_rows), (False, [n for n in base if n not in as_typed])):
        if need <= 0:
            break
        if skip >= len(tier):
            skip -= len(tier)
            continue
        wanted = min(skip + need, len(tier))
        bar = sorted((base[n] for n in tier), reverse=True)[wanted - 1] / most
        scores = accent_boosted(boosted([n for n in tier if base[n] >= bar], typed), base, marked, headed)
        ranked = sorted(scores, key=lambda n: (scores[n], n), reverse=True)[skip : skip + need]
        order += ranked
        skip, need = 0, need - len(ranked)
    return order
