"""The website: an ASGI app (Starlette + Jinja2) over a Store — pages, search, feeds, the JSON API.

``create_app(store)`` builds it; ``diemtin serve`` runs it under uvicorn. Pages are rendered on the server
and need no JavaScript; every third-party string goes through Jinja autoescape (see ``sanitize``). Rendered
pages, feeds and API answers are cached in memory and validated by ETag (``caching``); article views are
counted server-side (``views``) for "Bài đọc nhiều".
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import uvicorn
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from diemtin.group.taxonomy import CATEGORIES
from diemtin.serve import feeds
from diemtin.serve.api import api_routes, error_response, latest_stories, top_stories
from diemtin.serve.caching import Memo, Rendered, ResponseCache, respond
from diemtin.serve.params import BadParameter, category_key, moment, newest_first, whole_number
from diemtin.serve.present import byline, category_name, date_time, day, iso, section_label
from diemtin.serve.sanitize import first_match, highlight, matched_terms, query_terms, safe_url, xml_text
from diemtin.serve.views import ViewCounter
from diemtin.store.base import DatabaseLost, SearchQuery, Store, StoredArticle
from diemtin.store.common import listed_outlet
from diemtin.textnorm import marked_query_words

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_PAGE = 500_000  # 10 million articles in: as far as the API's offset goes
HOME_PER_CATEGORY = 5
HOME_TOP_STORIES = 5  # "Tâm điểm": the stories most outlets told lately
SIDE_LIST = 10
FEED_SIZE = 50
PAGE_CACHE = "public, max-age=60"
SEARCH_CACHE = "public, max-age=30"
FEED_CACHE = "public, max-age=300"
STATIC_CACHE = "public, max-age=3600"
RETRY_AFTER_SECONDS = 10  # what a 503 asks clients to wait when the database does not answer
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' https: http: data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HTML = "text/html; charset=utf-8"


class StaticAssets(StaticFiles):
    """The site's own stylesheet and icon, kept an hour by browsers and never sniffed as another type."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = STATIC_CACHE
        return response


def article_path(article_id: str) -> str:
    return "/tin/" + quote(article_id, safe="")


def category_path(key: str) -> str:
    return "/chuyen-muc/" + quote(key, safe="")


def outlet_path(outlet: str) -> str:
    return "/nguon/" + quote(outlet, safe="")


def story_path(story_id: str) -> str:
    return "/su-kien/" + quote(story_id, safe="")


@dataclass(slots=True)
class Pager:
    page: int
    pages: int
    total: int
    previous: str | None
    next: str | None
    more: bool  # there are more pages than ``pages`` (a broad search counts its matches only so far)


def _pager(request: Request, page: int, total: int, *, more: bool = False) -> Pager:
    pages = max(1, math.ceil(total / PER_PAGE))

    def link(number: int) -> str:
        params = dict(request.query_params)
        params["trang"] = str(number)
        return "?" + urlencode(params)

    return Pager(
        page,
        pages,
        total,
        link(min(page - 1, pages)) if page > 1 else None,  # from past the end, back to the last page
        link(page + 1) if page < pages else None,
        more,
    )


