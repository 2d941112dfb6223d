"""Exported articles read back: the JSONL and Parquet records of ``diemtin export`` and ``diemtin
spark-extract`` as Articles with their copies, and loaded into a store (``diemtin import``).

Nothing is extracted again: a record is the Article it was written from. The store still decides whether
it is new, a revision or a duplicate of what it holds, and files it into a story; the record's own
``story_id`` and ``revision`` belong to the store or job that wrote it and are not carried over. Parquet
keeps instants in UTC, so they come back at Vietnam's +07:00, the offset its outlets publish in.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from diemtin.article import Article
from diemtin.extract.dates import VN_TZ
from diemtin.ingest.files import input_files
from diemtin.ingest.pipeline import IngestReport, categorise, store_each
from diemtin.ingest.warc import InputError
from diemtin.store.base import Copy, Store, UpsertResult

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
PARQUET_SUFFIX = ".parquet"
ROWS_PER_BATCH = 500  # Parquet rows decoded at a time


@dataclass(slots=True)
class Record:
    """One exported article and the pages that collapsed into it."""

    article: Article
    copies: list[Copy] = field(default_factory=list)
    origin: str = ""  # "file:line" or "file#row", for messages


def iter_records(paths: Iterable[str | Path]) -> Iterator[Record | InputError]:
    """Records from JSONL and Parquet files, and from folders of them (Spark's part files included), in
    sorted order. A file or a line that cannot be read gives an InputError in the stream."""
    for path in map(Path, paths):
        for file in input_files(path, _is_export, "no .jsonl or .parquet files in this folder"):
            if isinstance(file, InputError):
                yield file
            else:
                yield from _from_file(file)


def _is_export(file: Path) -> bool:
    """A JSONL or Parquet file, not Spark's bookkeeping (_SUCCESS, _committed_...)."""
    return not file.name.startswith("_") and _kind(file) is not None


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIX):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return None


def _from_file(path: Path) -> Iterator[Record | InputError]:
    kind = _kind(path)
    if kind is None:
        yield InputError(str(path), "not an export: expected a .jsonl or .parquet file")
    elif kind == "parquet":
        yield from _from_parquet(path)
    else:
        yield from _from_jsonl(path)


def _from_jsonl(path: Path) -> Iterator[Record | InputError]:
    try:
        with _open_text(path) as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                origin = f"{path}:{number}"
                try:
                    data = json.loads(line)
                except ValueError as error:
                    yield InputError(origin, f"not JSON: {error}")
                    continue
                yield _record(data, origin)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        yield InputError(str(path), f"cannot read: {error}")


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _from_parquet(path: Path) -> Iterator[Record | InputError]:
    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=ROWS_PER_BATCH)
        row = 0
        for batch in batches:
            for data in batch.to_pylist():
                yield _record(data, f"{path}#{row}")
                row += 1
    except (OSError, pa.ArrowException) as error:
        yield InputError(str(path), f"cannot read Parquet: {error}")


def _record(data: Any, origin: str) -> Record | InputError:
    """One record from its decoded JSON object or Parquet row; a malformed one is an InputError."""
    try:
        if not isinstance(data, dict):
            raise TypeError("a record must be an object")
        data = dict(data)
        for name in ("published", "modified"):
            data[name] = _at_home(data.get(name))
        provenance = dict(data.get("provenance") or {})
        provenance["fetched_at"] = _at_home(provenance.get("fetched_at"))
        data["provenance"] = provenance
        article = Article.from_dict(data)
        copies = [Copy(c.get("input"), c.get("url"), c.get("outlet")) for c in data.get("copies") or []]
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        return InputError(origin, f"not an article record: {error}")
    return Record(article, copies, origin)


def _at_home(value: Any) -> Any:
    """A Parquet timestamp (UTC) as Vietnam time; ISO strings and None pass through."""
    return value.astimezone(VN_TZ).isoformat() if isinstance(value, datetime) else value


def import_records(
    records: Iterable[Record | InputError],
    store: Store,
    *,
    on_record: Callable[[Record | InputError, UpsertResult | None], None] | None = None,
) -> IngestReport:
    """Store each record (deduplicated and grouped like an ingested page) with its copies; a bad record or
    file is logged, counted and skipped."""
    return store_each(records, store, _store, on_record)


def _store(record: Record, store: Store, report: IngestReport) -> UpsertResult | None:
    try:
        result = store.add(categorise(record.article))
        if record.copies:
            store.add_copies(result.article_id, record.copies)
    except Exception as error:
        report.fail(record.origin, f"{type(error).__name__}: {error}")
        return None
    report.statuses[result.status] += 1
    return result
