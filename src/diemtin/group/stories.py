"""Story grouping: reports of one news event by different outlets within a time window share a story id.

``story_features`` turns an article into a compact blob: TF-IDF of folded syllable unigrams and bigrams of
the title (counted twice), the lead and the first BODY_SYLLABLES of the body, and of title and lead alone,
hashed to 32 bits and weighted with the document frequencies shipped in ``story_df.joblib`` (numbers only,
made by ``build_df_table``); then the hashed title terms, the names (runs of capitalised syllables) and
day-month dates of title and lead, and the outlet.

``StoryIndex`` finds candidates through an inverted index on each article's highest-weighted terms. A
linear pair score (PAIR_WEIGHTS: text and headline cosine, title and name overlap, days apart, same outlet,
conflicting dates) says how much two reports look like one event. ``add`` files a new article at once in the
best candidate story, scored through its members (LINK_MAX_SHARE of the best member's score plus the rest of
the members' mean), or in a story of its own. ``regroup`` then re-clusters, by average linkage, the stories
that the articles added since its last call touch: clusters merge best first while the mean pair score
between all their members reaches PAIR_THRESHOLD, which keeps a story from drifting by chaining and undoes
greedy joins made in arrival order. The store calls it every REGROUP_EVERY new articles, every few seconds,
at the end of a batch and at close. Same topic but another event (the next day's weather bulletin, another
match of the tournament) should stay apart: such pairs share fewer title terms, lie further apart in time,
come from the same outlet or name other dates.
"""

from __future__ import annotations

import heapq
import logging
import re
import struct
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray

from diemtin.article import Article
from diemtin.textnorm import syllables

log = logging.getLogger(__name__)

VIETNAM = timezone(timedelta(hours=7))

DF_PATH = Path(__file__).with_name("story_df.joblib")

TITLE_WEIGHT = 2  # the title's terms are counted this many times
BODY_SYLLABLES = 600  # syllables of the body read after title and lead
BODY_CHARS_PER_SYLLABLE = 8  # characters of the body folded to find them (ample: syllables average ~4)
MAX_TERMS = 300  # highest-weighted terms kept per article
POSTED_TERMS = 12  # terms per article entered in the candidate index
MAX_CANDIDATES = 30  # earlier articles compared with a new one: those sharing most of its posted terms
# Pair score = intercept + sum of weight * feature; a pair is one story when the score reaches PAIR_THRESHOLD.
# Fitted by logistic regression (C = 30) on the labelled baomoi-2013 pairs (gold/stories.tsv) as `regroup`
# uses them; fitted on either half, the other half scores the same within noise (docs/grouping.md).
PAIR_WEIGHTS = {
    "cosine": 11.34,  # TF-IDF cosine of title, lead and body start
    "headline": 7.66,  # TF-IDF cosine of title and lead
    "title": 1.96,  # Jaccard overlap of title syllables and bigrams
    "names": -0.78,  # Jaccard overlap of names in title and lead: given the cosines, the same actors in
    # another event (the next stop of a visit, the next step of a case)
    "days": -1.85,  # days between the two reports
    "same_outlet": -2.87,  # one outlet rarely reports one event twice; its follow-ups are another event
    "date_conflict": -1.92,  # both title+leads name dates, and no date in common
}
PAIR_INTERCEPT = -2.52
PAIR_THRESHOLD = 0.0
LINK_MAX_SHARE = 0.5  # a story's score: this share of its best member's score, the rest their mean
UNCOMPARED_SCORE = -2.0  # pair score of two members never compared (they share none of their top terms)
REGROUP_EVERY = 500  # new articles waiting before the store regroups (sooner when time passes)
MAX_MEMBERS = 50  # a story is compared through its most recent members only
NO_DATE_DAYS = 1.0  # days apart assumed when an article has no date
MIN_DF_KEPT = 2  # terms rarer than this are left out of the shipped table (they count as unseen)

