"""What a write says about itself in the change log, for people and other systems.

The store logs every write (registry/store/change_log.py: its generation and the
subjects it touched). A write of the register also describes its record, in the same
batch, with the terms the change feed (`GET /api/v1/changes`) shows:

    <urn:screg:change:…> a prov:Activity ;
        scs:changeKind "submission" ;               # CHANGE_KINDS
        prov:endedAtTime "…+00:00"^^xsd:dateTime ;
        prov:wasAssociatedWith <department> ;       # a submitter's department, never a token
        scs:role "submitter" ;
        prov:wasInformedBy <the submission or status change activity> ;
        as:object <entry> ;                         # each entry given a new version
        prov:generated <entry/version/N> ;          # and that version
        scs:reassess <assessment> .                 # a standard's end: assessments against it

A write without a description (a token made or revoked) stays in the log for the
readers that follow the store, and out of the feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from registry.namespaces import AS, GRAPH_CHANGES, SCS
from registry.store import WriteBatch

#: Every kind of described change: a submission of entries, a register status changed,
#: an entry given to another department, a registrar's decision on a submission waiting
#: for review, the vocabulary loaded into a new store, every IRI moved to a new base.
CHANGE_KINDS = ("submission", "status-change", "transfer", "review", "seed", "rebase")


def now() -> Literal:
    """The time now as the log writes it: xsd:dateTime in UTC, with its offset."""
    return Literal(datetime.now(UTC).isoformat(timespec="microseconds"), datatype=XSD.dateTime)


def describe_change(
    batch: WriteBatch,
    kind: str,
    when: Literal,
    *,
    role: str,
    department: URIRef | None = None,
    activity: URIRef | None = None,
    entries: Iterable[tuple[str, str]] = (),
    reassess: Iterable[str] = (),
) -> WriteBatch:
    """Add to `batch` the description of its change log record: `entries` are (entry
    IRI, IRI of the version the write gave it); `reassess`, the conformity assessments
    the change puts in doubt (a standard superseded or abolished). Returns the batch."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    if batch.change is None:
        raise ValueError("the batch writes no change log record")
    change = URIRef(batch.change)
    triples = [
        (change, RDF.type, PROV.Activity),
        (change, SCS.changeKind, Literal(kind)),
        (change, PROV.endedAtTime, when),
        (change, SCS.role, Literal(role)),
    ]
    if department is not None:
        triples.append((change, PROV.wasAssociatedWith, department))
    if activity is not None:
        triples.append((change, PROV.wasInformedBy, activity))
    for entry, version in entries:
        triples.append((change, AS.object, URIRef(entry)))
        triples.append((change, PROV.generated, URIRef(version)))
    triples.extend((change, SCS.reassess, URIRef(a)) for a in reassess)
    return batch.add_triples(GRAPH_CHANGES, triples)
