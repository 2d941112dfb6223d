"""Personal data in a corpus export: e-mail addresses and Vietnamese phone numbers in an article's text are
replaced by placeholders (``diemtin export --redact``). Bylines stay: outlets publish them as credits.

The phone shapes are those printed in Vietnamese news: mobiles and landlines written from 0 or +84 with
spaces, dots or dashes between the groups ("0912 345 678", "0912.345.678", "(024) 3825 1234", "+84 912 345
678"), and 1800/1900 hotlines written whole or with one dot ("19001234", "1900.1234"). A number with any other
shape (a sum of money "2.000.000.000", a date "03.06.2013", a year then a count "năm 1900 1234") is left; a
ten-digit tax code written from 0 ("0101234567") has a phone number's shape and is replaced too.
"""

from __future__ import annotations

import re
from dataclasses import replace

from diemtin.article import Article, Image

EMAIL = "<EMAIL>"
PHONE = "<PHONE>"

# an address ends at its top-level domain, also where a text dump glued the next word on ("…@nld.com.vnGhi")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?=[A-Z]|(?![\w-]))")
_SEP = r"[ .\-]?"
_PHONE = re.compile(
    r"(?<![\w.,/+])(?:"
    rf"(?:\+84|0084){_SEP}\(?0?\)?{_SEP}\d(?:{_SEP}\d){{8,9}}"  # +84 912 345 678, +84 (0) 24 3825 1234
    rf"|\(0\d{{1,3}}\){_SEP}\d(?:{_SEP}\d){{6,7}}"  # (024) 3825 1234, (04) 3944 9266
    rf"|0[1-9](?:{_SEP}\d){{8,9}}"  # 0912 345 678, 024 3825 1234
    r"|(?:1800|1900)\.?\d{4}(?:\d{2})?"  # 19001234, 1900.1234
    r")(?![\w,]|\.\d)"
)


def redact(text: str) -> str:
    """``text`` with its e-mail addresses and phone numbers replaced by EMAIL and PHONE."""
    return _PHONE.sub(PHONE, _EMAIL.sub(EMAIL, text))


def redacted(article: Article) -> Article:
    """A copy of ``article`` whose title, lead, body, captions and image captions are redacted."""
    return replace(
        article,
        title=redact(article.title),
        lead=redact(article.lead),
        body=[redact(paragraph) for paragraph in article.body],
        captions=[redact(caption) for caption in article.captions],
        images=[
            Image(image.url, redact(image.caption) if image.caption else image.caption)
            for image in article.images
        ],
    )
