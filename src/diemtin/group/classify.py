"""Section classifier: files an article under a taxonomy key from its text when it has no usable section.

The model is TF-IDF over lower-cased syllable unigrams and bigrams of the title (counted twice), lead, body
and tags, with a linear SVM (one-vs-rest, balanced class weights) trained by scikit-learn on labelled pages.
It ships as plain arrays (terms, idf, weights) in ``section_model.joblib`` beside this module, so prediction
needs no pickled scikit-learn object; ``diemtin train-classifier`` rebuilds it from labelled pages.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray

from diemtin.article import Article
from diemtin.extract import extract_page
from diemtin.group.taxonomy import category_for_label

MODEL_PATH = Path(__file__).with_name("section_model.joblib")

TOKEN_PATTERN = r"(?u)\b\w+\b"
TITLE_WEIGHT = 2  # the title is counted this many times
MIN_DF = 2  # a term must occur in this many training documents
SVM_C = 1.0
KEEP_TERMS = 60_000  # terms with the largest weights kept in the shipped model (size, not accuracy)


def document(article: Article, *, tags: bool = True) -> str:
    """The text the classifier reads: title (weighted), lead, body and, if asked, the tags."""
    parts = [article.title] * TITLE_WEIGHT + [article.lead, *article.body]
    if tags:
        parts.append(" ".join(article.tags))
    return "\n".join(part for part in parts if part)


@lru_cache(maxsize=1)
def _analyzer() -> Callable[[str], list[str]]:
    from sklearn.feature_extraction.text import CountVectorizer

    analyze: Callable[[str], list[str]] = CountVectorizer(
        token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), lowercase=True
    ).build_analyzer()
    return analyze


def terms_of(text: str) -> list[str]:
    """The model's features of a text: lower-cased syllables and syllable bigrams."""
    return _analyzer()(text)


@dataclass(slots=True)
class SectionModel:
    """A trained linear classifier over TF-IDF (sublinear tf, l2 norm) term features."""

    classes: list[str]
    terms: dict[str, int]
    idf: NDArray[np.float32]
    coef: NDArray[np.float32]  # terms x classes
    intercept: NDArray[np.float32]

    def scores(self, terms: Sequence[str]) -> NDArray[np.float32]:
        """One decision score per class for the terms of a text (see `terms_of`)."""
        counts = Counter(t for t in terms if t in self.terms)
        if not counts:
            return self.intercept.copy()
        index = np.fromiter((self.terms[t] for t in counts), dtype=np.int64, count=len(counts))
        weight = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))) * self.idf[index]
        weight /= np.linalg.norm(weight)
        result: NDArray[np.float32] = (weight @ self.coef[index] + self.intercept).astype(np.float32)
        return result

    def predict_terms(self, terms: Sequence[str]) -> str:
        return self.classes[int(np.argmax(self.scores(terms)))]

    def predict_text(self, text: str) -> str:
        return self.predict_terms(terms_of(text))

    def ranked_text(self, text: str) -> list[tuple[str, float]]:
        """Every category with its decision score for a text, best first (a linear SVM's margin, not a
        probability: above 0 the model says yes, and the gap to the second tells how sure it is)."""
        scores = self.scores(terms_of(text))
        return sorted(zip(self.classes, map(float, scores), strict=True), key=lambda pair: -pair[1])

    def save(self, path: Path) -> None:
        terms = sorted(self.terms, key=self.terms.__getitem__)
        joblib.dump(
            {
                "classes": self.classes,
                "terms": "\n".join(terms),
                "idf": self.idf,
                "coef": self.coef.astype(np.float16),
                "intercept": self.intercept,
            },
            path,
            compress=("xz", 6),
        )

    @classmethod
    def load(cls, path: Path) -> SectionModel:
        data: dict[str, Any] = joblib.load(path)
        terms = data["terms"].split("\n")
        return cls(
            classes=list(data["classes"]),
            terms={term: i for i, term in enumerate(terms)},
            idf=np.asarray(data["idf"], dtype=np.float32),
            coef=np.asarray(data["coef"], dtype=np.float32),
            intercept=np.asarray(data["intercept"], dtype=np.float32),
        )


