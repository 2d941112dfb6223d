"""File input: saved pages, text dumps and WARC archives on disk (or stdin) as a stream of Pages.

``iter_pages`` takes files, folders (walked recursively, in sorted order) and ``-`` for stdin. Whether a
file is HTML, a text dump or a WARC archive is read from its content (gzip is undone first); the file name
only chooses which files of a folder are inputs. A file that cannot be read, is empty, holds binary data or
is bigger than a page can be (MAX_RECORD_BYTES, as for WARC records) gives an InputError (path and reason)
in the stream; nothing here raises on bad input.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from diemtin.article import Page, PageKind
from diemtin.extract.sniff import UTF16_BOMS, detect_kind
from diemtin.ingest.warc import MAX_RECORD_BYTES, InputError, iter_warc

# File names a folder walk picks up; files named on the command line are read whatever their name.
INPUT_SUFFIXES = (".html", ".htm", ".txt", ".warc", ".html.gz", ".htm.gz", ".txt.gz", ".warc.gz", ".arc.gz")
STDIN = "-"
GZIP_MAGIC = b"\x1f\x8b"
WARC_MAGIC = b"WARC/"
BINARY_SNIFF_BYTES = 8000  # a NUL byte in the first 8000 bytes means binary data, as git decides


def iter_pages(paths: Iterable[str | Path], *, url: str | None = None) -> Iterator[Page | InputError]:
    """Pages from files, folders and stdin, in the order given; ``url`` goes on every page not from a WARC."""
    for path in paths:
        if str(path) == STDIN:
            yield from _from_bytes(sys.stdin.buffer.read(), "<stdin>", url)
            continue
        for file in input_files(Path(path), _is_input, "no .html, .htm, .txt or .warc files in this folder"):
            if isinstance(file, InputError):
                yield file
            else:
                yield from _from_file(file, url)


def input_files(path: Path, wanted: Callable[[Path], bool], none_found: str) -> Iterator[Path | InputError]:
    """The file itself, or the ``wanted`` files under a folder, recursively, sorted (hidden files left out);
    an InputError when there is nothing."""
    if path.is_dir():
        files = [
            file
            for file in sorted(path.rglob("*"))
            if file.is_file() and not file.name.startswith(".") and wanted(file)
        ]
        if not files:
            yield InputError(str(path), none_found)
        yield from files
    elif path.exists():
        yield path
    else:
        yield InputError(str(path), "no such file or folder")


def _is_input(file: Path) -> bool:
    return file.name.lower().endswith(INPUT_SUFFIXES)


def _from_file(path: Path, url: str | None) -> Iterator[Page | InputError]:
    try:
        with _open(path) as handle:
            head = handle.read(len(WARC_MAGIC))
            # read no further than a page can be, as for WARC records: not a whole disk image
            data = b"" if head == WARC_MAGIC else head + handle.read(MAX_RECORD_BYTES + 1 - len(head))
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        yield InputError(str(path), _reason(error))
        return
    if head == WARC_MAGIC:
        yield from iter_warc(path)
    elif len(data) > MAX_RECORD_BYTES:
        yield InputError(str(path), f"not read: over {MAX_RECORD_BYTES // 2**20} MB, too big for a page")
    else:
        yield from _from_bytes(data, str(path), url)


def _from_bytes(data: bytes, origin: str, url: str | None) -> Iterator[Page | InputError]:
    if data.startswith(WARC_MAGIC):
        yield InputError(origin, "a WARC archive must be given as a file, not on stdin")
    elif not data.strip():
        yield InputError(origin, "empty input")
    elif b"\x00" in data[:BINARY_SNIFF_BYTES] and not data.startswith(UTF16_BOMS):
        yield InputError(origin, "binary data (NUL bytes), not a page or a text dump")
    else:
        kind: PageKind = "html" if detect_kind(data) == "html" else "text"
        yield Page(content=data, kind=kind, url=url, origin=origin)


def _open(path: Path) -> gzip.GzipFile | io.BufferedReader:
    """The file for reading, through gzip when it is gzip'd."""
    with path.open("rb") as handle:
        gzipped = handle.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    if isinstance(error, EOFError | zlib.error | gzip.BadGzipFile):
        return f"damaged gzip data: {error}" if str(error) else "damaged gzip data"
    return str(error) or type(error).__name__


__all__ = ["InputError", "iter_pages"]
