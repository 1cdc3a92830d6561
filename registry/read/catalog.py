"""The DCAT-AP catalogue for harvesters, a page at a time (GET /catalog, docs/api.md).

Each page is the DCAT-AP export (registry/inputs/dcat.py, the one builder) of a slice of
the registry's datasets and data services, taken in IRI order, with the catalogues that
list them (each listing only the page's entries) and a hydra:PartialCollectionView
saying where the first, previous, next and last pages are, as CKAN's ckanext-dcat
harvester follows them. The page's entry IRIs come from the read model (an
index range), and only the page's entries and what they point at are read from the
store (one CONSTRUCT), never the whole current graph into rdflib, which a harvest would
otherwise pay once a page.

Pages are numbered; an entry registered while a harvester pages may shift the entries
after it by one place, as with any numbered paging: the ETag of every page changes with
the write, and the harvester's next full run sees the new state.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, XSD

from registry.bilingual import Text
from registry.errors import InputError
from registry.inputs.dcat import CatalogContext, export_dcat_ap
from registry.namespaces import GRAPH_CURRENT, HYDRA
from registry.read.model import ReadModel
from registry.store import Store
from registry.store.base import iri_text

# The kinds of entry the catalogue lists: information resources (dcat:Dataset) and data
# interfaces (dcat:DataService), in the read model's words.
MEMBER_KINDS = ("resource", "interface")

# Register statuses whose entries the catalogue does not offer: withdrawn (retired) or
# found wrong (invalid). A harvester kept a retired dataset, told nothing of its status.
WITHDRAWN = ("retired", "invalid")

# The data services that serve the page's datasets: described on the page too, so that
# every dcat:accessService of a distribution names a dcat:DataService of the same page.
_SERVING = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?i WHERE {{
  GRAPH <{graph}> {{ VALUES ?m {{ {members} }} ?i dcat:servesDataset ?m }}
}}
"""

