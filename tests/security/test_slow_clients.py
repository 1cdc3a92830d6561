"""Slow clients time out (issue 17, point 9: "slow clients are never timed out").

Against a real `screg serve` with short deadlines: a client that sends its headers a
byte at a time (slowloris) has its connection closed, and one that stops sending its
body gets 408 in the one error body; the server answers a lookup right after."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from registry.store import open_store
from tests.servers import running_server

DEADLINE = 1.5  # seconds, for headers and for a pause in a body


@pytest.fixture(scope="module")
def server(seeded_dump: bytes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("slow") / "store"
    with open_store(str(folder)) as store:
        store.load_dump(seeded_dump, "nquads")
    env = {
        **os.environ,
        "SCREG_STORE": str(folder),
        "SCREG_SEED": "false",
        "SCREG_HEADER_TIMEOUT_SECONDS": str(DEADLINE),
        "SCREG_BODY_TIMEOUT_SECONDS": str(DEADLINE),
    }
    with running_server(env) as (base, _process):
        yield base


def connect(base: str) -> socket.socket:
    parts = urlsplit(base)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sends before it closes the connection, or None when it is still
    open after `seconds`."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


def still_answers(base: str) -> None:
    with urlopen(f"{base}/api/v1/resources/101001-000001", timeout=5) as answer:
        assert json.load(answer)["code"] == "101001/000001"


def test_headers_sent_a_byte_at_a_time_are_cut_off(server: str) -> None:
    sock = connect(server)
    request = b"GET /api/v1/standards HTTP/1.1\r\nHost: x\r\nX-Slow: "
    started = time.monotonic()
    closed = False
    # A byte every 0.2 s: each would have put off uvicorn's keep-alive timer again.
    for byte in request + b"a" * 200:
        try:
            sock.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        if time.monotonic() - started > DEADLINE * 4:
            break
        time.sleep(0.2)
    if not closed:
        closed = closed_within(sock, DEADLINE * 2) is not None
    sock.close()
    assert closed, "the slow client kept its connection"
    assert time.monotonic() - started < DEADLINE * 6
    still_answers(server)


def test_a_body_that_stops_arriving_gets_408(server: str) -> None:
    sock = connect(server)
    sock.sendall(
        b"POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
        b"Content-Length: 1000\r\n\r\n@prefix ex: <http://example.org/> ."
    )
    answer = closed_within(sock, DEADLINE * 4)
    sock.close()
    assert answer is not None, "the server still waits for the body"
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    assert json.loads(body)["error"]["code"] == "request_timeout"
    still_answers(server)


def test_a_client_that_keeps_up_is_not_cut_off(server: str) -> None:
    sock = connect(server)
    sock.sendall(b"GET /api/v1/resources/101001-000001 HTTP/1.1\r\nHost: x\r\n")
    time.sleep(DEADLINE / 3)
    sock.sendall(b"Connection: close\r\n\r\n")
    answer = closed_within(sock, 10)
    sock.close()
    assert answer is not None and answer.startswith(b"HTTP/1.1 200"), answer[:100]
