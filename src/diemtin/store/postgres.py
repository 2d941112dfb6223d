"""The PostgreSQL store: the tables and behaviour of store/sqlite.py, for several writers and large corpora.

Tables: ``articles`` (narrow indexed columns), ``article_data`` (the Article as JSON, MinHash signature,
story features), ``copies``, ``revisions``, ``views``, ``bands`` (MinHash LSH bands), ``search`` (a
tsvector of the text folded by ``textnorm.fold``, 'simple' configuration: title weighted A, the rest B; and
its search keys, GIN-indexed: its words, its adjacent word pairs and its category and outlet) and
``headings`` (the words of title and lead written with marks).
Unique keys (canonical URL, folded-text key, copy, revision) with ON CONFLICT keep several writer processes
from storing one page twice; an add that meets another writer's row (a unique key, a deadlock between two
open batches) is tried again. Each thread gets its own autocommit connection; ``add`` is one transaction, or
a savepoint of the open batch. The schema is created on first open and its version kept in ``diemtin_schema``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import psycopg

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
    heading_marks,
    listed_outlet,
    listed_values,
    marks,
    page_order,
    query_alternatives,
    search_candidates,
    typed_with_marks,
)
from diemtin.store.sqlbase import FROM_ARTICLES, SQLStore, WriterConflict, read_again_if_lost
from diemtin.textnorm import fold

SCHEMA_VERSION = 5
SCHEMA_LOCK = 7_301_945  # advisory lock key: one process creates the schema at a time
CANDIDATES = 1000  # a search ranks (and counts) at most this many matches, the most recently stored
ADJACENT_BOOST = 2.0  # score factor for a match with the loose query words side by side
TITLE_BOOST = 2.0  # score factor for a match with every query word in its title
MAX_BOOST = ADJACENT_BOOST * TITLE_BOOST
RANK_WEIGHTS = "{0, 0, 0.25, 1}"  # ts_rank weights of D, C, B (lead, body, tags), A (title): title 4 to 1
ATTEMPTS = 3  # an add that meets another writer (a conflict on a unique key, a deadlock) is tried again
RECENCY_DAYS = 30.0  # a match this many days older than the newest article counts half as much
# The planner does not know that testing a search row's keys reads them from out of line (~40 µs a row): left
# to itself it walks the primary key newest first and tests every row (45-65 ms for the 1,001 newest of
# "viet nam" on 100,000 articles), or reads the whole table (2 s), where the keys index gives every match at
# once and they are sorted (12-19 ms). So the statement that finds the matches has no other way in (inside a
# writer's open batch the settings last until the batch commits: plans, never results, change).
BY_KEYS_INDEX = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    canonical_key TEXT NOT NULL UNIQUE,
    url TEXT,
    content_hash TEXT NOT NULL,
    text_key TEXT UNIQUE,
    published TEXT,
    sort_time DOUBLE PRECISION NOT NULL,
    category TEXT,
    outlet TEXT,
    story_id TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    ingested_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    views INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_time ON articles(sort_time);
CREATE INDEX IF NOT EXISTS articles_category ON articles(category, sort_time);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet, sort_time);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id, sort_time);
CREATE INDEX IF NOT EXISTS articles_updated ON articles(updated_at);
CREATE TABLE IF NOT EXISTS article_data (
    n BIGINT PRIMARY KEY REFERENCES articles(n),
    data TEXT NOT NULL,
    signature BYTEA,
    story_features BYTEA
);
CREATE TABLE IF NOT EXISTS copies (
    article_id TEXT NOT NULL,
    copy_key TEXT NOT NULL,
    input TEXT NOT NULL,
    url TEXT NOT NULL,
    outlet TEXT NOT NULL,
    kind TEXT NOT NULL,
    similarity DOUBLE PRECISION NOT NULL,
    added_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (article_id, input, url)
);
CREATE INDEX IF NOT EXISTS copies_key ON copies(copy_key);
CREATE TABLE IF NOT EXISTS revisions (
    article_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL,
    version_time DOUBLE PRECISION,
    stored_at DOUBLE PRECISION NOT NULL,
    data TEXT,
    PRIMARY KEY (article_id, content_hash)
);
CREATE TABLE IF NOT EXISTS view_hours (
    hour BIGINT NOT NULL,
    article_id TEXT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (hour, article_id)
);
CREATE TABLE IF NOT EXISTS bands (band BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (band, n));
-- The search keys of a document: its words and its pairs of adjacent words ('tai nan'), so that a phrase of
-- two words is one key; the filters are keys too ('=category the-thao', no word starts with '='), and so are
-- the words of title and lead written with marks ('~bão').
CREATE OR REPLACE FUNCTION search_keys(doc TSVECTOR) RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $$
    WITH at AS (SELECT lexeme, unnest(positions) AS p FROM unnest(doc))
    SELECT array(SELECT lexeme FROM unnest(doc)
                 UNION SELECT a.lexeme || ' ' || b.lexeme FROM at a JOIN at b ON b.p = a.p + 1)
$$;
CREATE OR REPLACE FUNCTION search_filter_keys(category TEXT, outlet TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_remove(ARRAY['=category ' || category, '=outlet ' || outlet], NULL)
$$;
CREATE TABLE IF NOT EXISTS search (
    n BIGINT PRIMARY KEY REFERENCES articles(n),
    sort_time DOUBLE PRECISION NOT NULL,
    doc TSVECTOR NOT NULL,
    keys TEXT[] NOT NULL
) WITH (toast_tuple_target = 128);  -- doc and keys stored apart: narrow rows, quick to visit
CREATE INDEX IF NOT EXISTS search_keys ON search USING gin(keys);
-- The words of an article's title and lead written with marks (``common.heading_marks``), for the accent
-- boost of a search typed with marks; kept apart from the document, whose length ts_rank counts.
CREATE TABLE IF NOT EXISTS headings (n BIGINT PRIMARY KEY REFERENCES articles(n), marks TEXT[] NOT NULL);
CREATE TABLE IF NOT EXISTS diemtin_schema (version INTEGER NOT NULL);
INSERT INTO diemtin_schema (version) SELECT {SCHEMA_VERSION} WHERE NOT EXISTS (SELECT 1 FROM diemtin_schema);
"""

