"""Articles -> an output stream in the formats of ``diemtin extract``: JSON Lines, JSON, text, Markdown.

Each writer takes articles one at a time (``write``) and finishes the stream (``close``), so a folder of
thousands of pages is never held in memory. JSON carries every field (``Article.to_dict()``); text and
Markdown are for people: section, date, title, lead, body, byline, tags, related links and warnings.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Literal, Protocol, TextIO

from diemtin.article import Article

OutputFormat = Literal["jsonl", "json", "text", "markdown"]
FORMATS: tuple[OutputFormat, ...] = ("jsonl", "json", "text", "markdown")
SHOWN_DATE = "%d/%m/%Y %H:%M"


class ArticleWriter(Protocol):
    def write(self, article: Article) -> None: ...
    def close(self) -> None: ...


def writer_for(output_format: OutputFormat, stream: TextIO) -> ArticleWriter:
    """The writer of one format over an open text stream."""
    writers: dict[OutputFormat, type[_Writer]] = {
        "jsonl": JsonLinesWriter,
        "json": JsonArrayWriter,
        "text": TextWriter,
        "markdown": MarkdownWriter,
    }
    return writers[output_format](stream)


class _Writer(ABC):
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0

    def write(self, article: Article) -> None:
        self.stream.write(self.render(article))
        self.count += 1
        self.stream.flush()

    @abstractmethod
    def render(self, article: Article) -> str:
        """One article as it appears in the stream."""

    def close(self) -> None:
        self.stream.flush()


class JsonLinesWriter(_Writer):
    def render(self, article: Article) -> str:
        return _json(article) + "\n"


class JsonArrayWriter(_Writer):
    def render(self, article: Article) -> str:
        return ("[\n" if self.count == 0 else ",\n") + _json(article)

    def close(self) -> None:
        self.stream.write("[]\n" if self.count == 0 else "\n]\n")
        super().close()


class TextWriter(_Writer):
    def render(self, article: Article) -> str:
        lines = ["=" * 80] if self.count else []
        lines += [*_header(article, markdown=False), ""]
        if article.lead:
            lines += [article.lead, ""]
        lines += [text for paragraph in article.body for text in (paragraph, "")]
        lines += _footer(article, markdown=False)
        return "\n".join(lines) + "\n"


class MarkdownWriter(_Writer):
    def render(self, article: Article) -> str:
        lines = ["---", ""] if self.count else []
        lines += [f"# {_md(article.title or '(không có tiêu đề)')}", "", *_header(article, markdown=True), ""]
        if article.lead:
            lines += [f"**{_md(article.lead)}**", ""]
        lines += [text for paragraph in article.body for text in (_md(paragraph), "")]
        lines += _footer(article, markdown=True)
        return "\n".join(lines) + "\n"


def _json(article: Article) -> str:
    return json.dumps(article.to_dict(), ensure_ascii=False)


def _md(text: str) -> str:
    """Escape the characters that would start Markdown markup inside a paragraph."""
    for mark in ("\\", "*", "_", "`", "[", "]", "#", "<", ">"):
        text = text.replace(mark, "\\" + mark)
    return text


def _header(article: Article, *, markdown: bool) -> list[str]:
    section = " › ".join(article.section_path) or article.section or ""
    when = article.published.strftime(SHOWN_DATE) if article.published else ""
    where = article.url or article.provenance.input or ""
    if markdown:
        link = f"[{article.outlet or article.site or 'nguồn'}]({article.url})" if article.url else _md(where)
        facts = [_md(section), when, link]
        return ["*" + " · ".join(fact for fact in facts if fact) + "*"]
    facts = [section, when, article.outlet or article.site or ""]
    return [article.title, " | ".join(fact for fact in facts if fact), where]


def _footer(article: Article, *, markdown: bool) -> list[str]:
    lines: list[str] = []
    byline = ", ".join(article.authors)
    if article.source:
        byline = f"Theo {byline} ({article.source})" if byline else f"Theo {article.source}"
    if byline:
        lines += [f"*{_md(byline)}*" if markdown else byline, ""]
    if article.tags:
        lines += ["Tags: " + ", ".join(f"`{tag}`" if markdown else tag for tag in article.tags), ""]
    if article.related:
        lines.append("Liên quan:")
        for link in article.related:
            title = _md(link.title) if markdown else link.title
            shown = f"[{title}]({link.url})" if markdown and link.url else title
            lines.append(f"- {shown}" + (f" ({link.date})" if link.date else ""))
        lines.append("")
    if article.provenance.warnings:
        lines += ["Cảnh báo: " + "; ".join(article.provenance.warnings), ""]
    return lines
