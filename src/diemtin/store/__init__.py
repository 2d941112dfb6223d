"""Opening a store: ``open_store(url_or_path)`` picks the backend from a database URL or a file path."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from diemtin.config import settings
from diemtin.store.base import Store
from diemtin.store.common import first_line
from diemtin.store.sqlite import SQLiteStore


class StoreUnavailable(Exception):
    """The database cannot be opened; the message (one line) names it and says why."""


class NoDatabase(StoreUnavailable):
    """``open_store(..., create=False)`` on a SQLite file that does not exist or is empty."""


def open_store(url_or_path: str | Path | None = None, *, create: bool = True) -> Store:
    """A store for a plain file path, 'sqlite:///relative/path' or 'sqlite:////absolute/path'.

    None means DIEMTIN_DB, else diemtin.db under the data dir. A 'postgresql://' URL opens the PostgreSQL
    backend (diemtin.store.postgres). With ``create=False`` a missing or empty SQLite file raises NoDatabase
    instead of being made a database. Any failure to open (unreachable server, unwritable path, not a
    database, PostgreSQL support not installed) raises StoreUnavailable.
    """
    config = settings()
    target = str(url_or_path if url_or_path is not None else config.database or config.database_path)
    if target.startswith(("postgresql://", "postgres://")):
        return _open_postgres(target)
    path = Path(target.removeprefix("sqlite:///")).expanduser()
    if not create and not path.exists():
        raise NoDatabase(f"no database at {target}")
    if not create and path.is_file() and path.stat().st_size == 0:
        raise NoDatabase(f"no database at {target}: the file is empty")
    try:
        return SQLiteStore(path)
    except (sqlite3.Error, OSError) as error:
        raise _unavailable(target, error) from error


def _open_postgres(url: str) -> Store:
    try:
        postgres = importlib.import_module("diemtin.store.postgres")
    except ImportError as missing:
        raise StoreUnavailable(
            f"cannot open database {_shown(url)}: no PostgreSQL support ({missing}):"
            " pip install 'diemtin[postgres]'"
        ) from missing
    try:
        store: Store = postgres.PostgresStore(url)
    except (postgres.psycopg.Error, ValueError) as error:
        raise _unavailable(url, error) from error
    return store


def _unavailable(target: str, error: Exception) -> StoreUnavailable:
    """'cannot open database TARGET: REASON', the reason cut to its first line, a URL's password hidden."""
    if isinstance(error, OSError) and error.strerror:
        reason = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    else:
        reason = first_line(error)
    return StoreUnavailable(f"cannot open database {_shown(target)}: {reason}")


def _shown(target: str) -> str:
    """The target as it may be printed: a URL's password replaced by ***."""
    password = urlsplit(target).password if "://" in target else None
    return target.replace(f":{password}@", ":***@", 1) if password else target


__all__ = ["NoDatabase", "Store", "StoreUnavailable", "open_store"]