# Schema 1 had no search keys but the category and outlet in ``search`` (with a btree index each) and a GIN
# index on ``doc``: its search rows are moved over (``doc`` kept, keys computed from it), then it is dropped.
UPGRADE_FROM_1 = """
ALTER TABLE search RENAME TO search_1;
ALTER INDEX search_pkey RENAME TO search_1_pkey;
DROP INDEX search_category, search_outlet, search_doc;
"""
MOVE_FROM_1 = """
INSERT INTO search (n, sort_time, doc, keys)
SELECT n, sort_time, doc, search_keys(doc) || search_filter_keys(category, outlet) FROM search_1;
DROP TABLE search_1;
UPDATE diemtin_schema SET version = 2;
"""

# Schema 2 kept one ``views`` row per view; schema 3 counts them per article and hour (``view_hours``).
MOVE_VIEWS = """
INSERT INTO view_hours (hour, article_id, hits)
SELECT floor(at / 3600)::bigint, article_id, count(*) FROM views GROUP BY 1, 2;
DROP TABLE views;
UPDATE diemtin_schema SET version = 3;
"""

# Schema 3 listed an article without an outlet under none, and its documents had no words written with
# marks: ``_add_marks`` lists it under the outlet it credits (``common.listed_outlet``) and adds the marked
# words to every document; then the keys are computed again.
KEYS = "search_keys(doc) || search_filter_keys(category, outlet)"  # a search row's keys, from articles
MARKS_ADDED = f"""
UPDATE search s SET keys = {KEYS} FROM articles a WHERE a.n = s.n;
UPDATE diemtin_schema SET version = 4
"""

