"""The default store: one SQLite file in WAL mode, an FTS5 index over folded text, persisted dedup keys.

Tables: ``articles`` (one narrow row of indexed columns per article), ``article_data`` (the full Article as
JSON, its MinHash signature and story features), ``copies`` (pages that collapsed into an article),
``revisions`` (every version seen at one URL), ``views``, ``bands`` (MinHash LSH bands for near duplicates)
and ``fts`` (title and text folded by ``textnorm.fold``, so a query with or without accents matches, plus
category/outlet facet tokens). Every ``add`` is atomic (its own transaction, or a savepoint of a batch): a
run killed at any moment keeps what it committed and the next run resumes. Each thread gets its own
connection, so a web server may read while an ingest writes.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from diemtin.article import Article
from diemtin.group import dedup
from diemtin.group.stories import story_features
from diemtin.store.base import SearchQuery, SearchResult, StoredArticle, UpsertResult
from diemtin.store.common import (
    Alternative,
    any_of,
    dumps,
    epoch,
    excluded_words,
    headed_as_typed,
    heading_marks,
    listed_outlet,
    listed_values,
    marks,
    page_order,
    query_alternatives,
    search_candidates,
    typed_with_marks,
)
from diemtin.store.sqlbase import ARTICLE_COLUMNS, FROM_ARTICLES, SQLStore
from diemtin.textnorm import fold

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
CANDIDATES = 1000  # a search ranks (and counts) at most this many matches, the most recently stored
ADJACENT_BOOST = 2.0  # score factor for a match with the loose query words side by side
TITLE_BOOST = 2.0  # score factor for a match with every query word in its title
MAX_BOOST = ADJACENT_BOOST * TITLE_BOOST
TITLE_WEIGHT = 4.0  # bm25 weight of the title column against the text column
RECENCY_DAYS = 30.0  # a match this many days older than the newest article counts half as much

ARTICLES_TABLE = """
CREATE TABLE IF NOT EXISTS articles (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    canonical_key TEXT NOT NULL UNIQUE,
    url TEXT,
    content_hash TEXT NOT NULL,
    text_key TEXT,
    published TEXT,
    sort_time REAL NOT NULL,
    category TEXT,
    outlet TEXT,
    story_id TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    ingested_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    views INTEGER NOT NULL DEFAULT 0
);
"""
# The search index: folded title and text, the category/outlet facet tokens, and the article's words written
# with marks (``common.marks``), each spelled with its marks as digits (the tokenizer would fold them).
FTS_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, text, facets, marks, tokenize = 'unicode61')"
)
# Narrow ``articles`` rows (many to a page) keep filters, joins and sorts fast; the bulky parts live apart.
SCHEMA = (
    ARTICLES_TABLE
    + """
