"""HTML path: Page -> Article in three layers (DESIGN.md section 4).

1. Structured metadata (JSON-LD, OpenGraph, article:*, itemprop) gives canonical URL, dates, section, outlet.
2. The outlet's profile, chosen by host (or by the page's own canonical URL), names exact elements.
3. Generic main-content extraction covers pages without a profile, or whatever the profile leaves unnamed.

The visible page wins over metadata where they disagree (headline, date to the minute, bylines, tags);
furniture (related boxes, "Xem thêm", share bars, tag lists) never reaches the body and related links go to
``Article.related``. Bad markup never raises: problems are written to ``provenance.warnings``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from diemtin.article import Article, Image, Link, Page, Provenance
from diemtin.config import settings
from diemtin.extract import furniture, generic
from diemtin.extract.attribution import GROUP_BYLINES, Attribution, is_byline, parse_attribution, split_names
from diemtin.extract.dates import (
    date_line_rest,
    find_datetime,
    not_after,
    parse_machine_date,
    parse_relative,
    parse_visible_date,
)
from diemtin.extract.metadata import HOME_LABELS, PageMetadata, read_metadata
from diemtin.extract.sniff import decode
from diemtin.group.taxonomy import category_for_label
from diemtin.sites import SiteProfile, profile_for
from diemtin.textnorm import clean, fold

# Pages larger than this are cut before parsing (a warning says so).
MAX_HTML_BYTES = 6 * 1024 * 1024
MAX_RELATED_LINKS = 60
MAX_TAGS = 30
MAX_HEADER_LINES = 4
MAX_DATE_NODES = 40
MAX_DATE_CHARS = 80
MAX_AUTHOR_NODES = 8
# Elements that may hold a tag-list label such as "Từ khóa:".
LABEL_TAGS: tuple[str, ...] = ("span", "b", "strong", "li", "p", "label", "h3", "h4", "h5", "dt", "div", "i")
# Below this much text the generic extractor retries without leaving out furniture-named wrappers.
MIN_GENERIC_CHARS = 500
# Generic selectors used when a profile does not name the element.
LEAD_SELECTORS = (
    "[data-role=sapo], [class*=sapo], [class*=chapeau], [class*=chapo], p.description, h2.description, "
    "[itemprop=description]"
)
DATE_SELECTORS = (
    "[data-role=publishdate], [itemprop=datePublished], [class*=publish], [class*=date], [class*=time]"
)
AUTHOR_SELECTORS = (
    "[rel=author], [itemprop=author] [itemprop=name], [class*=author-name], [class*=author] .name, "
    "[class*=author] a[href*='tac-gia'], [class*=byline] a"
)
BREADCRUMB_SELECTORS = "[class*=breadcrumb] a, [class*=bread-crumb] a, [itemtype*=BreadcrumbList] a"
TAG_CONTAINER = re.compile(
    r"(?:^|[\s_-])(?:tags?|tag-?list|keywords?|tu-?khoa|chu-?de|topics?)(?:$|[\s_-])", re.I
)
# Class/id of boxes whose links are related articles (besides boxes headed "Tin liên quan" & co.).
RELATED_BOX = re.compile(
    r"relate|lien-?quan|cung-?chuyen-?muc|xem-?them|doc-?them|most-?read|doc-?nhieu|xem-?nhieu|read-?more|"
    r"recommend|same-?cate",
    re.IGNORECASE,
)
_BY_PREFIX = re.compile(r"^(?:by|bởi)\s+", re.IGNORECASE)
_SITE_SUFFIX = re.compile(r"\s+[|\-–—]\s+[^|\-–—]{2,40}$")
_EXTENSION = re.compile(r"\.(?:html?|chn|epi|aspx?|php)$", re.I)


@dataclass(slots=True)
class _Body:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    right_aligned_last: bool = False
    furniture: list[LexborNode] = field(default_factory=list)


def _header(page: Page, name: str) -> str | None:
    for key, value in page.headers.items():
        if key.lower() == name:
            return value
    return None


def node_text(node: LexborNode | None) -> str:
    """Visible text of an element: <br> and blocks become spaces, scripts and hidden parts left out."""
    if node is None or node.child is None:
        return ""
    blocks = generic.walk(node, generic=False).blocks
    return clean(" ".join(block.text for block in blocks if block.kind != "image"))


def _select(tree: LexborHTMLParser | LexborNode, selector: str | None) -> list[LexborNode]:
    if not selector:
        return []
    try:
        return list(tree.css(selector))
    except (ValueError, SyntaxError):
        return []


def _first_text(tree: LexborHTMLParser | LexborNode, selector: str | None) -> str:
    for node in _select(tree, selector):
        text = node_text(node)
        if text:
            return text
    return ""


def _inside(node: LexborNode, tags: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _absolute(base: str | None, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    try:
        return urljoin(base, href.strip()) if base else href.strip()
    except ValueError:  # "http://[broken" in a page's markup
        return None


def _site(url: str | None) -> str | None:
    """The host of a URL without "www.", or None when there is none or it cannot be parsed."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:
        return None
    return host.lower().removeprefix("www.") if host else None


