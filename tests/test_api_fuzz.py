"""Schemathesis against the API's own OpenAPI schema (issue 18): every operation of /api/v1 and
/open311/v2, with examples generated from the schema (a fixed seed, a bounded number each), on the
demo's concluded conference. Fails on any 5xx, and on any response whose status, content type or body
the schema does not describe. Valid-looking values the API refuses on purpose (a cursor it did not
give, a state word outside the list) are 400s the schema documents, not failures."""

import asyncio

import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dialogue.web.app import create_app
from tests.conftest import FakeClock, make_settings
from tests.test_accountability import concluded_record

EXAMPLES = 50  # per operation: about 25 operations, some 20 seconds


def fuzz(api: schemathesis.schemas.BaseSchema) -> list[str]:
    """Every operation, its examples drawn and checked; the failures, each with its reproduction."""
    failures = []
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @seed(20261128)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                           response_schema_conformance])

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    return failures


async def test_every_operation_answers_as_its_schema_says(demo_db):
    await concluded_record(demo_db)
    app = create_app(make_settings(demo_db.database_url, api_requests_per_minute=100_000), clock=FakeClock())
    api = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    assert len(list(api.get_all_operations())) >= 20
    # The ASGI calls run the app on schemathesis's own event loop, in a thread of their own.
    failures = await asyncio.to_thread(fuzz, api)
    assert not failures, "\n\n".join(failures)
