"""Store fixtures: a fresh store of each backend per test (the PostgreSQL one in a new database of the
session's throwaway server, ``postgres_server`` of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from diemtin.store import open_store
from diemtin.store import postgres as postgres_module
from diemtin.store import sqlite as sqlite_module
from diemtin.store.postgres import PostgresStore
from diemtin.store.sqlite import SQLiteStore


@dataclass(slots=True)
class Backend:
    """One store backend under test: where its database is (what ``open_store`` takes) and its module."""

    name: str
    target: str
    module: ModuleType

    def open(self) -> SQLiteStore | PostgresStore:
        opened = open_store(self.target)
        assert isinstance(opened, SQLiteStore | PostgresStore)
        return opened


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "news.db"), sqlite_module)
    server = request.getfixturevalue("postgres_server")
    return Backend("postgres", server.create_database(), postgres_module)


@pytest.fixture
def store(backend: Backend) -> Iterator[SQLiteStore | PostgresStore]:
    opened = backend.open()
    yield opened
    opened.close()
