"""The ``diemtin`` command: parses arguments, calls the pipeline stages, shows progress. Nothing else.

Each subcommand is a thin function; the work happens in the stage modules it calls.
"""

from __future__ import annotations

import click

from diemtin import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="diemtin")
def main() -> None:
    """diemtin: crawl, extract, group, store and serve Vietnamese news.

    \b
    Typical use:
      diemtin extract page.html            one page to JSON
      diemtin ingest ./pages               extract, group and store into the database
      diemtin serve                        the website, search, feeds and JSON API
    """


@main.command()
@click.option("--db", "database", default=None, help="SQLite file or database URL (default: DIEMTIN_DB).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--access-log/--no-access-log", default=False, show_default=True, help="Log every request.")
def serve(database: str | None, host: str, port: int, access_log: bool) -> None:
    """Serve the website, search, RSS/Atom feeds and the JSON API (/api/, /openapi.json)."""
    from diemtin.serve.app import run

    run(database, host=host, port=port, access_log=access_log)
