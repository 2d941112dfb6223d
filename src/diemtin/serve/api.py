"""The JSON API under /api/ (articles, stories, top stories, categories, outlets, search, health) and its
OpenAPI 3 document.

Lists are paginated with ``limit``/``offset`` and say their ``total`` (a search says whether its total is
exact: a broad query counts its matches only so far). Every answer carries an ETag and the
store's Last-Modified, and headers that keep a browser from taking it for a page; If-None-Match /
If-Modified-Since give 304. Wrong parameters give 400 with ``{"error": ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from diemtin import __version__
from diemtin.article import Article
from diemtin.group.taxonomy import CATEGORIES
from diemtin.serve.caching import ResponseCache, respond
from diemtin.serve.params import (
    SEARCH_ORDERS,
    BadParameter,
    category_key,
    moment,
    named,
    newest_first,
    whole_number,
)
from diemtin.serve.present import category_name
from diemtin.serve.sanitize import query_terms
from diemtin.store.base import SearchQuery, Store, StoredArticle
from diemtin.store.common import listed_outlet

JSON = "application/json"
API_CACHE = "public, max-age=30"
# JSON is data: never sniffed as a page, nothing loaded or framed if a browser opens it.
API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_STORY_OFFSET = 1_000  # stories are found by walking the latest articles, so their pages stop here
TOP_STORIES_WINDOW = timedelta(hours=48)  # top stories: those most outlets told in the last two days ...
MAX_TOP_STORIES_WINDOW = timedelta(days=8)  # ... or, where too few are found, in up to the last eight
MAX_TOP_STORIES = 20

Handler = Callable[[Request], Awaitable[Response]]


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_response(status: int, message: str) -> Response:
    """An API error: ``{"error": message}`` with its status."""
    return Response(_json({"error": message}), status_code=status, media_type=JSON, headers=API_HEADERS)


def summary(stored: StoredArticle) -> dict[str, Any]:
    """The fields a list shows for one article."""
    article = stored.article
    return {
        "id": article.id,
        "url": article.url,
        "outlet": article.outlet,
        "source": article.source,
        "section": article.section,
        "category": article.category,
        "title": article.title,
        "lead": article.lead,
        "authors": article.authors,
        "published": article.published.isoformat() if article.published else None,
        "story_id": stored.story_id,
        "html_url": "/tin/" + quote(article.id, safe=""),
    }


def detail(stored: StoredArticle) -> dict[str, Any]:
    """The whole article (DESIGN.md section 3 field names) with its story, revision and duplicate copies."""
    data = stored.article.to_dict()
    data["story_id"] = stored.story_id
    data["revision"] = stored.revision
    data["copies"] = [{"input": c.input, "url": c.url, "outlet": c.outlet} for c in stored.copies]
    data["html_url"] = "/tin/" + quote(stored.article.id, safe="")
    return data


def latest_stories(store: Store, category: str | None, count: int) -> list[StoredArticle]:
    """The newest article of each of the `count` most recently updated stories (in a category, if given)."""
    newest: dict[str, StoredArticle] = {}
    walked, size = 0, 2 * count
    while len(newest) < count:
        batch = store.latest(category=category, limit=size, offset=walked)
        for item in batch:
            newest.setdefault(item.story_id, item)
        walked += len(batch)
        if len(batch) < size:
            break
        size = min(2 * size, 1_000)
    return list(newest.values())[:count]


@dataclass(frozen=True, slots=True)
class TopStory:
    """A story many outlets told: its reports, oldest first, and the outlets they came from."""

    members: list[StoredArticle]
    outlets: list[str]

    @property
    def newest(self) -> StoredArticle:
        return self.members[-1]


def top_stories(store: Store, count: int) -> tuple[timedelta, list[TopStory]]:
    """The ``count`` stories the most outlets told within a window before the newest stored article, and
    that window: TOP_STORIES_WINDOW, doubled (up to MAX_TOP_STORIES_WINDOW) while fewer stories are found. The
    window ends at the newest article, not now, so that an archive has top stories too."""
    newest = store.latest(limit=1)
    end = (newest[0].article.published or newest[0].ingested_at) if newest else None
    window, found = TOP_STORIES_WINDOW, []
    while end is not None:
        found = store.top_stories(since=end - window, limit=count)
        if len(found) >= count or window >= MAX_TOP_STORIES_WINDOW:
            break
        window *= 2
    stories = []
    for story_id, _ in found:
        members = store.story(story_id)
        outlets = dict.fromkeys(listed_outlet(member.article) for member in members)
        stories.append(TopStory(members, [name for name in outlets if name]))
    return window, stories


def story_summary(members: list[StoredArticle], newest: StoredArticle) -> dict[str, Any]:
    """One story in a list: its id, newest article (in the asked category), number of reports, outlets."""
    outlets = dict.fromkeys(listed_outlet(m.article) for m in members)
    return {
        "id": newest.story_id,
        "articles": len(members),
        "outlets": [name for name in outlets if name],
        "latest": summary(newest),
        "html_url": "/su-kien/" + quote(newest.story_id, safe=""),
    }


def api_routes(store: Store, cache: ResponseCache) -> list[Route]:
    """The /api/ routes and /openapi.json, answering through ``cache`` (emptied when the store changes)."""

    def cached(build: Callable[[Request], Any]) -> Handler:
        async def endpoint(request: Request) -> Response:
            key = request.url.path + "?" + request.url.query
            entry = cache.get(key)
            if entry is None:
                try:
                    data = build(request)
                except BadParameter as error:
                    return error_response(400, str(error))
                except LookupError as error:
                    return error_response(404, str(error.args[0]) if error.args else "not found")
                entry = cache.render(key, _json(data), JSON)
            return respond(request, entry, API_CACHE, API_HEADERS)

        return endpoint

    def page_params(request: Request) -> tuple[int, int]:
        params = request.query_params
        limit = whole_number(params.get("limit"), "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
        offset = whole_number(params.get("offset"), "offset", default=0, low=0, high=10_000_000)
        return limit, offset

    def articles(request: Request) -> dict[str, Any]:
        limit, offset = page_params(request)
        category = category_key(request.query_params.get("category"))
        outlet = request.query_params.get("outlet") or None
        total = store.count(category=category, outlet=outlet)
        items = store.latest(category=category, outlet=outlet, limit=limit, offset=offset)
        return {"total": total, "limit": limit, "offset": offset, "items": [summary(s) for s in items]}

    def stories(request: Request) -> dict[str, Any]:
        limit, offset = page_params(request)
        if offset > MAX_STORY_OFFSET:
            raise BadParameter(
                f"offset: at most {MAX_STORY_OFFSET} for stories",
                f"Tham số offset tối đa là {MAX_STORY_OFFSET}.",
            )
        category = category_key(request.query_params.get("category"))
        newest = latest_stories(store, category, offset + limit + 1)
        page = newest[offset : offset + limit]
        return {
            "limit": limit,
            "offset": offset,
            "has_more": len(newest) > offset + limit,
            "items": [story_summary(store.story(item.story_id) or [item], item) for item in page],
        }

    def top(request: Request) -> dict[str, Any]:
        limit = whole_number(
            request.query_params.get("limit"), "limit", default=10, low=1, high=MAX_TOP_STORIES
        )
        window, stories = top_stories(store, limit)
        return {
            "hours": window.total_seconds() / 3600,
            "items": [story_summary(story.members, story.newest) for story in stories],
        }

    def article(request: Request) -> dict[str, Any]:
        stored = store.get(request.path_params["article_id"])
        if stored is None:
            raise LookupError("no article with this id")
        return detail(stored)

    def story(request: Request) -> dict[str, Any]:
        story_id = request.path_params["story_id"]
        items = store.story(story_id)
        if not items:
            raise LookupError("no story with this id")
        return {"id": story_id, "items": [summary(s) for s in items]}

    def categories(request: Request) -> dict[str, Any]:
        counts = dict(store.categories())
        return {
            "items": [
                {"key": key, "name": category_name(key), "count": counts.get(key, 0)} for key in CATEGORIES
            ]
        }

    def outlets(request: Request) -> dict[str, Any]:
        return {"items": [{"name": name, "count": count} for name, count in store.outlets()]}

    def search(request: Request) -> dict[str, Any]:
        limit, offset = page_params(request)
        params = request.query_params
        if params.get("q", "").strip() and not query_terms(params["q"]):  # only punctuation: nothing to find
            return {"total": 0, "total_exact": True, "limit": limit, "offset": offset, "items": []}
        query = SearchQuery(
            text=params.get("q", "").strip(),
            category=category_key(request.query_params.get("category")),
            outlet=params.get("outlet") or None,
            since=moment(*named(params, "since", "from")),
            until=moment(*named(params, "until", "to"), end_of_day=True),
            limit=limit,
            offset=offset,
            newest_first=newest_first(params.get("sort")),
        )
        result = store.search(query)
        return {
            "total": result.total,
            "total_exact": result.total_exact,
            "limit": limit,
            "offset": offset,
            "items": [summary(s) for s in result.hits],
        }

    def index(request: Request) -> dict[str, Any]:
        return api_index()

    async def health(request: Request) -> Response:
        """For a load balancer or an orchestrator: 200 while the database answers (asked on every call,
        never from the cache), else 503 (from the app's DatabaseLost handler)."""
        changed = store.last_modified()
        data = {"status": "ok", "last_modified": changed.isoformat() if changed else None}
        return Response(_json(data), media_type=JSON, headers={**API_HEADERS, "Cache-Control": "no-store"})

    return [
        Route("/api", cached(index)),
        Route("/api/", cached(index)),
        Route("/api/articles", cached(articles)),
        Route("/api/articles/{article_id:str}", cached(article)),
        Route("/api/stories", cached(stories)),
        Route("/api/top-stories", cached(top)),
        Route("/api/stories/{story_id:str}", cached(story)),
        Route("/api/categories", cached(categories)),
        Route("/api/outlets", cached(outlets)),
        Route("/api/search", cached(search)),
        Route("/api/health", health),
        Route("/openapi.json", cached(lambda request: openapi_document())),
    ]


# -- the OpenAPI 3 document --------------------------------------------------------------------------------

_NULLABLE_STRING = {"type": ["string", "null"]}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}