# counts of terms, headline terms, title terms, names, dates; then the outlet's hash
_HEADER = struct.Struct("<HHHHHI")
_NAME = re.compile(r"(?<![.!?:\"“]\s)\b([^\W\d_a-zđ][^\W_]*(?:\s+[^\W\d_a-zđ][^\W_]*)+)")
# Day and month in "27/5", "27-5", "ngày 27 tháng 5" (not part of a longer number or a full date with year).
_DAY_MONTH = re.compile(
    r"(?<![\d/.,])(\d{1,2})\s*[/-]\s*(\d{1,2})(?![\d/]|\s*[/-]\s*\d)|ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})",
    re.IGNORECASE,
)

Vector = tuple[NDArray[np.uint32], NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class Features:
    """Unpacked story features of one article."""

    vector: Vector  # title, lead and body start
    headline: Vector  # title and lead
    title: NDArray[np.uint32]
    names: NDArray[np.uint32]
    dates: NDArray[np.uint16]  # day * 100 + month
    outlet: int  # hash of the outlet that wrote it (0 when unknown)


@lru_cache(maxsize=1)
def _df_table() -> tuple[int, NDArray[np.uint32], NDArray[np.uint16]]:
    data: dict[str, Any] = joblib.load(DF_PATH)
    return int(data["documents"]), np.asarray(data["hashes"], np.uint32), np.asarray(data["df"], np.uint16)


def _grams(tokens: list[str]) -> list[str]:
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def _counts(tokens: list[str]) -> Counter[int]:
    return Counter(map(zlib.crc32, map(str.encode, _grams(tokens))))


def _term_counts(article: Article) -> tuple[Counter[int], Counter[int]]:
    """Hashed counts of folded syllable unigrams and bigrams: of title (weighted) and lead, and of those plus
    the start of the body."""
    headline = _counts(syllables(article.lead))
    for term, count in _counts(syllables(article.title)).items():
        headline[term] += TITLE_WEIGHT * count
    body_start = " ".join(article.body)[: BODY_SYLLABLES * BODY_CHARS_PER_SYLLABLE]
    full = headline.copy()
    full.update(_counts(syllables(body_start)[:BODY_SYLLABLES]))
    return headline, full


def _idf(hashes: NDArray[np.uint32]) -> NDArray[np.float32]:
    documents, table, df = _df_table()
    position = np.searchsorted(table, hashes)
    position[position == len(table)] = 0
    found = table[position] == hashes
    frequency = np.where(found, df[position], 1).astype(np.float32)
    result: NDArray[np.float32] = np.log((documents + 1) / (frequency + 1)) + 1
    return result


def _tfidf(counts: Counter[int], limit: int) -> Vector:
    """Sorted hashes and l2-normalised TF-IDF weights of the `limit` highest-weighted terms."""
    hashes = np.fromiter(counts.keys(), dtype=np.uint32, count=len(counts))
    if not counts:
        return hashes, np.zeros(0, dtype=np.float32)
    weights = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * _idf(hashes)
    keep = np.argsort(-weights, kind="stable")[:limit]
    hashes, weights = hashes[keep], weights[keep]
    order = np.argsort(hashes)
    return hashes[order], weights[order] / np.linalg.norm(weights)


def _hashes(grams: Iterable[str]) -> NDArray[np.uint32]:
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint32))


def _names(text: str) -> NDArray[np.uint32]:
    """Runs of capitalised syllables (people, places, organisations), folded and hashed."""
    return _hashes(" ".join(syllables(match)) for match in _NAME.findall(text))


def _dates(text: str) -> NDArray[np.uint16]:
    """Day-month dates named in the text, as day * 100 + month."""
    found = set()
    for match in _DAY_MONTH.findall(text):
        day, month = int(match[0] or match[2]), int(match[1] or match[3])
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.add(day * 100 + month)
    return np.array(sorted(found), dtype=np.uint16)


