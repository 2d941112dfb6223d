"""The one taxonomy every article is filed under (DESIGN.md section 5) and the section-label table.

An outlet's section maps to a key through its profile's URL-path prefixes first; a bare section label (from a
text dump, a breadcrumb or a profile-less page) maps through SECTION_LABELS, compared accent-insensitively.
"""

from __future__ import annotations

from diemtin.textnorm import fold

CATEGORIES: dict[str, str] = {
    "thoi-su": "Thời sự",
    "the-gioi": "Thế giới",
    "kinh-doanh": "Kinh doanh",
    "bat-dong-san": "Bất động sản",
    "phap-luat": "Pháp luật",
    "giao-duc": "Giáo dục",
    "suc-khoe": "Sức khỏe",
    "the-thao": "Thể thao",
    "giai-tri": "Giải trí - Văn hóa",
    "doi-song": "Đời sống",
    "du-lich": "Du lịch",
    "khoa-hoc": "Khoa học",
    "cong-nghe": "Công nghệ",
    "xe": "Xe",
    "y-kien": "Ý kiến",
}

# Section labels seen on outlets and aggregators -> category key (keys are folded: no accents, lower case).
SECTION_LABELS: dict[str, str] = {
    "thoi su": "thoi-su",
    "xa hoi": "thoi-su",
    "chinh tri": "thoi-su",
    "giao thong": "thoi-su",
    "the gioi": "the-gioi",
    "quoc te": "the-gioi",
    "kinh doanh": "kinh-doanh",
    "kinh te": "kinh-doanh",
    "tai chinh": "kinh-doanh",
    "chung khoan": "kinh-doanh",
    "thi truong chung khoan": "kinh-doanh",
    "tai chinh - kinh doanh": "kinh-doanh",
    "bat dong san": "bat-dong-san",
    "nha dat": "bat-dong-san",
    "phap luat": "phap-luat",
    "giao duc": "giao-duc",
    "suc khoe": "suc-khoe",
    "the thao": "the-thao",
    "giai tri": "giai-tri",
    "van hoa": "giai-tri",
    "van hoa - giai tri": "giai-tri",
    "doi song": "doi-song",
    "gioi tre": "doi-song",
    "nhip song tre": "doi-song",
    "du lich": "du-lich",
    "khoa hoc": "khoa-hoc",
    "cong nghe": "cong-nghe",
    "so hoa": "cong-nghe",
    "khoa hoc - cong nghe": "cong-nghe",
    "xe": "xe",
    "xe co": "xe",
    "o to - xe may": "xe",
    "oto - xe may": "xe",
    "y kien": "y-kien",
    "goc nhin": "y-kien",
    "ban doc": "y-kien",
}


def category_for_label(label: str | None) -> str | None:
    """Taxonomy key for a section label such as 'Thế giới' or 'Xe cộ', or None when unknown."""
    if not label:
        return None
    return SECTION_LABELS.get(fold(label).strip())
