"""Spark job: WARC files -> Pages -> ``understand`` -> duplicates collapsed -> Parquet (export schema).

One task reads one WARC file, streaming its records with the reader ``diemtin ingest`` uses
(``ingest.warc.iter_warc_records``) and calling ``ingest.pipeline.understand`` on every page, so an article
here is the article the single-machine pipeline gives for the same record. A record that gives no article
(not HTML, an error status, empty, too large, a listing, an extraction error, a damaged archive) is counted
and listed with its reason in ``<out>/skipped``; it never fails the job.

Exact duplicates collapse as in the store: the versions of one canonical URL are one article (the newest
version; ``revision`` counts the distinct contents seen there), then articles with the same folded text
under other URLs become ``copies`` of the earliest published one. Near duplicates follow with the store's
MinHash keys (``group.dedup``): articles sharing an LSH band are candidate pairs, kept at NEAR_THRESHOLD
within NEAR_WINDOW, and the store's rule is replayed over them in publication order, so each near copy goes
to the ``copies`` of the article ``diemtin ingest`` keeps when given the pages in that order. Story clusters
are left to the store: here each article is its own story (``story_id`` is its id).

    python -m diemtin.scale.warc_job --master 'local[2]' --out OUT crawl/*.warc.gz
"""

from __future__ import annotations

import glob
import math
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql.pandas.types import from_arrow_schema

from diemtin import export
from diemtin.article import Article
from diemtin.group.dedup import NEAR_THRESHOLD, dedup_keys, similarity, within_window
from diemtin.ingest.pipeline import NothingExtracted, understand
from diemtin.ingest.warc import InputError, SkippedRecord, iter_warc_records
from diemtin.store.base import Copy, StoredArticle
from diemtin.store.common import version_time

WARC_SUFFIXES = (".warc", ".warc.gz")
ARTICLES = "articles"  # the two Parquet datasets under the output folder
SKIPPED = "skipped"
SKIPPED_SCHEMA = "origin string, reason string, detail string"
# An LSH band shared by more articles than this gives no candidate pairs: its members would be compared
# pairwise (n² similarities in one task), and a true copy shares several of its 20 bands with its article,
# so it is still found through the others unless all of them are this crowded. The store has no such cap.
MAX_BAND_SIZE = 1000

# The near-duplicate step: an article is a Node (publication time, canonical key, text key: sorts in the
# order the store would see it), a member of one LSH band a BandEntry (with its MinHash signature and
# published time), and a candidate pair a NearPair (the earlier article, the later, their similarity).
Node = tuple[float, str, str]
BandEntry = tuple[Node, bytes, datetime | None]
NearPair = tuple[Node, Node, float]


@dataclass(slots=True)
class Extracted:
    """One understood page with the duplicate keys the store computes for it."""

    article: Article
    canonical_key: str
    content_hash: str
    text_key: str | None
    signature: bytes | None = None  # MinHash values and LSH bands (none for a text too short to trust)
    bands: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that gave no article: ``reason`` takes few values (the counts group by it)."""

    origin: str
    reason: str
    detail: str = ""


@dataclass(slots=True)
class Kept:
    """An article that survives deduplication, with the contents seen at its URL and its copies elsewhere."""

    extracted: Extracted
    contents: frozenset[str]
    copies: list[Copy] = field(default_factory=list)


@dataclass(slots=True)
class JobReport:
    counts: Counter[str]  # per response record: "article" or the reason it was skipped
    articles: int  # rows written, after deduplication
    copies: int  # articles that collapsed into another one as a copy
    near: int = 0  # articles (with their exact copies) folded into another as near copies

    @property
    def records(self) -> int:
        return sum(self.counts.values())

    @property
    def all_failed(self) -> bool:
        """Every record failed (an extraction error or a damaged archive): the run found nothing usable."""
        failed = sum(n for reason, n in self.counts.items() if reason.startswith(("failed", "damaged")))
        return failed == self.records > 0


def spark_session(master: str | None = None) -> SparkSession:
    """A session whose Python workers run this interpreter (so they import diemtin), unless PYSPARK_PYTHON
    says otherwise; ``master`` None leaves it to spark-submit (else local[*])."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName("diemtin-warc")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")  # its bar overwrites the command's summary line
    )
    if master:
        builder = builder.master(master)
    return builder.getOrCreate()


