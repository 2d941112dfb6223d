"""Ingest benchmark: pages/s end to end, duplicate detection against the gold groups, search latency.

1. Ingest (extract -> normalise -> categorise -> dedup -> story -> store, ``diemtin.ingest.pipeline``) into a
   fresh SQLite file, single-threaded: the 3,045 baomoi-2013 dumps, then the corpus pages (html/ and dumps/,
   repeated --repeat times into fresh databases), then the six HTML article pages alone (the same way).
   Reports pages/s of wall time and of CPU time (this process only; on a shared machine the CPU figure is
   the fair one), then re-runs baomoi-2013 over the same database (every page must come back unchanged).
2. Duplicates: the copies recorded on baomoi-2013 scored against ../shared/corpus/baomoi-2013-duplicates.tsv
   (precision/recall over (duplicate file -> kept file) pairs), and the near-duplicate (syndicated) copies
   found beyond them, each with its label in gold/stories.tsv when the pair was labelled; then, for every
   labelled pair of gold/stories.tsv, whether the near-duplicate rule would collapse it (only syndicated
   copies of one report should: a "related" or "different" pair collapsed would lose an article).
3. Search latency (when --search-db names a database, a SQLite file or a postgresql:// URL, by default
   bench/out/serve-100000.db if it exists): Store.search over a rotation of queries (accents or not,
   phrases, category, outlet and date filters), and the other reads the web pages make (latest, latest by
   category, get, count, categories, story), p50/p95/p99 of wall time, and for search also of CPU time (on
   a machine shared with other jobs, the one-core figure; this process only, not a PostgreSQL server's).

Results go to bench/out/ingest.json (never committed) and a Markdown summary to stdout; with --search-only,
step 3 alone, to bench/out/search.json.

    .venv/bin/python bench/ingest.py [--repeat 20] [--search-db PATH] [--search-rounds 5] [--search-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from diemtin.article import Page
from diemtin.group.dedup import NEAR_THRESHOLD, dedup_keys, similarity, within_window
from diemtin.ingest.files import iter_pages
from diemtin.ingest.pipeline import ingest_pages, understand
from diemtin.ingest.warc import InputError
from diemtin.store import open_store
from diemtin.store.base import SearchQuery
from diemtin.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BAOMOI = CORPUS / "baomoi-2013"
OUT = ROOT / "bench" / "out"
QUERIES = [
    "lãnh đạo",
    "lanh dao quoc phong",
    "LÃNH ĐẠO",
    "giá vàng",
    "gia vang",
    "bóng đá",
    "cong an",
    "thi tuyển sinh",
    '"tai nạn giao thông"',
    "Hà Nội",
    "ngân hàng",
    "học sinh",
    "bất động sản",
    "xe máy",
    "World Cup",
    "điện thoại",
    "thủ tướng",
    '"quốc hội" luật',
    "việt nam",
    "người",
    '"giá vàng" OR "giá xăng"',
    "bão OR lũ -miền",
]
FILTERS = [{}, {"category": "the-thao"}, {"category": "kinh-doanh"}, {"outlet": "VietnamNet"}]


def timed_ingest(pages: list[Page | InputError], db_path: Path) -> dict[str, Any]:
    store = SQLiteStore(db_path)
    wall, cpu = time.perf_counter(), time.process_time()
    report = ingest_pages(pages, store)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    store.close()
    return {
        "pages": report.pages,
        "statuses": dict(report.statuses),
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "pages_per_s": round(report.pages / wall, 1),
        "pages_per_cpu_s": round(report.pages / cpu, 1),
    }


def duplicates(db_path: Path) -> dict[str, Any]:
    """Copies recorded for baomoi-2013 against the gold groups of byte-identical files."""
    gold: dict[str, str] = {}
    with (CORPUS / "baomoi-2013-duplicates.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for name in row["duplicate_files"].split(","):
                gold[name] = row["kept_file"]
    labels: dict[frozenset[str], str] = {}
    with (CORPUS / "gold" / "stories.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            labels[frozenset((row["a_file"], row["b_file"]))] = row["label"]
    db = sqlite3.connect(db_path)
    owner = {
        article_id: Path(path).name
        for article_id, path in db.execute(
            "SELECT a.id, json_extract(d.data, '$.provenance.input')"
            " FROM articles a JOIN article_data d ON d.n = a.n"
        )
    }
    found = {
        Path(path).name: (owner[article_id], kind, similarity)
        for article_id, path, kind, similarity in db.execute(
            "SELECT article_id, input, kind, similarity FROM copies"
        )
    }
    db.close()
    exact = {name: kept for name, (kept, kind, _) in found.items() if kind != "near"}
    true_pairs = sum(1 for name, kept in exact.items() if gold.get(name) == kept)
    near = [
        {
            "copy": name,
            "article": kept,
            "similarity": round(similarity, 3),
            "gold_label": labels.get(frozenset((name, kept)), "not labelled"),
        }
        for name, (kept, kind, similarity) in sorted(found.items())
        if kind == "near"
    ]
    return {
        "articles": len(owner),
        "copies": len(found),
        "exact_copies": len(exact),
        "gold_duplicate_files": len(gold),
        "exact_precision": round(true_pairs / len(exact), 4) if exact else 0.0,
        "exact_recall": round(true_pairs / len(gold), 4),
        "near_copies": near,
    }


def labelled_pairs() -> dict[str, dict[str, int]]:
    """How the near-duplicate rule treats the story-gold pairs: per label, pairs collapsed vs kept apart."""
    with (CORPUS / "gold" / "stories.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    names = sorted({row["a_file"] for row in rows} | {row["b_file"] for row in rows})
    articles = {}
    for page in iter_pages([BAOMOI / name for name in names]):
        if isinstance(page, Page) and page.origin:
            articles[Path(page.origin).name] = understand(page)
    keys = {name: dedup_keys(article) for name, article in articles.items()}
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        first, second = keys[row["a_file"]], keys[row["b_file"]]
        similar = (
            first.signature is not None
            and second.signature is not None
            and similarity(first.signature, second.signature) >= NEAR_THRESHOLD
            and within_window(articles[row["a_file"]].published, articles[row["b_file"]].published)
        )
        tally = counts.setdefault(row["label"], {"collapsed": 0, "apart": 0})
        tally["collapsed" if similar else "apart"] += 1
    return counts


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {"n": len(ordered), "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def search_latency(target: str, rounds: int) -> dict[str, Any]:
    store = open_store(target)
    articles = store.count()
    sample = store.latest(limit=50, offset=articles // 3)
    reads: dict[str, Callable[[int], object]] = {
        "latest": lambda i: store.latest(limit=20),
        "latest_category": lambda i: store.latest(
            category=FILTERS[1 + i % 2]["category"], limit=20, offset=i % 3 * 20
        ),
        "get": lambda i: store.get(sample[i % len(sample)].article.id),
        "story": lambda i: store.story(sample[i % len(sample)].story_id),
        "count": lambda i: store.count(category=FILTERS[1 + i % 2]["category"]),
        "categories": lambda i: store.categories(),
    }
    searches = [SearchQuery(text=text, **extra) for extra in FILTERS for text in QUERIES]  # type: ignore[arg-type]
    newest = store.latest(limit=1)[0].article.published
    if newest is not None:  # the last week and one month a year back, as the search form's date fields give
        searches += [SearchQuery(text=text, since=newest - timedelta(days=7)) for text in QUERIES[::2]]
        year_back = newest - timedelta(days=365)
        searches += [
            SearchQuery(text=text, since=year_back, until=year_back + timedelta(days=30))
            for text in QUERIES[1::2]
        ]
    for query in searches:  # warm the page cache once, as a running server would be
        store.search(query)
    results: dict[str, Any] = {"articles": articles}
    samples: list[float] = []
    cpu_samples: list[float] = []
    for _ in range(rounds):
        for query in searches:
            started, cpu_started = time.perf_counter(), time.process_time()
            store.search(query)
            samples.append(time.perf_counter() - started)
            cpu_samples.append(time.process_time() - cpu_started)
    results["search"] = percentiles(samples)
    results["search_cpu"] = percentiles(cpu_samples)
    for name, read in reads.items():
        timings = []
        for i in range(rounds * 20):
            started = time.perf_counter()
            read(i)
            timings.append(time.perf_counter() - started)
        results[name] = percentiles(timings)
    store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20, help="passes over the small corpus page set")
    default_db = OUT / "serve-100000.db"
    parser.add_argument(
        "--search-db",
        default=str(default_db) if default_db.exists() else None,
        help="SQLite file or postgresql:// URL (search CPU then counts this process only, not the server)",
    )
    parser.add_argument("--search-rounds", type=int, default=5)
    parser.add_argument("--search-only", action="store_true", help="time the reads only (no ingest)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"load_average_start": os.getloadavg()}
    if args.search_only:
        if not args.search_db:
            parser.error("--search-only needs --search-db (or bench/out/serve-100000.db)")
        results["search"] = search_latency(args.search_db, args.search_rounds)
        results["load_average_end"] = os.getloadavg()
        (OUT / "search.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        print_reads(results)
        return
    with tempfile.TemporaryDirectory() as scratch:
        baomoi_db = Path(scratch) / "baomoi.db"
        pages = list(iter_pages([BAOMOI]))
        print(f"ingesting {len(pages)} baomoi-2013 dumps ...", file=sys.stderr)
        results["baomoi"] = timed_ingest(pages, baomoi_db)
        print("re-running over the same database ...", file=sys.stderr)
        results["baomoi_rerun"] = timed_ingest(pages, baomoi_db)
        results["duplicates"] = duplicates(baomoi_db)
        results["duplicates"]["labelled_pairs"] = labelled_pairs()
        sets = {
            "corpus_pages": list(iter_pages([CORPUS / "html", CORPUS / "dumps"])),
            "html_articles": list(iter_pages(sorted((CORPUS / "html").glob("*/*_article.html")))),
        }
        for key, pages in sets.items():
            print(f"ingesting {len(pages)} {key.replace('_', ' ')} x {args.repeat} ...", file=sys.stderr)
            passes = [timed_ingest(pages, Path(scratch) / f"{key}-{i}.db") for i in range(args.repeat)]
            results[key] = {
                "pages": passes[0]["pages"],
                "statuses": passes[0]["statuses"],
                "passes": len(passes),
                "pages_per_s": round(statistics.median(p["pages_per_s"] for p in passes), 1),
                "pages_per_cpu_s": round(statistics.median(p["pages_per_cpu_s"] for p in passes), 1),
            }
    if args.search_db:
        print(f"search latency on {args.search_db} ...", file=sys.stderr)
        results["search"] = search_latency(args.search_db, args.search_rounds)
    results["load_average_end"] = os.getloadavg()
    (OUT / "ingest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print_summary(results)


def row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def print_summary(results: dict[str, Any]) -> None:
    print(row("input", "pages", "pages/s (wall)", "pages/s (CPU)", "outcome"))
    print(row(*["---"] * 5))
    for label, key in (
        ("baomoi-2013 dumps, fresh db", "baomoi"),
        ("baomoi-2013 again, same db", "baomoi_rerun"),
        (f"corpus html + dumps (median of {results['corpus_pages']['passes']})", "corpus_pages"),
        (f"corpus HTML article pages only (median of {results['html_articles']['passes']})", "html_articles"),
    ):
        run = results[key]
        print(row(label, run["pages"], run["pages_per_s"], run["pages_per_cpu_s"], run["statuses"]))
    dups = results["duplicates"]
    print(f"\nbaomoi-2013: {dups['articles']} articles + {dups['copies']} copies")
    print(
        f"exact copies {dups['exact_copies']} vs {dups['gold_duplicate_files']} gold duplicate files:"
        f" precision {dups['exact_precision']}, recall {dups['exact_recall']}"
    )
    print(f"near (syndicated) copies: {len(dups['near_copies'])}")
    for near in dups["near_copies"]:
        label = f"similarity {near['similarity']}, gold: {near['gold_label']}"
        print(f"  {near['copy']} -> {near['article']} ({label})")
    print(f"story-gold pairs under the near-duplicate rule: {dups['labelled_pairs']}")
    print_reads(results)


def print_reads(results: dict[str, Any]) -> None:
    if "search" in results:
        search = results["search"]
        print(f"\nreads on a {search['articles']:,}-article database (ms):")
        print(row("read", "n", "p50", "p95", "p99", "max"))
        print(row(*["---"] * 6))
        for name, value in search.items():
            if isinstance(value, dict):
                print(
                    row(name, value["n"], value["p50_ms"], value["p95_ms"], value["p99_ms"], value["max_ms"])
                )
    print(f"\nload average: start {results['load_average_start']}, end {results['load_average_end']}")


if __name__ == "__main__":
    main()
