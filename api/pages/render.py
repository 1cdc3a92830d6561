"""What every web page shares: templates, rendering in the visitor's language, the
CSRF cookie, error pages, safe redirects, and the language switch.

Server-rendered Jinja2, no JavaScript needed. Every page comes in the visitor's
language (api.i18n: a cookie, Chinese by default) and links every entry by its IRI:
the entry pages themselves are served at /id/... (api.routers.entities hands HTML
requests to api.pages.entries).
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.i18n import LANG_COOKIE, LANG_COOKIE_MAX_AGE, LANGS, Translator, lang_of
from registry.bilingual import Text
from registry.errors import InputError, NotFoundError

router = APIRouter(include_in_schema=False)

API_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = API_DIR / "templates"
STATIC_DIR = API_DIR / "static"

CSRF_COOKIE = "screg_csrf"
CSRF_FIELD = "csrf_token"
STATUSES = ("current", "forthcoming", "superseded", "abolished")
KINDS = ("standard", "resource", "interface", "assessment")
# Paths that are always pages, and those that never are (machine clients there get
# the one JSON error shape, whatever their Accept header says).
PAGE_PREFIXES = ("/category/", "/search", "/graph", "/impact", "/validate", "/register", "/lang/")
MACHINE_PREFIXES = ("/api/", "/sparql", "/catalog", "/docs", "/openapi", "/redoc", "/static/")


@functools.cache
def environment(time_zone: str = "UTC") -> Environment:
    """The template environment whose `localtime` filter shows times in `time_zone`,
    built on first use (nothing is built at import). One per zone: macros imported
    without context see the filter, but not the page's variables."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["urlquote"] = lambda value: quote(str(value), safe="")
    env.filters["localtime"] = functools.partial(local_time, zone=time_zone)
    return env


def local_time(value: object, zone: str) -> str:
    """An ISO 8601 time as people read it in `zone`, the zone shown:
    `2026-12-06T01:48:05+00:00` in Asia/Shanghai is `2026-12-06 09:48:05 (UTC+08:00)`.

    A time without an offset is UTC (the registry writes UTC). Anything that is not a
    time of day (a date, a text) is shown as it is; nothing is ''."""
    text = "" if value is None else str(value).strip()
    if "T" not in text and " " not in text:
        return text  # a date alone has no time to move to another zone
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")  # +0800
    return f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"


def local_href(iri: str | None, base: str) -> str | None:
    """Where a person reads about `iri`: its page under /id/ when we minted it (whatever
    host this server runs on), the IRI itself when it is on the web, else nothing."""
    if not iri:
        return None
    if iri.startswith(base):
        return "/id/" + iri[len(base) :]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def csrf_value(request: Request) -> tuple[str, bool]:
    """The visitor's CSRF secret and whether it is new (to be set as a cookie)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", current):
        return current, False
    return secrets.token_urlsafe(32), True


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """Double-submit check: the form's hidden field equals the HttpOnly, SameSite=Strict
    cookie. Another site can neither read the cookie nor make the browser send it."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie and submitted) and hmac.compare_digest(cookie, submitted or "")


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page in the visitor's language, with the CSRF cookie set on first visit."""
    lang = lang_of(request)
    settings = request.app.state.settings
    # Messages come from the registry in both languages: the page shows its own.
    context = {
        key: value.in_language(lang) if isinstance(value, Text) else value
        for key, value in (context or {}).items()
    }
    base = settings.base_iri
    token, new = csrf_value(request)
    text = (
        environment(settings.time_zone)
        .get_template(template)
        .render(
            t=Translator(lang),
            lang=lang,
            path=request.url.path,
            here=_here(request),
            csrf_field=CSRF_FIELD,
            csrf_token=token,
            href=functools.partial(local_href, base=base),
            **(context or {}),
        )
    )
    response = HTMLResponse(text, status, headers=headers)
    if new:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