def story_features(article: Article) -> bytes:
    """Compact features for story grouping (see the module docstring); `unpack` reads them back."""
    headline_text = f"{article.title}\n{article.lead}"
    headline_counts, counts = _term_counts(article)
    vector, headline = _tfidf(counts, MAX_TERMS), _tfidf(headline_counts, MAX_TERMS)
    title = _hashes(_grams(syllables(article.title)))[:MAX_TERMS]  # bounded even for a runaway title
    names, dates = _names(headline_text)[:MAX_TERMS], _dates(headline_text)[:MAX_TERMS]
    outlet_name = syllables(article.source or article.outlet or article.site or "")
    outlet = zlib.crc32(" ".join(outlet_name).encode()) if outlet_name else 0
    return b"".join(
        [
            _HEADER.pack(len(vector[0]), len(headline[0]), len(title), len(names), len(dates), outlet),
            vector[0].tobytes(),
            vector[1].astype(np.float16).tobytes(),
            headline[0].tobytes(),
            headline[1].astype(np.float16).tobytes(),
            title.tobytes(),
            names.tobytes(),
            dates.tobytes(),
        ]
    )


def unpack(features: bytes) -> Features:
    """The arrays inside a feature blob."""
    terms, headline_terms, titles, names, dates, outlet = _HEADER.unpack_from(features)
    offset = _HEADER.size

    def take(dtype: type[np.generic], count: int) -> NDArray[Any]:
        nonlocal offset
        array = np.frombuffer(features, dtype=dtype, count=count, offset=offset)
        offset += array.nbytes
        return array

    vector = (take(np.uint32, terms), take(np.float16, terms).astype(np.float32))
    headline = (take(np.uint32, headline_terms), take(np.float16, headline_terms).astype(np.float32))
    return Features(
        vector, headline, take(np.uint32, titles), take(np.uint32, names), take(np.uint16, dates), outlet
    )


def _dot(a: Vector, b: Vector) -> float:
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(a[1][ia] @ b[1][ib])


def _overlap(a: NDArray[Any], b: NDArray[Any]) -> float:
    """Jaccard overlap of two sorted sets (0 when either is empty)."""
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


def pair_values(a: Features, b: Features, gap: timedelta | None) -> dict[str, float]:
    """The features of a pair of reports that PAIR_WEIGHTS weighs."""
    return {
        "cosine": _dot(a.vector, b.vector),
        "headline": _dot(a.headline, b.headline),
        "title": _overlap(a.title, b.title),
        "names": _overlap(a.names, b.names),
        "days": NO_DATE_DAYS if gap is None else abs(gap.total_seconds()) / 86400,
        "same_outlet": float(a.outlet != 0 and a.outlet == b.outlet),
        "date_conflict": float(len(a.dates) > 0 and len(b.dates) > 0 and _overlap(a.dates, b.dates) == 0),
    }


def pair_score(a: Features, b: Features, gap: timedelta | None) -> float:
    """How strongly two reports look like one story; they are when it reaches PAIR_THRESHOLD."""
    values = pair_values(a, b, gap)
    return PAIR_INTERCEPT + sum(PAIR_WEIGHTS[name] * value for name, value in values.items())


def cosine(a: bytes, b: bytes) -> float:
    """Cosine similarity of the TF-IDF vectors of two feature blobs."""
    return _dot(unpack(a).vector, unpack(b).vector)


