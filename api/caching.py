"""HTTP caching: an ETag on every read that follows the store, and 304 when it still holds.

Every write bumps the store generation, in this process or any other over the same
store, and every read answer (REST, entity IRIs, pages, SPARQL) is a function of the
store at one generation, of the day (what expired by today) and of what selects the
representation. So the ETag is

    W/"<generation>-<hash of the representation's selectors>"

and a GET whose If-None-Match holds it is answered 304 before routing, dependency
resolution or the threadpool: a revalidation costs one generation read (microseconds
on the embedded store, one query on a remote one) and no store read of the answer.
The tag is weak: the same generation may be serialised with other bytes (blank node
labels, a proxy's compression) that mean the same.

`Cache-Control: no-cache` makes every client and shared cache revalidate before each
use, which is what makes a tag that never expires safe: a write is seen at the next
request. `Vary` names the request headers the representation depends on.

Never tagged: other methods (HEAD is answered as a GET without its body, api/head.py,
and so tagged and revalidated as that GET); error
answers and anything but 200; answers that set a cookie (the CSRF cookie of a first
page); answers whose handler set Cache-Control itself (a SPARQL query that calls NOW()
or RAND()); requests that carry credentials (an Authorization header or the page
session cookie: the answer depends on the token, which expires without a write); job
status (in-process state that moves without a write); paths outside the read routes
(/static has StaticFiles' own ETag and Last-Modified, /docs and /openapi.json follow
the code).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from anyio import to_thread
from starlette.datastructures import Headers, MutableHeaders, State
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import registry_error_answer
from api.i18n import LANG_COOKIE
from api.pages.forms import SESSION_COOKIE
from api.pages.render import CSRF_COOKIE, PAGE_PREFIXES
from api.routers.catalog import CATALOG_PATHS
from registry import __version__
from registry.read import conformity
from registry.store import StoreError, StoreTimeoutError

#: Where every 200 answer to a GET is a function of the store and the request: the REST
#: reads, entity IRIs and pages. /sparql and the DCAT-AP catalogue are matched exactly.
CACHED_PREFIXES = ("/api/v1/", "/id/", *PAGE_PREFIXES)
CACHED_PATHS = frozenset({"/", "/sparql", *CATALOG_PATHS})
#: A job's status lives in this process and moves without a write.
UNCACHED_PREFIXES = ("/api/v1/jobs/",)

CACHE_CONTROL = "no-cache"
VARY = ("Accept", "Accept-Language", "Cookie")

# An entity tag of an If-None-Match list (RFC 9110 8.8.3): an optional W/ and a quoted
# opaque tag, which may hold commas, so the list is not split on them.
_TAG = re.compile(r'(?:W/)?"([^"]*)"')
# The whole header as such a list (a trailing comma and spaces allowed): a header that
# is not one matches nothing, rather than the tags found in it.
_TAG_LIST = re.compile(r'\s*(?:W/)?"[^"]*"(?:\s*,\s*(?:W/)?"[^"]*")*\s*,?\s*')


def is_cached_path(path: str) -> bool:
    """Whether GETs of `path` are answered with an ETag (and 304 when it matches)."""
    if path.startswith(UNCACHED_PREFIXES):
        return False
    return path in CACHED_PATHS or path.startswith(CACHED_PREFIXES)


def representation_hash(parts: Iterable[bytes]) -> str:
    """A short hash of what selects a representation. Each part is length-prefixed,
    so no two different lists of parts give the same input."""
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return digest.hexdigest()


def entity_tag(generation: int, selectors: str) -> str:
    return f'W/"{generation}-{selectors}"'


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether `etag` is in an If-None-Match list of tags, compared weakly (RFC 9110
    13.1.2: W/ is ignored on both sides). `*` is not handled here: it means "any
    current representation", which only the handler knows exists."""
    if not _TAG_LIST.fullmatch(if_none_match):
        return False
    wanted = _opaque(etag)
    return any(match.group(1) == wanted for match in _TAG.finditer(if_none_match))


def _opaque(etag: str) -> str:
    match = _TAG.fullmatch(etag)
    return match.group(1) if match else etag


