"""The SPARQL server under a running `screg serve` stops and starts again.

A private Oxigraph server (`oxigraph serve`, stopped and started by its PID, on the
same port and data) under a real `screg serve`: while it is away, every request that
needs the store is answered 503 with `Retry-After`, promptly (never a 500, never a
wait past the store's request timeout); once it is back, the same API process answers
again, without a restart of its own, and every write it acknowledged is there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, Literal, URIRef

from registry.register.tokens import create_token
from registry.store import open_store
from tests.conftest import skip_unless_available
from tests.servers import free_port, running_server

STORE_TIMEOUT = 5.0  # SCREG_STORE_TIMEOUT_SECONDS of the API process
PROMPT = STORE_TIMEOUT + 3.0  # a request while the store is away answers within this
STANDARD = "GB-T-34678-2017"
QUERY = "SELECT ?s WHERE { ?s a <https://w3id.org/smartcity-std#Standard> } LIMIT 3"


def _oxigraph_command() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


class OxigraphServer:
    """`oxigraph serve` on a fixed port and folder, started and stopped by PID."""

    def __init__(self, command: str, folder: Path) -> None:
        self.command, self.folder, self.port = command, folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.folder.parent / "oxigraph.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.command,
                "serve",
                "--location",
                str(self.folder),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "oxigraph exited while starting"
            try:
                if httpx.get(self.url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # a poll interval, not a wait for readiness
        raise AssertionError("oxigraph did not answer within 60 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, sig)
            self.process.wait(timeout=60)
        self.process = None


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    command = _oxigraph_command()
    skip_unless_available(command is not None, "no `oxigraph` command: pip install oxigraph")
    assert command is not None
    server = OxigraphServer(command, tmp_path / "oxigraph")
    server.start()
    try:
        yield server
    finally:
        server.stop(signal.SIGKILL)


@pytest.fixture
def api(oxigraph: OxigraphServer) -> Iterator[tuple[str, str]]:
    """A `screg serve` over the Oxigraph server, which it seeds; (base URL, a registrar's
    token)."""
    env = {
        **os.environ,
        "SCREG_STORE": oxigraph.url,
        "SCREG_SEED": "true",
        "SCREG_STORE_TIMEOUT_SECONDS": str(STORE_TIMEOUT),
    }
    with running_server(env, limit=240) as (base, _process):
        with open_store(oxigraph.url) as store:
            _info, secret = create_token(store, "registrar", name="restart test")
        yield base, secret


def _set_status(base: str, token: str, ident: str, status: str) -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/items/{ident}/status",
        json={"status": status, "reason": "restart test"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def _status(base: str, ident: str) -> tuple[str, list[str]]:
    """The entry's register status in its record and in its history (which must agree)."""
    record = httpx.get(f"{base}/api/v1/standards/{ident}", timeout=60)
    assert record.status_code == 200, record.text
    history = httpx.get(f"{base}/api/v1/items/{ident}/history", timeout=60)
    assert history.status_code == 200, history.text
    versions = [v["status"] for v in history.json()["versions"]]
    return record.json()["register"]["status"], versions


def _reads(base: str) -> dict[str, httpx.Response]:
    """One request of each kind that needs the store."""
    return {
        "entry": httpx.get(f"{base}/api/v1/standards/{STANDARD}", timeout=60),
        "list": httpx.get(f"{base}/api/v1/standards", params={"limit": 5}, timeout=60),
        "feed": httpx.get(f"{base}/api/v1/changes", timeout=60),
        "sparql": httpx.get(f"{base}/sparql", params={"query": QUERY}, timeout=60),
    }


DEADLINE = 120.0  # seconds any one phase of a test may take before it fails


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after DEADLINE seconds."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE:.0f} s"
        time.sleep(0.05)  # a poll interval, not a wait for readiness


def _assert_unavailable(response: httpx.Response, what: str) -> None:
    assert response.status_code == 503, (what, response.status_code, response.text)
    assert int(response.headers["Retry-After"]) > 0, what
    assert response.json()["error"]["code"] in ("store_unavailable", "store_timeout"), what


