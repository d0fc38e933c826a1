"""Property-based fuzzing from the API's own OpenAPI schema (schemathesis): no input may cause a
5xx, and every answer must match the documented schema. Bounded: a dozen examples per operation."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 12


def test_no_server_errors_from_schema_driven_inputs(app, client):  # `client` has run the lifespan
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    calls: dict[str, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        fuzz()
    assert all(n >= 1 for n in calls.values()) and len(calls) == len(operations), calls
    print("\nschemathesis cases per operation:", calls)
