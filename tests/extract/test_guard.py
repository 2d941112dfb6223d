"""The input guards: block tags past MAX_BLOCK_DEPTH are dropped exactly at the limit, and only there."""

from __future__ import annotations

from diemtin.article import Page
from diemtin.extract.guard import MAX_BLOCK_DEPTH, limit_nesting


def nested(depth: int, opening: str = "<div class='x'>") -> Page:
    html = "<html><body>" + opening * depth + "<p>Chữ ở giữa.</p>" + "</div>" * depth + "</body></html>"
    return Page(content=html.encode(), kind="html")


def test_nesting_up_to_the_limit_is_left_alone() -> None:
    page = nested(MAX_BLOCK_DEPTH)
    assert limit_nesting(page) == (page, [])


def test_one_level_past_the_limit_loses_one_tag_pair_and_keeps_the_text() -> None:
    guarded, warnings = limit_nesting(nested(MAX_BLOCK_DEPTH + 1, "<DIV>"))
    assert warnings == [f"2 block tags nested deeper than {MAX_BLOCK_DEPTH} removed before parsing"]
    assert guarded.content.count(b"<DIV>") == MAX_BLOCK_DEPTH
    assert guarded.content.count(b"</div>") == MAX_BLOCK_DEPTH
    assert "Chữ ở giữa.".encode() in guarded.content


def test_closed_siblings_do_not_add_up() -> None:
    html = "<div><section>x</section></div>" * (MAX_BLOCK_DEPTH * 3)
    page = Page(content=html.encode(), kind="html")
    assert limit_nesting(page) == (page, [])


def test_an_end_tag_inside_an_attribute_does_not_hide_the_depth() -> None:
    # '<div title="</div>">' opens one div: the quick pass must not read it as an opening and a closing
    guarded, warnings = limit_nesting(nested(MAX_BLOCK_DEPTH * 2, '<div title="</div>">'))
    assert len(warnings) == 1
    assert "Chữ ở giữa.".encode() in guarded.content
