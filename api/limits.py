"""A cap on every request body, whatever the route (JSON bodies included), and a
deadline between its chunks.

Pure ASGI so that it sees the body as it arrives: a declared Content-Length over
the limit is refused before anything is read, and a chunked body without one is
refused as soon as the bytes received pass the limit, never buffered whole. A client
that stops sending its body for `body_timeout` seconds gets 408 (a slow client held
a worker thread and the connection for as long as it liked). The headers have their
own deadline (api.slowclients).
"""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_answer
from registry.bilingual import Text


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout: float = 30.0) -> None:
        self.app = app
        self.limit = max_body_bytes
        self.body_timeout = body_timeout

    def _message(self) -> Text:
        return Text(
            zh=f"请求体超过 {self.limit} 字节的大小限制",
            en=f"request body larger than the limit of {self.limit} bytes",
        )

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
        pending = True  # the body is not all in yet

        async def limited_receive() -> Message:
            nonlocal received, pending
            if not pending:
                # Past the body the app waits here for a disconnect, as long as it likes.
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise HTTPException(
                    408,
                    Text(  # api/errors.py reads a Text detail
                        zh=f"请求内容传输中断超过 {self.body_timeout:g} 秒",
                        en=f"the request body stopped arriving for {self.body_timeout:g} s",
                    ),
                ) from None
            if message["type"] == "http.request":
                pending = bool(message.get("more_body", False))
                received += len(message.get("body", b""))
                if received > self.limit:
                    # An HTTPException, not a domain error: FastAPI turns any other
                    # exception raised while it reads a JSON body into a 400.
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, limited_receive, send)
