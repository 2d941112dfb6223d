"""schemathesis against /openapi.json on a live uvicorn (127.0.0.1): generated requests (valid and invalid)
never get a 5xx, and every answer matches the documented status codes, content types and schemas.

Driven through schemathesis' Python API with Hypothesis (its pytest plugin does not run under pytest 9).
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies
from schemathesis.generation import GenerationMode

pytestmark = pytest.mark.shared
EXAMPLES = 40
# OpenAPI formats are annotations; tell the generator what a "date" looks like so valid cases are valid.
schemathesis.openapi.format("date", strategies.dates().map(date.isoformat))


@pytest.fixture(scope="module")
def api_schema(live_server: str) -> schemathesis.BaseSchema:
    loaded = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    loaded.config.update(base_url=live_server)
    return loaded


def test_openapi_document_lists_every_endpoint(api_schema: schemathesis.BaseSchema) -> None:
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == {
        "GET /api/",
        "GET /api/articles",
        "GET /api/articles/{article_id}",
        "GET /api/stories",
        "GET /api/stories/{story_id}",
        "GET /api/top-stories",
        "GET /api/categories",
        "GET /api/outlets",
        "GET /api/search",
        "GET /api/health",
    }


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(
    api_schema: schemathesis.BaseSchema, live_server: str, mode: GenerationMode
) -> None:
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if mode is GenerationMode.NEGATIVE and not list(operation.query):
            continue  # only query parameters can be made wrong (a path segment is any string)

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=live_server)
            assert response.status_code < 500, (case.path, case.query, response.status_code)
            if mode is GenerationMode.POSITIVE:
                case.validate_response(response)

        check()
