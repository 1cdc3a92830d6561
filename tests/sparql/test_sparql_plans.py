"""The query worker parses a query *template* once (registry/sparql/patterns.py
`template`, registry/sparql/worker.py `query_plan`): the queries that differ only in
their IRIs and strings share rdflib's parse, and each still gets the default graph
and the ordering its own text calls for."""

from __future__ import annotations

import json

import pytest

from registry.sparql import worker
from registry.sparql.dataset import PUBLIC_DEFAULT_GRAPHS
from registry.sparql.ordering import plan_for, sort_plan
from registry.sparql.patterns import graphs_for_lookups, parse, template, tree_lookups
from tests.sparql.test_sparql_default_graph import CASES, P, _answer
from tests.sparql.test_sparql_ordering import ORDERED

CURRENT, ONTOLOGY, REGISTRY = PUBLIC_DEFAULT_GRAPHS
SCS = "https://w3id.org/smartcity-std#"

# Queries with IRIs and strings in their patterns, where the template matters.
WITH_CONSTANTS = [
    f"SELECT * {{ ?s <{SCS}registerStatus> ?o }}",
    f"SELECT * {{ ?s <{SCS}category> ?c . ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}",
    'SELECT ?s WHERE { ?s dct:identifier "GB/T 34678-2017" ; dct:title ?t }',
    "SELECT ?s WHERE { ?s dct:identifier '''x \"y\" z''' }",
    'SELECT ?s WHERE { ?s scs:versionNumber "1"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    'SELECT ?s WHERE { ?s skos:prefLabel "标准"@zh }',
    f"SELECT * {{ ?s <{SCS}category>/<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}",
    f"SELECT * {{ ?s <{SCS}category>* ?c }}",
    "SELECT * { ?s <relative> ?o }",
    "SELECT * { ?s <relative>/scs:category ?o }",
    "SELECT * { <http://127.0.0.1:8000/id/standard/GB-T-34678-2017> ?p ?o }",
    f"SELECT * {{ ?s ?p <{SCS}Standard> }}",
    f"CONSTRUCT {{ ?s <urn:x> ?o }} WHERE {{ ?s <{SCS}registerStatus> ?o }}",
    f"ASK {{ ?s <{SCS}registerStatus> ?o }}",
    f"DESCRIBE <{SCS}Standard>",
    # comparisons without spaces: the lexer reads `<?o)&&(?s>` as one IRI token
    f"SELECT * {{ ?s <{SCS}registerStatus> ?o FILTER((?s<?o)&&(?o>?s)) }}",
    f"SELECT * {{ ?s a scs:Standard FILTER(?s<<{SCS}x>) }}",
    f"SELECT * {{ ?s a scs:Standard FILTER EXISTS {{ ?s <{SCS}registerStatus> 'v' }} }}",
    f"SELECT ?s ?o WHERE {{ ?s <{SCS}registerStatus> ?o }} ORDER BY ?o DESC(?s) LIMIT 3",
]


def _graphs(dataset: worker._Dataset, lookups: object) -> list[str]:
    return graphs_for_lookups(lookups, dataset.default_graphs, dataset._graph_matches)  # type: ignore[arg-type]


@pytest.mark.parametrize("query", [case for case, _ in CASES] + WITH_CONSTANTS + ORDERED)
def test_a_template_plans_as_the_query_parsed_alone(
    worker_dataset: worker._Dataset, query: str
) -> None:
    """The graphs chosen and the ordering taken over from the engine are those of the
    query's own parse, the first time (the template parsed) and the second (reused)."""
    text = P + query
    tree = parse(text)
    alone = _graphs(worker_dataset, tree_lookups(tree))
    ordering = sort_plan(text, tree[1]) if tree is not None else None
    for _ in range(2):
        lookups, spec = worker.query_plan(text)
        assert _graphs(worker_dataset, lookups) == alone
        assert plan_for(text, spec) == ordering


def test_queries_of_one_template_get_their_own_graphs(worker_dataset: worker._Dataset) -> None:
    """What broke would be a template's graphs reused for another IRI: the query on
    register statuses must get the registry graph though the query on categories,
    same text but for the IRI, ran first on the current graph alone."""
    worker._TEMPLATES.clear()
    shape = "SELECT ?s ?o WHERE {{ ?s <{}> ?o }} ORDER BY ?s ?o"
    category = shape.format(SCS + "category")
    status = shape.format(SCS + "registerStatus")
    nowhere = shape.format("urn:nowhere")
    assert _chosen(worker_dataset, category) == [CURRENT]
    assert _chosen(worker_dataset, status) == [REGISTRY]
    assert _chosen(worker_dataset, nowhere) == [CURRENT]
    assert len(worker._TEMPLATES) == 1  # one parse for the three
    for text in (category, status, nowhere):
        body, _ = worker.run_query(worker_dataset, text, "json", 100_000)
        rows = json.loads(body)["results"]["bindings"]
        union = _answer(worker_dataset, text, default_graph=worker_dataset.default_graph)
        assert len(rows) == len(union)
    assert json.loads(worker.run_query(worker_dataset, status, "json", 100_000)[0])["results"][
        "bindings"
    ]


def test_queries_of_one_template_keep_their_own_strings(worker_dataset: worker._Dataset) -> None:
    worker._TEMPLATES.clear()
    found = P + 'SELECT ?s WHERE { ?s dct:identifier "GB/T 34678-2017" } ORDER BY ?s'
    missing = P + 'SELECT ?s WHERE { ?s dct:identifier "no such identifier" } ORDER BY ?s'
    first = json.loads(worker.run_query(worker_dataset, found, "json", 100)[0])
    second = json.loads(worker.run_query(worker_dataset, missing, "json", 100)[0])
    assert len(worker._TEMPLATES) == 1
    assert len(first["results"]["bindings"]) == 1
    assert second["results"]["bindings"] == []


def test_what_a_template_leaves_as_written() -> None:
    text = P + 'SELECT * { ?s <urn:p> "a" ; <urn:q> "1"^^<urn:t> FILTER((?s<?o)&&(?o>?s)) }'
    key, iris = template(text)  # type: ignore[misc]
    assert key.startswith(P)  # the prologue's IRIs stay
    assert iris == ("urn:p", "urn:q", "urn:t")  # the typed literal's datatype is a slot
    assert '"a"' not in key and '"1"^^' in key  # a plain string goes, a typed one stays
    assert "(?s<?o)&&(?o>?s)" in key  # brackets: a comparison, not an IRI
    assert template(text.replace("urn:p", "urn:\\u0070")) is None


def test_the_template_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    worker._TEMPLATES.clear()
    monkeypatch.setattr(worker, "_MAX_TEMPLATES", 3)
    texts = [f"SELECT ?x{i} WHERE {{ ?x{i} <urn:p> ?o }}" for i in range(5)]
    for text in texts:
        worker.query_plan(text)
    assert len(worker._TEMPLATES) == 3
    assert template(texts[0])[0] not in worker._TEMPLATES  # type: ignore[index]
    assert template(texts[4])[0] in worker._TEMPLATES  # type: ignore[index]


def _chosen(dataset: worker._Dataset, text: str) -> list[str]:
    return [graph.value for graph in dataset.default_graph_for(text)]
