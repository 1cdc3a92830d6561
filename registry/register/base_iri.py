"""The base under which a store's entry IRIs are minted: recorded in the store, checked
on every open, and moved in one write.

Entries live at `<base><kind>/<code>` (DESIGN.md), and the HTTP server dereferences
`/id/<rest>` as `<base><rest>`: a store opened with another base would answer 404 for
every entry it holds and link its pages to the old address. So the store says which
base it was minted under (`<urn:screg:store> scs:baseIri`), a mismatch stops the
process before it serves anything, and `screg rebase --to NEW` moves every IRI.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from registry.bilingual import Text
from registry.errors import RegistryError
from registry.namespaces import GRAPH_REGISTRY, SCS
from registry.register.changes import describe_change, now
from registry.store import Store, WriteBatch
from registry.store.base import STORE_IRI

# The base the examples in examples/ are written under.
EXAMPLES_BASE = "http://127.0.0.1:8000/id/"
_ITEM_KINDS = ("standard", "department", "resource", "interface", "catalogue", "assessment")


class BaseMismatchError(RegistryError):
    """The store was minted under another base than the one configured."""

    status = 409
    code = "base_mismatch"


def base_triple(base_iri: str) -> tuple[URIRef, URIRef, Literal]:
    return (URIRef(STORE_IRI), SCS.baseIri, Literal(base_iri, datatype=XSD.anyURI))


def record_base(batch: WriteBatch, base_iri: str) -> WriteBatch:
    """`batch` also stating that the store's IRIs are minted under `base_iri`."""
    return batch.add_triples(GRAPH_REGISTRY, [base_triple(base_iri)])


def stored_base(store: Store) -> str | None:
    """The base the store's entries were minted under: as recorded, or, in a store
    written before it was recorded, read off a register item's IRI; None when the
    store holds no entry."""
    rows = store.select(
        f"SELECT ?b WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ <{STORE_IRI}> <{SCS.baseIri}> ?b }} }}"
    )
    if rows:
        return str(rows[0]["b"])
    rows = store.select(
        f"SELECT ?s ?k WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ ?s <{SCS.itemKind}> ?k }} }} LIMIT 1"
    )
    if not rows:
        return None
    iri, kind = str(rows[0]["s"]), str(rows[0]["k"])
    at = iri.find(f"/{kind}/")
    return iri[: at + 1] if at >= 0 else None


def check_base(store: Store, base_iri: str) -> None:
    """BaseMismatchError when the store was minted under another base."""
    found = stored_base(store)
    if found is not None and found != base_iri:
        raise BaseMismatchError(
            Text(
                zh=(
                    f"存储中的实体 IRI 基址为 {found}，而配置的基址为 {base_iri}；"
                    f"请设置 SCREG_BASE_IRI={found}，或用 `screg rebase --to "
                    f"{base_iri}` 迁移存储"
                ),
                en=(
                    f"the store was minted under {found} but the base IRI is "
                    f"{base_iri}; set SCREG_BASE_IRI={found}, or move the store "
                    f"with `screg rebase --to {base_iri}`"
                ),
            ),
            {"store_base": found, "configured_base": base_iri},
        )


def rebase_store(store: Store, old: str, new: str, role: str = "admin") -> int:
    """Every IRI under `old` (subjects, objects, graph names) moved under `new`, in
    one write; returns how many quads were rewritten. Literals are left as written
    (a report's message that names an entry keeps the address it had). The change
    log moves with the rest, and the write adds its own record (a `rebase` by `role`)."""
    if old == new:
        return 0
    data = store.dump("nquads")
    # N-Quads writes every IRI between < and >: the old base can only start one there.
    moved = data.replace(b"<" + old.encode(), b"<" + new.encode())
    rewritten = sum(1 for line in moved.splitlines() if line.count(b"<" + new.encode()))
    dataset = Dataset()
    dataset.parse(data=moved, format="nquads")
    by_graph: dict[str, list[tuple[URIRef, URIRef, URIRef]]] = defaultdict(list)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g is None:
            continue
        name = str(g.identifier if hasattr(g, "identifier") else g)
        by_graph[name].append((s, p, o))
    batch = WriteBatch()
    for graph in store.list_graphs():
        batch.clear_graph(graph)
    for graph, triples in by_graph.items():
        if graph == GRAPH_REGISTRY:
            # The store's own statements: the write states the generation itself.
            triples = [t for t in triples if str(t[0]) != STORE_IRI]
            triples.append(base_triple(new))
        batch.add_triples(graph, triples)
    describe_change(batch, "rebase", now(), role=role)
    store.write(batch)
    return rewritten
