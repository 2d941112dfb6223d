"""Extraction benchmark: diemtin against the open-source peers on the same pages, in one run.

Sets (read from ../shared/corpus, never copied into the repository):
  html  - the gold Vietnamese article pages (corpus/html/*/*_article.html, gold in corpus/gold/)
  dump  - the same pages as browser text dumps plus the seed; diemtin reads the raw text, the peers get each
          non-empty dump line as a <p> of a minimal HTML document (what their users would do with a text dump)
  aeb   - the public article-extraction benchmark (181 pages, mostly English; body gold only)

For every tool and set it reports body F1/precision/recall (aeb method, diemtin.evaluate), exact matches,
the share of the eight gold fields right (diemtin.evaluate.compare; a field a peer does not produce counts as
wrong), pages per second (median of N timed passes, time.perf_counter, every page already in memory, tools
interleaved pass by pass) and the peak resident memory of a fresh process that imports the tool and extracts
the set's first pages (untimed; the same process doing no extraction is reported as the baseline).

    .venv/bin/python bench/extract.py [--quick] [--passes 3] [--out bench/out/extract.json]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from diemtin.article import Article
from diemtin.evaluate import BodyScore, compare, score_body, summarise
from diemtin.extract import extract

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIELDS = ("title", "published", "lead", "authors", "source", "section", "captions", "tags")
SETS = ("html", "dump", "aeb")
QUICK_AEB_PAGES = 20
MIN_TIMED_PAGES = 40  # a timed pass over a smaller set goes through it several times, to last long enough
MEMORY_PAGES = 20  # the memory probe extracts this many pages of a set in a fresh process
BASELINE = "none"  # the memory probe's name for "load the pages, extract nothing"
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
    }
    | {"th", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt", "dl", "br", "hr"}
)


@dataclass(slots=True)
class Doc:
    """One benchmark page, fully loaded before anything is timed."""

    set: str
    id: str
    raw: bytes  # what diemtin gets: the HTML bytes, or the dump's own text bytes
    html: str  # what the peers get: the page HTML, or the dump wrapped as <p> lines
    url: str | None
    language: str  # "vi" or "en"
    gold_body: str
    gold: dict[str, Any] | None  # the field gold (html and dump sets only)


Extractor = Callable[[Doc], Article]


@dataclass(slots=True)
class Tool:
    name: str
    package: str  # distribution name, for the version
    produces: frozenset[str]  # which of FIELDS the tool returns at all
    make: Callable[[], Extractor]  # builds the extractor once (config, stoplists) outside the timing


# -------------------------------------------------------------------------------------------- the sets


def dump_as_html(text: str) -> str:
    """A text dump as a minimal HTML document, one <p> per non-empty line."""
    lines = (line.strip() for line in text.splitlines())
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    head = '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"></head>'
    return f"{head}<body>\n{paragraphs}\n</body></html>\n"


def load_gold_sets(shared: Path) -> tuple[list[Doc], list[Doc]]:
    """The html and dump sets, from every article gold file (and seed.json)."""
    corpus = shared / "corpus"
    html_docs: list[Doc] = []
    dump_docs: list[Doc] = []
    for path in sorted((corpus / "gold").glob("*.json")):
        if path.name.endswith(".links.json"):
            continue
        gold = json.loads(path.read_text("utf-8"))
        body = " ".join(gold.get("body") or [])
        name = path.stem
        source = str(gold.get("file") or "")
        if source.endswith(".html"):
            raw = (corpus / source).read_bytes()
            html_docs.append(Doc("html", name, raw, raw.decode("utf-8"), gold.get("url"), "vi", body, gold))
        if gold.get("dump"):
            raw = (corpus / gold["dump"]).read_bytes()
            wrapped = dump_as_html(raw.decode("utf-8"))
            dump_docs.append(Doc("dump", name, raw, wrapped, gold.get("url"), "vi", body, gold))
    return html_docs, dump_docs


def load_aeb(shared: Path, limit: int | None = None) -> list[Doc]:
    folder = shared / "corpus" / "aeb"
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    docs: list[Doc] = []
    for item_id in sorted(truth)[:limit]:
        raw = gzip.decompress((folder / "html" / f"{item_id}.html.gz").read_bytes())
        entry = truth[item_id]
        docs.append(
            Doc("aeb", item_id, raw, raw.decode("utf-8"), entry.get("url"), "en", entry["articleBody"], None)
        )
    return docs


def load_sets(shared: Path, aeb_limit: int | None = None) -> dict[str, list[Doc]]:
    html_docs, dump_docs = load_gold_sets(shared)
    return {"html": html_docs, "dump": dump_docs, "aeb": load_aeb(shared, aeb_limit)}


# ------------------------------------------------------------------------------------------- the tools


def _date(value: Any) -> datetime | None:
    """A peer's date (datetime or ISO string) as a datetime; day-only strings stay naive, so never match."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _split(value: str | None, sep: str) -> list[str]:
    return [part.strip() for part in (value or "").split(sep) if part.strip()]