# --- layer 2/3: the body -----------------------------------------------------------------------------------


def _image_captions(blocks: list[generic.Block]) -> dict[int, str]:
    """Caption of each image block (by position): its <figure>'s caption, else a caption right after it
    (table layouts such as "tplCaption": image row, then caption row)."""
    by_figure: dict[int, str] = {}
    for block in blocks:
        if block.kind == "caption" and block.figure >= 0 and block.figure not in by_figure:
            by_figure[block.figure] = clean(block.text)
    found: dict[int, str] = {}
    for index, block in enumerate(blocks):
        if block.kind != "image":
            continue
        if block.figure >= 0:
            if block.figure in by_figure:
                found[index] = by_figure[block.figure]
        elif index + 1 < len(blocks) and blocks[index + 1].kind == "caption":
            found[index] = clean(blocks[index + 1].text)
    return found


def _collect(walked: generic.Walk, blocks: list[generic.Block], base: str | None) -> _Body:
    """Paragraphs, captions and images of the chosen blocks (text through textnorm.clean)."""
    body = _Body(furniture=[node for _, node in walked.furniture])
    captions = _image_captions(blocks)
    seen_images: set[str] = set()
    last_right = False
    for index, block in enumerate(blocks):
        if block.kind == "image":
            url = _absolute(base, block.url)
            if url and url not in seen_images:
                seen_images.add(url)
                body.images.append(Image(url, captions.get(index)))
        elif block.kind == "caption":
            caption = clean(block.text)
            if caption and caption not in body.captions:
                body.captions.append(caption)
        elif generic.is_prose(block):
            paragraph = clean(block.text)
            if paragraph:
                body.paragraphs.append(paragraph)
            last_right = block.right
    body.right_aligned_last = last_right
    return body


def _profile_body(
    tree: LexborHTMLParser, profile: SiteProfile, base: str | None, dropped: set[int]
) -> _Body | None:
    rules = profile.extract
    containers = [node for node in _select(tree, rules.body) if node.child is not None]
    if not containers:
        return None
    container = containers[0]
    caption_ids = {node.mem_id for node in _select(container, rules.captions)}
    walked = generic.walk(
        container,
        generic=False,
        skip=(lambda node: node.mem_id in dropped) if dropped else None,
        caption=(lambda node: node.mem_id in caption_ids) if caption_ids else None,
    )
    body = _collect(walked, walked.blocks, base)
    if not body.paragraphs:
        return None
    return body


def _generic_body(tree: LexborHTMLParser, base: str | None, warnings: list[str]) -> _Body:
    root = tree.body or tree.root
    if root is None:
        return _Body()
    walked = generic.walk(root)
    if walked.truncated:
        warnings.append("page has too many text blocks; only the first part was read")
    choice = generic.choose_container(walked)
    blocks = generic.main_blocks(walked, choice)
    if sum(len(b.text) for b in blocks if b.kind == "text") < MIN_GENERIC_CHARS:
        loose = generic.choose_container(walked, strict=False)
        loose_blocks = generic.main_blocks(walked, loose)
        if sum(len(b.text) for b in loose_blocks) > sum(len(b.text) for b in blocks):
            choice, blocks = loose, loose_blocks
    body = _collect(walked, blocks, base)
    above = {a for element_id in choice.ids for a in generic.ancestors(walked.elements, element_id)}
    body.furniture = [node for element_id, node in walked.furniture if element_id not in above]
    return body


# --- fields ------------------------------------------------------------------------------------------------


