"""Spark benchmark: WARC records/s of ``scale.warc_job`` in local[2] and of ``diemtin ingest``, same WARC.

The WARC holds the 13 corpus HTML pages (../shared/corpus/html: 6 articles, 7 listings) --copies times each,
each copy under its own target URL (``?copy=N``): both paths extract every record, and both collapse the
copies of an article into one (its canonical link names one URL). Both run in this process: the single-machine
path is ``ingest_pages(iter_pages(...))`` into a fresh SQLite file (one core); the Spark path is
``warc_job.run`` on a session started once (start-up reported apart, as is the read + understand stage
alone), the WARC split into --files files so that local[2] has a task per core. Medians of --rounds runs.
Results go to bench/out/spark.json (never committed) and a summary to stdout.

    .venv/bin/python bench/spark.py [--copies 40] [--files 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import tempfile
import time
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from diemtin.ingest.files import iter_pages
from diemtin.ingest.pipeline import ingest_pages
from diemtin.scale.warc_job import read_warc, run, spark_session, warc_paths
from diemtin.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
OUT = ROOT / "bench" / "out"


def write_warcs(folder: Path, copies: int, files: int) -> int:
    """The corpus HTML pages, `copies` times each, dealt round-robin into `files` WARCs; the record count."""
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        pages = [
            (row["url"], (CORPUS / row["path"]).read_bytes())
            for row in csv.DictReader(handle, delimiter="\t")
            if row["path"].startswith("html/") and row["url"]
        ]
    handles = [(folder / f"part-{n}.warc.gz").open("wb") for n in range(files)]
    writers = [WARCWriter(handle, gzip=True) for handle in handles]
    count = 0
    for copy in range(copies):
        for url, html in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], "HTTP/1.1")
            writer = writers[count % files]
            record = writer.create_warc_record(
                f"{url}?copy={copy}",
                "response",
                payload=BytesIO(html),
                length=len(html),
                http_headers=headers,
            )
            writer.write_record(record)
            count += 1
    for handle in handles:
        handle.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "warcs"
        folder.mkdir()
        records = write_warcs(folder, args.copies, args.files)
        single = []
        for round_ in range(args.rounds):
            store = SQLiteStore(Path(temp) / f"ingest-{round_}.db")
            start = time.perf_counter()
            report = ingest_pages(iter_pages([str(folder)]), store)
            single.append(time.perf_counter() - start)
            store.close()
        start = time.perf_counter()
        spark = spark_session("local[2]")
        startup = time.perf_counter() - start
        distributed, extract_only = [], []
        for round_ in range(args.rounds):
            start = time.perf_counter()  # the map stage alone: read and understand every record, count them
            paths = warc_paths([str(folder)])
            spark.sparkContext.parallelize(paths, len(paths)).flatMap(read_warc).count()
            extract_only.append(time.perf_counter() - start)
            start = time.perf_counter()
            job = run(spark, [str(folder)], f"{temp}/spark-{round_}")
            distributed.append(time.perf_counter() - start)
        spark.stop()
    result = {
        "records": records,
        "load_average": os.getloadavg(),
        "ingest_s": single,
        "ingest_statuses": dict(report.statuses),
        "spark_startup_s": startup,
        "spark_s": distributed,
        "spark_extract_only_s": extract_only,
        "spark_counts": dict(job.counts),
        "spark_articles": job.articles,
        "spark_copies": job.copies,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "spark.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    ingest_median, spark_median = statistics.median(single), statistics.median(distributed)
    print(f"{records} records in {args.files} WARC files, load average {result['load_average']}")
    print(
        f"diemtin ingest (1 process): median {ingest_median:.1f} s, {records / ingest_median:.1f} records/s"
    )
    print(f"Spark local[2]: median {spark_median:.1f} s, {records / spark_median:.1f} records/s", end=" ")
    print(f"(session start {startup:.1f} s, not counted); {job.articles} articles, {job.copies} copies")
    only = statistics.median(extract_only)
    print(f"Spark read + understand stage alone: median {only:.1f} s, {records / only:.1f} records/s")
    print(f"ingest statuses {dict(report.statuses)}; Spark counts {dict(job.counts)}")


if __name__ == "__main__":
    main()
