"""Real `screg serve` processes for the tests: a free port, polled until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

SCREG = Path(sys.executable).with_name("screg")


def seeded_folder(dump: bytes, folder: Path) -> Path:
    """An embedded store at `folder` holding `dump` (closed again, for a server to open)."""
    from registry.store import open_store

    with open_store(str(folder)) as store:
        store.load_dump(dump, "nquads")
    return folder


def server_env(folder: Path) -> dict[str, str]:
    """The environment of a `screg serve` on the store at `folder`, not seeded."""
    return {**os.environ, "SCREG_STORE": str(folder), "SCREG_SEED": "false"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_responds(url: str, process: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before answering")
        try:
            if httpx.get(url, timeout=30).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # a poll interval, not a wait for readiness
    raise AssertionError(f"the server did not answer {url} within {limit} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(
    env: Mapping[str, str],
    ready_path: str = "/api/v1/standards",
    limit: float = 60,
    extra_args: tuple[str, ...] = (),
    **popen: object,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`screg serve` on a free port of 127.0.0.1; yields its base URL and process."""
    port = free_port()
    command = [str(SCREG), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", *extra_args]  # fmt: skip
    process = subprocess.Popen(command, env=dict(env), **popen)  # type: ignore[call-overload]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_responds(f"{base}{ready_path}", process, limit)
        yield base, process
    finally:
        stop(process)
