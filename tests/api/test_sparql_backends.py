"""Public `/sparql` on every back end, through independent clients.

One real `screg serve` per back end (the embedded memory store by default; each
test SPARQL server with `--api-store=virtuoso,oxigraph-server`, as `make test` runs
it in CI), seeded by the server itself, asked the same questions in every form the
SPARQL 1.1 Protocol has: GET, POST form, POST `application/sparql-query`; every
result format; the row limit; the hidden graphs; refusals. The clients are
SPARQLWrapper and rdflib's SPARQLStore, besides httpx. A remote store once answered
every public query with a 500 while the API suite passed on it: no test sent one.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from xml.dom.minidom import Document

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

from tests.conftest import STORE_BACKENDS
from tests.servers import running_server

SCS = "https://w3id.org/smartcity-std#"
PREFIXES = f"PREFIX scs: <{SCS}>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
A_STANDARD = "http://127.0.0.1:8000/id/standard/GB-T-34678-2017"
FIRST_IDS = PREFIXES + (
    "SELECT ?s ?id WHERE { ?s a scs:Standard ; dct:identifier ?id } ORDER BY ?id LIMIT 8"
)
MAX_ROWS = 25  # below the seeded standards, so an unlimited listing is cut


@pytest.fixture(scope="module")
def base(api_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `screg serve` over an empty store of the back end, which it seeds."""
    setting = STORE_BACKENDS[api_backend](tmp_path_factory.mktemp("sparql-store"))
    env = {
        **os.environ,
        "SCREG_STORE": setting,
        "SCREG_SEED": "true",
        "SCREG_SPARQL_MAX_ROWS": str(MAX_ROWS),
    }
    with running_server(env, limit=240) as (url, _process):
        yield url


def sparql(base: str, method: str, query: str, accept: str) -> httpx.Response:
    """`query` sent the `method` way: GET, POST form, or POST direct."""
    url, headers = f"{base}/sparql", {"Accept": accept}
    if method == "get":
        return httpx.get(url, params={"query": query}, headers=headers, timeout=60)
    if method == "form":
        return httpx.post(url, data={"query": query}, headers=headers, timeout=60)
    headers["Content-Type"] = "application/sparql-query"
    return httpx.post(url, content=query.encode(), headers=headers, timeout=60)


def ids_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["id"]["value"] for row in response.json()["results"]["bindings"]]


# -- the protocol --------------------------------------------------------------------------


def test_the_three_ways_to_send_a_query_give_one_answer(base: str) -> None:
    answers = {m: ids_of(sparql(base, m, FIRST_IDS, "application/sparql-results+json"))
               for m in ("get", "form", "direct")}  # fmt: skip
    assert answers["get"] == answers["form"] == answers["direct"]
    assert len(answers["get"]) == 8 and answers["get"] == sorted(answers["get"])


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("text/csv", ox.QueryResultsFormat.CSV),
    ],
)
def test_select_results_in_every_format_agree_with_json(
    base: str, accept: str, fmt: ox.QueryResultsFormat
) -> None:
    expected = ids_of(sparql(base, "get", FIRST_IDS, "application/sparql-results+json"))
    response = sparql(base, "form", FIRST_IDS, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    if fmt == ox.QueryResultsFormat.CSV:
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [row["id"] for row in rows] == expected
        return
    solutions = ox.parse_query_results(response.content, fmt)
    assert [solution["id"].value for solution in solutions] == expected


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_ask_answers_true_and_false(base: str, accept: str) -> None:
    yes = sparql(base, "direct", f"ASK {{ <{A_STANDARD}> ?p ?o }}", accept)
    no = sparql(base, "direct", "ASK { <urn:nothing> ?p ?o }", accept)
    assert yes.status_code == no.status_code == 200, (yes.text, no.text)
    if accept == "text/csv":
        assert (yes.text.split()[-1], no.text.split()[-1]) == ("true", "false")
    else:
        assert (yes.json()["boolean"], no.json()["boolean"]) == (True, False)


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_and_describe_in_every_graph_format(
    base: str, accept: str, rdf_format: str
) -> None:
    construct = PREFIXES + f"CONSTRUCT {{ <{A_STANDARD}> ?p ?o }} WHERE {{ <{A_STANDARD}> ?p ?o }}"
    response = sparql(base, "get", construct, accept)
    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.content, format=rdf_format)
    standard = URIRef(A_STANDARD)
    assert (standard, RDF.type, URIRef(f"{SCS}Standard")) in graph
    assert (standard, DCTERMS.identifier, Literal("GB/T 34678-2017")) in graph
    described = sparql(base, "form", f"DESCRIBE <{A_STANDARD}>", accept)
    assert described.status_code == 200, described.text
    assert (standard, RDF.type, URIRef(f"{SCS}Standard")) in Graph().parse(
        data=described.content, format=rdf_format
    )


