"""Bylines and credit lines: the forms of notes/outlets.md section 6; body sentences that stay body."""

from __future__ import annotations

import pytest

from diemtin.extract.attribution import (
    Attribution,
    is_byline,
    is_name,
    is_source,
    parse_attribution,
    split_names,
)

CREDITS = [
    ("Theo Minh Khang (VietNamNet)", ["Minh Khang"], "VietNamNet"),
    ("Theo Lê Hoa (Dân trí)", ["Lê Hoa"], "Dân trí"),
    ("Bảo Ngọc (Theo Reuters)", ["Bảo Ngọc"], "Reuters"),
    ("Bảo Ngọc (theo AFP)", ["Bảo Ngọc"], "AFP"),
    ("Thu Trang (tổng hợp)", ["Thu Trang"], None),
    ("P.V (st)", ["P.V"], None),  # sưu tầm: collected by the reporter
    ("Thu Hà (ghi)", ["Thu Hà"], None),  # an interview written down by
    ("Thu Trang (Tổng hợp)", ["Thu Trang"], None),
    ("Quang Vinh (T/h)", ["Quang Vinh"], None),
    ("Quang Vinh (T/H)", ["Quang Vinh"], None),
    ("Hải Yến (lược dịch)", ["Hải Yến"], None),
    ("Theo TTXVN", [], "TTXVN"),
    ("Theo Thu Hằng/VOV.VN", ["Thu Hằng"], "VOV.VN"),
    ("Ngọc Mai/Báo Tin tức", ["Ngọc Mai"], "Báo Tin tức"),
    ("Theo TTXVN/Vietnam+", [], "TTXVN/Vietnam+"),
    ("TTXVN/Tin tức", [], "TTXVN/Tin tức"),  # an agency and its paper
    ("Theo TTXVN.", [], "TTXVN"),
    ("(Theo Tân Hoa xã)", [], "Tân Hoa xã"),
    ("Nguồn: Bloomberg", [], "Bloomberg"),
    ("(Nguồn: Kyodo)", [], "Kyodo"),
    ("Theo Thời báo kinh tế", [], "Thời báo kinh tế"),
    ("Mai Lan (TTXVN)", ["Mai Lan"], "TTXVN"),
    ("Bài, ảnh: Đức Huy", ["Đức Huy"], None),
    ("Tin, ảnh: Đức Huy", ["Đức Huy"], None),
    ("PV", ["PV"], None),
    ("Nhóm PV", ["Nhóm PV"], None),
    ("Nhóm phóng viên", ["Nhóm phóng viên"], None),
    ("MINH ĐỨC - THANH TÂM", ["MINH ĐỨC", "THANH TÂM"], None),  # upper case kept as shown
    ("Thảo Vy, Hoàng Long", ["Thảo Vy", "Hoàng Long"], None),
    ("Khánh An và Bích Ngọc", ["Khánh An", "Bích Ngọc"], None),
    ("Phan Anh", ["Phan Anh"], None),
    ("N.T.H.", ["N.T.H."], None),
    ("T.Anh", ["T.Anh"], None),
    # A name glued to the credit line after it (Báo Mới dumps): split at the capital "Theo".
    ("Bảo TrâmTheo Báo Mẫu", ["Bảo Trâm"], "Báo Mẫu"),
    ("Khắc VinhTheo TTXVN.", ["Khắc Vinh"], "TTXVN"),
    ("HỒNG NHUNGTheo Báo Mẫu", ["HỒNG NHUNG"], "Báo Mẫu"),
    ("Lan Chi Theo Báo Mẫu", ["Lan Chi"], "Báo Mẫu"),
    ("K.T.Theo Báo Mẫu", ["K.T."], "Báo Mẫu"),
    # Forms of the Báo Mới 2013 dumps' last lines.
    ("Thùy Chi (thực hiện)", ["Thùy Chi"], None),
    ("Hồng Vân (ghi chép)", ["Hồng Vân"], None),
    ("Việt Hà (lược thuật)", ["Việt Hà"], None),
    ("Minh Tú- Bảo Lan", ["Minh Tú", "Bảo Lan"], None),  # a dash spaced on one side only
    ("Xuân Mai-Quỳnh Giao", ["Xuân Mai", "Quỳnh Giao"], None),  # ... or on none
    ("Q.Hân-L.Nguyễn", ["Q.Hân", "L.Nguyễn"], None),
    ("* T.A", ["T.A"], None),  # a starred credit
    ("Bài,ảnh: Tạ Minh", ["Tạ Minh"], None),
    ("Theo Q.T (thethaomau)", ["Q.T"], "thethaomau"),  # a site's name in lower case, after "Theo name"
    ("Hoài An (Theo Reuters, AFP)", ["Hoài An"], "Reuters, AFP"),  # several sources
    ("Theo TechRadar, PhoneArena", [], "TechRadar, PhoneArena"),
    ("Hoài An (Theo DailyMail, Huffington Post)", ["Hoài An"], "DailyMail, Huffington Post"),
    ("Theo Gizmag, 9to5mac", [], "Gizmag, 9to5mac"),
    ("Thanh Tuấn-Minh Hà/Washington (Vietnam+)", ["Thanh Tuấn", "Minh Hà"], "Vietnam+"),  # filed from
    # notes and labels without brackets or colon, a lower-case "theo", an agency alone in brackets
    ("Minh Khôi Tổng hợp", ["Minh Khôi"], None),
    ("Minh KhôiTổng hợp", ["Minh Khôi"], None),
    ("Lê Na - tin, ảnh", ["Lê Na"], None),
    ("Tin, ảnh Quốc Bảo", ["Quốc Bảo"], None),
    ("Tin ảnh: Quốc Bảo", ["Quốc Bảo"], None),
    ("Hải Đăng theo Báo Mẫu", ["Hải Đăng"], "Báo Mẫu"),
    ("Hải ĐăngTheo baomau", ["Hải Đăng"], "baomau"),  # a site's name in lower case after "Theo"
    ("(TTXVN)", [], "TTXVN"),
    ("TheoBáo Mẫu", [], "Báo Mẫu"),  # "Theo" glued to the source's capital
    ("QTNguồn: Báo Mẫu", ["QT"], "Báo Mẫu"),  # initials glued to "Nguồn:"
]


