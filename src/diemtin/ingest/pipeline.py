"""The ingest pipeline: page -> extract -> normalise -> categorise -> (dedup, story, store via Store.add).

``ingest_page`` is the one function the CLI, the crawler and the Spark job call for each page; ``understand``
is the part without storage (for jobs that write elsewhere); ``ingest_pages`` runs a stream of pages, one
atomic unit per page (committed in small batches), logging and skipping the pages that fail.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from diemtin.article import Article, Page
from diemtin.extract import extract_page
from diemtin.group import classify
from diemtin.group.taxonomy import category_for_label
from diemtin.ingest.warc import InputError
from diemtin.store.base import DatabaseLost, Store, UpsertResult
from diemtin.textnorm import clean

log = logging.getLogger(__name__)
T = TypeVar("T")


class NothingExtracted(ValueError):
    """The page gave neither a title nor any body text, or is a listing page: there is no article to store."""


def _clean_list(values: list[str]) -> list[str]:
    return [text for text in map(clean, values) if text]


def normalise(article: Article, page: Page) -> Article:
    """Display text cleaned (NFC, invisible characters, spaces), provenance completed, id set."""
    article.title = clean(article.title)
    article.lead = clean(article.lead)
    article.body = _clean_list(article.body)
    article.captions = _clean_list(article.captions)
    article.authors = _clean_list(article.authors)
    article.tags = _clean_list(article.tags)
    provenance = article.provenance
    provenance.input = provenance.input or page.origin or page.url
    provenance.input_kind = page.kind
    provenance.input_hash = provenance.input_hash or page.content_hash
    provenance.fetched_at = provenance.fetched_at or page.fetched_at
    article.id = article.id or article.compute_id()
    return article


def categorise(article: Article) -> Article:
    """The taxonomy key: the extractor's, else the section label's, else the text classifier's."""
    article.category = article.category or category_for_label(article.section)
    if article.category is None:
        try:
            article.category = classify.predict(article)
        except FileNotFoundError as missing:  # no trained model beside the package: the article stays unfiled
            article.provenance.warnings.append(f"not categorised: {missing}")
    return article


def understand(page: Page) -> Article:
    """Extract, normalise and categorise one page; raises NothingExtracted for a page with no article."""
    article = normalise(extract_page(page), page)
    if not article.title and not article.body:
        raise NothingExtracted("no title and no body text found")
    if article.provenance.page_type == "listing":
        if not article.body:  # a title alone, or a text too short to be an article
            raise NothingExtracted("no article text found (too short, or a list of headlines)")
        raise NothingExtracted("a listing, section or home page, not an article")
    return categorise(article)


def ingest_page(page: Page, store: Store) -> UpsertResult:
    """Understand one page and store it: new, revised, unchanged or a duplicate copy (one transaction)."""
    return store.add(understand(page))


@dataclass(slots=True)
class IngestReport:
    statuses: Counter[str] = field(default_factory=Counter)  # new|revised|unchanged|duplicate|skipped|failed
    failures: list[tuple[str, str]] = field(default_factory=list)  # (page origin, why skipped or failed)

    @property
    def pages(self) -> int:
        return sum(self.statuses.values())

    def fail(self, origin: str, reason: str) -> None:
        """Count an input that could not be read or stored, and log why (the run goes on)."""
        log.warning("failed %s: %s", origin, reason)
        self.statuses["failed"] += 1
        self.failures.append((origin, reason))


def ingest_pages(
    pages: Iterable[Page | InputError],
    store: Store,
    *,
    on_page: Callable[[Page | InputError, UpsertResult | None], None] | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Ingest a stream of pages (as ``iter_pages`` gives them); an input that cannot be read or a page that
    fails is logged, counted and skipped, never stops the run; a database that stops answering does
    (DatabaseLost). A ``report`` given is filled as the run goes
    (for a live count, or for the counts of a run that was stopped)."""
    return store_each(pages, store, _one, on_page, report)


def store_each(
    items: Iterable[T | InputError],
    store: Store,
    store_one: Callable[[T, Store, IngestReport], UpsertResult | None],
    on_item: Callable[[T | InputError, UpsertResult | None], None] | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Store a stream of inputs in one batch with ``store_one``, which counts its outcome in ``report`` (a
    new one if none is given); an input that could not be read is counted as failed. ``on_item`` hears of
    each input and its result."""
    report = report if report is not None else IngestReport()
    with store.batch():
        for item in items:
            result = None
            if isinstance(item, InputError):
                report.fail(item.path, item.reason)
            else:
                result = store_one(item, store, report)
            if on_item is not None:
                on_item(item, result)
    return report


def _one(page: Page, store: Store, report: IngestReport) -> UpsertResult | None:
    try:
        result = ingest_page(page, store)
    except NothingExtracted as nothing:  # a listing or an empty page: no article, and no error either
        origin = page.origin or page.url or "<page>"
        log.info("skipped %s: %s", origin, nothing)
        report.statuses["skipped"] += 1
        report.failures.append((origin, f"no article: {nothing}"))
        return None
    except DatabaseLost:
        raise  # not this page's fault: every page after it would fail the same way
    except Exception as error:
        report.fail(page.origin or page.url or "<page>", f"{type(error).__name__}: {error}")
        return None
    report.statuses[result.status] += 1
    return result
