"""Duplicate keys for an article: exact (canonical URL, content hashes) and near (MinHash LSH bands).

Exact duplicates are the same page read twice (same canonical URL) or the same text under another URL
(same folded-text key). Near duplicates are syndicated copies: MinHash signatures over folded syllable
shingles, split into LSH bands that a store indexes; a candidate sharing a band is a duplicate when the
estimated Jaccard similarity of the two signatures reaches NEAR_THRESHOLD. Everything here is pure: the
store persists the keys.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from datasketch import MinHash

from diemtin.article import Article
from diemtin.textnorm import fold

NUM_PERM = 100  # MinHash permutations
BANDS = 20  # LSH bands of ROWS rows: a pair at Jaccard 0.8 shares a band with probability 0.9996
ROWS = NUM_PERM // BANDS
SHINGLE = 3  # syllables per shingle
MINHASH_CHUNK = 20_000  # shingles hashed at once: NUM_PERM x 8 bytes each, 16 MB (a 30 MB page held 1.1 GB)
NEAR_THRESHOLD = 0.8  # estimated Jaccard at or above which two texts are copies of one article
NEAR_WINDOW = timedelta(days=7)  # copies are published within this span of each other
MIN_SYLLABLES = 30  # shorter texts (title-only, failed extraction) never collapse by content

# Query parameters that only track the visit and never change the page.
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "zarsrc", "gidzl", "ref", "cmp", "itm_")

_WORD = re.compile(r"\w+")
_MIX = 0x01000193  # FNV prime: mixes the syllable hashes of a shingle in order


def canonical_url(url: str) -> str:
    """A URL key: no scheme, lower-case host without 'www.' or default port, no fragment or tracking query."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(TRACKING_PARAMS)
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, urlencode(sorted(query)), ""))


def folded_text(article: Article) -> str:
    """The lead and body folded by ``textnorm.fold`` (the title alone when there is no text)."""
    return fold("\n".join([article.lead, *article.body]) or article.title)


@dataclass(slots=True)
class DedupKeys:
    """Everything a store needs to recognise the article again: as the same page, same text or a near copy."""

    canonical_key: str  # canonical URL, or the article id for a URL-less dump
    folded: str  # folded lead and body: the dedup shingles come from it and a store may index it
    content_hash: str  # exact displayed content: a change at the same URL is a new revision
    text_key: str | None  # folded text hash for cross-URL exact duplicates (None: too short to trust)
    signature: bytes | None  # MinHash values (uint32 x NUM_PERM) or None when too short
    bands: list[int] = field(default_factory=list)  # signed 64-bit LSH band keys


def content_hash(article: Article) -> str:
    """Hash of what a reader sees: title, lead, body, captions, authors, published time."""
    when = article.published.isoformat() if article.published else ""
    parts = [
        article.title,
        article.lead,
        *article.body,
        "\x1f",
        *article.captions,
        "\x1f",
        *article.authors,
        when,
    ]
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def shingle_hashes(words: list[str]) -> list[int]:
    """32-bit hashes of the overlapping SHINGLE-syllable shingles: CRC-32 per syllable, mixed per shingle."""
    if not words:
        return []
    syllable = np.fromiter((zlib.crc32(word.encode("utf-8")) for word in words), np.uint64, len(words))
    count = max(1, len(words) - SHINGLE + 1)
    mixed = np.zeros(count, np.uint64)
    for offset in range(min(SHINGLE, len(words))):
        mixed = (mixed * np.uint64(_MIX) + syllable[offset : offset + count]) & np.uint64(0xFFFFFFFF)
    return [int(value) for value in mixed.tolist()]


def minhash(words: list[str]) -> MinHash:
    """MinHash (datasketch, fixed seed and permutations) over the shingles of folded words."""
    template = _template()
    signature = MinHash(
        num_perm=NUM_PERM, hashfunc=int, permutations=template.permutations, scheme=template.scheme
    )
    hashes = shingle_hashes(words)
    for start in range(0, len(hashes), MINHASH_CHUNK):  # datasketch holds NUM_PERM values per shingle at once
        signature.update_batch(hashes[start : start + MINHASH_CHUNK])
    return signature


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """A MinHash whose permutations every signature reuses (drawing them anew costs more than hashing)."""
    return MinHash(num_perm=NUM_PERM)


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band: a hash of the band number and its rows."""
    keys = []
    for band in range(BANDS):
        rows = values[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def dedup_keys(article: Article) -> DedupKeys:
    key = canonical_url(article.url) if article.url else f"id:{article.id or article.compute_id()}"
    folded = folded_text(article)
    words = _WORD.findall(folded)
    if len(words) < MIN_SYLLABLES:
        return DedupKeys(key, folded, content_hash(article), None, None)
    text_key = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
    values = minhash(words).hashvalues
    signature = values.astype("<u4").tobytes()
    return DedupKeys(key, folded, content_hash(article), text_key, signature, band_keys(values))


def similarity(signature: bytes, other: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures."""
    first = np.frombuffer(signature, dtype="<u4")
    second = np.frombuffer(other, dtype="<u4")
    return float(np.count_nonzero(first == second)) / NUM_PERM


def within_window(first: datetime | None, second: datetime | None) -> bool:
    """Whether two publication times allow the articles to be copies (unknown times always do)."""
    if first is None or second is None or (first.tzinfo is None) != (second.tzinfo is None):
        return True
    return abs(first - second) <= NEAR_WINDOW
