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