def _title(tree: LexborHTMLParser, profile: SiteProfile | None, meta: PageMetadata) -> str:
    if profile:
        title = _first_text(tree, profile.extract.title)
        if title:
            return title
    headings = [text for text in (node_text(node) for node in tree.css("h1")) if text]
    if headings:
        wanted = [fold(t) for t in (meta.title, meta.headline, meta.html_title) if t]
        for text in headings:
            if fold(text) in wanted:
                return text
        # a headline the metadata quotes with a suffix (" - Báo X"); the longest wins over a logo's h1
        overlapping = [t for t in headings if any(fold(t) in w or w in fold(t) for w in wanted)]
        return max(overlapping or headings[:1], key=len)
    for candidate in (meta.title, meta.headline):
        if candidate:
            return candidate
    if meta.html_title:
        return _SITE_SUFFIX.sub("", meta.html_title)
    return ""


def _lead(tree: LexborHTMLParser, profile: SiteProfile | None, title: str) -> str:
    if profile and profile.extract.lead:
        lead = _first_text(tree, profile.extract.lead)
        if lead:
            return lead
    for node in _select(tree, LEAD_SELECTORS):
        if node.tag == "meta" or _inside(node, ("figure", "figcaption", "a")):
            continue
        text = node_text(node)
        if len(text) >= 30 and text != title:
            return text
    return ""


def _without_header(paragraphs: list[str], title: str, lead: str, now: datetime | None) -> list[str]:
    """Body paragraphs without the headline (wherever it repeats) and without the header lines a generic
    container may start with: the lead, a date line, a byline."""
    kept = [p for p in paragraphs if p != title]
    for _ in range(MAX_HEADER_LINES):
        if not kept:
            break
        first = kept[0]
        dated = date_line_rest(first, now=now) if len(first) <= 80 else None
        if first == lead or (dated is not None and not dated[1]) or (len(first) <= 60 and is_byline(first)):
            kept.pop(0)
        else:
            break
    return kept


def _trailing_attribution(body: _Body, profile: SiteProfile | None) -> Attribution | None:
    """Take byline/credit lines off the end of the body ("Hà Thu (tổng hợp)", "Theo TTXVN")."""
    found: Attribution | None = None
    for _ in range(2):
        if len(body.paragraphs) < 2:
            break
        last = body.paragraphs[-1]
        if not is_byline(last):
            break
        credit = parse_attribution(last)
        if credit is None:
            break
        plain_name = not credit.source and not last.lower().startswith(("theo", "nguồn", "("))
        if plain_name and not (body.right_aligned_last or profile is not None or len(last) < 40):
            break
        body.paragraphs.pop()
        body.right_aligned_last = False
        if found is None:
            found = credit
        else:
            found = Attribution(found.authors or credit.authors, found.source or credit.source)
    return found


def _authors(tree: LexborHTMLParser, profile: SiteProfile | None) -> list[str]:
    """Bylines named by the profile, as shown ("Theo " and "(tổng hợp)" taken off)."""
    selector = profile.extract.authors if profile and profile.extract.authors else None
    nodes = _select(tree, selector) if selector else []
    names: list[str] = []
    for node in nodes:
        text = node_text(node)
        if not text:
            continue
        credit = parse_attribution(text)
        parts = credit.authors if credit and credit.authors else [text]
        for name in parts:
            if name not in names:
                names.append(name)
    return names


def _generic_authors(tree: LexborHTMLParser, meta: PageMetadata, *, with_metadata: bool) -> list[str]:
    """Bylines found by common author markup; JSON-LD persons only when allowed and nothing is visible."""
    names: list[str] = []
    seen: set[int] = set()
    for node in _select(tree, AUTHOR_SELECTORS):
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        text = node_text(node)
        if not text:
            continue
        if len(seen) > MAX_AUTHOR_NODES:
            break
        text = _BY_PREFIX.sub("", text)
        parsed = split_names(text) if len(text) <= 60 else None
        for name in parsed or []:
            # one capitalised word ("All", "Home") is a link label, not a byline; "PV", "TTXVN" are known
            if name not in names and (" " in name or name.lower() in GROUP_BYLINES):
                names.append(name)
    return names or (list(meta.authors) if with_metadata else [])


def _source(tree: LexborHTMLParser, profile: SiteProfile | None) -> str | None:
    if profile and profile.extract.source:
        text = _first_text(tree, profile.extract.source)
        if text:
            credit = parse_attribution(text)
            return credit.source if credit and credit.source else text
    return None


