"""The furniture lexicon: headings and their kinds, UI lines, tag labels, class/id tokens."""

from __future__ import annotations

import pytest

from diemtin.extract.furniture import (
    HEADINGS,
    heading_kind,
    inline_headings,
    inline_link_title,
    is_furniture_class,
    is_ui_line,
    link_markers,
    tag_label_rest,
    without_ui_ending,
)

HEADING_CASES = [
    ("Tin cùng chuyên mục", "same-section"),
    ("TIN CÙNG CHUYÊN MỤC", "same-section"),
    ("Bài đọc nhiều", "most-read"),
    ("Đọc nhiều", "most-read"),
    ("Xem nhiều", "most-read"),
    ("ĐỌC NHIỀU TRONG THỂ THAO", "most-read"),
    ("Tin liên quan", "related"),
    ("TIN LIÊN QUAN:", "related"),
    ("Bài liên quan", "related"),
    ("Có thể bạn quan tâm", "related"),
    ("Xem thêm", "more"),
    ("Đọc thêm >>", "more"),
    ("Đọc tiếp", "more"),
    ("Tin mới", "latest"),
    ("Tin lien quan", "related"),  # accents dropped
]


@pytest.mark.parametrize(("line", "kind"), HEADING_CASES)
def test_headings(line: str, kind: str) -> None:
    assert heading_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Tin liên quan đến vụ cháy chung cư ở quận 7 đã được cơ quan chức năng xác minh rõ ràng",
        "Xem thêm các hình ảnh của lễ hội ở cuối bài viết này",
        "Giá vàng hôm nay tăng mạnh",
        "Thế giới",
    ],
)
def test_not_headings(line: str) -> None:
    assert heading_kind(line) is None


def test_every_heading_maps_to_a_known_kind() -> None:
    kinds = {"same-section", "most-read", "related", "more", "latest", "featured", "sponsored"}
    assert set(HEADINGS.values()) <= kinds
    for heading in HEADINGS:
        assert heading_kind(heading) == HEADINGS[heading]


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("Tags: bóng đá, V-League", "bóng đá, V-League"),
        ("Từ khóa:", ""),
        ("Từ khoá: giá vàng", "giá vàng"),
        ("CHỦ ĐỀ: mưa lũ miền Trung", "mưa lũ miền Trung"),
        ("Xem thêm về:", ""),
        ("Tags", ""),
        ("Từ khóa", ""),
        ("Sự kiện", None),  # a bare "Sự kiện" is a menu item, not a tag label
        ("Giá vàng giảm mạnh", None),
        ("Chủ đề của hội thảo năm nay là chuyển đổi số", None),
    ],
)
def test_tag_labels(line: str, rest: str | None) -> None:
    assert tag_label_rest(line) == rest


@pytest.mark.parametrize(
    "line",
    [
        "Chia sẻ",
        "Bình luận (12)",
        "Bình luận (",
        "0",
        ")",
        "Theo dõi Báo Sông Hồng trên Google News",
        "Theo dõi chúng tôi trên",
        "Trở lại Thể thao",
        "Sao chép liên kết",
        "Copy link",
        "Tăng cỡ chữ",
        "Aa",
        "và 2 tác giả khác",
    ],
)
def test_ui_lines(line: str) -> None:
    assert is_ui_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Ông Tâm cho biết sẽ chia sẻ kinh nghiệm với các hợp tác xã.",
        "Theo dõi sát diễn biến thời tiết, người dân chủ động phòng tránh.",
        "Bình luận viên Quang Huy",
    ],
)
def test_not_ui_lines(line: str) -> None:
    assert not is_ui_line(line)


@pytest.mark.parametrize(
    ("value", "furniture"),
    [
        ("box-tinlienquanv2", True),
        ("article-relate", True),
        ("box-category-footer", True),
        ("RelatedNewsBox", True),
        ("social-share top", True),
        ("fck_detail", False),
        ("detail-content afcbc-body", False),
        ("title-detail", False),
        ("", False),
        (None, False),
    ],
)
def test_furniture_classes(value: str | None, furniture: bool) -> None:
    assert is_furniture_class(value) is furniture


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (">> Học sinh được miễn học phí từ năm sau", "Học sinh được miễn học phí từ năm sau"),
        ("Xem thêm: Giá lúa tăng nhẹ", "Giá lúa tăng nhẹ"),
        ("Đọc thêm: Mưa lớn ở miền Trung", "Mưa lớn ở miền Trung"),
        ("Xem thêm", None),
        (">>", None),
        ("Giá xăng tăng lần thứ ba", None),
    ],
)
def test_inline_links(line: str, title: str | None) -> None:
    assert inline_link_title(line) == title


@pytest.mark.parametrize(
    ("text", "headings"),
    [
        ("Mai AnhTin liên quan:Tiêu đề", ["Tin liên quan"]),
        ("TIN LIÊN QUAN Tiêu đề một", ["TIN LIÊN QUAN"]),
        ("TIN BÀI LIÊN QUAN: BÀI", ["TIN BÀI LIÊN QUAN"]),  # the longest heading, not "BÀI LIÊN QUAN" in it
        ("Nhiều thông tin liên quan đến vụ việc đã được công bố.", []),  # lower case: a sentence
    ],
)
def test_inline_headings(text: str, headings: list[str]) -> None:
    assert [text[start:end] for start, end in inline_headings(text, "related")] == headings


@pytest.mark.parametrize(
    ("text", "markers"),
    [
        (">> Tiêu đề một >> Tiêu đề hai", [">>", ">>"]),
        ("Ảnh: Minh Khang>>> Tiêu đề>>> Tiêu đề khác", [">>>", ">>>"]),
        ("Câu cuối.» Tiêu đề một » Tiêu đề hai", ["»", "»"]),
        ("Câu cuối bài.Xem thêm: Tiêu đề một", ["Xem thêm: "]),
        ("Ông nói «tôi sẽ trở lại.» Rồi ông đi.", []),  # a closing guillemet
        ("Một «cái tên» lạ", []),
        ("Hoàng Vy» Tiêu đề", ["»"]),
    ],
)
def test_link_markers(text: str, markers: list[str]) -> None:
    assert [text[start:end] for start, end in link_markers(text)] == markers


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Ngọc HàPHẢN HỒIGửi bình luận", "Ngọc Hà"),
        ("Bài viết kết thúc ở đây. PHẢN HỒI Gửi bình luận", "Bài viết kết thúc ở đây."),
        ("Thanh BìnhEmail Print Góp ý", "Thanh Bình"),
        ("PHẢN HỒIGửi bình luận", ""),
        ("Gửi bình luận cho bài viết này qua thư.", "Gửi bình luận cho bài viết này qua thư."),
    ],
)
def test_a_widget_bar_glued_to_the_end_of_a_line_goes(line: str, kept: str) -> None:
    assert without_ui_ending(line) == kept
