"""Corpus export: the stored articles (all, or a ``Selection`` of them) as JSONL or Parquet, with category,
story id, provenance and copies.

Each record is the Article (DESIGN.md section 3 field names) plus ``story_id``, ``revision``, ``ingested_at``
and ``copies``: one entry (input, url, outlet) for every other page that collapsed into the article; with
``Extras``, also ``text`` (title, lead and body in one string) and ``split`` (train, dev, test...), drawn per
story so that reports of one event never sit on both sides of an evaluation. JSONL keeps datetimes as ISO
8601 with their offset; Parquet stores them as UTC timestamps.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
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


@dataclass(frozen=True, slots=True)
class Split:
    """Named shares of a corpus ("train=0.8,dev=0.1,test=0.1"). Each story goes whole to one part, chosen by
    a hash of its id: reports of one event, near copies included, never straddle two parts, and the same
    stories give the same parts in every export. The shares hold for stories, so for articles only roughly.
    """

    parts: tuple[tuple[str, float], ...]

    @classmethod
    def parse(cls, spec: str) -> Split:
        """Read "train=0.8,dev=0.1,test=0.1" (the shares are scaled to sum to 1); ValueError if unreadable."""
        parts = []
        for item in spec.split(","):
            name, equals, share = item.partition("=")
            name = name.strip()
            if not equals or not _SPLIT_NAME.fullmatch(name):
                raise ValueError(f"{item.strip()!r} is not name=share (e.g. train=0.8)")
            try:
                value = float(share)
            except ValueError:
                raise ValueError(f"{share.strip()!r} is not a number") from None
            if not value > 0 or value == float("inf"):
                raise ValueError(f"the share of {name} must be above 0")
            parts.append((name, value))
        names = [name for name, _ in parts]
        if len(parts) < 2 or len(set(names)) != len(names):
            raise ValueError("give two or more parts, each name once")
        total = sum(value for _, value in parts)
        return cls(tuple((name, value / total) for name, value in parts))

    def of(self, story_id: str) -> str:
        """The part a story falls in."""
        digest = hashlib.blake2b(story_id.encode("utf-8"), digest_size=8, person=b"diemtin-split").digest()
        point = int.from_bytes(digest, "big") / 2**64
        for name, share in self.parts[:-1]:
            if point < share:
                return name
            point -= share
        return self.parts[-1][0]


_SPLIT_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True, slots=True)
class Extras:
    """Fields an export adds to each record when asked: ``text``, the title, lead and body joined by line
    breaks (the field that training tools such as datatrove or Hugging Face datasets read), and ``split``,
    the article's part of a ``Split``."""

    text: bool = False
    split: Split | None = None

    def schema(self) -> pa.Schema:
        """SCHEMA with the added fields."""
        schema = SCHEMA.append(pa.field("text", _TEXT)) if self.text else SCHEMA
        return schema.append(pa.field("split", _TEXT)) if self.split else schema

    def add_to(self, data: dict[str, Any], stored: StoredArticle) -> None:
        if self.text:
            data["text"] = stored.article.text
        if self.split:
            data["split"] = self.split.of(stored.story_id)


NO_EXTRAS = Extras()


def redacted_stored(stored: StoredArticle) -> StoredArticle:
    """The stored article with e-mail addresses and phone numbers replaced in its text (``redact``)."""
    return replace(stored, article=redacted(stored.article))


def record(stored: StoredArticle, extras: Extras = NO_EXTRAS) -> dict[str, Any]:
    """One export record (JSON-ready: datetimes as ISO 8601 strings), with the ``extras`` asked for."""
    data = stored.article.to_dict()
    data["story_id"] = stored.story_id
    data["revision"] = stored.revision
    data["ingested_at"] = stored.ingested_at.isoformat() if stored.ingested_at else None
    data["copies"] = [{"input": c.input, "url": c.url, "outlet": c.outlet} for c in stored.copies]
    extras.add_to(data, stored)
    return data


def parquet_row(stored: StoredArticle, extras: Extras = NO_EXTRAS) -> dict[str, Any]:
    """One row of ``extras.schema()`` (datetimes as datetimes); the Spark job in ``scale/`` writes the same
    rows of SCHEMA."""
    article = stored.article
    data = record(stored, extras)
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
    extras: Extras = NO_EXTRAS,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the stored articles (those in ``select``, else all) to ``out`` (JSONL: stdout when ``out`` is
    None), in the order they were stored, with e-mail addresses and phone numbers replaced when ``redact``
    (``redact.redacted``) and the ``extras`` fields; returns how many were written. ``progress`` is told
    how many articles were read and written so far."""
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
            sys.stdout.write(json.dumps(record(stored, extras), ensure_ascii=False) + "\n")
    elif format == "jsonl":
        with _replacing(Path(out)) as part, part.open("w", encoding="utf-8") as stream:
            for stored in selected():
                stream.write(json.dumps(record(stored, extras), ensure_ascii=False) + "\n")
    else:
        schema = extras.schema()
        with (
            _replacing(Path(out)) as part,
            pq.ParquetWriter(str(part), schema, compression="zstd") as writer,
        ):
            for batch in _batches(selected()):
                rows = [parquet_row(stored, extras) for stored in batch]
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    if progress:
        progress(read, written)
    return written
