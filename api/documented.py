"""What /openapi.json says beyond each route's own declarations: the answers that come
from around the routes, and the values the lists' filters take.

A client generated from the document treats an answer it does not name as an error of
unknown shape, and a filter typed as any string invites guessing. Each addition
follows the code that decides it, so the document cannot drift from it:

- 304 on every GET the caching middleware tags (`api.caching.is_cached_path`), but
  those that need a token;
- 413 and 408 on every operation with a request body (`api.limits`: a body over
  `max_body_bytes`, or one that stops arriving);
- the codes each list filter accepts (`registry.read.filters`; the routes mark the
  parameters with `api.lists.CODE_LIST`), read from the running registry's code lists,
  as an `enum` on the parameter. An unknown code is still refused as before, naming
  the codes it may take (400 `invalid_input`; 404 for a category).

The document is built once per process, when it is first asked for after the start:
the code lists change only with the ontology, which a new release brings.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from api.caching import is_cached_path
from api.errors import error_responses
from api.lists import CODE_LIST
from registry.read.queries import Concept

NOT_MODIFIED = {
    "description": "Not Modified: the `ETag` named in `If-None-Match` still holds (no body). "
    "Every read answer carries a weak ETag that follows the register's writes."
}
#: The answers of the body limit, on every operation that takes a body.
BODY_ERRORS = (408, 413)


def install(app: FastAPI) -> None:
    """Make `app.openapi` add the answers and filter values above to the document of the
    routes (after api.errors.document_error_model, whose document it starts from)."""
    routes_document = app.openapi
    built: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if "document" in built:
            return built["document"]
        document = copy.deepcopy(routes_document())
        concepts = _concepts(app)
        add_middleware_answers(document)
        if concepts is not None:
            add_filter_values(document, concepts)
            built["document"] = document  # before the start: made again once it is up
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _concepts(app: FastAPI) -> dict[str, Concept] | None:
    registry = getattr(app.state, "registry", None)
    if registry is None:
        return None
    return registry.reader().concepts()


def add_middleware_answers(document: dict[str, Any]) -> None:
    """304 on the tagged reads, 408 and 413 on operations with a body, in place."""
    body_errors = error_responses(*BODY_ERRORS)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            # A request with credentials is never tagged: a route that needs a token has
            # no 304 to give.
            tagged = "security" not in operation and is_cached_path(_concrete(path))
            if method == "get" and tagged:
                responses.setdefault("304", NOT_MODIFIED)
            if "requestBody" in operation:
                for status, entry in body_errors.items():
                    responses.setdefault(str(status), _as_document(entry))


def add_filter_values(document: dict[str, Any], concepts: Mapping[str, Concept]) -> None:
    """An `enum` of its code list's codes on each list filter parameter (those the
    routes mark with `api.lists.CODE_LIST`), in place."""
    codes = _codes_by_scheme(concepts)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                scheme = parameter.get("schema", {}).get(CODE_LIST)
                if scheme in codes:
                    _string_schema(parameter["schema"])["enum"] = codes[scheme]


def _codes_by_scheme(concepts: Mapping[str, Concept]) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for concept in concepts.values():
        codes.setdefault(concept.scheme, []).append(concept.notation)
    return {scheme: sorted(notations, key=_code_order) for scheme, notations in codes.items()}


def _code_order(code: str) -> tuple[Any, ...]:
    # Category codes are dotted numbers: 2, 3, 3.1, 3.2, 3.10 rather than 3.10 before 3.2.
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in code.split("."))


def _string_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The string branch of an optional parameter's schema (`anyOf` string and null)."""
    for branch in schema.get("anyOf", ()):
        if branch.get("type") == "string":
            return branch
    return schema


def _concrete(template: str) -> str:
    """A path that the template names: what the caching middleware tests is a prefix."""
    return template.replace("{", "").replace("}", "")


def _as_document(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A route `responses=` entry ({model, description}) as the document writes it."""
    schema = {"$ref": f"#/components/schemas/{entry['model'].__name__}"}
    content = {"application/json": {"schema": schema}}
    return {"description": entry["description"], "content": content}
