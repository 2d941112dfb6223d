"""The Vietnamese page-furniture lexicon: what on a news page is not the article.

Data tables first (headings of link boxes with their kind, HTML class/id tokens, UI strings, tag labels), then
small lookups used by both the HTML path and the text path. Matching is accent- and case-insensitive through
``textnorm.fold``, so "TIN LIÊN QUAN", "Tin liên quan" and "Tin lien quan" are one heading. Other engineers
may add entries to these tables.
"""

from __future__ import annotations

import re

from diemtin.textnorm import fold

# --- Vocabulary ---------------------------------------------------------------------------------------------

# Headings of furniture boxes -> the kind of links under them (Link.kind).
HEADINGS: dict[str, str] = {
    "Tin cùng chuyên mục": "same-section",
    "Cùng chuyên mục": "same-section",
    "Bài cùng chuyên mục": "same-section",
    "Tin khác": "same-section",
    "Các tin khác": "same-section",
    "Tin cũ hơn": "same-section",
    "Tin mới hơn": "same-section",
    "Bài đọc nhiều": "most-read",
    "Đọc nhiều": "most-read",
    "Đọc nhiều nhất": "most-read",
    "Xem nhiều": "most-read",
    "Xem nhiều nhất": "most-read",
    "Tin xem nhiều": "most-read",
    "Tin đọc nhiều": "most-read",
    "Được quan tâm": "most-read",
    "Quan tâm nhiều": "most-read",
    "Tin liên quan": "related",
    "Bài viết liên quan": "related",
    "Tin tức liên quan": "related",
    "Nội dung liên quan": "related",
    "Tin cùng sự kiện": "related",
    "Cùng sự kiện": "related",
    "Tin cùng chủ đề": "related",
    "Bài liên quan": "related",
    "Tin bài liên quan": "related",
    "Video liên quan": "related",
    "Có thể bạn quan tâm": "related",
    "Bạn có thể quan tâm": "related",
    "Bạn đọc quan tâm": "related",
    "Tham khảo thêm": "related",
    "Tin nên đọc": "related",
    "Đừng bỏ lỡ": "related",
    "Xem thêm": "more",
    "Đọc thêm": "more",
    "Đọc tiếp": "more",
    "Xem tiếp": "more",
    "Xem thêm tin": "more",
    "Tin mới": "latest",
    "Tin mới nhất": "latest",
    "Mới nhất": "latest",
    "Tin mới cập nhật": "latest",
    "Tin nóng": "featured",
    "Tin nổi bật": "featured",
    "Nổi bật": "featured",
    "Tiêu điểm": "featured",
    "Chủ đề nóng": "featured",
    "Sự kiện nóng": "featured",
    "Thông tin doanh nghiệp": "sponsored",
    "Thông tin doanh nghiệp - Sản phẩm": "sponsored",
    "Tin tài trợ": "sponsored",
    "Quảng cáo": "sponsored",
}

# Words that may follow a heading: "Đọc nhiều trong Kinh doanh", "Tin liên quan đến …".
HEADING_TAILS: tuple[str, ...] = ("trong", "của", "về", "tại", "đến", "cùng")

# Labels introducing the visible tag list ("Từ khóa: a, b").
TAG_LABELS: tuple[str, ...] = (
    "Tags",
    "Tag",
    "Từ khóa",
    "Từ khoá",
    "Chủ đề",
    "Xem thêm về",
    "Sự kiện",
    "Thẻ",
)

# Tag labels that may stand alone on their line, without a colon, above the tags.
BARE_TAG_LABELS: tuple[str, ...] = ("Tags", "Tag", "Từ khóa", "Từ khoá", "Thẻ")

# Prefixes of a single inline link to another article inside the body: ">> Tiêu đề", "Xem thêm: Tiêu đề".
INLINE_LINK_PREFIXES: tuple[str, ...] = (
    ">>",
    "»",
    "Xem thêm:",
    "Đọc thêm:",
    "Xem tiếp:",
    "Đọc tiếp:",
    "Mời xem:",
)

# Class or id tokens of furniture containers (substring match on a lower-cased token).
FURNITURE_CLASS_TOKENS: tuple[str, ...] = (
    "tinlienquan",
    "tin-lien-quan",
    "relate",
    "related",
    "box-category",
    "relatednewsbox",
    "relatedonenews",
    "box_comment",
    "comment",
    "share",
    "social",
    "sharing",
    "tags",
    "tag-list",
    "keyword",
    "breadcrumb",
    "banner",
    "advert",
    "adsbygoogle",
    "qc-",
    "sponsor",
    "newsletter",
    "most-read",
    "mostread",
    "xemnhieu",
    "docnhieu",
    "read-more",
    "readmore",
    "xemthem",
    "docthem",
    "footer",
    "navigation",
    "menu",
    "sidebar",
    "widget",
    "rating",
    "vote",
    "author-box",
    "font-size",
)

# Exact class/id tokens that look like a furniture token but are content ("related" would catch them).
CONTENT_CLASS_TOKENS: tuple[str, ...] = ("fck_detail", "detail-content", "singular-content", "maincontent")

