"""A public query cannot reach the network, even past the guard (issue 17, 1: SSRF
without a token). `1SERVICE` passed the guard's lexer while the engine read `1` and
`SERVICE`, and the server POSTed to any host it could reach. The guard is one defence;
the worker's own network namespace is the other: here a SERVICE query is run by the
worker's engine path (`run_query`) in a process that left the network as a worker
does, bypassing the guard (which the worker's loop runs before it), and a local
listener counts the connections."""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import threading
from collections.abc import Iterator

import pytest

from registry.sparql import worker
from registry.sparql.endpoint import worker_source
from registry.store import open_store


def _run_past_the_guard(source: dict, texts: list[str], out: multiprocessing.Queue) -> None:
    """A worker without its guard: leave the network, load, run each text."""
    isolated = worker.leave_the_network()
    dataset = worker.load(source)
    for text in texts:
        # The engine answers with its own error (no route to the host) or an empty
        # result; what matters is that no connection was made.
        with contextlib.suppress(Exception):
            worker.run_query(dataset, text, "json", 10)
    out.put(isolated)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on a free loopback port that records what each connection sends."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096))
                except OSError:
                    seen.append(b"")
                conn.sendall(b"HTTP/1.1 500 x\r\ncontent-length: 0\r\n\r\n")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_a_service_query_past_the_guard_reaches_no_host(
    listener: tuple[int, list[bytes]], seeded_dump: bytes, tmp_path
) -> None:
    port, seen = listener
    store = open_store(str(tmp_path / "store"))
    store.load_dump(seeded_dump, "nquads")
    texts = [
        f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?x }} }}",
        f"SELECT ?x WHERE {{ ?a ?b 1SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?x }} }}",
    ]
    context = multiprocessing.get_context("forkserver")
    out = context.Queue()
    try:
        process = context.Process(
            target=_run_past_the_guard, args=(worker_source(store, store.generation()), texts, out)
        )
        process.start()
        isolated = out.get(timeout=60)
        process.join(timeout=10)
        if not isolated:
            pytest.skip("no network namespace here (not root, no user namespaces)")
        assert seen == [], f"a worker reached the listener: {seen[:1]}"
    finally:
        store.close()


def test_the_listener_would_see_a_connection(listener: tuple[int, list[bytes]]) -> None:
    """The test above could pass by a listener that sees nothing: it sees this one."""
    port, seen = listener
    with socket.create_connection(("127.0.0.1", port), timeout=2) as client:
        client.sendall(b"POST /sparql HTTP/1.1\r\n\r\n")
        client.recv(100)
    for _ in range(20):
        if seen:
            break
        threading.Event().wait(0.1)
    assert seen and seen[0].startswith(b"POST")
