"""Vietnamese text normalisation: a clean display form and folded keys for search and deduplication.

``clean`` is what every extractor applies to text it keeps for display: invisible and obfuscating code
points removed, mojibake and legacy 8-bit encodings repaired, NFC, Đ written as Đ, whitespace collapsed; the
outlet's own spelling (including its tone placement) is kept. ``normalize_tones`` places tone marks one way
(hoà -> hòa, qúy -> quý). ``fold`` gives the search/dedup key: clean, lower case, accents (and so tone
placement) removed, đ -> d.
``syllables`` splits a text into folded syllable tokens for shingling.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy

# --- Data tables -----------------------------------------------------------------------------------------

# Code points that carry no text: zero-width characters, BOM, soft hyphen, the combining grapheme joiner,
# Khmer invisible vowels, and the combining overlays (U+0334-U+033C) that spam pages lay over every letter.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f\u17b4\u17b5" + "".join(
    map(chr, range(0x0334, 0x033D))
)

# Icelandic eth used for the Vietnamese D with stroke. Vietnamese đ only ever starts a syllable, so the eth is
# mapped only at the start of a word (Icelandic ð sits inside words: "Guðrún").
ETH_TO_D = {"\u00d0": "\u0110", "\u00f0": "\u0111"}

# UTF-8 read as cp1252 / latin-1: the lead bytes of Vietnamese letters (C3-C6 for Latin-1 supplement and
# extended, E1 BA/BB for the Latin Extended Additional block ạ..ỹ) followed by a continuation byte shown as a
# cp1252 glyph.
MOJIBAKE_MARKERS = re.compile(
    "[ÃÄÅÆ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]|á[º»]|â€"
)

# Letters that exist only in Unicode Vietnamese (outside Latin-1): their presence means the text is not legacy
# TCVN3/VNI bytes shown as Latin-1.
UNICODE_VIETNAMESE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
)
# Latin-1 characters that TCVN3 and VNI use for Vietnamese letters and that Vietnamese itself never uses.
LEGACY_MARKERS = re.compile(
    "[\u00a1-\u00bf\u00c4-\u00c7\u00cb\u00ce-\u00d1\u00d6-\u00d8\u00db\u00dc\u00de-\u00df"
    "\u00e4-\u00e7\u00eb\u00ee-\u00f1\u00f6-\u00f8\u00fb\u00fc\u00fe\u00ff]"
)
LEGACY_ENCODINGS = ("tcvn3", "vni")
LEGACY_MIN_MARKERS = 3
# Share of words that must read as Vietnamese syllables after a legacy conversion for it to be kept.
LEGACY_MIN_SYLLABLE_SHARE = 0.8

# Tone marks (combining, after NFD), and the vowels whose shape mark (circumflex, breve, horn) makes them take
# the tone in a vowel group.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
SHAPED_VOWELS = "ăâêôơư"

# The vowel groups of Vietnamese syllables (main vowel with its on-glide and off-glide), without tone marks.
NUCLEI = frozenset(
    {
        *("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),
        *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi"),
        *("ơi", "oo", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê"),
        *("iêu", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu"),
    }
)

# A Vietnamese syllable, written without tone marks, lower case: initial consonant, vowel group, final
# consonant. "qu" and "gi" are initials: in "quý" and "già" the vowel group is "y" and "a".
SYLLABLE = re.compile(
    r"(?P<initial>ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
    rf"(?P<nucleus>{'|'.join(sorted(NUCLEI, key=len, reverse=True))})"
    r"(?P<final>ch|ng|nh|[cmnpt])?"
)

_WORD = re.compile(r"\w+")
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# what becomes one space: a run of two or more whitespace characters, or one that is not a space (a clean
# text has few, so the substitution has little to do)
_SPACE = re.compile(r"\s{2,}|[^\S ]")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_ETH_AT_WORD_START = re.compile(r"(?<!\w)[\u00d0\u00f0](?=\w)")
_MARKED_LETTER = r"[\w\u0300-\u036f]"
# a word with its marks (NFD); those holding a tone mark get it placed. (A pattern "letters, a tone, letters"
# searched from every position was quadratic on a long run of letters without a tone.)
_MARKED_WORD = re.compile(rf"{_MARKED_LETTER}+")
_TONE = re.compile(f"[{TONE_MARKS}]")


# --- Display form ----------------------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """Display form: invisibles removed, mojibake and legacy encodings repaired, NFC, Đ for Ð, one space."""
    if not text:
        return ""
    if MOJIBAKE_MARKERS.search(text):
        text = ftfy.fix_encoding(text)
    text = _INVISIBLE.sub("", fix_legacy(text))
    text = unicodedata.normalize("NFC", text)
    if "\u00d0" in text or "\u00f0" in text:
        text = _ETH_AT_WORD_START.sub(lambda match: ETH_TO_D[match.group()], text)
    return _SPACE.sub(" ", text).strip()


def looks_legacy(text: str) -> bool:
    """Cheap test: Latin-1-only text with several characters that only TCVN3/VNI would put there."""
    if UNICODE_VIETNAMESE.search(text):
        return False
    return len(LEGACY_MARKERS.findall(text)) >= LEGACY_MIN_MARKERS


def fix_legacy(text: str) -> str:
    """Convert TCVN3 (ABC) or VNI text shown as Latin-1 to Unicode; any other text comes back unchanged.

    The conversion tables and the content-based detector are viparse's; the conversion is kept only when most
    of its words are Vietnamese syllables, so German or Spanish text with ö, ñ, ß is left alone.
    """
    if not looks_legacy(text):
        return text
    from viparse.normalize.detector import detect_encoding_by_content
    from viparse.normalize.encodings import get_charmap
    from viparse.normalize.tables import convert

    candidates = {name: get_charmap(name) for name in LEGACY_ENCODINGS}
    detection = detect_encoding_by_content(text, candidates)
    if detection.encoding is None:
        return text
    converted = str(convert(text, candidates[detection.encoding]))
    return converted if syllable_share(converted) >= LEGACY_MIN_SYLLABLE_SHARE else text


def syllable_share(text: str) -> float:
    """Share of the non-ASCII words of a text that are well-formed Vietnamese syllables (0.0 if none).

    ASCII words are left out: they are the same in every encoding and English names in Vietnamese text are not
    syllables."""
    words = [word for word in _WORD.findall(text) if not word.isascii()]
    if not words:
        return 0.0
    return sum(1 for word in words if _is_syllable(word)) / len(words)


def vietnamese_share(text: str) -> float:
    """Share of a text's words that are Vietnamese syllables written with marks (0.0 without words): 0.37 to
    0.95 over the 3,045 Báo Mới 2013 articles (median 0.80), at most 0.06 over the 181 pages of the mostly
    English article-extraction benchmark. ASCII words are never counted ("to", "the" are syllable-shaped)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for word in words if not word.isascii() and _is_syllable(word)) / len(words)


