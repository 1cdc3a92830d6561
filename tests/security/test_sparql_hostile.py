"""Issue 17, items 1 and 5 (SPARQL), against a real `screg serve` over a seeded on-disk
store: each hostile query is refused or stopped at its limit with the one error body,
nothing leaves the machine, and the server answers a lookup at once afterwards."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from registry.store import open_store
from tests.security.listener import listening
from tests.servers import free_port, running_server

LOOKUP = "/api/v1/standards/GB-T-34678-2017"
# Doubling a 16-byte string 26 times: 1 GiB in the last binding (issue 17, 5).
CONCAT_BOMB = (
    'SELECT (STRLEN(?a26) AS ?n) WHERE { BIND("0123456789abcdef" AS ?a0) '
    + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(26))
    + " }"
)
# Every pair of triples, sorted: grew a worker to ~5 GB before its timeout (issue 17, 5).
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d"
# Every pair of triples, counted: CPU for tens of seconds in almost no memory.
CPU_BURNER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(
    seeded_dump: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The server with the default memory limit; a long timeout, so that what stops the
    heavy queries is the operating system's limit, not the clock."""
    folder = tmp_path_factory.mktemp("hostile") / "store"
    with open_store(str(folder)) as store:
        store.load_dump(seeded_dump, "nquads")
    env = {
        **os.environ,
        "SCREG_STORE": str(folder),
        "SCREG_SEED": "false",
        "SCREG_SPARQL_TIMEOUT_SECONDS": "60",
        "SCREG_SPARQL_WORKER_CPU_SECONDS": "3",
        "SCREG_SPARQL_MAX_RESULT_BYTES": "2000000",
    }
    with running_server(env) as (base, process):
        yield base, process


def _sparql(base: str, query: str) -> httpx.Response:
    return httpx.get(f"{base}/sparql", params={"query": query}, timeout=120)


def _refused(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def _still_up(base: str, process: subprocess.Popen[bytes]) -> None:
    """The server lives and answers a lookup within its normal time."""
    assert process.poll() is None
    started = time.monotonic()
    response = httpx.get(f"{base}{LOOKUP}", timeout=10)
    assert response.status_code == 200
    assert time.monotonic() - started < 2.0
    ask = _sparql(base, "ASK { ?s ?p ?o }")
    assert ask.status_code == 200 and ask.json()["boolean"] is True


# -- item 1: SSRF without a token ----------------------------------------------------


def test_1service_glued_number_is_refused(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, process = server
    with listening() as listener:
        query = (
            f"SELECT ?x WHERE {{ ?a ?b 1SERVICE <http://127.0.0.1:{listener.port}/x> "
            "{ ?s ?p ?x } }"
        )
        error = _refused(_sparql(base, query), 400, "invalid_query")
        assert error["details"]["reason"] == "syntax"
        assert listener.seen == []
    _still_up(base, process)


@pytest.mark.parametrize(
    "spelling",
    [
        "?a ?b 1 SERVICE {iri} {{ ?s ?p ?x }}",
        '?a ?b "x"SeRvIcE SILENT {iri} {{ ?s ?p ?x }}',
        "?a ?b ?c.#\nservice\t{iri}{{ ?s ?p ?x }}",
        "FILTER EXISTS {{ SERVICE {iri} {{ ?s ?p ?x }} }}",
    ],
)
def test_service_in_any_spelling_is_refused(
    server: tuple[str, subprocess.Popen[bytes]], spelling: str
) -> None:
    base, _ = server
    with listening() as listener:
        iri = f"<http://127.0.0.1:{listener.port}/x>"
        query = "SELECT ?x WHERE { " + spelling.format(iri=iri) + " }"
        error = _refused(_sparql(base, query), 400, "query_refused")
        assert error["details"]["reason"] == "service"
        assert listener.seen == []


def test_service_status_does_not_tell_ports_apart(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """An open port, a closed one, a silent one and a redirect got 200, 500 and 503 and
    let a client map the network; now each is the same refusal, and nothing is called."""
    base, process = server
    with listening() as target, listening(reply=None) as silent:
        redirect = f"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{target.port}/\r\n\r\n"
        with listening(reply=redirect.encode()) as redirector:
            answers = []
            for port in (target.port, free_port(), silent.port, redirector.port):
                iri = f"<http://127.0.0.1:{port}/>"
                query = f"SELECT ?x WHERE {{ ?a ?b 1 SERVICE {iri} {{ ?s ?p ?x }} }}"
                response = _sparql(base, query)
                answers.append((response.status_code, response.json()["error"]["code"]))
            assert set(answers) == {(400, "query_refused")}
            assert target.seen == silent.seen == redirector.seen == []
    _still_up(base, process)


def test_service_to_the_registrys_own_sparql_is_refused(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = server
    query = f"SELECT * WHERE {{ ?a ?b ?c . SERVICE <{base}/sparql> {{ ?s ?p ?o }} }}"
    _refused(_sparql(base, query), 400, "query_refused")
    _still_up(base, process)


# -- item 5: resource exhaustion without a token -------------------------------------


def test_concat_building_a_gigabyte_string_is_stopped_by_the_memory_limit(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = server
    error = _refused(_sparql(base, CONCAT_BOMB), 400, "query_memory_limit")
    assert error["details"] == {"memory_mb": 1024}
    _still_up(base, process)


def test_cross_product_order_by_is_stopped_by_the_memory_limit(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """`?a ?b ?c . ?d ?e ?f ORDER BY ?a ?d` grew a worker to ~5 GB; the address-space
    limit (1024 MiB by default) stops it long before, inside the 60 s timeout (which
    would have answered 503 `query_timeout`)."""
    base, process = server
    _refused(_sparql(base, CROSS_PRODUCT), 400, "query_memory_limit")
    _still_up(base, process)


def test_15000_bangs_are_refused_and_no_worker_crashes(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = server
    query = "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 15_000 + "?o) }"
    error = _refused(_sparql(base, query), 400, "query_refused")
    assert error["details"]["reason"] == "too_deep"
    _still_up(base, process)


def test_cpu_limit_stops_a_long_query(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    """CPU time is limited by the kernel (RLIMIT_CPU, 3 s here), not only by the clock."""
    base, process = server
    error = _refused(_sparql(base, CPU_BURNER), 400, "query_cpu_limit")
    assert error["details"] == {"cpu_seconds": 3}
    _still_up(base, process)


def test_an_answer_past_the_byte_cap_is_refused(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = server
    query = 'SELECT (CONCAT(STR(?s), "' + "x" * 5000 + '") AS ?t) WHERE { ?s ?p ?o } LIMIT 1000'
    error = _refused(_sparql(base, query), 400, "query_result_too_large")
    assert error["details"] == {"max_result_bytes": 2_000_000}
    _still_up(base, process)


def test_listener_sees_what_it_must() -> None:
    """The SERVICE tests could pass by a listener that sees nothing: it sees this."""
    with listening() as listener:
        httpx.get(f"http://127.0.0.1:{listener.port}/x", timeout=5)
        assert listener.seen and listener.seen[0].startswith(b"GET")
