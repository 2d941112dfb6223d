"""Story grouping scored against the labelled pairs of ../shared/corpus/gold/stories.tsv.

The 3,045 baomoi-2013 dumps go through the real pipeline (``ingest_pages``: extract, dedup, stories with
regrouping) into a fresh database, then every labelled pair is read back: a pair is "together" when both files
end in one story (a file folded into another as a duplicate counts as its kept article). Prints precision of
"together" against `same` pairs, recall of `same` pairs, and how many pairs of each label were put together,
by the gold's cosine band, as Markdown.

With ``--writers N`` the files are dealt round-robin to N writer processes that ingest side by side into one
database, each with its own story index (the case of several crawlers or ingest jobs sharing a PostgreSQL
database); ``--db`` names that database (default: a fresh SQLite file; a PostgreSQL URL must name an empty
database).

    .venv/bin/python bench/stories.py [--shared ../shared] [--writers 2] [--db postgresql://...]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from diemtin.article import Page
from diemtin.ingest.files import InputError, iter_pages
from diemtin.ingest.pipeline import ingest_pages
from diemtin.store import open_store
from diemtin.store.base import UpsertResult

BANDS = [(0.45, "cosine ≥ 0.45"), (0.25, "0.25–0.45"), (0.12, "0.12–0.25"), (0.0, "< 0.12")]


def band(cosine: float) -> str:
    """The gold's own cosine (title, lead and body start; see STORIES.md) in the bands it sampled from."""
    return next(name for floor, name in BANDS if cosine >= floor)


def ingest_share(database: str, files: list[Path]) -> tuple[dict[str, str], Counter[str]]:
    """One writer: ingest these files; {file name: article id} and the outcome counts."""
    article_of: dict[str, str] = {}

    def remember(page: Page | InputError, result: UpsertResult | None) -> None:
        origin = page.path if isinstance(page, InputError) else page.origin
        if result is not None and origin:
            article_of[Path(origin).name] = result.article_id

    store = open_store(database)
    try:
        report = ingest_pages(iter_pages(files), store, on_page=remember)
    finally:
        store.close()
    return article_of, report.statuses


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--writers", type=int, default=1, help="writer processes ingesting side by side")
    parser.add_argument("--db", default=None, help="database (default: a fresh SQLite file)")
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    files = sorted((corpus / "baomoi-2013").glob("*.txt"))
    shares = [files[i :: args.writers] for i in range(args.writers)]

    with tempfile.TemporaryDirectory() as folder:
        database = args.db or str(Path(folder) / "stories.db")
        open_store(database).close()  # the schema, before the writers race to make it
        started = time.perf_counter()
        with ProcessPoolExecutor(args.writers) as pool:
            results = list(pool.map(ingest_share, [database] * args.writers, shares))
        elapsed = time.perf_counter() - started
        article_of = {name: id_ for found, _ in results for name, id_ in found.items()}
        statuses = sum((counts for _, counts in results), Counter[str]())
        store = open_store(database)
        story_of = {}
        for name, article_id in article_of.items():
            stored = store.get(article_id)
            if stored is not None:
                story_of[name] = stored.story_id
        store.close()
    pages = sum(statuses.values())
    print(
        f"{pages} pages in {elapsed:.1f} s ({pages / elapsed:.0f} pages/s) by {args.writers} writer(s):"
        f" {dict(statuses)}\n"
    )

    with open(corpus / "gold/stories.tsv", encoding="utf-8") as stream:
        pairs = list(csv.DictReader(stream, delimiter="\t"))
    together: Counter[tuple[str, str]] = Counter()
    totals: Counter[tuple[str, str]] = Counter()
    for pair in pairs:
        joined = story_of[pair["a_file"]] == story_of[pair["b_file"]]
        for key in [(pair["label"], "all"), (pair["label"], band(float(pair["cosine"])))]:
            totals[key] += 1
            together[key] += joined
    hits = together["same", "all"]
    joined_all = sum(together[label, "all"] for label in ("same", "related", "different"))
    print(
        f"precision {hits / joined_all:.3f}, recall {hits / totals['same', 'all']:.3f} ({len(pairs)} pairs)\n"
    )
    print("| gold cosine | same together | related together | different together |")
    print("|---|---|---|---|")
    for name in ["all", *(name for _, name in BANDS)]:
        cells = [
            f"{together[label, name]} / {totals[label, name]}" for label in ("same", "related", "different")
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
