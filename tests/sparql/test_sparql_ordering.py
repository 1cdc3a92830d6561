"""The worker's own ORDER BY (registry/sparql/ordering.py): which queries it takes,
and that their answers are Oxigraph's, byte for byte, on the worker_dataset registry (the
slow cause on disk: Oxigraph reads both terms' strings back from RocksDB at every
comparison, docs/benchmarks.md)."""

from __future__ import annotations

import pytest

from registry.sparql import worker
from registry.sparql.dataset import HIDDEN_GRAPHS, PUBLIC_DEFAULT_GRAPHS
from registry.sparql.ordering import sort_plan
from registry.sparql.patterns import parse

P = (
    "PREFIX scs: <https://w3id.org/smartcity-std#>\n"
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)


def _plan(text: str):
    tree = parse(text)
    assert tree is not None, text
    return sort_plan(text, tree[1])


def test_plan_of_a_plain_order_limit_offset() -> None:
    where = "SELECT ?s ?id WHERE { ?s dct:identifier ?id } "
    text = P + where + "ORDER BY DESC(?id) ?s LIMIT 5 OFFSET 2"
    plan = _plan(text)
    assert plan is not None
    assert plan.text == P + where
    assert plan.keys == (("id", True), ("s", False))
    assert (plan.offset, plan.limit) == (2, 5)
    lower = _plan("select ?s { ?s ?p ?o } order by asc(?s) # the end\n limit 3")
    assert lower is not None and lower.text == "select ?s { ?s ?p ?o } " and lower.limit == 3


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s WHERE { ?s ?p ?o }",  # nothing to order
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)",  # an expression
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o",  # not projected
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <urn:a> }",
        "SELECT ?s WHERE { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 2 } }",  # inner only
        "ASK { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s",
    ],
)
def test_queries_left_to_the_engine(text: str) -> None:
    assert _plan(text) is None


ORDERED = [
    # every projected variable a key: no ties, so the very same bytes
    "SELECT ?s ?id WHERE { ?s a scs:Standard ; dct:identifier ?id } ORDER BY ?id ?s",
    "SELECT ?s ?id WHERE { ?s a scs:Standard ; dct:identifier ?id } ORDER BY DESC(?id) ?s "
    "LIMIT 3 OFFSET 1",
    "SELECT DISTINCT ?c ?s WHERE { ?s scs:category ?c } ORDER BY DESC(?c) ASC(?s) LIMIT 4",
    "SELECT ?c ?st (COUNT(?s) AS ?n) WHERE { ?s a scs:Standard ; scs:category ?c ; "
    "scs:standardStatus ?st } GROUP BY ?c ?st ORDER BY ?c ?st",
    # unbound values (OPTIONAL) sort first, and last in DESC
    "SELECT ?s ?r WHERE { ?s a scs:Standard OPTIONAL { ?s dct:isReplacedBy ?r } } ORDER BY ?r ?s",
    "SELECT ?s ?r WHERE { ?s a scs:Standard OPTIONAL { ?s dct:isReplacedBy ?r } } "
    "ORDER BY DESC(?r) ?s",
    # IRIs and literals in one column: IRIs first
    "SELECT ?v WHERE { { ?s dct:identifier ?v } UNION { ?v a scs:Standard } } ORDER BY ?v",
    # language-tagged strings and numbers: back to the engine, same answer
    "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } ORDER BY ?l ?c LIMIT 10",
    "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s scs:category ?c } GROUP BY ?c ORDER BY ?n ?c",
    "SELECT ?s ?id WHERE { ?s dct:identifier ?id } ORDER BY ?id ?s LIMIT 0",
    "SELECT ?s ?id WHERE { ?s dct:identifier ?id } ORDER BY ?id ?s OFFSET 100000",
    "SELECT * WHERE { ?s dct:identifier ?id } ORDER BY ?id ?s",
]


@pytest.mark.parametrize("query", ORDERED)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_same_bytes_as_the_engine(worker_dataset: worker._Dataset, query: str, fmt: str) -> None:
    text = P + query
    ours, ours_truncated = worker.run_query(worker_dataset, text, fmt, 10_000)
    result = worker_dataset.store.query(text, default_graph=worker_dataset.default_graph)
    theirs, theirs_truncated = worker._solutions(result, fmt, 10_000)
    assert ours == theirs
    assert ours_truncated == theirs_truncated


def test_the_row_cap_applies_after_the_order(worker_dataset: worker._Dataset) -> None:
    text = P + "SELECT ?s ?id WHERE { ?s dct:identifier ?id } ORDER BY DESC(?id) ?s"
    ours, truncated = worker.run_query(worker_dataset, text, "csv", 2)
    result = worker_dataset.store.query(text, default_graph=worker_dataset.default_graph)
    theirs, _ = worker._solutions(result, "csv", 2)
    assert truncated and ours == theirs


def test_text_order_is_the_engines_for_any_script() -> None:
    """Code point order in Python and byte order of UTF-8 in Oxigraph agree, astral
    characters included (UTF-16 order would not)."""
    import pyoxigraph as ox

    words = ["b", "B", "a", "ä", "z", "共享", "中文", "\U0001f600", "\uff21", "", "a b", "a\tb"]
    quads = [
        ox.Quad(
            ox.NamedNode(f"urn:s{i}"),
            ox.NamedNode("urn:p"),
            ox.Literal(word),
            ox.NamedNode(PUBLIC_DEFAULT_GRAPHS[0]),
        )
        for i, word in enumerate(words)
    ]
    dataset = worker._Dataset(
        {
            "kind": "memory",
            "dump": ox.serialize(quads, format=ox.RdfFormat.N_QUADS),
            "generation": 1,
            "default_graphs": list(PUBLIC_DEFAULT_GRAPHS),
            "hidden_graphs": sorted(HIDDEN_GRAPHS),
        }
    )
    for order in ("?o ?s", "DESC(?o) ?s", "?s"):
        text = f"SELECT ?s ?o WHERE {{ ?s <urn:p> ?o }} ORDER BY {order}"
        assert _plan(text) is not None
        ours, _ = worker.run_query(dataset, text, "json", 100)
        result = dataset.store.query(text, default_graph=dataset.default_graph)
        assert ours == worker._solutions(result, "json", 100)[0], order
