"""The store protocol, run on every back end through the `store` fixture."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from registry.namespaces import GRAPH_CHANGES, GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY, SCS
from registry.store import (
    BACKENDS,
    OxigraphStore,
    Store,
    StoreClosedError,
    StoreError,
    StoreLockedError,
    StoreQueryError,
    StoreWriteError,
    WriteBatch,
    backend_kind,
    change_log,
    open_store,
)
from tests.conftest import ROOT

BASE = "http://127.0.0.1:8000/id/"
STD = URIRef(f"{BASE}standard/GB-T-34678-2017")
# IRIs with non-ASCII characters are legal (IRIs, not URIs) and do occur.
STD_ZH = URIRef(f"{BASE}standard/智慧城市-术语")
# Not `from rdflib.namespace import XSD`: pytest's collection probes module
# attributes and rdflib warns about the unknown names it asks the XSD namespace for.
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
G1 = "urn:test:g1"
G2 = "urn:test:g2"


def sample_graph() -> Graph:
    g = Graph()
    g.add((STD, RDF.type, SCS.Standard))
    g.add((STD, DCTERMS.identifier, Literal("GB/T 34678-2017")))
    g.add((STD, DCTERMS.title, Literal("智慧城市 技术参考模型", lang="zh")))
    g.add((STD, DCTERMS.title, Literal("Smart city - Technical reference model", lang="en")))
    g.add((STD, DCTERMS.issued, Literal("2017-10-14", datatype=XSD_DATE)))
    g.add((STD, SCS.pageCount, Literal(42)))
    g.add((STD, DCTERMS.relation, STD_ZH))
    g.add((STD_ZH, DCTERMS.title, Literal("智慧城市 术语", lang="zh")))
    # Characters that must be escaped in SPARQL and N-Quads text, and text that
    # looks like an escape but must stay as it is.
    g.add((STD_ZH, DCTERMS.description, Literal('a "quoted" \\ back\nslash\r\\u0022 }} ;')))
    return g


def all_quads(store: Store) -> set[bytes]:
    return set(store.dump("nquads").splitlines())


# -- round trips ---------------------------------------------------------------


def test_write_then_read_graph_is_isomorphic(store: Store) -> None:
    original = sample_graph()
    store.write(WriteBatch().add_triples(G1, original))
    back = store.read_graph(G1)
    assert isomorphic(back, original)
    assert set(back) == set(original)  # no blank nodes, so the same terms exactly


def test_plain_literals_read_back_plain(store: Store) -> None:
    store.write(WriteBatch().add_triples(G1, sample_graph()))
    rows = store.select(f"SELECT ?id WHERE {{ <{STD}> <{DCTERMS.identifier}> ?id }}")
    assert rows == [{"id": Literal("GB/T 34678-2017")}]
    assert rows[0]["id"].datatype is None
    # A plain literal in a query matches the stored value (RDF 1.1: same term).
    assert store.ask(f'ASK {{ ?s <{DCTERMS.identifier}> "GB/T 34678-2017" }}')


def test_canonical_forms_of_typed_literals(store: Store) -> None:
    """Oxigraph stores numbers by value: lexical forms come back canonical. rdflib
    normalises integers and doubles the same way; decimals are equal by value."""
    s, p = URIRef(f"{BASE}x"), URIRef(f"{BASE}p")
    g = Graph()
    for value in (
        Literal("01", datatype=XSD_INTEGER),
        Literal(2.5e10),
        Literal(Decimal("12.50")),
        Literal("x", lang="zh-CN"),
    ):
        g.add((s, p, value))
    store.write(WriteBatch().add_triples(G1, g))
    back = {o for o in store.read_graph(G1).objects(s, p)}
    assert Literal(1) in back
    assert Literal(2.5e10) in back
    assert Literal("x", lang="zh-cn") in back
    decimal = next(o for o in back if o.datatype == XSD_DECIMAL)
    assert decimal.toPython() == Decimal("12.5")


def test_blank_nodes_are_stored_but_not_removable_one_by_one(store: Store) -> None:
    g = Graph()
    node = BNode()
    g.add((STD, DCTERMS.publisher, node))
    g.add((node, DCTERMS.title, Literal("某部门", lang="zh")))
    store.write(WriteBatch().add_triples(G1, g))
    assert isomorphic(store.read_graph(G1), g)
    with pytest.raises(StoreWriteError):
        store.write(WriteBatch().remove_triples(G1, [(STD, DCTERMS.publisher, node)]))
    store.write(WriteBatch().clear_graph(G1))
    assert not store.graph_exists(G1)


# -- queries -------------------------------------------------------------------


@pytest.fixture
def two_graphs(store: Store) -> Store:
    store.write(
        WriteBatch()
        .add_triples(G1, [(STD, RDF.type, SCS.Standard)])
        .add_triples(G2, [(STD_ZH, RDF.type, SCS.Standard)])
    )
    return store


def test_select_default_graph_is_the_union(two_graphs: Store) -> None:
    rows = two_graphs.select(f"SELECT ?s WHERE {{ ?s a <{SCS.Standard}> }} ORDER BY ?s")
    assert {row["s"] for row in rows} == {STD, STD_ZH}


def test_select_with_graph(two_graphs: Store) -> None:
    rows = two_graphs.select(f"SELECT ?s WHERE {{ GRAPH <{G1}> {{ ?s a <{SCS.Standard}> }} }}")
    assert rows == [{"s": STD}]
    rows = two_graphs.select(f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s a <{SCS.Standard}> }} }}")
    assert {(row["g"], row["s"]) for row in rows} == {(URIRef(G1), STD), (URIRef(G2), STD_ZH)}


def test_unbound_variables_are_absent_from_rows(two_graphs: Store) -> None:
    rows = two_graphs.select(
        f"SELECT ?s ?title WHERE {{ ?s a <{SCS.Standard}> "
        f"OPTIONAL {{ ?s <{DCTERMS.title}> ?title }} }}"
    )
    assert all(set(row) == {"s"} for row in rows)


def test_select_with_bindings(two_graphs: Store) -> None:
    rows = two_graphs.select("SELECT ?g WHERE { GRAPH ?g { ?s a ?c } }", {"s": STD_ZH})
    assert rows == [{"g": URIRef(G2)}]


def test_ask(two_graphs: Store) -> None:
    assert two_graphs.ask(f"ASK {{ <{STD}> a <{SCS.Standard}> }}")
    assert two_graphs.ask(f"ASK {{ GRAPH <{G2}> {{ <{STD_ZH}> a ?c }} }}")
    assert not two_graphs.ask(f"ASK {{ GRAPH <{G1}> {{ <{STD_ZH}> a ?c }} }}")


def test_construct(two_graphs: Store) -> None:
    union = two_graphs.construct(f"CONSTRUCT WHERE {{ ?s a <{SCS.Standard}> }}")
    assert isinstance(union, Graph)
    assert set(union) == {(STD, RDF.type, SCS.Standard), (STD_ZH, RDF.type, SCS.Standard)}
    one = two_graphs.construct(f"CONSTRUCT {{ ?s a ?c }} WHERE {{ GRAPH <{G2}> {{ ?s a ?c }} }}")
    assert set(one) == {(STD_ZH, RDF.type, SCS.Standard)}


@pytest.mark.parametrize(
    ("method", "query"),
    [
        ("select", "SELECT WHERE { broken"),
        ("select", "ASK { ?s ?p ?o }"),
        ("ask", "SELECT * WHERE { ?s ?p ?o }"),
        ("construct", "SELECT * WHERE { ?s ?p ?o }"),
    ],
)
def test_bad_or_wrong_kind_of_query(store: Store, method: str, query: str) -> None:
    with pytest.raises(StoreQueryError):
        getattr(store, method)(query)


# -- writes --------------------------------------------------------------------


def test_generation_starts_at_zero_and_counts_writes(store: Store) -> None:
    assert store.generation() == 0
    assert store.write(WriteBatch().add_triples(G1, sample_graph())) == 1
    assert store.write(WriteBatch().replace_graph(G1, sample_graph())) == 2
    assert store.write(WriteBatch()) == 3  # an empty batch is a write too
    assert store.write(WriteBatch().clear_graph(GRAPH_REGISTRY)) == 4  # cannot lose it
    assert store.generation() == 4
    rows = store.select(
        f"SELECT ?n WHERE {{ GRAPH <{GRAPH_REGISTRY}> "
        f"{{ <urn:screg:store> <{SCS.generation}> ?n }} }}"
    )
    assert rows == [{"n": Literal(4)}]


@pytest.mark.parametrize(
    "bad",
    [
        URIRef("http://example.org/has space"),
        URIRef("http://example.org/x> } }; DROP ALL; INSERT DATA { GRAPH <urn:x> { <a:b"),
        URIRef("relative/iri"),  # passes our check, refused by the store itself
        Literal("x", datatype=URIRef("relative-datatype")),
        Variable("x"),
    ],
    ids=["space", "injection", "relative", "datatype", "variable"],
)
@pytest.mark.parametrize("path", ["add-only", "with-removal"])
def test_failed_batch_changes_nothing(store: Store, bad: object, path: str) -> None:
    store.write(WriteBatch().add_triples(G1, sample_graph()).add_triples(G2, sample_graph()))
    before, generation = all_quads(store), store.generation()
    good = [(URIRef(f"{BASE}ok/{i}"), RDF.type, SCS.Standard) for i in range(100)]
    batch = WriteBatch().add_triples(GRAPH_CURRENT, good)
    batch.add_triples(GRAPH_CURRENT, [(STD, DCTERMS.title, bad)])
    batch.add_triples(GRAPH_CURRENT, good[:10])
    if path == "with-removal":
        batch = batch.clear_graph(G2).remove_triples(G1, [(STD, RDF.type, SCS.Standard)])
    with pytest.raises(StoreWriteError):
        store.write(batch)
    assert all_quads(store) == before
    assert store.generation() == generation


@pytest.mark.parametrize(
    "bad",
    [URIRef("relative/iri"), Literal("x", datatype=URIRef("relative-datatype")), Variable("x")],
    ids=["relative", "datatype", "variable"],
)
def test_a_bad_term_after_the_first_chunks_of_a_large_batch_changes_nothing(
    store: Store, bad: object
) -> None:
    # The embedded store streams a large batch into its transaction a chunk at a time:
    # a term refused in a later chunk must undo the chunks already taken.
    before, generation = all_quads(store), store.generation()
    good = [(URIRef(f"{BASE}ok/{i}"), RDF.type, SCS.Standard) for i in range(45_000)]
    batch = WriteBatch().add_triples(GRAPH_CURRENT, good)
    batch.add_triples(G2, [*good[:10], (STD, DCTERMS.title, bad)])
    with pytest.raises(StoreWriteError):
        store.write(batch)
    assert all_quads(store) == before
    assert store.generation() == generation


def test_clear_then_add_replaces_a_graph(store: Store) -> None:
    store.write(WriteBatch().add_triples(G1, sample_graph()).add_triples(G2, sample_graph()))
    new = Graph()
    new.add((STD, DCTERMS.title, Literal("新标题", lang="zh")))
    store.write(WriteBatch().replace_graph(G1, new))
    assert set(store.read_graph(G1)) == set(new)
    assert isomorphic(store.read_graph(G2), sample_graph())


def test_remove_triples(store: Store) -> None:
    g = sample_graph()
    store.write(WriteBatch().add_triples(G1, g))
    gone = (STD, DCTERMS.title, Literal("智慧城市 技术参考模型", lang="zh"))
    plain = (STD, DCTERMS.identifier, Literal("GB/T 34678-2017"))
    store.write(WriteBatch().remove_triples(G1, [gone, plain]))
    assert set(store.read_graph(G1)) == set(g) - {gone, plain}


def test_graph_exists_and_list_graphs(store: Store) -> None:
    assert store.list_graphs() == []
    assert not store.graph_exists(G1)
    store.write(WriteBatch().add_triples(G1, sample_graph()).add_triples(G2, sample_graph()))
    assert store.graph_exists(G1)
    assert store.list_graphs("urn:test:") == [G1, G2]
    assert store.list_graphs() == [GRAPH_CHANGES, GRAPH_REGISTRY, G1, G2]
    store.write(WriteBatch().remove_triples(G1, sample_graph()))
    assert not store.graph_exists(G1)  # emptied is gone, as on every back end
    store.write(WriteBatch().clear_graph(G2))
    assert store.list_graphs("urn:test:") == []
    assert len(store.read_graph(G2)) == 0


def test_concurrent_writes_lose_nothing(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(50):
                triple = (URIRef(f"{BASE}{name}/{i}"), RDF.type, SCS.Standard)
                if i % 2:
                    store.write(WriteBatch().add_triples(G1, [triple]))
                else:  # the other write path, through a removal
                    store.write(WriteBatch().remove_triples(G2, [triple]).add_triples(G1, [triple]))
        except BaseException as exc:  # reported below; a thread would swallow it
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert store.generation() == 100
    assert len(store.read_graph(G1)) == 100


# -- dump and restore ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_dump_then_load_into_a_fresh_store(store: Store, fmt: str) -> None:
    store.write(WriteBatch().add_triples(G1, sample_graph()))
    store.write(WriteBatch().add_triples(G2, sample_graph()))
    with open_store("memory") as fresh:
        assert fresh.load_dump(store.dump(fmt), fmt) == 2
        # The restored store also says where its change log begins.
        since = f"<urn:screg:store> <{SCS.changeLogSince}> "
        restored = all_quads(fresh)
        assert {q for q in restored if not q.startswith(since.encode())} == all_quads(store)
        # the sample twice, the generation, and a change log record for each write
        assert store.quad_count() == 2 * len(sample_graph()) + 1 + 2
        assert fresh.quad_count() == store.quad_count() + 1


def test_load_dump_into_this_store(store: Store) -> None:
    with open_store("memory") as source:
        source.write(WriteBatch().add_triples(G1, sample_graph()))
        store.load_dump(source.dump())
        assert all_quads(store) >= all_quads(source)
    assert store.generation() == 1
    assert isomorphic(store.read_graph(G1), sample_graph())


def test_load_dump_refuses_a_store_with_data(store: Store) -> None:
    store.write(WriteBatch().add_triples(G1, sample_graph()))
    with pytest.raises(StoreError, match="empty"):
        store.load_dump(store.dump())


def test_load_dump_without_generation_counts_as_a_write(store: Store) -> None:
    data = f"<{STD}> <{RDF.type}> <{SCS.Standard}> <{G1}> .\n".encode()
    assert store.load_dump(data) == 1


def test_a_bad_dump_loads_nothing(store: Store) -> None:
    data = f"<{STD}> <{RDF.type}> <{SCS.Standard}> <{G1}> .\nthis is not n-quads\n".encode()
    with pytest.raises(StoreWriteError):
        store.load_dump(data)
    assert store.quad_count() == 0


# -- changes since a generation ------------------------------------------------
# Read from the change log each write leaves in the store, alike on every back end.

A, B, C = (URIRef(f"{BASE}x/{n}") for n in "abc")


def test_changes_since_names_the_subjects_of_each_write(store: Store) -> None:
    start = store.generation()
    first = store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(A, RDF.type, SCS.Standard)]))
    # The registry graph counts; other graphs (version, report graphs) do not.
    registry_only = WriteBatch().add_triples(GRAPH_REGISTRY, [(B, SCS.registerStatus, C)])
    second = store.write(registry_only.add_triples(G1, [(C, RDF.type, SCS.Standard)]))
    third = store.write(WriteBatch().remove_triples(GRAPH_CURRENT, [(A, RDF.type, SCS.Standard)]))
    assert store.changes_since(start) == {str(A), str(B)}
    assert store.changes_since(first) == {str(A), str(B)}
    assert store.changes_since(second) == {str(A)}
    assert store.changes_since(third) == frozenset()
    assert store.changes_since(third + 1) is None  # a generation not reached yet


@pytest.mark.parametrize(
    "batch",
    [
        WriteBatch().clear_graph(GRAPH_CURRENT),
        WriteBatch().clear_graph(GRAPH_REGISTRY),
        WriteBatch().clear_graph(GRAPH_ONTOLOGY),
        WriteBatch().add_triples(GRAPH_ONTOLOGY, [(A, RDF.type, SCS.Standard)]),
        WriteBatch().remove_triples(GRAPH_ONTOLOGY, [(A, RDF.type, SCS.Standard)]),
    ],
    ids=["clear-current", "clear-registry", "clear-ontology", "ontology-add", "ontology-remove"],
)
def test_changes_since_is_unknown_across_a_write_it_cannot_list(
    store: Store, batch: WriteBatch
) -> None:
    start = store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(A, RDF.type, SCS.Standard)]))
    unlisted = store.write(batch)
    after = store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(B, RDF.type, SCS.Standard)]))
    assert store.changes_since(start) is None
    assert store.changes_since(unlisted) == {str(B)}
    assert store.changes_since(after) == frozenset()


def test_changes_since_is_unknown_across_a_write_without_a_record(store: Store) -> None:
    # What a store written before there was a change log looks like to this code.
    start = store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(A, RDF.type, SCS.Standard)]))
    unlogged = store.write(
        WriteBatch(change=None).add_triples(GRAPH_CURRENT, [(B, RDF.type, SCS.Standard)])
    )
    store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(C, RDF.type, SCS.Standard)]))
    assert store.changes_since(start - 1) is None
    assert store.changes_since(start) is None
    assert store.changes_since(unlogged) == {str(C)}


def test_changes_since_reaches_back_over_many_writes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More writes than are looked up one by one (change_log.LOOKUP_AT_MOST, made small
    # here: 300 writes to pass the real 256 took 10-20 s on a server).
    monkeypatch.setattr(change_log, "LOOKUP_AT_MOST", 8)
    start = store.generation()
    for n in range(12):
        store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(URIRef(f"{BASE}n/{n}"), A, B)]))
    assert store.changes_since(start) == {f"{BASE}n/{n}" for n in range(12)}
    assert store.changes_since(start + 1) == {f"{BASE}n/{n}" for n in range(1, 12)}
    # Within the one-by-one lookup too.
    assert store.changes_since(start + 6) == {f"{BASE}n/{n}" for n in range(6, 12)}


def test_changes_since_finds_each_of_the_last_writes(store: Store) -> None:
    """Regression: Virtuoso did not find most log records by their generation (a
    constant or VALUES lookup of the integer), so changes_since said None after a
    few writes; it reads them with range filters there."""
    start = store.generation()
    subjects = [URIRef(f"{BASE}n/{n}") for n in range(20)]
    for subject in subjects:
        store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(subject, A, B)]))
    for back in range(1, 21):
        expected = {str(subject) for subject in subjects[20 - back :]}
        assert store.changes_since(start + 20 - back) == expected, back


def test_changes_since_is_unknown_before_a_load(store: Store, tmp_path: Path) -> None:
    with open_store("memory") as source:
        source.write(WriteBatch().add_triples(GRAPH_CURRENT, [(A, RDF.type, SCS.Standard)]))
        source.write(WriteBatch().add_triples(GRAPH_CURRENT, [(B, RDF.type, SCS.Standard)]))
        dump = source.dump()
    loaded = store.load_dump(dump)
    assert loaded == 2
    # The dump holds its log, but a reader at an earlier generation read another store.
    assert store.changes_since(0) is None
    assert store.changes_since(1) is None
    assert store.changes_since(loaded) == frozenset()
    store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(C, RDF.type, SCS.Standard)]))
    assert store.changes_since(loaded) == {str(C)}


def test_changes_since_survives_reopening_the_store(tmp_path: Path) -> None:
    # The log is in the store, not in the process that wrote: regression for the
    # in-memory log, which began again at every opening.
    with open_store(str(tmp_path / "store")) as store:
        first = store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(A, RDF.type, SCS.Standard)]))
        store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(B, RDF.type, SCS.Standard)]))
    with open_store(str(tmp_path / "store")) as reopened:
        assert reopened.changes_since(first) == {str(B)}
        assert reopened.changes_since(first - 1) == {str(A), str(B)}


def test_a_failed_write_is_not_logged(store: Store) -> None:
    start = store.generation()
    bad = WriteBatch().add_triples(GRAPH_CURRENT, [(A, DCTERMS.title, URIRef("relative/iri"))])
    with pytest.raises(StoreWriteError):
        store.write(bad)
    assert store.changes_since(start) == frozenset()
    store.write(WriteBatch().add_triples(GRAPH_CURRENT, [(B, RDF.type, SCS.Standard)]))
    assert store.changes_since(start) == {str(B)}


# -- life cycle ----------------------------------------------------------------


def test_closed_store_refuses_work(store: Store) -> None:
    store.close()
    store.close()
    with pytest.raises(StoreClosedError):
        store.generation()
    with pytest.raises(StoreClosedError):
        store.write(WriteBatch())


def test_disk_store_keeps_data_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store"
    with open_store(str(path)) as store:
        store.write(WriteBatch().add_triples(G1, sample_graph()))
    with open_store(str(path)) as store:
        assert store.generation() == 1
        assert isomorphic(store.read_graph(G1), sample_graph())


def test_disk_store_open_twice_in_one_process(tmp_path: Path) -> None:
    with open_store(str(tmp_path)), pytest.raises(StoreLockedError, match=str(tmp_path)):
        open_store(str(tmp_path))


def test_a_held_disk_store_is_read_as_a_snapshot_and_refuses_writes(tmp_path: Path) -> None:
    """What a command beside `screg serve` opens: no lock taken, the data as of the
    open, every write refused with the store untouched."""
    with open_store(str(tmp_path)) as held:
        held.write(WriteBatch().add_triples(G1, sample_graph()))
        with OxigraphStore(tmp_path, read_only=True) as snapshot:
            assert snapshot.generation() == 1
            assert isomorphic(snapshot.read_graph(G1), sample_graph())
            held.write(WriteBatch().add_triples(G2, sample_graph()))
            assert snapshot.generation() == 1  # a snapshot: the later write is not seen
            with pytest.raises(StoreWriteError, match="read only"):
                snapshot.write(WriteBatch().add_triples(G2, sample_graph()))
            with pytest.raises(StoreWriteError, match="read only"):
                snapshot.load_dump(b"", "nquads")
        assert held.generation() == 2
    with pytest.raises(StoreError, match="no store"):
        OxigraphStore(tmp_path / "missing", read_only=True)


def test_disk_store_open_in_a_second_process(tmp_path: Path) -> None:
    path = tmp_path / "store"
    child = textwrap.dedent(
        """
        import sys
        from registry.store import StoreLockedError, open_store
        try:
            open_store(sys.argv[1])
        except StoreLockedError as exc:
            print("locked:", exc)
            sys.exit(3)
        print("opened")
        """
    )
    with open_store(str(path)) as store:
        store.write(WriteBatch().add_triples(G1, sample_graph()))
        result = subprocess.run(
            [sys.executable, "-c", child, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 3, result.stdout + result.stderr
        assert f"locked: the store at {path}" in result.stdout
        # The refused opener did no harm.
        assert isomorphic(store.read_graph(G1), sample_graph())
    with open_store(str(path)) as store:
        assert store.generation() == 1


_KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from rdflib import Literal, URIRef
    from registry.store import WriteBatch, open_store
    path, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    def triples(tag):
        return [(URIRef(f"http://e.org/{tag}/{i}"), URIRef("http://e.org/p"), Literal(f"v{i}"))
                for i in range(n)]
    store = open_store(path)
    if mode == "replace":
        store.write(WriteBatch().add_triples("urn:g", triples("old")))
        batch = WriteBatch().replace_graph("urn:g", triples("new"))
    else:
        batch = WriteBatch().add_triples("urn:g", triples("new"))
    print("writing", flush=True)
    store.write(batch)
    print("done", flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["add", "replace"])
def test_sigkill_mid_batch_leaves_all_or_nothing(tmp_path: Path, mode: str) -> None:
    path, n = tmp_path / "store", 30_000
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(path), mode, str(n)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    threading.Event().wait(0.3)  # well inside the batch, which takes seconds on disk
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    with open_store(str(path)) as store:
        subjects = {str(s).split("/")[3] for s in store.read_graph("urn:g").subjects()}
        count = len(store.read_graph("urn:g"))
        generation = store.generation()
    before = {"add": (set(), 0, 0), "replace": ({"old"}, n, 1)}[mode]
    after = ({"new"}, n, before[2] + 1)
    outcome = (subjects, count, generation)
    assert outcome in (before, after)


# -- choosing the back end -----------------------------------------------------


def test_open_store_maps_settings_to_back_ends(tmp_path: Path) -> None:
    assert set(BACKENDS) == {"memory", "http", "https", "path"}
    assert backend_kind("memory") == "memory"
    assert backend_kind("https://sparql.example.org/sparql") == "https"
    assert backend_kind("var/registry") == "path"
    with open_store("memory") as store:
        assert isinstance(store, OxigraphStore)
        assert store.path is None
    path = tmp_path / "a" / "b"
    with open_store(str(path)) as store:
        assert isinstance(store, OxigraphStore)
        assert store.path == path
    assert path.is_dir()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/sparql", "http://u:secret@127.0.0.1:9/q"])
def test_unreachable_remote_store_gives_a_clear_error(url: str) -> None:
    # Nothing listens on the loopback's discard port; the password never shows.
    with pytest.raises(StoreError, match="cannot reach the SPARQL server") as caught:
        open_store(url)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("setting", ["", "ftp://example.org/store"])
def test_unusable_settings_are_refused(setting: str) -> None:
    with pytest.raises(StoreError):
        open_store(setting)


def test_a_refused_iri_was_named_by_its_python_repr(store: Store) -> None:
    """The refusal of an empty IRI read "not a valid IRI: rdflib.term.URIRef('')",
    which a clerk saw in the HTTP answer of a registration."""
    batch = WriteBatch().add_triples(GRAPH_CURRENT, [(STD, DCTERMS.source, URIRef(""))])
    with pytest.raises(StoreWriteError) as refused:
        store.write(batch)
    assert "rdflib" not in str(refused.value) and "URIRef" not in str(refused.value)