_SUMMARY = {
    "type": "object",
    "required": ["id", "title", "lead", "authors", "published", "story_id", "html_url"],
    "properties": {
        "id": {"type": "string"},
        "url": _NULLABLE_STRING,
        "outlet": _NULLABLE_STRING,
        "source": _NULLABLE_STRING,
        "section": _NULLABLE_STRING,
        "category": _NULLABLE_STRING,
        "title": {"type": "string"},
        "lead": {"type": "string"},
        "authors": _STRINGS,
        "published": _DATE_TIME,
        "story_id": {"type": "string"},
        "html_url": {"type": "string"},
    },
}

_ARTICLE = {
    "type": "object",
    "required": [*(f for f in Article.__dataclass_fields__), "story_id", "revision", "copies", "html_url"],
    "properties": {
        "id": {"type": "string"},
        "url": _NULLABLE_STRING,
        "site": _NULLABLE_STRING,
        "outlet": _NULLABLE_STRING,
        "section": _NULLABLE_STRING,
        "section_path": _STRINGS,
        "category": _NULLABLE_STRING,
        "title": {"type": "string"},
        "lead": {"type": "string"},
        "body": _STRINGS,
        "captions": _STRINGS,
        "authors": _STRINGS,
        "source": _NULLABLE_STRING,
        "published": _DATE_TIME,
        "modified": _DATE_TIME,
        "tags": _STRINGS,
        "images": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["url"],
                "properties": {"url": {"type": "string"}, "caption": _NULLABLE_STRING},
            },
        },
        "related": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["title", "kind"],
                "properties": {
                    "title": {"type": "string"},
                    "url": _NULLABLE_STRING,
                    "date": _NULLABLE_STRING,
                    "kind": {"type": "string"},
                },
            },
        },
        "provenance": {"type": "object"},
        "story_id": {"type": "string"},
        "revision": {"type": "integer"},
        "copies": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "input": _NULLABLE_STRING,
                    "url": _NULLABLE_STRING,
                    "outlet": _NULLABLE_STRING,
                },
            },
        },
        "html_url": {"type": "string"},
    },
}


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["total", "limit", "offset", "items"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "items": {"type": "array", "items": item},
        },
    }


