"""Main content of a page without a profile: one walk over the DOM into text blocks, then container scoring.

``walk`` turns a subtree into ``Block``s (paragraph text, captions, images) in reading order, skipping
scripts, hidden elements and furniture; every block remembers the chain of elements above it.
``choose_container`` scores those elements from the blocks they hold (paragraph length and commas, less
link-heavy text, class hints) and picks the best container and its worthy siblings; ``main_blocks`` and
``is_prose`` keep what is inside and not furniture. One walk serves both: no second pass over the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborNode

from diemtin.extract import furniture

# --- Markup vocabulary (language-neutral) -------------------------------------------------------------------

# Never text: skipped with everything inside.
SKIP_TAGS: frozenset[str] = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
        "video", "audio", "map", "button", "input", "select", "option", "textarea", "head", "link", "meta",
        "dialog", "zone",
    }
)  # fmt: skip
# Page furniture by element name (only outside a chosen profile container).
FURNITURE_TAGS: frozenset[str] = frozenset({"nav", "footer", "aside", "header", "menu"})
# Never skipped for their class or a hidden marker (a "has-sidebar" body still holds the article).
KEEP_TAGS: frozenset[str] = frozenset({"html", "body", "main", "article"})
# Elements that end a line of text: text before and after them lands in different blocks.
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "p", "div", "section", "article", "main", "body", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
        "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody", "thead", "tfoot", "tr", "td", "th",
        "figure", "figcaption", "form", "fieldset", "address", "center", "details", "summary", "hr",
        "picture", "caption", "header", "footer", "nav", "aside",
    }
)  # fmt: skip
# Blocks whose <br> is a soft line break inside one paragraph.
PARAGRAPH_TAGS: frozenset[str] = frozenset(
    {"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
)
# Inline elements whose attributes are never consulted (speed: most nodes of a page are these).
PLAIN_INLINE: frozenset[str] = frozenset(
    {"a", "b", "strong", "em", "i", "u", "sup", "sub", "small", "font", "code", "mark", "abbr", "cite", "q",
     "time", "s", "del", "ins", "br", "wbr", "img", "bdi", "bdo", "var", "kbd", "samp", "tt"}
)  # fmt: skip

# Class/id fragments of boilerplate (comments, share bars, menus, ads...) and of content, used when no profile
# names the container. A boilerplate match is overridden by a content match ("article-header" stays).
BOILERPLATE = re.compile(
    r"comment|disqus|share|sharing|social|related|recommend|sidebar|side-bar|footer|masthead|menu|navbar|"
    r"breadcrumb|pagination|pager|popup|modal|cookie|consent|gdpr|newsletter|subscri|signup|sign-up|promo|"
    r"sponsor|advert|banner|\bads?\b|-ad-|\bad-|adsbygoogle|widget|toolbar|rating|vote|print|login|author-bio|"
    r"byline|tags?\b|keyword|most-?read|popular|trending|read-?more|more-stories|outbrain|taboola|skyscraper|"
    r"shoutbox|community|remark|replies|supplemental|agegate|hidden-print|sr-only|visually-hidden|"
    r"caption-credit|jump|skip-link|topic-list|tooltip",
    re.IGNORECASE,
)
CONTENT_HINT = re.compile(
    r"article|body|content|entry|main|post|story|text|detail|chi-?tiet|noi-?dung|fck|column|shadow|"
    r"maincontent|page-content|prose|rich-?text",
    re.IGNORECASE,
)
POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|chi-?tiet|noi-?dung|"
    r"fck|maincontent|prose",
    re.IGNORECASE,
)
NEGATIVE = re.compile(
    r"hidden|\bhid\b|banner|combx|comment|com-|contact|foot|footer|footnote|masthead|media|meta|outbrain|promo|"
    r"related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|byline|author|dateline|"
    r"writtenby|caption|credit|teaser|card|thumb|list|nav|menu|breadcrumb",
    re.IGNORECASE,
)
CAPTION_HINT = re.compile(r"caption|chu-?thich|legend", re.IGNORECASE)
HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:hidden|d-none|hide|is-hidden|invisible|sr-only|visually-hidden)(?:\s|$)"
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
RIGHT_ALIGNED = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)

# A furniture-named element holding at least this share of the container's text is a wrapper, not furniture.
WRAPPER_SHARE = 0.5
# Widening: how many levels above the chosen container are considered, and how much more net prose an
# ancestor must hold to replace it; a block with more link text than this share is not prose.
MAX_WIDEN = 6
WIDEN_GAIN = 1.15
PROSE_LINK_SHARE = 0.3
CLUTTER_PENALTY = 2.0  # a character of link list or long stray line weighs two characters of prose
# Blocks that never vote for their container (the headline sits above the article text, not in it).
NON_VOTING: frozenset[str] = frozenset({"h1"})
# Minimum paragraph length (characters) that votes for its container.
MIN_VOTE_CHARS = 25
# How many ancestor levels a paragraph's vote reaches.
VOTE_LEVELS = 5
# A block where links carry more than this share of the text is a link list, not prose.
MAX_LINK_SHARE = 0.5
MAX_WORK_BLOCKS = 20000
# Furniture lines (headings, widget strings, tag labels) are short; longer text is never tested against them.
MAX_FURNITURE_LINE = 120

# What ``walk`` did on entering an element, undone on leaving it.
SKIP, PLAIN, BLOCK, LINK, CAPTION = range(5)

LAZY_ATTRIBUTES: tuple[str, ...] = ("data-src", "data-original", "data-srcset", "data-lazy-src", "srcset")


@dataclass(slots=True)
class Block:
    """One line of text (or one image) found by ``walk``, with what is known about where it sits."""

    text: str
    tag: str  # the block element that holds it: p, li, h2, div, td, figcaption, img...
    kind: str = "text"  # text | caption | image
    links: int = 0  # characters inside <a>
    right: bool = False  # right-aligned paragraph (a byline position on several outlets)
    path: tuple[int, ...] = ()  # ids of the elements above it, outermost first (ids index Walk.elements)
    url: str | None = None  # image URL
    figure: int = -1  # id of the enclosing <figure>, for pairing images with captions
    boiler: bool = False  # inside an element whose tag or class names page furniture (generic walks only)

    @property
    def link_share(self) -> float:
        return self.links / len(self.text) if self.text else 0.0


@dataclass(slots=True)
class Element:
    tag: str
    parent: int
    weight: int  # class/id hint: +25 content-like, -25 boilerplate-like
    boiler: bool = False  # this element or one above it is named like furniture (nav, footer, "share"...)
    named: bool = False  # this element itself is named like furniture


@dataclass(slots=True)
class Walk:
    blocks: list[Block] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    furniture: list[tuple[int, LexborNode]] = field(default_factory=list)  # (element id or -1, box)
    truncated: bool = False


def image_url(attrs: dict[str, str | None]) -> str | None:
    """First real URL of an <img>: src unless a data: placeholder, else the lazy-loading attributes."""
    src = (attrs.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return src
    for name in LAZY_ATTRIBUTES:
        value = (attrs.get(name) or "").strip()
        if value and not value.startswith("data:"):
            return value.split(",")[0].strip().split(" ")[0]
    return None


@lru_cache(maxsize=8192)
def _class_hints(class_attr: str, id_attr: str) -> tuple[bool, bool, bool, int, bool]:
    """What a class/id pair says: (hidden, furniture box, boilerplate name, score weight, caption).
    Cached: a page repeats the same few hundred class strings thousands of times."""
    names = f"{class_attr} {id_attr}".strip()
    hidden = bool(HIDDEN_CLASS.search(class_attr))
    box = furniture.is_furniture_class(names)
    content = bool(CONTENT_HINT.search(names))
    boiler = not content and bool(BOILERPLATE.search(names))
    weight = (25 if POSITIVE.search(names) else 0) - (25 if NEGATIVE.search(names) else 0)
    return hidden, box, boiler, weight, bool(CAPTION_HINT.search(names))


def walk(
    root: LexborNode,
    *,
    generic: bool = True,
    skip: Callable[[LexborNode], bool] | None = None,
    caption: Callable[[LexborNode], bool] | None = None,
) -> Walk:
    """Blocks of ``root`` in reading order. ``generic`` also skips nav/aside/footer/header and class-named
    boilerplate (for whole pages); inside a profile's container only scripts, hidden elements, furniture
    boxes and what ``skip`` rejects are left out; ``caption`` names caption elements beyond figcaption."""
    out = Walk()
    elements = out.elements
    blocks = out.blocks
    parts: list[str] = []
    link_chars = [0]  # characters inside <a> on the open line
    link_depth = [0]  # how many <a> are open
    path: list[int] = []
    block_tags: list[str] = []  # tags of the open block elements, innermost last
    kinds: list[str] = []  # "", "caption" for each open block element
    rights: list[bool] = []
    figures: list[int] = []

    def flush() -> None:
        if not parts:
            return
        text = " ".join("".join(parts).split())
        parts.clear()
        links = link_chars[0]
        link_chars[0] = 0
        if not text or not any(ch.isalnum() for ch in text):
            return
        tag = block_tags[-1] if block_tags else "div"
        kind = "caption" if "caption" in kinds else "text"
        blocks.append(
            Block(
                text,
                tag,
                kind,
                min(links, len(text)),
                bool(rights and rights[-1]),
                tuple(path),
                None,
                figures[-1] if figures else -1,
                bool(path) and elements[path[-1]].boiler,
            )
        )

    def enter(node: LexborNode) -> int:
        """Handle an element: SKIP its subtree, or descend (PLAIN, BLOCK, LINK, CAPTION) and remember
        the code so that ``leave`` undoes exactly what was opened."""
        tag = node.tag or ""
        if tag in SKIP_TAGS:
            return SKIP
        if tag == "br":
            if block_tags and block_tags[-1] in PARAGRAPH_TAGS:
                parts.append(" ")
            else:
                flush()
            return SKIP
        if tag == "img" or tag == "amp-img":
            url = image_url(node.attributes)
            if url:
                figure = figures[-1] if figures else -1
                boiler = bool(path) and elements[path[-1]].boiler
                blocks.append(
                    Block("", "img", "image", path=tuple(path), url=url, figure=figure, boiler=boiler)
                )
            return SKIP
        if tag in PLAIN_INLINE:
            if tag == "a":
                link_depth[0] += 1
                return LINK
            return PLAIN
        weight = 0
        is_caption = False
        attrs = node.attributes
        boiler = False
        box = False
        if tag not in KEEP_TAGS:
            if "hidden" in attrs:
                return SKIP
            style = attrs.get("style")
            if style and HIDDEN_STYLE.search(style):
                return SKIP
            if skip is not None and skip(node):
                return SKIP
            names = attrs.get("class"), attrs.get("id")
            if names[0] or names[1]:
                hidden, box, named_boiler, weight, is_caption = _class_hints(names[0] or "", names[1] or "")
                if hidden:
                    return SKIP
                if box and not generic:
                    out.furniture.append((-1, node))
                    return SKIP
                boiler = generic and (box or named_boiler)
            if generic and tag in FURNITURE_TAGS:
                boiler = True
        if caption is not None and caption(node):
            is_caption = True
        style = attrs.get("style")
        right = bool(style and RIGHT_ALIGNED.search(style)) or (bool(rights) and rights[-1])
        if tag in BLOCK_TAGS or boiler:
            flush()
            element_id = len(elements)
            parent = path[-1] if path else -1
            inherited = parent >= 0 and elements[parent].boiler
            elements.append(Element(tag, parent, weight, boiler or inherited, boiler))
            if box:
                out.furniture.append((element_id, node))
            path.append(element_id)
            block_tags.append(tag)
            kinds.append("caption" if is_caption or tag == "figcaption" or (kinds and kinds[-1]) else "")
            rights.append(right)
            if tag == "figure":
                figures.append(element_id)
            return BLOCK
        if is_caption:
            flush()
            kinds.append("caption")
            block_tags.append(block_tags[-1] if block_tags else "div")
            rights.append(right)
            return CAPTION
        return PLAIN

    def leave(node: LexborNode, code: int) -> None:
        if code == BLOCK:
            flush()
            tag = block_tags.pop()
            path.pop()
            kinds.pop()
            rights.pop()
            if tag == "figure" and figures:
                figures.pop()
        elif code == LINK:
            link_depth[0] -= 1
        elif code == CAPTION:
            flush()
            kinds.pop()
            block_tags.pop()
            rights.pop()

    # Iterative depth-first walk (no recursion limit on deeply nested markup).
    stack: list[LexborNode] = []
    codes: list[int] = []
    node = root.child
    while node is not None:
        tag = node.tag
        code = SKIP
        if tag == "-text":
            text = node.text_content
            if text:
                parts.append(text)
                if link_depth[0]:
                    link_chars[0] += len(text.strip())
        elif tag and tag[0] != "-":
            code = enter(node)
        if code != SKIP:
            child = node.child
            if child is not None:
                stack.append(node)
                codes.append(code)
                node = child
                continue
            leave(node, code)
        following = node.next
        while following is None and stack:
            node = stack.pop()
            leave(node, codes.pop())
            following = node.next
        node = following
        if len(blocks) > MAX_WORK_BLOCKS:
            out.truncated = True
            break
    flush()
    return out


def _vote(block: Block) -> float:
    text = block.text
    return 1.0 + text.count(",") + text.count("，") + min(len(text) // 100, 3)


@dataclass(slots=True)
class Choice:
    """The element(s) holding the main text, and how much text every element holds."""

    ids: set[int]
    chars: list[int]
    strict: bool


def choose_container(result: Walk, *, strict: bool = True) -> Choice:
    """The element(s) holding the main text: the best-scored element and its worthy siblings.
    ``strict`` leaves out text inside furniture-named elements (the first try; a page whose wrapper carries
    such a name is retried without it)."""
    elements = result.elements
    if not elements:
        return Choice(set(), [], strict)
    score = [0.0] * len(elements)
    chars = [0] * len(elements)
    links = [0] * len(elements)
    voted = [False] * len(elements)
    for block in result.blocks:
        if block.kind != "text" or (strict and block.boiler):
            continue
        length = len(block.text)
        for element_id in block.path:
            chars[element_id] += length
            links[element_id] += block.links
        if length < MIN_VOTE_CHARS or not block.path or block.tag in NON_VOTING:
            continue
        vote = _vote(block) * (1.0 - block.link_share)
        voters = block.path[-2::-1] if elements[block.path[-1]].tag in PARAGRAPH_TAGS else block.path[::-1]
        for level, element_id in enumerate(voters[:VOTE_LEVELS]):
            if not voted[element_id]:
                voted[element_id] = True
                score[element_id] += elements[element_id].weight
            score[element_id] += vote if level == 0 else vote / 2 if level == 1 else vote / (level * 3)

    def final(element_id: int) -> float:
        total = chars[element_id]
        density = links[element_id] / total if total else 0.0
        return score[element_id] * (1.0 - density)

    candidates = [i for i in range(len(elements)) if voted[i]]
    if not candidates:
        return Choice({0}, chars, strict)
    finals = {i: final(i) for i in candidates}
    top = max(candidates, key=lambda i: finals[i])
    top_score = finals[top]
    # Several near-best candidates under one ancestor: the ancestor is the article.
    close = [i for i in candidates if i != top and finals[i] >= top_score * 0.75][:5]
    if len(close) >= 2:
        ancestry = ancestors(elements, top)
        counts: dict[int, int] = {}
        for other in close:
            for ancestor in ancestors(elements, other):
                if ancestor in ancestry:
                    counts[ancestor] = counts.get(ancestor, 0) + 1
                    break
        for ancestor in ancestry[1:]:
            if counts.get(ancestor, 0) >= 2 and elements[ancestor].tag != "body":
                top = ancestor
                break
    # Climb while the parent scores better (the text is spread over the parent's children).
    parent = elements[top].parent
    last = finals.get(top, 0.0)
    threshold = last / 3
    while parent >= 0 and elements[parent].tag not in ("body", "html"):
        parent_score = finals.get(parent)
        if parent_score is None:
            parent = elements[parent].parent
            continue
        if parent_score < threshold:
            break
        if parent_score > last:
            top = parent
            break
        last = parent_score
        parent = elements[parent].parent
    top = _widen(result, top, strict)
    # Siblings that score well enough (or share the container's content class) belong to the article.
    chosen = {top}
    top_final = finals.get(top, 0.0)
    limit = max(10.0, top_final * 0.2)
    parent = elements[top].parent
    if parent >= 0:
        for sibling, element in enumerate(elements):
            if sibling == top or element.parent != parent:
                continue
            bonus = top_final * 0.2 if element.weight > 0 and element.weight == elements[top].weight else 0.0
            if finals.get(sibling, 0.0) + bonus >= limit:
                chosen.add(sibling)
    return Choice(chosen, chars, strict)


def _widen(result: Walk, top: int, strict: bool) -> int:
    """An article split over several sections: climb to the ancestor whose text gains most, counting prose
    for and link lists / stray lines against (the ancestor must add more prose than clutter)."""
    elements = result.elements
    chain = ancestors(elements, top)[: MAX_WIDEN + 1]
    position = {element_id: i for i, element_id in enumerate(chain)}
    net = [0.0] * len(chain)
    for block in result.blocks:
        if block.kind != "text" or (strict and block.boiler):
            continue
        inside = [position[e] for e in block.path if e in position]
        if not inside:
            continue
        length = len(block.text)
        if length >= MIN_VOTE_CHARS and block.link_share < PROSE_LINK_SHARE:
            value = length * (1.0 - block.link_share)
        elif length < MIN_VOTE_CHARS and not block.links:
            value = 0.0
        else:
            value = -CLUTTER_PENALTY * length
        for i in range(min(inside), len(chain)):
            net[i] += value
    best = max(range(len(chain)), key=lambda i: (net[i] > net[0] * WIDEN_GAIN, net[i]))
    return chain[best] if net[best] > net[0] * WIDEN_GAIN and elements[chain[best]].tag != "body" else top


def ancestors(elements: list[Element], element_id: int) -> list[int]:
    chain = [element_id]
    while elements[chain[-1]].parent >= 0:
        chain.append(elements[chain[-1]].parent)
    return chain


def main_blocks(result: Walk, choice: Choice) -> list[Block]:
    """The blocks inside the chosen container(s), in reading order. A furniture-named element inside the
    container is left out unless it holds most of the container's text (then it is a wrapper: "sidebar-1"
    around an article); a strict choice leaves out everything under a furniture-named element."""
    kept: list[Block] = []
    elements = result.elements
    chosen, chars = choice.ids, choice.chars
    for block in result.blocks:
        path = block.path
        start = next((i for i, element_id in enumerate(path) if element_id in chosen), -1)
        if start < 0 or (choice.strict and block.boiler):
            continue
        floor = chars[path[start]] * WRAPPER_SHARE
        if any(elements[e].named and chars[e] < floor for e in path[start + 1 :]):
            continue
        kept.append(block)
    return kept


def is_prose(block: Block) -> bool:
    """A body paragraph rather than a link list, a furniture heading or a stray label."""
    if block.kind != "text":
        return False
    if block.link_share > MAX_LINK_SHARE and (len(block.text) < 400 or block.link_share > 0.8):
        return False
    return not is_furniture_line(block.text)


def is_furniture_line(text: str) -> bool:
    """A furniture heading ("Tin liên quan"), a tag-list label or a widget string ("Chia sẻ")."""
    if len(text) > MAX_FURNITURE_LINE:
        return False
    return bool(
        furniture.heading_kind(text)
        or furniture.is_ui_line(text)
        or furniture.tag_label_rest(text) is not None
    )