class StoryIndex:
    """Assigns each added article to a story: the best-matching earlier report's story, or a new one; then
    `regroup` re-clusters the stories that the articles added since its last call touch."""

    def __init__(self, window_hours: float = 72.0, *, max_candidates: int = MAX_CANDIDATES) -> None:
        self.window = timedelta(hours=window_hours)
        self.max_candidates = max_candidates
        self._features: dict[str, Features] = {}
        self._story: dict[str, str] = {}
        self._published: dict[str, datetime | None] = {}
        self._members: defaultdict[str, list[str]] = defaultdict(list)  # story -> articles still indexed
        self._postings: defaultdict[int, dict[str, None]] = defaultdict(dict)
        self._by_time: list[tuple[datetime, str]] = []
        self._pending: dict[str, None] = {}  # articles added since the last regroup
        self._days: set[int] = set()  # days (UTC, counted from 1970) whose stored articles are all loaded

    def __len__(self) -> int:
        return len(self._features)

    def add(self, article_id: str, features: bytes, published: datetime | None) -> str:
        """File one article and return its story id (an earlier article's story, or `article_id`)."""
        if article_id in self._story:
            return self._story[article_id]
        published = _aware(published)
        unpacked = unpack(features)
        story = self._best_story(unpacked, published) or article_id
        self._remember(article_id, story, unpacked, published)
        self._pending[article_id] = None
        return story

    @property
    def pending(self) -> int:
        """How many articles were added since the last `regroup`."""
        return len(self._pending)

    def regroup(self, stored: Callable[[list[str]], dict[str, str]] | None = None) -> dict[str, str]:
        """Re-cluster, by average linkage, the stories that the articles added since the last call belong to
        or share top terms with; returns {article_id: new story id} for every article whose story changed.

        `add` places an article greedily, in arrival order. Here two clusters merge, best pair first, while
        the mean score over all their members' pairs reaches PAIR_THRESHOLD (members never compared count
        as UNCOMPARED_SCORE), so one early wrong join no longer decides where the later reports go.

        `stored`, given the region's article ids, says which story each is in where the index is kept (a
        database other writers also regroup): the index follows it first, so the ids it returns are changes
        against that.
        """
        region = self._region()
        if stored is not None:
            for article_id, story_id in stored(region).items():
                self.adopt(article_id, story_id)
            region = self._region()
        added = [when for a in self._pending if (when := self._published.get(a)) is not None]
        self._pending.clear()
        moved = self._relabel(region, average_linkage(len(region), self._scores(region)))
        if added:  # nothing later can be compared with what lies two windows before these
            self._forget_old(min(added) - 2 * self.window)
        return moved

    def missing_days(self, published: datetime | None) -> list[int]:
        """The days within the window around ``published`` whose stored articles the index has not loaded
        (`load` them before adding an article published then: its candidates are among them)."""
        published = _aware(published)
        if published is None:
            return []
        first, last = _day(published - self.window), _day(published + self.window)
        return [day for day in range(first, last + 1) if day not in self._days]

    def adopt(self, article_id: str, story_id: str) -> None:
        """Another writer put an indexed article into ``story_id``: follow it (the article is pending)."""
        current = self._story.get(article_id)
        if current is None or current == story_id:
            return
        self._story[article_id] = story_id
        if article_id not in self._features:  # forgotten already: no longer a candidate
            return
        members = self._members[current]
        members.remove(article_id)
        if not members:
            del self._members[current]
        self._members[story_id].append(article_id)
        self._pending[article_id] = None

    def wants(self, article_id: str, published: datetime | None) -> bool:
        """Whether an article stored elsewhere belongs in the index: not in it, and published on a day
        whose articles the index holds (another day is loaded whole when an article needs it)."""
        published = _aware(published)
        if article_id in self._features:
            return False
        return published is None or _day(published) in self._days

    def _scores(self, region: list[str]) -> dict[tuple[int, int], float]:
        """Pair scores of the region's articles (by position) that are each other's candidates."""
        position = {article_id: i for i, article_id in enumerate(region)}
        scores: dict[tuple[int, int], float] = {}
        for i, article_id in enumerate(region):
            features, published = self._features[article_id], self._published[article_id]
            for candidate in self._candidates(features.vector):
                j = position.get(candidate)
                if j is None or j <= i:
                    continue
                gap = self._gap(published, self._published[candidate])
                if gap is None or abs(gap) <= self.window:
                    scores[i, j] = pair_score(features, self._features[candidate], gap)
        return scores

    def _region(self) -> list[str]:
        """The pending articles, their candidates and every indexed member of those articles' stories, oldest
        first."""
        touched: dict[str, None] = {}
        for article_id in self._pending:
            features = self._features.get(article_id)
            if features is not None:
                touched[article_id] = None
                touched.update(dict.fromkeys(self._candidates(features.vector)))
        stories = dict.fromkeys(self._story[article_id] for article_id in touched)
        members = {member for story in stories for member in self._members[story]}
        return sorted(members, key=self._age)

    def _age(self, article_id: str) -> tuple[datetime, str]:
        published = self._published[article_id]
        return (published or datetime.max.replace(tzinfo=VIETNAM), article_id)

    def _relabel(self, region: list[str], clusters: list[list[int]]) -> dict[str, str]:
        """Give each cluster a story id (its oldest member's current story, when no older cluster took it)
        and record the articles that changed story."""
        moved: dict[str, str] = {}
        taken: set[str] = set()
        for story in {self._story[article_id] for article_id in region}:
            self._members.pop(story, None)
        for cluster in sorted(clusters, key=min):  # the region is oldest first, so min is the oldest member
            members = [region[i] for i in cluster]
            story = next(
                (s for s in (self._story[members[0]], members[0]) if s not in taken),
                f"{members[0]}-{len(taken)}",
            )
            taken.add(story)
            for article_id in members:
                if self._story[article_id] != story:
                    moved[article_id] = self._story[article_id] = story
            self._members[story].extend(members)
        return moved

    @staticmethod
    def _gap(a: datetime | None, b: datetime | None) -> timedelta | None:
        return None if a is None or b is None else a - b

    def load(
        self,
        rows: Iterable[tuple[str, str, bytes, datetime | None]],
        *,
        pending: bool = False,
        days: Iterable[int] = (),
    ) -> None:
        """Add stored (article_id, story_id, features, published) rows to the index (those it holds are
        skipped); a blob that does not unpack (written by another version) is skipped with a warning. With
        `pending`, the next `regroup` re-clusters them as if they had just been added. `days` are the days
        (see `missing_days`) whose articles the rows are all of."""
        self._days.update(days)
        for article_id, story_id, features, published in rows:
            if article_id in self._features:
                continue
            try:
                unpacked = unpack(features)
            except (struct.error, ValueError) as error:
                log.warning("story features of %s skipped: %s", article_id, error)
                continue
            self._remember(article_id, story_id, unpacked, _aware(published))
            if pending:
                self._pending[article_id] = None

    def story_of(self, article_id: str) -> str | None:
        return self._story.get(article_id)

    def _best_story(self, features: Features, published: datetime | None) -> str | None:
        """The story whose members, compared one by one, score best against the article (if good enough)."""
        best, best_score = None, PAIR_THRESHOLD
        for story in dict.fromkeys(self._story[candidate] for candidate in self._candidates(features.vector)):
            scores = []
            for member in self._members[story][-MAX_MEMBERS:]:
                gap = self._gap(published, self._published[member])
                if gap is None or abs(gap) <= self.window:
                    scores.append(pair_score(features, self._features[member], gap))
            if not scores:
                continue
            score = LINK_MAX_SHARE * max(scores) + (1 - LINK_MAX_SHARE) * sum(scores) / len(scores)
            if score >= best_score:
                best, best_score = story, score
        return best

    def _candidates(self, vector: Vector) -> list[str]:
        hits: Counter[str] = Counter()
        for term in _posted(vector):
            posting = self._postings.get(term)
            if posting:
                hits.update(posting.keys())
        return [candidate for candidate, _ in hits.most_common(self.max_candidates)]

    def _remember(self, article_id: str, story: str, features: Features, published: datetime | None) -> None:
        self._features[article_id] = features
        self._story[article_id] = story
        self._published[article_id] = published
        self._members[story].append(article_id)
        for term in _posted(features.vector):
            self._postings[term][article_id] = None
        if published is not None:
            heapq.heappush(self._by_time, (published, article_id))

    def _forget_old(self, horizon: datetime) -> None:
        """Drop articles published before the horizon: nothing new can match them any more. This waits for
        `regroup`, so that pages arriving out of date order still meet their neighbours."""
        self._days = {day for day in self._days if _day_start(day) >= horizon}
        while self._by_time and self._by_time[0][0] < horizon:
            _, old = heapq.heappop(self._by_time)
            features = self._features.pop(old, None)
            if features is None:
                continue
            self._published.pop(old, None)
            members = self._members[self._story[old]]
            members.remove(old)
            if not members:
                del self._members[self._story[old]]
            for term in _posted(features.vector):
                posting = self._postings.get(term)
                if posting is not None:
                    posting.pop(old, None)
                    if not posting:
                        del self._postings[term]


