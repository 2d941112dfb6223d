"""What both SQL backends share: one connection per thread, atomic units grouped into few commits by
``batch()``, the order of the duplicate tests of an add, the insert of a new article and of a copy, stored
rows read back as StoredArticles, and the in-memory story index: a cache of the stored story features,
loaded a day at a time, kept in step with the story ids the database holds (also other writers')."""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from diemtin.article import Article
from diemtin.group import dedup
from diemtin.group.stories import REGROUP_EVERY, StoryIndex, story_features
from diemtin.store.base import Copy, DatabaseLost, StoredArticle, StoreStats, UpsertResult
from diemtin.store.common import dumps, epoch, first_line, listed_outlet, listed_values, version_time

log = logging.getLogger(__name__)

BATCH_UNITS = 50  # inside batch(): commit after this many writes ...
BATCH_SECONDS = 0.5  # ... or this long, whichever comes first
# New articles are regrouped (stories.REGROUP_EVERY) once that many wait, or when REGROUP_SECONDS passed
# since the last regroup, and always at the end of a batch and at close.
REGROUP_SECONDS = 10.0
READ_PAGE = 500  # iter_all reads this many articles at a time
DAY_SECONDS = 86400  # the story index loads stored articles by UTC day of their sort time
# Before a regroup, the articles other writers stored since the last one join the story index; it looks this
# many seconds further back, for their transactions that were still open at the last look.
SYNC_OVERLAP = 10.0
# The tables every backend has, as the story index reads them.
FROM_ARTICLES = "articles a JOIN article_data d ON d.n = a.n"
ARTICLE_COLUMNS = "a.n, a.id, a.story_id, a.revision, a.ingested_at, a.views, d.data"  # what _stored reads
IMPORTED = "imported"  # the kind of a copy read from an export, whose kind and similarity are not kept


class WriterConflict(Exception):
    """Another writer stored the same page (or the same text) between our look-up and our insert."""


class Connection(Protocol):
    """The part of a DB-API connection (sqlite3, psycopg) this module uses."""

    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...

    def cursor(self) -> Any: ...

    def close(self) -> None: ...


C = TypeVar("C", bound=Connection)
S = TypeVar("S", bound="SQLStore[Any]")
P = ParamSpec("P")
R = TypeVar("R")


