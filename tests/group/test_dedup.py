"""Duplicate keys: canonical URLs, content and text hashes, MinHash similarity and LSH bands."""

from __future__ import annotations

import random
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from diemtin.article import Article
from diemtin.group import dedup
from diemtin.group.dedup import (
    BANDS,
    MIN_SYLLABLES,
    NEAR_THRESHOLD,
    canonical_url,
    dedup_keys,
    minhash,
    similarity,
    within_window,
)

VN = timezone(timedelta(hours=7))

# Invented syllables to build long, distinct sample texts.
SAMPLE = (
    "nhà nước dân sinh kinh tế xã hội giáo dục y tế văn hóa thể thao nông nghiệp công nghiệp thành phố "
    "tỉnh huyện xã đường sông cầu cảng biển mưa nắng lúa gạo cá tôm học sinh thầy cô bệnh viện bác sĩ "
    "ngân hàng tiền vàng giá thị trường doanh nghiệp xuất khẩu nhập khẩu hội nghị bộ trưởng chủ tịch"
)
SYLLABLES = SAMPLE.split()


def text(seed: int, words: int = 300) -> list[str]:
    rng = random.Random(seed)
    flat = [rng.choice(SYLLABLES) for _ in range(words)]
    return [" ".join(flat[i : i + 30]) + "." for i in range(0, words, 30)]


def make(url: str | None, body: list[str], title: str = "Tiêu đề mẫu") -> Article:
    return Article(url=url, title=title, body=body, published=datetime(2024, 1, 1, 8, tzinfo=VN))


def test_canonical_url_drops_what_does_not_change_the_page() -> None:
    key = canonical_url("https://www.Example.vn/thoi-su/bai-1.html")
    assert canonical_url("http://example.vn/thoi-su/bai-1.html?utm_source=fb&fbclid=x#top") == key
    assert canonical_url("https://example.vn:443/thoi-su/bai-1.html") == key
    assert canonical_url("https://example.vn/thoi-su/bai-1.html?id=2") != key
    assert canonical_url("https://example.vn/a/?b=2&a=1") == canonical_url("https://example.vn/a?a=1&b=2")
    assert canonical_url("https://other.vn/thoi-su/bai-1.html") != key


def test_same_text_same_keys_and_urlless_key_from_id() -> None:
    body = text(1)
    one, two = dedup_keys(make("https://a.vn/1", body)), dedup_keys(make("https://b.vn/2", body))
    assert one.text_key == two.text_key
    assert one.content_hash == two.content_hash
    assert one.canonical_key != two.canonical_key
    assert one.bands == two.bands
    assert len(one.bands) == BANDS
    dump = make(None, body)
    assert dedup_keys(dump).canonical_key == f"id:{dump.compute_id()}"


def test_text_key_ignores_case_and_accents_but_content_hash_does_not() -> None:
    body = text(2)
    plain = make("https://a.vn/1", [line.upper() for line in body])
    assert dedup_keys(plain).text_key == dedup_keys(make("https://a.vn/1", body)).text_key
    assert dedup_keys(plain).content_hash != dedup_keys(make("https://a.vn/1", body)).content_hash


def test_near_copy_is_similar_and_shares_bands_unrelated_text_is_not() -> None:
    body = text(3)
    edited = [*body[:-1], "Theo báo điện tử mẫu."]
    original, copy = dedup_keys(make("https://a.vn/1", body)), dedup_keys(make("https://b.vn/2", edited))
    other = dedup_keys(make("https://c.vn/3", text(4)))
    assert original.signature and copy.signature and other.signature
    assert similarity(original.signature, copy.signature) >= NEAR_THRESHOLD
    assert set(original.bands) & set(copy.bands)
    assert similarity(original.signature, other.signature) < 0.3
    assert not set(original.bands) & set(other.bands)


def test_short_text_gets_no_content_keys() -> None:
    keys = dedup_keys(make("https://a.vn/1", ["Xem video."]))
    assert keys.text_key is None
    assert keys.signature is None
    assert keys.bands == []
    assert len(text(5, MIN_SYLLABLES)[0].split()) >= MIN_SYLLABLES


def test_publication_window() -> None:
    when = datetime(2024, 1, 1, tzinfo=VN)
    assert within_window(when, when + timedelta(days=2))
    assert not within_window(when, when + timedelta(days=30))
    assert within_window(None, when)
    assert within_window(when, datetime(2024, 5, 1))


def test_minhash_of_a_huge_text_is_computed_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    words = [f"tu{number}" for number in range(300_000)]  # 300,000 distinct shingles
    tracemalloc.start()
    whole = minhash(words)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 60_000_000  # 28 MB; unchunked, datasketch held 300,000 x NUM_PERM x 8 bytes (255 MB)
    small = minhash(words[:1000])
    monkeypatch.setattr(dedup, "MINHASH_CHUNK", 7)
    assert (minhash(words[:1000]).hashvalues == small.hashvalues).all()  # chunks change no value
    assert len(whole.hashvalues) == dedup.NUM_PERM
