"""Deeply nested uploads and parser errors (issue 17, point 9): a JSON-LD or OpenAPI
document nested a few thousand levels deep (a few KB of brackets) ran the readers out
of stack and answered 500; a parser error named the parser's exception class. Each is
now a 400 in the one error body, on validation and on submission, and the server
answers after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.register.tokens import create_token
from registry.store import open_store

OWNER = "11210100EXAMPLE01N"
JSONLD = {"Content-Type": "application/ld+json"}


@pytest.fixture
def client(seeded_dump: bytes, validator) -> Iterator[TestClient]:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = (
            "Bearer " + create_token(store, "registrar", None, "registrar")[1]
        )
        yield test_client


def nested_jsonld(depth: int) -> str:
    return (
        '{"@context": {"a": "http://example.org/a"}, "@id": "http://example.org/s", "a": '
        + '{"a": ' * depth
        + '"1"'
        + "}" * depth
        + "}"
    )


def too_deep(answer, file: str) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"] == {"file": file, "reason": "too_deep"}
    assert "嵌套层次过深" in error["message"]


def still_up(client: TestClient) -> None:
    assert client.get("/api/v1/standards/GB-T-21063.3-2007").status_code == 200


# 500: deep for rdflib's JSON-LD expansion, not for the JSON parser; 5,000: deep for
# the JSON parser itself.
@pytest.mark.parametrize("depth", [500, 5000])
def test_deeply_nested_jsonld_was_a_500(client: TestClient, depth: int) -> None:
    body = nested_jsonld(depth)
    too_deep(client.post("/api/v1/validate", content=body, headers=JSONLD), "upload.jsonld")
    too_deep(client.post("/api/v1/submissions", content=body, headers=JSONLD), "upload.jsonld")
    still_up(client)


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        ("application/json", '{"openapi": "3.0.0", "info": ' + '{"x": ' * 5000 + "1" + "}" * 5001),
        (
            "application/yaml",
            "openapi: 3.0.0\ninfo:\n  title: x\n  version: '1'\npaths: {}\nx-deep: "
            + "[" * 900
            + "]" * 900
            + "\n",
        ),
    ],
)
def test_deeply_nested_openapi_was_a_500(client: TestClient, media_type: str, body: str) -> None:
    answer = client.post(
        f"/api/v1/interfaces/openapi?department={OWNER}",
        content=body,
        headers={"Content-Type": media_type},
    )
    too_deep(answer, "openapi")
    still_up(client)


def test_a_parser_error_named_the_parsers_exception_class(client: TestClient) -> None:
    """`{"@context": 5}` makes rdflib raise a TypeError-like error of its own; the reason
    given was its class name."""
    answer = client.post("/api/v1/validate", content='{"@context": 5, "a": 1}', headers=JSONLD)
    assert answer.status_code == 400, answer.text
    details = answer.json()["error"]["details"]
    assert details == {"file": "upload.jsonld", "format": "jsonld", "reason": "not valid jsonld"}
