"""What a SPARQL worker does when it opens the store for a new generation (after every
write on the embedded store). At 50,000 resources it listed every named graph (~65,000
version graphs, ~0.7 s) at each open, and kept the old generation's RocksDB open while
it opened the new one; with a client re-submitting back to back an ASK took 750 ms at
the median and some answered 500, the worker dying as it opened the store
(bench/sparql_under_writes_bench.py, docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from registry.sparql import worker
from registry.sparql.endpoint import worker_source
from registry.store import OxigraphStore, WriteBatch

HIDDEN = "urn:screg:graph:tokens"


def store_with_graphs(path: Path, hidden: bool) -> OxigraphStore:
    store = OxigraphStore(path)
    batch = WriteBatch()
    for n in range(50):
        one = Graph()
        one.add((URIRef(f"urn:x:{n}"), URIRef("urn:p"), Literal(n)))
        batch.add_triples(f"urn:test:version:{n}", one)
    if hidden:
        secret = Graph()
        secret.add((URIRef("urn:t"), URIRef("urn:p"), Literal("secret")))
        batch.add_triples(HIDDEN, secret)
    store.write(batch)
    return store


def test_an_open_lists_no_named_graph_until_a_query_may_name_one(tmp_path: Path) -> None:
    store = store_with_graphs(tmp_path / "store", hidden=True)
    try:
        dataset = worker.load(worker_source(store, store.generation()))
        assert dataset.hides  # the hidden graph is there
        assert dataset.named_graphs_for("ASK { ?s ?p ?o }") is None
        listed = dataset.named_graphs_for("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert listed is not None
        names = {g.value for g in listed}
        assert {f"urn:test:version:{n}" for n in range(50)} <= names
        assert not names & set(worker_source(store, 1)["hidden_graphs"])
    finally:
        store.close()
