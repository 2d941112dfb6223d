"""File input: saved pages, text dumps and WARC archives on disk (or stdin) as a stream of Pages.

``iter_pages`` takes files, folders (walked recursively, in sorted order) and ``-`` for stdin. Whether a
file is HTML, a text dump or a WARC archive is read from its content (gzip is undone first); the file name
only chooses which files of a folder are inputs. A file that cannot be read gives an InputError (path and
reason) in the stream; nothing here raises on bad input.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from diemtin.article import Page, PageKind
from diemtin.extract.sniff import detect_kind
from diemtin.ingest.warc import InputError, iter_warc

# File names a folder walk picks up; files named on the command line are read whatever their name.
INPUT_SUFFIXES = (".html", ".htm", ".txt", ".warc", ".html.gz", ".htm.gz", ".txt.gz", ".warc.gz", ".arc.gz")
STDIN = "-"
GZIP_MAGIC = b"\x1f\x8b"
WARC_MAGIC = b"WARC/"


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
        head = _head(path)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        yield InputError(str(path), _reason(error))
        return
    if head.startswith(WARC_MAGIC):
        yield from iter_warc(path)
        return
    try:
        data = path.read_bytes()
        if data.startswith(GZIP_MAGIC):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        yield InputError(str(path), _reason(error))
        return
    yield from _from_bytes(data, str(path), url)


def _from_bytes(data: bytes, origin: str, url: str | None) -> Iterator[Page | InputError]:
    if data.startswith(WARC_MAGIC):
        yield InputError(origin, "a WARC archive must be given as a file, not on stdin")
    elif not data.strip():
        yield InputError(origin, "empty input")
    else:
        kind: PageKind = "html" if detect_kind(data) == "html" else "text"
        yield Page(content=data, kind=kind, url=url, origin=origin)


def _head(path: Path, size: int = 16) -> bytes:
    """The first bytes of a file, after gzip when it is gzip'd."""
    with path.open("rb") as handle:
        head = handle.read(size)
    if head.startswith(GZIP_MAGIC):
        with gzip.open(path, "rb") as handle:
            head = handle.read(size)
    return head


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    if isinstance(error, EOFError | zlib.error | gzip.BadGzipFile):
        return f"damaged gzip data: {error}" if str(error) else "damaged gzip data"
    return str(error) or type(error).__name__


__all__ = ["InputError", "iter_pages"]