def block_text(fragment: str) -> str:
    """Plain text of an HTML fragment, with a line break around every block element."""
    import lxml.html

    root = lxml.html.fromstring(fragment)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return str(root.text_content())


def make_diemtin() -> Extractor:
    def run(doc: Doc) -> Article:
        return extract(doc.raw, doc.url, kind="text" if doc.set == "dump" else "html")

    return run


def make_trafilatura() -> Extractor:
    import trafilatura

    def run(doc: Doc) -> Article:
        result = trafilatura.bare_extraction(
            doc.html, url=doc.url, with_metadata=True, include_comments=False
        )
        if not isinstance(result, trafilatura.settings.Document):
            return Article()
        tags = [tag for raw in result.tags or [] for tag in _split(raw, ",")]
        return Article(
            title=result.title or "",
            lead=result.description or "",
            body=[result.text or ""],
            authors=_split(result.author, ";"),
            published=_date(result.date),
            section=result.categories[0] if result.categories else None,
            tags=tags,
        )

    return run


def make_newspaper() -> Extractor:
    """fetch_images=False: by default parse() downloads every image to pick the top one (network time).

    Vietnamese pages are declared "vi"; aeb pages get newspaper's own language detection (as aeb runs it).
    """
    import newspaper  # type: ignore[import-untyped]

    languages = {"vi": "vi", "en": None}

    def run(doc: Doc) -> Article:
        found = newspaper.article(
            doc.url or "http://localhost/",
            language=languages[doc.language],
            input_html=doc.html,
            fetch_images=False,
        )
        section = (found.meta_data.get("article") or {}).get("section") if found.meta_data else None
        tags = sorted(found.tags) if found.tags else list(found.meta_keywords or [])
        return Article(
            title=found.title or "",
            lead=found.meta_description or "",
            body=[found.text or ""],
            authors=list(found.authors or []),
            published=_date(found.publish_date),
            section=section if isinstance(section, str) else None,
            tags=tags,
        )

    return run


def make_readability() -> Extractor:
    from readability import Document  # type: ignore[import-untyped]

    def run(doc: Doc) -> Article:
        page = Document(doc.html)
        return Article(title=page.title() or "", body=[block_text(page.summary(html_partial=True))])

    return run


def make_goose() -> Extractor:
    from goose3 import Goose  # type: ignore[import-untyped]

    by_language = {
        "vi": Goose({"target_language": "vi", "use_meta_language": False}),
        "en": Goose(),
    }

    def run(doc: Doc) -> Article:
        found = by_language[doc.language].extract(raw_html=doc.html)
        tags = sorted(found.tags) if found.tags else _split(found.meta_keywords, ",")
        return Article(
            title=found.title or "",
            lead=found.meta_description or "",
            body=[found.cleaned_text or ""],
            authors=list(found.authors or []),
            published=_date(found.publish_date),
            tags=tags,
        )

    return run


