"""The change log: one record per write, in the store, written in that write's transaction.

Every `Store.write` of a batch that carries a change IRI (`WriteBatch.change`, minted
for every batch unless a caller clears it) adds to `urn:screg:graph:changes`, in the
same transaction as the batch itself:

    <urn:screg:change:<uuid>> scs:generation N ;      # the generation the write produced
        scs:touched <s1>, <s2> ... .                  # subjects of the current and
                                                      # registry graphs it added or removed
    # or, when no list of subjects can say what changed (a graph cleared, the ontology
    # written, a blank node subject):
        scs:wholeStore true .

The register layer adds, in the same batch and under the same IRI, what people read in
the change feed (registry/register/changes.py: kind, time, department, entries and
versions); a write it does not describe (a token made or revoked) keeps only the store's
part and stays out of the feed.

The generation is stamped by the back end at the moment it knows it (inside its write
lock on the embedded store, in the one publishing update on a remote one), so the
record and the write always carry the same number and a crash leaves both or neither.
`Store.changes_since` reads the log (base.py): the subjects of the records after a
generation, or None when a record in that range is missing (a store written before the
log, a dump restored: `<urn:screg:store> scs:changeLogSince N` marks where the log of a
restored store begins) or says the whole store changed.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from registry.namespaces import GRAPH_CHANGES, GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY, SCS

if TYPE_CHECKING:
    from registry.store.base import Triple, WriteBatch

CHANGE_PREFIX = "urn:screg:change:"
_STORE = "urn:screg:store"  # base.STORE_IRI, which imports this module
STAMP = SCS.generation
TOUCHED = SCS.touched
WHOLE_STORE = SCS.wholeStore
LOG_SINCE = SCS.changeLogSince

# The graphs whose subjects the log lists: what the read model and the SPARQL memory
# copy re-read after a write.
LOGGED_GRAPHS = (GRAPH_CURRENT, GRAPH_REGISTRY)
# Clearing any of these, or touching the ontology (where the concepts every record
# names live), changes more than a list of subjects can say.
_WHOLE_STORE_CLEARS = frozenset((GRAPH_CURRENT, GRAPH_REGISTRY, GRAPH_ONTOLOGY))


def new_change_iri() -> str:
    return f"{CHANGE_PREFIX}{uuid.uuid4().hex}"


def log_triples(batch: WriteBatch) -> list[Triple]:
    """The store's part of a batch's record, but the stamp: the subjects it touches in
    the current and registry graphs, or that it changes the whole store. Empty when the
    batch carries no change IRI."""
    if batch.change is None:
        return []
    change = URIRef(batch.change)
    whole = [(change, WHOLE_STORE, Literal(True))]
    if _WHOLE_STORE_CLEARS.intersection(batch.clear):
        return whole
    if batch.add.get(GRAPH_ONTOLOGY) or batch.remove.get(GRAPH_ONTOLOGY):
        return whole
    subjects = {
        triple[0]
        for triples in (batch.add, batch.remove)
        for graph in LOGGED_GRAPHS
        for triple in triples.get(graph, ())
    }
    if any(isinstance(subject, BNode) for subject in subjects):
        return whole
    return [(change, TOUCHED, URIRef(str(subject))) for subject in sorted(subjects, key=str)]


def stamp_triple(change: str, generation: int) -> Triple:
    """The triple giving a record its generation, added by the back end in the write."""
    return (URIRef(change), STAMP, Literal(generation, datatype=XSD.integer))


def log_since_triple(generation: int) -> Triple:
    """The triple saying the log holds every write after `generation` (a restored dump)."""
    return (URIRef(_STORE), LOG_SINCE, Literal(generation, datatype=XSD.integer))


def with_log(batch: WriteBatch, generation: int | None = None) -> WriteBatch:
    """A copy of `batch` whose additions include the store's part of its record, and
    the stamp when the generation is known (the caller's batch is left as it was, so a
    retried write does not log twice). The batch itself when it carries no change IRI."""
    from registry.store.base import WriteBatch

    if batch.change is None:
        return batch
    triples = log_triples(batch)
    if generation is not None:
        triples.append(stamp_triple(batch.change, generation))
    add = {graph: list(items) for graph, items in batch.add.items()}
    add.setdefault(GRAPH_CHANGES, []).extend(triples)
    return WriteBatch(clear=list(batch.clear), remove=batch.remove, add=add, change=batch.change)


# -- reading ---------------------------------------------------------------------------

# Up to this many generations are looked up one by one (VALUES: an index lookup each);
# beyond, the records are found with a FILTER over every record's stamp.
LOOKUP_AT_MOST = 256


def generations_clause(after: int, upto: int, *, by_value: bool = True) -> str:
    """A group pattern binding ?n to the generations in (after, upto] for `?c <stamp> ?n`.

    `by_value` False (`Store.finds_numbers_by_value`): a range FILTER only, never a
    lookup of the number itself, which some servers get wrong."""
    if by_value and upto - after <= LOOKUP_AT_MOST:
        values = " ".join(str(n) for n in range(after + 1, upto + 1))
        return f"VALUES ?n {{ {values} }} ?c <{STAMP}> ?n ."
    return f"?c <{STAMP}> ?n . FILTER(?n > {int(after)} && ?n <= {int(upto)})"


def records_query(after: int, upto: int, *, by_value: bool = True) -> str:
    """Each record in (after, upto]: its generation, whether it changed the whole store,
    and the log's starting point of a restored store."""
    return (
        f"SELECT ?n ?all ?since WHERE {{ GRAPH <{GRAPH_CHANGES}> {{ "
        f"{{ {generations_clause(after, upto, by_value=by_value)} "
        f"OPTIONAL {{ ?c <{WHOLE_STORE}> ?all }} }} "
        f"UNION {{ <{_STORE}> <{LOG_SINCE}> ?since }} }} }}"
    )


def touched_query(after: int, upto: int, *, by_value: bool = True) -> str:
    return (
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{GRAPH_CHANGES}> {{ "
        f"{generations_clause(after, upto, by_value=by_value)} ?c <{TOUCHED}> ?s }} }}"
    )
