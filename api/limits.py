"""A cap on every request body, whatever the route (JSON bodies included).

Pure ASGI so that it sees the body as it arrives: a declared Content-Length over
the limit is refused before anything is read, and a chunked body without one is
refused as soon as the bytes received pass the limit, never buffered whole.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_answer


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    def _message(self) -> str:
        return f"request body larger than the limit of {self.limit} bytes (上传内容超过大小限制)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                # A page for a browser's upload form, the JSON body for everyone else.
                response = error_answer(
                    Request(scope), 413, "payload_too_large", self._message(), {"limit": self.limit}
                )
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # An HTTPException, not a domain error: FastAPI turns any other
                    # exception raised while it reads a JSON body into a 400.
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, limited_receive, send)
