"""Serving benchmark: the website under load, one uvicorn worker, measured with wrk.

1. Builds (once, into bench/out/, never committed) a SQLite database of --articles articles for load only,
   by recombining real sentences of the baomoi-2013 dumps read from ../shared at run time: each article takes
   a real title, section and credited outlet from one dump and a lead and body of sentences drawn from
   others. Inserted through the Store (``Store.add`` inside ``Store.batch``: few commits), with progress.
2. Starts ``diemtin serve`` (uvicorn, 1 worker, uvloop + httptools, access log off) on 127.0.0.1.
3. Asks each URL once (the steady state has the pages in the cache), then runs wrk (--connections,
   --duration, after --warmup unreported seconds) against article pages (1,000 articles in rotation), the
   home page and searches (20 queries x 3 result pages in rotation), reading requests/s, p50/p95/p99 latency
   and errors from wrk's Lua ``done`` hook; then times 300 never-asked searches one by one on one connection
   (the uncached cost of a search: full-text query + render); and reads the server's peak RSS (VmHWM).

What is cached: rendered pages (articles, home, categories, searches), feeds and API answers are kept in
memory (serve/caching.py: LRU up to 64 MB, emptied when the store's data changes, 60 s TTL) and validated by
ETag; article views are still counted on every request and written in batches.

    .venv/bin/python bench/serve.py [--articles 100000] [--duration 30] [--connections 64] [--rebuild]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from diemtin.article import Article, Provenance
from diemtin.group.taxonomy import category_for_label
from diemtin.store import open_store
from diemtin.textnorm import clean

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BAOMOI = SHARED / "corpus" / "baomoi-2013"
OUT = ROOT / "bench" / "out"
VIETNAM = timezone(timedelta(hours=7))
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[a-zà-ỹđ0-9][.!?])(?=[A-ZÀ-ỸĐ])")
ARTICLE_PAGES = 1000  # distinct article pages the article run rotates over
SEARCHES = [
    "lãnh đạo",
    "giá vàng",
    "bóng đá",
    "cong an",
    "thi tuyen sinh",
    "chứng khoán",
    "Hà Nội",
    "tai nạn giao thông",
    "ngân hàng",
    "học sinh",
    "bất động sản",
    "xe máy",
    "World Cup",
    "điện thoại",
    "sức khỏe",
    "giáo dục",
    "thủ tướng",
    "kinh te",
    "du lich",
    "TP.HCM",
]
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {["User-Agent"] = "Mozilla/5.0 (bench) Firefox/130.0"})
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.stderr:write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "errors": %d, "non_2xx_3xx": %d, '
    .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\\n',
    summary.requests, summary.duration / 1e6, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


# -- 1. the load database ----------------------------------------------------------------------------------


def read_dumps() -> tuple[list[dict[str, str]], list[str]]:
    """(title, section, outlet) records and the pool of sentences, from the baomoi-2013 dumps."""
    records: list[dict[str, str]] = []
    sentences: list[str] = []
    for path in sorted(BAOMOI.glob("*.txt")):
        lines = [clean(line) for line in path.read_text("utf-8", errors="replace").split("\n")]
        lines = [line for line in lines if line]
        if len(lines) < 6:
            continue
        title, *text, _date, section, _tags, outlet = lines
        records.append({"title": title, "section": section, "outlet": outlet})
        for block in text:
            sentences.extend(s for s in SENTENCE_END.split(block) if len(s) > 30)
    return records, sentences


def recombined(n: int, records: list[dict[str, str]], sentences: list[str], rng: random.Random) -> Article:
    record = records[n % len(records)]
    body = [" ".join(rng.sample(sentences, rng.randint(2, 4))) for _ in range(rng.randint(4, 9))]
    published = datetime(2024, 1, 1, tzinfo=VIETNAM) + timedelta(minutes=n * 7 + rng.randint(0, 6))
    return Article(
        outlet=record["outlet"],
        section=record["section"],
        category=category_for_label(record["section"]),
        title=record["title"],
        lead=" ".join(rng.sample(sentences, 2)),
        body=body,
        published=published,
        provenance=Provenance(
            input=f"bench:recombined/{n}", input_kind="text", warnings=["load-test article"]
        ),
    )


def build(database: Path, articles: int, batch: int) -> dict[str, Any]:
    records, sentences = read_dumps()
    rng = random.Random(20130526)
    partial = database.with_suffix(".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    store = open_store(partial)
    started = time.perf_counter()
    statuses: dict[str, int] = {}
    try:
        for start in range(0, articles, batch):
            with store.batch():
                for n in range(start, min(start + batch, articles)):
                    status = store.add(recombined(n, records, sentences, rng)).status
                    statuses[status] = statuses.get(status, 0) + 1
            done = min(start + batch, articles)
            rate = done / (time.perf_counter() - started)
            print(f"  built {done:,}/{articles:,} articles ({rate:,.0f}/s)", file=sys.stderr, flush=True)
        stored = store.count()
    finally:
        store.close()
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(partial) + suffix)
        if source.exists():
            source.replace(Path(str(database) + suffix))
    seconds = time.perf_counter() - started
    return {
        "articles": stored,
        "statuses": statuses,
        "sentences": len(sentences),
        "seconds": round(seconds, 1),
    }


# -- 2. the server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(database: Path, port: int) -> subprocess.Popen[bytes]:
    diemtin = str(Path(sys.executable).with_name("diemtin"))
    command = [diemtin, "serve", "--db", str(database), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                why = server.stderr.read().decode() if server.stderr else ""
                raise RuntimeError(f"server exited: {why}") from None
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("server did not start within 60 s")


def memory_mb(pid: int) -> dict[str, float]:
    """The process's peak resident set (VmHWM) and its current anonymous / file-backed parts, in MiB
    (file-backed: mapped library and database pages, which SQLite's mmap_size makes count as resident)."""
    fields = {"VmHWM": "peak_rss_mb", "RssAnon": "rss_anon_mb", "RssFile": "rss_file_mb"}
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in fields:
            found[fields[name]] = round(int(value.split()[0]) / 1024, 1)
    return found


# -- 3. the load -------------------------------------------------------------------------------------------


def wrk(base: str, paths: list[str], *, connections: int, seconds: int) -> dict[str, Any]:
    """One wrk run rotating over ``paths``; the figures its Lua ``done`` hook printed."""
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "rotate.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        listing = Path(work) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        command = [
            "wrk",
            f"--threads={min(2, connections)}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=5s",
            f"--script={script}",
            base,
        ]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, "BENCH_PATHS": str(listing)},
            check=True,
        )
    line = next(line for line in done.stderr.splitlines() if line.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    result["requests_per_second"] = round(result["requests"] / result["seconds"], 1)
    return result


def targets(database: Path) -> dict[str, list[str]]:
    """What each run requests: 1,000 different articles, the home page, 20 searches x 3 result pages."""
    store = open_store(database)
    try:
        total = store.count()
        step = max(1, total // ARTICLE_PAGES)
        articles = [f"/tin/{s.article.id}" for s in store.latest(limit=ARTICLE_PAGES * step)[::step]]
    finally:
        store.close()
    searches = [
        f"/tim-kiem?{urlencode({'q': query, 'trang': page})}" for page in (1, 2, 3) for query in SEARCHES
    ]
    return {"article": articles, "home": ["/"], "search": searches}


def prime(port: int, paths: list[str]) -> None:
    """Ask every path once, so that the timed run measures the steady state (pages in the cache)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for path in paths:
            connection.request("GET", path, headers={"User-Agent": "diemtin-bench-bot"})
            connection.getresponse().read()
    finally:
        connection.close()


def cold_queries(database: Path, count: int) -> list[str]:
    """``count`` different two-word queries taken from stored titles (never asked before, so never cached)."""
    rng = random.Random(7)
    store = open_store(database)
    try:
        titles = [s.article.title for s in store.latest(limit=count * 20)[::20]]
    finally:
        store.close()
    queries: set[str] = set()
    for title in titles:
        words = re.findall(r"\w+", title)
        if len(words) >= 2:
            start = rng.randrange(len(words) - 1)
            queries.add(" ".join(words[start : start + 2]))
    return sorted(queries)[:count]


def cold_search(port: int, queries: list[str]) -> dict[str, Any]:
    """Uncached search latency: one connection, each query asked once, in turn (render included)."""
    timings: list[float] = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for query in queries:
            started = time.perf_counter()
            connection.request(
                "GET", "/tim-kiem?" + urlencode({"q": query}), headers={"User-Agent": "diemtin-bench-bot"}
            )
            response = connection.getresponse()
            response.read()
            timings.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"search {query!r} answered {response.status}")
    finally:
        connection.close()
    ordered = sorted(timings)

    def percentile(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {
        "queries": len(ordered),
        "p50_ms": percentile(0.5),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
    }


def measure(database: Path, *, connections: int, seconds: int, warmup: int) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install Debian's wrk package (make system)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    plan = targets(database)
    server = start_server(database, port)
    results: dict[str, Any] = {}
    try:
        for name, paths in plan.items():
            prime(port, paths)
            if warmup:
                wrk(base, paths, connections=connections, seconds=warmup)
            results[name] = wrk(base, paths, connections=connections, seconds=seconds)
            results[name]["distinct_paths"] = len(paths)
            print(f"  {name}: {results[name]}", file=sys.stderr, flush=True)
        results["cold_search"] = cold_search(port, cold_queries(database, 300))
        print(f"  cold search: {results['cold_search']}", file=sys.stderr, flush=True)
        results.update(memory_mb(server.pid))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


BARS = {
    "article": "article page >= 1,000 req/s and p99 <= 50 ms",
    "search": "search p95 <= 50 ms under wrk (60 searches in rotation, pages cached after the first ask)",
    "search_cold": "search p95 <= 50 ms uncached (300 different queries, one connection)",
    "errors": "0 errors",
    "rss": "server peak RSS <= 300 MB",
}


def verdicts(results: dict[str, Any]) -> dict[str, bool]:
    article, search = results["article"], results["search"]
    runs = [results[name] for name in ("article", "home", "search")]
    return {
        "article": article["requests_per_second"] >= 1000 and article["p99_ms"] <= 50,
        "search": search["p95_ms"] <= 50,
        "search_cold": results["cold_search"]["p95_ms"] <= 50,
        "errors": all(run["errors"] == 0 for run in runs),
        "rss": results["peak_rss_mb"] <= 300,
    }


def table(results: dict[str, Any]) -> str:
    rows = [
        "| target | distinct URLs | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("article", "home", "search"):
        run = results[name]
        rows.append(
            f"| {name} | {run['distinct_paths']:,} | {run['requests_per_second']:,.0f} "
            f"| {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | {run['p99_ms']:.1f} | {run['max_ms']:.1f} "
            f"| {run['errors']} |"
        )
    cold = results["cold_search"]
    rows.append(
        f"| search, uncached (1 connection) | {cold['queries']:,} | | {cold['p50_ms']:.1f} "
        f"| {cold['p95_ms']:.1f} | {cold['p99_ms']:.1f} | | 0 |"
    )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2_000, help="articles between progress reports")
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unreported load before each run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--out", type=Path, default=OUT / "serve.json")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / f"serve-{args.articles}.db"
    build_report: dict[str, Any] = {"reused": True}
    if args.rebuild or not database.exists():
        print(f"building {database} ...", file=sys.stderr)
        build_report = build(database, args.articles, args.batch)
    store = open_store(database)
    stored = store.count()
    store.close()
    print(f"serving {stored:,} articles from {database}", file=sys.stderr)
    results = measure(database, connections=args.connections, seconds=args.duration, warmup=args.warmup)
    passed = verdicts(results)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": stored,
        "build": build_report,
        "connections": args.connections,
        "duration_s": args.duration,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "results": results,
        "bars": {key: {"bar": BARS[key], "met": met} for key, met in passed.items()},
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(results))
    print(
        f"\nserver peak RSS: {results['peak_rss_mb']:.0f} MB (at the end: {results['rss_anon_mb']:.0f} MB"
        f" anonymous + {results['rss_file_mb']:.0f} MB file-backed); load average: {os.getloadavg()}"
    )
    for key, met in passed.items():
        print(f"{'MET ' if met else 'MISS'}  {BARS[key]}")


if __name__ == "__main__":
    main()