# The entries, of what they point at only what the export reads (a department's names
# and credit code, a standard's identifier and title, a data item's name), the
# catalogues that list them with their departments, and the interfaces that serve them:
# everything export_dcat_ap reads about an entry. Every triple of what an entry points
# at was two thirds of the answer at 50,000 resources (a related resource's whole
# description), and its conversion to rdflib a third of a page's time. Of a catalogue,
# only what `_catalog` reads (type, title, issued, publisher) and its listings of the
# page's entries: a city catalogue lists tens of thousands of entries, and taking all
# its triples once for each entry of the page took 45 s a page at 50,000 resources. Each
# pattern names its predicate: Oxigraph scanned a catalogue's triples for a predicate
# given by VALUES (1.6 s a page where the named ones take 2 ms). No BIND: Virtuoso
# joined a VALUES with a union of BINDing groups as if it were not there, and listed
# every entry of the catalogue.
_NEIGHBOURHOOD = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX scs: <https://w3id.org/smartcity-std#>
CONSTRUCT {{
  ?m ?p ?o .
  ?o skos:prefLabel ?label ; scs:creditCode ?code ; dct:identifier ?identifier ;
     dct:title ?name ; scs:itemName ?item .
  ?c dcat:dataset ?dataset . ?s dcat:service ?service .
  ?cat a ?type ; dct:title ?title ; dct:issued ?issued ; dct:publisher ?agent .
  ?agent ?ap ?ao .
  ?i dcat:servesDataset ?m ; a ?itype ; dcat:endpointURL ?url .
}} WHERE {{
  GRAPH <{graph}> {{
    {{
      VALUES ?m {{ {members} }} ?m ?p ?o
      OPTIONAL {{ ?o skos:prefLabel ?label }} OPTIONAL {{ ?o scs:creditCode ?code }}
      OPTIONAL {{ ?o dct:identifier ?identifier }} OPTIONAL {{ ?o dct:title ?name }}
      OPTIONAL {{ ?o scs:itemName ?item }}
    }}
    UNION
    {{ VALUES ?dataset {{ {members} }} ?c dcat:dataset ?dataset }}
    UNION
    {{ VALUES ?service {{ {members} }} ?s dcat:service ?service }}
    UNION
    {{
      {{
        SELECT DISTINCT ?cat WHERE {{
          VALUES ?m {{ {members} }} {{ ?cat dcat:dataset ?m }} UNION {{ ?cat dcat:service ?m }}
        }}
      }}
      ?cat a ?type .
      OPTIONAL {{ ?cat dct:title ?title }}
      OPTIONAL {{ ?cat dct:issued ?issued }}
      OPTIONAL {{ ?cat dct:publisher ?agent OPTIONAL {{ ?agent ?ap ?ao }} }}
    }}
    UNION
    {{
      VALUES ?m {{ {members} }}
      ?i dcat:servesDataset ?m ; a ?itype .
      OPTIONAL {{ ?i dcat:endpointURL ?url }}
    }}
  }}
}}
"""


@dataclass(frozen=True)
class CatalogPage:
    graph: Graph
    page: int
    last: int
    total: int
    size: int


def parse_page(value: str | None) -> int:
    """`?page=`: a positive integer, 1 without one; 400 otherwise."""
    if value is None or value == "":
        return 1
    if not value.isdigit() or int(value) < 1 or len(value) > 9:
        raise InputError(
            Text(zh="page 参数须为正整数", en="page must be a positive integer"),
            {"page": value[:40]},
        )
    return int(value)


def catalog_page(
    store: Store,
    read: ReadModel,
    base_iri: str,
    context: CatalogContext,
    page: int,
    size: int,
    url_of: Callable[[int], str],
) -> CatalogPage:
    """Page `page` (from 1) of `size` entries, described by `url_of(page)`; a page past
    the last is empty but still says where the first and last pages are (so a
    harvester that asked too far learns the end). The page's entries are taken from
    `read` (the read model, at the store's generation), what describes them from the
    store."""
    total, iris = read.iris_page(MEMBER_KINDS, (page - 1) * size, size, leave_out=WITHDRAWN)
    last = max(1, math.ceil(total / size))
    on_page = [URIRef(iri) for iri in iris]
    if on_page:
        graph = export_dcat_ap(
            neighbourhood(store, on_page), base_iri, context, members=set(on_page)
        )
    else:
        graph = Graph()
    graph.bind("hydra", HYDRA)
    _view(graph, page, last, total, size, url_of)
    return CatalogPage(graph, page, last, total, size)


def neighbourhood(store: Store, members: list[URIRef]) -> Graph:
    """What the export of `members` reads from the store: the entries, what they point
    at, the interfaces that serve them, and the catalogues that list them, with only
    their listings of `members`."""
    listed = " ".join(iri_text(str(m)) for m in members)
    serving = [
        row["i"] for row in store.select(_SERVING.format(graph=GRAPH_CURRENT, members=listed))
    ]
    entries = " ".join(iri_text(str(m)) for m in {*members, *serving})
    return store.construct(_NEIGHBOURHOOD.format(graph=GRAPH_CURRENT, members=entries))


def _view(
    graph: Graph, page: int, last: int, total: int, size: int, url_of: Callable[[int], str]
) -> None:
    view = URIRef(url_of(page))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, URIRef(url_of(1))))
    graph.add((view, HYDRA.last, URIRef(url_of(last))))
    if page > 1:
        graph.add((view, HYDRA.previous, URIRef(url_of(min(page - 1, last)))))
    if page < last:
        graph.add((view, HYDRA.next, URIRef(url_of(page + 1))))
    # The same links in Hydra's earlier terms, which older harvesters (ckanext-dcat
    # before hydra:PartialCollectionView, udata) still follow.
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    for old, new in (
        (HYDRA.firstPage, HYDRA.first),
        (HYDRA.lastPage, HYDRA.last),
        (HYDRA.previousPage, HYDRA.previous),
        (HYDRA.nextPage, HYDRA.next),
    ):
        for target in list(graph.objects(view, new)):
            graph.add((view, old, target))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    graph.add((view, HYDRA.itemsPerPage, Literal(size, datatype=XSD.nonNegativeInteger)))
    # Each catalogue on the page is in the collection this view is a part of.
    for catalogue in graph.subjects(RDF.type, DCAT.Catalog):
        graph.add((catalogue, HYDRA.view, view))