def make_justext() -> Extractor:
    import justext  # type: ignore[import-untyped]

    stoplists = {"vi": justext.get_stoplist("Vietnamese"), "en": justext.get_stoplist("English")}

    def run(doc: Doc) -> Article:
        paragraphs = justext.justext(doc.html, stoplists[doc.language])
        return Article(body=["\n".join(p.text for p in paragraphs if not p.is_boilerplate)])

    return run


def make_resiliparse() -> Extractor:
    from resiliparse.extract.html2text import extract_plain_text

    def run(doc: Doc) -> Article:
        return Article(body=[extract_plain_text(doc.html, main_content=True)])

    return run


def make_boilerpy3() -> Extractor:
    from boilerpy3 import extractors  # type: ignore[import-untyped]

    extractor = extractors.ArticleExtractor()

    def run(doc: Doc) -> Article:
        found = extractor.get_doc(doc.html)
        return Article(title=found.title or "", body=[found.content or ""])

    return run


_META = frozenset({"title", "published", "lead", "authors", "section", "tags"})
TOOLS: tuple[Tool, ...] = (
    Tool("diemtin", "diemtin", frozenset(FIELDS), make_diemtin),
    Tool("trafilatura", "trafilatura", _META, make_trafilatura),
    Tool("newspaper4k", "newspaper4k", _META, make_newspaper),
    Tool("readability-lxml", "readability-lxml", frozenset({"title"}), make_readability),
    Tool("goose3", "goose3", _META - {"section"}, make_goose),
    Tool("justext", "justext", frozenset(), make_justext),
    Tool("resiliparse", "resiliparse", frozenset(), make_resiliparse),
    Tool("boilerpy3", "boilerpy3", frozenset({"title"}), make_boilerpy3),
)


# --------------------------------------------------------------------------------------------- running


@dataclass(slots=True)
class SetResult:
    """One tool on one set."""

    pages: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    f1: float = 0.0
    precision: float = 0.0
    recall: float = 0.0
    exact: int = 0
    fields_right: int = 0
    fields_total: int = 0
    field_counts: dict[str, int] = field(default_factory=dict)
    pass_seconds: list[float] = field(default_factory=list)
    timed_pages: int = 0  # pages in one timed pass: a small set is gone through several times per pass
    per_page: list[dict[str, Any]] = field(default_factory=list)

    @property
    def field_share(self) -> float | None:
        return self.fields_right / self.fields_total if self.fields_total else None

    @property
    def pages_per_second(self) -> float | None:
        """Pages over the median pass time; None when every page failed (a raising tool is not fast)."""
        if not self.pass_seconds or self.errors >= self.pages:
            return None
        return self.timed_pages / statistics.median(self.pass_seconds)

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__slots__}
        data["field_share"] = self.field_share
        data["pages_per_second"] = self.pages_per_second
        return data


