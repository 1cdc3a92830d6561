"""One real server: `screg serve` (uvicorn) as a subprocess on a free port, over a
seeded on-disk store, read by an independent SPARQL client (SPARQLWrapper)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import JSON, JSONLD, RDFXML, TURTLE, XML, SPARQLWrapper

from registry.store import open_store
from tests.servers import running_server

PREFIXES = (
    "PREFIX scs: <https://w3id.org/smartcity-std#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
)
STANDARDS = PREFIXES + "SELECT ?s ?id WHERE { ?s a scs:Standard ; dct:identifier ?id } ORDER BY ?id"
A_STANDARD = "http://127.0.0.1:8000/id/standard/GB-T-34678-2017"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
TIMEOUT_SECONDS = 1.0


@pytest.fixture(scope="module")
def server(
    seeded_dump: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    folder = tmp_path_factory.mktemp("server") / "store"
    with open_store(str(folder)) as store:  # seeded here, then closed: the server takes the lock
        store.load_dump(seeded_dump, "nquads")
    env = {
        **os.environ,
        "SCREG_STORE": str(folder),
        "SCREG_SEED": "false",
        "SCREG_SPARQL_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
    }
    with running_server(env) as (base, process):
        yield base, process


def _client(base: str, query: str, fmt: str) -> Any:
    wrapper = SPARQLWrapper(f"{base}/sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    return wrapper.queryAndConvert()


def test_rest_smoke(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = server
    response = httpx.get(f"{base}/api/v1/standards", timeout=10)
    assert response.status_code == 200
    assert "GB/T 34678-2017" in response.text


def test_sparqlwrapper_select_json_and_xml(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = server
    results = _client(base, STANDARDS, JSON)
    ids = [b["id"]["value"] for b in results["results"]["bindings"]]
    assert "GB/T 34678-2017" in ids
    assert ids == sorted(ids)

    document = _client(base, STANDARDS, XML)  # an xml.dom.minidom Document
    literals = [
        literal.firstChild.data
        for binding in document.getElementsByTagName("binding")
        if binding.getAttribute("name") == "id"
        for literal in binding.getElementsByTagName("literal")
    ]
    assert literals == ids


def test_sparqlwrapper_ask(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = server
    assert _client(base, f"ASK {{ <{A_STANDARD}> ?p ?o }}", JSON)["boolean"] is True
    assert _client(base, "ASK { <urn:nothing> ?p ?o }", JSON)["boolean"] is False


def test_sparqlwrapper_construct(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = server
    query = PREFIXES + "CONSTRUCT WHERE { ?s a scs:Standard ; dct:identifier ?id }"
    turtle = _client(base, query, TURTLE)  # bytes
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(A_STANDARD), None, None) in graph
    for fmt in (RDFXML, JSONLD):  # SPARQLWrapper parses these into rdflib graphs itself
        other = _client(base, query, fmt)
        assert len(other) == len(graph)


def test_refused_and_timed_out_queries_leave_the_server_up(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = server
    deep = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    refused = httpx.post(f"{base}/sparql", data={"query": deep}, timeout=10)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "query_refused"

    # While a slow query runs, the REST API keeps answering.
    slow: dict[str, httpx.Response] = {}
    thread = threading.Thread(
        target=lambda: slow.update(
            r=httpx.get(f"{base}/sparql", params={"query": SLOW}, timeout=30)
        )
    )
    started = time.monotonic()
    thread.start()
    meanwhile = httpx.get(f"{base}/api/v1/standards", timeout=10)
    assert meanwhile.status_code == 200
    thread.join()
    assert slow["r"].status_code == 503
    assert slow["r"].json()["error"]["code"] == "query_timeout"
    assert time.monotonic() - started < TIMEOUT_SECONDS + 4

    started = time.monotonic()
    after = httpx.get(f"{base}/sparql", params={"query": STANDARDS}, timeout=10)
    assert time.monotonic() - started < 1.0
    assert after.status_code == 200
    assert after.json()["results"]["bindings"]
    assert process.poll() is None


def test_a_server_with_the_memory_copy_answers_like_one_without(
    server: tuple[str, subprocess.Popen[bytes]],
    seeded_dump: bytes,
    tmp_path: Any,
) -> None:
    """SCREG_SPARQL_MEMORY_COPY=true reaches the workers of a real `screg serve`: once
    its copy is built it answers from it, with the answers of the store-backed server."""
    folder = tmp_path / "store"
    with open_store(str(folder)) as store:
        store.load_dump(seeded_dump, "nquads")
    env = {
        **os.environ,
        "SCREG_STORE": str(folder),
        "SCREG_SEED": "false",
        "SCREG_SPARQL_MEMORY_COPY": "true",
        "SCREG_SPARQL_WORKER_MEMORY_MB": "4096",
    }
    plain, _ = server
    with running_server(env) as (base, _process):
        deadline = time.monotonic() + 60
        while True:
            response = httpx.get(f"{base}/sparql", params={"query": STANDARDS}, timeout=10)
            if response.headers["X-SPARQL-Engine"] == "memory-copy":
                break
            assert time.monotonic() < deadline, "the copy never answered"
            time.sleep(0.1)
        from_store = httpx.get(f"{plain}/sparql", params={"query": STANDARDS}, timeout=10)
        assert from_store.headers["X-SPARQL-Engine"] == "store"
        assert response.json() == from_store.json()
        assert len(response.json()["results"]["bindings"]) > 10
        construct = PREFIXES + "CONSTRUCT WHERE { ?s a scs:Standard ; dct:identifier ?id }"
        graphs = [
            Graph().parse(data=_client(url, construct, TURTLE), format="turtle")
            for url in (base, plain)
        ]
        assert len(graphs[0]) > 10 and set(graphs[0]) == set(graphs[1])
