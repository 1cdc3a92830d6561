"""The worker passes its named-graph list only when a query could reach a hidden graph
(registry/sparql/worker.py, `_Dataset.named_graphs_for`): the answers are the same
either way, and the hidden graph stays out of reach."""

from __future__ import annotations

import json

import pyoxigraph as ox

from registry.sparql import worker
from registry.sparql.dataset import HIDDEN_GRAPHS, PUBLIC_DEFAULT_GRAPHS

HIDDEN = sorted(HIDDEN_GRAPHS)[0]
CURRENT = "urn:screg:graph:current"


def _dataset(with_hidden: bool) -> worker._Dataset:
    quads = [
        ox.Quad(
            ox.NamedNode("urn:a"),
            ox.NamedNode("urn:p"),
            ox.Literal("public"),
            ox.NamedNode(CURRENT),
        ),
        ox.Quad(
            ox.NamedNode("urn:v"),
            ox.NamedNode("urn:p"),
            ox.Literal("version"),
            ox.NamedNode("urn:a/version/1"),
        ),
    ]
    if with_hidden:
        quads.append(
            ox.Quad(
                ox.NamedNode("urn:t"),
                ox.NamedNode("urn:p"),
                ox.Literal("secret"),
                ox.NamedNode(HIDDEN),
            )
        )
    dump = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return worker._Dataset(
        {
            "kind": "memory",
            "dump": dump,
            "generation": 1,
            "default_graphs": list(PUBLIC_DEFAULT_GRAPHS),
            "hidden_graphs": sorted(HIDDEN_GRAPHS),
        }
    )


def _values(dataset: worker._Dataset, query: str) -> set[str]:
    body, _ = worker.run_query(dataset, query, "json", 100)
    return {t["value"] for b in json.loads(body)["results"]["bindings"] for t in b.values()}


def test_no_list_without_a_hidden_graph() -> None:
    dataset = _dataset(with_hidden=False)
    assert dataset.named_graphs_for("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }") is None
    assert "version" in _values(dataset, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_list_only_when_a_query_can_name_a_graph() -> None:
    dataset = _dataset(with_hidden=True)
    assert dataset.named_graphs_for("SELECT * WHERE { ?s ?p ?o }") is None
    for text in (
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
        "select * where { graph ?g { ?s ?p ?o } }",
        "SELECT * FROM NAMED <urn:x> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { \\u0047RAPH ?g { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p 'Graph' }",
    ):
        assert dataset.named_graphs_for(text) == dataset.named_graphs, text
    assert all(g.value != HIDDEN for g in dataset.named_graphs)


def test_hidden_graph_unreachable_either_way() -> None:
    dataset = _dataset(with_hidden=True)
    assert _values(dataset, "SELECT ?o WHERE { ?s ?p ?o }") == {"public"}
    seen = _values(dataset, "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert "secret" not in seen and HIDDEN not in seen and "version" in seen
    assert _values(dataset, f"SELECT ?o WHERE {{ GRAPH <{HIDDEN}> {{ ?s ?p ?o }} }}") == set()
