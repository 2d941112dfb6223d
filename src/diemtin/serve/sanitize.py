"""Make third-party strings safe to show: links only over http(s), XML-legal text, search hits marked safely.

Every string an outlet wrote reaches the pages through Jinja autoescape; nothing from an article is rendered
as raw HTML. The one piece of markup built from article text is the search highlight, and it is assembled here
from escaped pieces, so a title such as ``<script>`` stays text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from diemtin.textnorm import alternatives, fold, marked_words

SAFE_SCHEMES = frozenset({"http", "https"})

# Characters XML 1.0 forbids (C0 controls but tab, LF, CR; surrogates; U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WORD = re.compile(r"\w+")


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link with a host, else None (not javascript:, data:...)."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return None
    return url


def xml_text(text: str | None) -> str:
    """Text with the characters XML 1.0 cannot carry removed (feeds must parse; pages hold none either)."""
    return _XML_ILLEGAL.sub("", text or "")


def query_terms(text: str) -> list[str]:
    """The folded words a search query looks for: 'LÃNH ĐẠO -Nga' -> ['lanh', 'dao'] (an OR is no word)."""
    return _WORD.findall(fold(" ".join(alternatives(text))))


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    """A word's folded form, remembered: result pages fold the same words again and again."""
    return fold(word)


class _Terms:
    """Which words of a text are search terms: their folded form is a query term and, for a term the reader
    typed with marks ("bão"), they are written so (tone placement aside), not as another word ("báo")."""

    def __init__(self, terms: list[str], marked: frozenset[str]) -> None:
        self.wanted = frozenset(terms)
        self.spellings: dict[str, set[str]] = {}
        for word in marked:
            self.spellings.setdefault(fold(word), set()).add(word)

    def key(self, word: str) -> str | None:
        """The query term this word is, if any."""
        key = _word_key(word)
        if key not in self.wanted:
            return None
        allowed = self.spellings.get(key)
        return key if allowed is None or marked_words(word) & allowed else None


def matched_terms(text: str, terms: list[str], marked: frozenset[str] = frozenset()) -> set[str]:
    """The query terms that are words of ``text`` (whole words; see ``_Terms``)."""
    is_term = _Terms(terms, marked)
    return {key for key in map(is_term.key, _WORD.findall(text)) if key is not None}


def first_match(text: str, terms: list[str], marked: frozenset[str] = frozenset()) -> int | None:
    """Where the first word of ``text`` that is a query term starts, if any."""
    is_term = _Terms(terms, marked)
    return next((match.start() for match in _WORD.finditer(text) if is_term.key(match.group())), None)


def highlight(text: str, terms: list[str], marked: frozenset[str] = frozenset()) -> Markup:
    """``text`` escaped, with every word that is a query term wrapped in <mark> (whole words, as the search
    matches them; a word typed with marks only as written so)."""
    if not terms or not text:
        return escape(text)
    is_term = _Terms(terms, marked)
    pieces: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        if is_term.key(match.group()):
            pieces.append(escape(text[last : match.start()]))
            pieces.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)