def _search_results(item: dict[str, Any]) -> dict[str, Any]:
    """A list of matches: a broad search counts its matches only so far, and ``total_exact`` says so."""
    listed = _list_of(item)
    exact = {
        "type": "boolean",
        "description": "false when there are more matches than `total` (a broad search stops counting)",
    }
    return {
        **listed,
        "required": [*listed["required"], "total_exact"],
        "properties": {**listed["properties"], "total_exact": exact},
    }


def _counted_items(fields: dict[str, Any]) -> dict[str, Any]:
    """An object holding `items`: objects with the given string fields and an article count."""
    properties = {**fields, "count": {"type": "integer", "minimum": 0}}
    item = {"type": "object", "required": list(properties), "properties": properties}
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": item}},
    }


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _ok(description: str, schema: dict[str, Any], *, errors: tuple[int, ...] = (400,)) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": description,
            "headers": {
                "ETag": {"schema": {"type": "string"}},
                "Last-Modified": {"schema": {"type": "string"}},
            },
            "content": {JSON: {"schema": schema}},
        },
        "304": {"description": "Not modified (If-None-Match or If-Modified-Since matched)"},
    }
    texts = {
        400: "A parameter is wrong",
        404: "Not found",
        503: "The database does not answer: try again later",
    }
    for status in (*errors, 503):
        responses[str(status)] = {
            "description": texts[status],
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


_PAGING = [
    _query("limit", "Items per page", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20}),
    _query("offset", "Items to skip", {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0}),
]
_CATEGORY = _query("category", "Taxonomy key, e.g. the-gioi", {"type": "string", "enum": list(CATEGORIES)})
_OUTLET = _query("outlet", "Outlet display name, e.g. VietNamNet", {"type": "string"})
_DAY = {"type": "string", "format": "date"}