CREATE INDEX IF NOT EXISTS articles_time ON articles(sort_time);
CREATE INDEX IF NOT EXISTS articles_category ON articles(category, sort_time);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet, sort_time);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id, sort_time);
CREATE INDEX IF NOT EXISTS articles_text_key ON articles(text_key);
CREATE INDEX IF NOT EXISTS articles_updated ON articles(updated_at);
CREATE TABLE IF NOT EXISTS article_data (
    n INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    signature BLOB,
    story_features BLOB
);
CREATE TABLE IF NOT EXISTS copies (
    article_id TEXT NOT NULL,
    copy_key TEXT NOT NULL,
    input TEXT NOT NULL,
    url TEXT NOT NULL,
    outlet TEXT NOT NULL,
    kind TEXT NOT NULL,
    similarity REAL NOT NULL,
    added_at REAL NOT NULL,
    PRIMARY KEY (article_id, input, url)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copies_key ON copies(copy_key);
CREATE TABLE IF NOT EXISTS revisions (
    article_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL,
    version_time REAL,
    stored_at REAL NOT NULL,
    data TEXT,
    PRIMARY KEY (article_id, content_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS view_hours (
    hour INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (hour, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (band, n))
    WITHOUT ROWID;
"""
    + FTS_TABLE
)
# Schema 1 kept the JSON, signature and story features in ``articles`` and had no facets column.
MIGRATE_FROM_1 = """
ALTER TABLE articles RENAME TO articles_1;
DROP INDEX IF EXISTS articles_time;
DROP INDEX IF EXISTS articles_category;
DROP INDEX IF EXISTS articles_outlet;
DROP INDEX IF EXISTS articles_story;
DROP INDEX IF EXISTS articles_text_key;
DROP INDEX IF EXISTS articles_updated;
ALTER TABLE fts RENAME TO fts_1;
"""
MIGRATE_FROM_1_COPY = """
INSERT INTO article_data (n, data, signature, story_features)
    SELECT n, data, signature, story_features FROM articles_1;
INSERT INTO articles SELECT n, id, canonical_key, url, content_hash, text_key, published, sort_time, category,
    outlet, story_id, revision, ingested_at, updated_at, views FROM articles_1;
INSERT INTO fts (rowid, title, text, facets)
    SELECT f.rowid, f.title, f.text, facets(a.category, a.outlet)
    FROM fts_1 f JOIN articles a ON a.n = f.rowid;
DROP TABLE articles_1;
DROP TABLE fts_1;
"""

# Schema 2 kept one ``views`` row per view; schema 3 counts them per article and hour (``view_hours``).
MIGRATE_VIEWS = """
INSERT INTO view_hours (hour, article_id, hits)
    SELECT CAST(at / 3600 AS INTEGER), article_id, count(*) FROM views GROUP BY 1, 2;
DROP TABLE views;
"""

# Schema 3 listed an article without an outlet under none, and had no marks column in ``fts``: an article
# is now listed under the outlet it credits (``common.listed_outlet``), and the index is built again.
MIGRATE_TO_4 = f"""
UPDATE articles SET outlet = (SELECT listed_outlet(data) FROM article_data d WHERE d.n = articles.n)
    WHERE outlet IS NULL;
ALTER TABLE fts RENAME TO fts_3;
{FTS_TABLE};
INSERT INTO fts (rowid, title, text, facets, marks)
    SELECT f.rowid, f.title, f.text, facets(a.category, a.outlet), marks(d.data)
    FROM fts_3 f JOIN articles a ON a.n = f.rowid JOIN article_data d ON d.n = f.rowid;
DROP TABLE fts_3;
"""

_WORD = re.compile(r"\w+")


def fts_query(text: str) -> tuple[str | None, str | None, str]:
    """What a reader typed as (an FTS5 match, a phrase of its loose words, what to leave out), folded and
    escaped.

    Quoted phrases must appear as phrases, every other word must appear; with OR, those of one alternative
    do. The phrase of the loose words (None for fewer than two; with OR, any alternative's) marks the
    matches that have them side by side, which rank higher. The last is " NOT (...)" for the words and
    phrases excluded with a minus sign ("-lũ"), to append to a match ("" for none).
    """
    alternatives = query_alternatives(text)
    match = _any_of([" AND ".join(map(_quoted, alternative.parts)) for alternative in alternatives])
    adjacent = _any_of([_quoted(" ".join(a.loose)) for a in alternatives if len(a.loose) > 1])
    left_out = [_quoted(" ".join(words)) for words in excluded_words(text)]
    return match, adjacent, f" NOT ({' OR '.join(left_out)})" if left_out else ""


def _quoted(words: str) -> str:
    """Folded words as an FTS5 phrase (they are runs of word characters: nothing to escape)."""
    return f'"{words}"'


def _any_of(expressions: list[str]) -> str | None:
    """FTS5 expressions joined by OR (``common.any_of``); None for none."""
    return any_of(expressions, "OR") if expressions else None


def _as_typed(alternatives: list[Alternative]) -> str | None:
    """An FTS5 expression for the matches holding as typed every word typed with marks of an alternative
    they match (a match of an alternative typed without marks counts); None when no word has marks."""
    if not typed_with_marks(alternatives):
        return None
    groups = []
    for alternative in alternatives:
        words = " AND ".join(map(_quoted, alternative.words))
        marked = " AND ".join(_mark_token(word) for word in sorted(alternative.marked))
        groups.append(f"{words} AND marks : ({marked})" if marked else words)
    return _any_of(groups)


class SQLiteStore(SQLStore[sqlite3.Connection]):
    """The Store protocol over one SQLite file (see store/base.py for what each method means)."""

    BEGIN = "BEGIN IMMEDIATE"
    PARAM = "?"

    def __init__(self, path: str | Path, *, story_window_hours: float | None = None) -> None:
        super().__init__(story_window_hours=story_window_hours)
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._db()
        db.execute("PRAGMA journal_mode = WAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            db.executescript(f"BEGIN IMMEDIATE; {SCHEMA}; PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        elif version < SCHEMA_VERSION:
            self._upgrade(db)

    def _upgrade(self, db: sqlite3.Connection) -> None:
        """Schema 1 -> 2: bulky columns moved to article_data, the search index rebuilt with facets; 2 -> 3:
        the views counted per hour; 3 -> 4: credited outlets listed, the search index rebuilt with marks.
        One transaction; a process that finds it done leaves it."""
        log.warning("upgrading %s to schema %d", self.path, SCHEMA_VERSION)
        db.create_function("facets", 2, _facets, deterministic=True)
        db.create_function("marks", 1, _stored_marks, deterministic=True)
        db.create_function("listed_outlet", 1, _stored_outlet, deterministic=True)
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        scripts = {
            1: [MIGRATE_FROM_1, SCHEMA, MIGRATE_FROM_1_COPY, MIGRATE_VIEWS, MIGRATE_TO_4],
            2: [SCHEMA, MIGRATE_VIEWS, MIGRATE_TO_4],
            3: [MIGRATE_TO_4],
        }
        try:
            for script in scripts.get(version, []):
                for statement in script.split(";"):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- connections -----------------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=60.0)
        db.execute("PRAGMA synchronous = NORMAL")
        # 16 MiB of page cache per connection and no memory map: on 100k articles a larger cache or a
        # 2 GiB map saves under 10% of a search's CPU and adds hundreds of MB to the resident set
        db.execute("PRAGMA cache_size = -16384")
        db.execute("PRAGMA temp_store = MEMORY")
        return db

    # -- writing ---------------------------------------------------------------------------------------------

    def _index(self, db: sqlite3.Connection, n: int | None, article: Article, keys: dedup.DedupKeys) -> None:
        self._index_text(db, n, article, keys.folded)
        db.executemany("INSERT OR IGNORE INTO bands (band, n) VALUES (?, ?)", [(b, n) for b in keys.bands])

    def _index_text(self, db: sqlite3.Connection, n: int | None, article: Article, folded: str) -> None:
        """The search row: folded title, folded lead + body + tags, the category/outlet facet tokens and the
        marked words of title and lead."""
        text = "\n".join([folded, fold(" ".join(article.tags))])
        db.execute(
            "INSERT INTO fts (rowid, title, text, facets, marks) VALUES (?, ?, ?, ?, ?)",
            (
                n,
                fold(article.title),
                text,
                _facets(article.category, listed_outlet(article)),
                _marks(article),
            ),
        )

    def _unindex(self, db: sqlite3.Connection, n: int, signature: bytes | None) -> None:
        db.execute("DELETE FROM fts WHERE rowid = ?", (n,))
        if signature:
            bands = dedup.band_keys(np.frombuffer(signature, dtype="<u4"))
            db.executemany("DELETE FROM bands WHERE band = ? AND n = ?", [(band, n) for band in bands])

    def _revise(
        self,
        db: sqlite3.Connection,
        row: Sequence[Any],
        article: Article,
        keys: dedup.DedupKeys,
        seen_at: float | None,
        *,
        keep_shown: bool,
    ) -> UpsertResult:
        n, article_id, stored_hash, story_id, revision, data, signature = row
        seen = db.execute(
            "SELECT 1 FROM revisions WHERE article_id = ? AND content_hash = ?",
            (article_id, keys.content_hash),
        ).fetchone()
        if seen:
            return UpsertResult(article_id, "unchanged", story_id)
        now = time.time()
        revision += 1
        if keep_shown:
            db.execute(
                "INSERT INTO revisions (article_id, content_hash, revision, version_time, stored_at, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (article_id, keys.content_hash, revision, seen_at, now, dumps(article)),
            )
            db.execute("UPDATE articles SET revision = ? WHERE n = ?", (revision, n))
            return UpsertResult(article_id, "revised", story_id)
        db.execute(
            "UPDATE revisions SET data = ? WHERE article_id = ? AND content_hash = ?",
            (data, article_id, stored_hash),
        )
        db.execute(
            "INSERT INTO revisions (article_id, content_hash, revision, version_time, stored_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (article_id, keys.content_hash, revision, seen_at, now),
        )
        self._unindex(db, n, signature)
        features = story_features(article)
        db.execute(
            "UPDATE article_data SET data = ?, signature = ?, story_features = ? WHERE n = ?",
            (dumps(article), keys.signature, features, n),
        )
        db.execute(
            "UPDATE articles SET url = ?, content_hash = ?, text_key = ?, published = ?, sort_time = ?,"
            " category = ?, outlet = ?, revision = ?, updated_at = ? WHERE n = ?",
            (
                *listed_values(article, keys, now),
                revision,
                now,
                n,
            ),
        )
        self._index(db, n, article, keys)
        return UpsertResult(article_id, "revised", story_id)

    def _band_mates(self, db: sqlite3.Connection, keys: dedup.DedupKeys) -> list[tuple[Any, ...]]:
        marks = ",".join("?" * len(keys.bands))
        return db.execute(
            f"SELECT a.id, d.signature, a.published FROM {FROM_ARTICLES} WHERE a.n IN"
            f" (SELECT DISTINCT n FROM bands WHERE band IN ({marks}))",
            keys.bands,
        ).fetchall()

    def _save_story_ids(self, db: sqlite3.Connection, moved: dict[str, str]) -> None:
        now = time.time()
        db.executemany(
            "UPDATE articles SET story_id = ?, updated_at = ? WHERE id = ?",
            [(story, now, id_) for id_, story in moved.items()],
        )

    # -- reading ---------------------------------------------------------------------------------------------

    def _copies(self, ids: list[str]) -> Iterable[Sequence[Any]]:
        marks = ",".join("?" * len(ids))
        return self._db().execute(
            f"SELECT article_id, input, url, outlet FROM copies WHERE article_id IN ({marks})"
            " ORDER BY article_id, added_at",
            ids,
        )

    def get(self, article_id: str) -> StoredArticle | None:
        rows = (
            self._db()
            .execute(f"SELECT {ARTICLE_COLUMNS} FROM {FROM_ARTICLES} WHERE a.id = ?", (article_id,))
            .fetchall()
        )
        if not rows:
            copy = (
                self._db()
                .execute("SELECT article_id FROM copies WHERE copy_key = ? LIMIT 1", (f"id:{article_id}",))
                .fetchone()
            )
            return self.get(copy[0]) if copy else None
        return self._stored(rows)[0]

    def _filters(
        self,
        category: str | None,
        outlet: str | None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if category:
            clauses.append("a.category = ?")
            params.append(category)
        if outlet:
            clauses.append("a.outlet = ?")
            params.append(outlet)
        if since:
            clauses.append("a.sort_time >= ?")
            params.append(epoch(since))
        if until:
            clauses.append("a.sort_time <= ?")
            params.append(epoch(until))
        return " AND ".join(clauses), params

    def latest(
        self, *, category: str | None = None, outlet: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[StoredArticle]:
        where, params = self._filters(category, outlet)
        rows = (
            self._db()
            .execute(
                f"SELECT {ARTICLE_COLUMNS} FROM {FROM_ARTICLES} {'WHERE ' + where if where else ''}"
                " ORDER BY a.sort_time DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            .fetchall()
        )
        return self._stored(rows)

    def count(self, *, category: str | None = None, outlet: str | None = None) -> int:
        where, params = self._filters(category, outlet)
        sql = f"SELECT count(*) FROM articles a {'WHERE ' + where if where else ''}"
        return int(self._db().execute(sql, params).fetchone()[0])

    def story(self, story_id: str) -> list[StoredArticle]:
        rows = (
            self._db()
            .execute(
                f"SELECT {ARTICLE_COLUMNS} FROM {FROM_ARTICLES} WHERE a.story_id = ? ORDER BY a.sort_time",
                (story_id,),
            )
            .fetchall()
        )
        return self._stored(rows)

    def search(self, query: SearchQuery) -> SearchResult:
        """Full-text search over folded text, ranked by bm25 weighted by recency, narrowed by the filters.

        Category and outlet filters are facet terms of the full-text query, so filtering stays inside the
        index. Only the CANDIDATES most recently stored matches (pages end with them) are read and ranked:
        a broad query ranks what is recent instead of scoring the whole archive, and counts its matches only
        that far (``total_exact`` is then False). The matches holding the words typed with marks as typed
        rank first, and are looked for further back when other words fill the newest matches
        (``common.search_candidates``). Loose words found side by side, and all of them in the title, rank
        higher.
        """
        match, adjacent, left_out = fts_query(query.text)
        db = self._db()
        if match is None and left_out:  # only words to leave out: nothing is asked for
            return SearchResult(0, [])
        if match is None:
            where, params = self._filters(query.category, query.outlet, query.since, query.until)
            counted = db.execute(
                f"SELECT count(*) FROM articles a {'WHERE ' + where if where else ''}", params
            )
            rows = db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM {FROM_ARTICLES} {'WHERE ' + where if where else ''}"
                " ORDER BY a.sort_time DESC LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset],
            ).fetchall()
            return SearchResult(int(counted.fetchone()[0]), self._stored(rows))
        tokens = [f'"{token}"' for token in (_facet("c", query.category), _facet("o", query.outlet)) if token]
        facets = f" AND facets : ({' AND '.join(tokens)})" if tokens else ""
        alternatives = query_alternatives(query.text)
        typed_words = typed_with_marks(alternatives)
        # the matches written as typed, by words alone: no phrase needs its positions read ("": none typed)
        written = _as_typed(alternatives) or ""
        where, params = self._filters(None, None, query.since, query.until)
        # CROSS JOIN keeps the full-text index as the outer loop, read newest row first and stopped by LIMIT
        source = "FROM fts CROSS JOIN articles a ON a.n = fts.rowid WHERE fts MATCH ?"
        bounds: list[Any] = []
        if where:
            # the rows stored in the date range bound the index scan (rows are stored roughly in time order)
            window = f"SELECT min(a.n), max(a.n) FROM articles a WHERE {where}"
            lowest, highest = db.execute(window, params).fetchone()
            if lowest is None:
                return SearchResult(0, [])
            source += f" AND fts.rowid BETWEEN ? AND ? AND {where}"
            bounds = [lowest, highest, *params]
        depth = CANDIDATES  # pages go as deep as the ranked matches, no further

        def newest(expression: str, count: int = depth + 1, before: int | None = None) -> list[Any]:
            """The ``count`` newest matches of ``expression`` (stored before row ``before``) as (row, bm25,
            sort_time)."""
            older = "" if before is None else f" AND fts.rowid < {int(before)}"
            return db.execute(
                f"SELECT fts.rowid, bm25(fts, {TITLE_WEIGHT}, 1.0, 0.0, 0.0), a.sort_time {source}{older}"
                " ORDER BY fts.rowid DESC LIMIT ?",
                [expression, *bounds, count],
            ).fetchall()

        def among(rows: list[int], expression: str) -> set[int]:
            """Which of ``rows`` match ``expression`` (the index is read over their range only)."""
            hits = db.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?",
                (expression, min(rows), max(rows)),
            )
            return {n for (n,) in hits}.intersection(rows)

        matches, as_typed, exact = search_candidates(
            newest(match + facets + left_out),
            (lambda rows: among(rows, written + facets)) if written else None,
            lambda before, count: newest(f"{match} AND {written}" + facets + left_out, count, before),
            depth,
        )
        candidates = {n: (bm25, sort_time) for n, bm25, sort_time in matches}
        if not candidates:
            return SearchResult(0, [])
        newest_time = max(sort_time for _, sort_time in candidates.values())
        scale = RECENCY_DAYS * 86400.0
        base = {n: -bm25 * scale / (scale + newest_time - t) for n, (bm25, t) in candidates.items()}

        def headed(rows: list[int]) -> set[int]:
            """Which of these rows hold every word typed with marks in their title and lead."""
            read = db.execute(
                "SELECT n, json_extract(data, '$.title'), json_extract(data, '$.lead') FROM article_data"
                f" WHERE n IN ({','.join('?' * len(rows))})",
                rows,
            )
            return {n for n, title, lead in read if headed_as_typed(alternatives, heading_marks(title, lead))}

        def boosted(rows: list[int], typed: bool) -> dict[int, float]:
            """Vietnamese words are several syllables and common syllables weigh almost nothing in bm25:
            the query's words side by side, and all of them in the title, raise a score."""
            # keeps the index reads short for old rows
            within = facets + (f" AND {written}" if typed and written else "")
            side_by_side = among(rows, f"{{title text}} : {adjacent}" + within) if adjacent else set()
            in_title = among(rows, f"title : ({match})" + within)
            return {
                n: base[n]
                * (ADJACENT_BOOST if n in side_by_side else 1.0)
                * (TITLE_BOOST if n in in_title else 1.0)
                for n in rows
            }

        order = page_order(
            base,
            as_typed,
            boosted,
            query.offset,
            query.limit,
            MAX_BOOST,
            marked=typed_words,
            headed=headed,
            by_time={n: t for n, (_, t) in candidates.items()} if query.newest_first else None,
        )
        placeholders = ",".join("?" * len(order))
        shown = db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM {FROM_ARTICLES} WHERE a.n IN ({placeholders})", order
        )
        by_n = {row[0]: row for row in shown}
        return SearchResult(len(candidates), self._stored([by_n[n] for n in order]), total_exact=exact)


def _facet(prefix: str, value: str | None) -> str | None:
    """A search token for a category or outlet value: 'the-thao' -> 'cthethao', 'Báo Mẫu' -> 'obaomau'."""
    return prefix + "".join(_WORD.findall(fold(value))).replace("_", "") if value else None


# The tone marks (grave, acute, tilde, hook, dot below), the vowel marks (circumflex, breve, horn) and đ
_MARK_DIGITS = dict(zip("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b", "12345678", strict=True)) | {
    "đ": "d9"
}


def _marks(article: Article) -> str:
    """The marks column of a search row: 'Bão vào' -> 'ba3o va1o'."""
    return " ".join(_mark_token(word) for word in marks(article))


def _stored_marks(data: str) -> str:
    """The marks column of a search row from the stored JSON of its article."""
    return _marks(Article.from_dict(json.loads(data)))


def _stored_outlet(data: str) -> str | None:
    """The outlet column of an article from its stored JSON."""
    return listed_outlet(Article.from_dict(json.loads(data)))


@lru_cache(maxsize=1 << 16)
def _mark_token(word: str) -> str:
    """A word written with marks as a search token that the tokenizer keeps apart from its folded form: each
    Vietnamese mark becomes a digit after its letter ('bão' -> 'ba3o', 'đường' -> 'd9u8o8ng1')."""
    return "".join(_MARK_DIGITS.get(char, char) for char in unicodedata.normalize("NFD", word))


def _facets(category: str | None, outlet: str | None) -> str:
    """The facets column of a search row: the category and outlet tokens."""
    return " ".join(token for token in (_facet("c", category), _facet("o", outlet)) if token)
