"""Vietnamese text normalisation: a clean display form and folded keys for search and deduplication.

``clean`` is what every extractor applies to text it keeps for display (NFC, invisible characters, mojibake);
the outlet's own spelling is kept. ``fold`` gives the search/dedup key: tone marks placed one way, lower case,
accents removed, đ -> d.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean(text: str | None) -> str:
    """Display form: NFC, invisible characters removed, whitespace runs collapsed, stripped."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Accent-free lower-case key: 'Lãnh đạo' -> 'lanh dao'."""
    decomposed = unicodedata.normalize("NFD", clean(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
