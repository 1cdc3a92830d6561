"""The requests the process is answering, counted for the background work that steps
aside for them (registry.runtime.foreground)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from registry.runtime.foreground import answering


class AnsweringMiddleware:
    """Counts each HTTP request from its first byte in to its last byte out: a page's
    reads, its rendering and its sending all run while the background waits."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with answering():
            await self.app(scope, receive, send)
