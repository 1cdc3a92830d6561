"""Slow clients time out: a deadline for a request's headers (uvicorn has none).

A client that opens a connection and sends its request line and headers a byte at a
time (slowloris) held a connection open for as long as it liked: uvicorn cancels its
keep-alive timer on every byte received and has no deadline for the headers. This
protocol gives every request `seconds` to finish its headers, from the moment the
connection opens or the previous response ends; past it the connection is closed.
The body has its own deadline between chunks (api.limits.BodyLimitMiddleware).

It subclasses uvicorn's h11 protocol, the one `screg serve` runs, and uses only its
documented way in (`uvicorn.run(http=...)`) and the h11 state it already keeps.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def header_deadline_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a `seconds` deadline on every request's headers."""

    class HeaderDeadlineProtocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def handle_events(self) -> None:
            super().handle_events()
            if self.conn.their_state is not h11.IDLE:
                self._disarm()  # the headers are in: the request is the app's now

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request on this connection gets its own

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineProtocol
