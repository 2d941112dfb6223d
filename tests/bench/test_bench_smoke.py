"""The extraction benchmark harness (bench/extract.py) runs end to end on two pages; nothing here is timed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from diemtin.article import Article

BENCH = Path(__file__).resolve().parents[2] / "bench" / "extract.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_extract", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


bench = _load()


@pytest.fixture(scope="module")
def two_pages(shared: Path) -> list:  # type: ignore[type-arg]
    html_docs, dump_docs = bench.load_gold_sets(shared)
    return [html_docs[0], next(doc for doc in dump_docs if doc.id == html_docs[0].id)]


@pytest.mark.shared
def test_every_tool_runs_and_is_scored(two_pages: list) -> None:  # type: ignore[type-arg]
    results = {tool.name: bench.score_pass(tool, tool.make(), two_pages) for tool in bench.TOOLS}
    assert set(results) == {"diemtin", "trafilatura", "newspaper4k", "readability-lxml", "goose3", "justext",
                            "resiliparse", "boilerpy3"}  # fmt: skip
    for name, result in results.items():
        assert result.pages == 2 and len(result.per_page) == 2, name
        assert result.fields_total == 2 * len(bench.FIELDS), name
        assert result.errors == sum("error" in row for row in result.per_page), name
        if name != "diemtin":  # diemtin's own quality is measured by the benchmark, not asserted here
            assert result.errors == 0, (name, result.error_kinds)
            assert result.recall > 0.5, (name, result.recall)
    table = bench.markdown({"html": results}, bench.versions(bench.TOOLS))
    assert all(f"| {name} |" in table for name in results)


@pytest.mark.shared
def test_a_raising_tool_scores_zero_and_its_errors_are_counted(two_pages: list) -> None:  # type: ignore[type-arg]
    def broken(doc: object) -> Article:
        raise RuntimeError("boom")

    tool = bench.Tool("broken", "broken", frozenset(bench.FIELDS), lambda: broken)
    result = bench.score_pass(tool, broken, two_pages)
    assert result.errors == 2 and result.error_kinds == {"RuntimeError": 2}
    assert result.f1 == 0.0 and result.fields_right == 0
    assert result.pages_per_second is None  # a tool that fails every page gets no speed figure


@pytest.mark.shared
def test_a_field_the_tool_does_not_produce_counts_as_wrong(two_pages: list) -> None:  # type: ignore[type-arg]
    def titles_only(doc: object) -> Article:
        return Article(title=doc.gold["title"])  # type: ignore[attr-defined]

    claims = bench.Tool("claims", "claims", frozenset({"title"}), lambda: titles_only)
    silent = bench.Tool("silent", "silent", frozenset(), lambda: titles_only)
    assert bench.score_pass(claims, titles_only, two_pages).field_counts["title"] == 2
    assert bench.score_pass(silent, titles_only, two_pages).field_counts["title"] == 0
    # gold source is null on most pages: a tool that never produces a source must not earn it for free
    assert bench.score_pass(claims, titles_only, two_pages).field_counts["source"] == 0


def test_dump_lines_become_escaped_paragraphs() -> None:
    page = bench.dump_as_html("Tiêu đề <mẫu>\n\n  Đoạn một & hai  \n")
    assert "<p>Tiêu đề &lt;mẫu&gt;</p>\n<p>Đoạn một &amp; hai</p>" in page
    assert page.count("<p>") == 2


def test_speed_is_pages_over_the_median_pass() -> None:
    result = bench.SetResult(pages=7, pass_seconds=[4.0, 1.0, 2.0], timed_pages=42)
    assert result.pages_per_second == 21.0
    assert bench.SetResult(pages=7, errors=7, pass_seconds=[1.0], timed_pages=42).pages_per_second is None


def test_speed_ratio_is_the_median_of_same_pass_ratios() -> None:
    tool = bench.SetResult(pages=40, pass_seconds=[1.0, 2.0, 8.0], timed_pages=40)
    trafilatura = bench.SetResult(pages=40, pass_seconds=[2.0, 2.0, 2.0], timed_pages=40)
    assert bench.speed_ratio(tool, trafilatura) == 1.0  # per pass 2x, 1x, 0.25x