@pytest.mark.slow
def test_the_api_answers_503_while_the_store_is_away_and_recovers_by_itself(
    oxigraph: OxigraphServer, api: tuple[str, str]
) -> None:
    base, token = api
    assert {name: r.status_code for name, r in _reads(base).items()} == dict.fromkeys(
        ("entry", "list", "feed", "sparql"), 200
    )
    acknowledged = _set_status(base, token, STANDARD, "deprecated")
    assert acknowledged.status_code == 200, acknowledged.text

    oxigraph.stop()
    for name, response in _reads(base).items():
        _assert_unavailable(response, name)
        assert response.elapsed.total_seconds() < PROMPT, name
    refused = _set_status(base, token, "GB-T-38664.2-2020", "deprecated")
    _assert_unavailable(refused, "status change")

    oxigraph.start()  # the same port and data; the API process is the same one
    assert {name: r.status_code for name, r in _reads(base).items()} == dict.fromkeys(
        ("entry", "list", "feed", "sparql"), 200
    )
    assert _status(base, STANDARD) == ("deprecated", ["valid", "deprecated"])
    # The write answered 503 was not made: the server was not there to take it.
    assert _status(base, "GB-T-38664.2-2020") == ("valid", ["valid"])
    again = _set_status(base, token, "GB-T-38664.2-2020", "deprecated")
    assert again.status_code == 200, again.text


@pytest.mark.slow
def test_writers_and_readers_through_a_store_restart_lose_no_acknowledged_write(
    oxigraph: OxigraphServer, api: tuple[str, str]
) -> None:
    """Clients keep writing and reading while the server is stopped and started: each
    answer is a 200 or a prompt 503, every acknowledged write is there afterwards, and
    every entry's record agrees with its history (no write half-visible)."""
    base, token = api
    listed = httpx.get(f"{base}/api/v1/standards", params={"limit": 200}, timeout=60).json()
    idents = [item["id"] for item in listed["items"] if item["register"]["status"] == "valid"]
    assert len(idents) >= 20
    answers: list[tuple[str, str, int, float, str | None]] = []
    stop = threading.Event()
    back_up = threading.Event()
    # Writes left for after the restart: a writer answered 503 at once for each write
    # while the server was away used up every standard before it came back, and the
    # wait for writes after the restart never ended (a CI run hung on it).
    kept_back = 10

    def writer() -> None:
        for number, ident in enumerate(idents):
            if number == len(idents) - kept_back:
                back_up.wait(timeout=DEADLINE)
            if stop.is_set():
                return
            try:
                response = _set_status(base, token, ident, "deprecated")
            except httpx.HTTPError as exc:  # told in the answers, not lost with the thread
                answers.append(("write", ident, 0, 0.0, repr(exc)))
                continue
            answers.append(
                (
                    "write",
                    ident,
                    response.status_code,
                    response.elapsed.total_seconds(),
                    response.headers.get("Retry-After"),
                )
            )
            if response.status_code == 503:
                time.sleep(0.2)  # as a client told to come back later would

    def reader() -> None:
        while not stop.is_set():
            try:
                response = httpx.get(f"{base}/api/v1/standards", params={"limit": 5}, timeout=60)
            except httpx.HTTPError as exc:  # told in the answers, not lost with the thread
                answers.append(("read", "", 0, 0.0, repr(exc)))
                continue
            answers.append(
                (
                    "read",
                    "",
                    response.status_code,
                    response.elapsed.total_seconds(),
                    response.headers.get("Retry-After"),
                )
            )

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: sum(1 for a in answers if a[0] == "write") >= 3, "writes under way")
        oxigraph.stop()
        away = len(answers)
        _wait_for(lambda: len(answers) >= away + 6, "requests meeting the empty port")
        oxigraph.start()
        back = len(answers)
        back_up.set()
        _wait_for(
            lambda: sum(1 for a in answers[back:] if a[0] == "write" and a[2] == 200) >= 3,
            f"writes acknowledged after the restart (answers since: {answers[back:][-12:]})",
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)

    assert {code for _kind, _ident, code, _s, _ra in answers} <= {200, 503}, [
        a for a in answers if a[2] not in (200, 503)
    ]
    assert any(code == 503 for _k, _i, code, _s, _ra in answers), "no request met the outage"
    for kind, ident, code, seconds, retry_after in answers:
        if code == 503:
            assert retry_after is not None and int(retry_after) > 0, (kind, ident)
            assert seconds < PROMPT, (kind, ident, seconds)
    written = {ident for kind, ident, code, _s, _ra in answers if kind == "write" and code == 200}
    refused = {ident for kind, ident, code, _s, _ra in answers if kind == "write" and code == 503}
    for ident in written:
        assert _status(base, ident) == ("deprecated", ["valid", "deprecated"]), ident
    for ident in refused - written:
        # Refused while the server went away: made entirely, or not at all.
        assert _status(base, ident) in (
            ("valid", ["valid"]),
            ("deprecated", ["valid", "deprecated"]),
        ), ident


