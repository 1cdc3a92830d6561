"""A kept lookup answer carried over a write equals the answer built afresh.

Every entry of the seeded registry is looked up once (registry/kept_answers.py
`entry_answer`), then one write is made, then every entry is looked up again: each
answer must be byte for byte the one `queries.entry` builds from the store now. Each
test also checks which answers were carried (the same bytes object as before the
write) and that the entries the write touched, directly or through what they show,
were built again."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from registry.errors import RegistryError
from registry.inputs.document import Document
from registry.namespaces import GRAPH_CURRENT, GRAPH_ONTOLOGY
from registry.read import kept_answers, queries
from registry.read.kept_answers import AnswerCache, entry_answer
from registry.register.submission import REGISTRAR
from registry.service import Registry
from registry.store import WriteBatch
from tests.read.test_snapshot_patch import (
    BIG_DATA_BUREAU,
    NEW_RESOURCE,
    STANDARD,
    current_document,
    some_resource,
)

KINDS = ("standard", "resource", "interface", "department")

pytestmark = pytest.mark.parametrize("store", ["memory", "oxigraph-disk"], indirect=True)


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def lookups(registry: Registry) -> list[tuple[str, str]]:
    snapshot = queries.load_snapshot(registry.store)
    return [(kind, record["id"]) for kind in KINDS for record in snapshot.records[kind]]


def carried_over(registry: Registry, write: Callable[[], Any]) -> dict[str, set[str]]:
    """Every entry looked up before and after `write`; each answer after it checked
    against a fresh build, each error against the build's error. The entry IRIs whose
    answers were carried / built again, and the identifiers refused."""
    store, answers, cache = registry.store, AnswerCache(), queries.ReadCache()
    paths = lookups(registry)
    before = {path: entry_answer(store, answers, cache, *path, path, encode) for path in paths}
    write()
    found: dict[str, set[str]] = {"carried": set(), "built": set(), "refused": set()}
    for path in paths:
        kind, ident = path
        try:
            fresh = encode(queries.entry(store, kind, ident, queries.ReadCache()))
        except RegistryError as exc:  # gone, or now ambiguous: the same error, not a kept answer
            with pytest.raises(type(exc)):
                entry_answer(store, answers, cache, kind, ident, path, encode)
            found["refused"].add(ident)
            continue
        after = entry_answer(store, answers, cache, kind, ident, path, encode)
        assert after == fresh, path
        iri = json.loads(fresh)["iri"]
        found["carried" if after is before[path] else "built"].add(iri)
        # Served as kept at the new generation from now on.
        assert answers.get(store.generation(), path) is after
    return found


def test_a_status_change_rebuilds_the_entry_and_what_names_it(registry: Registry) -> None:
    found = carried_over(
        registry,
        lambda: registry.change_status(STANDARD, "deprecated", REGISTRAR, reason="replaced"),
    )
    assert STANDARD in found["built"]
    assert len(found["carried"]) > len(found["built"]) > 1  # its referrers show its status


def test_a_resubmitted_resource(registry: Registry) -> None:
    iri = some_resource(registry)
    doc = current_document(registry, iri, DCTERMS.title, Literal("改过的标题", lang="zh"))
    found = carried_over(registry, lambda: registry.submit([doc], REGISTRAR))
    assert iri in found["built"]
    assert found["carried"]


@pytest.mark.parametrize("read_all_up_to", [5_000, 0], ids=["read once", "each answer"])
def test_a_new_referrer_rebuilds_the_standard_it_refers_to(
    registry: Registry, monkeypatch: pytest.MonkeyPatch, read_all_up_to: int
) -> None:
    """Found both ways: from what the touched subjects point at (read once per write),
    and, for writes touching more subjects, from each standard's own referrers."""
    monkeypatch.setattr(kept_answers, "_READ_ALL_UP_TO", read_all_up_to)
    doc = Document("new.ttl", NEW_RESOURCE)
    found = carried_over(registry, lambda: registry.submit([doc], REGISTRAR))
    assert STANDARD in found["built"]  # its referenced_by lists the new resource
    assert found["carried"]


def test_a_reference_dropped_by_a_direct_write(registry: Registry) -> None:
    referring = next(
        str(s) for s, _, _ in registry.store.match(GRAPH_CURRENT, None, None, URIRef(STANDARD))
    )

    def drop() -> None:
        pointing = registry.store.match(GRAPH_CURRENT, URIRef(referring), None, URIRef(STANDARD))
        registry.store.write(WriteBatch().remove_triples(GRAPH_CURRENT, pointing))

    found = carried_over(registry, drop)
    assert {STANDARD, referring} <= found["built"]


def test_a_renamed_department_rebuilds_what_it_publishes(registry: Registry) -> None:
    name = Literal("沈阳市数据局", lang="zh")
    doc = current_document(registry, BIG_DATA_BUREAU, SKOS.prefLabel, name)
    found = carried_over(registry, lambda: registry.submit([doc], REGISTRAR))
    assert BIG_DATA_BUREAU in found["built"]
    assert some_resource(registry) in found["built"]


def test_an_ontology_write_rebuilds_every_answer(registry: Registry) -> None:
    level = URIRef("https://w3id.org/smartcity-std/code/level/national")

    def relabel() -> None:
        registry.store.write(
            WriteBatch().add_triples(GRAPH_ONTOLOGY, [(level, SKOS.altLabel, Literal("国标"))])
        )

    found = carried_over(registry, relabel)
    assert not found["carried"] and found["built"]


def test_a_write_outside_the_entries_carries_every_answer(registry: Registry) -> None:
    token = (URIRef("urn:x:token"), RDF.value, Literal("not an entry"))
    found = carried_over(
        registry,
        lambda: registry.store.write(
            WriteBatch().add_triples("urn:screg:graph:tokens-test", [token])
        ),
    )
    assert found["carried"] and not found["built"]


def test_a_subject_that_loses_its_type_is_not_found_any_more(registry: Registry) -> None:
    iri = some_resource(registry)
    store = registry.store
    typed = store.match(GRAPH_CURRENT, URIRef(iri), RDF.type)
    found = carried_over(
        registry, lambda: store.write(WriteBatch().remove_triples(GRAPH_CURRENT, typed))
    )
    assert iri not in found["carried"] | found["built"]


def test_an_identifier_given_to_another_entry(registry: Registry) -> None:
    """A path names an entry by its identifier; a write that gives that identifier to
    another entry may make the path name the other one, which the kept answer does not
    show: the path's identifier is resolved again before an answer is carried."""
    store = registry.store
    standards = [URIRef(r["iri"]) for r in queries.load_snapshot(store).records["standard"]]
    first, other = standards[0], standards[-1]
    shared = [(other, p, o) for _, p, o in store.match(GRAPH_CURRENT, first, DCTERMS.identifier)]
    found = carried_over(
        registry,
        lambda: store.write(
            WriteBatch()
            .remove_triples(GRAPH_CURRENT, store.match(GRAPH_CURRENT, other, DCTERMS.identifier))
            .add_triples(GRAPH_CURRENT, shared)
        ),
    )
    # The shared identifier names two entries (409), the other's old one none (404):
    # errors, as a fresh build gives, where the kept answers would have been served.
    assert len(found["refused"]) == 2
