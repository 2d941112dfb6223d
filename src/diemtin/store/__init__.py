"""Opening a store: ``open_store(url_or_path)`` picks the backend from a database URL or a file path."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from diemtin.config import settings
from diemtin.store.base import Store
from diemtin.store.sqlite import SQLiteStore


def open_store(url_or_path: str | Path | None = None) -> Store:
    """A store for a plain file path, 'sqlite:///relative/path' or 'sqlite:////absolute/path'.

    None means DIEMTIN_DB, else diemtin.db under the data dir. A 'postgresql://' URL opens the PostgreSQL
    backend (diemtin.store.postgres).
    """
    config = settings()
    target = str(url_or_path if url_or_path is not None else config.database or config.database_path)
    if target.startswith(("postgresql://", "postgres://")):
        if importlib.util.find_spec("diemtin.store.postgres") is None:
            raise ValueError("no PostgreSQL backend in this installation (diemtin.store.postgres is missing)")
        postgres = importlib.import_module("diemtin.store.postgres")
        store: Store = postgres.PostgresStore(target)
        return store
    return SQLiteStore(target.removeprefix("sqlite:///"))


__all__ = ["Store", "open_store"]
