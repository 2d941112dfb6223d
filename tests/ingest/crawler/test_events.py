"""Structured crawl logs: key=value and JSON lines."""

from __future__ import annotations

import json
import logging

from diemtin.ingest.crawler.events import JsonFormatter, KeyValueFormatter


def _record(**fields: object) -> logging.LogRecord:
    record = logging.LogRecord("diemtin.crawl", logging.WARNING, __file__, 1, "failed", None, None)
    record.fields = fields
    return record


def test_key_value_line_quotes_what_needs_it() -> None:
    line = KeyValueFormatter().format(_record(url="https://tin.test/a-1.html", reason="HTTP 503", attempt=2))
    assert line.startswith("ts=") and " level=warning logger=diemtin.crawl event=failed " in line
    assert 'url=https://tin.test/a-1.html reason="HTTP 503" attempt=2' in line


def test_json_line_carries_every_field() -> None:
    data = json.loads(JsonFormatter().format(_record(url="https://tin.test/đời-sống-1.html", status=404)))
    assert data["event"] == "failed" and data["level"] == "warning"
    assert data["url"] == "https://tin.test/đời-sống-1.html" and data["status"] == 404
