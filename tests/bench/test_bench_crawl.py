"""The crawl benchmark (bench/crawl.py) runs end to end on a tiny web; nothing here is timed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "crawl.py"


@pytest.mark.shared
def test_crawl_benchmark_fetches_archives_and_stores_every_page(shared: Path) -> None:
    command = [sys.executable, str(BENCH), "--hosts", "3", "--pages", "2", "--workers", "0"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout
    match = re.search(r"stored: (\d+) in [\d.]+ s = ([\d.]+) pages/s", out)
    assert match and int(match[1]) == 6 and float(match[2]) > 0, out
    assert re.search(r"crawler CPU: [\d.]+ s = [\d.]+ ms per page; WARC [\d.]+ MB", out), out
