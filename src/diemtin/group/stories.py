"""Story grouping: reports of one news event by different outlets within a time window share a story id.

``story_features`` turns an article into a compact blob: TF-IDF of folded syllable unigrams and bigrams of
the title (counted twice), the lead and the first BODY_SYLLABLES of the body, hashed to 32 bits, weighted with
the document frequencies shipped in ``story_df.joblib`` (numbers only, made by ``build_df_table``); then the
hashed title terms and names (runs of capitalised syllables in title and lead).

``StoryIndex`` finds candidates through an inverted index on each article's highest-weighted terms, scores
each against the new article with a small linear model (PAIR_WEIGHTS: text cosine, title overlap, name
overlap, days apart) and files the article under the story of the best candidate whose score clears
PAIR_THRESHOLD, else under a new story. Same topic but another event (the next day's weather bulletin,
another match of the tournament) should stay apart: such pairs share fewer title terms and names and lie
further apart in time.
"""

from __future__ import annotations

import heapq
import re
import struct
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray

from diemtin.article import Article
from diemtin.textnorm import syllables

DF_PATH = Path(__file__).with_name("story_df.joblib")

TITLE_WEIGHT = 2  # the title's terms are counted this many times
BODY_SYLLABLES = 300  # syllables of the body read after title and lead
MAX_TERMS = 120  # highest-weighted terms kept per article
POSTED_TERMS = 12  # terms per article entered in the candidate index
# Pair score = sum of weight * feature; a pair is one story when the score reaches PAIR_THRESHOLD. Fitted by
# logistic regression on half of the labelled baomoi-2013 pairs (gold/stories.tsv), checked on the other half.
PAIR_WEIGHTS = {"cosine": 3.52, "title": 2.48, "names": 1.28, "days": -1.17}
PAIR_INTERCEPT = -0.52
PAIR_THRESHOLD = 0.5
NO_DATE_DAYS = 1.0  # days apart assumed when an article has no date
MIN_DF_KEPT = 2  # terms rarer than this are left out of the shipped table (they count as unseen)

_HEADER = struct.Struct("<HHH")  # counts of terms, title terms, names
_NAME = re.compile(r"(?<![.!?:\"“]\s)\b([^\W\d_a-zđ][^\W_]*(?:\s+[^\W\d_a-zđ][^\W_]*)+)")

Vector = tuple[NDArray[np.uint32], NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class Features:
    """Unpacked story features of one article."""

    vector: Vector
    title: NDArray[np.uint32]
    names: NDArray[np.uint32]


@lru_cache(maxsize=1)
def _df_table() -> tuple[int, NDArray[np.uint32], NDArray[np.uint16]]:
    data: dict[str, Any] = joblib.load(DF_PATH)
    return int(data["documents"]), np.asarray(data["hashes"], np.uint32), np.asarray(data["df"], np.uint16)


def _term_counts(article: Article) -> Counter[int]:
    """Hashed counts of folded syllable unigrams and bigrams of title, lead and the start of the body."""
    counts: Counter[int] = Counter()
    body = syllables(" ".join(article.body))[:BODY_SYLLABLES]
    for tokens, times in ((syllables(article.title), TITLE_WEIGHT), (syllables(article.lead), 1), (body, 1)):
        grams = tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
        for gram in grams:
            counts[zlib.crc32(gram.encode())] += times
    return counts


def _idf(hashes: NDArray[np.uint32]) -> NDArray[np.float32]:
    documents, table, df = _df_table()
    position = np.searchsorted(table, hashes)
    position[position == len(table)] = 0
    found = table[position] == hashes
    frequency = np.where(found, df[position], 1).astype(np.float32)
    result: NDArray[np.float32] = np.log((documents + 1) / (frequency + 1)) + 1
    return result


def _hashes(grams: Iterable[str]) -> NDArray[np.uint32]:
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint32))


def _title_terms(title: str) -> NDArray[np.uint32]:
    tokens = syllables(title)
    return _hashes(tokens + [f"{a} {b}" for a, b in pairwise(tokens)])


def _names(article: Article) -> NDArray[np.uint32]:
    """Runs of capitalised syllables (people, places, organisations) in title and lead, folded and hashed."""
    text = f"{article.title}\n{article.lead}"
    return _hashes(" ".join(syllables(match)) for match in _NAME.findall(text))


def story_features(article: Article) -> bytes:
    """Compact features for story grouping: sorted term hashes with l2-normalised TF-IDF weights, then the
    hashed title terms and names."""
    counts = _term_counts(article)
    hashes = np.fromiter(counts.keys(), dtype=np.uint32, count=len(counts))
    weights = np.zeros(0, dtype=np.float32)
    if counts:
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        weights = (1 + np.log(tf)) * _idf(hashes)
        keep = np.argsort(-weights, kind="stable")[:MAX_TERMS]
        hashes, weights = hashes[keep], weights[keep]
        order = np.argsort(hashes)
        hashes, weights = hashes[order], weights[order] / np.linalg.norm(weights)
    title, names = _title_terms(article.title), _names(article)
    return b"".join(
        [
            _HEADER.pack(len(hashes), len(title), len(names)),
            hashes.tobytes(),
            weights.astype(np.float16).tobytes(),
            title.tobytes(),
            names.tobytes(),
        ]
    )