def average_linkage(size: int, scores: dict[tuple[int, int], float]) -> list[list[int]]:
    """Clusters of items 0..size-1: merge the best-scoring pair of clusters while the mean score over all
    their cross pairs reaches PAIR_THRESHOLD; `scores` holds the compared pairs (i < j), the others count
    as UNCOMPARED_SCORE."""
    neighbours: list[dict[int, float]] = [{} for _ in range(size)]
    for (i, j), score in scores.items():
        neighbours[i][j] = neighbours[j][i] = score
    clusters = {i: [i] for i in range(size)}
    owner = list(range(size))

    def link(a: int, b: int) -> float:
        total = sum(neighbours[x].get(y, UNCOMPARED_SCORE) for x in clusters[a] for y in clusters[b])
        return total / (len(clusters[a]) * len(clusters[b]))

    heap = [(-score, i, j) for (i, j), score in scores.items() if score >= PAIR_THRESHOLD]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in clusters or b not in clusters:
            continue  # one side was merged into another cluster since this entry was pushed
        score = link(a, b)
        if score < -negative:  # the clusters grew since: queue them again at their current score
            if score >= PAIR_THRESHOLD:
                heapq.heappush(heap, (-score, a, b))
            continue
        for item in clusters[b]:
            owner[item] = a
        clusters[a].extend(clusters.pop(b))
        for c in {owner[y] for x in clusters[a] for y in neighbours[x]} - {a}:
            score = link(a, c)
            if score >= PAIR_THRESHOLD:
                heapq.heappush(heap, (-score, min(a, c), max(a, c)))
    return [sorted(members) for members in clusters.values()]