# UI strings: share/comment/font-size/follow widgets and navigation crumbs (whole lines, folded).
UI_STRINGS: tuple[str, ...] = (
    "Chia sẻ",
    "Chia sẻ bài viết",
    "Thích",
    "Bình luận",
    "Gửi bình luận",
    "Viết bình luận",
    "Xem bình luận",
    "Xem tất cả bình luận",
    "Ý kiến bạn đọc",
    "Ý kiến của bạn",
    "Đánh giá bài viết",
    "Tặng sao cho bài viết hay",
    "Quan tâm nhất Mới nhất",
    "Được quan tâm nhất Mới nhất",
    "Tăng cỡ chữ",
    "Giảm cỡ chữ",
    "Cỡ chữ mặc định",
    "Aa",
    "Aa Aa",
    "In bài",
    "Lưu bài",
    "Lưu",
    "Copy link",
    "Sao chép liên kết",
    "Liên kết",
    "Chọn Link liên kết",
    "Báo lỗi",
    "Gửi góp ý",
    "Xem tất cả",
    "Xem theo ngày",
    "Đang tải...",
    "Danh mục",
    "Quan tâm",
    "Tải ứng dụng",
    "Đăng nhập",
    "Đăng ký",
    "Facebook",
    "Zalo",
    "Email",
    "Twitter",
    "Youtube",
    "Tiktok",
    "Telegram",
    "Zalo Email Sao chép liên kết",
    "Xem các bài viết của tác giả",
    "Trở lên trên",
    "Top",
    "Về trang chủ",
    "Trang chủ",
    "Mời bạn đọc",
    "Liên hệ quảng cáo",
    "Liên hệ tòa soạn",
    "Liên hệ toà soạn",
    "Liên hệ",
    "[Quảng cáo]",
    "(Quảng cáo)",
    ">>",
)

# Widget bars a text dump glues to the end of the article's last line, as printed there ("Hoàng MaiPHẢN
# HỒIGửi bình luận", "Thanh BìnhEmail Print Góp ý"); spaces between their words may be missing.
GLUED_UI_ENDINGS: tuple[str, ...] = ("PHẢN HỒI Gửi bình luận", "Email Print Góp ý")

# UI lines recognised by their pattern: counters, "Bình luận (0)", "Theo dõi … trên Google News", "Trở lại …".
UI_PATTERNS: tuple[str, ...] = (
    r"^[\d\s().,:/+-]+$",
    r"^(binh luan|y kien)\s*\(\s*\d*\s*\)?$",
    r"^\(?\d+\)?\s*binh luan$",
    r"^theo doi .{1,60} tren( .{1,30})?$",
    r"^moi quy doc gia theo doi .*$",
    r"^(tro lai|quay lai|ve lai)( chuyen muc)? .{1,40}$",
    r"^va \d+ tac gia khac$",
    r"^(doc bao|tai ung dung) .{1,50}$",
)

# --- Lookups ------------------------------------------------------------------------------------------------

_PUNCT_EDGES = " \t:：.-–—>»|*•·"


def _key(text: str) -> str:
    return fold(text).strip(_PUNCT_EDGES)


_HEADING_KEYS: dict[str, str] = {_key(heading): kind for heading, kind in HEADINGS.items()}
_TAIL_RE = re.compile(r"^(?:" + "|".join(fold(tail) for tail in HEADING_TAILS) + r")\s+\S.{0,40}$")
_UI_ENDING_RE = re.compile(
    "(?:" + "|".join(r"\s*".join(map(re.escape, ending.split())) for ending in GLUED_UI_ENDINGS) + r")\s*$"
)
_TAG_LABEL_RE = re.compile(
    r"^\s*(?:"
    + "|".join(re.escape(label) for label in sorted(TAG_LABELS, key=len, reverse=True))
    + r")\s*[:：]",
    re.IGNORECASE,
)
_BARE_TAG_LABEL_RE = re.compile(
    r"^\s*(?:" + "|".join(re.escape(label) for label in BARE_TAG_LABELS) + r")\s*$", re.IGNORECASE
)
_INLINE_LINK_RE = re.compile(
    r"^\s*(?:" + "|".join(re.escape(prefix) for prefix in INLINE_LINK_PREFIXES) + r")\s*(?P<title>\S.*)$",
    re.IGNORECASE,
)
# Headings as printed inside running text (case matters here: "Tin liên quan" or "TIN LIÊN QUAN", not the
# "thông tin liên quan" of a sentence), longest first.
_INLINE_HEADINGS: list[tuple[str, str]] = sorted(
    ((printed, kind) for heading, kind in HEADINGS.items() for printed in (heading, heading.upper())),
    key=lambda item: len(item[0]),
    reverse=True,
)
# One pattern per kind, the longest spelling tried first at each place.
_INLINE_HEADING_RES = {
    kind: re.compile("|".join(re.escape(printed) for printed, of_kind in _INLINE_HEADINGS if of_kind == kind))
    for kind in set(HEADINGS.values())
}
# The symbol prefixes (">>", "»") also separate link titles run together on one line ("» Một » Hai"); a
# repeated symbol (">>>") is one marker.
_LINK_MARKER_RE = re.compile(
    "|".join(
        f"{re.escape(prefix)}{re.escape(prefix[-1])}*"
        for prefix in INLINE_LINK_PREFIXES
        if not any(ch.isalnum() for ch in prefix)
    )
)
# The worded prefixes ("Xem thêm:"), as printed, at the start of a line or glued to the stop before them.
_WORDED_MARKER_RE = re.compile(
    r"(?:^|(?<=[.!?…]))(?:"
    + "|".join(
        re.escape(printed)
        for prefix in INLINE_LINK_PREFIXES
        if any(ch.isalpha() for ch in prefix)
        for printed in (prefix, prefix.upper())
    )
    + r")\s*(?=\S)"
)
# A marker that also closes a quotation when its opening partner is in the text: «…».
_QUOTE_OPENERS: dict[str, str] = {"»": "«"}
_UI_KEYS: frozenset[str] = frozenset(_key(item) for item in UI_STRINGS) - {""}
_UI_RES = tuple(re.compile(pattern) for pattern in UI_PATTERNS)