def _visible_date(text: str, now: datetime | None, thorough: bool) -> tuple[datetime, bool] | None:
    """A date shown on the page and whether it carries a time. ``thorough`` (a profile's date element) may
    fall back to dateparser; scanning generic candidates stays with the fast regular expressions."""
    match = find_datetime(text, now=now)
    if match is not None and not thorough:
        return match.value, match.has_time
    value = parse_visible_date(text, now=now) if thorough else parse_relative(text, now=now)
    if value is None:
        return None
    return value, match.has_time if match is not None else True


def _dates(
    tree: LexborHTMLParser,
    profile: SiteProfile | None,
    meta: PageMetadata,
    fetched_at: datetime | None,
    warnings: list[str],
) -> tuple[datetime | None, datetime | None]:
    """Published: the visible date, replaced by a machine value that agrees with it (to the minute, or to the
    day when no time is shown); a machine value alone when nothing visible is found. Never after fetching
    (``dates.not_after``: a later one is dropped with a warning)."""
    visible: tuple[datetime, bool] | None = None
    machine = list(meta.published)
    thorough = bool(profile and profile.extract.published)
    nodes = _select(tree, profile.extract.published) if profile and profile.extract.published else []
    if not nodes:
        thorough = False
        nodes = [n for n in _select(tree, DATE_SELECTORS)[:MAX_DATE_NODES] if n.tag != "meta"]
    for node in nodes:
        stamp = node.attributes.get("datetime")
        if stamp:
            value = parse_machine_date(stamp)
            if value:
                machine.append(value)
        text = node_text(node)
        if text and len(text) <= MAX_DATE_CHARS:
            visible = _visible_date(text, fetched_at, thorough)
            if visible:
                break
    if machine and meta.language and meta.language != "vi":
        visible = None  # day-first reading of a foreign page's date is a guess; its metadata is not
    published = visible[0] if visible else (machine[0] if machine else None)
    if visible is not None:
        shown, has_time = visible
        for value in machine:
            local = value.astimezone(shown.tzinfo)
            same = (
                local.replace(second=0, microsecond=0) == shown if has_time else local.date() == shown.date()
            )
            if same:
                published = local
                break
    modified = meta.modified[0] if meta.modified else None
    if profile and profile.extract.modified:
        text = _first_text(tree, profile.extract.modified)
        modified = parse_visible_date(text, now=fetched_at) or modified
    if published is not None and not_after(published, fetched_at) is None:
        warnings.append(f"publication time {published.isoformat()} is later than the fetch time; dropped")
        published = None
    return published, not_after(modified, fetched_at)


def _group(nodes: list[LexborNode]) -> list[LexborNode]:
    """The matches that sit in the same list as the first one (a breadcrumb, not every menu on the page)."""
    if not nodes:
        return []
    first = nodes[0].parent.parent if nodes[0].parent is not None and nodes[0].parent.parent else None
    if first is None:
        return nodes[:1]
    key = first.mem_id
    return [n for n in nodes if n.parent is not None and n.parent.parent and n.parent.parent.mem_id == key]


def _section_path(
    tree: LexborHTMLParser, profile: SiteProfile | None, meta: PageMetadata, base: str | None
) -> list[tuple[str, str | None]]:
    nodes = _group(_select(tree, profile.extract.section)) if profile and profile.extract.section else []
    if not nodes and not meta.breadcrumb:
        nodes = _group(_select(tree, BREADCRUMB_SELECTORS))
    path: list[tuple[str, str | None]] = []
    for node in nodes:
        label = node_text(node)
        fresh = all(label != existing for existing, _ in path)
        if label and fresh and fold(label) not in {fold(h) for h in HOME_LABELS} and len(label) <= 60:
            path.append((label, _absolute(base, node.attributes.get("href"))))
    if not path and meta.breadcrumb:
        path = [(label, url) for label, url in meta.breadcrumb if len(label) <= 60]
        if path and meta.title and fold(path[-1][0]) == fold(meta.title):
            path.pop()  # a breadcrumb that ends with the article itself
    if not path and meta.section:
        path = [(meta.section, None)]
    return path


def _category(profile: SiteProfile | None, url: str | None, path: list[tuple[str, str | None]]) -> str | None:
    if profile:
        found = profile.category_for(url)
        if found:
            return found
        for label, href in reversed(path):
            if href:
                found = profile.category_for(_EXTENSION.sub("", href))
                if found:
                    return found
            found = profile.category_for(None, label)
            if found:
                return found
    for label, _ in reversed(path):
        found = category_for_label(label)
        if found:
            return found
    if url:
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if len(segments) > 1:
            return category_for_label(_EXTENSION.sub("", segments[0]).replace("-", " "))
    return None


