"""The PostgreSQL frontier shared by workers: claims never handed out twice (threads and OS processes), host
slots booked across workers, and lost claims taken back only from workers that are gone."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from diemtin.config import Settings
from diemtin.ingest.crawler.crawl import open_frontier
from diemtin.ingest.crawler.frontier import Frontier
from diemtin.ingest.crawler.frontierbase import FrontierUnavailable
from diemtin.ingest.crawler.pgfrontier import PgFrontier

HOSTS = ("tin-a.test", "tin-b.test", "tin-c.test")
URLS = [f"https://{host}/bai-{i}-{1000 + i}.html" for host in HOSTS for i in range(150)]

CLAIMER = """
import json, sys
from diemtin.ingest.crawler.pgfrontier import PgFrontier
frontier = PgFrontier(sys.argv[1])
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()  # the go signal: both processes start claiming together
claimed = []
while hosts := frontier.ready_hosts():
    for host in hosts:
        if (entry := frontier.claim(host)) is not None:
            claimed.append(entry.url)
frontier.close()
print(json.dumps(claimed))
"""

HOLDER = """
import sys, time
from diemtin.ingest.crawler.pgfrontier import PgFrontier
frontier = PgFrontier(sys.argv[1])
print(frontier.claim("tin-a.test").url, flush=True)
print(frontier.claim("tin-a.test").url, flush=True)
time.sleep(60)  # killed here
"""


@pytest.fixture
def database(postgres_server: Any) -> str:
    url: str = postgres_server.create_database()
    return url


@pytest.fixture
def handles(database: str) -> Iterator[Callable[..., PgFrontier]]:
    """Opens worker handles on the test database (each its own connection); all closed at the end."""
    opened: list[PgFrontier] = []

    def open_one(**kw: Any) -> PgFrontier:
        opened.append(PgFrontier(database, **kw))
        return opened[-1]

    yield open_one
    for frontier in opened:
        frontier.close()


def _states(frontier: PgFrontier) -> dict[str, tuple[str, str | None]]:
    rows = frontier.db.execute("SELECT url, state, worker FROM crawl_url").fetchall()
    return {url: (state, worker) for url, state, worker in rows}


def test_two_connections_racing_never_claim_one_url_twice(handles: Callable[..., PgFrontier]) -> None:
    first, second = handles(), handles()
    assert first.add(URLS, "tin") == len(URLS)
    got: dict[str, list[str]] = {first.worker: [], second.worker: []}
    start = threading.Barrier(2)

    def drain(frontier: PgFrontier) -> None:
        start.wait()
        while hosts := frontier.ready_hosts():
            for host in hosts:
                if (entry := frontier.claim(host)) is not None:
                    got[frontier.worker].append(entry.url)

    threads = [threading.Thread(target=drain, args=(f,)) for f in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    mine, theirs = got.values()
    assert not set(mine) & set(theirs)
    assert sorted(mine + theirs) == sorted(URLS) and len(mine + theirs) == len(URLS)
    assert mine and theirs, "one worker took everything: no race was run"
    owners = {url: worker for url, (_, worker) in _states(first).items()}
    assert all(owners[url] == first.worker for url in mine) and all(
        owners[u] == second.worker for u in theirs
    )


def test_two_processes_racing_share_the_queue_exactly(
    database: str, handles: Callable[..., PgFrontier]
) -> None:
    handles().add(URLS, "tin")
    command = [sys.executable, "-c", CLAIMER, database]
    workers = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = [json.loads(worker.communicate(timeout=60)[0]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    together = results[0] + results[1]
    assert len(together) == len(URLS) and set(together) == set(URLS)  # all of them, none twice
    assert results[0] and results[1], "one process took everything: no race was run"


def test_a_host_has_one_turn_among_the_workers(handles: Callable[..., PgFrontier]) -> None:
    first, second = handles(), handles()
    assert first.take_turn("tin-a.test", 0.5, 30.0) == 0.0
    assert 30.0 < second.take_turn("tin-a.test", 0.5, 30.0) <= 30.5  # in flight: not before its hold ends
    assert second.take_turn("tin-b.test", 0.5, 30.0) == 0.0  # another host has a turn of its own
    second.end_turn("tin-a.test", 0.0)  # not its turn to hand on: nothing changes
    assert first.take_turn("tin-a.test", 0.5, 30.0) > 30.0
    first.end_turn("tin-a.test", 0.4)  # the request is over; the next may start in 0.4 s
    assert 0.3 < second.take_turn("tin-a.test", 0.5, 30.0) <= 0.4
    time.sleep(0.45)
    assert second.take_turn("tin-a.test", 0.5, 30.0) == 0.0


def test_the_turn_of_a_silent_worker_ends_after_its_hold(handles: Callable[..., PgFrontier]) -> None:
    silent, other = handles(), handles()
    assert silent.take_turn("tin-a.test", 0.1, 0.3) == 0.0  # and never hands it on
    assert other.take_turn("tin-a.test", 0.1, 0.3) > 0.3
    time.sleep(0.45)
    assert other.take_turn("tin-a.test", 0.1, 0.3) == 0.0
    silent.end_turn("tin-a.test", 0.0)  # too late: the turn is another's now
    assert other.take_turn("tin-a.test", 0.1, 0.3) > 0.3


def test_the_turn_of_a_worker_that_left_is_ended_for_it(handles: Callable[..., PgFrontier]) -> None:
    gone, other = handles(), handles()
    assert gone.take_turn("tin-a.test", 0.2, 30.0) == 0.0
    gone.close()  # without handing the turn on (a stop mid-request)
    assert 0.15 < other.take_turn("tin-a.test", 0.2, 30.0) <= 0.2  # ended now: the delay still holds
    time.sleep(0.25)
    assert other.take_turn("tin-a.test", 0.2, 30.0) == 0.0


def test_a_live_workers_claims_are_kept_and_a_silent_ones_taken_back_after_the_lease(
    handles: Callable[..., PgFrontier],
) -> None:
    away, here = handles(lease=1.0), handles(lease=1.0)
    away.add(URLS[:3], "tin")
    taken = [away.claim("tin-a.test") for _ in range(2)]
    assert all(taken)
    # the holder runs on another machine (no process to look for): only its heartbeat says it is alive
    here.db.execute("UPDATE crawl_worker SET machine = 'may-khac' WHERE id = %s", (away.worker,))
    assert here.claimed() == [] and here.recover() == []
    assert {url for url, (state, _) in _states(here).items() if state == "claimed"} == set(URLS[:2])

    time.sleep(1.2)  # away says nothing for longer than the lease
    assert [entry.url for entry in here.claimed()] == URLS[:2] and here.oldest_claim() is not None
    assert here.recover() == []
    assert _states(here) == {URLS[0]: ("queued", None), URLS[1]: ("queued", None), URLS[2]: ("queued", None)}
    again = here.claim("tin-a.test")
    assert again is not None and again.url == URLS[0] and again.attempts == 1  # the lost attempt not counted

    away.mark_fetched(URLS[0], 200, "late.warc.gz#0")  # the slow worker wakes up: its claim is no longer its
    assert _states(here)[URLS[0]] == ("claimed", here.worker)


def test_claims_of_a_killed_process_on_this_machine_come_back_at_once(
    database: str, handles: Callable[..., PgFrontier]
) -> None:
    live = handles()
    live.add(URLS[:4], "tin")
    mine = live.claim("tin-a.test")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, database], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    held = [holder.stdout.readline().strip() for _ in range(2)]
    assert held == URLS[1:3]
    assert handles().claimed() == []  # it runs: its claims are its own
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)

    after = handles()  # the lease (300 s) is far off, but the process is gone
    assert [entry.url for entry in after.claimed()] == held
    after.recover()
    states = _states(after)
    assert [states[url][0] for url in URLS[:4]] == ["claimed", "queued", "queued", "queued"]
    assert mine is not None and states[mine.url] == ("claimed", live.worker)  # a live worker's claim stays


def test_a_dead_database_is_a_clear_error_not_a_hang(tmp_path: Path, postgres_server: Any) -> None:
    started = time.monotonic()
    with pytest.raises(FrontierUnavailable, match="cannot open the crawl frontier in PostgreSQL"):
        PgFrontier(f"postgresql://postgres@/diemtin?host={tmp_path}&port=5432")  # no server there
    with pytest.raises(FrontierUnavailable, match="does not exist"):
        PgFrontier(postgres_server.url("no_such_database"))
    assert time.monotonic() - started < 5
    with pytest.raises(ValueError, match="lease"):
        PgFrontier(postgres_server.url("postgres"), lease=0)


def test_the_database_url_picks_the_frontier(tmp_path: Path, database: str) -> None:
    settings = Settings(data_dir=tmp_path, database=None, crawl_lease_seconds=42.0)
    shared = open_frontier(settings, database)
    try:
        assert isinstance(shared, PgFrontier) and shared.lease == 42.0
    finally:
        shared.close()
    embedded = open_frontier(settings, str(tmp_path / "news.db"))
    try:
        assert isinstance(embedded, Frontier) and embedded.lease is None
        assert (tmp_path / "news-crawl.db").is_file()
    finally:
        embedded.close()
