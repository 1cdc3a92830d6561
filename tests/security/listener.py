"""A TCP listener on a free loopback port that counts the connections made to it: the
witness of an outbound call (SERVICE, LOAD, a redirect followed)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# What a SPARQL endpoint answers: one empty solution, so a SERVICE joins as a no-op.
SPARQL_ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\n"
    b"connection: close\r\ncontent-length: 48\r\n\r\n"
    b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
)


class Listener:
    def __init__(self, reply: bytes | None = SPARQL_ANSWER) -> None:
        self.reply = reply  # None: accept and say nothing (a silent port)
        self.seen: list[bytes] = []
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self._server.settimeout(0.1)
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.seen.append(conn.recv(65536))
                except OSError:
                    self.seen.append(b"")
                if self.reply is not None:
                    with contextlib.suppress(OSError):
                        conn.sendall(self.reply)
                else:
                    self._stop.wait(2)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()


@contextmanager
def listening(reply: bytes | None = SPARQL_ANSWER) -> Iterator[Listener]:
    listener = Listener(reply)
    try:
        yield listener
    finally:
        listener.close()