@contextmanager
def quiet() -> Iterator[None]:
    """Silence the peers' warnings and log noise while they run."""
    logging.disable(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            yield
        finally:
            logging.disable(logging.NOTSET)


def score_pass(tool: Tool, run: Extractor, docs: list[Doc]) -> SetResult:
    """One untimed pass: body and field scores, and the errors."""
    result = SetResult(pages=len(docs))
    scores: list[BodyScore] = []
    for doc in docs:
        error: str | None = None
        try:
            with quiet():
                article = run(doc)
        except Exception as exc:  # a peer that raises scores 0 on that page
            error = f"{type(exc).__name__}: {str(exc)[:120]}"
            kind = type(exc).__name__
            result.errors += 1
            result.error_kinds[kind] = result.error_kinds.get(kind, 0) + 1
            article = Article()
        body = (
            score_body(" ".join(article.body), doc.gold_body) if error is None else BodyScore(0.0, 0.0, False)
        )
        scores.append(body)
        row: dict[str, Any] = {
            "id": doc.id,
            "precision": body.precision,
            "recall": body.recall,
            "exact": body.exact,
        }
        if doc.gold is not None:
            right = compare(article, doc.gold).right if error is None else dict.fromkeys(FIELDS, False)
            right = {name: right[name] and name in tool.produces for name in FIELDS}
            result.fields_total += len(FIELDS)
            result.fields_right += sum(right.values())
            for name, ok in right.items():
                result.field_counts[name] = result.field_counts.get(name, 0) + ok
            row["fields_wrong"] = [name for name, ok in right.items() if not ok]
        if error:
            row["error"] = error
        result.per_page.append(row)
    summary = summarise(scores)
    result.f1, result.precision, result.recall, result.exact = (
        summary.f1,
        summary.precision,
        summary.recall,
        summary.exact,
    )
    return result


def probe_rss(tool_name: str, shared: Path) -> float:
    """In this (fresh) process: extract the first pages of every set with the tool; peak RSS in MiB."""
    docs = [doc for docs in load_sets(shared, MEMORY_PAGES).values() for doc in docs[:MEMORY_PAGES]]
    if tool_name != BASELINE:
        tool = next(tool for tool in TOOLS if tool.name == tool_name)
        run = tool.make()
        with quiet():
            for doc in docs:
                with suppress(Exception):
                    run(doc)
    # VmHWM, not ru_maxrss: a child inherits its parent's ru_maxrss across fork and exec
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_rss(tool_name: str, shared: Path) -> float | None:
    """probe_rss in a child process, so every tool starts from the same fresh interpreter."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--shared",
        str(shared),
        "--probe-rss",
        tool_name,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
        return float(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None


def timed_pass(run: Extractor, docs: list[Doc]) -> float:
    """Seconds for one pass over docs; errors are swallowed exactly as in the scoring pass."""
    with quiet():
        start = time.perf_counter()
        for doc in docs:
            with suppress(Exception):
                run(doc)
        return time.perf_counter() - start


def run_benchmark(
    sets: dict[str, list[Doc]],
    tools: tuple[Tool, ...] = TOOLS,
    passes: int = 3,
    log: Callable[[str], None] = print,
) -> dict[str, dict[str, SetResult]]:
    """Score every tool on every set, then time `passes` passes (tools interleaved within each pass)."""
    runners = {tool.name: tool.make() for tool in tools}
    results: dict[str, dict[str, SetResult]] = {}
    for set_name, docs in sets.items():
        results[set_name] = {}
        for tool in tools:
            log(f"[{set_name}] scoring {tool.name} on {len(docs)} pages")
            results[set_name][tool.name] = score_pass(tool, runners[tool.name], docs)
        timed = docs * -(-MIN_TIMED_PAGES // max(len(docs), 1))
        for number in range(passes):
            log(f"[{set_name}] timed pass {number + 1}/{passes} ({len(timed)} pages)")
            for tool in tools:
                result = results[set_name][tool.name]
                result.timed_pages = len(timed)
                result.pass_seconds.append(timed_pass(runners[tool.name], timed))
    return results


# ------------------------------------------------------------------------------------------- reporting


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": list(os.getloadavg()),
        "diemtin_commit": commit,
    }


def versions(tools: tuple[Tool, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for tool in tools:
        try:
            found[tool.name] = metadata.version(tool.package)
        except metadata.PackageNotFoundError:
            found[tool.name] = "?"
    return found


def speed_ratio(result: SetResult, reference: SetResult) -> float | None:
    """Median over passes of (tool speed / reference speed) in the same pass: the tools of one pass share the
    machine's load of that moment, so this is steadier than a ratio of two medians on a busy machine."""
    if result.pages_per_second is None or reference.pages_per_second is None:
        return None
    ratios = [ref / own for own, ref in zip(result.pass_seconds, reference.pass_seconds, strict=True)]
    return statistics.median(ratios) * result.timed_pages / reference.timed_pages


def _speed(result: SetResult) -> str:
    """Median pages/s with the range over passes, e.g. "30.4 (18.1-67.0)"."""
    if result.pages_per_second is None:
        return "—"
    rates = sorted(result.timed_pages / seconds for seconds in result.pass_seconds)
    return f"{result.pages_per_second:.1f} ({rates[0]:.1f}-{rates[-1]:.1f})"


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def markdown(
    results: dict[str, dict[str, SetResult]],
    tool_versions: dict[str, str],
    memory: dict[str, float | None] | None = None,
) -> str:
    """One table per set (speed ratios against trafilatura on the same set in the same run), then memory."""
    out: list[str] = []
    for set_name, by_tool in results.items():
        pages = next(iter(by_tool.values())).pages
        out.append(f"**{set_name}** ({pages} pages)\n")
        out.append(
            "| tool | version | F1 | precision | recall | exact | fields right | pages/s (range) "
            "| × trafilatura | errors |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        reference = by_tool.get("trafilatura")
        for name, result in by_tool.items():
            ratio = speed_ratio(result, reference) if reference else None
            share = result.field_share
            fields = (
                f"{result.fields_right}/{result.fields_total} ({share:.0%})" if share is not None else "—"
            )
            out.append(
                f"| {name} | {tool_versions.get(name, '?')} | {_num(result.f1)} | {_num(result.precision)} "
                f"| {_num(result.recall)} | {result.exact}/{result.pages} | {fields} | {_speed(result)} "
                f"| {_num(ratio, 2)} | {result.errors} |"
            )
        out.append("")
    if memory:
        baseline = memory.get(BASELINE)
        out.append(
            f"**peak RSS** (fresh process, first {MEMORY_PAGES} pages of each set; baseline = same "
            f"process extracting nothing: {_num(baseline, 0)} MiB)\n"
        )
        out.append("| tool | peak RSS MiB | over baseline |")
        out.append("|---|---|---|")
        for name, peak in memory.items():
            if name != BASELINE:
                extra = peak - baseline if peak is not None and baseline is not None else None
                out.append(f"| {name} | {_num(peak, 0)} | {_num(extra, 0)} |")
        out.append("")
    return "\n".join(out)


def _ratio(result: SetResult, by_tool: dict[str, SetResult]) -> float | None:
    reference = by_tool.get("trafilatura")
    return speed_ratio(result, reference) if reference else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"only the first {QUICK_AEB_PAGES} aeb pages")
    parser.add_argument("--passes", type=int, default=3, help="timed passes per set (median reported; ≥3)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "extract.json")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the ../shared folder")
    parser.add_argument(
        "--tools", default=",".join(tool.name for tool in TOOLS), help="comma-separated subset"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the per-tool peak-RSS probes")
    parser.add_argument("--probe-rss", metavar="TOOL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_rss:
        print(f"{probe_rss(args.probe_rss, args.shared):.1f}")
        return 0
    if args.passes < 3:
        parser.error("--passes must be at least 3")
    chosen = {name.strip() for name in args.tools.split(",")}
    tools = tuple(tool for tool in TOOLS if tool.name in chosen)
    sets = load_sets(args.shared, QUICK_AEB_PAGES if args.quick else None)
    info = machine()
    results = run_benchmark(
        sets, tools, args.passes, log=lambda line: print(line, file=sys.stderr, flush=True)
    )
    info["load_average_end"] = list(os.getloadavg())
    memory: dict[str, float | None] = {}
    if not args.no_memory:
        print("memory probes", file=sys.stderr, flush=True)
        memory = {name: measure_rss(name, args.shared) for name in [BASELINE, *(tool.name for tool in tools)]}
    tool_versions = versions(tools)
    table = markdown(results, tool_versions, memory)
    print(
        f"Machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}; {info['date']}; "
        f"diemtin {info['diemtin_commit']}; load average {info['load_average'][0]:.1f} → "
        f"{info['load_average_end'][0]:.1f}; {args.passes} timed passes, median\n"
    )
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": info,
        "passes": args.passes,
        "quick": args.quick,
        "versions": tool_versions,
        "results": {
            s: {t: {**r.to_dict(), "speed_vs_trafilatura": _ratio(r, by_tool)} for t, r in by_tool.items()}
            for s, by_tool in results.items()
        },
        "peak_rss_mib": memory,
        "markdown": table,
    }
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
    print(f"JSON written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