def heading_kind(line: str | None) -> str | None:
    """The kind of furniture box a heading line opens ("Tin cùng chuyên mục" -> "same-section",
    "ĐỌC NHIỀU TRONG KINH DOANH" -> "most-read"), or None when the line is not such a heading."""
    if not line or len(line) > 60:
        return None
    key = _key(line)
    if key in _HEADING_KEYS:
        return _HEADING_KEYS[key]
    for heading, kind in _HEADING_KEYS.items():
        if key.startswith(heading + " ") and _TAIL_RE.match(key[len(heading) + 1 :]):
            return kind
    return None


def tag_label_rest(line: str | None) -> str | None:
    """For a tag-list line ("Từ khóa: a, b", "CHỦ ĐỀ: …", "Xem thêm về:") the text after the label ("" when
    the tags follow on the next lines); None when the line does not start with a tag label."""
    if not line:
        return None
    if _BARE_TAG_LABEL_RE.match(line):
        return ""
    match = _TAG_LABEL_RE.match(line)
    return line[match.end() :].strip() if match else None


def inline_link_title(line: str | None) -> str | None:
    """The article title of an inline link line (">> Tiêu đề", "Xem thêm: Tiêu đề"), else None."""
    if not line:
        return None
    match = _INLINE_LINK_RE.match(line)
    return match["title"].strip() if match else None


def inline_headings(text: str, kind: str) -> list[tuple[int, int]]:
    """Spans of the headings of ``kind`` printed inside a line of text, as the lexicon spells them or in
    capitals ("…Hà ThuTin liên quan:…", "TIN LIÊN QUAN …"). Whether one really opens a link list is for the
    caller to judge from what surrounds it."""
    pattern = _INLINE_HEADING_RES.get(kind)
    return [match.span() for match in pattern.finditer(text)] if pattern else []


def link_markers(text: str) -> list[tuple[int, int]]:
    """Spans of the link prefixes in a line where link titles were run together: the symbols (">>", ">>>",
    "»") before a space, a capital or the end of the text, anywhere; a worded one ("Xem thêm:") at the start
    or glued to a full stop. "»" is no marker in a text with «quotations»."""
    spans: list[tuple[int, int]] = []
    spans.extend(match.span() for match in _WORDED_MARKER_RE.finditer(text))
    for match in _LINK_MARKER_RE.finditer(text):
        start, end = match.span()
        opener = _QUOTE_OPENERS.get(match.group()[0])
        if opener and opener in text:
            continue
        if end == len(text) or text[end].isspace() or text[end].isupper():
            spans.append((start, end))
    return sorted(spans)


def is_ui_line(line: str | None) -> bool:
    """Is ``line`` a widget or UI string (share, comment, font size, follow-us, counters, "Trở lại …")?"""
    if line is None or not line.strip():
        return False
    key = _key(line)
    if not key or key in _UI_KEYS:
        return True  # punctuation only (">>", "|") or a known UI string
    return any(pattern.match(key) for pattern in _UI_RES)


def without_ui_ending(line: str) -> str:
    """``line`` without a widget bar glued to its end ("Hoàng MaiPHẢN HỒIGửi bình luận" -> "Hoàng Mai"; ""
    when the line is only the bar)."""
    match = _UI_ENDING_RE.search(line)
    return line[: match.start()].rstrip() if match else line


def is_furniture_class(class_or_id: str | None) -> bool:
    """Does a class attribute or id name a furniture container (tinlienquan, relate, box-category, …)?"""
    if not class_or_id:
        return False
    for token in class_or_id.lower().split():
        if token in CONTENT_CLASS_TOKENS:
            continue
        if any(marker in token for marker in FURNITURE_CLASS_TOKENS):
            return True
    return False
