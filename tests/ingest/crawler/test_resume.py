"""kill -9 in the middle of ``diemtin crawl``, then rerun: every article stored once, none lost, none fetched
twice (counted from the server's log)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from diemtin.store.sqlite import SQLiteStore

ORIGIN = "https://tin-a.test"
PROFILE = """key = "tin-a"
name = "Tin A"
domains = ["tin-a.test"]

[discovery]
feeds = ["https://tin-a.test/rss.xml"]
listings = ["https://tin-a.test/moi-nhat"]
article_url = '-\\d+\\.html$'
"""


def _start(data: Path, replay: Any) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DIEMTIN_DATA": str(data),
        "DIEMTIN_DB": str(data / "diemtin.db"),
        "HTTPS_PROXY": replay.proxy,
        "SSL_CERT_FILE": str(replay.ca_path),
        "DIEMTIN_HOST_DELAY": "0.05",
    }
    command = [str(Path(sys.executable).parent / "diemtin"), "crawl", "--source", "tin-a"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_kill_9_mid_crawl_loses_nothing_and_fetches_nothing_twice(replay: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    (data / "sites" / "tin-a.toml").write_text(PROFILE, encoding="utf-8")
    urls = [f"{ORIGIN}/tin-tuc/bai-so-{i}-{2000 + i}.html" for i in range(24)]
    for i, url in enumerate(urls):
        replay.article(url, f"Bài số {i} về đời sống")
    replay.robots(ORIGIN, "User-agent: *\nAllow: /\n")
    replay.feed(f"{ORIGIN}/rss.xml", urls[:12])
    links = "".join(f'<p><a href="{u}">Bài</a></p>' for u in urls[12:])
    replay.html(f"{ORIGIN}/moi-nhat", f"<html><body><main>{links}</main></body></html>")

    process: dict[str, subprocess.Popen[bytes]] = {}
    interrupted: list[str] = []

    def kill_on_arrival(index: int) -> None:
        """The server kills the crawler when this article's request arrives, before answering it."""
        path = urls[index].split(ORIGIN, 1)[1]
        ok = replay.routes[("tin-a.test", path)]

        def route(headers: dict[str, str], asked: int) -> Any:
            if asked == 0:
                os.kill(process["now"].pid, signal.SIGKILL)
                interrupted.append(path)
                return replay.Reply(ok.status, ok.body, ok.headers, delay=1.0)
            return ok

        replay.route(urls[index], route)

    for index in (3, 10, 17):
        kill_on_arrival(index)
    runs = 0
    while True:
        runs += 1
        assert runs <= 6, "the crawl never finished"
        process["now"] = _start(data, replay)
        code = process["now"].wait(60)
        if code == 0:
            break
        assert code == -signal.SIGKILL, process["now"].stderr.read().decode()  # type: ignore[union-attr]
    assert runs == 4 and len(interrupted) == 3

    fetched = Counter(h.path for h in replay.hits("tin-a.test") if h.path.endswith(".html"))
    for path in interrupted:  # the request the kill cut short was never answered: asking again is right
        fetched[path] -= 1
    assert set(fetched) == {u.split(ORIGIN, 1)[1] for u in urls}, "an article was lost"
    assert max(fetched.values()) == 1, f"fetched twice: {[p for p, n in fetched.items() if n > 1]}"

    store = SQLiteStore(data / "diemtin.db")
    try:
        stored = sorted(hit.article.url or "" for hit in store.iter_all())
    finally:
        store.close()
    assert stored == sorted(urls)


@pytest.mark.slow
def test_sigterm_stops_a_crawl_cleanly_and_the_next_run_finishes_it(replay: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    (data / "sites" / "tin-a.toml").write_text(PROFILE, encoding="utf-8")
    urls = [f"{ORIGIN}/tin-tuc/bai-cham-{i}-{3000 + i}.html" for i in range(10)]
    for i, url in enumerate(urls):
        replay.article(url, f"Bài chậm số {i} về giáo dục", delay=0.2)
    replay.robots(ORIGIN, "User-agent: *\nAllow: /\n")
    replay.feed(f"{ORIGIN}/rss.xml", urls)
    first = _start(data, replay)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len([h for h in replay.hits("tin-a.test") if h.status == 200]) < 6:
        time.sleep(0.05)  # robots.txt, the feed and 4 articles answered
    first.send_signal(signal.SIGTERM)
    assert first.wait(30) == 0
    summary = first.stdout.read().decode() if first.stdout else ""
    counts = dict(item.split("=", 1) for item in summary.split())
    assert 4 <= int(counts["fetched"]) < len(urls) and counts["stored"] == counts["fetched"], summary
    second = _start(data, replay)
    assert second.wait(60) == 0
    fetched = Counter(h.path for h in replay.hits("tin-a.test") if h.path.endswith(".html"))
    assert set(fetched) == {u.split(ORIGIN, 1)[1] for u in urls} and max(fetched.values()) == 1


@pytest.mark.slow
def test_kill_9_at_random_moments_refetches_at_most_the_interrupted_request(
    replay: Any, tmp_path: Path
) -> None:
    """Kills land anywhere in the fetch / archive / commit / extract / store cycle. One host, so one request
    at most is in flight at a kill: only that one may be asked again, and nothing is lost or stored twice."""
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    (data / "sites" / "tin-a.toml").write_text(PROFILE, encoding="utf-8")
    urls = [f"{ORIGIN}/tin-tuc/bai-ngau-nhien-{i}-{5000 + i}.html" for i in range(20)]
    for i, url in enumerate(urls):
        replay.article(url, f"Bài ngẫu nhiên số {i} về sức khỏe")
    replay.robots(ORIGIN, "User-agent: *\nAllow: /\n")
    replay.feed(f"{ORIGIN}/rss.xml", urls)
    rng = random.Random(20261125)

    def article_hits() -> list[str]:
        return [h.path for h in replay.hits("tin-a.test") if h.path.endswith(".html")]

    interrupted: list[str] = []
    for target in (4, 9, 14):
        process = _start(data, replay)
        deadline = time.monotonic() + 60
        while len(article_hits()) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.08))  # somewhere in the cycle of the request just made
        process.kill()
        process.wait(10)
        interrupted.append(article_hits()[-1])
    last = _start(data, replay)
    assert last.wait(60) == 0, last.stderr.read().decode() if last.stderr else ""

    fetched = Counter(article_hits())
    assert set(fetched) == {u.split(ORIGIN, 1)[1] for u in urls}, "an article was lost"
    twice = {path for path, n in fetched.items() if n > 1}
    assert twice <= set(interrupted) and max(fetched.values()) <= 2, (twice, interrupted)
    store = SQLiteStore(data / "diemtin.db")
    try:
        assert sorted(hit.article.url or "" for hit in store.iter_all()) == sorted(urls)
    finally:
        store.close()
