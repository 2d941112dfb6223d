"""Corpus export: the stored articles (all, or a ``Selection`` of them) as JSONL or Parquet, with category,
story id, provenance and copies.

Each record is the Article (DESIGN.md section 3 field names) plus ``story_id``, ``revision``, ``ingested_at``
and ``copies``: one entry (input, url, outlet) for every other page that collapsed into the article.
JSONL keeps datetimes as ISO 8601 with their offset; Parquet stores them as UTC timestamps.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from diemtin.redact import redacted
from diemtin.store.base import Store, StoredArticle
from diemtin.store.common import listed_outlet
from diemtin.textnorm import vietnamese_share

ExportFormat = Literal["jsonl", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "parquet")
BATCH = 1000  # Parquet rows per written batch
PROGRESS_EVERY = 500  # articles read between two progress reports
# A text is Vietnamese from this share of Vietnamese words written with marks on
# (``textnorm.vietnamese_share``: Vietnamese news reads 0.37 and more, English 0.06 and less).
VIETNAMESE_SHARE = 0.2

_TEXT = pa.string()
_TEXTS = pa.list_(pa.string())
_TIME = pa.timestamp("us", tz="UTC")

SCHEMA = pa.schema(
    [
        ("id", _TEXT),
        ("url", _TEXT),
        ("site", _TEXT),
        ("outlet", _TEXT),
        ("section", _TEXT),
        ("section_path", _TEXTS),
        ("category", _TEXT),
        ("title", _TEXT),
        ("lead", _TEXT),
        ("body", _TEXTS),
        ("captions", _TEXTS),
        ("authors", _TEXTS),
        ("source", _TEXT),
        ("published", _TIME),
        ("modified", _TIME),
        ("tags", _TEXTS),
        ("images", pa.list_(pa.struct([("url", _TEXT), ("caption", _TEXT)]))),
        (
            "related",
            pa.list_(pa.struct([("title", _TEXT), ("url", _TEXT), ("date", _TEXT), ("kind", _TEXT)])),
        ),
        (
            "provenance",
            pa.struct(
                [
                    ("input", _TEXT),
                    ("input_kind", _TEXT),
                    ("input_hash", _TEXT),
                    ("extractor", _TEXT),
                    ("extractor_version", _TEXT),
                    ("profile", _TEXT),
                    ("fetched_at", _TIME),
                    ("warnings", _TEXTS),
                ]
            ),
        ),
        ("story_id", _TEXT),
        ("revision", pa.int32()),
        ("ingested_at", _TIME),
        ("copies", pa.list_(pa.struct([("input", _TEXT), ("url", _TEXT), ("outlet", _TEXT)]))),
    ]
)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which articles an export writes: those of a category, an outlet (as the site lists it: the outlet, or
    the source an outlet-less page credits), published in a time range (bounds included; an article with no
    publication time is left out when a bound is set), with at least ``min_words`` words of body, and, with
    ``vietnamese``, written in Vietnamese (``textnorm.vietnamese_share`` of title, lead and body at least
    VIETNAMESE_SHARE). The defaults select everything."""

    category: str | None = None
    outlet: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_words: int = 0
    vietnamese: bool = False

    def __contains__(self, stored: StoredArticle) -> bool:
        article = stored.article
        if self.category is not None and article.category != self.category:
            return False
        if self.outlet is not None and listed_outlet(article) != self.outlet:
            return False
        if self.min_words and sum(len(paragraph.split()) for paragraph in article.body) < self.min_words:
            return False
        if self.vietnamese and vietnamese_share(article.text) < VIETNAMESE_SHARE:
            return False
        if self.since is None and self.until is None:
            return True
        published = article.published
        return (
            published is not None
            and (self.since is None or published >= self.since)
            and (self.until is None or published <= self.until)
        )


def redacted_stored(stored: StoredArticle) -> StoredArticle:
    """The stored article with e-mail addresses and phone numbers replaced in its text (``redact``)."""
    return replace(stored, article=redacted(stored.article))


def record(stored: StoredArticle) -> dict[str, Any]:
    """One export record (JSON-ready: datetimes as ISO 8601 strings)."""
    data = stored.article.to_dict()
    data["story_id"] = stored.story_id
    data["revision"] = stored.revision
    data["ingested_at"] = stored.ingested_at.isoformat() if stored.ingested_at else None
    data["copies"] = [{"input": c.input, "url": c.url, "outlet": c.outlet} for c in stored.copies]
    return data


def parquet_row(stored: StoredArticle) -> dict[str, Any]:
    """One row of SCHEMA (datetimes as datetimes); the Spark job in ``scale/`` writes the same rows."""
    article = stored.article
    data = record(stored)
    data["published"] = article.published
    data["modified"] = article.modified
    data["provenance"]["fetched_at"] = article.provenance.fetched_at
    data["ingested_at"] = stored.ingested_at
    return data


def _batches(articles: Iterator[StoredArticle]) -> Iterator[list[StoredArticle]]:
    while batch := list(islice(articles, BATCH)):
        yield batch


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A file beside ``out`` to write to, which takes its place only once written whole: an export that
    fails or is killed half-way leaves ``out`` as it was (and no partial file behind, unless killed)."""
    part = out.with_name(f".{out.name}.part-{os.getpid()}")
    try:
        yield part
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def export(
    store: Store,
    format: ExportFormat,
    out: str | Path | None = None,
    *,
    select: Selection | None = None,
    redact: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the stored articles (those in ``select``, else all) to ``out`` (JSONL: stdout when ``out`` is
    None), in the order they were stored, with e-mail addresses and phone numbers replaced when ``redact``
    (``redact.redacted``); returns how many were written. ``progress`` is told how many articles were read
    and written so far."""
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: use one of {', '.join(FORMATS)}")
    if format == "parquet" and out is None:
        raise ValueError("Parquet export needs an output file (--out)")
    read = written = 0

    def selected() -> Iterator[StoredArticle]:
        nonlocal read, written
        for stored in store.iter_all():
            read += 1
            if select is None or stored in select:
                written += 1
                yield redacted_stored(stored) if redact else stored
            if progress and read % PROGRESS_EVERY == 0:
                progress(read, written)

    if out is None:  # JSONL (Parquet needs a file)
        for stored in selected():
            sys.stdout.write(json.dumps(record(stored), ensure_ascii=False) + "\n")
    elif format == "jsonl":
        with _replacing(Path(out)) as part, part.open("w", encoding="utf-8") as stream:
            for stored in selected():
                stream.write(json.dumps(record(stored), ensure_ascii=False) + "\n")
    else:
        with (
            _replacing(Path(out)) as part,
            pq.ParquetWriter(str(part), SCHEMA, compression="zstd") as writer,
        ):
            for batch in _batches(selected()):
                writer.write_table(pa.Table.from_pylist([parquet_row(s) for s in batch], schema=SCHEMA))
    if progress:
        progress(read, written)
    return written