def _is_syllable(word: str) -> bool:
    bare = "".join(ch for ch in unicodedata.normalize("NFD", word.lower()) if ch not in TONE_MARKS)
    return SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare)) is not None


# --- Tone placement --------------------------------------------------------------------------------------


def normalize_tones(text: str) -> str:
    """Place tone marks one way; the result is NFC.

    Open oa/oe/uy take the tone on their first vowel (hoà -> hòa, thuỷ -> thủy, khoẻ -> khỏe); other syllables
    on their main vowel (qúy -> quý, qủa -> quả, tòan -> toàn). Words that are not one Vietnamese syllable are
    left alone.
    """
    decomposed = unicodedata.normalize("NFD", text)
    placed = _MARKED_WORD.sub(
        lambda match: _place_tone(match.group()) if _TONE.search(match.group()) else match.group(), decomposed
    )
    return unicodedata.normalize("NFC", placed)


@lru_cache(maxsize=65536)
def _place_tone(word: str) -> str:
    """One NFD word with a tone mark -> the same word with its tone on the vowel the standard rule picks."""
    tones = [ch for ch in word if ch in TONE_MARKS]
    if len(tones) != 1:
        return word
    bare = word.replace(tones[0], "")
    shape = unicodedata.normalize("NFC", bare).lower()
    match = SYLLABLE.fullmatch(shape)
    if match is None:
        return word
    target = match.start("nucleus") + _tone_position(
        match.group("nucleus"), closed=bool(match.group("final"))
    )
    letters = _letters(bare)
    if len(letters) != len(shape):
        return word
    letters[target] += tones[0]
    return "".join(letters)