def test_answers_past_the_row_limit_are_cut_and_say_so(base: str) -> None:
    every = PREFIXES + "SELECT ?s WHERE { ?s a scs:Standard }"
    response = sparql(base, "get", every, "application/sparql-results+json")
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    assert response.headers["X-SPARQL-Truncated"] == "true"
    small = sparql(base, "get", FIRST_IDS, "application/sparql-results+json")
    assert "X-SPARQL-Truncated" not in small.headers
    triples = PREFIXES + "CONSTRUCT { ?s a scs:Standard } WHERE { ?s a scs:Standard }"
    graph = sparql(base, "form", triples, "application/n-triples")
    assert graph.status_code == 200, graph.text
    assert len(graph.text.strip().splitlines()) == MAX_ROWS
    assert graph.headers["X-SPARQL-Truncated"] == "true"


def test_a_get_answer_is_tagged_and_revalidated(base: str) -> None:
    first = sparql(base, "get", FIRST_IDS, "application/sparql-results+json")
    assert first.status_code == 200 and first.headers.get("ETag")
    again = httpx.get(
        f"{base}/sparql",
        params={"query": FIRST_IDS},
        headers={
            "Accept": "application/sparql-results+json",
            "If-None-Match": first.headers["ETag"],
        },
        timeout=60,
    )
    assert again.status_code == 304


# -- the guarded dataset ------------------------------------------------------------------


def test_hidden_and_staging_graphs_are_out_of_reach(base: str) -> None:
    graphs = sparql(
        base,
        "get",
        'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:")) }',
        "application/sparql-results+json",
    )
    assert graphs.status_code == 200, graphs.text
    names = {row["g"]["value"] for row in graphs.json()["results"]["bindings"]}
    # Of the registry's own graphs (not entries' versions), only the public ones.
    assert names == {f"urn:screg:graph:{name}" for name in ("current", "ontology", "registry")}
    # The default graph is the public union: no registry-internal graph leaks into it.
    plain = sparql(
        base,
        "get",
        "ASK { ?s <urn:screg:tx#started> ?t }",
        "application/sparql-results+json",
    )
    assert plain.status_code == 200 and plain.json()["boolean"] is False


@pytest.mark.parametrize(
    "query",
    [
        "ASK { GRAPH <urn:screg:graph:changes> { ?s ?p ?o } }",
        "ASK { VALUES ?g { <urn:screg:graph:tokens> } GRAPH ?g { ?s ?p ?o } }",
        "ASK { GRAPH ?g { ?s ?p ?o } FILTER(sameTerm(?g, <urn:screg:graph:changes>)) }",
        "PREFIX x: <urn:screg:graph:> ASK { GRAPH x:changes { ?s ?p ?o } }",
        "ASK { GRAPH <urn:screg:tx:lock> { ?s ?p ?o } }",
    ],
)
def test_a_hidden_graph_named_in_a_query_is_refused(base: str, query: str) -> None:
    """Regression: on Virtuoso each of these answered true from the change log or the
    writer lock: a graph IRI written in the query passed the `named-graph-uri` list
    that left the graph out."""
    response = sparql(base, "direct", query, "application/sparql-results+json")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]["reason"] == "hidden_graph"
    # Built at run time, the name reaches nothing either.
    built = 'ASK { BIND(IRI(CONCAT("urn:screg:graph:", "changes")) AS ?g) GRAPH ?g { ?s ?p ?o } }'
    answer = sparql(base, "form", built, "application/sparql-results+json")
    assert answer.status_code == 200 and answer.json()["boolean"] is False


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "update"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "service"),
        ("SELECT * FROM <urn:screg:graph:tokens> WHERE { ?s ?p ?o }", "dataset"),
    ],
)
def test_what_the_guard_refuses_is_refused_on_every_back_end(
    base: str, query: str, reason: str
) -> None:
    response = sparql(base, "form", query, "application/sparql-results+json")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]["reason"] == reason