def unpack(features: bytes) -> Features:
    """The arrays inside a feature blob."""
    terms, titles, names = _HEADER.unpack_from(features)
    offset = _HEADER.size
    hashes = np.frombuffer(features, dtype=np.uint32, count=terms, offset=offset)
    offset += 4 * terms
    weights = np.frombuffer(features, dtype=np.float16, count=terms, offset=offset).astype(np.float32)
    offset += 2 * terms
    title = np.frombuffer(features, dtype=np.uint32, count=titles, offset=offset)
    offset += 4 * titles
    return Features(
        (hashes, weights), title, np.frombuffer(features, dtype=np.uint32, count=names, offset=offset)
    )


def _dot(a: Vector, b: Vector) -> float:
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(a[1][ia] @ b[1][ib])


def _overlap(a: NDArray[np.uint32], b: NDArray[np.uint32]) -> float:
    """Jaccard overlap of two sorted hash sets (0 when either is empty)."""
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


def pair_score(a: Features, b: Features, gap: timedelta | None) -> float:
    """How strongly two reports look like one story; they are when it reaches PAIR_THRESHOLD."""
    days = NO_DATE_DAYS if gap is None else abs(gap.total_seconds()) / 86400
    values = {
        "cosine": _dot(a.vector, b.vector),
        "title": _overlap(a.title, b.title),
        "names": _overlap(a.names, b.names),
        "days": days,
    }
    return PAIR_INTERCEPT + sum(PAIR_WEIGHTS[name] * value for name, value in values.items())


def cosine(a: bytes, b: bytes) -> float:
    """Cosine similarity of the TF-IDF vectors of two feature blobs."""
    return _dot(unpack(a).vector, unpack(b).vector)


class StoryIndex:
    """Assigns each added article to a story: the best-matching earlier report's story, or a new one."""

    def __init__(self, window_hours: float = 72.0, *, max_candidates: int = 200) -> None:
        self.window = timedelta(hours=window_hours)
        self.max_candidates = max_candidates
        self._features: dict[str, Features] = {}
        self._story: dict[str, str] = {}
        self._published: dict[str, datetime | None] = {}
        self._postings: defaultdict[int, dict[str, None]] = defaultdict(dict)
        self._by_time: list[tuple[datetime, str]] = []
        self._newest: datetime | None = None

    def __len__(self) -> int:
        return len(self._features)

    def add(self, article_id: str, features: bytes, published: datetime | None) -> str:
        """File one article and return its story id (an earlier article's story, or `article_id`)."""
        if article_id in self._story:
            return self._story[article_id]
        unpacked = unpack(features)
        story = self._best_story(unpacked, published) or article_id
        self._remember(article_id, story, unpacked, published)
        return story

    def load(self, rows: Iterable[tuple[str, str, bytes, datetime | None]]) -> None:
        """Rebuild the index from stored (article_id, story_id, features, published) rows."""
        for article_id, story_id, features, published in rows:
            self._remember(article_id, story_id, unpack(features), published)

    def story_of(self, article_id: str) -> str | None:
        return self._story.get(article_id)

    def _best_story(self, features: Features, published: datetime | None) -> str | None:
        best, best_score = None, PAIR_THRESHOLD
        for candidate in self._candidates(features.vector):
            when = self._published[candidate]
            gap = None if when is None or published is None else published - when
            if gap is not None and abs(gap) > self.window:
                continue
            score = pair_score(features, self._features[candidate], gap)
            if score >= best_score:
                best, best_score = self._story[candidate], score
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
        for term in _posted(features.vector):
            self._postings[term][article_id] = None
        if published is not None:
            heapq.heappush(self._by_time, (published, article_id))
            if self._newest is None or published > self._newest:
                self._newest = published
            self._forget_old(self._newest - 2 * self.window)

    def _forget_old(self, horizon: datetime) -> None:
        """Drop articles published before the horizon: nothing new can match them any more."""
        while self._by_time and self._by_time[0][0] < horizon:
            _, old = heapq.heappop(self._by_time)
            features = self._features.pop(old, None)
            if features is None:
                continue
            self._published.pop(old, None)
            for term in _posted(features.vector):
                posting = self._postings.get(term)
                if posting is not None:
                    posting.pop(old, None)
                    if not posting:
                        del self._postings[term]


def _posted(vector: Vector) -> list[int]:
    hashes, weights = vector
    top = np.argsort(-weights, kind="stable")[:POSTED_TERMS]
    return [int(h) for h in hashes[top]]


def build_df_table(articles: Iterable[Article], path: Path = DF_PATH) -> int:
    """Count hashed document frequencies over articles and save them (numbers only); returns the count."""
    df: Counter[int] = Counter()
    documents = 0
    for article in articles:
        df.update(_term_counts(article).keys())
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


__all__ = ["Features", "StoryIndex", "build_df_table", "cosine", "pair_score", "story_features", "unpack"]