# SQLite's OFFSET is a 64-bit integer: past this bound an offset is refused, not
# overflowed; any offset below it and past the end is an empty page.
MAX_OFFSET = 1_000_000_000


def offset_of(request: Request, param: str = "offset") -> int:
    """The offset a page's pager asked for in the query parameter `param` (0 when
    absent); InputError (400) for one that is not a whole number from 0 to MAX_OFFSET.
    For pages whose offset is not a route parameter (FastAPI would answer 422): a
    second pager on an entry's page, the tokens page that shows the refusal itself."""
    given = request.query_params.get(param, "0").strip()
    if not given.isdigit() or int(given) > MAX_OFFSET:
        raise InputError(
            Text(
                zh=f"{param} 须为 0 到 {MAX_OFFSET} 的整数",
                en=f"{param} must be a whole number from 0 to {MAX_OFFSET}",
            ),
            {param: given},
        )
    return int(given)


def page_links(
    request: Request, offset: int, shown: int, total: int, size: int, param: str = "offset"
) -> dict[str, Any]:
    """The range shown and the URLs of the previous and next pages of `size` entries (None
    at either end), every other query parameter (filters, text, kind) kept. Past the end,
    "previous" leads back to the last page. `param` names the offset's query parameter
    (a second list on one page has its own, `assessments_offset`)."""

    def at(where: int) -> str:
        return str(request.url.include_query_params(**{param: where}))

    end = offset + shown
    last_start = (total - 1) // size * size if total else 0
    return {
        "first": offset + 1 if shown else 0,
        "last": end,
        "total": total,
        "previous": at(max(0, min(offset - size, last_start))) if offset > 0 else None,
        "next": at(end) if end < total else None,
    }


# -- error pages ------------------------------------------------------------------------


def wants_page(request: Request) -> bool:
    """Does this request come from a person's browser page rather than a program?"""
    path = request.url.path
    if path.startswith(MACHINE_PREFIXES):
        return False
    if path == "/" or path.startswith(PAGE_PREFIXES):
        return True
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request,
    status: int,
    code: str,
    message: Text,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response | None:
    """The error as an HTML page in the visitor's language, or None when the request is
    not for a page (api.errors then answers the JSON error body)."""
    if not wants_page(request):
        return None
    headers = {k: v for k, v in (headers or {}).items() if k.lower() != "www-authenticate"}
    return render(
        request,
        "error.html",
        {"status": status, "code": code, "message": message, **_shown_details(details)},
        status=status,
        headers=headers or None,
    )


def _shown_details(details: Any) -> dict[str, Any]:
    """What an error page shows of the error's details: its values that are text,
    numbers or lists of them (the allowed codes of a filter: ui.md promises a 400 page
    "naming what is allowed", and the page dropped them), and the parameters a
    malformed request got wrong (`offset`, `depth`), without the request validator's
    English explanation."""
    if isinstance(details, dict):
        shown = {}
        for key, value in details.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                shown[key] = value
            elif (
                isinstance(value, list)
                and value
                and all(isinstance(v, str | int | float) for v in value)
            ):
                shown[key] = "、".join(str(v) for v in value[:60])
        return {"details": shown}
    if isinstance(details, list):
        fields = [
            str(d["location"][-1])
            for d in details
            if isinstance(d, dict) and d.get("location") and d["location"][0] != "body"
        ]
        return {"fields": list(dict.fromkeys(fields))}
    return {}


# -- language ----------------------------------------------------------------------------


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything else (another site, a scheme) goes home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/lang/{code}")
def switch_language(code: str, next: Annotated[str | None, Query(max_length=2000)] = None):
    """Remember the visitor's language in a cookie and go back to the page."""
    if code not in LANGS:
        raise NotFoundError(
            Text(zh=f"没有语言 {code!r}", en=f"no language {code!r}"), {"available": list(LANGS)}
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, code, max_age=LANG_COOKIE_MAX_AGE, httponly=True, samesite="lax", path="/"
    )
    return response
