"""Text path: a raw text dump (a browser's select-all or ``innerText``) split into classified lines.

Two layouts are told apart from the text alone:

* page dumps (the seed, headless-Chromium dumps of outlet pages): menus and header lines, section label,
  date line (possibly glued to the headline), title, authors, lead, body with captions and related cards,
  byline, tag list, furniture boxes with their items, footer. The date line anchors the header; the
  lexicons of ``furniture``, ``attribution`` and ``dates`` classify the rest.
* metadata-after-body dumps (Báo Mới 2013): title / lead / body / "dd/mm/yy HH:MM GMT+7" / section / comma-
  separated tags / credited outlet, recognised by a date line followed by at most three short lines.

Every output string goes through ``textnorm.clean``. Bad input never raises: it gives an Article with a
warning in its provenance.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from urllib.parse import urlsplit

from diemtin.article import Article, Link, Page, Provenance
from diemtin.extract.attribution import LOWER, UPPER, Attribution, is_byline, is_name, parse_attribution
from diemtin.extract.dates import DateMatch, date_line_rest, not_after
from diemtin.extract.furniture import (
    heading_kind,
    inline_headings,
    inline_link_title,
    is_ui_line,
    link_markers,
    tag_label_rest,
    without_ui_ending,
)
from diemtin.extract.sniff import decode
from diemtin.group.taxonomy import category_for_label
from diemtin.sites import profile_for
from diemtin.textnorm import clean

log = logging.getLogger(__name__)

# --- Line shapes --------------------------------------------------------------------------------------------

# A photo caption ends with a credit or a photo note: "… Ảnh: Reuters", "… - Ảnh: H.Y.T.", "(Ảnh minh hoạ)",
# or a video's archive credit: "Clip giới thiệu sản phẩm. Tư liệu: FPT".
_CAPTION = re.compile(
    r"(?:(?:^|[\s.\-–—(])(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Đồ họa|Đồ hoạ|Nguồn ảnh|Video|Clip|Tư liệu)"
    r"\s*:\s*[^:]{1,60}"
    r"|\((?:Ảnh(?: minh (?:họa|hoạ))?|Ảnh\s*:[^)]{1,60}|Nguồn\s*:[^)]{1,60})\))\s*\.?\)?$",
)
CAPTION_TAIL_CHARS = 160  # a caption's credit is at most about 80 characters: what _CAPTION needs to see
# A sentence's end, the next one starting with a capital (glued on or after spaces).
_SENTENCE_STOP = re.compile(rf"[.!?…\"”](?=\s*{UPPER})")
# A furniture item dated as shown: "Tiêu đề … (19/07)".
_DATED_ITEM = re.compile(r"^(?P<title>.+?)\s*\((?P<date>\d{1,2}/\d{1,2}(?:/\d{2,4})?)\)$")
# Bullets printed on their own line before list items.
_BULLET = re.compile(r"^[-–—•·*+>]+$")
# An outlet prefix on a lead: "(Dân trí) - ", "(NLĐO)- ".
_OUTLET_PREFIX = re.compile(r"^\([^)]{2,25}\)\s*[-–—]")
# Glued breadcrumb "Kinh doanhQuốc tếPhân tích": a lower-case letter directly followed by an upper-case one.
_GLUED_CRUMB = re.compile(rf"(?<={LOWER})(?={UPPER})")
# A sentence end glued to the next paragraph: a stop after two lower-case letters or a closing quote or
# bracket, then an upper-case letter ("…đất.Thi thể…", "…công vụ".Súng…").
_GLUED_SENTENCE = re.compile(
    rf"(?<={LOWER}{LOWER}[.!?…])(?={UPPER})|(?<=[.!?…][\"”»])(?={UPPER})|(?<=[\"”»)][.!?…])(?={UPPER})"
)
# Two words glued together: "phêNạn", and an upper-case credit glued to a word: "THẾ DŨNGKhông".
_GLUED_WORDS = re.compile(rf"(?<={LOWER})(?={UPPER})|(?<={UPPER}{UPPER})(?={UPPER}{LOWER})")
_CRUMB_SEPARATOR = re.compile(r"\s+[>›»/|]\s+")
# Tag links printed without a space between them: "phim ngắnHuế", "V-LeagueSông Lam".
_GLUED_TAGS = re.compile(rf"(?:{LOWER}{{2}}|-\w+)(?={UPPER})")
_SPACES = re.compile(r"[^\S\n]+")
_WORD = re.compile(r"\w+")
_NON_WORD_END = re.compile(r"\W+$")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_SENTENCE_END = (".", "!", "?", "…", '"', "”", ":", ";")

MAX_SECTION_CHARS = 50
MAX_TITLE_CHARS = 250
MIN_TITLE_CHARS = 10
MIN_ITEM_WORDS = 4
MAX_RELATED_ITEMS = 30
MAX_TAG_CHARS = 60
MAX_CAPTION_CHARS = 300  # a longer piece ending in a photo credit is body text with a caption glued on
MAX_TAG_WORDS = 5  # a longer run of words after a tag label without commas is several tags glued together
MAX_TAG_LIST_CHARS = 400
GLUED_TAGS_WARNING = "tag list printed without separators; tags not split"
SHORT_LINE_CHARS = 40
MAX_SHORT_SHARE = 0.5  # above the Báo Mới date line: title, lead and paragraphs, not a column of menu items
FEW_SHORT_LINES = 4  # a short article may be mostly short lines (kicker, title, author)
MIN_BODY_WORDS = 40  # below this a page dump is more likely a listing than an article
MAX_PREFIXED_PARAGRAPHS = 2  # more body paragraphs opening with "(Outlet) -" are a listing's teasers
MAX_CARD_TITLE_CHARS = 150
# Kinds of boxes that may sit empty inside the content (filled by JavaScript): their heading does not end it.
WIDGET_KINDS = frozenset({"latest", "more", "featured", "sponsored"})
MAX_ANCHORS = 12  # date lines tried as the header anchor
MIN_LEAD_CHARS = 60
MIN_REPEATED_LEAD_WORDS = 8  # a shorter lead repeated at the start of the body may be a coincidence
HEADER_WINDOW = 8  # lines searched around the date line for title, section and authors
TRAILER_WINDOW = 6  # non-blank lines after the body searched for further credit lines
BINARY_SHARE = 0.1  # share of control or replacement characters that makes a text unreadable
PARAGRAPH_MIN_CHARS = 80
PARAGRAPH_BLANK_SHARE = 0.6  # share of long lines followed by a blank line that marks a paragraph-spaced dump


@dataclass(slots=True)
class _Parts:
    """What the layout readers find, before cleaning and assembly."""

    title: str = ""
    lead: str = ""
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    published: datetime | None = None
    section_path: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    listing: bool = False

    def credit(self, attribution: Attribution) -> None:
        for name in attribution.authors:
            if name not in self.authors:
                self.authors.append(name)
        if attribution.source and not self.source:
            self.source = attribution.source


# --- Public entry -------------------------------------------------------------------------------------------


def extract_text(page: Page) -> Article:
    """Understand a raw text dump; the layout is detected from the text. Never raises on bad content."""
    text, warnings = decode(page.content, page.headers.get("content-type"))
    provenance = Provenance(
        input=page.origin or page.url,
        input_kind="text",
        input_hash=page.content_hash,
        fetched_at=page.fetched_at,
        warnings=list(warnings),
    )
    try:
        parts = _read_parts(text, now=page.fetched_at)
    except Exception as exc:  # a dump we cannot read must not stop a batch run
        log.warning("text extraction failed for %s: %r", page.origin or page.url, exc)
        parts = _Parts(warnings=[f"text extraction failed: {exc!r}"])
    return _assemble(parts, page, provenance)


def _read_parts(text: str, *, now: datetime | None = None) -> _Parts:
    """Split a dump into lines and read it with the layout it has."""
    lines = split_lines(text)
    if not any(lines):
        return _Parts(warnings=["empty text"])
    if _looks_binary(text):
        return _Parts(warnings=["text looks binary or undecodable; nothing extracted"])
    trailer = _metadata_trailer(lines, now)
    if trailer is not None:
        return _read_trailer_layout(lines, trailer, now)
    parts = _read_page_layout(lines, now)
    if sum(len(line.split()) for line in parts.body) < MIN_BODY_WORDS:
        parts.warnings.append("little article text after the headline: a listing or home page?")
        parts.listing = True
    elif sum(1 for line in parts.body if _OUTLET_PREFIX.match(line)) > MAX_PREFIXED_PARAGRAPHS:
        parts.warnings.append("body paragraphs open like teasers ('(Outlet) -'): a listing page")
        parts.listing = True
    return parts


def split_lines(text: str) -> list[str]:
    """Lines of a dump for classification: NFC, whitespace runs (NBSP included) collapsed, zero-width
    characters and CR removed, blank lines kept as "". Output strings get the full ``textnorm.clean``."""
    text = unicodedata.normalize("NFC", _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "")))
    return [line.strip() for line in _SPACES.sub(" ", text).split("\n")]


def _looks_binary(text: str) -> bool:
    sample = text[:4000]
    return bool(sample) and len(_CONTROL.findall(sample)) / len(sample) > BINARY_SHARE


# --- Báo Mới layout: metadata after the body ----------------------------------------------------------------


def _metadata_trailer(lines: list[str], now: datetime | None) -> int | None:
    """Index of a date-only line followed by one to three short lines and nothing else, if there is one and
    the text above it is article text rather than the short lines of menus and link lists."""
    filled = [i for i, line in enumerate(lines) if line]
    for position in range(len(filled) - 2, max(len(filled) - 5, 1), -1):
        index = filled[position]
        found = date_line_rest(lines[index], now=now)
        if found is None or found[1] or not found[0].has_time:
            continue
        after = [lines[i] for i in filled[position + 1 :]]
        if not (1 <= len(after) <= 3 and len(after[0]) <= MAX_SECTION_CHARS):
            continue
        above = [lines[i] for i in filled[:position]]
        short = sum(1 for line in above if len(line) < SHORT_LINE_CHARS)
        if short <= max(FEW_SHORT_LINES, MAX_SHORT_SHARE * len(above)):
            return index
    return None


def _read_trailer_layout(lines: list[str], date_index: int, now: datetime | None) -> _Parts:
    parts = _Parts()
    found = date_line_rest(lines[date_index], now=now)
    parts.published = found[0].value if found else None
    head = [line for line in lines[:date_index] if line]
    tail = [line for line in lines[date_index + 1 :] if line]
    parts.title = head[0] if head else ""
    parts.lead = head[1] if len(head) > 1 else ""
    body = [piece for paragraph in head[2:] for piece in _without_link_lists(paragraph, parts)]
    theo = None  # the paragraph and photo credit left by a credit glued after "Theo", when one was
    if body:
        last = without_ui_ending(body[-1])  # "Hoàng MaiPHẢN HỒIGửi bình luận": the widget bar goes
        body[-1] = _split_glued_byline(last, parts)
        if body[-1] and is_byline(body[-1]):
            attribution = parse_attribution(body[-1])
            if attribution:
                parts.credit(attribution)
            body.pop()
        elif body[-1] == last:  # no credit read the usual ways: perhaps one glued to "Theo …"
            theo = _split_glued_theo(last, parts)
            if theo is not None:
                body[-1] = theo[0]
    first = _without_lead(body[0], parts.lead) if body else ""
    if first or len(body) > 1:  # a body that only repeats the lead keeps it: the lead was the whole text
        body = [first, *body[1:]] if first else body[1:]
    for paragraph in body:
        for piece in _unglue(paragraph):
            text, caption = _split_caption(piece)
            parts.body += [text] if text else []
            parts.captions += [caption] if caption else []
    while parts.body and heading_kind(parts.body[-1]):  # a related box's heading with no links left under it
        parts.body.pop()
    if theo is None:
        _take_credit_off_the_end(parts)
    else:
        parts.captions += theo[1]
    section, tags, outlet = {3: tail, 2: [tail[0], "", tail[1]], 1: [tail[0], "", ""]}[len(tail)]
    parts.section_path = [section] if section else []
    parts.tags = _split_tags(tags)
    if outlet:
        parts.source = outlet
    return parts


# "…cả trước và sau.Hà Linh (TTTĐ)", "…đồng/cái.H.Linh", "…của Sở.Minh Thư - L.Giang": a credit glued to the
# end of the last paragraph (initials may start any of its names), perhaps starred ("….* T.A") or with the
# outlet in brackets ("…2014.Chi Na (thethaovietnam.vn)"); initials alone ("….Đ.N") may also be glued to the
# last word ("…bình chọnM.M").
# (initials are bounded: an unbounded run tried again from every stop made "A.A.A…" quadratic)
_INITIALS = rf"(?:{UPPER}\.){{1,4}}{UPPER}"
_GLUED_TAIL = re.compile(
    rf"^(?P<text>.*?(?:[.!?…\"”)]|{LOWER}(?={_INITIALS}$)))\s*"
    rf"(?P<credit>\*?\s*(?:(?:{UPPER}\.){{0,4}}{UPPER}(?:[^.!?…\"”(]|(?<=[\s\-–]{UPPER})\.){{1,60}}|{_INITIALS})"
    rf"(?:\s?\([^()]{{1,40}}\))?)$"
)


def _without_lead(paragraph: str, lead: str) -> str:
    """The first body paragraph without a repeat of the lead at its start (outlet prefix, spacing and
    punctuation aside): "" when it is only the lead, the rest when the dump glued the next paragraph to it."""
    lead_words = _WORD.findall(_OUTLET_PREFIX.sub("", lead))
    if len(lead_words) < MIN_REPEATED_LEAD_WORDS:
        return paragraph
    text = _OUTLET_PREFIX.sub("", paragraph)
    words = list(islice(_WORD.finditer(text), len(lead_words)))
    if [word.group() for word in words] != lead_words:
        return paragraph
    ending = _NON_WORD_END.search(lead)
    rest = text[words[-1].end() :].lstrip().removeprefix(ending.group().strip() if ending else "").strip()
    return paragraph if rest[:1].islower() else rest  # "…hay công" + "ty muốn…": a lead cut mid-sentence


def _split_glued_byline(paragraph: str, parts: _Parts) -> str:
    """Take an author or credit glued to the last paragraph off it; return the paragraph without it. A
    paragraph that is all credit ("T.Quyết", not "T." and "Quyết") is left whole to the caller."""
    match = _GLUED_TAIL.match(paragraph)
    if not match or is_byline(paragraph):
        return paragraph
    attribution = parse_attribution(match["credit"])
    if attribution is None or not is_byline(match["credit"]):
        return paragraph
    parts.credit(attribution)
    return match["text"].strip()


# The original outlet's credit glued to the end of the last paragraph ("Theo" right after a letter, digit or
# stop, or after a space only when a photo or archive credit comes before it: a sentence saying "Theo …" has a
# space before it), perhaps after the author's name (in lower case as Infonet prints it, or capitalised) and
# that credit: "…bó cứng.tuấn ngọcTheo Infonet", "…cho biếtTrần AnhTheo Infonet", "…Turbo S.Quang HưngẢnh:
# Xế hộp đất mỏTheo Infonet", "…giao hữu trênTheo Goal".
_GLUED_THEO = re.compile(r"^(?P<text>.*[^\s(])(?P<space>\s?)(?P<credit>Theo\s[^.!?…:()]{1,40})$")
_MEDIA_CREDIT_END = re.compile(r"(?:Ảnh|Tư liệu)\s?:\s?[^:]{1,40}$")
_NAME_WORD = r"[^\W\d_][^\W\d_.\-–]*"
MAX_GLUED_NAME_CHARS = 40  # longer is no byline ("Trúc Hà - Bá Vĩnh" is 17)
# The name: initials after the last stop ("G.A."), or the words after it, or capitalised words glued to a
# lower-case letter, or the whole paragraph when it is one to four words.
_INITIALS_AFTER_STOP = re.compile(rf"(?<=[.!?…:\"”)])(?P<name>(?:{UPPER}\.){{1,4}}(?:{UPPER}{LOWER}*\.?)?)$")
# (words part at a space or a dash, never inside a run of letters: that would try every split of a long run)
_NAME_AFTER_STOP = re.compile(
    rf"[.!?…:\"”)]\s?(?P<name>{_NAME_WORD}(?:(?:\s|\s?[\-–]\s?){_NAME_WORD}){{0,3}})$"
)
_NAME_AFTER_SEAM = re.compile(rf"(?<={LOWER})(?P<name>{UPPER}{LOWER}+(?: {UPPER}{LOWER}+){{0,3}})$")
_WHOLE_NAME = re.compile(rf"^(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,3}})$")


def _split_glued_theo(paragraph: str, parts: _Parts) -> tuple[str, list[str]] | None:
    """(the last paragraph without the original outlet's credit glued to its end, the photo or archive
    credit found before it, as a caption); the author and the credit go to ``parts``. None when the
    paragraph does not end so (``_GLUED_THEO``)."""
    match = _GLUED_THEO.match(paragraph)
    credit = parse_attribution(match["credit"]) if match else None
    if match is None or credit is None:
        return None
    text, media = match["text"], _MEDIA_CREDIT_END.search(match["text"])
    if match["space"] and not media:  # "…Tư liệu: Acer Theo Infonet" only: else a sentence may go on so
        return None
    if media:
        text = text[: media.start()]
    named = (
        _INITIALS_AFTER_STOP.search(text)
        or _NAME_AFTER_STOP.search(text)
        or _NAME_AFTER_SEAM.search(text)
        or _WHOLE_NAME.match(text)
    )
    authors: list[str] = []
    if named and len(named["name"]) <= MAX_GLUED_NAME_CHARS:
        read = parse_attribution(named["name"])
        authors = read.authors if read and read.authors and not read.source else [named["name"]]
        text = text[: named.start("name")]
    parts.credit(Attribution(authors + credit.authors, credit.source))
    return text.strip(), [media.group().strip()] if media else []


_ABBREVIATION = re.compile(r"^\w{1,3}\.?$")
# A byline with the photo credit glued after it, perhaps an outlet's credit after that: "Suri PhanẢnh:
# Mashable", "Hà Linh (TTTĐ)Ảnh: Paultan", "Phương PhạmẢnh: Cuong SevenTheo Infonet".
_CREDIT_THEN_PHOTO = re.compile(
    r"^(?P<credit>[^.!?…:]{2,60}?)\s?(?P<photo>Ảnh\s?:\s?.{1,40}?)(?:\s?(?P<theo>Theo\s.+))?$"
)


def _split_caption(piece: str) -> tuple[str, str]:
    """(body text, caption) of a piece: a piece ending in a photo credit is a caption ("Cầu mới. Ảnh: Hà
    An"); a long one is body text with the caption glued to its end ("…tháng 6/2013.Cầu mới. Ảnh: Hà An"), cut
    after the last sentence before the caption's own; kept whole as body when that cut cannot be found."""
    credit = _CAPTION.search(piece)
    if not credit:
        return piece, ""
    if len(piece) <= MAX_CAPTION_CHARS:
        return "", piece
    stops = [stop.end() for stop in _SENTENCE_STOP.finditer(piece, 0, credit.start())]
    starts = [end for end in stops if piece[end : credit.start()].strip(" .-–—")]  # not the credit's own stop
    if not starts or len(piece) - starts[-1] > MAX_CAPTION_CHARS:
        return piece, ""
    return piece[: starts[-1]].strip(), piece[starts[-1] :].strip()


def _take_credit_off_the_end(parts: _Parts) -> None:
    """A credit that ungluing set apart at the end of the body ("…ngày mai 28-5.T.N (thethaovietnam.vn)")
    becomes the article's author and source; a lone abbreviation ("Th.", "BS.") is not taken for one. A photo
    credit glued after the byline ("Suri PhanẢnh: Mashable") goes to the captions."""
    last = parts.body[-1] if parts.body else ""
    photo = _CREDIT_THEN_PHOTO.match(last)
    credit = f"{photo['credit']} {photo['theo'] or ''}".strip() if photo else last
    attribution = parse_attribution(credit) if is_byline(credit) and not _ABBREVIATION.match(credit) else None
    if attribution:
        parts.credit(attribution)
        parts.body.pop()
        parts.captions += [photo["photo"]] if photo else []


def _unglue(paragraph: str) -> list[str]:
    """Split paragraphs that lost their line breaks: "…đất.Thi thể…" (a sentence end glued to the next
    paragraph) and "…vườn cà phê. Ảnh: Hải AnhDù đã…" (a photo credit glued to the next paragraph)."""
    pieces: list[str] = []
    for part in _GLUED_SENTENCE.split(paragraph):
        for glued in _GLUED_WORDS.finditer(part):
            head = part[: glued.start()]
            if _CAPTION.search(head[-CAPTION_TAIL_CHARS:]):  # the tail only: every seam would read it all
                pieces.extend([head.strip(), part[glued.start() :].strip()])
                break
        else:
            pieces.append(part.strip())
    return [piece for piece in pieces if piece]


# Where link titles run together on one line end and the article text glued to them starts: two lower-case
# letters (with the stop or closing quote that ends the title) or a digit, directly followed by a capital
# ("…Man CityJohan Cruyff…", "…mua Jovetic?Theo…", "…“tật mang”?Các…", "…VNREDSat-1Sáng nay…").
_SEAM = re.compile(rf"{LOWER}{{2}}(?:[.!?…][\"”]?|”[.!?…]?)?(?={UPPER})|\d(?={UPPER}{LOWER})")
# A sentence stop inside a piece of text; link titles have none ("chỉ để... đối phó" is not one).
_STOP = re.compile(rf"{LOWER}{{2}}\.(?:\s|$)")
# Bullets between link titles under a heading: "- Một- Hai", "* Một* Hai" (not the hyphen of "Việt Nam-Lào").
_LIST_BULLET = re.compile(r"(?:^|(?<=\S))\s*[-*•](?=\s|$)")
_BULLETS = "-*•"
# A credit printed after the last link title of a paragraph: "» Tiêu đề Theo Báo Mẫu".
_TITLE_THEN_CREDIT = re.compile(r"^(?P<title>.+?)\s+(?P<credit>Theo\s+\S.*)$")
_QUOTES = "\"“‘'«"


def _without_link_lists(paragraph: str, parts: _Parts) -> list[str]:
    """The article text of a paragraph into which the dump ran a list of related links, in pieces (the text
    before the links, the text after them); the links go to ``parts.related`` when their titles are told
    apart. A list is opened by a related heading ("…Hà ThuTin liên quan:A- B", "TIN LIÊN QUAN A B CThân bài")
    or by link markers ("» A » B", ">> A >> B Thân bài")."""
    pieces: list[str] = []
    for piece in _without_related_heading(paragraph, parts):
        pieces.extend(_without_marked_links(piece, parts))
    return [piece for piece in pieces if _WORD.search(piece)]


def _without_related_heading(paragraph: str, parts: _Parts) -> list[str]:
    """Cut the links after the first related heading that opens a list: one at the start of the paragraph,
    glued to the word before it, printed in capitals or followed by a colon, with a capital, digit, bullet or
    quote after it ("Tin liên quan đến …" is a sentence). The links end where the text after them is glued on
    (see ``_split_links``); when that is unclear the paragraph stays whole."""
    for start, end in inline_headings(paragraph, "related"):
        heading = paragraph[start:end]
        after = paragraph[end:]
        tail = after.lstrip(" :")
        opens = start == 0 or not paragraph[start - 1].isspace() or heading.isupper() or after.startswith(":")
        if not (opens and tail and (tail[0].isupper() or tail[0].isdigit() or tail[0] in _BULLETS + _QUOTES)):
            continue
        found = _split_links(tail)
        if found is None:
            continue
        titles, rest = found
        _add_links(parts, titles)
        return [paragraph[:start].strip(), *_without_related_heading(rest.strip(), parts)]
    return [paragraph]


def _split_links(tail: str) -> tuple[list[str], str] | None:
    """The link titles at the start of ``tail`` and the text after them; None when their end is unclear.

    Titles after bullets, or pieces without a sentence stop up to the end, are all links. Otherwise the
    titles end at a seam (see ``_SEAM``): the first piece is links (the dump may have run several titles
    together with spaces); later pieces are too up to the first one that is prose, except the piece right
    before it, which may be a photo caption or a subheading glued on and stays."""
    if tail[0] in _BULLETS:
        return None if _STOP.search(tail) else ([item.strip() for item in _LIST_BULLET.split(tail)], "")
    cuts = [match.end() for match in _SEAM.finditer(tail)]
    pieces = [tail[a:b] for a, b in zip([0, *cuts], [*cuts, len(tail)], strict=True)]
    if _STOP.search(pieces[0]):
        return None
    for index, piece in enumerate(pieces[1:], start=1):
        if _STOP.search(piece) or len(piece) > MAX_CARD_TITLE_CHARS:
            keep = max(index - 1, 1)
            return pieces[:keep], "".join(pieces[keep:])
    return pieces, ""


def _without_marked_links(paragraph: str, parts: _Parts) -> list[str]:
    """Cut the link titles that follow link markers (">> A >> B", "» A » B") out of a paragraph; the text
    before the first marker and any text after a title stay, as separate pieces."""
    marks = link_markers(paragraph)
    if not marks:
        return [paragraph]
    kept = [paragraph[: marks[0][0]]]
    ends = [start for start, _ in marks[1:]] + [len(paragraph)]
    for (_, start), end in zip(marks, ends, strict=True):
        title, rest = _marked_title(paragraph[start:end].strip(), last=end == len(paragraph))
        _add_links(parts, [title])
        kept.append(rest)
    return kept


def _marked_title(piece: str, *, last: bool) -> tuple[str, str]:
    """The link title at the start of the text after a marker, and the text after it: the title runs to a
    seam where text is glued on (see ``_SEAM``), else to the next marker, else to the end of the paragraph
    (a "Theo …" credit after it stays; a short tail is more likely a name than a title). ("", piece) when no
    title can be told apart, as when the last title runs into the text with a plain space."""
    seam = _SEAM.search(piece)
    if seam and _is_link_title(piece[: seam.end()]):
        return piece[: seam.end()], piece[seam.end() :]
    if not last:
        return (piece, "") if _is_link_title(piece) else ("", piece)
    credited = _TITLE_THEN_CREDIT.match(piece)
    title, rest = (
        (credited["title"], credited["credit"]) if credited and is_byline(credited["credit"]) else (piece, "")
    )
    if _is_link_title(title) and len(title.split()) >= MIN_ITEM_WORDS and not _CAPTION.search(title):
        return title, rest
    return "", piece


def _is_link_title(text: str) -> bool:
    """A link title: short, without a sentence stop."""
    text = text.strip()
    return bool(text) and len(text) <= MAX_CARD_TITLE_CHARS and not _STOP.search(text)


def _add_links(parts: _Parts, titles: list[str]) -> None:
    """Keep cut-out link titles as related links; a lone word is debris, and a longer text is several titles
    the dump ran together with spaces, which cannot be told apart."""
    for title in titles:
        title = title.strip(" " + _BULLETS)
        if (
            len(title.split()) >= 2
            and _is_link_title(title)
            and title not in {link.title for link in parts.related}
        ):
            parts.related.append(Link(title=title, kind="related"))


def _split_tags(text: str) -> list[str]:
    tags: list[str] = []
    for raw in text.split(","):
        tag = raw.strip().lstrip("#").strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


# --- Page layout: header, body, trailer ---------------------------------------------------------------------


@dataclass(slots=True)
class _Anchor:
    """The date line that anchors the header and what it says."""

    index: int
    match: DateMatch
    rest: str
    glued_title: str


def _find_anchors(lines: list[str], now: datetime | None, *, timed: bool) -> Iterator[_Anchor]:
    """Date lines that could anchor the header, in page order: a date (with its time when ``timed``, without
    one otherwise) alone on its line, with a section label, or glued to the headline."""
    for index, line in enumerate(lines):
        if not line or len(line) > MAX_TITLE_CHARS + 40:
            continue
        found = date_line_rest(line, now=now)
        if found is None or found[0].has_time is not timed:
            continue
        match, rest = found
        tail = line[match.end :]
        if match.start == 0 and rest and tail[:1].isalpha() and _is_headline(tail.strip()):
            yield _Anchor(index, match, "", tail.strip())
        elif not rest or _is_label(rest):
            label = line[match.end :].rsplit("|", 1)[-1].strip() if "|" in line[match.end :] else rest
            yield _Anchor(index, match, label if _is_label(label) else rest, "")


def _is_label(line: str) -> bool:
    """A short section label: few words, no sentence punctuation, not UI, not a furniture heading."""
    return (
        0 < len(line) <= MAX_SECTION_CHARS
        and len(line.split()) <= 8
        and not line.endswith(_SENTENCE_END)
        and not any(ch.isdigit() for ch in line)
        and not is_ui_line(line)
        and heading_kind(line) is None
    )


def _is_headline(line: str) -> bool:
    return (
        MIN_TITLE_CHARS <= len(line) <= MAX_TITLE_CHARS
        and not line.endswith((".", ";", ",", ":"))
        and not _OUTLET_PREFIX.match(line)
        and heading_kind(line) is None
        and tag_label_rest(line) is None
        and not is_ui_line(line)
        and not is_name(line)
    )


def _is_author_line(line: str) -> bool:
    return bool(line) and is_byline(line) and not line.lower().startswith("theo ")


def _skippable_header_line(line: str, title: str) -> bool:
    """Blank, UI, a repeat of the title, or a second date line: lines between headline and lead."""
    if not line or is_ui_line(line) or line == title:
        return True
    found = date_line_rest(line)
    return found is not None and not found[1]


def _read_page_layout(lines: list[str], now: datetime | None) -> _Parts:
    """Header from the first date line that has a headline and a prose lead next to it (a timestamped ticker
    above the article does not; lines with a time are tried before dates alone), else from the first date
    line at all; then body and trailer."""
    chosen: tuple[_Parts, int | None] | None = None
    anchors = chain(
        islice(_find_anchors(lines, now, timed=True), MAX_ANCHORS),
        islice(_find_anchors(lines, now, timed=False), MAX_ANCHORS),
    )
    for anchor in anchors:
        parts = _Parts(published=anchor.match.value)
        if not anchor.match.has_time:
            parts.warnings.append("the date line shows no time; published set to midnight")
        title_index, lead_start = _place_title(lines, anchor, parts)
        _read_section(lines, anchor, title_index, parts)
        lead_index = _read_lead(lines, lead_start, parts)
        if chosen is None:
            chosen = parts, lead_index
        if parts.title and lead_index is not None and len(parts.lead) >= MIN_LEAD_CHARS:
            chosen = parts, lead_index
            break
    if chosen is None:
        parts = _Parts(warnings=["no date line found; header guessed from the first lines"])
        return _read_headerless(lines, parts)
    parts, lead_index = chosen
    if lead_index is None:
        parts.warnings.append("no lead or body found after the headline")
        return parts
    end = _read_body(lines, lead_index + 1, parts)
    _read_trailer(lines, end, parts)
    _drop_related_cards(parts)
    return parts


def _place_title(lines: list[str], anchor: _Anchor, parts: _Parts) -> tuple[int, int]:
    """Find the headline near the date line; returns (title index, index where the lead search starts)."""
    if anchor.glued_title:
        parts.title = anchor.glued_title
        return anchor.index, anchor.index + 1
    after = _next_content(lines, anchor.index + 1, HEADER_WINDOW)
    if after is not None and _is_headline(lines[after]) and not _is_author_line(lines[after]):
        parts.title = lines[after]
        return after, after + 1
    before = anchor.index - 1
    for index in range(anchor.index - 1, max(anchor.index - HEADER_WINDOW, -1), -1):
        line = lines[index]
        if not line or is_ui_line(line):
            continue
        if _is_author_line(line):
            attribution = parse_attribution(line)
            if attribution:
                parts.credit(attribution)
            continue
        before = index
        break
    parts.title = lines[before] if before >= 0 else ""
    return before, anchor.index + 1


def _next_content(lines: list[str], start: int, window: int) -> int | None:
    """Index of the next line that is neither blank nor UI, within ``window`` lines."""
    for index in range(start, min(start + window, len(lines))):
        line = lines[index]
        if not line or is_ui_line(line):
            continue
        return index
    return None


def _read_section(lines: list[str], anchor: _Anchor, title_index: int, parts: _Parts) -> None:
    """Section label: the date line's own label (cafef), else the label line just above the header."""
    if anchor.rest:
        parts.section_path = [anchor.rest]
        return
    top = min(anchor.index, title_index)
    for index in range(top - 1, max(top - HEADER_WINDOW, -1), -1):
        line = lines[index]
        if not line or is_ui_line(line) or _is_author_line(line):
            continue
        if _is_label(line):
            parts.section_path = _crumbs(line)
        return


def _crumbs(line: str) -> list[str]:
    """Breadcrumb parts: "Trang chủ > Đời sống" -> ["Đời sống"], "Kinh doanhQuốc tếPhân tích" (links glued
    together) -> ["Kinh doanh", "Quốc tế", "Phân tích"]."""
    crumbs = [part.strip() for piece in _CRUMB_SEPARATOR.split(line) for part in _GLUED_CRUMB.split(piece)]
    return [crumb for crumb in crumbs if crumb and not is_ui_line(crumb)]


def _read_lead(lines: list[str], start: int, parts: _Parts) -> int | None:
    """The first prose line after the header; author lines on the way are credited."""
    for index in range(start, len(lines)):
        line = lines[index]
        if _skippable_header_line(line, parts.title):
            continue
        if _is_author_line(line) and index - start < HEADER_WINDOW:
            attribution = parse_attribution(line)
            if attribution:
                parts.credit(attribution)
            continue
        if heading_kind(line) or tag_label_rest(line) is not None:
            return None
        parts.lead = line
        return index
    return None


def _paragraph_spaced(lines: list[str]) -> bool:
    """Do long lines stand apart with blank lines between (innerText of <p>), as in Chromium dumps?"""
    long_lines = [i for i, line in enumerate(lines[:-1]) if len(line) >= PARAGRAPH_MIN_CHARS]
    if len(long_lines) < 3:
        return False
    spaced = sum(1 for i in long_lines if not lines[i + 1])
    return spaced / len(long_lines) >= PARAGRAPH_BLANK_SHARE


def _read_body(lines: list[str], start: int, parts: _Parts) -> int:
    """Body paragraphs and captions from ``start``; returns the index where the article text ends."""
    spaced = _paragraph_spaced(lines)
    index = start
    while index < len(lines):
        line = lines[index]
        if not line or is_ui_line(line) or line == parts.title or line == parts.lead:
            index += 1
            continue
        kind = heading_kind(line)
        if kind is not None:
            following = _next_content(lines, index + 1, HEADER_WINDOW)
            if following is not None and _is_prose(lines[following]) and kind in WIDGET_KINDS:
                index += 1  # an empty widget heading inside the content ("TIN MỚI" filled by JavaScript)
                continue
            return index
        if tag_label_rest(line) is not None:
            return index
        if is_byline(line) and not _prose_follows(lines, index + 1):
            return index
        linked = inline_link_title(line)
        if linked:
            parts.related.append(Link(title=linked, kind="more"))
            index += 1
            continue
        if spaced and index > 0 and _CAPTION.search(lines[index - 1]) and _is_headline(line):
            index += 1  # a link card printed right under a photo, with no paragraph break
            continue
        if spaced:
            run_end = _list_run_end(lines, index)
            if run_end is not None:
                index = run_end  # a block of link titles (related cards) inside a paragraph-spaced body
                continue
        if _CAPTION.search(line):
            parts.captions.append(line)
        else:
            parts.body.append(line)
        index += 1
    return index


def _opens_trailer(line: str) -> bool:
    return heading_kind(line) is not None or tag_label_rest(line) is not None


def _prose_follows(lines: list[str], start: int) -> bool:
    """Does article prose come after ``start`` before any furniture heading or tag list?"""
    seen = 0
    for line in lines[start:]:
        if not line or is_ui_line(line):
            continue
        if heading_kind(line) or tag_label_rest(line) is not None:
            return False
        if _is_prose(line):
            return True
        seen += 1
        if seen >= HEADER_WINDOW:
            break
    return False


def _list_run_end(lines: list[str], index: int) -> int | None:
    """If ``index`` starts a block of two or more consecutive lines (no blank line between, no heading) of
    which at least half are headline-shaped, the index after the block; else None. Body lists whose items
    are sentences stay."""
    if (
        index > 0
        and lines[index - 1]
        and not is_ui_line(lines[index - 1])
        and not _CAPTION.search(lines[index - 1])
    ):
        return None  # not the start of a block
    end = index
    while end < len(lines) and lines[end] and not is_ui_line(lines[end]) and not _opens_trailer(lines[end]):
        if _CAPTION.search(lines[end]):
            break
        end += 1
    block = lines[index:end]
    if len(block) < 2:
        return None
    titles = sum(1 for line in block if _is_headline(line) and len(line) <= MAX_CARD_TITLE_CHARS)
    return end if titles * 2 >= len(block) else None


def _is_prose(line: str) -> bool:
    return len(line) >= PARAGRAPH_MIN_CHARS and line.endswith(_SENTENCE_END)


def _read_trailer(lines: list[str], start: int, parts: _Parts) -> None:
    """After the body: bylines and credit lines, tag lists, furniture boxes with their items."""
    credits_left = TRAILER_WINDOW
    index = start
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        rest = tag_label_rest(line)
        if rest is not None:
            credits_left = 0
            index = _read_tags(lines, index, rest, parts)
            continue
        kind = heading_kind(line)
        if kind is not None:
            credits_left = 0
            index = _read_items(lines, index, kind, parts)
            continue
        if credits_left > 0:
            credits_left -= 1
            if is_byline(line):
                attribution = parse_attribution(line)
                if attribution:
                    parts.credit(attribution)


def _read_tags(lines: list[str], index: int, rest: str, parts: _Parts) -> int:
    """Tags after a tag label: on the label's line, comma-separated on the next line, or one per line. Tags
    printed as one run of words ("CHỦ ĐỀ: a b c d e f") or as links glued together ("phim ngắnHuế") lost
    their boundaries: they are left out, with a warning, rather than guessed."""
    if rest:
        if "," in rest or (len(rest.split()) <= MAX_TAG_WORDS and not _GLUED_TAGS.search(rest)):
            parts.tags.extend(tag for tag in _split_tags(rest) if tag not in parts.tags)
        else:
            parts.warnings.append(GLUED_TAGS_WARNING)
        return index
    found: list[str] = []
    while index < len(lines):
        line = lines[index]
        if not line:
            if found:
                break
            index += 1
            continue
        if heading_kind(line) or is_ui_line(line):
            break
        if "," in line and len(line) <= MAX_TAG_LIST_CHARS:
            parts.tags.extend(tag for tag in _split_tags(line) if tag not in parts.tags)
            return index + 1
        if len(line) > MAX_TAG_CHARS:
            break
        found.append(line.lstrip("#").strip())
        index += 1
    if len(found) == 1 and _GLUED_TAGS.search(found[0]):
        parts.warnings.append(GLUED_TAGS_WARNING)
        return index
    parts.tags.extend(tag for tag in dict.fromkeys(found) if tag and tag not in parts.tags)
    return index


def _read_items(lines: list[str], index: int, kind: str, parts: _Parts) -> int:
    """Items under a furniture heading: title-shaped lines, bullets and blank lines skipped."""
    items = 0
    while index < len(lines) and items < MAX_RELATED_ITEMS:
        line = lines[index]
        if not line or _BULLET.match(line):
            index += 1
            continue
        if heading_kind(line) or tag_label_rest(line) is not None or is_ui_line(line):
            break
        if len(line.split()) < MIN_ITEM_WORDS or len(line) > MAX_TITLE_CHARS:
            break
        dated = _DATED_ITEM.match(line)
        if dated:
            parts.related.append(Link(title=dated["title"], date=dated["date"], kind=kind))
        else:
            parts.related.append(Link(title=line, kind=kind))
        items += 1
        index += 1
    return index


def _drop_related_cards(parts: _Parts) -> None:
    """A body line repeating the title of a furniture item is a related-article card shown inside the
    content; it goes, with the description line right after it."""
    titles = {link.title for link in parts.related}
    if not titles:
        return
    kept: list[str] = []
    skip_next = False
    for line in parts.body:
        if skip_next:
            skip_next = False
            continue
        if line in titles:
            skip_next = True
            continue
        kept.append(line)
    parts.body = kept


def _read_headerless(lines: list[str], parts: _Parts) -> _Parts:
    """No date line: first title-shaped line as headline, next line as lead, the rest read as a body."""
    filled = [i for i, line in enumerate(lines) if line]
    title_index = next((i for i in filled if _is_headline(lines[i])), filled[0])
    parts.title = lines[title_index]
    lead_index = _read_lead(lines, title_index + 1, parts)
    if lead_index is None:
        return parts
    end = _read_body(lines, lead_index + 1, parts)
    _read_trailer(lines, end, parts)
    _drop_related_cards(parts)
    return parts


# --- Assembly -----------------------------------------------------------------------------------------------


def _assemble(parts: _Parts, page: Page, provenance: Provenance) -> Article:
    profile = profile_for(page.url)
    section_path = _clean_all(parts.section_path)
    section = section_path[-1] if section_path else None
    category = (profile.category_for(page.url, section) if profile else None) or category_for_label(section)
    published = not_after(parts.published, page.fetched_at)
    if parts.published is not None and published is None:
        parts.warnings.append(
            f"publication time {parts.published.isoformat()} is later than the fetch time; dropped"
        )
    provenance.profile = profile.key if profile else None
    provenance.page_type = "listing" if parts.listing else "article"
    provenance.warnings.extend(parts.warnings)
    if not parts.title:
        provenance.warnings.append("no headline found")
    article = Article(
        url=page.url,
        site=_host(page.url),
        outlet=profile.name if profile else None,
        section=section,
        section_path=section_path,
        category=category,
        title=clean(parts.title),
        lead=clean(parts.lead),
        body=_clean_all(parts.body),
        captions=_clean_all(parts.captions),
        authors=_clean_all(parts.authors),
        source=clean(parts.source) or None,
        published=published,
        tags=_clean_all(parts.tags),
        related=[
            Link(title=clean(link.title), url=link.url, date=link.date, kind=link.kind)
            for link in parts.related
        ],
        provenance=provenance,
    )
    article.id = article.compute_id()
    return article


def _clean_all(texts: list[str]) -> list[str]:
    cleaned = (clean(text) for text in texts)
    return [text for text in cleaned if text]


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None
