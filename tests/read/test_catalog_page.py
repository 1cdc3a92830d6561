"""The harvest's pages (registry/read/catalog.py): the entries of a page from the read
model in IRI order, and what describes them from the store, on every back end."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT

from registry.inputs.dcat import catalog_context, export_dcat_ap
from registry.namespaces import GRAPH_CURRENT, SCS
from registry.read.catalog import MEMBER_KINDS, neighbourhood
from registry.service import Registry


def harvested_entries(registry: Registry) -> list[str]:
    """Every information resource and data interface in the store, once, in code point
    order: what the pages must take, a page at a time."""
    rows = registry.store.select(
        f"SELECT DISTINCT ?m WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
        f"VALUES ?type {{ <{SCS.InformationResource}> <{SCS.DataInterface}> }} ?m a ?type }} }}"
    )
    return sorted(str(row["m"]) for row in rows)


def test_pages_take_every_entry_once_in_iri_order(registry: Registry) -> None:
    expected = harvested_entries(registry)
    read = registry.reader()
    assert len(expected) > 10
    taken: list[str] = []
    for offset in range(0, len(expected) + 7, 7):
        total, iris = read.iris_page(MEMBER_KINDS, offset, 7)
        assert total == len(expected)
        taken.extend(iris)
    assert taken == expected


def test_a_page_reads_only_its_own_listings_of_a_catalogue(registry: Registry) -> None:
    """At 50,000 resources a page took 45 s: the store was asked for every triple of
    each catalogue listing a page's entry (a city catalogue lists tens of thousands of
    entries), once per entry of the page. Of a catalogue, a page reads its description
    and its listings of the page's entries only."""
    catalogues: dict[URIRef, set[URIRef]] = {}
    for row in registry.store.select(
        f"SELECT ?c ?m WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?c <{DCAT.dataset}> ?m }} }}"
    ):
        catalogues.setdefault(URIRef(str(row["c"])), set()).add(URIRef(str(row["m"])))
    catalogue, listed = max(catalogues.items(), key=lambda item: len(item[1]))
    assert len(listed) >= 3, "an example catalogue lists several datasets"
    member = min(listed)
    found = neighbourhood(registry.store, [member])
    assert set(found.objects(catalogue, DCAT.dataset)) == {member}


def test_a_page_exports_what_the_whole_current_graph_exports_of_it(registry: Registry) -> None:
    """The page's neighbourhood holds everything export_dcat_ap reads of its entries:
    the export of each page equals the export of the same entries from the whole
    current graph."""
    whole = registry.store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?s ?p ?o }} }}"
    )
    settings = registry.settings
    context = catalog_context(registry.store, settings)
    entries = [URIRef(iri) for iri in harvested_entries(registry)]
    for start in range(0, len(entries), 9):
        page = entries[start : start + 9]
        expected = export_dcat_ap(whole, settings.base_iri, context, members=set(page))
        found = export_dcat_ap(
            neighbourhood(registry.store, page), settings.base_iri, context, members=set(page)
        )
        assert isomorphic(found, expected), start


def test_a_retired_dataset_was_still_offered_to_harvesters(registry: Registry) -> None:
    """The harvest listed every entry whatever its register status, and DCAT-AP says
    nothing of it: a retired (withdrawn) or invalid entry is left out of the pages."""
    from registry.read.catalog import WITHDRAWN
    from registry.register.submission import REGISTRAR

    expected = harvested_entries(registry)
    retired, invalid, deprecated = expected[0], expected[1], expected[2]
    registry.change_status(retired, "retired", REGISTRAR, reason="撤销")
    registry.change_status(invalid, "invalid", REGISTRAR, reason="内容有误")
    registry.change_status(deprecated, "deprecated", REGISTRAR, reason="不再推荐")
    total, iris = registry.reader().iris_page(MEMBER_KINDS, 0, 1000, leave_out=WITHDRAWN)
    assert iris == [iri for iri in expected if iri not in (retired, invalid)]
    assert total == len(expected) - 2
