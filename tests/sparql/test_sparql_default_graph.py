"""The worker narrows the public default graph to the graphs a query's patterns can
match in (registry/sparql/patterns.py, `_Dataset.default_graph_for`): the answers
are those of the whole union, and the queries that only use entry vocabulary run on
the current graph alone (Oxigraph was 1.5-3x slower over the three-graph union on
the 50,000-resource registry: docs/benchmarks.md)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from registry.sparql import worker
from registry.sparql.dataset import PUBLIC_DEFAULT_GRAPHS
from registry.sparql.patterns import needed_graphs

CURRENT, ONTOLOGY, REGISTRY = PUBLIC_DEFAULT_GRAPHS
P = (
    "PREFIX scs: <https://w3id.org/smartcity-std#>\n"
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


def _chosen(dataset: worker._Dataset, text: str) -> list[str]:
    return [graph.value for graph in dataset.default_graph_for(text)]


# Each query with the graphs it needs on the worker_dataset registry. The entry vocabulary is
# only in the current graph; labels of categories and code lists in the ontology;
# register statuses in the registry graph.
CASES = [
    # the shapes of bench/sparql_bench.py's heavy queries: the current graph alone
    (
        "SELECT ?category ?status (COUNT(?s) AS ?n) WHERE { ?s a scs:Standard ; "
        "scs:category ?category ; scs:standardStatus ?status } GROUP BY ?category ?status",
        [CURRENT],
    ),
    (
        "SELECT ?r ?code ?cond WHERE { ?r a scs:InformationResource ; scs:resourceCode ?code "
        ". OPTIONAL { ?r scs:sharingCondition ?cond } } ORDER BY ?code",
        [CURRENT],
    ),
    (
        "SELECT ?r ?std ?refid WHERE { ?r a scs:InformationResource ; dct:conformsTo ?std . "
        "?std scs:datedReference ?ref . ?ref dct:identifier ?refid }",
        [CURRENT],
    ),
    # a pattern of another graph anywhere keeps that graph
    ("SELECT * { ?s a scs:Standard ; scs:registerStatus ?st }", [CURRENT, REGISTRY]),
    ("SELECT * { ?s scs:category ?c . ?c skos:prefLabel ?l }", [CURRENT, ONTOLOGY]),
    ("SELECT * { ?s a scs:Standard OPTIONAL { ?s scs:registerStatus ?st } }", [CURRENT, REGISTRY]),
    (
        "SELECT * { ?s a scs:Standard FILTER NOT EXISTS { ?s scs:registerStatus ?st } }",
        [CURRENT, REGISTRY],
    ),
    (
        "SELECT * { ?s a scs:Standard FILTER EXISTS { ?s dct:identifier ?i "
        "FILTER NOT EXISTS { ?s scs:registerStatus ?x } } }",
        [CURRENT, REGISTRY],
    ),
    ("SELECT * { ?s a scs:Standard MINUS { ?s scs:registerStatus ?st } }", [CURRENT, REGISTRY]),
    (
        "SELECT * { { SELECT ?s { ?s scs:registerStatus ?x } } ?s a scs:Standard }",
        [CURRENT, REGISTRY],
    ),
    ("SELECT * { ?s scs:category/skos:prefLabel ?l }", [CURRENT, ONTOLOGY]),
    ("SELECT * { ?s scs:category [ skos:prefLabel ?l ] }", [CURRENT, ONTOLOGY]),
    (
        "SELECT * { ?s a scs:Standard BIND(EXISTS { ?s scs:registerStatus ?x } AS ?e) }",
        [CURRENT, REGISTRY],
    ),
    ("ASK { ?c rdfs:label ?l }", [ONTOLOGY]),
    # patterns inside GRAPH read the named graphs, not the default graph
    ("SELECT * { ?s a scs:Standard GRAPH ?g { ?s scs:registerStatus ?x } }", [CURRENT]),
    ("CONSTRUCT { ?s scs:registerStatus ?x } WHERE { ?s a scs:Standard }", [CURRENT]),
    ("SELECT * { ?s scs:category+ ?c }", [CURRENT]),
    # everything: variable predicates, zero-length and negated paths, DESCRIBE, escapes,
    # BASE, a query rdflib cannot read
    ("SELECT * { ?s ?p ?o }", list(PUBLIC_DEFAULT_GRAPHS)),
    ("SELECT * { ?s scs:category* ?c }", list(PUBLIC_DEFAULT_GRAPHS)),
    ("SELECT * { ?s !scs:category ?c }", list(PUBLIC_DEFAULT_GRAPHS)),
    ("DESCRIBE ?s WHERE { ?s a scs:Standard }", list(PUBLIC_DEFAULT_GRAPHS)),
    (
        "SELECT * { ?s <https://w3id.org/smartcity-std#registerStatu\\u0073> ?o }",
        list(PUBLIC_DEFAULT_GRAPHS),
    ),
    (
        "BASE <https://w3id.org/> SELECT * { ?s <smartcity-std#category> ?o }",
        list(PUBLIC_DEFAULT_GRAPHS),
    ),
    ("SELECT * { ?s a scs:Standard } GROUP BY", list(PUBLIC_DEFAULT_GRAPHS)),
]


@pytest.mark.parametrize(("query", "graphs"), CASES)
def test_default_graph_is_the_graphs_the_patterns_can_match(
    worker_dataset: worker._Dataset, query: str, graphs: list[str]
) -> None:
    assert _chosen(worker_dataset, P + query) == graphs


def _answer(dataset: worker._Dataset, text: str, **dataset_args: object) -> object:
    """The answer in a comparable form: SELECT rows as a sorted list, ASK a bool,
    CONSTRUCT a set of triples."""
    result = dataset.store.query(text, **dataset_args)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return {str(t) for t in result}
    return sorted(tuple(str(term) for term in row) for row in result)


@pytest.mark.parametrize(("query", "graphs"), CASES)
def test_same_answers_as_the_whole_union(
    worker_dataset: worker._Dataset, query: str, graphs: list[str]
) -> None:
    text = P + query
    pruned = worker_dataset.default_graph_for(text)
    try:
        union = _answer(worker_dataset, text, default_graph=worker_dataset.default_graph)
    except SyntaxError:  # not a query Oxigraph accepts: refused over either dataset
        with pytest.raises(SyntaxError):
            _answer(worker_dataset, text, default_graph=pruned)
        return
    assert _answer(worker_dataset, text, default_graph=pruned) == union


def test_pruning_changes_nothing_the_endpoint_answers(worker_dataset: worker._Dataset) -> None:
    """Through the worker's own entry point: rows that need the registry graph and the
    ontology are still found."""
    body, _ = worker.run_query(
        worker_dataset,
        P + "SELECT ?s ?st ?l WHERE { ?s a scs:Standard ; scs:registerStatus ?st ; "
        "scs:category ?c . ?c skos:prefLabel ?l }",
        "json",
        1000,
    )
    rows = json.loads(body)["results"]["bindings"]
    assert rows and all({"s", "st", "l"} <= set(row) for row in rows)


def test_a_query_that_matches_nowhere_gets_one_graph(worker_dataset: worker._Dataset) -> None:
    text = "SELECT * { ?s <urn:nowhere> ?o }"
    assert _chosen(worker_dataset, text) == [CURRENT]
    assert _answer(worker_dataset, text, default_graph=worker_dataset.default_graph_for(text)) == []


def test_matcher_sees_constants() -> None:
    """Constant IRIs narrow the lookups, a literal is a wildcard: a predicate a graph
    uses with other objects does not keep that graph."""

    def matches(graph: str, lookup: tuple[str | None, str | None, str | None]) -> bool:
        return graph == "g1" or lookup[2] is None

    assert needed_graphs("SELECT * { ?s <urn:p> <urn:o> }", ["g1", "g2"], matches) == ["g1"]
    text = "SELECT * { ?s <urn:p> <urn:o> . <urn:s> <urn:q> 'lit' }"
    assert needed_graphs(text, ["g1", "g2"], matches) == ["g1", "g2"]