def _tag_text(text: str) -> str:
    return clean(text).lstrip("#").rstrip(",;").strip()


def _labelled_tag_links(tree: LexborHTMLParser) -> list[LexborNode]:
    """Links after a visible tag label ("Từ khóa:", "Chủ đề:", "Xem thêm về:", "Tags:") in the same box."""
    for label in furniture.TAG_LABELS:
        selector = ", ".join(f'{tag}:lexbor-contains("{label}" i)' for tag in LABEL_TAGS)
        for node in _select(tree, selector):
            if furniture.tag_label_rest(clean(node.text(deep=True))) != "":
                continue
            box = node.parent
            for _ in range(3):
                if box is None:
                    break
                links = box.css("a[href]")
                if links:
                    return links if len(links) <= MAX_TAGS else []
                box = box.parent
    return []


def _tags(tree: LexborHTMLParser, profile: SiteProfile | None) -> list[str]:
    nodes: list[LexborNode] = []
    if profile and profile.extract.tags:
        nodes = _select(tree, profile.extract.tags)
    if not nodes:
        nodes = _select(tree, "a[rel=tag]") or _labelled_tag_links(tree)
    if not nodes:
        for box in _select(tree, "[class*=tag], [class*=keyword], [class*=tu-khoa], [class*=tukhoa]"):
            classes = f"{box.attributes.get('class') or ''}"
            links = box.css("a")
            if TAG_CONTAINER.search(classes) and 0 < len(links) <= MAX_TAGS:
                nodes = links
                break
    tags: list[str] = []
    for node in nodes:
        text = _tag_text(node_text(node))
        if text and len(text) <= 80 and furniture.tag_label_rest(text + ":") is None and text not in tags:
            tags.append(text)
    return tags


def _box_kind(node: LexborNode) -> str | None:
    """The kind of links a furniture box holds, from its heading or its class; None for other furniture
    (menus, share bars) whose links are not article links."""
    for heading in node.css("h2, h3, h4, h5, [class*=title]")[:3]:
        kind = furniture.heading_kind(clean(heading.text(deep=True, separator=" ")))
        if kind:
            return kind
    opening = _heading_prefix(clean(node.text(deep=True, separator=" ")[:80]))
    if opening:
        return opening[0]
    names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
    return "related" if RELATED_BOX.search(names) else None


def _heading_prefix(text: str) -> tuple[str, str] | None:
    """("more", rest) for "Xem thêm: Giá hồ tiêu…": a furniture heading glued to the link title by a colon."""
    head, colon, rest = text.partition(":")
    kind = furniture.heading_kind(head) if colon else None
    return (kind, rest.strip()) if kind else None


def _related(
    tree: LexborHTMLParser, boxes: list[LexborNode], base: str | None, exclude: set[str], tags: list[str]
) -> list[Link]:
    """Links of furniture boxes: those skipped inside the body, plus boxes headed "Tin liên quan" & co."""
    candidates: list[tuple[LexborNode, str]] = []
    for box in boxes:
        kind = _box_kind(box)
        if kind:
            candidates.append((box, kind))
    for heading in _select(tree, "h2, h3, h4, h5"):
        text = heading.text(deep=True, separator=" ")
        kind = furniture.heading_kind(clean(text)) if text and len(text) <= 60 else None
        if not kind:
            continue
        holder: LexborNode | None = heading.parent
        for _ in range(3):
            if holder is None or len(holder.css("a[href]")) >= 2:
                break
            holder = holder.parent
        if holder is not None:
            candidates.append((holder, kind))
    links: list[Link] = []
    seen = set(exclude)
    for box, kind in candidates:
        for anchor in box.css("a[href]"):
            title = anchor.text(deep=True, separator=" ")
            if len(title) < 15:
                continue
            title = clean(title)
            prefixed = _heading_prefix(title)
            title = prefixed[1] if prefixed else title
            url = _absolute(base, anchor.attributes.get("href"))
            if len(title) < 15 or not url or url in seen or title in tags or furniture.is_ui_line(title):
                continue
            seen.add(url)
            links.append(Link(title=title, url=url, kind=kind))
            if len(links) >= MAX_RELATED_LINKS:
                return links
    return links


# --- the path ----------------------------------------------------------------------------------------------


