"""Exported articles read back: the JSONL and Parquet records of ``diemtin export`` and ``diemtin
spark-extract`` as Articles with their copies, and loaded into a store (``diemtin import``).

Nothing is extracted again: a record is the Article it was written from. The store still decides whether
it is new, a revision or a duplicate of what it holds, and files it into a story; the record's own
``story_id``, ``revision`` and ``ingested_at`` belong to the store or job that wrote it and are not carried
over. Parquet keeps instants in UTC, so they come back at Vietnam's +07:00, the offset its outlets publish
in; a JSON time without an offset is taken as Vietnam time too.
"""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

import pyarrow as pa
import pyarrow.parquet as pq

from diemtin.article import Article
from diemtin.extract.dates import VN_TZ
from diemtin.ingest.files import STDIN, input_files
from diemtin.ingest.pipeline import IngestReport, categorise, store_each
from diemtin.ingest.warc import InputError
from diemtin.store.base import Copy, DatabaseLost, Store, UpsertResult

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
REQUIRED_COLUMNS = frozenset({"title", "body"})  # a Parquet file without them is not an export
TEXT_FIELDS = ("id", "url", "title", "lead", "outlet", "source", "section", "category")
LIST_FIELDS = ("body", "captions", "authors", "tags", "section_path")
PARQUET_SUFFIX = ".parquet"
ROWS_PER_BATCH = 500  # Parquet rows decoded at a time


@dataclass(slots=True)
class Record:
    """One exported article and the pages that collapsed into it."""

    article: Article
    copies: list[Copy] = field(default_factory=list)
    origin: str = ""  # "file:line" or "file#row", for messages


def iter_records(paths: Iterable[str | Path]) -> Iterator[Record | InputError]:
    """Records from JSONL and Parquet files, folders of them (Spark's part files included) in sorted order,
    and JSONL on stdin (``-``). A file or a line that cannot be read gives an InputError in the stream."""
    for name in paths:
        if str(name) == STDIN:
            yield from _jsonl_records(sys.stdin.buffer, "<stdin>")
            continue
        for file in input_files(Path(name), _is_export, "no .jsonl or .parquet files in this folder"):
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
        with _open_bytes(path) as stream:
            yield from _jsonl_records(stream, str(path))
    except (OSError, EOFError, zlib.error) as error:
        yield InputError(str(path), f"cannot read: {error}")


def _jsonl_records(lines: Iterable[bytes], name: str) -> Iterator[Record | InputError]:
    """One record per line; a line that is not UTF-8 JSON is reported on its own (a BOM is allowed)."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        origin = f"{name}:{number}"
        try:
            data = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as error:
            yield InputError(origin, f"not UTF-8: {error.reason} at byte {error.start}")
        except ValueError as error:
            yield InputError(origin, f"not JSON: {error}")
        else:
            yield _record(data, origin)


def _open_bytes(path: Path) -> BinaryIO:
    if path.name.endswith(".gz"):
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def _from_parquet(path: Path) -> Iterator[Record | InputError]:
    try:
        table = pq.ParquetFile(path)
        missing = REQUIRED_COLUMNS - set(table.schema_arrow.names)
        if missing:
            yield InputError(str(path), f"not a diemtin export: no {', '.join(sorted(missing))} column")
            return
        row = 0
        for batch in table.iter_batches(batch_size=ROWS_PER_BATCH):
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
        _check_shape(data)
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


def _check_shape(data: dict[str, Any]) -> None:
    """Raise TypeError unless ``data`` looks like an exported article: some title or body, text fields as
    text and list fields as lists of text."""
    for name in TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise TypeError(f"{name} must be text")
    for name in LIST_FIELDS:
        value = data.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise TypeError(f"{name} must be a list of texts")
    if not data.get("title") and not data.get("body"):
        raise TypeError("no title and no body")


def _at_home(value: Any) -> str | None:
    """A time as ISO 8601 with its offset: a Parquet timestamp (kept in UTC) goes back to Vietnam time,
    +07:00; a JSON time keeps its offset, and one written without an offset is taken as Vietnam time."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(VN_TZ).isoformat()
    if not isinstance(value, str):
        raise TypeError(f"a time must be ISO 8601 text, not {value!r}")
    moment = datetime.fromisoformat(value)
    return (moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment).isoformat()


def import_records(
    records: Iterable[Record | InputError],
    store: Store,
    *,
    on_record: Callable[[Record | InputError, UpsertResult | None], None] | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Store each record (deduplicated and grouped like an ingested page) with its copies; a bad record or
    file is logged, counted and skipped. A ``report`` given is filled as the run goes."""
    return store_each(records, store, _store, on_record, report)


def _store(record: Record, store: Store, report: IngestReport) -> UpsertResult | None:
    try:
        result = store.add(categorise(record.article))
        if record.copies:
            store.add_copies(result.article_id, record.copies)
    except DatabaseLost:
        raise  # not this record's fault: every record after it would fail the same way
    except Exception as error:
        report.fail(record.origin, f"{type(error).__name__}: {error}")
        return None
    report.statuses[result.status] += 1
    return result
