"""A trailing slash on an API path: redirected to the path without it.

`/api/v1/changes/` was redirected (Starlette's own rule for a route's exact path), but
`/api/v1/standards/` matched the one-standard route with an empty identifier (404 "no
standard ''"), and `/api/v1/standards/GB-T-33356-2022/` looked for an identifier
ending in a slash. Every GET under /api/v1/ ending in a written slash is now 307 to the
same path without it, as /changes/ was; a slash written %2F is part of an identifier
and left alone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

API = b"/api/v1/"


class TrailingSlashMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not raw.startswith(API)
            or not raw.endswith(b"/")
            or raw.rstrip(b"/") + b"/" == API
        ):
            await self.app(scope, receive, send)
            return
        location = raw.rstrip(b"/")
        if scope.get("query_string"):
            location += b"?" + scope["query_string"]
        await send(
            {
                "type": "http.response.start",
                "status": 307,
                "headers": [(b"location", location), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})