def api_index() -> dict[str, Any]:
    """What /api/ answers: the API's name and version, where its OpenAPI document is, and each endpoint with
    the summary the document gives it."""
    document = openapi_document()
    return {
        "name": document["info"]["title"],
        "version": document["info"]["version"],
        "openapi": "/openapi.json",
        "endpoints": [
            {"path": path, "summary": operation["get"]["summary"]}
            for path, operation in document["paths"].items()
        ],
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of /api/."""
    summary_ref = {"$ref": "#/components/schemas/ArticleSummary"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "diemtin API",
            "version": __version__,
            "description": "Vietnamese news articles, stories across outlets, categories and "
            "accent-insensitive search. Paginated with limit/offset; ETag and Last-Modified on every answer.",
        },
        "paths": {
            "/api/": {
                "get": {
                    "summary": "This index: the endpoints and where the OpenAPI document is",
                    "operationId": "apiIndex",
                    "responses": _ok(
                        "The endpoints",
                        {
                            "type": "object",
                            "required": ["name", "version", "openapi", "endpoints"],
                            "properties": {
                                "name": {"type": "string"},
                                "version": {"type": "string"},
                                "openapi": {"type": "string"},
                                "endpoints": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["path", "summary"],
                                        "properties": {
                                            "path": {"type": "string"},
                                            "summary": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                        errors=(),
                    ),
                }
            },
            "/api/articles": {
                "get": {
                    "summary": "Latest articles, newest first",
                    "operationId": "listArticles",
                    "parameters": [_CATEGORY, _OUTLET, *_PAGING],
                    "responses": _ok("A page of articles", _list_of(summary_ref)),
                }
            },
            "/api/articles/{article_id}": {
                "get": {
                    "summary": "One article, whole",
                    "operationId": "getArticle",
                    "parameters": [_path("article_id", "Article id")],
                    "responses": _ok("The article", {"$ref": "#/components/schemas/Article"}, errors=(404,)),
                }
            },
            "/api/stories": {
                "get": {
                    "summary": "Latest stories (one event, several outlets), most recently updated first",
                    "operationId": "listStories",
                    "parameters": [
                        _CATEGORY,
                        _query("limit", "Stories per page", _PAGING[0]["schema"]),
                        _query(
                            "offset",
                            "Stories to skip",
                            {"type": "integer", "minimum": 0, "maximum": MAX_STORY_OFFSET, "default": 0},
                        ),
                    ],
                    "responses": _ok(
                        "A page of stories",
                        {
                            "type": "object",
                            "required": ["limit", "offset", "has_more", "items"],
                            "properties": {
                                "limit": {"type": "integer"},
                                "offset": {"type": "integer"},
                                "has_more": {"type": "boolean"},
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/StorySummary"},
                                },
                            },
                        },
                    ),
                }
            },
            "/api/top-stories": {
                "get": {
                    "summary": "Top stories: told by the most outlets before the newest article",
                    "operationId": "listTopStories",
                    "parameters": [
                        _query(
                            "limit",
                            "Stories",
                            {"type": "integer", "minimum": 1, "maximum": MAX_TOP_STORIES, "default": 10},
                        ),
                    ],
                    "responses": _ok(
                        "Stories, most outlets first, then most recent; hours: the window they were"
                        " looked for in (48, doubled up to 192 while too few are found)",
                        {
                            "type": "object",
                            "required": ["hours", "items"],
                            "properties": {
                                "hours": {"type": "number"},
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/StorySummary"},
                                },
                            },
                        },
                    ),
                }
            },
            "/api/stories/{story_id}": {
                "get": {
                    "summary": "The articles of one story, across outlets",
                    "operationId": "getStory",
                    "parameters": [_path("story_id", "Story id")],
                    "responses": _ok(
                        "The story's articles",
                        {
                            "type": "object",
                            "required": ["id", "items"],
                            "properties": {
                                "id": {"type": "string"},
                                "items": {"type": "array", "items": summary_ref},
                            },
                        },
                        errors=(404,),
                    ),
                }
            },
            "/api/categories": {
                "get": {
                    "summary": "The taxonomy with article counts",
                    "operationId": "listCategories",
                    "responses": _ok(
                        "Categories",
                        _counted_items({"key": {"type": "string"}, "name": {"type": "string"}}),
                        errors=(),
                    ),
                }
            },
            "/api/outlets": {
                "get": {
                    "summary": "Outlets with article counts",
                    "operationId": "listOutlets",
                    "responses": _ok("Outlets", _counted_items({"name": {"type": "string"}}), errors=()),
                }
            },
            "/api/health": {
                "get": {
                    "summary": "Whether the service and its database answer (never cached)",
                    "operationId": "health",
                    "responses": {
                        "200": {
                            "description": "The database answers",
                            "content": {
                                JSON: {
                                    "schema": {
                                        "type": "object",
                                        "required": ["status", "last_modified"],
                                        "properties": {
                                            "status": {"const": "ok"},
                                            "last_modified": _DATE_TIME,
                                        },
                                    }
                                }
                            },
                        },
                        "503": {
                            "description": "The database does not answer; try later",
                            "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                }
            },
            "/api/search": {
                "get": {
                    "summary": "Accent-insensitive full-text search with filters",
                    "operationId": "search",
                    "parameters": [
                        _query(
                            "q",
                            'Words to find (accents and case do not matter), "a phrase", -word or -"a phrase"'
                            " to leave out, and OR (or |) between alternatives: giá vàng OR giá xăng",
                            {"type": "string"},
                        ),
                        _CATEGORY,
                        _OUTLET,
                        _query(
                            "since",
                            "Published on or after this day (Vietnam time); an ISO 8601 date-time works too",
                            _DAY,
                        ),
                        _query(
                            "until",
                            "Published on or before this day (Vietnam time); an ISO 8601 date-time works too",
                            _DAY,
                        ),
                        _query("from", "The same as since: the name the site's search form uses", _DAY),
                        _query("to", "The same as until: the name the site's search form uses", _DAY),
                        _query(
                            "sort",
                            "relevance: best first (text, words side by side, in the title, recency);"
                            " newest: newest first. Either way, matches holding the words typed with marks"
                            " as typed come first",
                            {"type": "string", "enum": list(SEARCH_ORDERS), "default": "relevance"},
                        ),
                        *_PAGING,
                    ],
                    "responses": _ok("Matching articles, best or newest first", _search_results(summary_ref)),
                }
            },
        },
        "components": {
            "schemas": {
                "ArticleSummary": _SUMMARY,
                "StorySummary": {
                    "type": "object",
                    "required": ["id", "articles", "outlets", "latest", "html_url"],
                    "properties": {
                        "id": {"type": "string"},
                        "articles": {"type": "integer", "minimum": 1},
                        "outlets": {"type": "array", "items": {"type": "string"}},
                        "latest": summary_ref,
                        "html_url": {"type": "string"},
                    },
                },
                "Article": _ARTICLE,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
            }
        },
    }