def extract_html(page: Page, *, profiles: bool = True) -> Article:
    """Extract one article from an HTML page; never raises (problems go to provenance.warnings).
    ``profiles=False`` runs metadata and generic extraction only (how a page of an unknown outlet fares)."""
    warnings: list[str] = []
    provenance = Provenance(
        input=page.origin or page.url,
        input_kind="html",
        input_hash=page.content_hash,
        fetched_at=page.fetched_at,
        warnings=warnings,
    )
    raw = page.content
    if len(raw) > MAX_HTML_BYTES:
        warnings.append(f"page of {len(raw)} bytes cut to the first {MAX_HTML_BYTES} before parsing")
        head = raw[:MAX_HTML_BYTES]
        raw = head[: head.rfind(b">") + 1] or head  # end on a tag, never inside a multi-byte character
    try:
        text, decode_warnings = decode(raw, _header(page, "content-type"))
    except (LookupError, ValueError) as exc:  # a declared charset that is not a text encoding ("uu")
        text, decode_warnings = raw.decode("utf-8", "replace"), [f"charset not usable ({exc}); read as UTF-8"]
    warnings.extend(decode_warnings)
    article = Article(url=page.url, site=_site(page.url), provenance=provenance)
    if not text.strip():
        warnings.append("empty page")
        article.id = article.compute_id()
        return article
    try:
        _fill(article, LexborHTMLParser(text), page, warnings, profiles)
    except Exception as exc:  # last resort: a page must never stop a run
        warnings.append(f"extraction failed: {type(exc).__name__}: {exc}")
    article.id = article.compute_id()
    return article


def _profile(page_url: str | None, canonical: str | None) -> SiteProfile | None:
    """The outlet profile for the fetched URL, else for the page's canonical URL (shipped profiles and the
    user's own in <data dir>/sites/)."""
    user_dir = settings().profile_dir
    return profile_for(page_url, user_dir) or profile_for(canonical, user_dir)


def _fill(article: Article, tree: LexborHTMLParser, page: Page, warnings: list[str], profiles: bool) -> None:
    """Every Article field, layer by layer: metadata, then the profile, then generic extraction."""
    meta = read_metadata(tree)
    warnings.extend(meta.warnings)
    canonical = meta.url if _site(meta.url) else None
    url = canonical if canonical and (not page.url or _site(canonical) == _site(page.url)) else page.url
    url = url or canonical
    profile = _profile(page.url, url) if profiles else None
    article.url = url
    article.site = _site(url)
    article.outlet = profile.name if profile else meta.site_name
    article.provenance.profile = profile.key if profile else None

    dropped = [
        node for selector in (profile.extract.drop if profile else ()) for node in _select(tree, selector)
    ]
    title = _title(tree, profile, meta)
    lead = _lead(tree, profile, title)

    body = _profile_body(tree, profile, url, {node.mem_id for node in dropped}) if profile else None
    if body is None:
        if profile:
            warnings.append(f"profile {profile.key}: body selector found no text; generic extraction used")
        body = _generic_body(tree, url, warnings)
        if not meta.is_article and ((profile and profile.extract.body) or not body.paragraphs):
            article.provenance.page_type = "listing"
    if profile and url and not profile.is_article_url(url):
        article.provenance.page_type = "listing"
    paragraphs = body.paragraphs = _without_header(body.paragraphs, title, lead, page.fetched_at)
    description = fold(meta.description or "")
    if not lead and meta.language == "vi" and paragraphs and fold(paragraphs[0]) == description:
        lead = paragraphs.pop(0)
    credit = _trailing_attribution(body, profile)

    authors = _authors(tree, profile)
    if not authors and credit and credit.authors:
        authors = credit.authors
    if not authors:
        authors = _generic_authors(tree, meta, with_metadata=profile is None)
    source = _source(tree, profile) or (credit.source if credit else None)

    path = _section_path(tree, profile, meta, url)
    published, modified = _dates(tree, profile, meta, page.fetched_at, warnings)

    article.title = title
    article.lead = lead
    article.body = paragraphs
    article.captions = body.captions
    article.images = body.images
    article.authors = authors
    article.source = source
    article.published = published
    article.modified = modified
    article.section_path = [label for label, _ in path]
    article.section = article.section_path[-1] if article.section_path else None
    article.category = _category(profile, url, path)
    article.tags = _tags(tree, profile)
    article.related = _related(tree, body.furniture + dropped, url, {url or ""}, article.tags)
    if not paragraphs:
        warnings.append("no body paragraphs found (a listing, home or media page?)")
