"""The ``diemtin`` command: parses arguments, calls the pipeline stages, shows progress. Nothing else.

Each subcommand is a thin function; the work happens in the stage modules it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from diemtin import __version__
from diemtin.extract.dates import VN_TZ
from diemtin.group.taxonomy import CATEGORIES

if TYPE_CHECKING:
    from diemtin.ingest.crawler.fetch import FetchOptions
    from diemtin.ingest.pipeline import IngestReport
    from diemtin.store.base import Store

_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M"]  # what --since and --until take
PROGRESS_MIN_FILES = 20  # `extract` shows a progress counter past this many paths (or for folders and WARCs)
INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (SIGINT), as shells report it


class _Commands(click.Group):
    """The command group: Ctrl-C stops any command with one line on stderr and exit status 130 (click's
    own answer is "Aborted!" and 1); a database that stops answering, where the command says nothing more
    fitting, with one line and exit status 1."""

    def invoke(self, ctx: click.Context) -> object:
        from diemtin.store.base import DatabaseLost

        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise SystemExit(INTERRUPTED) from None
        except DatabaseLost as lost:
            raise click.ClickException(f"the database stopped answering ({lost})") from None


@click.group(
    cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="diemtin")
def main() -> None:
    """diemtin: crawl, extract, group, store and serve Vietnamese news.

    \b
    Typical use:
      diemtin extract page.html            one page to JSON
      diemtin ingest ./pages               extract, group and store into the database
      diemtin serve                        the website, search, feeds and JSON API
      diemtin crawl --max-pages 100        fetch new articles politely (WARC kept)
      diemtin run                          crawl on schedule and serve, until SIGTERM
      diemtin export --format parquet --out corpus.parquet
      diemtin spark-extract --out corpus/ crawl/*.warc.gz   WARC archives to Parquet on Spark
      diemtin import corpus/articles       load exported JSONL / Parquet articles into the database
      diemtin regroup                      re-cluster the stored stories
      diemtin stats                        what the database holds, in figures
      diemtin classify --scores 3 text.txt the category a text belongs to, with the runners-up

    The database is DIEMTIN_DB (a file or a postgresql:// URL), else diemtin.db under DIEMTIN_DATA
    (~/.local/share/diemtin).
    Each command has --help.
    """


def _not_empty(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value == "":
        raise click.BadParameter("empty: give a SQLite file or a postgresql:// URL")
    return value


_db_option = click.option(
    "--db",
    "database",
    default=None,
    callback=_not_empty,
    help="SQLite file or postgresql:// URL (default: DIEMTIN_DB, else diemtin.db in the data dir).",
)


def _open_store(database: str | None, *, create: bool) -> Store:
    """The store of --db, or a one-line error (exit 1). A command that only reads (``create=False``) refuses a
    SQLite file that does not exist rather than create an empty one."""
    from diemtin.store import NoDatabase, StoreUnavailable, open_store

    try:
        return open_store(database, create=create)
    except NoDatabase as missing:
        raise click.ClickException(f"{missing}: run `diemtin ingest` first") from None
    except StoreUnavailable as error:
        raise click.ClickException(str(error)) from None


@main.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--access-log/--no-access-log", default=False, show_default=True, help="Log every request.")
def serve(database: str | None, host: str, port: int, access_log: bool) -> None:
    """Serve the website, search, RSS/Atom feeds and the JSON API (/api/, /openapi.json)."""
    from diemtin.serve.app import run

    run(_open_store(database, create=False), host=host, port=port, access_log=access_log)


def _fetch_options(delay: float | None, concurrency: int | None, proxy: str | None) -> FetchOptions:
    """Crawler network options: the configured defaults with the command line's overrides."""
    from diemtin.config import settings
    from diemtin.ingest.crawler.fetch import FetchOptions

    return FetchOptions.from_settings(settings(), delay=delay, concurrency=concurrency, proxy=proxy)


_crawl_network_options = [
    click.option("--delay", type=float, default=None, help="Seconds between requests to a host (default 1)."),
    click.option("--concurrency", type=int, default=None, help="Requests in flight per host (default 1)."),
    click.option("--proxy", default=None, help="HTTP proxy URL (default: HTTPS_PROXY / HTTP_PROXY)."),
    click.option(
        "--workers", type=int, default=0, show_default=True, help="Extraction processes (0: in the crawler)."
    ),
    click.option("--log-format", type=click.Choice(["kv", "json"]), default="kv", show_default=True),
]


def _with_network_options(command: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(_crawl_network_options):
        command = option(command)
    return command


@main.command()
def sources() -> None:
    """List the configured sources (outlet profiles) and how each is discovered.

    A table on a terminal; tab-separated lines under a header when piped (`diemtin sources | cut -f1`).
    Add or replace a source with a TOML file in DATA/sites/ (see `diemtin crawl --help`).
    """
    from rich.console import Console
    from rich.table import Table

    from diemtin.config import settings
    from diemtin.ingest.crawler.crawl import select_profiles

    header = ("source", "outlet", "domains", "feeds", "sitemaps", "listings", "every", "profile")
    rows = [
        (
            profile.key,
            profile.name,
            ", ".join(profile.domains),
            str(len(profile.discovery.feeds)),
            str(len(profile.discovery.sitemaps)),
            str(len(profile.discovery.listings)),
            f"{profile.discovery.schedule_minutes} min",
            "user" if profile.path and profile.path.parent == settings().profile_dir else "shipped",
        )
        for profile in select_profiles(settings())
    ]
    console = Console()
    if not console.is_terminal:  # data for the next program in the pipe
        for row in (header, *rows):
            click.echo("\t".join(row))
        return
    table = Table(*header)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@main.command()
@click.option("--source", "names", multiple=True, help="Crawl only this source (repeatable).")
@click.option("--max-pages", type=int, default=None, help="Stop after this many article pages.")
@click.option(
    "--since",
    type=click.DateTime(_DATE_FORMATS),
    default=None,
    help="Skip articles published before this date (Vietnam time).",
)
@_db_option
@_with_network_options
def crawl(
    names: tuple[str, ...],
    max_pages: int | None,
    since: datetime | None,
    database: str | None,
    delay: float | None,
    concurrency: int | None,
    proxy: str | None,
    workers: int,
    log_format: str,
) -> None:
    """Crawl the sources once: feeds, sitemaps and listings, then every new article, politely.

    The sources are the outlet profiles `diemtin sources` lists; add or replace one with a TOML file in
    DATA/sites/ (DATA: DIEMTIN_DATA, default ~/.local/share/diemtin; see docs/crawling.md). Every response
    is kept in DATA/warc/, what is fetched is stored in the database, and a stopped crawl resumes where it
    was. Loopback and private addresses are refused unless DIEMTIN_ALLOW_PRIVATE=1. The log goes to
    stderr and one key=value summary line to stdout. Exit status: 0; 1 when something failed and nothing
    at all was fetched (every source unreachable, say) or the database cannot be opened; 2 for a usage
    error, such as an unknown source.

    \b
      diemtin crawl --source vnexpress --max-pages 50 --since 2026-11-01
    """
    import asyncio

    from diemtin.config import settings
    from diemtin.ingest.crawler.crawl import run_crawl
    from diemtin.ingest.crawler.events import configure_logging

    configure_logging(log_format)
    _open_store(database, create=True).close()  # a clear error now, not a traceback from inside the crawl
    when = since.replace(tzinfo=VN_TZ) if since else None
    with _crawl_errors():
        stats = asyncio.run(
            run_crawl(
                settings(),
                database=database,
                sources=names,
                since=when,
                max_pages=max_pages,
                options=_fetch_options(delay, concurrency, proxy),
                extract_workers=workers,
            )
        )
    click.echo(" ".join(f"{key}={value}" for key, value in stats.summary().items()))
    if (stats.failed or stats.discovery_failed) and not stats.fetched:
        raise SystemExit(1)


@contextmanager
def _crawl_errors() -> Iterator[None]:
    """What stops `crawl` and `run` becomes one line: a wrong argument (exit 2), a shared frontier that cannot
    be opened or a database that stops answering (exit 1)."""
    from diemtin.ingest.crawler.frontierbase import FrontierUnavailable
    from diemtin.store.base import DatabaseLost

    try:
        yield
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except FrontierUnavailable as error:
        raise click.ClickException(str(error)) from None
    except DatabaseLost as lost:
        raise click.ClickException(
            f"the database stopped answering ({lost}); what was fetched is archived, run again to resume"
        ) from None


@main.command()
@click.option("--url", default=None, help="The page's URL (default: its canonical link or og:url).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def links(url: str | None, path: Path) -> None:
    """Print the article links of a saved listing page (HTML, gzip'd or not), one absolute URL per line on
    stdout.

    Links are found with the outlet's profile when the URL names a known outlet, else by the generic finder
    (docs/crawling.md). Exit status: 0 (also when no link is found); 1 when PATH cannot be read as a page;
    2 when PATH is missing or names no URL of its own and --url is not given.
    """
    from diemtin.config import settings
    from diemtin.ingest.crawler.links import listing_links, page_url
    from diemtin.ingest.files import InputError, iter_pages
    from diemtin.sites import profile_for

    page = next(iter_pages([path], url=url))
    if isinstance(page, InputError):
        raise click.ClickException(f"{page.path}: cannot read: {page.reason}")
    html = page.content
    base = url or page_url(html)
    if not base:
        raise click.UsageError(f"{path} names no URL of its own (canonical link, og:url): pass --url")
    for link in listing_links(html, base, profile_for(base, settings().profile_dir)):
        click.echo(link)


@main.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to serve on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to serve on.")
@click.option("--source", "names", multiple=True, help="Crawl only this source (repeatable).")
@_with_network_options
def run(
    database: str | None,
    host: str,
    port: int,
    names: tuple[str, ...],
    delay: float | None,
    concurrency: int | None,
    proxy: str | None,
    workers: int,
    log_format: str,
) -> None:
    """The service: crawl every source on its schedule and serve the website and API until SIGTERM/SIGINT."""
    import asyncio

    from diemtin.config import settings
    from diemtin.ingest.crawler.events import configure_logging
    from diemtin.service import run_service

    configure_logging(log_format)
    _open_store(database, create=True).close()  # a clear error now, not a traceback from inside the service
    with _crawl_errors():
        asyncio.run(
            run_service(
                settings(),
                database=database,
                host=host,
                port=port,
                sources=names,
                options=_fetch_options(delay, concurrency, proxy),
                extract_workers=workers,
            )
        )


@main.command()
@click.option("--url", default=None, help="The page's URL, when it is not in the page (one input only).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "json", "text", "markdown"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per line; json: one array; text / markdown: for reading.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="Output file."
)
@click.option("-v", "--verbose", is_flag=True, help="Also log skipped WARC records and extraction details.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
def extract(url: str | None, output_format: str, output: str, verbose: bool, paths: tuple[str, ...]) -> None:
    """Extract articles from saved pages, text dumps, folders and WARC files; no database needed.

    PATH is an .html/.htm page, a text dump (.txt), any of those gzip'd, a .warc/.warc.gz archive (every HTML
    response in it), a folder (walked recursively), or - for stdin. Whether a file is HTML or a text dump is
    read from its content. One article per page is written to stdout (or -o), normalised (NFC, invisible
    characters and mojibake removed); an input that cannot be read, or a page with no article (a listing, an
    empty page), is reported on stderr and the run goes on. Exit status: 0; 1 when an input could not be
    read or failed, or when no article at all was extracted; 2 for a usage error; 130 on Ctrl-C.

    \b
    Examples:
      diemtin extract page.html                       one JSON line
      diemtin extract --format markdown page.html     read it
      diemtin extract src/diemtin/demo -o demo.jsonl  a folder, to a file
      diemtin extract --format json crawl.warc.gz     a WARC archive as one JSON array
      curl -s URL | diemtin extract --url URL -       a page from stdin
    """
    import logging
    import sys

    from diemtin.ingest.files import InputError, iter_pages
    from diemtin.ingest.pipeline import NothingExtracted, understand
    from diemtin.render import writer_for

    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(name)s: %(message)s")
    if url and len(paths) > 1:
        raise click.UsageError("--url names one page: give one PATH with it")
    extracted = failed = 0  # failed: inputs that could not be read, or whose extraction broke
    try:
        with click.open_file(output, "w", encoding="utf-8") as stream, _progress(paths) as (advance, say):
            writer = writer_for(output_format, stream)  # type: ignore[arg-type]
            for item in iter_pages(paths, url=url):
                if isinstance(item, InputError):
                    say(f"{item.path}: cannot read: {item.reason}")
                    failed += 1
                    continue
                try:
                    article = understand(item)
                except NothingExtracted as reason:  # a listing or an empty page: said, not an error
                    say(f"{item.origin}: no article: {reason}")
                except Exception as error:  # one bad page never stops the run
                    say(f"{item.origin}: no article: {type(error).__name__}: {error}")
                    failed += 1
                else:
                    writer.write(article)
                    extracted += 1
                advance()
            writer.close()
    except OSError as error:  # the output (the inputs' errors are InputErrors above)
        if isinstance(error, BrokenPipeError):
            raise  # the reader stopped (`| head`): click exits quietly
        target = "stdout" if output == "-" else output
        raise click.ClickException(f"cannot write {target}: {error.strerror or error}") from None
    if extracted == 0:
        click.echo(f"nothing extracted ({failed} input(s) failed)", err=True)
    if failed or not extracted:
        sys.exit(1)


@contextmanager
def _progress(paths: tuple[str, ...]) -> Iterator[tuple[Callable[[], None], Callable[[str], None]]]:
    """A page counter on stderr when it is a terminal and the input is a folder, a WARC or many files; gives
    ``advance()`` and ``say(line)``, which prints a line on stderr above the counter, not into it."""
    import sys

    many = len(paths) > PROGRESS_MIN_FILES or any(
        Path(path).is_dir() or ".warc" in path for path in paths if path != "-"
    )
    if not (many and sys.stderr.isatty()):
        yield (lambda: None), (lambda line: click.echo(line, err=True))
        return
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("extracting"), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("pages", total=None)
        yield (
            lambda: progress.advance(task),
            lambda line: progress.console.print(line, markup=False, highlight=False, soft_wrap=True),
        )


@main.command()
@_db_option
@click.option("-v", "--verbose", is_flag=True, help="Also log extraction details.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
def ingest(database: str | None, verbose: bool, paths: tuple[str, ...]) -> None:
    """Extract, deduplicate, group and store pages: files, folders (recursively), WARC archives, - for stdin.

    Idempotent: a page already stored is left as it is, a changed page at a known URL becomes a new revision,
    and a duplicate (the same text under another URL, a syndicated copy, the same dump in another file) is
    recorded as a copy of the first article. Work is committed every few pages: a run that is stopped or
    killed keeps what it stored, and running the same command again finishes the job. An input that cannot
    be read (missing, empty, binary, over 32 MB, a damaged WARC) or breaks is logged on stderr as failed, a
    page with no article (a listing) as skipped with -v, and the run goes on. The counts end on stderr.
    Exit status: 0; 1 when an input failed or the database cannot be opened or stops answering; 130 on
    Ctrl-C.

    \b
      diemtin ingest --db news.db ./pages crawl.warc.gz
      DIEMTIN_DB=news.db diemtin ingest dump.txt
      diemtin ingest - < page.html
    """
    from diemtin.ingest.files import iter_pages
    from diemtin.ingest.pipeline import ingest_pages

    _store_all(
        database,
        verbose,
        "ingesting",
        "pages",
        lambda store, advance, report: ingest_pages(iter_pages(paths), store, on_page=advance, report=report),
    )


@main.command("import")
@_db_option
@click.option("-v", "--verbose", is_flag=True, help="Also log every record.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
def import_command(database: str | None, verbose: bool, paths: tuple[str, ...]) -> None:
    """Load exported articles into the database: JSONL (.jsonl, .jsonl.gz, .ndjson; - for stdin) or
    Parquet files of `diemtin export`, or the articles/ folder `diemtin spark-extract` writes.

    Nothing is extracted again. Each record is stored as ingest stores a page: deduplicated against what the
    database holds, given a story, its copies kept. The export's story ids, revisions, ingest times and the
    kind of each copy are not carried over. A time without an offset is taken as Vietnam time. Re-running
    is harmless. Records that cannot be read, or are not articles, are logged and skipped. Exit status: 0;
    1 when a file or record failed or the database cannot be opened or stops answering; 130 on Ctrl-C.

    \b
      diemtin export --db old.db --format jsonl | diemtin import --db new.db -
      diemtin spark-extract --out out/cc crawl/*.warc.gz && diemtin import out/cc/articles
    """
    from diemtin.ingest.records import import_records, iter_records

    _store_all(
        database,
        verbose,
        "importing",
        "records",
        lambda store, advance, report: import_records(
            iter_records(paths), store, on_record=advance, report=report
        ),
    )


def _store_all(
    database: str | None,
    verbose: bool,
    verb: str,
    noun: str,
    work: Callable[[Store, Callable[[object, object], None], IngestReport], IngestReport],
) -> None:
    """Run ``work`` on the opened store, filling a report, with a live count on stderr, then print the
    counts; exit 1 when an input failed or the database stopped answering, 130 on Ctrl-C (what was stored
    is kept)."""
    import contextlib
    import logging

    from rich.console import Console
    from rich.logging import RichHandler
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from diemtin.ingest.pipeline import IngestReport
    from diemtin.store.base import DatabaseLost

    console = Console(stderr=True)
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_time=False, show_path=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:  # a pipe or a file: plain lines, never wrapped at 80 columns
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-8s %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)
    store = _open_store(database, create=True)
    line = f"{verb} {{task.completed}} {noun} ({{task.fields[rate]:.0f}}/s) {{task.fields[statuses]}}"
    columns = (SpinnerColumn(), TextColumn(line), TimeElapsedColumn())
    report = IngestReport()  # filled as the run goes: the counts are there when Ctrl-C stops it

    def counts() -> str:
        return ", ".join(f"{value} {key}" for key, value in sorted(report.statuses.items()))

    def summary() -> str:
        return f"{report.pages} {noun}: {counts() or 'none'}"

    try:
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task(noun, total=None, rate=0.0, statuses="")

            def advance(_item: object, _result: object) -> None:
                rate = report.pages / (progress.tasks[0].elapsed or 1.0)
                progress.update(task, completed=report.pages, rate=rate, statuses=counts())

            work(store, advance, report)
    except KeyboardInterrupt:
        click.echo(f"interrupted after {summary()}; what was stored is kept, run again to finish", err=True)
        raise SystemExit(INTERRUPTED) from None
    except DatabaseLost as lost:
        raise click.ClickException(
            f"the database stopped answering ({lost}) after {summary()}; what was committed is kept,"
            " run the same command again to finish"
        ) from None
    finally:
        with contextlib.suppress(DatabaseLost):
            store.close()
    click.echo(summary(), err=True)
    if report.statuses["failed"]:
        raise SystemExit(1)


@main.command()
@_db_option
@click.option(
    "--since",
    type=click.DateTime(_DATE_FORMATS),
    default=None,
    help="Only articles published from this day or time on (Vietnam time); default: all.",
)
def regroup(database: str | None, since: datetime | None) -> None:
    """Re-cluster the stories of the stored articles, oldest first, as one ingest of them all would.

    Ingest and import already group what they store (with what other processes store meanwhile). Run this
    after the story weights changed, or to redo the stories of a period in one pass. Prints how many
    articles changed story, on stderr. Exit status: 0; 1 when there is no database; 130 on Ctrl-C.
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    start = since.replace(tzinfo=VN_TZ) if since else None
    store = _open_store(database, create=False)
    columns = (SpinnerColumn(), TextColumn("regrouping: {task.completed} articles read"), TimeElapsedColumn())
    console = Console(stderr=True)
    try:
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("articles", total=None)
            moved = store.regroup_stories(start, lambda read: progress.update(task, completed=read))
            read = int(progress.tasks[0].completed)
    finally:
        store.close()
    click.echo(f"{read} articles read, {moved} changed story", err=True)


def _corpus_options(command: click.decorators.FC) -> click.decorators.FC:
    """--min-words, --vietnamese-only and --redact: what a training corpus keeps and hides."""
    options = [
        click.option(
            "--min-words",
            type=click.IntRange(min=0),
            default=0,
            help="Only articles with this many body words or more.",
        ),
        click.option("--vietnamese-only", is_flag=True, help="Leave out articles not written in Vietnamese."),
        click.option(
            "--redact", is_flag=True, help="Replace e-mail addresses and phone numbers: <EMAIL>, <PHONE>."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@_db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout, for programs.")
def stats(database: str | None, as_json: bool) -> None:
    """What the database holds: articles, the pages folded into them as copies, earlier versions kept,
    stories (and how many several outlets told), the articles' time span, and the articles of each category
    and outlet.

    Tab-separated lines (`diemtin stats | grep ^stories`), or JSON with --json. Exit status: 0; 1 when the
    database cannot be opened.
    """
    import json

    store = _open_store(database, create=False)
    try:
        figures, categories, outlets = store.stats(), store.categories(), store.outlets()
    finally:
        store.close()
    first, last = (
        moment.astimezone(VN_TZ).isoformat() if moment else None for moment in (figures.first, figures.last)
    )
    if as_json:
        summary = {
            "articles": figures.articles,
            "copies": figures.copies,
            "earlier_versions": figures.earlier_versions,
            "stories": figures.stories,
            "shared_stories": figures.shared_stories,
            "first": first,
            "last": last,
            "categories": dict(categories),
            "outlets": dict(outlets),
        }
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    kinds = ", ".join(f"{kind} {count}" for kind, count in figures.copies.items())
    lines = [
        ("articles", str(figures.articles)),
        ("copies", f"{sum(figures.copies.values())}" + (f" ({kinds})" if kinds else "")),
        ("earlier versions", str(figures.earlier_versions)),
        ("stories", f"{figures.stories} ({figures.shared_stories} told by several outlets)"),
        ("first", first or "-"),
        ("last", last or "-"),
        *((f"category {key}", str(count)) for key, count in categories),
        *((f"outlet {name}", str(count)) for name, count in outlets),
    ]
    for name, value in lines:
        click.echo(f"{name}\t{value}")


@main.command("export")
@_db_option
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["jsonl", "parquet"]),
    default=None,
    help="Default: parquet when --out ends in .parquet, else jsonl.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), default=None, help="Output file (JSONL: stdout when left out)."
)
@click.option(
    "--category",
    type=click.Choice(list(CATEGORIES)),
    metavar="KEY",
    default=None,
    help="Only this category, by its key (the-gioi, kinh-doanh...; a wrong key lists them all).",
)
@click.option("--outlet", default=None, help="Only this outlet, as the site names it (see /api/outlets).")
@click.option(
    "--since",
    type=click.DateTime(_DATE_FORMATS),
    default=None,
    help="Only articles published from this day or time on (Vietnam time).",
)
@click.option(
    "--until",
    type=click.DateTime(_DATE_FORMATS),
    default=None,
    help="Only articles published up to this day (its end) or time (Vietnam time).",
)
@_corpus_options
@click.option(
    "--split",
    "split_spec",
    metavar="NAME=SHARE,...",
    default=None,
    help="Add a `split` field: e.g. train=0.8,dev=0.1,test=0.1. Each story goes whole to one part (by a hash"
    " of its id), so reports of one event never straddle train and test.",
)
@click.option(
    "--with-text",
    is_flag=True,
    help="Add a `text` field: title, lead and body joined by line breaks, the field training tools read.",
)
def export_corpus(
    database: str | None,
    export_format: str | None,
    out: str | None,
    category: str | None,
    outlet: str | None,
    since: datetime | None,
    until: datetime | None,
    min_words: int,
    vietnamese_only: bool,
    redact: bool,
    split_spec: str | None,
    with_text: bool,
) -> None:
    """Export the stored articles with their category, story id, provenance and copies (JSONL or Parquet):
    all of them, or those of a category, an outlet and a time range; for a training corpus, only long
    enough Vietnamese ones, with personal contact details redacted, cut into parts by story.

    JSONL goes to stdout unless --out is given; Parquet needs --out. Progress and the count go to stderr.
    Exit status: 0; 1 when the database cannot be opened, the output cannot be written, or the reader
    stopped early (`| head`, quietly); 2 for a usage error.

    \b
      diemtin export --db news.db | gzip > corpus.jsonl.gz
      diemtin export --db news.db --out corpus.parquet
      diemtin export --category the-gioi --since 2026-11-01 --until 2026-11-30 --out nov.parquet
      diemtin export --vietnamese-only --min-words 50 --redact --out corpus.parquet
      diemtin export --split train=0.8,dev=0.1,test=0.1 --with-text --out corpus.parquet
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from diemtin.export import Extras, Selection, Split, export

    try:
        split = Split.parse(split_spec) if split_spec is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--split") from None
    if export_format is None:
        export_format = "parquet" if out is not None and out.lower().endswith(".parquet") else "jsonl"
    if export_format == "parquet" and out is None:
        raise click.UsageError("Parquet needs --out FILE")
    if out is not None and not Path(out).parent.is_dir():
        raise click.ClickException(f"cannot write {out}: no folder {Path(out).parent}")
    select = Selection(
        category,
        outlet,
        _vietnam_time(since),
        _vietnam_time(until, end_of_day=True),
        min_words=min_words,
        vietnamese=vietnamese_only,
    )
    store = _open_store(database, create=False)
    columns = (SpinnerColumn(), TextColumn("exporting: {task.fields[read]} read, {task.completed} written"))
    console = Console(stderr=True)
    try:
        with Progress(
            *columns, TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal
        ) as progress:
            task = progress.add_task("articles", total=None, read=0)
            count = export(
                store,
                "parquet" if export_format == "parquet" else "jsonl",
                out,
                select=select,
                redact=redact,
                extras=Extras(text=with_text, split=split),
                progress=lambda read, written: progress.update(task, completed=written, read=read),
            )
    except BrokenPipeError:  # the reader stopped (`| head`): stop quietly, as Unix tools do
        _silence_stdout()
        raise SystemExit(1) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {out or 'stdout'}: {error.strerror or error}") from None
    finally:
        store.close()
    click.echo(f"{count} articles exported", err=True)


def _vietnam_time(moment: datetime | None, *, end_of_day: bool = False) -> datetime | None:
    """A date or time typed on the command line, in Vietnam time; a bare date as its end when
    ``end_of_day``."""
    if moment is None:
        return None
    if end_of_day and (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        moment += timedelta(days=1, microseconds=-1)
    return moment.replace(tzinfo=VN_TZ)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail again on a closed pipe."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@main.command("spark-extract")
@click.option(
    "--master",
    default=None,
    help="Spark master: local[2], spark://HOST:7077, yarn... (default: spark-submit's, else local[*]).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Output folder, must not exist: articles/ and skipped/ Parquet datasets are written there.",
)
@_corpus_options
@click.argument("paths", nargs=-1, required=True)
def spark_extract(
    master: str | None,
    out: str,
    min_words: int,
    vietnamese_only: bool,
    redact: bool,
    paths: tuple[str, ...],
) -> None:
    """Re-process WARC archives with Spark: extract every HTML record as `ingest` would, collapse exact and
    near duplicates (same URL, same text, MinHash) into one article with its copies, write Parquet in the
    export schema (with --min-words, --vietnamese-only and --redact as `export` has them).

    PATHS are .warc / .warc.gz files, folders or glob patterns, readable from every Spark worker. Records
    that give no article are counted by reason and listed in OUT/skipped. Needs the spark extra
    (pip install 'diemtin[spark]') and Java 17 or 21. Exits 1 when an input or the output is wrong or
    every record failed. See docs/scale.md for a cluster.
    """
    try:
        from diemtin.scale.warc_job import run, spark_session, warc_paths
    except ImportError as missing:
        raise click.ClickException(
            f"{missing}: install the spark extra, pip install 'diemtin[spark]'"
        ) from None

    if Path(out).exists():
        raise click.ClickException(f"{out} exists: give a new output folder")
    try:
        warc_paths(paths)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    from diemtin.export import Selection

    select = Selection(min_words=min_words, vietnamese=vietnamese_only)
    spark = spark_session(master)
    try:
        report = run(spark, paths, out, select=select, redact=redact)
    finally:
        spark.stop()
    skipped = ", ".join(f"{n} {reason}" for reason, n in report.counts.most_common() if reason != "article")
    click.echo(
        f"{report.records} records: {report.articles} articles written"
        f" ({report.copies} more copies collapsed into them, {report.near} of them near copies);"
        f" skipped: {skipped or 'none'}",
        err=True,
    )
    if report.all_failed:
        raise SystemExit(1)


@main.command("train-classifier")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Model file (default: the one shipped in the package).",
)
@click.option("--folds", type=int, default=0, help="Also report accuracy per fold of this many CV folds.")
@click.option(
    "--story-df",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the story-grouping document frequencies (numbers only) of the same pages here.",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def train_classifier(out: Path | None, folds: int, story_df: Path | None, paths: tuple[str, ...]) -> None:
    """Train the section classifier on labelled pages (files or folders) whose section maps to a category.

    \b
    The shipped model and story table are made by:
      diemtin train-classifier --story-df src/diemtin/group/story_df.joblib ../shared/corpus/baomoi-2013
    """
    from diemtin.group import classify, stories

    labelled = classify.labelled_pages(paths)
    if not labelled:
        raise click.UsageError("no page with a section that maps to a category")
    articles, labels = zip(*labelled, strict=True)
    texts = [classify.document(article) for article in articles]
    if folds:
        groups = [classify.content_key(article) for article in articles]
        for tags in (True, False):
            plain = texts if tags else [classify.document(article, tags=False) for article in articles]
            accuracies = classify.cross_validate(plain, labels, groups, folds)
            shown = " ".join(f"{a:.3f}" for a in accuracies)
            click.echo(f"{'with' if tags else 'without'} tags: mean {sum(accuracies) / folds:.4f} ({shown})")
    target = out or classify.MODEL_PATH
    classify.train(texts, labels).save(target)
    click.echo(f"{len(texts)} pages, {len(set(labels))} categories -> {target}", err=True)
    if story_df:
        stories.build_df_table(articles, story_df)
        click.echo(f"story document frequencies -> {story_df}", err=True)


@main.command("classify")
@click.option(
    "--scores",
    "top",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Add a third column: the N best categories with their scores (the linear SVM's margins, not"
    " probabilities: above 0 the model says yes; a small gap to the second means an unsure call).",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
def classify_pages(top: int | None, paths: tuple[str, ...]) -> None:
    """Print each input's path, a tab and its predicted category; - reads one text from stdin.

    Inputs are pages, text dumps, folders and WARC files, as for `extract`. An input that cannot be read or
    holds no article is reported on stderr and skipped. Exit status: 0; 1 when an input could not be read
    (a missing file, empty stdin) or no input at all could be classified.

    \b
      diemtin classify page.html dumps/
      echo "Đội tuyển thắng trận giao hữu tối qua" | diemtin classify -
      diemtin classify --scores 3 dumps/ | sort -t$'\t' -k2     # with the runners-up
    """
    import sys

    from diemtin.group import classify
    from diemtin.ingest.files import InputError, iter_pages
    from diemtin.ingest.pipeline import NothingExtracted, understand

    def line(name: str, ranked: list[tuple[str, float]]) -> str:
        shown = "" if top is None else "\t" + " ".join(f"{key}:{score:.2f}" for key, score in ranked[:top])
        return f"{name}\t{ranked[0][0]}{shown}"

    classified = unread = 0
    for path in paths:
        if path == "-":
            text = sys.stdin.read()
            if text.strip():
                click.echo(line("-", classify.ranked_text(text)))
                classified += 1
            else:
                click.echo("-: empty input", err=True)
                unread += 1
            continue
        for item in iter_pages([path]):
            if isinstance(item, InputError):
                click.echo(f"{item.path}: cannot read: {item.reason}", err=True)
                unread += 1
                continue
            try:
                article = understand(item)
            except NothingExtracted as reason:
                click.echo(f"{item.origin}: not classified: {reason}", err=True)
                continue
            click.echo(line(str(item.origin), classify.ranked(article)))
            classified += 1
    if unread or not classified:
        sys.exit(1)