def _day(moment: datetime) -> int:
    """The UTC day of a moment, counted from 1 January 1970 (the store's sort times are epoch seconds)."""
    return int(moment.timestamp() // 86400)


def _day_start(day: int) -> datetime:
    return datetime.fromtimestamp(day * 86400, UTC)


def _aware(published: datetime | None) -> datetime | None:
    """A date without a timezone is taken as Vietnamese time, so that all dates compare."""
    if published is None or published.tzinfo is not None:
        return published
    return published.replace(tzinfo=VIETNAM)


def _posted(vector: Vector) -> list[int]:
    hashes, weights = vector
    top = np.argsort(-weights, kind="stable")[:POSTED_TERMS]
    return [int(h) for h in hashes[top]]


def build_df_table(articles: Iterable[Article], path: Path = DF_PATH) -> int:
    """Count hashed document frequencies over articles and save them (numbers only); returns the count."""
    df: Counter[int] = Counter()
    documents = 0
    for article in articles:
        df.update(_term_counts(article)[1].keys())
        documents += 1
    kept = sorted(h for h, n in df.items() if n >= MIN_DF_KEPT)
    joblib.dump(
        {
            "documents": documents,
            "hashes": np.array(kept, dtype=np.uint32),
            "df": np.array([min(df[h], 65535) for h in kept], dtype=np.uint16),
        },
        path,
        compress=("xz", 6),
    )
    return documents


__all__ = [
    "REGROUP_EVERY",
    "Features",
    "StoryIndex",
    "average_linkage",
    "build_df_table",
    "cosine",
    "pair_score",
    "pair_values",
    "story_features",
    "unpack",
]
