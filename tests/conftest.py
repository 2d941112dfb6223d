"""Shared test fixtures: where ../shared (the evaluation corpus beside the repository) lives, and a throwaway
PostgreSQL server for the session (the store and the crawl frontier tests use it).

The server is the Debian package's (``make system`` installs it): initdb into a temporary directory, listening
on a Unix socket only, run as the ``postgres`` user when the tests run as root (initdb refuses root). No
PostgreSQL installed is an error, never a skip: CI must run these tests.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder; tests that need it fail loudly if it is missing (CI always has it)."""
    assert SHARED.is_dir(), f"../shared not found at {SHARED}"
    return SHARED


PORT = 5432  # only names the socket file inside the server's private directory


@dataclass(slots=True)
class PostgresServer:
    socket_dir: Path
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}&port={PORT}"

    def create_database(self) -> str:
        """A new empty database, as its URL."""
        name = f"diemtin_test_{next(self._numbers)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    assert binaries, "PostgreSQL is not installed: run `make system` (apt-get install postgresql)"
    bin_dir = binaries[-1]
    home = Path(tempfile.mkdtemp(prefix="diemtin-pg-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    data = home / "data"
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run(_as_server_user([*initdb, "--locale=C.UTF-8"]), check=True, capture_output=True)
    options = f"-k {home} -p {PORT} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w"]
    subprocess.run(_as_server_user([*pg_ctl, "-o", options, "start"]), check=True, capture_output=True)
    try:
        yield PostgresServer(home)
    finally:
        subprocess.run(_as_server_user([*pg_ctl, "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
