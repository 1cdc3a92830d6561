"""One entry read from the store: `Store.match` on every back end, a reader's entry
equal to the whole-registry Snapshot's record, and the remote path's one SELECT per
kind equal to the embedded store's reads entry by entry.

Store tests, parametrised over the back ends by the `store` fixture (tests/conftest.py);
the HTTP lookups built on them are in tests/api/test_entry_lookups.py, which runs on the
back end `--api-store` names.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from registry.errors import NotFoundError
from registry.namespaces import GRAPH_CURRENT, GRAPH_REGISTRY
from registry.service import Registry
from registry.store import OxigraphStore, Store, WriteBatch
from tests.read.oracle import SnapshotAnswers, load_snapshot

# -- Store.match, on every back end ------------------------------------------------------


def test_match_reads_one_graph_by_pattern(store: Store) -> None:
    a, b, p, q = (URIRef(f"urn:x:{n}") for n in "abpq")
    store.write(
        WriteBatch()
        .add_triples(
            GRAPH_CURRENT, [(a, p, Literal("x")), (a, q, b), (b, p, Literal("y", lang="en"))]
        )
        .add_triples(GRAPH_REGISTRY, [(a, p, Literal("elsewhere"))])
    )
    assert set(store.match(GRAPH_CURRENT, a)) == {(a, p, Literal("x")), (a, q, b)}
    # Who points at b: an index lookup on the object.
    assert store.match(GRAPH_CURRENT, None, None, b) == [(a, q, b)]
    # A plain literal matches and reads back plain, as everywhere in the protocol.
    assert store.match(GRAPH_CURRENT, None, p, Literal("x")) == [(a, p, Literal("x"))]
    assert store.match(GRAPH_CURRENT, b, p) == [(b, p, Literal("y", lang="en"))]
    assert store.match(GRAPH_REGISTRY, a) == [(a, p, Literal("elsewhere"))]
    assert store.match(GRAPH_CURRENT, a, RDF.type) == []
    assert store.match("urn:x:no-such-graph", a) == []


# -- the same answers as the whole-registry Snapshot, on every back end --------------------


def test_entry_is_the_snapshot_record_with_its_items_and_referrers(registry: Registry) -> None:
    store = registry.store
    oracle = SnapshotAnswers(store)
    read = registry.reader()
    checked = 0
    for kind, records in oracle.snap.records.items():
        for expected in records:
            ident = expected["id"] or expected["iri"]
            found = read.entry(kind, ident)
            assert found == oracle.entry(kind, ident)
            extra = {"data_items", "referenced_by", "provides"}
            assert list(found) == [*expected, *(k for k in found if k in extra)]
            checked += 1
    assert checked > 50
    cited = read.entry("standard", "GB/T 21063.3-2007")
    assert cited["referenced_by"], "the examples cite this standard"
    resource = next(r for r in oracle.snap.records["resource"] if r["data_item_count"])
    items = read.entry("resource", resource["id"])["data_items"]
    assert len(items) == resource["data_item_count"]
    assert [i["position"] for i in items] == sorted(i["position"] or 0 for i in items)


def test_entry_of_another_kind_is_not_found(registry: Registry) -> None:
    read = registry.reader()
    read.entry("standard", "GB/T 21063.3-2007")
    with pytest.raises(NotFoundError):
        read.entry("resource", "GB/T 21063.3-2007")


# -- the records the read model is built from ----------------------------------------------


class OneSelectStore(OxigraphStore):
    """The embedded store taking the path of a remote one: every entry of a kind in
    one SELECT."""

    in_process = False


def test_snapshot_read_entry_by_entry_equals_one_select(seeded_dump: bytes) -> None:
    by_entry, by_select = OxigraphStore(), OneSelectStore()
    for store in (by_entry, by_select):
        store.load_dump(seeded_dump, "nquads")
    a, b = load_snapshot(by_entry), load_snapshot(by_select)
    assert a.records == b.records and a.referrers == b.referrers
    assert a.records["resource"] and all(
        r["publisher"].get("kind") == "department" for r in a.records["resource"]
    )