@pytest.mark.slow
def test_a_hung_store_is_a_503_within_the_store_timeout(
    oxigraph: OxigraphServer, api: tuple[str, str]
) -> None:
    """A server that takes connections but never answers (stopped with SIGSTOP) costs a
    request the store's timeout, then a 503, not a hang."""
    base, _token = api
    assert oxigraph.process is not None
    os.kill(oxigraph.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = httpx.get(f"{base}/api/v1/standards/{STANDARD}", timeout=60)
        _assert_unavailable(response, "entry")
        assert STORE_TIMEOUT - 1 < time.monotonic() - started < PROMPT
    finally:
        os.kill(oxigraph.process.pid, signal.SIGCONT)
    assert httpx.get(f"{base}/api/v1/standards/{STANDARD}", timeout=60).status_code == 200


def test_a_write_cut_off_by_the_store_going_away_does_not_hold_the_next_for_a_lease(
    oxigraph: OxigraphServer,
) -> None:
    """Regression: a write holding the writer lock when the server went away could not
    withdraw its claim, which stayed on the server; after the restart every write of
    the same process waited for that claim's lease (120 s) to run out, past any
    client's timeout (the API answered a status change after 60 s+). The process now
    removes its own dead claims before its next one."""
    from registry.errors import RegistryError
    from registry.store.base import WriteBatch

    subject = URIRef("http://example.org/s")
    with open_store(oxigraph.url) as store:
        store.write(WriteBatch().add_triples("urn:g", [(subject, RDF.value, Literal(1))]))
        # A write under way holds the claim when the server goes.
        with pytest.raises(RegistryError), store.exclusive():
            oxigraph.stop()
            store.write(WriteBatch().add_triples("urn:g", [(subject, RDF.value, Literal(2))]))
        oxigraph.start()
        started = time.monotonic()
        store.write(WriteBatch().add_triples("urn:g", [(subject, RDF.value, Literal(3))]))
        assert time.monotonic() - started < STORE_TIMEOUT, "the next write waited for a lease"
        values = {
            row["v"].toPython()
            for row in store.select(
                "SELECT ?v WHERE { GRAPH <urn:g> { <http://example.org/s> ?p ?v } }"
            )
        }
        assert values == {1, 3}


def test_a_claim_cut_off_by_a_restart_held_other_processes_for_a_lease(
    oxigraph: OxigraphServer,
) -> None:
    """A process whose write the server's stop cut off kept its writer-lock claim until
    its own next claim: after the restart, another process's writes waited out the
    whole lease (66-72 s at the default 120 s) while this one had nothing to write. It
    now removes its dead claim as soon as the server answers again."""
    from registry.store.remote import RemoteOptions, RemoteStore

    lease = 60.0
    options = RemoteOptions(publish_timeout_seconds=lease, timeout_seconds=STORE_TIMEOUT)
    cut_off = RemoteStore(oxigraph.url, options=options)
    try:
        with cut_off.exclusive():
            oxigraph.stop()
        oxigraph.start()
        with RemoteStore(oxigraph.url, options=options) as other:
            started = time.monotonic()
            with other.exclusive():
                waited = time.monotonic() - started
        assert waited < lease / 4, f"the other process waited {waited:.1f} s for the lock"
    finally:
        cut_off.close()