def train(
    texts: Sequence[str], labels: Sequence[str], *, keep_terms: int | None = KEEP_TERMS
) -> SectionModel:
    """Fit TF-IDF + linear SVM on labelled texts; keep only the `keep_terms` most weighted terms."""
    return _fit([terms_of(text) for text in texts], labels, keep_terms)


def _fit(documents: Sequence[list[str]], labels: Sequence[str], keep_terms: int | None) -> SectionModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=MIN_DF)
    matrix = vectorizer.fit_transform(documents)
    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=0).fit(matrix, list(labels))
    coef = np.asarray(svm.coef_, dtype=np.float32).T
    intercept = np.asarray(svm.intercept_, dtype=np.float32)
    if coef.shape[1] == 1:  # two classes: scikit-learn keeps one column
        coef, intercept = np.hstack([-coef, coef]), np.hstack([-intercept, intercept])
    order = np.arange(coef.shape[0])
    if keep_terms is not None and coef.shape[0] > keep_terms:
        order = np.sort(np.argsort(-np.abs(coef).max(axis=1))[:keep_terms])
    names = vectorizer.get_feature_names_out()
    return SectionModel(
        classes=[str(c) for c in svm.classes_],
        terms={str(names[i]): n for n, i in enumerate(order)},
        idf=np.asarray(vectorizer.idf_[order], dtype=np.float32),
        coef=coef[order],
        intercept=intercept,
    )


def _identity(terms: list[str]) -> list[str]:
    return terms


def content_key(article: Article) -> str:
    """Identical re-crawls share this key, so cross-validation can keep them in one fold."""
    return hashlib.sha1("\n".join([article.title, *article.body]).encode("utf-8")).hexdigest()


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], groups: Sequence[str], folds: int = 5
) -> list[float]:
    """Accuracy per fold; one text per group is kept (identical copies would leak across folds)."""
    from sklearn.model_selection import StratifiedKFold

    first_of: dict[str, int] = {}
    for i, group in enumerate(groups):
        first_of.setdefault(group, i)
    first = list(first_of.values())
    documents = [terms_of(texts[i]) for i in first]
    targets = [labels[i] for i in first]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    accuracies = []
    for train_index, test_index in splitter.split(np.zeros(len(targets)), targets):
        model = _fit([documents[i] for i in train_index], [targets[i] for i in train_index], None)
        hits = sum(model.predict_terms(documents[i]) == targets[i] for i in test_index)
        accuracies.append(hits / len(test_index))
    return accuracies


def labelled_pages(paths: Iterable[str | Path]) -> list[tuple[Article, str]]:
    """Extract the pages under the paths and pair each with its section's taxonomy key; pages without one
    are skipped, and identical copies (same title and body) are kept once."""
    from diemtin.ingest.files import InputError, iter_pages

    labelled: dict[str, tuple[Article, str]] = {}
    for page in iter_pages(paths):
        if isinstance(page, InputError):
            continue
        article = extract_page(page)
        key = category_for_label(article.section)
        if key is not None:
            labelled.setdefault(content_key(article), (article, key))
    return list(labelled.values())


@lru_cache(maxsize=1)
def shipped_model() -> SectionModel:
    """The model shipped with the package, loaded on first use."""
    if not MODEL_PATH.is_file():
        raise FileNotFoundError(f"no section model at {MODEL_PATH}; run `diemtin train-classifier` first")
    return SectionModel.load(MODEL_PATH)


def predict_text(text: str) -> str:
    """Taxonomy key for a plain text (title first, then the rest)."""
    return shipped_model().predict_text(text)


def predict(article: Article) -> str:
    """Taxonomy key for an article from its title, lead, body and tags."""
    return shipped_model().predict_text(document(article))


def ranked(article: Article) -> list[tuple[str, float]]:
    """Every taxonomy key with its decision score for an article, best first (see ``SectionModel``)."""
    return shipped_model().ranked_text(document(article))


def ranked_text(text: str) -> list[tuple[str, float]]:
    """Every taxonomy key with its decision score for a plain text, best first."""
    return shipped_model().ranked_text(text)
