"""``diemtin run`` (diemtin.service; here for the replay fixture): crawls on schedule and serves the API
from one process; SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

PROFILE = """key = "tin-b"
name = "Tin B"
domains = ["tin-b.test"]

[discovery]
feeds = ["https://tin-b.test/rss.xml"]
article_url = '-\\d+\\.html$'
schedule_minutes = 1
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_run_crawls_serves_and_stops_on_sigterm(replay: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    (data / "sites" / "tin-b.toml").write_text(PROFILE, encoding="utf-8")
    urls = [f"https://tin-b.test/giai-tri/bai-so-{i}-{4000 + i}.html" for i in range(5)]
    for i, url in enumerate(urls):
        replay.article(url, f"Tin giải trí số {i}")
    replay.robots("https://tin-b.test", "User-agent: *\nAllow: /\n")
    replay.feed("https://tin-b.test/rss.xml", urls)
    port = _free_port()
    env = {
        **os.environ,
        "DIEMTIN_DATA": str(data),
        "DIEMTIN_DB": str(data / "diemtin.db"),
        "HTTPS_PROXY": replay.proxy,
        "SSL_CERT_FILE": str(replay.ca_path),
    }
    command = [str(Path(sys.executable).parent / "diemtin"), "run", "--port", str(port), "--source", "tin-b"]
    process = subprocess.Popen([*command, "--delay", "0.05"], env=env, stderr=subprocess.PIPE, text=True)
    total = 0
    try:
        with httpx.Client(trust_env=False, timeout=2) as client:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and total < len(urls):
                time.sleep(0.3)
                try:
                    total = client.get(f"http://127.0.0.1:{port}/api/articles").json()["total"]
                except httpx.HTTPError:
                    continue
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(20)
    logs = process.stderr.read() if process.stderr else ""
    assert total == len(urls), logs[-2000:]
    assert code == 0, logs[-2000:]
    lines = [line for line in logs.splitlines() if line.strip()]
    assert all(line.startswith("ts=") and " event=" in line for line in lines), lines[:5]
    assert "event=shutdown signal=SIGTERM" in logs and "event=service-stopped" in logs
