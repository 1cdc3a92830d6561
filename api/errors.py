"""The one error contract: every failure answers
`{"error": {"code", "message", "messages", "details"}}`.

`message` is in the client's language (Accept-Language naming zh or en; Chinese when it
names neither, as the registry's users are the city's bureaus), `messages` holds both,
`code` is what a program should look at (docs/api.md, "Errors").

Domain errors (registry.errors.RegistryError) carry their status and code;
FastAPI's own failures (404 no route, 405, 422 request validation) and
unexpected exceptions are mapped here too, so a client parses one shape
whatever went wrong. A 5xx never carries the exception's text: that would
leak paths, queries and library internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, params
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.i18n import asked_language
from registry.bilingual import Text
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
    404: Text(zh="资源不存在", en="no such resource"),
    405: Text(zh="不允许的请求方法", en="method not allowed"),
}
# What a failure FastAPI/Starlette raise with a text of their own says in Chinese.
_HTTP_MESSAGES_ZH = {
    400: "请求有误",
    401: "需要认证",
    403: "禁止访问",
    406: "无可接受的表示格式",
    408: "请求超时",
    409: "与现有状态冲突",
    413: "请求内容过大",
    415: "不支持的格式",
    422: "请求格式错误",
    429: "请求过于频繁",
}
DEFAULT_ERROR_LANG = "zh"
_UNAVAILABLE = Text(
    zh="服务暂不可用，请稍后再试", en="the registry is busy or unavailable; try again"
)
_INTERNAL = Text(zh="服务器内部错误", en="internal error")
WWW_AUTHENTICATE = 'Bearer realm="screg"'


class NotAcceptableError(RegistryError):
    """No representation the client accepts (content negotiation)."""

    status = 406
    code = "not_acceptable"


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str = Field(
        description="What went wrong, for a person, in the language Accept-Language asks "
        "for (zh or en; zh when it names neither)."
    )
    messages: dict[str, str] = Field(
        description='The same message in both languages: `{"zh": ..., "en": ...}`.'
    )
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
    408: "The request body stopped arriving (`body_timeout_seconds`)",
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


def error_body(code: str, message: Text, lang: str, details: Any = None) -> dict[str, Any]:
    """The one error body, its `message` in `lang`."""
    return {
        "error": {
            "code": code,
            "message": message.in_language(lang),
            "messages": message.as_dict(),
            "details": jsonable_encoder(details),
        }
    }


def error_answer(
    request: Request,
    status: int,
    code: str,
    message: Text,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error for this request: an HTML page in the visitor's language when a person's
    browser asked for a page (api.pages.browse decides), else the one JSON body."""
    from api.pages.render import error_page  # imported late: pages import this module

    # The answer is a page or JSON by Accept, in the language Accept-Language asks: a
    # shared cache must not give one client's error to another (a probe saw none).
    headers = {"Vary": "Accept, Accept-Language", **(headers or {})}
    page = error_page(request, status, code, message, details, headers)
    if page is not None:
        return page
    lang = asked_language(request) or DEFAULT_ERROR_LANG
    return JSONResponse(error_body(code, message, lang, details), status, headers=headers)


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
    if exc.status >= 500 and not isinstance(exc, BusyError) and not exc.public_message:
        # Store failures: the message may name paths or endpoints; keep it in the log.
        log.error("%s %s failed: %s (%s)", request.method, request.url.path, exc.code, exc.message)
        message = _UNAVAILABLE if exc.status == 503 else _INTERNAL
        return error_answer(request, exc.status, exc.code, message, None, headers)
    return error_answer(request, exc.status, exc.code, exc.message, exc.details, headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (RFC 9110 15.5.6): Starlette's
    405 names the first matching route's only, so `/sparql`, served by a GET route and
    a POST route, answered a PUT with `Allow: GET`. Each method is tried against the
    routes as a request of it would be."""
    routes = request.app.router.routes
    allowed = {
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    }
    if "GET" in allowed:
        allowed.add("HEAD")  # answered as the GET without its body (api/head.py)
    return [method for method in _METHODS if method in allowed]


def http_message(status: int, detail: Any) -> Text:
    """The message of a failure FastAPI or Starlette raised: ours when we raised it with
    a Text, else our words for the status; its own (English) text is the English half."""
    if isinstance(detail, Text):
        return detail
    if status in HTTP_MESSAGES:
        return HTTP_MESSAGES[status]
    zh = _HTTP_MESSAGES_ZH.get(status, "服务器内部错误" if status >= 500 else "请求失败")
    return Text(zh=zh, en=str(detail) or zh)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, "error" if status >= 500 else "bad_request")
    message = http_message(status, exc.detail)
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    if status == 405:
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return error_answer(request, status, code, message, None, headers or None)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if _json_route(request) and media and media != "application/json":
        # A form or text body to a route that reads JSON: it read as no body at all,
        # and was a 422 "Input should be a valid dictionary".
        return error_answer(
            request,
            415,
            "unsupported_format",
            Text(
                zh=f"请求体须为 JSON（Content-Type: application/json），而不是 {media}",
                en=f"the body must be JSON (Content-Type: application/json), not {media}",
            ),
            {"content_type": media, "accepted": ["application/json"]},
        )
    # The offending input is left out: it may be large, binary, or a secret.
    details = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    return error_answer(
        request,
        422,
        "invalid_request",
        Text(zh="请求格式错误", en="the request is malformed"),
        details,
    )


def _json_route(request: Request) -> bool:
    """Whether the request's route reads a JSON body (a model, not form fields)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    body = getattr(dependant, "body_params", None) or []
    return bool(body) and not any(isinstance(f.field_info, params.Form) for f in body)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("%s %s failed", request.method, request.url.path)
    return error_answer(request, 500, "internal_error", _INTERNAL)


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
