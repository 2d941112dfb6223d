"""The polite fetcher on its own: address checks, honest User-Agent, limits, the per-host gate."""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise
from typing import Any

import pytest

from diemtin.config import Settings
from diemtin.ingest.crawler.fetch import Fetcher, FetchError, FetchOptions


def _get(options: FetchOptions, url: str) -> Any:
    async def go() -> Any:
        async with Fetcher(options) as fetcher:
            return await fetcher.get(url)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.html",
        "http://localhost:9/x.html",
        "http://[::1]:9/x.html",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/x.html",
        "http://192.168.1.1/x.html",
    ],
)
def test_private_loopback_and_link_local_targets_are_refused(url: str) -> None:
    with pytest.raises(FetchError) as error:
        _get(FetchOptions(user_agent="diemtin-test"), url)
    assert not error.value.transient and ("private" in error.value.reason or "loopback" in error.value.reason)


def test_loopback_allowed_when_configured_and_user_agent_is_honest(replay: Any) -> None:
    origin = f"http://127.0.0.1:{replay.port}"
    replay.html(f"{origin}/truc-tiep.html", "<p>Trang thử trực tiếp</p>")
    settings = Settings(contact="toa-soan@example.invalid", allow_private_addresses=True, proxy=None)
    response = _get(FetchOptions.from_settings(settings), f"{origin}/truc-tiep.html")
    assert response.status == 200 and "Trang thử".encode() in response.content
    agent = replay.hits()[0].headers["user-agent"]
    assert agent.startswith("diemtin/") and "toa-soan@example.invalid" in agent


def test_declared_oversize_body_is_refused_before_download(replay: Any) -> None:
    body = b"x" * 2_000_000
    replay.route("https://tin-a.test/to.html", replay.Reply(200, body, {"Content-Type": "text/html"}))
    with pytest.raises(FetchError, match="over the 1000000 limit"):
        _get(replay.options(max_body_bytes=1_000_000), "https://tin-a.test/to.html")


def test_gate_spaces_requests_to_one_host_but_not_across_hosts(replay: Any) -> None:
    for host in ("tin-a.test", "tin-b.test"):
        for i in range(3):
            replay.html(f"https://{host}/{i}.html", f"<p>{i}</p>")

    async def go() -> float:
        async with Fetcher(replay.options(delay=0.3)) as fetcher:
            started = time.monotonic()
            urls = [f"https://{h}/{i}.html" for i in range(3) for h in ("tin-a.test", "tin-b.test")]
            await asyncio.gather(*(fetcher.get(u) for u in urls))
            return time.monotonic() - started

    elapsed = asyncio.run(go())
    assert elapsed >= 0.6  # two gaps per host
    a, b = replay.hits("tin-a.test"), replay.hits("tin-b.test")
    assert b[0].start < a[-1].start and a[0].start < b[-1].start  # the hosts were fetched side by side
    for host in ("tin-a.test", "tin-b.test"):
        starts = [h.start for h in replay.hits(host)]
        assert min(b - a for a, b in pairwise(starts)) >= 0.3 - 0.005
