"""The one error contract: every failure answers `{"error": {"code", "message", "details"}}`.

Domain errors (registry.errors.RegistryError) carry their status and code;
FastAPI's own failures (404 no route, 405, 422 request validation) and
unexpected exceptions are mapped here too, so a client parses one shape
whatever went wrong. A 5xx never carries the exception's text: that would
leak paths, queries and library internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.i18n import asked_language
from registry.bilingual import in_language
from registry.errors import BusyError, RateLimitedError, RegistryError, UnauthorizedError
from registry.store.errors import StoreUnavailableError

log = logging.getLogger("screg.api")

# Codes for failures that FastAPI/Starlette raise themselves.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_format",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}
HTTP_MESSAGES = {
    404: "no such resource (资源不存在)",
    405: "method not allowed (不允许的请求方法)",
}
WWW_AUTHENTICATE = 'Bearer realm="screg"'


class NotAcceptableError(RegistryError):
    """No representation the client accepts (content negotiation)."""

    status = 406
    code = "not_acceptable"


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str = Field(description="What went wrong, for a person (zh and/or en).")
    details: Any = Field(None, description="Structured details: a validation report, fields.")


class ErrorBody(BaseModel):
    """The body of every failure."""

    error: ErrorDetail


_DESCRIPTIONS = {
    400: "Bad input (unreadable RDF, unknown filter value, refused construct)",
    401: "No token, or an unknown, expired or revoked one",
    403: "The token's role or department does not allow this",
    404: "Nothing is registered under this name",
    405: "Method not allowed",
    406: "No representation the Accept header allows",
    409: "Conflict with the register state (a transition not allowed, ambiguous name)",
    413: "Request body larger than the configured limit",
    415: "Unsupported upload format (Content-Type or ?format=)",
    422: "The request is malformed, or the submission does not conform (details: the report)",
    429: "Too many failed token checks, or validations, from this client address: wait "
    "`Retry-After` seconds",
    500: "Unexpected server error (no internals are disclosed)",
    503: "The store is busy or unavailable, or the job queue is full (wait `Retry-After`)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error model for `statuses`."""
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS[s]} for s in statuses}


def error_body(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(status, code, message, details), status, headers=headers)


def error_answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error for this request: an HTML page in the visitor's language when a person's
    browser asked for a page (api.pages.browse decides), else the one JSON body."""
    from api.pages.render import error_page  # imported late: pages import this module

    page = error_page(request, status, code, message, details, headers)
    if page is not None:
        return page
    # A client that names a language gets the message in it; one that names none gets
    # both, as the registry writes them.
    lang = asked_language(request)
    if lang is not None:
        message = in_language(message, lang)
    return error_response(status, code, message, details, headers)


async def _registry_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RegistryError)
    return registry_error_answer(request, exc)


def registry_error_answer(request: Request, exc: RegistryError) -> Response:
    """The answer to a domain error: the exception handler's, also for a middleware
    that meets one before the app runs (api/caching.py)."""
    headers: dict[str, str] | None = None
    if isinstance(exc, UnauthorizedError):
        headers = {"WWW-Authenticate": WWW_AUTHENTICATE}
    elif isinstance(exc, RateLimitedError | BusyError | StoreUnavailableError):
        # A store that cannot be reached is a wait too: the next request reconnects.
        headers = {"Retry-After": str(exc.retry_after)}
    if exc.status >= 500 and not isinstance(exc, BusyError):
        # Store failures: the message may name paths or endpoints; keep it in the log.
        log.error("%s %s failed: %s (%s)", request.method, request.url.path, exc.code, exc.message)
        message = {
            503: "the registry is busy or unavailable; try again (服务暂不可用)",
        }.get(exc.status, "internal error (服务器内部错误)")
        return error_answer(request, exc.status, exc.code, message, None, headers)
    return error_answer(request, exc.status, exc.code, exc.message, exc.details, headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, "error" if status >= 500 else "bad_request")
    message = HTTP_MESSAGES.get(status) or str(exc.detail)
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    return error_answer(request, status, code, message, None, headers or None)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # The offending input is left out: it may be large, binary, or a secret.
    details = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    return error_answer(
        request, 422, "invalid_request", "the request is malformed (请求格式错误)", details
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("%s %s failed", request.method, request.url.path)
    return error_answer(request, 500, "internal_error", "internal error (服务器内部错误)")


def _point_validation_errors_at_error_body(node: Any) -> None:
    """Replace FastAPI's default 422 schema (which we never send) by ErrorBody, in place."""
    if isinstance(node, dict):
        if node.get("$ref") == "#/components/schemas/HTTPValidationError":
            node["$ref"] = "#/components/schemas/ErrorBody"
        for value in node.values():
            _point_validation_errors_at_error_body(value)
    elif isinstance(node, list):
        for value in node:
            _point_validation_errors_at_error_body(value)


def document_error_model(app: FastAPI) -> None:
    """Make /openapi.json tell the truth about 422s on every route, those of routers
    that did not list them included: they answer the one error shape."""
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = default_openapi()
            _point_validation_errors_at_error_body(schema.get("paths", {}))
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                components.pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RegistryError, _registry_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