def _selectors(scope: Scope, headers: Headers, cookies: dict[str, str], rules: str) -> str:
    """Everything the answer's bytes depend on besides the store: the version (a new
    release may render the same store otherwise), the shapes and rules loaded (`rules`:
    a start under changed shapes shows the automatic assessments made before as
    outdated over the same store generation), the URL as the server saw it (scheme,
    Host, path and query: the impact page links its other pages by absolute URL), the
    negotiated headers, the language cookie, and the CSRF cookie, which pages with a
    form copy into the form (a browser that gets a new CSRF cookie must not reuse the
    old page), and today's date: the conformity answers and pages count what expired
    by then, and say as of when, so a tag from yesterday must not be current today."""
    return representation_hash(
        [
            __version__.encode(),
            rules.encode(),
            conformity.today_utc().isoformat().encode(),
            scope.get("scheme", "http").encode(),
            headers.get("host", "").encode("latin-1"),
            scope["path"].encode("utf-8", "surrogateescape"),
            scope.get("query_string", b""),
            ", ".join(headers.getlist("accept")).encode("latin-1"),
            ", ".join(headers.getlist("accept-language")).encode("latin-1"),
            cookies.get(LANG_COOKIE, "").encode(),
            cookies.get(CSRF_COOKIE, "").encode(),
        ]
    )


def _with_vary(current: str | None) -> str:
    names = [v.strip() for v in (current or "").split(",") if v.strip()]
    known = {name.lower() for name in names}
    return ", ".join([*names, *(name for name in VARY if name.lower() not in known)])


def _validator_headers(etag: str, vary: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"etag", etag.encode("latin-1")),
        (b"cache-control", CACHE_CONTROL.encode("latin-1")),
        (b"vary", vary.encode("latin-1")),
    ]


async def _not_modified(send: Send, etag: str, vary: str) -> None:
    # A 304 has no body and no Content-Length; it repeats the headers a cache needs
    # to update what it holds (RFC 9110 15.4.5).
    await send(
        {"type": "http.response.start", "status": 304, "headers": _validator_headers(etag, vary)}
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _taggable(message: Message) -> bool:
    if message["status"] != 200:
        return False
    headers = Headers(raw=message.get("headers", []))
    return "set-cookie" not in headers and "cache-control" not in headers


class HttpCachingMiddleware:
    """Pure ASGI, outermost: a 304 is answered before anything else of the app runs."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            # Only GET: HEAD reaches here as a GET (api/head.py).
            or scope["method"] != "GET"
            or not is_cached_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = cookie_parser(headers.get("cookie", ""))
        if "authorization" in headers or SESSION_COOKIE in cookies:
            await self.app(scope, receive, send)  # the answer depends on the token
            return
        try:
            generation = await self._generation()
        except StoreTimeoutError as exc:
            # The store let the whole timeout pass: the app would wait as long again
            # for its own read, so the request would take twice the timeout.
            await registry_error_answer(Request(scope), exc)(scope, receive, send)
            return
        if generation is None:
            await self.app(scope, receive, send)  # the app answers the store's error
            return
        rules = self.state.registry.rules_version()
        etag = entity_tag(generation, _selectors(scope, headers, cookies, rules))
        condition = headers.get("if-none-match")
        if condition is not None and none_match(condition, etag):
            await _not_modified(send, etag, _with_vary(None))
            return
        any_current = condition is not None and condition.strip() == "*"
        await self.app(scope, receive, _TaggingSend(send, etag, any_current))

    async def _generation(self) -> int | None:
        """The store generation, read before the answer is built: an answer built while
        a write lands is tagged with the older generation, so its tag goes stale at
        once, never the other way round. None when there is no store yet or it fails."""
        registry = getattr(self.state, "registry", None)
        if registry is None:  # before the lifespan: let the app say
            return None
        try:
            store = registry.store
            # The embedded store reads its generation in microseconds (one quad on an
            # index); a remote one is a round trip, which must not hold the event loop.
            if store.in_process:
                return store.generation()
            return await to_thread.run_sync(store.generation)
        except StoreTimeoutError:
            raise
        except StoreError:
            return None


class _TaggingSend:
    """The app's `send`, adding the validator headers to a 200 answer that may have
    them; with `If-None-Match: *`, such an answer becomes a 304 (a current
    representation exists) and its body is dropped."""

    def __init__(self, send: Send, etag: str, any_current: bool) -> None:
        self.send = send
        self.etag = etag
        self.any_current = any_current
        self.dropping_body = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and _taggable(message):
            message.setdefault("headers", [])
            headers = MutableHeaders(scope=message)
            vary = _with_vary(headers.get("vary"))
            if self.any_current:
                self.dropping_body = True
                await _not_modified(self.send, self.etag, vary)
                return
            headers["etag"] = self.etag
            headers["cache-control"] = CACHE_CONTROL
            headers["vary"] = vary
        elif self.dropping_body:
            return  # the 304 already ended the answer
        await self.send(message)