class Site:
    """The pages: each handler reads through the store, renders a template and answers with validators."""

    def __init__(
        self, store: Store, *, most_read_window: timedelta, cache_ttl: float, most_read_ttl: float
    ) -> None:
        self.store = store
        self.cache = ResponseCache(store.last_modified, ttl=cache_ttl)
        self.views = ViewCounter(
            store, window=most_read_window, refresh_seconds=most_read_ttl, most_read_size=SIDE_LIST
        )
        self.navigation = Memo(self._navigation, self.cache, ttl=cache_ttl)
        self.outlets = Memo(self.store.outlets, self.cache, ttl=cache_ttl)
        self.top_stories = Memo(
            lambda: top_stories(self.store, HOME_TOP_STORIES)[1], self.cache, ttl=cache_ttl
        )
        self.templates = Environment(
            loader=PackageLoader("diemtin.serve", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(
            article_path=article_path,
            category_path=category_path,
            outlet_path=outlet_path,
            listed_outlet=listed_outlet,
            story_path=story_path,
            category_name=category_name,
            date_time=date_time,
            day=day,
            iso=iso,
            byline=byline,
            section_label=section_label,
            safe_url=safe_url,
        )

    # -- shared pieces ---------------------------------------------------------------------------------------

    def _navigation(self) -> list[tuple[str, str]]:
        """(key, name) of the categories holding articles, in taxonomy order."""
        present = {key for key, count in self.store.categories() if count}
        return [(key, name) for key, name in CATEGORIES.items() if key in present]

    def html(self, template: str, **context: Any) -> bytes:
        context.setdefault("feeds", [])
        context.setdefault("q", "")
        context.setdefault("nav", None)
        context.setdefault("current", None)  # the category this page is, marked in the navigation
        context.setdefault("filed_under", None)  # the category of the article shown, marked too
        nav = self.navigation.get() if context["nav"] is None else context["nav"]
        page = self.templates.get_template(template).render(**{**context, "nav": nav})
        return page.encode("utf-8")

    def cached(
        self,
        request: Request,
        render: Callable[[], tuple[bytes, str] | None],
        cache_control: str = PAGE_CACHE,
        *,
        missing: str = "Không có trang này.",
    ) -> Response:
        """Answer from the cache, or render, keep and answer; 404 (saying ``missing``) when ``render`` found
        nothing to show."""
        key = request.url.path + "?" + request.url.query
        entry: Rendered | None = self.cache.get(key)
        if entry is None:
            rendered = render()
            if rendered is None:
                return self.not_found(missing)
            entry = self.cache.render(key, *rendered)
        return respond(request, entry, cache_control, SECURITY_HEADERS)

    def not_found(self, message: str) -> Response:
        body = self.html("error.html", title="Không tìm thấy", message=message)
        return Response(body, status_code=404, media_type=HTML, headers=SECURITY_HEADERS)

    def bad_request(self, message: str) -> Response:
        body = self.html("error.html", title="Yêu cầu không hợp lệ", message=message)
        return Response(body, status_code=400, media_type=HTML, headers=SECURITY_HEADERS)

    async def database_lost(self, request: Request, error: Exception) -> Response:
        """The database stopped answering (a restarted or stopped server): 503, come back shortly. The next
        request connects again."""
        log.warning("database lost: %s", error)
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.url.path.startswith("/api/"):
            response = error_response(503, "the database does not answer; try again later")
            response.headers.update(retry)
            return response
        title = "Tạm thời không đọc được dữ liệu"
        message = "Cơ sở dữ liệu chưa trả lời. Xin thử lại sau ít phút."
        every_category = list(CATEGORIES.items())  # the navigation, without asking the database
        body = self.html("error.html", title=title, message=message, nav=every_category)
        return Response(body, status_code=503, media_type=HTML, headers={**SECURITY_HEADERS, **retry})

    async def no_route(self, request: Request, error: Exception) -> Response:
        """A path no route serves (404) or a method it does not take (405): the site's error page, or the
        API's JSON error under /api/."""
        status = error.status_code if isinstance(error, HTTPException) else 404
        if request.url.path.startswith("/api/"):
            return error_response(status, "not found" if status == 404 else "method not allowed")
        if status != 405:
            return self.not_found("Không có trang này.")
        title, message = "Phương thức không được hỗ trợ", "Trang này chỉ đọc được (GET)."
        body = self.html("error.html", title=title, message=message)
        allowed = error.headers if isinstance(error, HTTPException) and error.headers else {}
        return Response(body, status_code=405, media_type=HTML, headers={**SECURITY_HEADERS, **allowed})

    def feed_links(
        self, request: Request, base: str, title: str, params: list[tuple[str, str]] | None = None
    ) -> list[dict[str, str]]:
        """The RSS and Atom links of the list at ``base``: with this page's query (less its page number), or
        with ``params`` instead."""
        if params is None:
            params = [(key, value) for key, value in request.query_params.multi_items() if key != "trang"]
        query = "?" + urlencode(params) if params else ""  # the feed of the list, whatever page this is
        return [
            {"type": feeds.RSS_MEDIA_TYPE, "title": f"{title} (RSS)", "href": f"{base}/rss.xml{query}"},
            {"type": feeds.ATOM_MEDIA_TYPE, "title": f"{title} (Atom)", "href": f"{base}/atom.xml{query}"},
        ]

    # -- pages -----------------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        def render() -> tuple[bytes, str]:
            latest = latest_stories(self.store, None, PER_PAGE)
            sections = []
            for key, name in self.navigation.get():
                items = latest_stories(self.store, key, HOME_PER_CATEGORY)
                sections.append({"key": key, "name": name, "items": items})
            body = self.html(
                "home.html",
                top=self.top_stories.get(),
                latest=latest,
                sections=sections,
                outlets=self.outlets.get(),
                feeds=self.feed_links(request, "", "Điểm tin"),
            )
            return body, HTML

        return self.cached(request, render)

    async def category(self, request: Request) -> Response:
        key = request.path_params["key"]
        if key not in CATEGORIES:
            return self.not_found("Không có chuyên mục này.")
        try:
            page = whole_number(request.query_params.get("trang"), "trang", default=1, low=1, high=MAX_PAGE)
        except BadParameter as error:
            return self.bad_request(error.vietnamese)

        def render() -> tuple[bytes, str]:
            total = self.store.count(category=key)
            items = self.store.latest(category=key, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
            name = category_name(key)
            body = self.html(
                "listing.html",
                title=name,
                items=items,
                pager=_pager(request, page, total),
                feeds=self.feed_links(request, category_path(key), name),
                current=key,
            )
            return body, HTML

        return self.cached(request, render)

    async def outlet(self, request: Request) -> Response:
        name = request.path_params["outlet"]
        if not name.strip("/"):  # no outlet named: not a list of everything
            return self.not_found("Không có nguồn này.")
        if name.endswith("/"):  # as Starlette does for the other routes
            return RedirectResponse(outlet_path(name.strip("/")), status_code=307)
        try:
            page = whole_number(request.query_params.get("trang"), "trang", default=1, low=1, high=MAX_PAGE)
        except BadParameter as error:
            return self.bad_request(error.vietnamese)

        def render() -> tuple[bytes, str] | None:
            total = self.store.count(outlet=name)
            if not total:
                return None
            items = self.store.latest(outlet=name, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
            # an outlet's feed is the search feed narrowed to it
            links = self.feed_links(request, "/tim-kiem", f"Nguồn {name}", [("outlet", name)])
            body = self.html(
                "listing.html", title=name, items=items, pager=_pager(request, page, total), feeds=links
            )
            return body, HTML

        return self.cached(request, render, missing="Chưa có bài nào của nguồn này.")

    async def article(self, request: Request) -> Response:
        article_id = request.path_params["article_id"]

        def render() -> tuple[bytes, str] | None:
            stored = self.store.get(article_id)
            if stored is None:
                return None
            article = stored.article
            siblings = [s for s in self.store.story(stored.story_id) if s.article.id != article.id]
            same = []
            if article.category:  # the story's other reports are listed already
                shown = {article.id, *(s.article.id for s in siblings)}
                candidates = self.store.latest(category=article.category, limit=SIDE_LIST + len(shown))
                same = [s for s in candidates if s.article.id not in shown][:SIDE_LIST]
            captioned = {image.caption for image in article.images if image.caption}
            body = self.html(
                "article.html",
                stored=stored,
                a=article,
                original=safe_url(article.url),
                siblings=siblings,
                copies=[c for c in stored.copies if safe_url(c.url)],
                loose_captions=[c for c in article.captions if c not in captioned],
                same_category=same,
                most_read=[s for s in self.views.most_read() if s.article.id != article.id],
                filed_under=article.category,
                feeds=self.feed_links(
                    request, category_path(article.category), category_name(article.category)
                )
                if article.category
                else [],
            )
            return body, HTML

        response = self.cached(request, render, missing="Bài viết này không có hoặc đã bị gỡ.")
        if response.status_code == 404 or request.method != "GET":  # a HEAD is no reading
            return response
        self.views.record(article_id, request.headers.get("user-agent"))
        self.views.flush_when_due()
        return response

    async def story(self, request: Request) -> Response:
        story_id = request.path_params["story_id"]

        def render() -> tuple[bytes, str] | None:
            items = self.store.story(story_id)
            if not items:
                return None
            title = items[-1].article.title  # the newest report's, as the home page shows the story
            links = self.feed_links(request, story_path(story_id), f"Sự kiện: {title}")
            return self.html("story.html", title=title, items=items, feeds=links), HTML

        return self.cached(request, render, missing="Không có sự kiện này.")

    def _search_query(
        self, request: Request, *, limit: int, newest: bool | None = None
    ) -> tuple[SearchQuery, int]:
        """The search the page's parameters ask for (``newest`` overrides their sort order)."""
        params = request.query_params
        page = whole_number(params.get("trang"), "trang", default=1, low=1, high=1000)
        outlet = params.get("outlet") or None
        query = SearchQuery(
            text=params.get("q", "").strip(),
            category=category_key(params.get("category")),
            outlet=outlet,
            since=moment(params.get("from"), "from"),
            until=moment(params.get("to"), "to", end_of_day=True),
            limit=limit,
            offset=(page - 1) * limit,
            newest_first=newest_first(params.get("sort")) if newest is None else newest,
        )
        return query, page

    async def search(self, request: Request) -> Response:
        try:
            query, page = self._search_query(request, limit=PER_PAGE)
        except BadParameter as error:
            return self.bad_request(error.vietnamese)

        def render() -> tuple[bytes, str]:
            params = request.query_params
            words, marked = query_terms(query.text), marked_query_words(query.text)
            searched = bool(words or query.category or query.outlet or query.since or query.until)
            result = self.store.search(query) if searched else None
            body = self.html(
                "search.html",
                title="Tìm kiếm",
                q=xml_text(params.get("q", "")),  # as typed, less the control characters HTML cannot hold
                form=params,
                categories=list(CATEGORIES.items()),
                outlets=[name for name, _ in self.outlets.get()],
                result=result,
                hits=[
                    {
                        "stored": hit,
                        "title": highlight(hit.article.title, words, marked),
                        "snippet": highlight(_snippet(hit, words, marked), words, marked),
                    }
                    for hit in (result.hits if result else [])
                ],
                pager=_pager(request, page, result.total, more=not result.total_exact) if result else None,
                feeds=self.feed_links(request, "/tim-kiem", "Tìm kiếm") if searched else [],
            )
            return body, HTML

        return self.cached(request, render, SEARCH_CACHE)

    # -- feeds -----------------------------------------------------------------------------------------------

    def _feed(
        self, request: Request, build: Callable[[], feeds.Feed | None], missing: str = "Không có trang này."
    ) -> Response:
        """The feed as RSS 2.0 at .../rss.xml, as Atom at .../atom.xml (404 with ``missing`` when ``build``
        finds nothing to follow)."""

        def render() -> tuple[bytes, str] | None:
            feed = build()
            if feed is None:
                return None
            if request.url.path.endswith("/rss.xml"):
                return feeds.rss(feed), feeds.RSS_MEDIA_TYPE + "; charset=utf-8"
            return feeds.atom(feed), feeds.ATOM_MEDIA_TYPE + "; charset=utf-8"

        return self.cached(request, render, FEED_CACHE, missing=missing)

    def _feed_of(
        self, request: Request, title: str, page: str, description: str, items: list[StoredArticle]
    ) -> feeds.Feed:
        """The feed of the list shown at ``page`` (a path, and query, on this site), at the request's URL."""
        base = str(request.base_url).rstrip("/")
        entries = [feeds.FeedEntry(item.article, base + article_path(item.article.id)) for item in items]
        return feeds.Feed(
            title, base + page, str(request.url), description, self.cache.last_modified(), entries
        )

    async def front_feed(self, request: Request) -> Response:
        def build() -> feeds.Feed:
            items = self.store.latest(limit=FEED_SIZE)
            return self._feed_of(request, "Điểm tin", "/", "Tin mới nhất từ các báo Việt Nam", items)

        return self._feed(request, build)

    async def category_feed(self, request: Request) -> Response:
        key = request.path_params["key"]
        if key not in CATEGORIES:
            return self.not_found("Không có chuyên mục này.")

        def build() -> feeds.Feed:
            items = self.store.latest(category=key, limit=FEED_SIZE)
            name = category_name(key)
            return self._feed_of(
                request, f"{name} · Điểm tin", category_path(key), f"Tin mới nhất chuyên mục {name}", items
            )

        return self._feed(request, build)

    async def story_feed(self, request: Request) -> Response:
        """A story's reports, newest first: to follow a developing story."""
        story_id = request.path_params["story_id"]

        def build() -> feeds.Feed | None:
            items = self.store.story(story_id)
            if not items:
                return None
            title = items[-1].article.title
            newest_first = items[::-1][:FEED_SIZE]
            return self._feed_of(
                request,
                f"{title} · Điểm tin",
                story_path(story_id),
                f"Các bài về sự kiện «{title}»",
                newest_first,
            )

        return self._feed(request, build, missing="Không có sự kiện này.")

    async def search_feed(self, request: Request) -> Response:
        try:
            query, _ = self._search_query(request, limit=FEED_SIZE, newest=True)  # a feed: new matches
        except BadParameter as error:
            return self.bad_request(error.vietnamese)
        q = request.query_params.get("q", "")

        def build() -> feeds.Feed:
            if q:
                title, description = f"Tìm kiếm: {q} · Điểm tin", f"Kết quả tìm kiếm cho «{q}»"
            elif query.outlet:  # an outlet page's feed
                title, description = f"{query.outlet} · Điểm tin", f"Tin mới nhất của {query.outlet}"
            else:
                title, description = "Tìm kiếm · Điểm tin", "Kết quả tìm kiếm"
            page = "/tim-kiem?" + request.url.query
            return self._feed_of(request, title, page, description, self.store.search(query).hits)

        return self._feed(request, build)


def _snippet(stored: StoredArticle, words: list[str], marked: frozenset[str], size: int = 280) -> str:
    """The lead, or else the first paragraph holding more of the searched words (as typed, for the words
    typed with marks); a long paragraph other than the lead is cut to ``size`` characters from a little
    before its first searched word."""
    article = stored.article
    paragraphs = [text for text in [article.lead, *article.body] if text]
    if not paragraphs:
        return ""
    best, found = paragraphs[0], len(matched_terms(paragraphs[0], words, marked))
    for text in paragraphs[1:]:
        if found == len(set(words)):
            break
        count = len(matched_terms(text, words, marked))
        if count > found:
            best, found = text, count
    start = 0
    if best is not paragraphs[0] and len(best) > size:
        first = first_match(best, words, marked) or 0
        start = best.rfind(" ", 0, max(0, first - size // 4)) + 1
    text = best[start:]
    cut = text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + "…"
    return ("…" if start else "") + cut


def create_app(
    store: Store,
    *,
    most_read_window: timedelta = timedelta(days=7),
    cache_ttl: float = 60.0,
    most_read_ttl: float = 30.0,
) -> Starlette:
    """The whole site over ``store``: pages, search, feeds, JSON API (/api/...) and /openapi.json.

    Rendered answers live ``cache_ttl`` seconds at most; the "Bài đọc nhiều" box is recomputed every
    ``most_read_ttl`` seconds from the views of the last ``most_read_window``."""
    site = Site(store, most_read_window=most_read_window, cache_ttl=cache_ttl, most_read_ttl=most_read_ttl)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        site.views.close()

    routes = [
        Route("/", site.home),
        Route("/rss.xml", site.front_feed),
        Route("/atom.xml", site.front_feed),
        Route("/chuyen-muc/{key:str}", site.category),
        Route("/chuyen-muc/{key:str}/rss.xml", site.category_feed),
        Route("/chuyen-muc/{key:str}/atom.xml", site.category_feed),
        Route("/tin/{article_id:str}", site.article),
        Route("/su-kien/{story_id:str}", site.story),
        Route("/su-kien/{story_id:str}/rss.xml", site.story_feed),
        Route("/su-kien/{story_id:str}/atom.xml", site.story_feed),
        Route("/nguon/{outlet:path}", site.outlet),
        Route("/tim-kiem", site.search),
        Route("/tim-kiem/rss.xml", site.search_feed),
        Route("/tim-kiem/atom.xml", site.search_feed),
        *api_routes(store, site.cache),
        Mount("/static", StaticAssets(packages=[("diemtin.serve", "static")]), name="static"),
    ]
    handlers = {404: site.no_route, 405: site.no_route, DatabaseLost: site.database_lost}
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    app.state.site = site
    return app


def run(store: Store, *, host: str = "127.0.0.1", port: int = 8000, access_log: bool = False) -> None:
    """Serve the site over the store under uvicorn (one worker, uvloop + httptools when installed); the store
    is closed when the server stops."""
    try:
        uvicorn.run(
            create_app(store),
            host=host,
            port=port,
            access_log=access_log,
            server_header=False,
            log_level="info",
        )
    finally:
        store.close()