def read_again_if_lost(read: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a read once more, on a new connection, when it failed because its connection was lost (a
    restarted database server): a read changes nothing, so a web request finds the server back instead of
    failing once for every thread's old connection. Inside a batch with uncommitted writes, which went
    with the connection, and when the second try fails too: DatabaseLost."""

    @functools.wraps(read)
    def again(store: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return read(store, *args, **kwargs)
        except DatabaseLost:
            raise
        except Exception as error:
            if not store._connection_lost():
                raise
            if store._writes_pending():
                raise DatabaseLost(first_line(error)) from error
            log.info("database connection lost, reading again: %s", first_line(error))
        try:
            return read(store, *args, **kwargs)
        except DatabaseLost:
            raise
        except Exception as error:
            if store._connection_lost():
                raise DatabaseLost(first_line(error)) from error
            raise

    return again


class SQLStore(Generic[C]):
    """Connections, transactions, batches and the story index; a backend adds its SQL."""

    BEGIN = "BEGIN"  # the statement that opens a write transaction
    PARAM = "?"  # the driver's parameter mark

    def __init__(self, *, story_window_hours: float | None) -> None:
        self._local = threading.local()
        self._connections: list[C] = []
        self._lock = threading.Lock()
        self._stories: StoryIndex | None = None
        self._connected = False  # whether a connection was ever made (a failure after that is DatabaseLost)
        self._regroup_after = 0.0  # monotonic time from which a new article triggers a regroup
        self._synced_at = 0.0  # wall-clock time of the story index's last look at other writers' articles
        self._story_window_hours = story_window_hours

    def _connect(self) -> C:
        """A new connection for the calling thread."""
        raise NotImplementedError

    def _band_mates(self, db: C, keys: dedup.DedupKeys) -> list[tuple[Any, ...]]:
        """(id, signature, published) of the stored articles sharing an LSH band with these keys."""
        raise NotImplementedError

    def _save_story_ids(self, db: C, moved: dict[str, str]) -> None:
        """Store {article_id: story_id} for the articles a regroup moved."""
        raise NotImplementedError

    # -- connections and transactions ------------------------------------------------------------------------

    def _lost(self, db: C) -> bool:
        """Whether the connection is gone for good (a backend whose connections can break says so)."""
        return False

    def _connection_lost(self) -> bool:
        """Whether the calling thread's connection is gone (the next ``_db()`` opens a new one)."""
        db: C | None = getattr(self._local, "db", None)
        return db is not None and self._lost(db)

    def _writes_pending(self) -> bool:
        """Whether the calling thread's batch holds writes not committed yet."""
        return bool(getattr(self._local, "batching", False) and self._local.batch_started is not None)

    def _db(self) -> C:
        """The calling thread's connection: a new one at first use, and after the old one was lost (a
        restarted database server is found again; until it is, DatabaseLost)."""
        db: C | None = getattr(self._local, "db", None)
        if db is not None and self._lost(db):  # what it had not committed is gone with it
            with self._lock:
                self._connections.remove(db)
            self._local.db = self._local.batch_started = self._stories = db = None
        if db is None:
            try:
                db = self._connect()
            except Exception as error:
                if self._connected:  # the database answered before: it went away (a restart, a stop)
                    raise DatabaseLost(first_line(error)) from error
                raise
            self._local.db, self._connected = db, True
            with self._lock:
                self._connections.append(db)
        return db

    def _control(self, db: C, statement: str) -> None:
        """Run a transaction-control statement; when it fails because the connection is gone, raise
        DatabaseLost (from the first error, the one that says why), so that a run stops instead of failing
        every later write the same way."""
        try:
            db.execute(statement)
        except Exception as error:
            if self._lost(db):
                raise DatabaseLost(first_line(error)) from error
            raise

    @contextmanager
    def _transaction(self) -> Iterator[C]:
        """One atomic unit of work: its own transaction, or a savepoint inside the thread's open batch."""
        db = self._db()
        if not getattr(self._local, "batching", False):
            self._control(db, self.BEGIN)
            try:
                yield db
            except BaseException as error:
                self._undo(db, "ROLLBACK", error)
                raise
            self._control(db, "COMMIT")
            return
        if self._local.batch_started is None:  # the batch's transaction opens with its first write
            self._control(db, self.BEGIN)
            self._local.batch_started, self._local.batch_units = time.monotonic(), 0
        self._control(db, "SAVEPOINT unit")
        try:
            yield db
        except BaseException as error:
            self._undo(db, "ROLLBACK TO unit", error)
            self._control(db, "RELEASE unit")
            raise
        self._control(db, "RELEASE unit")
        self._local.batch_units += 1
        elapsed = time.monotonic() - self._local.batch_started
        if self._local.batch_units >= BATCH_UNITS or elapsed >= BATCH_SECONDS:
            self._control(db, "COMMIT")
            self._local.batch_started = None

    def _undo(self, db: C, statement: str, error: BaseException) -> None:
        """Roll a failed unit back; when the connection is gone, raise DatabaseLost from ``error``."""
        if self._lost(db):
            raise DatabaseLost(first_line(error)) from error
        self._control(db, statement)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group this thread's writes into few commits (BATCH_UNITS adds or BATCH_SECONDS each).

        Each add stays atomic; a crash loses at most the adds since the last commit, which a re-run redoes.
        The write lock is taken at the first write after a commit, so an idle batch blocks no other writer.
        When the batch ends, the stories of its new articles are regrouped.
        """
        if getattr(self._local, "batching", False):
            yield
            return
        self._local.batching, self._local.batch_started = True, None
        try:
            yield
        finally:
            try:
                if self._stories is not None and self._stories.pending:
                    with self._transaction() as db:  # a unit of the batch: a failure keeps the batch's adds
                        self._regroup_stories(db, due=True)
            except Exception as error:  # the articles keep the stories they were given when added
                log.warning("stories not regrouped at the end of a batch: %s", error)
                self._stories = None
            finally:
                self._local.batching = False
                if self._local.batch_started is not None:
                    self._local.batch_started = None
                    self._control(self._db(), "COMMIT")

    def _let_other_writers_go(self) -> None:
        """After a unit was rolled back for a deadlock: commit this thread's open batch, which may hold rows
        the other writer waits for, and drop the in-memory story index, which may hold what was rolled back
        (it is read again from the database)."""
        if getattr(self._local, "batching", False) and self._local.batch_started is not None:
            self._db().execute("COMMIT")
            self._local.batch_started = None
        self._stories = None

    def close(self) -> None:
        """Regroup what waits, then close every thread's connection (also when the database is lost)."""
        try:
            if self._stories is not None and self._stories.pending:
                with self._transaction() as db:
                    self._regroup_stories(db, due=True)
        finally:
            with self._lock:
                for db in self._connections:
                    db.close()
                self._connections.clear()
            self._local = threading.local()

    # -- writing ---------------------------------------------------------------------------------------------

    def _near_duplicate(self, db: C, article: Article, keys: dedup.DedupKeys) -> tuple[str, float] | None:
        """The stored article this one is a syndicated copy of, with the estimated similarity, if any."""
        if not keys.signature:
            return None
        best: tuple[str, float] | None = None
        for article_id, signature, published in self._band_mates(db, keys):
            score = dedup.similarity(keys.signature, signature)
            when = _stored_time(published)
            if (
                score >= dedup.NEAR_THRESHOLD
                and dedup.within_window(article.published, when)
                and (best is None or score > best[1])
            ):
                best = (article_id, score)
        return best

    def add(self, article: Article) -> UpsertResult:
        article.id = article.id or article.compute_id()
        keys = dedup.dedup_keys(article)
        with self._transaction() as db:
            return self._add(db, article, keys)

    def _add(self, db: C, article: Article, keys: dedup.DedupKeys) -> UpsertResult:
        """The same page (a known canonical URL or dump id), a page known as a copy, the same text, a near
        copy, or a new article: the first that applies."""
        mark = self.PARAM
        row = db.execute(
            "SELECT a.n, a.id, a.content_hash, a.story_id, a.revision, d.data, d.signature"
            f" FROM {FROM_ARTICLES} WHERE a.canonical_key = {mark}",
            (keys.canonical_key,),
        ).fetchone()
        if row:
            return self._same_page(db, row, article, keys)
        known = db.execute(
            f"SELECT article_id FROM copies WHERE copy_key = {mark} LIMIT 1", (keys.canonical_key,)
        ).fetchone()
        if known and article.url:  # a page recorded as a copy, fetched again
            return UpsertResult(known[0], "unchanged", self._story_id(db, known[0]))
        if known:
            return self._copy(db, known[0], article, keys, "same-page", 1.0)
        if keys.text_key:
            same_text = db.execute(
                f"SELECT id FROM articles WHERE text_key = {mark} LIMIT 1", (keys.text_key,)
            ).fetchone()
            if same_text:
                return self._copy(db, same_text[0], article, keys, "exact", 1.0)
        near = self._near_duplicate(db, article, keys)
        if near:
            return self._copy(db, near[0], article, keys, "near", near[1])
        return self._insert(db, article, keys)

    def _same_page(self, db: C, row: Sequence[Any], article: Article, keys: dedup.DedupKeys) -> UpsertResult:
        """The canonical URL (or URL-less id) is known: unchanged, another copy, or a new revision."""
        _, article_id, stored_hash, story_id, _, data, _ = row
        if stored_hash == keys.content_hash:
            # a URL fetched again unchanged is the same page; a URL-less dump read from another file is a copy
            stored_input = json.loads(data)["provenance"]["input"]
            if article.url or (article.provenance.input or "") == (stored_input or ""):
                return UpsertResult(article_id, "unchanged", story_id)
            return self._copy(db, article_id, article, keys, "same-page", 1.0)
        article.id = article_id
        current = Article.from_dict(json.loads(data))
        incoming_time, current_time = version_time(article), version_time(current)
        older = incoming_time is not None and current_time is not None and incoming_time < current_time
        emptier = not article.body and bool(current.body)
        return self._revise(db, row, article, keys, incoming_time, keep_shown=older or emptier)

    def _revise(
        self,
        db: C,
        row: Sequence[Any],
        article: Article,
        keys: dedup.DedupKeys,
        seen_at: float | None,
        *,
        keep_shown: bool,
    ) -> UpsertResult:
        """Store a new version of a known page (unless seen before): shown, or only kept among the
        revisions when ``keep_shown`` (it is older than, or emptier than, the shown one)."""
        raise NotImplementedError

    def _insert(self, db: C, article: Article, keys: dedup.DedupKeys) -> UpsertResult:
        """Store a new article, its search row, bands and first revision, and give it a story."""
        now, mark = time.time(), self.PARAM
        # inserted under its own id as story first: only a row that is really ours joins the story index
        inserted = db.execute(
            "INSERT INTO articles (id, canonical_key, url, content_hash, text_key, published, sort_time,"
            " category, outlet, story_id, revision, ingested_at, updated_at)"
            f" VALUES ({', '.join([mark] * 10)}, 1, {mark}, {mark}) ON CONFLICT DO NOTHING RETURNING n",
            (article.id, keys.canonical_key, *listed_values(article, keys, now), article.id, now, now),
        ).fetchone()
        if inserted is None:
            raise WriterConflict(article.id)
        n = inserted[0]
        features = story_features(article)
        index = self._story_index(db)
        self._cover(db, index, article.published)
        story_id = index.add(article.id, features, article.published)
        db.execute(f"UPDATE articles SET story_id = {mark} WHERE n = {mark}", (story_id, n))
        db.execute(
            "INSERT INTO article_data (n, data, signature, story_features)"
            f" VALUES ({mark}, {mark}, {mark}, {mark})",
            (n, dumps(article), keys.signature, features),
        )
        self._index(db, n, article, keys)
        db.execute(
            "INSERT INTO revisions (article_id, content_hash, revision, version_time, stored_at)"
            f" VALUES ({mark}, {mark}, 1, {mark}, {mark})",
            (article.id, keys.content_hash, version_time(article), now),
        )
        self._regroup_stories(db)
        return UpsertResult(article.id, "new", self._story_index(db).story_of(article.id) or story_id)

    def _index(self, db: C, n: int, article: Article, keys: dedup.DedupKeys) -> None:
        """The article's search row and LSH bands (replacing any it had)."""
        raise NotImplementedError

    def _copy(
        self, db: C, article_id: str, article: Article, keys: dedup.DedupKeys, kind: str, similarity: float
    ) -> UpsertResult:
        """Record the page as one more copy of a stored article ('unchanged' when it was recorded before)."""
        # an aggregator dump credits its outlet as source
        copy = Copy(article.provenance.input, article.url, listed_outlet(article))
        added = self._insert_copy(db, article_id, keys.canonical_key, copy, kind, similarity)
        return UpsertResult(article_id, "duplicate" if added else "unchanged", self._story_id(db, article_id))

    def _insert_copy(
        self, db: C, article_id: str, copy_key: str, copy: Copy, kind: str, similarity: float
    ) -> bool:
        """Insert one copies row (True), or nothing when this input and URL are recorded for the article."""
        now = time.time()
        mark = self.PARAM
        added = db.execute(
            "INSERT INTO copies (article_id, copy_key, input, url, outlet, kind, similarity, added_at)"
            f" VALUES ({', '.join([mark] * 8)}) ON CONFLICT DO NOTHING",
            (
                article_id,
                copy_key,
                copy.input or "",
                copy.url or "",
                copy.outlet or "",
                kind,
                similarity,
                now,
            ),
        ).rowcount
        if added:
            db.execute(f"UPDATE articles SET updated_at = {mark} WHERE id = {mark}", (now, article_id))
        return bool(added)

    def add_copies(self, article_id: str, copies: Sequence[Copy]) -> int:
        """Record pages that collapsed into a stored article elsewhere (an imported export's ``copies``);
        how many were new. A copy is recognised again by its canonical URL, else by its input."""
        with self._transaction() as db:
            return sum(
                self._insert_copy(db, article_id, _copy_key(copy), copy, IMPORTED, 1.0) for copy in copies
            )

    # -- views: an all-time count per article, and counts per article and hour for the recent lists ----------

    def record_view(self, article_id: str, at: datetime | None = None) -> None:
        self.record_views([(article_id, at or datetime.now(UTC))])

    def record_views(self, views: Sequence[tuple[str, datetime]]) -> None:
        """Count many reader views at once (unknown ids ignored): one transaction."""
        if not views:
            return
        totals = Counter(article_id for article_id, _ in views)
        hourly = Counter((_hour(at), article_id) for article_id, at in views)
        mark = self.PARAM
        with self._transaction() as db:
            cursor = db.cursor()
            cursor.executemany(
                f"UPDATE articles SET views = views + {mark} WHERE id = {mark}",
                [(hits, article_id) for article_id, hits in totals.items()],
            )
            cursor.executemany(
                f"INSERT INTO view_hours (hour, article_id, hits) SELECT {mark}, {mark}, {mark}"
                f" WHERE EXISTS (SELECT 1 FROM articles WHERE id = {mark})"
                " ON CONFLICT (hour, article_id) DO UPDATE SET hits = view_hours.hits + excluded.hits",
                [(hour, article_id, hits, article_id) for (hour, article_id), hits in hourly.items()],
            )

    @read_again_if_lost
    def most_read(self, *, since: datetime, limit: int = 10) -> list[StoredArticle]:
        """The most viewed articles from the hour holding ``since`` on."""
        mark = self.PARAM
        db = self._db()
        counted = db.execute(
            f"SELECT article_id, sum(hits) AS total FROM view_hours WHERE hour >= {mark}"
            f" GROUP BY article_id ORDER BY total DESC, article_id LIMIT {mark}",
            (_hour(since), limit),
        ).fetchall()
        order = {article_id: rank for rank, (article_id, _) in enumerate(counted)}
        rows = self._by_ids(db, f"SELECT {ARTICLE_COLUMNS} FROM {FROM_ARTICLES} WHERE a.id", list(order))
        return self._stored(sorted(rows, key=lambda row: order[row[1]]))

    def forget_views(self, before: datetime) -> int:
        """Drop the hourly counts of the hours before the one holding ``before``; how many were dropped."""
        with self._transaction() as db:
            return int(
                db.execute(f"DELETE FROM view_hours WHERE hour < {self.PARAM}", (_hour(before),)).rowcount
            )

    def _story_id(self, db: C, article_id: str) -> str:
        row = db.execute(f"SELECT story_id FROM articles WHERE id = {self.PARAM}", (article_id,)).fetchone()
        return str(row[0])

    # -- reading ---------------------------------------------------------------------------------------------

    def _copies(self, ids: list[str]) -> Iterable[Sequence[Any]]:
        """(article_id, input, url, outlet) of the copies of these articles, oldest first per article."""
        raise NotImplementedError

    def _stored(self, rows: Sequence[Sequence[Any]]) -> list[StoredArticle]:
        """StoredArticles (with their copies) from rows of ARTICLE_COLUMNS, in the order given."""
        if not rows:
            return []
        ids = [row[1] for row in rows]
        copies: dict[str, list[Copy]] = {article_id: [] for article_id in ids}
        for article_id, input_, url, outlet in self._copies(ids):
            copies[article_id].append(Copy(input_ or None, url or None, outlet or None))
        return [
            StoredArticle(
                article=Article.from_dict(json.loads(data)),
                story_id=story_id,
                copies=copies[article_id],
                revision=revision,
                ingested_at=datetime.fromtimestamp(ingested_at, UTC),
                views=views,
            )
            for _, article_id, story_id, revision, ingested_at, views, data in rows
        ]

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of ``SELECT ARTICLE_COLUMNS FROM FROM_ARTICLES`` followed by ``sql``."""
        rows: list[tuple[Any, ...]] = (
            self._db().execute(f"SELECT {ARTICLE_COLUMNS} FROM {FROM_ARTICLES} {sql}", params).fetchall()
        )
        return rows

    def _articles(self, sql: str, params: Sequence[Any] = ()) -> list[StoredArticle]:
        return self._stored(self._rows(sql, params))

    def iter_all(self) -> Iterator[StoredArticle]:
        """Every stored article in insertion order, read READ_PAGE at a time (no long-held read transaction;
        a page whose read lost its connection is read again)."""
        last = 0
        while page := self._page_after(last):
            last, articles = page
            yield from articles

    @read_again_if_lost
    def _page_after(self, last: int) -> tuple[int, list[StoredArticle]] | None:
        """The next READ_PAGE stored articles after row ``last``, with the row number of the last of them."""
        rows = self._rows(f"WHERE a.n > {self.PARAM} ORDER BY a.n LIMIT {self.PARAM}", (last, READ_PAGE))
        return (rows[-1][0], self._stored(rows)) if rows else None

    @read_again_if_lost
    def categories(self) -> list[tuple[str, int]]:
        rows = self._db().execute(
            "SELECT category, count(*) FROM articles WHERE category IS NOT NULL GROUP BY category"
            " ORDER BY count(*) DESC, category"
        )
        return [(category, int(total)) for category, total in rows]

    @read_again_if_lost
    def outlets(self) -> list[tuple[str, int]]:
        rows = self._db().execute(
            "SELECT outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet"
            " ORDER BY count(*) DESC, outlet"
        )
        return [(outlet, int(total)) for outlet, total in rows]

    @read_again_if_lost
    def last_modified(self) -> datetime | None:
        newest = self._db().execute("SELECT max(updated_at) FROM articles").fetchone()[0]
        return datetime.fromtimestamp(newest, UTC) if newest is not None else None

    @read_again_if_lost
    def top_stories(self, *, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        mark = self.PARAM
        rows = self._db().execute(
            "SELECT story_id, count(DISTINCT outlet) AS outlets, max(sort_time) AS newest FROM articles"
            f" WHERE sort_time >= {mark} GROUP BY story_id HAVING count(DISTINCT outlet) > 1"
            f" ORDER BY outlets DESC, newest DESC, story_id LIMIT {mark}",
            (epoch(since), limit),
        )
        return [(story_id, int(outlets)) for story_id, outlets, _ in rows]

    @read_again_if_lost
    def stats(self) -> StoreStats:
        db = self._db()
        articles, stories, first, last = db.execute(
            "SELECT count(*), count(DISTINCT story_id), min(sort_time), max(sort_time) FROM articles"
        ).fetchone()
        shared = db.execute(
            "SELECT count(*) FROM (SELECT story_id FROM articles GROUP BY story_id"
            " HAVING count(DISTINCT outlet) > 1) shared"
        ).fetchone()[0]
        copies = db.execute("SELECT kind, count(*) FROM copies GROUP BY kind ORDER BY count(*) DESC, kind")
        earlier = db.execute("SELECT count(*) FROM revisions WHERE data IS NOT NULL").fetchone()[0]
        return StoreStats(
            articles=int(articles),
            copies={kind: int(count) for kind, count in copies},
            earlier_versions=int(earlier),
            stories=int(stories),
            shared_stories=int(shared),
            first=datetime.fromtimestamp(first, UTC) if first is not None else None,
            last=datetime.fromtimestamp(last, UTC) if last is not None else None,
        )

    @read_again_if_lost
    def revisions(self, article_id: str) -> list[Article]:
        """Earlier versions kept for an article, oldest first (the shown version is ``get``)."""
        rows = self._db().execute(
            "SELECT data FROM revisions WHERE article_id = "
            f"{self.PARAM} AND data IS NOT NULL ORDER BY revision",
            (article_id,),
        )
        return [Article.from_dict(json.loads(data)) for (data,) in rows]

    # -- stories ---------------------------------------------------------------------------------------------

    def _regroup_stories(self, db: C, *, due: bool = False) -> None:
        """When due (see REGROUP_SECONDS), re-cluster the stories the new articles touch and store their new
        ids; until then a new article keeps the story `StoryIndex.add` gave it."""
        index = self._stories
        if index is None or not index.pending:
            return
        if not due and index.pending < REGROUP_EVERY and time.monotonic() < self._regroup_after:
            return
        self._catch_up(db, index)
        moved = index.regroup(lambda ids: self._story_ids(db, ids))
        self._regroup_after = time.monotonic() + REGROUP_SECONDS
        if moved:
            self._save_story_ids(db, moved)

    def _catch_up(self, db: C, index: StoryIndex) -> None:
        """Bring the story index up to what other writers (processes sharing the database) did since the
        last catch-up: the articles they stored join it, and the ones whose story they changed move, all as
        pending, so that the coming regroup puts reports of one event into one story whichever process
        stored them, and writes ids every writer agrees on."""
        since, self._synced_at = self._synced_at - SYNC_OVERLAP, time.time()
        mark = self.PARAM
        recent = db.execute(
            f"SELECT id, story_id, published FROM articles WHERE updated_at >= {mark}", (since,)
        ).fetchall()
        for article_id, story_id, _ in recent:
            index.adopt(article_id, story_id)
        foreign = [id_ for id_, _, when in recent if index.wants(id_, _stored_time(when))]
        select = f"SELECT a.id, a.story_id, d.story_features, a.published FROM {FROM_ARTICLES} WHERE a.id"
        rows = self._by_ids(db, select, foreign)
        index.load(((row[0], row[1], row[2], _stored_time(row[3])) for row in rows), pending=True)

    def _story_ids(self, db: C, ids: list[str]) -> dict[str, str]:
        """{article_id: story_id} as stored, for these articles."""
        return dict(self._by_ids(db, "SELECT id, story_id FROM articles WHERE id", ids))

    def _by_ids(self, db: C, select: str, ids: list[str]) -> list[tuple[Any, ...]]:
        """The rows of ``select`` (ending in "WHERE <id column>") for these ids, asked 500 at a time."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join([self.PARAM] * len(chunk))
            rows += db.execute(f"{select} IN ({marks})", chunk).fetchall()
        return rows

    def regroup_stories(
        self, since: datetime | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Re-cluster the stories of every stored article (published since `since`, if given), oldest first,
        through a fresh story index, as one ingest of them all would; stores the story ids that change and
        returns how many did. After the story weights changed, or to redo a period in one pass. `progress` is
        told how many articles were read."""
        index = self._new_story_index()
        before: dict[str, str] = {}  # each article's story id as it was stored
        last: tuple[float, int] = (float("-inf") if since is None else epoch(since), 0)
        while True:
            rows = (
                self._db()
                .execute(
                    "SELECT a.sort_time, a.n, a.id, a.story_id, d.story_features, a.published"
                    f" FROM {FROM_ARTICLES} WHERE (a.sort_time, a.n) > ({self.PARAM}, {self.PARAM})"
                    f" ORDER BY a.sort_time, a.n LIMIT {REGROUP_EVERY}",
                    last,
                )
                .fetchall()
            )
            if not rows:
                break
            last = (rows[-1][0], rows[-1][1])
            before.update((row[2], row[3]) for row in rows)
            index.load(((row[2], row[3], row[4], _stored_time(row[5])) for row in rows), pending=True)
            if progress:
                progress(len(before))
            with self._transaction() as db:
                changed = index.regroup()
                if changed:
                    self._save_story_ids(db, changed)
        self._stories = None  # the live index reloads from the regrouped rows
        # an article can move in one pass and back in a later one: count where it ended
        return sum(index.story_of(article_id) != story for article_id, story in before.items())

    def _new_story_index(self) -> StoryIndex:
        hours = self._story_window_hours
        return StoryIndex() if hours is None else StoryIndex(window_hours=hours)

    def _story_index(self, db: C) -> StoryIndex:
        """The in-memory story index: a cache of the stored articles' story features, filled a day at a time
        as new articles need their neighbours (`_cover`), and forgotten by the index as ingest moves on."""
        if self._stories is None:
            self._stories, self._synced_at = self._new_story_index(), time.time()
        return self._stories

    def _cover(self, db: C, index: StoryIndex, published: datetime | None) -> None:
        """Load the stored articles of the days around ``published`` that the index does not hold yet."""
        missing = index.missing_days(published)
        for first, last in _runs(missing):
            rows = db.execute(
                "SELECT a.id, a.story_id, d.story_features, a.published"
                f" FROM {FROM_ARTICLES} WHERE a.sort_time >= {self.PARAM} AND a.sort_time < {self.PARAM}",
                (first * DAY_SECONDS, (last + 1) * DAY_SECONDS),
            )
            rows_read = ((id_, story, features, _stored_time(when)) for id_, story, features, when in rows)
            index.load(rows_read, days=range(first, last + 1))


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive days as (first, last) runs: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _hour(moment: datetime) -> int:
    """Hours since 1970: the unit views are counted in."""
    return int(epoch(moment) // 3600)


def _copy_key(copy: Copy) -> str:
    return dedup.canonical_url(copy.url) if copy.url else f"input:{copy.input or ''}"


def _stored_time(text: str | None) -> datetime | None:
    """A `published` column value (ISO 8601 text) as a datetime."""
    return datetime.fromisoformat(text) if text else None
