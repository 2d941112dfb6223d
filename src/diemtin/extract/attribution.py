"""Bylines and credit lines: who wrote an article and which outlet it was republished from.

"Theo Tuấn Anh (VietNamNet)" -> authors ["Tuấn Anh"], source "VietNamNet"; "Như Tâm (Theo Reuters)" ->
["Như Tâm"], "Reuters"; "Hà Thu (tổng hợp)" -> ["Hà Thu"], no source; "Theo TTXVN" -> no author, source
"TTXVN". Names keep their case as shown (Tuổi Trẻ prints them upper case). ``is_byline`` tells a credit line
from a body sentence that merely starts with "Theo …," by its shape: short, no sentence punctuation, name- or
outlet-shaped parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --- Vocabulary ---------------------------------------------------------------------------------------------

# Words that introduce the outlet a text was taken from: "Theo Reuters", "(Nguồn: TTXVN)".
SOURCE_WORDS: tuple[str, ...] = ("theo", "nguồn")

# Parenthesised notes meaning "compiled / translated / collected / recorded by the author": not a source
# ("Hà Thu (tổng hợp)", "P.V (st)", "Thu Trang (ghi)").
COMPILED_NOTES: tuple[str, ...] = (
    "tổng hợp",
    "t/h",
    "th",
    "th.",
    "lược dịch",
    "biên dịch",
    "dịch",
    "theo các nguồn",
    "tổng hợp từ nhiều nguồn",
    "sưu tầm",
    "st",
    "ghi",  # "recorded by": an interview or a talk written down
    "ghi chép",
    "ghi lại",
    "lược thuật",
    "thực hiện",
)

# Labels in front of author names: "Bài, ảnh: Minh Chiến", "Tác giả: Hà Thu".
AUTHOR_LABELS: tuple[str, ...] = (
    "bài, ảnh",
    "bài và ảnh",
    "bài & ảnh",
    "tin, ảnh",
    "tin và ảnh",
    "bài, video",
    "bài",
    "tin",
    "tác giả",
    "người viết",
    "thực hiện",
    "nhóm thực hiện",
)

# Collective bylines shown instead of a name.
GROUP_BYLINES: tuple[str, ...] = (
    "pv",
    "nhóm pv",
    "nhóm phóng viên",
    "phóng viên",
    "ctv",
    "btv",
    "nhóm tác giả",
    "ban biên tập",
    "ban thời sự",
)

# Outlets and agencies often credited; used to accept "Theo X" and "Name (X)" with confidence.
KNOWN_SOURCES: tuple[str, ...] = (
    "TTXVN",
    "VNA",
    "Reuters",
    "AFP",
    "AP",
    "Bloomberg",
    "CNN",
    "BBC",
    "Xinhua",
    "Tân Hoa xã",
    "Sputnik",
    "RIA Novosti",
    "TASS",
    "Yonhap",
    "Kyodo",
    "Al Jazeera",
    "Guardian",
    "NYT",
    "WSJ",
    "SCMP",
    "VnExpress",
    "Dân trí",
    "Tuổi Trẻ",
    "TTO",
    "Thanh Niên",
    "Zing",
    "Znews",
    "VTC News",
    "VOV",
    "VTV",
    "Lao Động",
    "Người Lao Động",
    "NLĐ",
    "Tiền Phong",
    "Vietnamplus",
    "Báo Tin tức",
    "Báo Chính phủ",
    "Chinhphu.vn",
    "Infonet",
    "Kiến Thức",
    "Soha",
    "Kenh14",
    "CafeF",
    "VietNamNet",
    "Nhịp sống thị trường",
    "Người Đưa Tin",
    "Pháp Luật TP.HCM",
    "PLO",
    "Sài Gòn Giải Phóng",
    "SGGP",
    "Nhân Dân",
    "Quân đội nhân dân",
    "QĐND",
    "Công an nhân dân",
    "CAND",
    "Vietnam+",
    "VOV.VN",
    "VTV.vn",
    "Zing News",
    "Giáo dục Việt Nam",
    "Đời sống & Pháp luật",
    "Báo Đầu tư",
    "Thời báo Kinh tế Việt Nam",
    "Doanh nhân Sài Gòn",
    "Thể thao & Văn hóa",
    "Hà Nội Mới",
    "An ninh Thủ đô",
    "RT",
    "NHK",
    "Nikkei",
    "Financial Times",
    "The Guardian",
    "Washington Post",
    "New York Times",
    "Goal",
    "ESPN",
)

# --- Patterns -----------------------------------------------------------------------------------------------

# Upper- and lower-case Latin letters with Vietnamese diacritics, as regex classes (``re`` has no \p{Lu}).
_LATIN = [chr(code) for span in ((0x41, 0x7B), (0xC0, 0x250), (0x1E00, 0x1F00)) for code in range(*span)]
UPPER = "[" + "".join(ch for ch in _LATIN if ch.isupper()) + "]"
LOWER = "[" + "".join(ch for ch in _LATIN if ch.islower()) + "]"

# Between names: " - ", "- ", " -", a dash between a name's last letter and the next capital ("Mai-Quỳnh"),
# "&", ",", " và ", "/" before a capital.
_NAME_SEPARATORS = re.compile(
    rf"\s+[-–—&]\s*|\s*[-–—]\s+|(?<={LOWER})[-–](?={UPPER})|\s*,\s*|\s+và\s+|\s*/\s*(?={UPPER})"
)
_WORD = re.compile(r"\S+")
# One word of a personal name: capitalised ("Tuấn", "NGHI"), an initial ("H.", "T.Anh", "H.Y.T.").
_NAME_WORD = re.compile(rf"^(?:{UPPER}\w*\.?|(?:{UPPER}\.)+(?:{UPPER}\w*)?\.?)$")
_SOURCE_RE = "|".join(SOURCE_WORDS)
_COMPILED_RE = "|".join(re.escape(note) for note in sorted(COMPILED_NOTES, key=len, reverse=True))
_LABEL_RE = "|".join(
    re.escape(label).replace(",\\ ", r",\s*") for label in sorted(AUTHOR_LABELS, key=len, reverse=True)
)

_THEO_AUTHOR_SOURCE = re.compile(r"^(?:theo)\s+(?P<authors>[^()]+?)\s*\(\s*(?P<source>[^()]+?)\s*\)$", re.I)
_AUTHOR_THEO_SOURCE = re.compile(
    rf"^(?P<authors>[^()]+?)\s*\(\s*(?:{_SOURCE_RE})\s*:?\s*(?P<source>[^()]+?)\s*\)$", re.I
)
_AUTHOR_COMPILED = re.compile(rf"^(?P<authors>[^()]+?)\s*\(\s*(?:{_COMPILED_RE})\s*\)$", re.I)
_AUTHOR_OUTLET = re.compile(r"^(?P<authors>[^()]+?)\s*\(\s*(?P<source>[^()]+?)\s*\)$")
_AUTHOR_SLASH_OUTLET = re.compile(r"^(?:theo\s+)?(?P<authors>[^()/]+?)\s*/\s*(?P<source>[^()/]+?)$", re.I)
# ("TheoGĐ&XH": a capital glued to "Theo" starts the source too)
_THEO_SOURCE = re.compile(
    rf"^\(?\s*(?:{_SOURCE_RE})(?:\s*:?\s+|(?=(?-i:{UPPER})))(?P<source>[^()]+?)\s*\)?$", re.I
)
_LABELLED_AUTHORS = re.compile(rf"^(?:{_LABEL_RE})\s*:\s*(?P<authors>.+)$", re.I)
# A name printed on one line with the credit after it, as Báo Mới dumps do: "Đa PhúcTheo Infonet", "ĐỨC
# MẠNHTheo Infonet", "G.A.Theo Infonet", "Thu Hà Theo Reuters" (case-sensitive: a capital "Theo " right after
# the name's last letter or initial, or after one space); initials glued to "Nguồn:", "QMNguồn: Technewsdaily"
# ("Video Nguồn: …" is a video's credit, not a name).
_NAME_GLUED_THEO = re.compile(
    rf"^(?:(?P<authors>.*?(?:{LOWER}|{UPPER}|\.))\s?(?P<credit>Theo\s.+)"
    rf"|(?P<initials>(?:{UPPER}\.?){{1,4}})(?P<source>Nguồn\s?:.+))$"
)

# A note or photo label after the names, without brackets: "Nguyễn Ngọc Tổng hợp", "Phạm DuyênTổng hợp"
# (glued), "Hữu Thọ - tin, ảnh"; a photo label before them without its colon: "Tin, ảnh Đỗ Trường", "Tin ảnh:
# Đình Tuyển"; a lower-case "theo" between the names and the outlet: "Trần Vũ theo The Hindu"; an agency alone
# in brackets: "(TTXVN)".
_AUTHOR_NOTE_AFTER = re.compile(
    rf"^(?P<authors>.+?)(?:\s*[-–]\s*|\s+|(?<={LOWER})(?={UPPER}))(?:[Tt]ổng hợp|[Tt]in,? ảnh|[Bb]ài,? ảnh)$"
)
_PHOTO_LABELLED = re.compile(r"^(?:tin|bài),?\s*ảnh\s*:?\s+(?P<authors>.+)$", re.I)
_AUTHOR_LOWER_THEO = re.compile(r"^(?P<authors>[^()]+?)\s+theo\s+(?P<source>[^()]+)$")
_BRACKETED_SOURCE = re.compile(r"^\((?P<source>[^()]{2,30})\)$")

# The place a news agency's reporter files from, after the names: "Thanh Tuấn/Washington (Vietnam+)".
_DATELINE = re.compile(r"\s*/\s*[^/]+$")
_STAR = re.compile(r"^\*\s*")  # "* T.A": a credit starred as a footnote
# A site's name written in lower case, credited after "Theo <name>": "Theo Q.T (thethaohcm)".
_SITE_NAME = re.compile(r"^[a-z0-9]{4,30}$")

_KNOWN_SOURCE_KEYS = frozenset(source.lower() for source in KNOWN_SOURCES)
_CLOSING_INITIAL = re.compile(rf"(?:^|[\s.]){UPPER}\.$")

# Longest credit line we accept, in characters; longer lines are prose.
MAX_BYLINE_CHARS = 80
SHORT_CREDIT_CHARS = 40
MAX_NAME_WORDS = 5
MAX_SOURCE_WORDS = 7
MAX_SOURCES = 4  # outlets credited in one line ("Theo Reuters, AFP")


@dataclass(slots=True)
class Attribution:
    """Authors as shown (without "Theo " or "(tổng hợp)") and the outlet the article was taken from."""

    authors: list[str] = field(default_factory=list)
    source: str | None = None


def is_name(text: str) -> bool:
    """Does ``text`` look like one personal name ("Tuấn Anh", "NHẬT XUÂN", "H.Y.T.", "T.Anh")?"""
    words = _WORD.findall(text)
    if not words or len(words) > MAX_NAME_WORDS or len(text) > 40 or any(ch.isdigit() for ch in text):
        return False
    return all(_NAME_WORD.match(word) for word in words)


def _strip_stop(text: str) -> str:
    text = text.strip()
    return text if _CLOSING_INITIAL.search(text) else text.rstrip(". ")


def split_names(text: str) -> list[str] | None:
    """Names in "NHẬT XUÂN - NGHI VŨ", "Hà Thu, Minh Chiến", "An và Bình"; None if any part is not a name."""
    parts = [_strip_stop(part) for part in _NAME_SEPARATORS.split(text.strip()) if _strip_stop(part)]
    if not parts:
        return None
    if len(parts) == 1 and parts[0].lower() in GROUP_BYLINES:
        return parts
    if all(is_name(part) or part.lower() in GROUP_BYLINES for part in parts):
        return parts
    return None


def _is_known_source(text: str) -> bool:
    return text.strip().lower() in _KNOWN_SOURCE_KEYS


def is_source(text: str) -> bool:
    """Does ``text`` look like an outlet or agency ("Reuters", "VietNamNet", "Nhịp sống thị trường",
    "mattran.org.vn")? Capitalised or a known name, short, no sentence punctuation."""
    text = text.strip()
    if not text or len(text) > 50 or text.lower() in {c.lower() for c in COMPILED_NOTES}:
        return False
    if _is_known_source(text):
        return True
    words = _WORD.findall(text)
    if len(words) > MAX_SOURCE_WORDS or re.search(r"[,;:!?\"“”]|\.\s", text):
        return False
    first = words[0]
    return first[0].isupper() or first[0].isdigit() or bool(re.search(r"\w\.\w{2,}$", first))


def _is_source_list(text: str) -> bool:
    """Several outlets credited at once ("Reuters, AFP", "DailyMail, Huffington Post"): each a known source or
    capitalised words (a clause, "Reuters, Mỹ đã tăng thuế", is not one)."""
    parts = [part.strip() for part in text.split(",")]
    return 1 < len(parts) <= MAX_SOURCES and all(
        _is_known_source(part)
        or (is_source(part) and all(word[0].isupper() or word[0].isdigit() for word in part.split()))
        for part in parts
    )


def parse_attribution(line: str | None) -> Attribution | None:
    """Read a byline or credit line; None when the line is not one.

    Forms: "Theo Tuấn Anh (VietNamNet)", "Theo Thu Hằng/VOV.VN", "Như Tâm (Theo Reuters)",
    "Hà Thu (tổng hợp)", "Hòa Lê (T/h)", "Hà Linh (TTTĐ)", "Theo TTXVN", "(Nguồn: Reuters)",
    "Bài, ảnh: Minh Chiến", "PV", "Nhóm PV", "NHẬT XUÂN - NGHI VŨ", "Hà Thu", "Hà ThuTheo Reuters",
    "Thanh Tuấn/Washington (Vietnam+)" (the place is dropped), "Theo TechRadar, PhoneArena", "* T.A",
    "TTXVN/Tin tức" (an agency and its paper: the source).
    """
    if not line:
        return None
    text = _strip_stop(_STAR.sub("", re.sub(r"\s+", " ", line)))
    if not text or len(text) > MAX_BYLINE_CHARS:
        return None
    glued = _NAME_GLUED_THEO.match(text)
    if glued:
        names = split_names(glued["authors"] or glued["initials"])
        credit = parse_attribution(glued["credit"] or glued["source"])
        if names and credit:
            return Attribution(names + [name for name in credit.authors if name not in names], credit.source)
    match = _THEO_AUTHOR_SOURCE.match(text)
    if match:
        names = split_names(match["authors"])
        if names and (is_source(match["source"]) or _SITE_NAME.match(match["source"])):
            return Attribution(names, match["source"])
    match = _AUTHOR_THEO_SOURCE.match(text)
    if match:
        names = split_names(match["authors"])
        if names and (is_source(match["source"]) or _is_source_list(match["source"])):
            return Attribution(names, match["source"])
    match = _AUTHOR_COMPILED.match(text)
    if match:
        names = split_names(match["authors"])
        return Attribution(names) if names else None
    match = _AUTHOR_OUTLET.match(text)
    if match:
        names = split_names(_DATELINE.sub("", match["authors"]))
        if names and is_source(match["source"]):
            return Attribution(names, match["source"])
        return None
    match = _AUTHOR_SLASH_OUTLET.match(text)
    if match and _is_known_source(match["authors"]) and is_source(match["source"]):
        # an agency and its paper: "TTXVN/Tin tức"
        return Attribution([], f"{match['authors']}/{match['source']}")
    if match and not _is_known_source(match["authors"]):
        names = split_names(match["authors"])
        if names and is_source(match["source"]):
            return Attribution(names, match["source"])
    match = _THEO_SOURCE.match(text)
    if match:
        source = match["source"]
        known = is_source(source) or _is_source_list(source) or _SITE_NAME.match(source)
        return Attribution([], source) if known else None
    match = _LABELLED_AUTHORS.match(text) or _PHOTO_LABELLED.match(text)
    if match:
        names = split_names(match["authors"])
        return Attribution(names) if names else None
    match = _BRACKETED_SOURCE.match(text)
    if match and _is_known_source(match["source"]):
        return Attribution([], match["source"])
    match = _AUTHOR_NOTE_AFTER.match(text) or _AUTHOR_LOWER_THEO.match(text)
    if match:
        names = _full_names(match["authors"])
        source = match.groupdict().get("source")
        if names and (source is None or is_source(source)):
            return Attribution(names, source)
    names = split_names(text)
    return Attribution(names) if names else None


def _full_names(text: str) -> list[str] | None:
    """``split_names``, when every name has two words or more or is initials: before a bare note ("Nguyễn Ngọc
    Tổng hợp") one capitalised word may start a sentence ("Tin tổng hợp")."""
    names = split_names(text)
    return names if names and all(" " in name or "." in name for name in names) else None


def is_byline(line: str | None) -> bool:
    """Is ``line`` a byline or credit line (to be taken out of the body), not a body sentence?

    "Theo Tuấn Anh (VietNamNet)" and "Hà Thu (tổng hợp)" are; "Theo phát ngôn viên Lầu Năm Góc John Kirby,
    ông Austin …" is not (a sentence: long, a comma clause, lower-case words, a final period).
    """
    if not line:
        return False
    text = line.strip()
    if len(text) > MAX_BYLINE_CHARS or text.endswith((",", ":", ";", "?", "!", "…")):
        return False
    if text.endswith(".") and len(text) > SHORT_CREDIT_CHARS and not _CLOSING_INITIAL.search(text):
        return False  # a full stop ends a sentence, unless it closes an initial or a short "Theo TTXVN."
    return parse_attribution(text) is not None
