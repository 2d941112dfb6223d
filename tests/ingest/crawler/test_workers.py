"""Two ``diemtin crawl`` processes on one PostgreSQL database share its frontier: every article is fetched
once, requests to a host from both keep the delay apart, and the claims of a worker killed with -9 are taken
back by the other (counted from the replay server's log)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import psycopg
import pytest

from diemtin.store.postgres import PostgresStore

DELAY = 0.3
# The server notes a request's end when its event loop gets back to it, which on a loaded machine can be
# milliseconds after the crawler saw the response end (0.293 s was measured once for a 0.3 s delay): the slack
# covers that, and a crawler that ignored the delay or overlapped requests would still show gaps near 0.
SLACK = 0.05
PROFILE = """key = "{key}"
name = "{key}"
domains = ["{host}"]

[discovery]
feeds = ["https://{host}/rss.xml"]
article_url = '-\\d+\\.html$'
"""


def _publish(replay: Any, data: Path, host: str, count: int) -> list[str]:
    """An outlet on ``host`` with ``count`` articles in its feed; its profile goes into ``data``/sites."""
    key = host.split(".")[0]
    (data / "sites").mkdir(parents=True, exist_ok=True)
    (data / "sites" / f"{key}.toml").write_text(PROFILE.format(key=key, host=host), encoding="utf-8")
    urls = [f"https://{host}/tin-tuc/bai-{key}-{i}-{7000 + i}.html" for i in range(count)]
    for i, url in enumerate(urls):
        replay.article(url, f"Bài {i} của {key} về đời sống")
    replay.robots(f"https://{host}", "User-agent: *\nAllow: /\n")
    replay.feed(f"https://{host}/rss.xml", urls)
    return urls


def _worker(name: str, data: Path, database: str, replay: Any, hosts: list[str]) -> subprocess.Popen[bytes]:
    """``diemtin crawl`` of the outlets on ``hosts`` as worker ``name`` (named in its User-Agent), with a
    data dir (and archive) of its own, as on a machine of its own."""
    env = {
        **os.environ,
        "DIEMTIN_DATA": str(data),
        "DIEMTIN_DB": database,
        "DIEMTIN_CONTACT": f"{name}@example.invalid",
        "DIEMTIN_HOST_DELAY": str(DELAY),
        "DIEMTIN_CRAWL_LEASE": "2",
        "HTTPS_PROXY": replay.proxy,
        "SSL_CERT_FILE": str(replay.ca_path),
    }
    sources = [arg for host in hosts for arg in ("--source", host.split(".")[0])]
    command = [str(Path(sys.executable).parent / "diemtin"), "crawl", *sources]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _assert_polite(replay: Any, hosts: list[str], cut: str | None = None) -> None:
    """Requests to a host, whichever worker made them, never overlap and each starts at least the delay
    after the previous one ended (as the server saw them). A request whose client was killed on its arrival
    (``cut``) was over for the crawlers then, though the server still answered it."""
    for host in hosts:
        hits = sorted(replay.hits(host), key=lambda hit: hit.start)
        gaps = [b.start - (a.start if a.path == cut else a.end) for a, b in pairwise(hits)]
        assert min(gaps) >= DELAY - SLACK, f"{host}: a request {min(gaps):.3f} s after the previous one"


def _stored(database: str) -> list[str]:
    store = PostgresStore(database)
    try:
        return sorted(hit.article.url or "" for hit in store.iter_all())
    finally:
        store.close()


@pytest.mark.slow
def test_two_workers_fetch_every_article_once_and_keep_the_delay(
    replay: Any, tmp_path: Path, postgres_server: Any
) -> None:
    database = postgres_server.create_database()
    hosts = ["tin-a.test", "tin-b.test"]
    homes = [tmp_path / "w1", tmp_path / "w2"]
    urls = [url for host in hosts for url in _publish(replay, homes[0], host, 10)]
    for host in hosts:
        _publish(replay, homes[1], host, 10)
    workers = [_worker(f"w{i + 1}", home, database, replay, hosts) for i, home in enumerate(homes)]
    for worker in workers:
        assert worker.wait(90) == 0, worker.stderr.read().decode() if worker.stderr else ""

    articles = [hit for hit in replay.hits() if hit.path.endswith(".html")]
    fetched = Counter(f"https://{hit.host}{hit.path}" for hit in articles)
    assert set(fetched) == set(urls) and max(fetched.values()) == 1, fetched
    # Which worker fetched what is left to timing: the worker that just ended a host's request knows when the
    # next is due and usually takes the turn again, so one worker may do all of a host (the delay caps a
    # host's pace anyway); the killed-worker test below shows the other taking over.
    _assert_polite(replay, hosts)
    assert _stored(database) == sorted(urls)


@pytest.mark.slow
def test_the_claims_of_a_killed_worker_are_taken_back_by_the_other(
    replay: Any, tmp_path: Path, postgres_server: Any
) -> None:
    database = postgres_server.create_database()
    homes = [tmp_path / "w1", tmp_path / "w2"]
    urls = _publish(replay, homes[0], "tin-a.test", 16)
    _publish(replay, homes[1], "tin-a.test", 16)
    workers: dict[str, subprocess.Popen[bytes]] = {}
    cut: list[str] = []

    def kill_w1_on_its_third_article(path: str, ok: Any) -> Any:
        """Kill w1 when its third article request arrives, once w2 crawls too, before answering it."""

        def route(headers: dict[str, str], asked: int) -> Any:
            by_w1 = "w1@" in headers.get("user-agent", "")
            mine = [h for h in replay.hits("tin-a.test") if "w1@" in h.headers.get("user-agent", "")]
            if by_w1 and not cut and "w2" in workers and sum(h.path.endswith(".html") for h in mine) >= 3:
                os.kill(workers["w1"].pid, signal.SIGKILL)
                cut.append(path)
                return replay.Reply(ok.status, ok.body, ok.headers, delay=1.0)
            return ok

        return route

    for url in urls:
        path = url.split("tin-a.test", 1)[1]
        replay.route(url, kill_w1_on_its_third_article(path, replay.routes[("tin-a.test", path)]))

    workers["w1"] = _worker("w1", homes[0], database, replay, ["tin-a.test"])
    deadline = time.monotonic() + 30
    while (
        not [h for h in replay.hits("tin-a.test") if h.path.endswith(".html")] and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    workers["w2"] = _worker("w2", homes[1], database, replay, ["tin-a.test"])
    assert workers["w1"].wait(60) == -signal.SIGKILL
    assert workers["w2"].wait(60) == 0, workers["w2"].stderr.read().decode() if workers["w2"].stderr else ""
    assert len(cut) == 1

    fetched = Counter(hit.path for hit in replay.hits("tin-a.test") if hit.path.endswith(".html"))
    fetched[cut[0]] -= 1  # the request the kill cut short was never answered: asking again is right
    assert set(fetched) == {url.split("tin-a.test", 1)[1] for url in urls}, "an article was lost"
    assert max(fetched.values()) == 1, f"fetched twice: {[p for p, n in fetched.items() if n > 1]}"
    _assert_polite(replay, ["tin-a.test"], cut=cut[0])
    assert _stored(database) == sorted(urls)


@pytest.mark.slow
def test_a_crawl_whose_database_goes_away_stops_in_one_line_and_the_next_crawl_finishes(
    replay: Any, tmp_path: Path, postgres_server: Any
) -> None:
    database = postgres_server.create_database()
    home = tmp_path / "w1"
    urls = _publish(replay, home, "tin-a.test", 12)
    dropped: list[str] = []

    def drop_the_database_on_the_fourth_article(ok: Any) -> Any:
        """What a database restart does to the crawler: its connections are closed (the page is served)."""

        def route(headers: dict[str, str], asked: int) -> Any:
            articles = [h for h in replay.hits("tin-a.test") if h.path.endswith(".html")]
            if not dropped and len(articles) >= 4:
                with psycopg.connect(database, autocommit=True) as admin:
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                dropped.append(headers.get("user-agent", ""))
            return ok

        return route

    for url in urls:
        path = url.split("tin-a.test", 1)[1]
        replay.route(url, drop_the_database_on_the_fourth_article(replay.routes[("tin-a.test", path)]))
    first = _worker("w1", home, database, replay, ["tin-a.test"])
    assert first.wait(60) == 1
    stderr = first.stderr.read().decode() if first.stderr else ""
    assert dropped and "Traceback" not in stderr, stderr
    assert stderr.splitlines()[-1].startswith("Error: the database stopped answering ("), stderr
    assert stderr.splitlines()[-1].endswith("what was fetched is archived, run again to resume")

    again = _worker("w1", home, database, replay, ["tin-a.test"])
    assert again.wait(60) == 0, again.stderr.read().decode() if again.stderr else ""
    assert _stored(database) == sorted(urls)  # nothing lost
    fetched = Counter(hit.path for hit in replay.hits("tin-a.test") if hit.path.endswith(".html"))
    assert max(fetched.values()) <= 2 and sum(fetched.values()) <= len(urls) + 2, fetched
