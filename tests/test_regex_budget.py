"""No regular expression of the text-reading modules goes quadratic on hostile input.

A pattern that retries a long run from every position (nested or unbounded quantifiers before something that
fails) turns a 2 MB page into minutes of CPU. Every compiled pattern of these modules is run over long
repetitions of short pieces (letters, initials, digits, stops, labels); each call must stay far under the time
a quadratic pattern takes on 20,000 characters (seconds), while a linear one takes about a millisecond.
"""

from __future__ import annotations

import importlib
import re
import time

import pytest

MODULES = [
    "diemtin.extract.text",
    "diemtin.extract.attribution",
    "diemtin.extract.furniture",
    "diemtin.extract.dates",
    "diemtin.extract.html",
    "diemtin.extract.generic",
    "diemtin.extract.metadata",
    "diemtin.extract.sniff",
    "diemtin.extract.guard",
    "diemtin.textnorm",
    "diemtin.group.stories",
    "diemtin.redact",
]
PIECES = [
    "A.", "aB", ".a", "a ", "ab", "1", ":", "- ", "Ảnh: ", "Theo ", "(", "a(", "1/", "1-", "12:", "Aa ", "AB",
    ". ", '"a', "a.", "a-b ", "0912 ", "@a.", "ngày 1 ", "tháng ", "a1", "A.a", "aB.", "a: ", "A-", "( a",
    "«a", "—a", "TheoA", "00:", "1/1/", "A.A ", "<div>", "</p><p>",
]  # fmt: skip
LENGTH = 20_000
BUDGET_SECONDS = 0.5  # a quadratic pattern needs seconds here; a linear one about a millisecond


def patterns() -> list[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.append((f"{name}.{attribute}", value))
    return found


@pytest.mark.slow
def test_every_pattern_stays_linear_on_long_repetitions() -> None:
    checked = patterns()
    assert len(checked) > 80  # the modules still hold their patterns where this test looks for them
    slow = []
    for piece in PIECES:
        text = piece * (LENGTH // len(piece)) + "!\x00"
        for name, pattern in checked:
            subject = text.encode() if isinstance(pattern.pattern, bytes) else text
            for method in (pattern.search, pattern.findall):
                start = time.process_time()
                method(subject)  # type: ignore[arg-type]
                spent = time.process_time() - start
                if spent > BUDGET_SECONDS:
                    slow.append(
                        f"{name}.{method.__name__} on {piece!r} x {LENGTH // len(piece)}: {spent:.2f}s"
                    )
    assert not slow, slow
