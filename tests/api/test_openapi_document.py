"""/openapi.json names what the server answers: the answers of the middlewares around
the routes (304, 413) and the codes the lists' filters take (api/documented.py).

Each test asks the running app and compares its answers with its document, so a
route, filter or middleware added later is covered without a list here.
"""

# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name
from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from tests.api.test_api import (  # noqa: F401  (fixtures)
    MAX_BODY,
    api_store,
    auth,
    reader,
    seeded_with_tokens,
    shared,
    tokens,
)

# An identifier for every path parameter the tests below fill in: the answer's status
# does not matter to them, only that the route is reached.
FILLER = "x"


@pytest.fixture
def document(reader: TestClient) -> dict[str, Any]:
    return reader.get("/openapi.json").json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_tagged_read_without_parameters_declares_its_304(
    reader: TestClient, document: dict[str, Any]
) -> None:
    """A client revalidating with If-None-Match got 304s the document never named."""
    revalidated = 0
    for method, path, operation in _operations(document):
        required = [p for p in operation.get("parameters", []) if p.get("required")]
        if method != "get" or required:
            continue
        first = reader.get(path)
        if first.status_code != 200:
            continue  # /sparql without a query
        etag = first.headers.get("etag")
        if etag is None:
            assert "304" not in operation["responses"], path
            continue
        again = reader.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert "304" in operation["responses"], path
        revalidated += 1
    assert revalidated >= 10


def test_every_operation_with_a_body_declares_the_413_it_gives(
    reader: TestClient, tokens: dict[str, str], document: dict[str, Any]
) -> None:
    """A body over `max_body_bytes` is 413 on every route (api/limits.py), whatever the
    route declared; most routes with a body did not name it."""
    too_big = b"x" * (MAX_BODY + 1)
    checked = 0
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        url = path.replace("{decision}", "accept")
        for name in [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]:
            url = url.replace(f"{{{name}}}", FILLER)
        answer = reader.request(
            method.upper(),
            url,
            content=too_big,
            headers={**auth(tokens["registrar"]), "Content-Type": "application/json"},
        )
        assert answer.status_code == 413, (method, path, answer.text[:200])
        assert answer.json()["error"]["code"] == "payload_too_large"
        assert "413" in operation["responses"], (method, path)
        checked += 1
    assert checked >= 10


def test_each_list_filter_documents_the_codes_it_accepts(
    reader: TestClient, document: dict[str, Any]
) -> None:
    """The filters' codes were in prose only: a generated client could not offer them.
    The document's `enum` is exactly what an unknown code's refusal lists as allowed."""
    checked = 0
    for method, path, operation in _operations(document):
        if method != "get":
            continue
        for parameter in operation.get("parameters", []):
            if "x-code-list" not in parameter["schema"]:
                continue
            branches = parameter["schema"]["anyOf"]
            enums = [b["enum"] for b in branches if "enum" in b]
            assert enums, (path, parameter["name"])
            refused = reader.get(path, params={parameter["name"]: "无此代码"})
            # An unknown category is 404 (`known`), as /api/v1/categories/{code} is.
            assert refused.status_code in (400, 404), (path, parameter["name"], refused.text)
            details = refused.json()["error"]["details"]
            allowed = details.get("allowed", details.get("known"))
            assert sorted(enums[0]) == sorted(allowed), (path, parameter["name"])
            for code in enums[0]:
                assert reader.get(path, params={parameter["name"]: code}).status_code == 200
            checked += 1
    # standards: category, status, level, register status; resources: four code lists
    # and register status; interfaces, departments: register status.
    assert checked >= 11


def _documented(document: dict[str, Any], operation: dict[str, Any]) -> Draft202012Validator | None:
    """A validator of the JSON 200 `operation` documents, when it names a schema."""
    answer = operation["responses"]["200"].get("content", {}).get("application/json", {})
    reference = answer.get("schema", {}).get("$ref")
    if reference is None:
        return None
    schema = {"$ref": reference, "components": document["components"]}
    return Draft202012Validator(schema)


def test_every_list_and_entry_answer_has_the_documented_shape(
    reader: TestClient, document: dict[str, Any]
) -> None:
    """Entries and list pages were documented as any object: a client generator made
    nothing of them. api/schemas.py documents them, and the read model builds them:
    every answer of the example registry must fit what the document says."""
    paths = document["paths"]
    entries = 0
    lists = [
        (path, operations["get"])
        for path, operations in paths.items()
        if "get" in operations
        and "{" not in path
        and "security" not in operations["get"]  # the tokens' list: tests/api/test_tokens_api.py
        and "items" in str(operations["get"])
    ]
    for path, operation in lists:
        validator = _documented(document, operation)
        if validator is None:
            continue
        page = reader.get(path, params={"limit": 500})
        assert page.status_code == 200, path
        errors = [e.message for e in validator.iter_errors(page.json())]
        assert not errors, (path, errors[:3])
        # The entry route under the list: /api/v1/resources/{code}.
        (template,) = [
            p for p in paths if p.startswith(f"{path}/{{") and p.endswith("}") and "get" in paths[p]
        ] or [None]
        if template is None or not all("href" in item for item in page.json()["items"]):
            continue  # the submissions' items name no answer of their own
        entry_validator = _documented(document, paths[template]["get"])
        assert entry_validator is not None, template
        for item in page.json()["items"]:
            answer = reader.get(item["href"])
            assert answer.status_code == 200, item["href"]
            errors = [e.message for e in entry_validator.iter_errors(answer.json())]
            assert not errors, (item["href"], errors[:3])
            entries += 1
    # The examples' standards, resources, interfaces, departments and assessments.
    assert len(lists) >= 6 and entries >= 80