@pytest.mark.parametrize(("line", "authors", "source"), CREDITS)
def test_credit_lines(line: str, authors: list[str], source: str | None) -> None:
    assert parse_attribution(line) == Attribution(authors, source)
    assert is_byline(line)


BODY = [
    # A sentence that starts with "Theo …," is body text, not a credit.
    "Theo người phát ngôn Bộ Ngoại giao Lê Minh, cuộc gặp diễn ra trong không khí cởi mở và thẳng thắn.",
    "Theo số liệu của Tổng cục Thống kê, giá tiêu dùng tháng này tăng 0,3%.",
    "Theo kế hoạch, công trình sẽ hoàn thành vào cuối năm.",
    "Theo ông Nam (giám đốc công ty), doanh thu sẽ tăng.",
    "Theo ghi nhận",
    "Giá xăng tăng mạnhTheo ghi nhận",  # glued, but no name before "Theo"
    "Giá xăng tăng mạnh trong tuần",
    "Nước Mỹ và châu Âu",
    "Hạn chế xuất khẩu gạo",
    "Tin liên quan",
    "Chia sẻ",
    "Thế giới",
    "",
    'Ông Hùng cho biết: "Chúng tôi sẽ làm tiếp".',
    "Những ngày cuối tháng 5, Hà Nội nắng nóng gay gắt (Ảnh: Ngọc Thắng)",
    "Tin tổng hợp",  # one capitalised word before a note starts a sentence, it is no name
    "Báo cáo tổng hợp",
    "Giá vàng tăng theo thị trường thế giới",
    "(Ảnh minh họa)",
    "VideoNguồn: Báo Mẫu",  # a video's credit: "Video" is no name
]


@pytest.mark.parametrize("line", BODY)
def test_body_lines_are_not_bylines(line: str) -> None:
    assert not is_byline(line)


def test_long_lines_are_never_credits() -> None:
    assert parse_attribution("Theo " + "Nguyễn Văn An " * 10) is None


def test_name_shapes() -> None:
    assert is_name("Nguyễn Thị Minh Khai")
    assert is_name("ĐỖ HÙNG")
    assert not is_name("ông Nam")
    assert not is_name("Nguyễn Văn 2")
    assert not is_name("Một Hai Ba Bốn Năm Sáu")  # too many words for a name
    assert not is_name("ở Hà Nội")


def test_split_names_refuses_prose() -> None:
    assert split_names("Lan Anh - Quốc Tuấn") == ["Lan Anh", "Quốc Tuấn"]
    assert split_names("giá vàng - giá dầu") is None


def test_sources() -> None:
    assert is_source("Reuters")
    assert is_source("baochinhphu.vn")
    assert is_source("Người Lao Động")
    assert not is_source("tổng hợp")
    assert not is_source("nhiều nguồn, gồm cả báo chí")