def warc_paths(inputs: Sequence[str]) -> list[str]:
    """Absolute paths of the WARC files named by files, folders (searched recursively) or glob patterns;
    raises FileNotFoundError for an input that names no file."""
    paths: list[str] = []
    for pattern in inputs:
        found: list[Path] = []
        for match in sorted(glob.glob(os.path.expanduser(pattern), recursive=True)):
            path = Path(match)
            if path.is_dir():
                found += sorted(p for p in path.rglob("*") if p.name.endswith(WARC_SUFFIXES) and p.is_file())
            elif path.is_file():
                found.append(path)
        if not found:
            raise FileNotFoundError(f"{pattern}: no WARC file there")
        paths += [str(path.resolve()) for path in found]
    return list(dict.fromkeys(paths))


def read_warc(path: str) -> Iterator[Extracted | Skipped]:
    """Every response record of one WARC file, understood or skipped with a reason (runs in a Spark task)."""
    for item in iter_warc_records(path):
        if isinstance(item, InputError):
            yield Skipped(item.path, "damaged WARC", item.reason)
        elif isinstance(item, SkippedRecord):
            yield Skipped(item.origin, item.reason)
        else:
            origin = item.origin or item.url or "<record>"
            try:
                article = understand(item)
            except NothingExtracted as nothing:
                yield Skipped(origin, f"no article: {nothing}")
                continue
            except (
                Exception
            ) as error:  # a page that breaks the extractor is skipped, as `diemtin ingest` does
                yield Skipped(origin, f"failed: {type(error).__name__}", str(error))
                continue
            keys = dedup_keys(article)
            yield Extracted(
                article, keys.canonical_key, keys.content_hash, keys.text_key, keys.signature, keys.bands
            )


def newer_version(first: Kept, second: Kept) -> Kept:
    """Two versions of one URL: keep the one with a body, then the latest seen (as the store does)."""

    def rank(kept: Kept) -> tuple[bool, float, str]:
        article = kept.extracted.article
        return bool(article.body), version_time(article) or -math.inf, kept.extracted.content_hash

    newest = max(first, second, key=rank)
    if rank(first) == rank(second):  # the same page read twice: keep one whatever the order of arrival
        newest = min(first, second, key=lambda kept: kept.extracted.article.provenance.input or "")
    return Kept(newest.extracted, first.contents | second.contents, newest.copies)


def publication_rank(kept: Kept) -> tuple[float, str]:
    """Publication order (fetch time when unknown, then canonical URL): the earliest is the one kept."""
    article = kept.extracted.article
    moment = article.published or article.provenance.fetched_at
    return moment.timestamp() if moment else math.inf, kept.extracted.canonical_key


def first_published(first: Kept, second: Kept) -> Kept:
    """One text under two URLs, or two near copies: the earliest published is the article, the other
    (with its own copies) one of its copies."""
    keep, other = sorted((first, second), key=publication_rank)
    article = other.extracted.article
    copy = Copy(article.provenance.input, article.url, article.outlet or article.source)
    return Kept(keep.extracted, keep.contents, [*keep.copies, copy, *other.copies])


def band_entries(pair: tuple[str, Kept]) -> list[tuple[int, BandEntry]]:
    """(band, entry) for each LSH band of an article kept by the exact step (keyed by its text key)."""
    text_key, kept = pair
    extracted = kept.extracted
    if extracted.signature is None:
        return []
    node = (*publication_rank(kept), text_key)
    return [(band, (node, extracted.signature, extracted.article.published)) for band in extracted.bands]


def near_pairs(band: tuple[int, Iterable[BandEntry]]) -> list[NearPair]:
    """The pairs of one band's members similar enough and published close enough to be copies."""
    members = sorted(band[1], key=lambda entry: entry[0])
    if len(members) > MAX_BAND_SIZE:
        return []
    pairs = []
    for index, (first, signature, published) in enumerate(members):
        for second, other_signature, other_published in members[index + 1 :]:
            score = similarity(signature, other_signature)
            if score >= NEAR_THRESHOLD and within_window(published, other_published):
                pairs.append((first, second, score))
    return pairs