# Schema 4 read the title and lead of the best matches from the stored JSON for the accent boost: schema 5
# keeps their words written with marks in ``headings`` (``_add_headings``).
HEADINGS_ADDED = "UPDATE diemtin_schema SET version = 5"
HEADING = (
    "INSERT INTO headings (n, marks) VALUES (%s, %s) ON CONFLICT (n) DO UPDATE SET marks = excluded.marks"
)

# A search document: the folded title (weight A), the folded lead, body and tags (B), and the words written
# with marks ('~bão', weight C, no position: ranked at 0, never part of a phrase; ``search_keys`` keys them).
DOCUMENT = (
    "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"
    " || setweight(array_to_tsvector(%s::text[]), 'C')"
)


def _value(db: psycopg.Connection[Any], sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row of a query (None for no row)."""
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None


def ts_query(alternatives: list[Alternative]) -> tuple[str, list[str], str | None, list[str]] | None:
    """What a reader typed (``common.query_alternatives``) as SQL tsquery expressions with their parameters:
    (every phrase and word of an alternative must match, its params, the loose words of an alternative side
    by side or None where none has two, its params); None for no words. PostgreSQL parses the folded words
    itself (``phraseto_tsquery``), so nothing needs escaping."""
    if not alternatives:
        return None
    phrase = "phraseto_tsquery('simple', %s)"
    match = any_of([" && ".join([phrase] * len(alternative.parts)) for alternative in alternatives], "||")
    side_by_side = [" ".join(alternative.loose) for alternative in alternatives if len(alternative.loose) > 1]
    adjacent = any_of([phrase] * len(side_by_side), "||") if side_by_side else None
    return match, [part for alternative in alternatives for part in alternative.parts], adjacent, side_by_side


def _query_keys(db: psycopg.Connection[Any], parts: list[str]) -> tuple[list[str], bool]:
    """The search keys a row must hold to match every part (phrase or word) of a query, and whether holding
    them may not be enough: a part of three words or more, whose pairs a row can hold apart."""
    rows = db.execute(
        "SELECT search_keys(v), (SELECT coalesce(max(p), 0) FROM unnest(v), unnest(positions) AS p)"
        " FROM (SELECT to_tsvector('simple', part) AS v FROM unnest(%s::text[]) AS part) parts",
        (parts,),
    ).fetchall()
    keys = sorted({key for part_keys, _ in rows for key in part_keys})
    return keys, any(words > 2 for _, words in rows)


def mark_lexemes(article: Article) -> list[str]:
    """The document lexemes of an article's words written with marks: 'Bão vào' -> ['~bão', '~vào']."""
    return ["~" + word for word in marks(article)]


def _typed(alternatives: list[Alternative]) -> str:
    """A tsquery (as text, for a ``::tsquery`` cast: one lexeme per quoted word) that a document matches when
    it holds the words of an alternative and those typed with marks as typed, as marked lexemes (a match of an
    alternative typed without marks counts; the words are runs of word characters: nothing to escape)."""
    groups = [
        " & ".join(
            [f"'{word}'" for word in alternative.words]
            + [f"'~{word}'" for word in sorted(alternative.marked)]
        )
        for alternative in alternatives
    ]
    return any_of(groups, "|")


def _in_title(alternatives: list[Alternative]) -> str:
    """The text of a tsquery (for ``to_tsquery('simple', ...)``) that a document holding every part (phrase or
    word) of an alternative in its title matches: each part's words side by side at weight A, as the title's
    words are (they are runs of word characters: nothing to escape)."""
    return any_of(
        [" & ".join(f"'{part}':A" for part in alternative.parts) for alternative in alternatives], "|"
    )


def _add_marks(db: psycopg.Connection[Any]) -> None:
    """Schema 3 -> 4: the words written with marks added to every search document, and an article without
    an outlet listed under the one it credits (computed here, in Python, from the stored articles)."""
    with db.cursor(name="stored_articles") as reader, db.cursor() as writer:  # read in batches, not at once
        reader.execute("SELECT n, data FROM article_data")
        for n, data in reader:
            article = Article.from_dict(json.loads(data))
            writer.execute(
                "UPDATE search SET doc = doc || setweight(array_to_tsvector(%s::text[]), 'C') WHERE n = %s",
                (mark_lexemes(article), n),
            )
            writer.execute(
                "UPDATE articles SET outlet = %s WHERE n = %s AND outlet IS NULL", (listed_outlet(article), n)
            )


def _add_headings(db: psycopg.Connection[Any]) -> None:
    """Schema 4 -> 5: the ``headings`` row of every stored article."""
    with db.cursor(name="stored_headings") as reader, db.cursor() as writer:  # read in batches, not at once
        reader.execute("SELECT n, data::json->>'title', data::json->>'lead' FROM article_data")
        while rows := reader.fetchmany(2000):
            writer.executemany(HEADING, [(n, sorted(heading_marks(title, lead))) for n, title, lead in rows])


class PostgresStore(SQLStore[psycopg.Connection[Any]]):
    """The Store protocol over one PostgreSQL database (see store/base.py for what each method means)."""

    BEGIN = "BEGIN"
    PARAM = "%s"

    def __init__(self, url: str, *, story_window_hours: float | None = None) -> None:
        super().__init__(story_window_hours=story_window_hours)
        self.url = url
        db = self._db()
        present = _value(db, "SELECT to_regclass('diemtin_schema') IS NOT NULL")
        version = _value(db, "SELECT max(version) FROM diemtin_schema") if present else None
        if version is not None and version > SCHEMA_VERSION:
            raise ValueError(f"{url}: schema {version} is newer than this diemtin ({SCHEMA_VERSION})")
        if version != SCHEMA_VERSION:
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                # another process may have created or upgraded it meanwhile: look again under the lock
                current = _value(db, "SELECT max(version) FROM diemtin_schema") if present else None
                if current == 1:
                    db.execute(UPGRADE_FROM_1)
                db.execute(SCHEMA)  # idempotent
                if current == 1:
                    db.execute(MOVE_FROM_1)
                if current in (1, 2):
                    db.execute(MOVE_VIEWS)
                if current in (1, 2, 3):
                    _add_marks(db)
                    db.execute(MARKS_ADDED)
                if current in (1, 2, 3, 4):
                    _add_headings(db)
                    db.execute(HEADINGS_ADDED)

    # -- connections -----------------------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True)

    def _lost(self, db: psycopg.Connection[Any]) -> bool:
        """psycopg closes a connection the server dropped (restarted, terminated it, went away)."""
        return db.closed

    # -- writing ---------------------------------------------------------------------------------------------

    def add(self, article: Article) -> UpsertResult:
        article.id = article.id or article.compute_id()
        keys = dedup.dedup_keys(article)
        attempt = 1
        while True:
            try:
                with self._transaction() as db:
                    return self._add(db, article, keys)
            except WriterConflict:  # another writer committed the same page or text meanwhile: now we see it
                if attempt == ATTEMPTS:
                    raise
            except psycopg.errors.DeadlockDetected:  # two writers' open batches waited for each other
                if attempt == ATTEMPTS:
                    raise
                self._let_other_writers_go()
            attempt += 1

    def _index(self, db: psycopg.Connection[Any], n: int, article: Article, keys: dedup.DedupKeys) -> None:
        """The search row (folded title; folded lead, body and tags; search keys), the words of title and lead
        written with marks, and the LSH bands."""
        text = "\n".join([keys.folded, fold(" ".join(article.tags))])
        db.execute(
            f"INSERT INTO search (n, sort_time, doc, keys) SELECT n, sort_time, doc, {KEYS}"
            f" FROM articles, (SELECT {DOCUMENT} AS doc) d WHERE n = %s"
            " ON CONFLICT (n) DO UPDATE SET sort_time = excluded.sort_time, doc = excluded.doc,"
            " keys = excluded.keys",
            (fold(article.title), text, mark_lexemes(article), n),
        )
        db.execute(HEADING, (n, sorted(heading_marks(article.title, article.lead))))
        db.execute("DELETE FROM bands WHERE n = %s", (n,))
        db.execute(
            "INSERT INTO bands (band, n) SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING",
            (keys.bands, n),
        )

    def _revise(
        self,
        db: psycopg.Connection[Any],
        row: Sequence[Any],
        article: Article,
        keys: dedup.DedupKeys,
        seen_at: float | None,
        *,
        keep_shown: bool,
    ) -> UpsertResult:
        n, article_id, stored_hash, story_id, revision, data, _ = row
        now = time.time()
        # the version's row is its claim: a version seen before (by any writer) changes nothing
        claimed = db.execute(
            "INSERT INTO revisions (article_id, content_hash, revision, version_time, stored_at, data)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                article_id,
                keys.content_hash,
                revision + 1,
                seen_at,
                now,
                dumps(article) if keep_shown else None,
            ),
        ).rowcount
        if not claimed:
            return UpsertResult(article_id, "unchanged", story_id)
        if keep_shown:
            db.execute("UPDATE articles SET revision = revision + 1 WHERE n = %s", (n,))
            return UpsertResult(article_id, "revised", story_id)
        db.execute(
            "UPDATE revisions SET data = %s WHERE article_id = %s AND content_hash = %s",
            (data, article_id, stored_hash),
        )
        db.execute(
            "UPDATE article_data SET data = %s, signature = %s, story_features = %s WHERE n = %s",
            (dumps(article), keys.signature, story_features(article), n),
        )
        url, content_hash, text_key, *rest = listed_values(article, keys, now)
        # the new text keeps its exact-copy key (unique) unless another article already holds that text
        db.execute(
            "UPDATE articles SET url = %s, content_hash = %s,"
            " text_key = (SELECT CASE WHEN count(*) = 0 THEN %s END"
            " FROM articles WHERE text_key = %s AND n <> %s),"
            " published = %s, sort_time = %s, category = %s, outlet = %s, revision = revision + 1,"
            " updated_at = %s WHERE n = %s",
            (url, content_hash, text_key, text_key, n, *rest, now, n),
        )
        self._index(db, n, article, keys)
        return UpsertResult(article_id, "revised", story_id)

    def _band_mates(self, db: psycopg.Connection[Any], keys: dedup.DedupKeys) -> list[tuple[Any, ...]]:
        return db.execute(
            f"SELECT a.id, d.signature, a.published FROM {FROM_ARTICLES} WHERE a.n IN"
            " (SELECT n FROM bands WHERE band = ANY(%s))",
            (keys.bands,),
        ).fetchall()

    def _save_story_ids(self, db: psycopg.Connection[Any], moved: dict[str, str]) -> None:
        db.execute(
            "UPDATE articles a SET story_id = m.story, updated_at = %s"
            " FROM unnest(%s::text[], %s::text[]) AS m(id, story) WHERE a.id = m.id",
            (time.time(), list(moved), list(moved.values())),
        )

    # -- reading ---------------------------------------------------------------------------------------------

    def _copies(self, ids: list[str]) -> Iterable[Sequence[Any]]:
        return self._db().execute(
            "SELECT article_id, input, url, outlet FROM copies WHERE article_id = ANY(%s)"
            " ORDER BY article_id, added_at",
            (ids,),
        )

    @read_again_if_lost
    def get(self, article_id: str) -> StoredArticle | None:
        found = self._articles("WHERE a.id = %s", (article_id,))
        if found:
            return found[0]
        copy = _value(
            self._db(), "SELECT article_id FROM copies WHERE copy_key = %s LIMIT 1", (f"id:{article_id}",)
        )
        return self.get(copy) if copy else None

    @staticmethod
    def _filters(
        category: str | None,
        outlet: str | None,
        since: datetime | None = None,
        until: datetime | None = None,
        table: str = "a",
    ) -> tuple[str, list[Any]]:
        """A WHERE clause (empty for no filter) over ``articles a`` (or ``search s``) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if category:
            clauses.append(f"{table}.category = %s")
            params.append(category)
        if outlet:
            clauses.append(f"{table}.outlet = %s")
            params.append(outlet)
        if since:
            clauses.append(f"{table}.sort_time >= %s")
            params.append(epoch(since))
        if until:
            clauses.append(f"{table}.sort_time <= %s")
            params.append(epoch(until))
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    @read_again_if_lost
    def latest(
        self, *, category: str | None = None, outlet: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[StoredArticle]:
        where, params = self._filters(category, outlet)
        return self._articles(
            f"{where} ORDER BY a.sort_time DESC LIMIT %s OFFSET %s", [*params, limit, offset]
        )

    @read_again_if_lost
    def count(self, *, category: str | None = None, outlet: str | None = None) -> int:
        where, params = self._filters(category, outlet)
        return int(_value(self._db(), f"SELECT count(*) FROM articles a {where}", params))

    @read_again_if_lost
    def story(self, story_id: str) -> list[StoredArticle]:
        return self._articles("WHERE a.story_id = %s ORDER BY a.sort_time", (story_id,))

    @read_again_if_lost
    def search(self, query: SearchQuery) -> SearchResult:
        """Full-text search over folded text, ranked by ts_rank weighted by recency, narrowed by the filters.

        As in store/sqlite.py: only the CANDIDATES most recently stored matches (pages end with them) are
        ranked and counted (``total_exact`` False beyond); the loose words side by side, and every word in
        the title, each double a match's score.
        """
        where, params = self._filters(query.category, query.outlet, query.since, query.until)
        alternatives = query_alternatives(query.text)
        parsed = ts_query(alternatives)
        left_out = [" ".join(words) for words in excluded_words(query.text)]
        db = self._db()
        if parsed is None and left_out:  # only words to leave out: nothing is asked for
            return SearchResult(0, [])
        if parsed is None:
            counted = _value(db, f"SELECT count(*) FROM articles a {where}", params)
            page = self._articles(
                f"{where} ORDER BY a.sort_time DESC LIMIT %s OFFSET %s", [*params, query.limit, query.offset]
            )
            return SearchResult(int(counted), page)
        match, match_params, adjacent, adjacent_params = parsed
        keys_found = [_query_keys(db, alternative.parts) for alternative in alternatives]
        keys = [alternative_keys for alternative_keys, _ in keys_found]  # a match holds one alternative's
        unsure = any(alternative_unsure for _, alternative_unsure in keys_found)
        if not all(keys):
            return SearchResult(0, [])
        depth = CANDIDATES  # pages go as deep as the ranked matches, no further
        # Reading a document (a few kB, stored apart) is what costs: the matches are the rows holding every
        # key of the query and of its filters, which the GIN index alone answers; only a phrase of three
        # words or more is checked on the documents, newest first until enough are found. A date range
        # bounds the rows to those stored in it (rows are stored roughly in time order). Then only the
        # candidates' documents are read to rank them.
        where, dates = self._filters(None, None, query.since, query.until, "s")
        where = where + " AND" if where else "WHERE"
        holds_keys = "s.keys @> (%s::text[] || search_filter_keys(%s, %s))"
        bounded, bounds = "", []
        if query.since or query.until:
            dated, dated_params = self._filters(None, None, query.since, query.until)
            # OFFSET 0 keeps the planner from reading the whole primary key in n order for min() and max()
            rows = f"SELECT a.n FROM articles a {dated} OFFSET 0"
            found_bounds = db.execute(f"SELECT min(n), max(n) FROM ({rows}) d", dated_params).fetchone()
            if found_bounds is None or found_bounds[0] is None:
                return SearchResult(0, [])
            bounded, bounds = " AND s.n + 0 BETWEEN %s AND %s", list(found_bounds)  # + 0: see newest()
        # the documents are read to check a long phrase, and that they hold none of the words left out
        checks, check_params = ([f"doc @@ ({match})"], list(match_params)) if unsure else ([], [])
        if left_out:
            checks.append(
                "NOT doc @@ (" + " || ".join(["phraseto_tsquery('simple', %s)"] * len(left_out)) + ")"
            )
            check_params += left_out
        check = " AND ".join(checks) or "true"

        # as in store/sqlite.py: the matches written as typed are looked for apart when the newest are others
        typed_words = typed_with_marks(alternatives)

        ranks: dict[int, float] = {}
        written: set[int] = set()  # every marked word as typed
        together: set[int] = set()  # the loose words side by side
        in_title: set[int] = set()  # every word in the title
        headed: set[int] = set()  # every marked word as typed in the title and lead
        holds, typed_params = ("doc @@ %s::tsquery", [_typed(alternatives)]) if typed_words else ("false", [])
        side_by_side = f"doc @@ {adjacent}" if adjacent else "false"
        headed_marks = [sorted(alternative.marked) for alternative in alternatives if alternative.marked]
        heading = " OR ".join(["h.marks @> %s::text[]"] * len(headed_marks)) or "false"
        ranked = (
            f"ts_rank('{RANK_WEIGHTS}', doc, {match}, 1), {holds}, {side_by_side},"
            f" doc @@ to_tsquery('simple', %s), {heading}"
        )
        ranked_params = [
            *match_params,
            *typed_params,
            *adjacent_params,
            _in_title(alternatives),
            *headed_marks,
        ]

        def newest(required: list[list[str]], count: int = depth + 1, before: int | None = None) -> list[Any]:
            """The ``count`` newest matches holding one of the ``required`` sets of keys (stored before row
            ``before``) as (row, sort_time), ranked on the way (``ranks``) with their boosts (the sets above):
            their documents are read once. The matches are found by the keys index alone (``BY_KEYS_INDEX``;
            the row numbers are bounded as ``n + 0``, which no index answers, so that the primary key is no
            way in)."""
            older = "" if before is None else f" AND s.n + 0 < {int(before)}"
            any_keys = " OR ".join([holds_keys] * len(required))
            keys_params = [value for keys in required for value in (keys, query.category, query.outlet)]
            with db.transaction():
                db.execute(BY_KEYS_INDEX)
                found = db.execute(
                    f"SELECT m.n, m.sort_time, {ranked} FROM (SELECT n, sort_time, doc FROM"
                    f" (SELECT s.n, s.sort_time, s.doc FROM search s {where} ({any_keys}){bounded}{older}"
                    f" ORDER BY s.n DESC OFFSET 0) matches WHERE {check} ORDER BY n DESC LIMIT %s) m"
                    " LEFT JOIN headings h ON h.n = m.n",
                    [*ranked_params, *dates, *keys_params, *bounds, *check_params, count],
                ).fetchall()
            for n, _, rank_value, *flags in found:
                ranks[n] = rank_value
                for holds_it, holding in zip(flags, (written, together, in_title, headed), strict=True):
                    if holds_it:
                        holding.add(n)
            return sorted(((n, sort_time) for n, sort_time, *_ in found), reverse=True)

        # the keys of the matches written as typed: an alternative's, with its marked words' ("~bão")
        typed_keys = [
            alternative_keys + ["~" + word for word in sorted(alternative.marked)]
            for alternative_keys, alternative in zip(keys, alternatives, strict=True)
        ]
        matches, as_typed, exact = search_candidates(
            newest(keys),
            (lambda rows: written.intersection(rows)) if typed_words else None,
            lambda before, count: newest(typed_keys, count, before),
            depth,
        )
        candidates = dict(matches)
        if not candidates:
            return SearchResult(0, [])
        newest_time = max(candidates.values())
        scale = RECENCY_DAYS * 86400.0
        base = {n: ranks[n] * scale / (scale + newest_time - t) for n, t in candidates.items()}

        def boosted(rows: list[int], typed: bool) -> dict[int, float]:
            """The loose words side by side, and every word in the title, each double a score."""
            return {
                n: base[n]
                * (ADJACENT_BOOST if n in together else 1.0)
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
            headed=lambda rows: headed.intersection(rows),
            by_time=candidates if query.newest_first else None,
        )
        shown = {hit[0]: hit for hit in self._rows("WHERE a.n = ANY(%s)", (order,))}
        hits = self._stored([shown[n] for n in order])
        return SearchResult(len(candidates), hits, total_exact=exact)
