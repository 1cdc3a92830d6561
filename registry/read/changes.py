"""The change feed: the described records of the change log, a page after a cursor.

The cursor is the generation a change produced (registry/store/change_log.py): every
write gets the next generation and its record lands in the same transaction, so a
record never appears behind a cursor a consumer already holds, and a consumer that
follows `next` from the start sees every described write once, in order, including the
writes made while it reads. Writes the register does not describe (tokens) are not in
the feed; their generations are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from registry.bilingual import Text
from registry.errors import InputError
from registry.namespaces import GRAPH_CHANGES, GRAPH_REGISTRY, REGSTATUS, SCS, bind_prefixes
from registry.register.submission import version_iri
from registry.store import Store
from registry.store.change_log import generations_clause

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class ChangedEntry:
    iri: str
    kind: str | None
    version: int | None
    status: str | None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class Change:
    generation: int
    kind: str
    time: str
    role: str | None
    department: str | None
    activity: str | None
    entries: list[ChangedEntry] = field(default_factory=list)
    # conformity assessments a standard's end puts in doubt (docs/assessment.md)
    reassess: list[str] = field(default_factory=list)

    @property
    def cursor(self) -> str:
        return str(self.generation)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor,
            "generation": self.generation,
            "kind": self.kind,
            "time": self.time,
            "department": self.department,
            "role": self.role,
            "activity": self.activity,
            "entries": [entry.as_dict() for entry in self.entries],
            "reassess": list(self.reassess),
        }


@dataclass(frozen=True)
class ChangePage:
    items: list[Change]
    #: where to go on from: the last item's cursor, or the one asked for when none came
    next: str
    #: whether more changes were already there after this page
    more: bool


def parse_cursor(after: str | None) -> int:
    """The generation a cursor names (none: the start), or InputError."""
    if after is None or after == "":
        return 0
    text = after.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InputError(
            Text(
                zh=("游标无效：请使用本变更流给出的 next 或 cursor 值，或不带游标从头开始"),
                en=(
                    "the cursor is not one this feed gave: use a `next` or "
                    "`cursor` value, or none to start from the beginning"
                ),
            ),
            {"after": after[:40]},
        )
    return int(text)


def read_changes(store: Store, after: int = 0, limit: int = DEFAULT_LIMIT) -> ChangePage:
    """The described changes after generation `after`, oldest first, at most `limit`."""
    current = store.generation()
    if after > current:
        # Never given by this feed: the registry was emptied and filled again (a new
        # store, a restored dump) since the consumer read it. Answered with an empty
        # page, the consumer would miss every write until the count came back.
        raise InputError(
            Text(
                zh=f"游标 {after} 超过本登记系统最近一次写入（{current}）：登记系统已重建或恢复，"
                "请不带游标从头读取",
                en=f"the cursor {after} is past the registry's last write ({current}): the "
                "registry was rebuilt or restored since; read again from the start (no cursor)",
            ),
            {"after": str(after), "latest": str(current)},
        )
    if after == current:  # a consumer polling at the head: nothing to read
        return ChangePage([], str(after), False)
    # Up to the generation read just now: a write landing meanwhile is on the next page.
    upto = generations_clause(after, current, by_value=store.finds_numbers_by_value)
    rows = store.select(
        f"SELECT ?n WHERE {{ GRAPH <{GRAPH_CHANGES}> {{ {upto} "
        f"?c <{SCS.changeKind}> ?kind }} }} ORDER BY ?n LIMIT {int(limit) + 1}"
    )
    generations = sorted({_int(row["n"]) for row in rows})
    more = len(generations) > limit
    generations = generations[:limit]
    if not generations:
        return ChangePage([], str(after), False)
    # The page's records: its generations, and in between only records without a kind.
    among = generations_clause(
        generations[0] - 1, generations[-1], by_value=store.finds_numbers_by_value
    )
    heads = store.select(
        f"""SELECT ?n ?kind ?time ?role ?dept ?act WHERE {{ GRAPH <{GRAPH_CHANGES}> {{
            {among}
            ?c <{SCS.changeKind}> ?kind ; <{PROV.endedAtTime}> ?time .
            OPTIONAL {{ ?c <{SCS.role}> ?role }}
            OPTIONAL {{ ?c <{PROV.wasAssociatedWith}> ?dept }}
            OPTIONAL {{ ?c <{PROV.wasInformedBy}> ?act }} }} }}"""
    )
    entries = store.select(
        f"""SELECT ?n ?e ?num ?status ?kind WHERE {{
            GRAPH <{GRAPH_CHANGES}> {{ {among} ?c <{PROV.generated}> ?v }}
            GRAPH <{GRAPH_REGISTRY}> {{ ?v <{SCS.versionOf}> ?e ;
                <{SCS.versionNumber}> ?num ; <{SCS.registerStatus}> ?status .
                OPTIONAL {{ ?e <{SCS.itemKind}> ?kind }} }} }}"""
    )
    doubted: dict[int, list[str]] = {}
    for row in store.select(
        f"SELECT ?n ?a WHERE {{ GRAPH <{GRAPH_CHANGES}> {{ {among} ?c <{SCS.reassess}> ?a }} }}"
    ):
        doubted.setdefault(_int(row["n"]), []).append(str(row["a"]))
    by_generation: dict[int, list[ChangedEntry]] = {}
    for row in entries:
        by_generation.setdefault(_int(row["n"]), []).append(
            ChangedEntry(
                iri=str(row["e"]),
                kind=str(row["kind"]) if "kind" in row else None,
                version=_int(row["num"]),
                status=str(row["status"]).rsplit("/", 1)[-1],
            )
        )
    changes: dict[int, Change] = {}
    for row in heads:
        n = _int(row["n"])
        changes.setdefault(
            n,
            Change(
                generation=n,
                kind=str(row["kind"]),
                time=str(row["time"]),
                role=str(row["role"]) if "role" in row else None,
                department=str(row["dept"]) if "dept" in row else None,
                activity=str(row["act"]) if "act" in row else None,
                entries=sorted(set(by_generation.get(n, [])), key=lambda e: e.iri),
                reassess=sorted(set(doubted.get(n, []))),
            ),
        )
    items = [changes[n] for n in generations if n in changes]
    return ChangePage(items, str(generations[-1]), more)


def _int(term: Any) -> int:
    value = term.toPython() if hasattr(term, "toPython") else term
    return value if isinstance(value, int) else int(str(term))


def _member_triples(version: Graph, member: URIRef, item: URIRef) -> Graph:
    """A version's triples as its member holds them: the entry's IRI replaced by the
    version's, and each node of the entry's own (a data item, skolemised under the
    entry's IRI and the same in every version) by a blank node of this member that
    says which node it is a version of. Two versions on one page shared their data
    items' IRIs, so each member showed both versions' names of an item."""
    own = {s for s in version.subjects() if s != item}
    nodes = {s: BNode() for s in own}
    found = Graph()
    for s, p, o in version:
        found.add(
            (
                member if s == item else nodes.get(s, s),
                p,
                nodes.get(o, o),  # type: ignore[arg-type]
            )
        )
    for node, blank in nodes.items():
        found.add((blank, DCTERMS.isVersionOf, node))
    return found


def ldes_page(
    store: Store, page: ChangePage, *, stream: str, root: str, node: str, following: str
) -> Graph:
    """One page of the feed as a Linked Data Event Stream (SEMIC LDES 1.0, TREE):
    `stream` an ldes:EventStream whose members are the versions the page's changes
    generated, each a version object of its entry (`dct:isVersionOf`, stamped with
    `prov:generatedAtTime`) holding that version's triples as registered, the entry's
    IRI replaced by the version's. Versions never change, so members are immutable.
    `node` is this page, `root` the first one (the stream's view), and `following`
    the next page, linked by a plain tree:Relation (every client follows it; the
    members' times come from the writers' clocks, which several processes need not
    keep in order, so no GreaterThan on time is promised) while more changes are
    there already. The last page has no relation: poll it."""
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("ldes", LDES)
    graph.bind("tree", TREE)
    stream_ref, node_ref = URIRef(stream), URIRef(node)
    graph.add((stream_ref, RDF.type, LDES.EventStream))
    graph.add((stream_ref, LDES.timestampPath, PROV.generatedAtTime))
    graph.add((stream_ref, LDES.versionOfPath, DCTERMS.isVersionOf))
    graph.add((stream_ref, TREE.view, URIRef(root)))
    graph.add((node_ref, RDF.type, TREE.Node))
    for change in page.items:
        when = Literal(change.time, datatype=XSD.dateTime)
        for entry in change.entries:
            if entry.version is None:
                continue
            member, item = URIRef(version_iri(entry.iri, entry.version)), URIRef(entry.iri)
            graph.add((stream_ref, TREE.member, member))
            graph.add((member, DCTERMS.isVersionOf, item))
            graph.add((member, PROV.generatedAtTime, when))
            graph.add((member, SCS.versionNumber, Literal(entry.version)))
            if entry.status is not None:
                graph.add((member, SCS.registerStatus, REGSTATUS[entry.status]))
            graph += _member_triples(store.read_graph(str(member)), member, item)
    if page.more:
        relation = URIRef(f"{node}#next")
        graph.add((node_ref, TREE.relation, relation))
        graph.add((relation, RDF.type, TREE.Relation))
        graph.add((relation, TREE.node, URIRef(following)))
    return graph
