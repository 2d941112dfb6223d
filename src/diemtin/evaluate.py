"""Scoring extracted Articles against gold annotations (../shared/corpus/gold, RULES.md conventions).

Body: the aeb benchmark's method: ``\\w+`` tokens, overlapping 4-token shingles, precision and recall per
page, F1 as the harmonic mean of the averaged precision and recall; plus exact match of the token sequence.
Fields are compared after Unicode NFC and whitespace collapsing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from diemtin.article import Article

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_OUTLET_PREFIX = re.compile(r"^\([^)]{2,20}\)\s*[-–]\s*")


def squash(text: str | None) -> str:
    """NFC, every whitespace run (NBSP and zero-width included) to one space, stripped."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u200b", " ").replace("\ufeff", " ")
    return _SPACE.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    return _WORD.findall(squash(text))


def _shingles(words: Sequence[str], size: int = 4) -> Counter[tuple[str, ...]]:
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


@dataclass(slots=True)
class BodyScore:
    precision: float
    recall: float
    exact: bool


def score_body(predicted: str, gold: str) -> BodyScore:
    """Shingle precision/recall of one page's body text (aeb method)."""
    pred_words, gold_words = tokens(predicted), tokens(gold)
    pred, ref = _shingles(pred_words), _shingles(gold_words)
    common = sum((pred & ref).values())
    precision = common / sum(pred.values()) if pred else (1.0 if not ref else 0.0)
    recall = common / sum(ref.values()) if ref else 1.0
    return BodyScore(precision, recall, pred_words == gold_words)


@dataclass(slots=True)
class CorpusScore:
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    exact: int = 0


def summarise(scores: Iterable[BodyScore]) -> CorpusScore:
    items = list(scores)
    if not items:
        return CorpusScore()
    precision = sum(s.precision for s in items) / len(items)
    recall = sum(s.recall for s in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CorpusScore(len(items), precision, recall, f1, sum(s.exact for s in items))


def _same_minute(predicted: datetime | None, gold: str | None) -> bool:
    if gold is None:
        return predicted is None
    if predicted is None or predicted.tzinfo is None:
        return False
    expected = datetime.fromisoformat(gold)
    return predicted.replace(second=0, microsecond=0) == expected.replace(second=0, microsecond=0) and (
        predicted.utcoffset() == expected.utcoffset()
    )


@dataclass(slots=True)
class FieldReport:
    """Which gold fields an Article gets right, and how its body scores."""

    body: BodyScore
    right: dict[str, bool] = field(default_factory=dict)

    @property
    def wrong(self) -> list[str]:
        return [name for name, ok in self.right.items() if not ok]


def compare(article: Article, gold: dict[str, Any]) -> FieldReport:
    """Field-by-field comparison with an article gold file (RULES.md)."""
    body = score_body(" ".join(article.body), " ".join(gold.get("body") or []))
    path = [squash(p) for p in gold.get("category_path") or [gold.get("category")] if p]
    right = {
        "title": squash(article.title) == squash(gold.get("title")),
        "lead": squash(article.lead) == squash(gold.get("lead")),
        "published": _same_minute(article.published, gold.get("published")),
        "authors": [squash(a) for a in article.authors] == [squash(a) for a in gold.get("authors") or []],
        "source": squash(article.source) == squash(gold.get("source")),
        "section": squash(article.section) in path if path else not article.section,
        "captions": [squash(c) for c in article.captions] == [squash(c) for c in gold.get("captions") or []],
        "tags": [squash(t) for t in article.tags] == [squash(t) for t in gold.get("tags") or []],
    }
    return FieldReport(body, right)


def strip_outlet_prefix(lead: str) -> str:
    """Drop a sapo's "(Dân trí) - " style prefix, as RULES.md allows a scorer to."""
    return _OUTLET_PREFIX.sub("", lead)