# -- independent clients ------------------------------------------------------------------


def test_sparqlwrapper_get_and_post(base: str) -> None:
    answers = []
    for method in ("GET", POST):
        wrapper = SPARQLWrapper(f"{base}/sparql")
        wrapper.setMethod(method)
        wrapper.setQuery(FIRST_IDS)
        wrapper.setReturnFormat(JSON)
        rows = wrapper.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
        answers.append([row["id"]["value"] for row in rows])
    assert answers[0] == answers[1] and len(answers[0]) == 8

    wrapper = SPARQLWrapper(f"{base}/sparql")
    wrapper.setQuery(f"ASK {{ <{A_STANDARD}> ?p ?o }}")
    wrapper.setReturnFormat(XML)
    document = wrapper.queryAndConvert()
    assert isinstance(document, Document)
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]

    wrapper = SPARQLWrapper(f"{base}/sparql")
    wrapper.setMethod(POST)
    wrapper.setQuery(f"DESCRIBE <{A_STANDARD}>")
    wrapper.setReturnFormat(TURTLE)
    turtle = wrapper.queryAndConvert()
    graph = Graph().parse(data=turtle, format="turtle")  # type: ignore[arg-type]
    assert (URIRef(A_STANDARD), DCTERMS.identifier, Literal("GB/T 34678-2017")) in graph


@pytest.mark.parametrize("method", ["GET", "POST_FORM"])
def test_rdflib_sparqlstore_reads_the_registry_as_a_graph(base: str, method: str) -> None:
    # The store's default results format, XML, makes it accept RDF/XML for graphs too.
    graph = Graph(store=SPARQLStore(f"{base}/sparql", method=method))
    standard = URIRef(A_STANDARD)
    assert list(graph.objects(standard, DCTERMS.identifier)) == [Literal("GB/T 34678-2017")]
    assert (standard, RDF.type, URIRef(f"{SCS}Standard")) in graph
    expected = ids_of(sparql(base, "get", FIRST_IDS, "application/sparql-results+json"))
    assert [str(row.id) for row in graph.query(FIRST_IDS)] == expected  # type: ignore[union-attr]
    assert graph.query(f"ASK {{ <{A_STANDARD}> ?p ?o }}").askAnswer is True
    described = set(graph.query(f"DESCRIBE <{A_STANDARD}>"))
    assert (standard, RDF.type, URIRef(f"{SCS}Standard")) in described
    as_json = Graph(store=SPARQLStore(f"{base}/sparql", method=method, returnFormat="json"))
    assert [str(row.id) for row in as_json.query(FIRST_IDS)] == expected  # type: ignore[union-attr]


def test_json_answers_are_one_document(base: str) -> None:
    """What the remote runner writes back is real SPARQL JSON, not the server's own
    (a skolem IRI would be a blank node, a plain literal has no xsd:string)."""
    response = sparql(base, "get", FIRST_IDS, "application/json")
    body = json.loads(response.content)
    assert body["head"]["vars"] == ["s", "id"]
    literal = body["results"]["bindings"][0]["id"]
    assert literal["type"] == "literal" and "datatype" not in literal