def near_copies(pairs: Iterable[NearPair]) -> dict[str, str]:
    """Text key of each near copy -> text key of the article it folds into, by the store's rule replayed in
    publication order: an article is a copy of the most similar earlier one that is still an article (the
    earliest on a tie), else it stays an article. Not connected components: like the store, a copy of a
    copy that is unlike the article, or published outside the window, stays an article of its own."""
    earlier: dict[Node, list[tuple[Node, float]]] = defaultdict(list)
    for first, second, score in pairs:
        earlier[second].append((first, score))
    into: dict[str, str] = {}
    for node in sorted(earlier):  # every earlier article of a node comes before it: already decided
        articles = [(other, score) for other, score in sorted(earlier[node]) if other[2] not in into]
        if articles:
            into[node[2]] = max(articles, key=lambda candidate: candidate[1])[0][2]
    return into


def stored(kept: Kept, ingested_at: datetime) -> StoredArticle:
    """The StoredArticle the export writes: one story per article, copies in URL order."""
    article = kept.extracted.article
    copies = sorted(kept.copies, key=lambda copy: (copy.url or "", copy.input or ""))
    story_id = article.id or article.compute_id()
    return StoredArticle(article, story_id, copies, revision=len(kept.contents), ingested_at=ingested_at)


def _outcome(item: Extracted | Skipped) -> str:
    return "article" if isinstance(item, Extracted) else item.reason


def _extracted(item: Extracted | Skipped) -> list[tuple[str, Kept]]:
    if isinstance(item, Skipped):
        return []
    return [(item.canonical_key, Kept(item, frozenset([item.content_hash])))]


def _skipped(item: Extracted | Skipped) -> list[tuple[str, str, str]]:
    return [(item.origin, item.reason, item.detail)] if isinstance(item, Skipped) else []


def _by_text(pair: tuple[str, Kept]) -> tuple[str, Kept]:
    canonical_key, kept = pair
    return kept.extracted.text_key or f"url:{canonical_key}", kept  # a text too short to trust stays alone


def run(
    spark: SparkSession,
    inputs: Sequence[str],
    out: str,
    *,
    ingested_at: datetime | None = None,
    select: export.Selection | None = None,
    redact: bool = False,
) -> JobReport:
    """Read the WARC files, write ``<out>/articles`` and ``<out>/skipped`` (Parquet), return the counts.
    ``out`` must not exist yet. As ``export`` does, only the articles in ``select`` are written, with e-mail
    addresses and phone numbers replaced when ``redact``."""
    paths = warc_paths(inputs)
    ingested_at = ingested_at or datetime.now(UTC)
    records = spark.sparkContext.parallelize(paths, len(paths)).flatMap(read_warc)
    records.persist(StorageLevel.MEMORY_AND_DISK)  # read and understood once, then counted, grouped, listed
    texts = records.flatMap(_extracted).reduceByKey(newer_version).map(_by_text).reduceByKey(first_published)
    texts.persist(StorageLevel.MEMORY_AND_DISK)  # the articles after the exact step: banded, then folded
    try:
        counts = Counter(records.map(_outcome).countByValue())
        # Only the candidate pairs at the threshold reach the driver, about one per near copy: few enough to
        # resolve there with a plain loop.
        pairs = texts.flatMap(band_entries).groupByKey().flatMap(near_pairs).distinct().collect()
        folded = near_copies(pairs)
        into = spark.sparkContext.broadcast(folded)
        kept = (
            texts.map(lambda pair: (into.value.get(pair[0], pair[0]), pair[1]))
            .reduceByKey(first_published)  # an article is earlier than each of its near copies
            .values()
        )
        articles_kept = kept.map(lambda k: stored(k, ingested_at))
        if select is not None:
            articles_kept = articles_kept.filter(lambda article: article in select)
        if redact:
            articles_kept = articles_kept.map(export.redacted_stored)
        rows = articles_kept.map(export.parquet_row)
        spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")  # UTC, as pyarrow writes
        articles = spark.createDataFrame(rows, schema=from_arrow_schema(export.SCHEMA))
        articles.write.option("compression", "zstd").parquet(f"{out}/{ARTICLES}")
        skipped = spark.createDataFrame(records.flatMap(_skipped), schema=SKIPPED_SCHEMA)
        skipped.write.option("compression", "zstd").parquet(f"{out}/{SKIPPED}")
    finally:
        records.unpersist()
        texts.unpersist()
    written = spark.read.parquet(f"{out}/{ARTICLES}").selectExpr("count(*)", "sum(size(copies))").first()
    assert written is not None  # an aggregate always has one row
    return JobReport(counts, written[0], written[1] or 0, len(folded))


if __name__ == "__main__":  # python -m diemtin.scale.warc_job, or spark-submit with this file's path
    from diemtin.cli import spark_extract

    spark_extract()
