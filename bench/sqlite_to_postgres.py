"""Copy a SQLite store into an empty PostgreSQL store, table by table (for timing reads on the same articles).

The two backends keep the same columns, so rows go over as they are (COPY); the search rows are rebuilt by the
server (document and search keys) from the folded title and text that SQLite's ``fts`` table holds. Ingesting
100,000 articles again would take over ten minutes; this takes a few.

    .venv/bin/python bench/sqlite_to_postgres.py bench/out/serve-100000.db postgresql://...
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time

import psycopg

from diemtin.article import Article
from diemtin.store.common import heading_marks
from diemtin.store.postgres import DOCUMENT, KEYS, PostgresStore, mark_lexemes

TABLES = {
    "articles": "n, id, canonical_key, url, content_hash, text_key, published, sort_time, category, outlet,"
    " story_id, revision, ingested_at, updated_at, views",
    "article_data": "n, data, signature, story_features",
    "copies": "article_id, copy_key, input, url, outlet, kind, similarity, added_at",
    "revisions": "article_id, content_hash, revision, version_time, stored_at, data",
    "view_hours": "hour, article_id, hits",
    "bands": "band, n",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sqlite_path")
    parser.add_argument("postgres_url")
    args = parser.parse_args()
    PostgresStore(args.postgres_url).close()  # creates the schema
    source = sqlite3.connect(args.sqlite_path)
    with psycopg.connect(args.postgres_url) as target:
        assert target.execute("SELECT count(*) FROM articles").fetchone() == (0,), "the target is not empty"
        for table, columns in TABLES.items():
            started = time.perf_counter()
            with target.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {columns} FROM {table}"):
                    copy.write_row(row)
            print(f"{table}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        target.execute("SELECT setval(pg_get_serial_sequence('articles', 'n'), max(n)) FROM articles")
        started = time.perf_counter()
        target.execute("CREATE TEMPORARY TABLE folded (n BIGINT, title TEXT, text TEXT, marks TEXT[])")
        headings: list[tuple[int, list[str]]] = []
        with target.cursor().copy("COPY folded (n, title, text, marks) FROM STDIN") as copy:
            rows = source.execute(
                "SELECT f.rowid, f.title, f.text, d.data FROM fts f JOIN article_data d ON d.n = f.rowid"
            )
            for n, title, text, data in rows:
                article = Article.from_dict(json.loads(data))
                copy.write_row((n, title, text, mark_lexemes(article)))
                headings.append((n, sorted(heading_marks(article.title, article.lead))))
        with target.cursor().copy("COPY headings (n, marks) FROM STDIN") as copy:
            for heading in headings:
                copy.write_row(heading)
        target.execute(
            f"INSERT INTO search (n, sort_time, doc, keys) SELECT n, sort_time, doc, {KEYS} FROM"
            f" (SELECT a.*, {DOCUMENT % ('f.title', 'f.text', 'f.marks')} AS doc"
            " FROM folded f JOIN articles a ON a.n = f.n) d"
        )
        print(f"search: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        target.commit()
        target.autocommit = True
        target.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
