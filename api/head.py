"""HEAD answered as GET without its body (RFC 9110 9.3.2).

FastAPI's routes take the methods they name, so every page and read answered HEAD with
405: link checkers, monitors and `curl -I` failed on all of them, where RFC 9110 9.1
asks a general-purpose server to support GET and HEAD. A HEAD request goes through the
app as a GET (caching, content negotiation and errors included, so its headers are
the GET's: Content-Length, ETag, a 304 on a matching tag), and only the body is left
out.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
