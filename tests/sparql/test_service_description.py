"""The SPARQL 1.1 Service Description at GET /sparql (registry/sparql/description.py):
what a client may rely on, read back with rdflib and checked against what the endpoint
actually does with the same settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from api import create_app
from registry.config import Settings
from registry.namespaces import GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY, SCS, SD
from registry.sparql.description import description_type
from registry.store import open_store

FORMATS = Namespace("http://www.w3.org/ns/formats/")
ROWS = 7


@pytest.fixture(scope="module")
def client(seeded_dump: bytes) -> Iterator[TestClient]:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    settings = Settings(
        store="memory", seed=False, sparql_max_rows=ROWS, sparql_timeout_seconds=4.5
    )
    with TestClient(create_app(settings, store=store)) as test_client:
        yield test_client


def described(client: TestClient, accept: str, fmt: str) -> tuple[Graph, URIRef]:
    answer = client.get("/sparql", headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=answer.content, format=fmt)
    [service] = graph.subjects(RDF.type, SD.Service)
    return graph, service  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_service_description_in_every_rdf_format(client: TestClient, accept: str, fmt: str) -> None:
    graph, service = described(client, accept, fmt)
    assert str(service) == "http://testserver/sparql"
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph


def test_service_description_lists_formats_graphs_and_limits(client: TestClient) -> None:
    graph, service = described(client, "text/turtle", "turtle")
    formats = set(graph.objects(service, SD.resultFormat))
    assert formats == {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["N-Triples"],
        FORMATS["JSON-LD"],
        FORMATS.RDF_XML,
    }
    dataset = graph.value(service, SD.defaultDataset)
    assert graph.value(dataset, SD.defaultGraph) is not None
    names = {graph.value(n, SD.name) for n in graph.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(GRAPH_CURRENT), URIRef(GRAPH_ONTOLOGY), URIRef(GRAPH_REGISTRY)}
    assert graph.value(service, SCS.maxResultRows) == Literal(ROWS)
    assert float(graph.value(service, SCS.queryTimeoutSeconds)) == 4.5
    assert graph.value(service, SCS.maxQueryLength) is not None


def test_the_described_row_limit_is_the_one_the_endpoint_applies(client: TestClient) -> None:
    graph, service = described(client, "text/turtle", "turtle")
    rows = int(graph.value(service, SCS.maxResultRows))
    answer = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(answer.json()["results"]["bindings"]) == rows
    # The results formats it lists are ones a query is answered in.
    for media in ("text/csv", "application/sparql-results+xml", "text/tab-separated-values"):
        ask = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": media})
        assert ask.status_code == 200, media


def test_no_query_without_an_rdf_accept_is_still_the_400_or_the_page(client: TestClient) -> None:
    assert client.get("/sparql").status_code == 400  # */*: names no RDF type
    refused = client.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert refused.status_code == 400
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/sparql", headers={"Accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    # A query with an RDF Accept is a query, never the description.
    ask = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/turtle"})
    assert ask.status_code == 406


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "text/turtle"),
        ("application/sparql-results+json, text/turtle;q=0.5", None),
        ("text/turtle;q=0.5, application/sparql-results+json;q=0.4", "text/turtle"),
        ("*/*", None),
        ("application/*", None),
        (None, None),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_description_type(accept: str | None, expected: str | None) -> None:
    assert description_type(accept) == expected