def _tone_position(nucleus: str, *, closed: bool) -> int:
    """Index in the nucleus of the vowel that carries the tone."""
    shaped = [index for index, vowel in enumerate(nucleus) if vowel in SHAPED_VOWELS]
    if shaped:
        return shaped[-1]  # ươ -> ơ, uyê -> ê, ây -> â
    if len(nucleus) == 3:
        return 1  # oai -> a, uyu -> y
    if closed:
        return len(nucleus) - 1  # oan -> a, oet -> e, uyt -> y
    return 0  # open rhymes: ai, ao, ua, ia, oa, oe, uy -> first vowel


def _letters(nfd_word: str) -> list[str]:
    """Split an NFD word into letters, each a base character with its combining marks."""
    letters: list[str] = []
    for ch in nfd_word:
        if letters and unicodedata.combining(ch):
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters


# --- Keys ------------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Search/dedup key: clean, lower case, no accents, đ -> d ('Lãnh đạo' -> 'lanh dao').

    Tone placement needs no separate step here: removing the marks gives the same key whichever vowel carried
    them (hoà and hòa both fold to hoa)."""
    lowered = clean(text).lower().replace("đ", "d")
    return _DIACRITICS.sub("", unicodedata.normalize("NFD", lowered))


def syllables(text: str) -> list[str]:
    """Folded syllable tokens (letters and digits) for shingling: 'Hà Nội, 2026' -> ['ha', 'noi', '2026']."""
    cleaned = clean(text).lower()
    if _DIACRITICS.search(cleaned):  # a mark NFC could not compose would split a word: fold it all first
        return _WORD.findall(fold(cleaned))
    return [_fold_word(word) for word in _WORD.findall(cleaned)]


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    """``fold`` of one lower-case word (Vietnamese has a few thousand syllables: the cache mostly hits)."""
    return _DIACRITICS.sub("", unicodedata.normalize("NFD", word.replace("đ", "d")))


def marked_words(text: str) -> set[str]:
    """The words of a clean (NFC) text, lower case, marks kept, tones placed one way: 'Hoà bình' -> {'hòa',
    'bình'}. Search uses them to prefer what a reader typed with marks."""
    return {_tone_key(word) for word in _WORD.findall(text.lower())}


@lru_cache(maxsize=1 << 16)
def _tone_key(word: str) -> str:
    return normalize_tones(word)


def marked_query_words(text: str) -> frozenset[str]:
    """The words a reader typed with Vietnamese marks to find, as ``marked_words`` gives them ('bão lũ Ha Noi'
    -> {'bão', 'lũ'}; excluded words are not among them); the others match however they are written."""
    return frozenset(word for word in marked_words(clean(wanted(text))) if fold(word) != word)


# --- Search queries -----------------------------------------------------------------------------------------

# A word or "phrase" a reader wants left out: a minus sign starting a word ("-bão", -"giá vàng"). A hyphen
# inside a word ("COVID-19") or a dash between words ("Hà Nội - Hải Phòng") excludes nothing.
_EXCLUDED = re.compile(r'(?<!\S)-(?:"([^"]*)"|([^\s"]+))')


def wanted(query: str) -> str:
    """A search query without what it excludes: 'bão -lũ "Hà Nội"' -> 'bão  "Hà Nội"'."""
    return _EXCLUDED.sub(" ", query)


# Where a query's alternatives part: "OR" in capitals standing alone, as search engines read it (a lower-case
# "or" is a word), or "|". A quoted phrase is matched first so that nothing inside it parts anything.
_ALTERNATIVE = re.compile(r'"[^"]*"|(?<!\S)OR(?!\S)|\|')


def alternatives(query: str) -> list[str]:
    """What a search query wants, cut into its alternatives (what it excludes taken out first): 'giá vàng OR
    "giá xăng" -Mỹ' -> ['giá vàng ', ' "giá xăng" '] (a matching article matches one of them). A query
    without OR is one alternative; an empty one stays (it asks for nothing)."""
    text = wanted(query)
    pieces: list[str] = []
    start = 0
    for separator in _ALTERNATIVE.finditer(text):
        if not separator.group().startswith('"'):
            pieces.append(text[start : separator.start()])
            start = separator.end()
    pieces.append(text[start:])
    return pieces


def excluded(query: str) -> list[str]:
    """What a search query excludes, each word or phrase as typed: 'bão -lũ -"miền Trung"' -> ['lũ', 'miền
    Trung'] (a matching article has none of them)."""
    return [phrase or word for phrase, word in _EXCLUDED.findall(query) if (phrase or word).strip()]
