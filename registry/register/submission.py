"""Register items: submissions, versions, statuses and provenance.

A submission is parsed, validated, and, with no Violation, written in ONE store
batch: every changed entry gets a new version graph, the current graph is
updated, and the submission's provenance and report are recorded. With any
Violation nothing is written. docs/registration.md has the model and a diagram.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, RDF, XSD
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from registry.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from registry.identifiers import IdentifierError, parse_standard_id
from registry.namespaces import GRAPH_CURRENT, GRAPH_REGISTRY, REGSTATUS, SCS
from registry.store import Store, WriteBatch
from registry.validation.reports import report_graph
from registry.validation.validator import Progress, ValidationReport, Validator

# Forward hops of context that an entry's shapes read (no shape walks a path backwards:
# tests/validation/test_validation_identity.py).
CONTEXT_HOPS = 2

ITEM_CLASSES: dict[URIRef, str] = {
    SCS.Standard: "standard",
    ORG.Organization: "department",
    SCS.InformationResource: "resource",
    SCS.DataInterface: "interface",
    DCAT.Catalog: "catalogue",
}
Triple = tuple[Node, Node, Node]
# Entries a department submits about itself; standards and departments are the
# registrars' (the standards bureau's) to write.
DEPARTMENT_OWNED = {"resource", "interface", "catalogue"}

STATUSES = ("submitted", "valid", "invalid", "deprecated", "superseded", "retired")
# ISO 19135 transitions. Retired is final; superseded can only retire.
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"valid", "invalid", "retired"}),
    "valid": frozenset({"deprecated", "superseded", "retired", "invalid"}),
    "invalid": frozenset({"valid", "retired"}),
    "deprecated": frozenset({"valid", "superseded", "retired"}),
    "superseded": frozenset({"retired"}),
    "retired": frozenset(),
}
# A conforming submission is accepted on validation: its entries become valid.
ACCEPTED_STATUS = "valid"
CLOSED_STATUSES = {"superseded", "retired"}


@dataclass(frozen=True)
class Principal:
    """Who acts: a submitter of one department, a registrar or an admin."""

    role: str
    department: URIRef | None = None
    name: str = ""

    @property
    def agent(self) -> URIRef:
        return self.department or URIRef(f"urn:screg:agent:{self.role}:{self.name or 'cli'}")


REGISTRAR = Principal(role="registrar", name="registry")


@dataclass
class EntryChange:
    item: str
    kind: str
    version: int
    outcome: str  # "new", "updated", "unchanged"


@dataclass
class SubmissionResult:
    submission: str | None
    report: ValidationReport
    changes: list[EntryChange] = field(default_factory=list)
    ignored_subjects: list[str] = field(default_factory=list)
    generation: int | None = None
    # After a write: each entry's content hash and state, for registry.register.kept_documents
    entry_hashes: dict[str, str] = field(default_factory=dict, repr=False)
    states_after: dict[str, ItemState] = field(default_factory=dict, repr=False)

    @property
    def accepted(self) -> bool:
        return self.report.conforms

    def as_dict(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "accepted": self.accepted,
            "generation": self.generation,
            "entries": [c.__dict__ for c in self.changes],
            "ignored_subjects": self.ignored_subjects,
        }


def _now() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="microseconds"), datatype=XSD.dateTime)


def canonical_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """Sorted N-Triples lines: the same content always gives the same bytes.

    Each line is what rdflib's N-Triples serializer writes for the triple (its own
    row function), without building a graph to serialise: the same bytes, and so the
    same hashes as the versions already registered, at a fraction of the cost."""
    lines = sorted({_nt_row(triple).encode("utf-8") for triple in triples})
    return b"".join(lines) if lines else b"\n"


def content_sha256(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    return hashlib.sha256(canonical_ntriples(triples)).hexdigest()


def version_iri(item: str, number: int) -> str:
    return f"{item}/version/{number}"


def split_entries(graph: Graph) -> tuple[dict[URIRef, tuple[str, Graph]], list[str]]:
    """Each typed entry with its own triples (data items included); and the subjects
    that belong to no entry, which are not written."""
    entries: dict[URIRef, tuple[str, Graph]] = {}
    owned: set[Node] = set()
    for cls, kind in ITEM_CLASSES.items():
        for subject in graph.subjects(RDF.type, cls):
            if isinstance(subject, URIRef) and subject not in entries:
                entries[subject] = (kind, Graph())
    view = _GraphView(graph)
    for entry, (_kind, content) in entries.items():
        raw, seen = owned_triples(entry, view, entries)
        for triple in raw:
            content.add(triple)
        owned |= seen
    ignored = sorted({str(s) for s in graph.subjects()} - {str(n) for n in owned})
    return entries, ignored


class _GraphView:
    """A graph read as owned_triples reads a document: node -> its (p, o) pairs."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def get(self, node: Node, default: Any = None) -> Iterable[tuple[Node, Node]]:
        return self.graph.predicate_objects(node)


def skolemise(entry: URIRef, content: Graph) -> Graph:
    """Blank nodes of an entry become IRIs under it, the same IRI for the same content,
    so that re-submitting a blank-node document makes no new version."""
    bnodes = {n for t in content for n in (t[0], t[2]) if isinstance(n, BNode)}
    if not bnodes:
        return content
    names = {}
    for node in bnodes:
        outgoing = sorted(
            f"{p.n3()} {'_' if isinstance(o, BNode) else o.n3()}"
            for p, o in content.predicate_objects(node)
        )
        names[node] = URIRef(
            f"{entry}/node/{hashlib.sha256('|'.join(outgoing).encode()).hexdigest()[:16]}"
        )
    result = Graph()
    for s, p, o in content:
        result.add((names.get(s, s), p, names.get(o, o)))
    return result


@dataclass
class ItemState:
    item: str
    kind: str
    status: str
    version: int
    content_sha256: str
    shapes_sha256: str | None = None  # of the submission that made the version, if any


def item_states(store: Store, items: Iterable[str], batch: int = 500) -> dict[str, ItemState]:
    """The current state of many items, one query per `batch` of them (a catalogue of
    10,000 entries asked one by one spent seconds in round trips), with the shapes
    hash of the submission that produced each current version."""
    found: dict[str, ItemState] = {}
    ordered = sorted(set(items))
    for start in range(0, len(ordered), batch):
        values = " ".join(URIRef(i).n3() for i in ordered[start : start + batch])
        rows = store.select(
            f"""SELECT ?item ?kind ?status ?n ?sha ?shapes WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
                VALUES ?item {{ {values} }}
                ?item <{SCS.currentVersion}> ?v ; <{SCS.registerStatus}> ?status ;
                      <{SCS.itemKind}> ?kind .
                ?v <{SCS.versionNumber}> ?n ; <{SCS.contentSha256}> ?sha .
                OPTIONAL {{ ?v <{PROV.wasGeneratedBy}> ?act .
                           ?act <{SCS.shapesSha256}> ?shapes . }} }} }}"""
        )
        for row in rows:
            item = str(row["item"])
            found[item] = ItemState(
                item=item,
                kind=str(row["kind"]),
                status=str(row["status"]).rsplit("/", 1)[-1],
                version=int(row["n"]),
                content_sha256=str(row["sha"]),
                shapes_sha256=str(row["shapes"]) if row.get("shapes") is not None else None,
            )
    return found


def item_state(store: Store, item: str) -> ItemState | None:
    rows = store.select(
        f"""SELECT ?kind ?status ?n ?sha WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
            ?item <{SCS.currentVersion}> ?v ; <{SCS.registerStatus}> ?status ;
                  <{SCS.itemKind}> ?kind .
            ?v <{SCS.versionNumber}> ?n ; <{SCS.contentSha256}> ?sha . }} }}""",
        {"item": URIRef(item)},
    )
    if not rows:
        return None
    row = rows[0]
    return ItemState(
        item=item,
        kind=str(row["kind"]),
        status=str(row["status"]).rsplit("/", 1)[-1],
        version=int(row["n"]),
        content_sha256=str(row["sha"]),
    )


def check_ownership(entries: dict[URIRef, tuple[str, Graph]], principal: Principal) -> None:
    """A submitter writes only its own department's resources, interfaces and catalogues."""
    check_publishers(
        {
            entry: (kind, set(content.objects(entry, DCTERMS.publisher)))
            for entry, (kind, content) in entries.items()
        },
        principal,
    )


def check_publishers(entries: dict[URIRef, tuple[str, set[Node]]], principal: Principal) -> None:
    """check_ownership on each entry's kind and dct:publisher values."""
    if principal.role in ("registrar", "admin"):
        return
    foreign = []
    for entry, (kind, publishers) in entries.items():
        if kind not in DEPARTMENT_OWNED:
            foreign.append({"entry": str(entry), "reason": f"a submitter cannot write a {kind}"})
            continue
        if publishers != {principal.department}:
            foreign.append(
                {
                    "entry": str(entry),
                    "reason": "provider is not the submitter's department",
                    "provider": sorted(str(p) for p in publishers),
                }
            )
    if foreign:
        raise ForbiddenError(
            "the submission holds entries of another department (只能提交本部门的条目)",
            {"department": str(principal.department), "entries": foreign},
        )


def submit(
    store: Store,
    validator: Validator,
    graph: Graph,
    principal: Principal,
    source_sha256: str,
    base_iri: str,
    report_max_results: int = 1000,
    progress: Progress | None = None,
) -> SubmissionResult:
    """Validate and, with no Violation, register every entry of `graph` in one write.

    An entry whose content hash equals its current version's, registered as valid by
    a submission validated with the same shapes, is not validated again
    (docs/registration.md, "Re-submission"). The caller serialises calls (one writer
    per process); see Registry.
    """
    entries, ignored = split_entries(graph)
    if not entries:
        raise InputError(
            "the submission holds no entry (standard, department, resource, interface or "
            "catalogue) (提交内容中没有可登记的条目)",
            {"ignored_subjects": ignored[:20]},
        )
    check_ownership(entries, principal)
    contents = {entry: skolemise(entry, raw) for entry, (_kind, raw) in entries.items()}
    hashes = {entry: content_sha256(content) for entry, content in contents.items()}
    states = item_states(store, [str(entry) for entry in entries])
    unchanged = {
        entry
        for entry in entries
        if _unchanged(states.get(str(entry)), hashes[entry], validator.shapes.sha256)
    }
    # Unchanged entries already passed these shapes: they are not validated again.
    report = validator.validate(graph, store, progress=progress, skip=unchanged)
    if not report.conforms:
        return SubmissionResult(submission=None, report=report, ignored_subjects=ignored)

    kinds = {entry: kind for entry, (kind, _raw) in entries.items()}
    return _write_submission(
        store,
        kinds,
        contents,
        hashes,
        states,
        report,
        principal,
        source_sha256,
        base_iri,
        report_max_results,
        ignored,
    )


def _write_submission(
    store: Store,
    kinds: dict[URIRef, str],
    contents: dict[URIRef, Graph],
    hashes: dict[URIRef, str],
    states: dict[str, ItemState],
    report: ValidationReport,
    principal: Principal,
    source_sha256: str,
    base_iri: str,
    report_max_results: int,
    ignored: list[str],
) -> SubmissionResult:
    """Write a conforming submission in one batch. `contents` needs to hold only the
    entries whose content hash differs from their current version's."""
    now = _now()
    submission = URIRef(f"{base_iri}submission/{uuid.uuid4()}")
    batch = WriteBatch()
    changes: list[EntryChange] = []
    closed = []
    # by the IRI's text: what rdflib's ordering of URIRefs gives, without its __lt__
    for entry, kind in sorted(kinds.items(), key=lambda pair: str(pair[0])):
        sha = hashes[entry]
        state = states.get(str(entry))
        if state is not None and state.content_sha256 == sha:
            changes.append(EntryChange(str(entry), kind, state.version, "unchanged"))
            continue
        if state is not None and state.status in CLOSED_STATUSES:
            closed.append({"entry": str(entry), "status": state.status})
            continue
        number = 1 if state is None else state.version + 1
        _new_version(
            batch,
            store,
            str(entry),
            kind,
            number,
            contents[entry],
            sha,
            ACCEPTED_STATUS,
            submission,
            now,
            state,
        )
        changes.append(EntryChange(str(entry), kind, number, "new" if state is None else "updated"))
    if closed:
        raise ConflictError(
            "entries that are superseded or retired cannot be changed "
            "(已被取代或已撤销的条目不能修改)",
            {"entries": closed},
        )
    outcome = "accepted" if any(c.outcome != "unchanged" for c in changes) else "unchanged"
    report_iri = f"{submission}/report"
    registry = [
        (submission, RDF.type, SCS.Submission),
        (submission, RDF.type, PROV.Activity),
        (submission, PROV.wasAssociatedWith, principal.agent),
        (submission, PROV.startedAtTime, now),
        (submission, PROV.endedAtTime, _now()),
        (submission, SCS.sourceSha256, Literal(source_sha256)),
        (submission, SCS.shapesSha256, Literal(report.shapes_sha256)),
        (submission, SCS.engineVersion, Literal(report.engine)),
        (submission, SCS.conforms, Literal(True)),
        (submission, SCS.outcome, Literal(outcome)),
        (submission, SCS.validationReport, URIRef(report_iri)),
    ]
    generated, listed = PROV.generated, SCS.entry  # a namespace attribute costs a call
    registry += [
        (submission, generated, URIRef(version_iri(c.item, c.version)))
        for c in changes
        if c.outcome != "unchanged"
    ]
    registry += [(submission, listed, URIRef(c.item)) for c in changes]
    batch.add_triples(GRAPH_REGISTRY, registry)
    batch.add_triples(report_iri, report_graph(report, report_iri, report_max_results))
    generation = store.write(batch)
    after = dict(states)
    for change in changes:
        if change.outcome != "unchanged":
            after[change.item] = ItemState(
                change.item,
                change.kind,
                ACCEPTED_STATUS,
                change.version,
                hashes[URIRef(change.item)],
                report.shapes_sha256,
            )
    return SubmissionResult(
        str(submission),
        report,
        changes,
        ignored,
        generation,
        {str(entry): sha for entry, sha in hashes.items()},
        after,
    )


def resubmit(
    store: Store,
    validator: Validator,
    triples: list[Triple],
    principal: Principal,
    source_sha256: str,
    base_iri: str,
    report_max_results: int = 1000,
    progress: Progress | None = None,
) -> SubmissionResult | None:
    """`submit` for a document already parsed into triples (registry.inputs.oxparse) that
    re-submits registered entries: the content hashes are computed from the triples,
    and only the changed entries, with the context their validation needs, are made
    into an rdflib graph, validated and written. Returns None, having done nothing,
    when none of the document's entries is registered yet (a first submission: the
    caller takes the full path) or when it holds standards (whose identifiers the
    full path normalises first)."""
    publisher = URIRef(str(DCTERMS.publisher))
    spo = document_spo(triples)
    kinds = entry_kinds(spo)
    if not kinds:
        return None
    states = item_states(store, [str(entry) for entry in kinds])
    if not states:
        return None
    owned: set[Node] = set()
    raws: dict[URIRef, list[Triple]] = {}
    for entry in kinds:
        raws[entry], seen = owned_triples(entry, spo, kinds)
        owned |= seen
    ignored = sorted({str(s) for s in spo} - {str(n) for n in owned})
    check_publishers(
        {
            entry: (kind, {o for p, o in spo[entry] if p == publisher})
            for entry, kind in kinds.items()
        },
        principal,
    )
    hashes: dict[URIRef, str] = {}
    contents: dict[URIRef, Graph] = {}
    for entry, raw in raws.items():
        hashes[entry], content = entry_hash(entry, raw)
        if content is not None:
            contents[entry] = content
    return finish_incremental(
        store,
        validator,
        kinds,
        raws,
        contents,
        hashes,
        states,
        spo,
        ignored,
        principal,
        source_sha256,
        base_iri,
        report_max_results,
        progress,
    )


def document_spo(triples: Iterable[Triple]) -> dict[Node, dict[tuple[Node, Node], None]]:
    """subject -> {(predicate, object)}, in document order, each pair once."""
    spo: dict[Node, dict[tuple[Node, Node], None]] = {}
    for s, p, o in triples:
        spo.setdefault(s, {})[(p, o)] = None
    return spo


def entry_kinds(spo: dict[Node, dict[tuple[Node, Node], None]]) -> dict[URIRef, str] | None:
    """The entries of a document (subject -> {(p, o)}) with their kinds, as
    split_entries finds them; None when it holds a standard (the full path
    normalises standards' identifiers first)."""
    # rdflib namespace attributes build a new term on every access: read them once
    rdf_type = URIRef(str(RDF.type))
    classes = [(URIRef(str(cls)), kind) for cls, kind in ITEM_CLASSES.items()]
    kinds: dict[URIRef, str] = {}
    for s, pairs in spo.items():
        if not isinstance(s, URIRef):
            continue
        for cls, kind in classes:
            if (rdf_type, cls) in pairs:
                if kind == "standard":
                    return None
                kinds.setdefault(s, kind)
                break
    return kinds


def owned_triples(
    entry: URIRef, spo: Any, kinds: dict[URIRef, str] | set[URIRef]
) -> tuple[list[Triple], set[Node]]:
    """split_entries for one entry on the dictionaries of a document: its triples
    (its data items' and blank nodes' included) and the nodes it owns."""
    data_item = URIRef(str(SCS.dataItem))
    content: list[Triple] = []
    stack: list[Node] = [entry]
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in spo.get(node, {}):
            content.append((node, p, o))
            if (p == data_item or isinstance(o, BNode)) and o not in kinds:
                stack.append(o)
    return content, seen


def entry_hash(entry: URIRef, raw: list[Triple]) -> tuple[str, Graph | None]:
    """An entry's content hash from its triples, as `submit` computes it, and its
    content graph when making it was needed for the hash (blank nodes skolemised)."""
    if any(type(t[0]) is not URIRef or isinstance(t[2], BNode) for t in raw):
        content = skolemise(entry, _graph(raw))
        return content_sha256(content), content
    return content_sha256(raw), None


def finish_incremental(
    store: Store,
    validator: Validator,
    kinds: dict[URIRef, str],
    raws: dict[URIRef, list[Triple]],
    contents: dict[URIRef, Graph],
    hashes: dict[URIRef, str],
    states: dict[str, ItemState],
    spo: Any,
    ignored: list[str],
    principal: Principal,
    source_sha256: str,
    base_iri: str,
    report_max_results: int,
    progress: Progress | None,
) -> SubmissionResult:
    """The end of an incremental re-submission: validate the entries whose hash or
    state says they changed, with their context read from `spo` (subject -> {(p, o)}),
    and write them. `raws` must hold every such entry's triples."""
    rdf_type = URIRef(str(RDF.type))
    unchanged = {
        entry
        for entry in kinds
        if _unchanged(states.get(str(entry)), hashes[entry], validator.shapes.sha256)
    }
    changed = [entry for entry in kinds if entry not in unchanged]
    for entry in changed:
        if entry not in contents:
            contents[entry] = _graph(raws[entry])
    # The changed entries and two forward hops of context from the document (what the
    # shapes read, CONTEXT_HOPS); the registry gives the rest.
    data = _graph(_with_context(changed, spo, kinds))
    changed_set = set(changed)
    context_entries = {
        s for s in set(data.subjects(rdf_type)) if s in kinds and s not in changed_set
    }
    report = validator.validate(data, store, progress=progress, skip=context_entries)
    report.extra["skipped_entries"] = len(unchanged)
    report.extra["incremental"] = True
    if not report.conforms:
        return SubmissionResult(submission=None, report=report, ignored_subjects=ignored)
    return _write_submission(
        store,
        kinds,
        contents,
        hashes,
        states,
        report,
        principal,
        source_sha256,
        base_iri,
        report_max_results,
        ignored,
    )


def _graph(triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _with_context(
    roots: Iterable[URIRef], spo: dict[Node, dict[tuple[Node, Node], None]], kinds: Any
) -> list[Triple]:
    """The triples of `entries` and CONTEXT_HOPS forward hops from them in a document."""
    out: list[Triple] = []
    seen: set[Node] = set()

    def describe(node: Node, owns_items: bool) -> list[Node]:
        stack, pointed = [node], []
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for p, o in spo.get(current, {}):
                out.append((current, p, o))
                if isinstance(o, BNode) or (owns_items and p == SCS.dataItem):
                    stack.append(o)
                elif isinstance(o, URIRef):
                    pointed.append(o)
        return pointed

    frontier: list[Node] = []
    for root in roots:
        frontier.extend(describe(root, True))
    for _hop in range(CONTEXT_HOPS):
        following: list[Node] = []
        for node in frontier:
            if node not in seen:
                following.extend(describe(node, False))
        frontier = following
    return out


def _unchanged(state: ItemState | None, sha: str, shapes_sha256: str) -> bool:
    return (
        state is not None
        and state.content_sha256 == sha
        and state.status == ACCEPTED_STATUS
        and state.shapes_sha256 == shapes_sha256
    )


def _new_version(
    batch: WriteBatch,
    store: Store,
    item: str,
    kind: str,
    number: int,
    content: Graph,
    sha: str,
    status: str,
    activity: URIRef,
    when: Literal,
    previous: ItemState | None,
) -> None:
    """Add to `batch` version `number` of `item` and make it current."""
    item_ref, version = URIRef(item), URIRef(version_iri(item, number))
    batch.add_triples(str(version), content)
    registry = [
        (version, RDF.type, SCS.ItemVersion),
        (version, RDF.type, PROV.Entity),
        (version, SCS.versionOf, item_ref),
        (version, SCS.versionNumber, Literal(number)),
        (version, SCS.contentSha256, Literal(sha)),
        (version, SCS.registerStatus, REGSTATUS[status]),
        (version, PROV.generatedAtTime, when),
        (version, PROV.wasGeneratedBy, activity),
        (item_ref, SCS.currentVersion, version),
        (item_ref, SCS.registerStatus, REGSTATUS[status]),
    ]
    if previous is None:
        registry += [
            (item_ref, RDF.type, SCS.RegisterItem),
            (item_ref, SCS.itemKind, Literal(kind)),
        ]
    else:
        old = URIRef(version_iri(item, previous.version))
        registry.append((version, PROV.wasRevisionOf, old))
        batch.remove_triples(
            GRAPH_REGISTRY,
            [
                (item_ref, SCS.currentVersion, old),
                (item_ref, SCS.registerStatus, REGSTATUS[previous.status]),
            ],
        )
        batch.remove_triples(GRAPH_CURRENT, store.read_graph(str(old)))
    batch.add_triples(GRAPH_REGISTRY, registry)
    batch.add_triples(GRAPH_CURRENT, content)


def change_status(
    store: Store,
    item: str,
    status: str,
    principal: Principal,
    base_iri: str,
    successor: str | None = None,
    reason: str | None = None,
) -> EntryChange:
    """Move an item to `status` along an allowed transition; a new version records it."""
    if principal.role not in ("registrar", "admin"):
        raise ForbiddenError("only a registrar changes statuses (只有登记员可以修改状态)")
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}", {"allowed": list(STATUSES)})
    state = item_state(store, item)
    if state is None:
        raise NotFoundError(f"no register item {item}")
    if status not in TRANSITIONS[state.status]:
        raise ConflictError(
            f"a {state.status} item cannot become {status} (不允许的状态转换)",
            {"from": state.status, "to": status, "allowed": sorted(TRANSITIONS[state.status])},
        )
    if status == "superseded":
        if not successor:
            raise InputError("superseded needs the successor (被取代须指明后继条目)")
        if successor == item or item_state(store, successor) is None:
            raise InputError(f"the successor {successor} is not another register item")
    elif successor:
        raise InputError("a successor is given only when the status becomes superseded")
    now = _now()
    change = URIRef(f"{base_iri}status-change/{uuid.uuid4()}")
    batch = WriteBatch()
    content = store.read_graph(version_iri(item, state.version))
    number = state.version + 1
    _new_version(
        batch,
        store,
        item,
        state.kind,
        number,
        content,
        state.content_sha256,
        status,
        change,
        now,
        state,
    )
    activity = [
        (change, RDF.type, SCS.StatusChange),
        (change, RDF.type, PROV.Activity),
        (change, PROV.wasAssociatedWith, principal.agent),
        (change, PROV.startedAtTime, now),
        (change, SCS.registerStatus, REGSTATUS[status]),
        (change, PROV.generated, URIRef(version_iri(item, number))),
    ]
    if successor:
        activity.append((change, SCS.successor, URIRef(successor)))
    if reason:
        activity.append((change, SCS.reason, Literal(reason)))
    batch.add_triples(GRAPH_REGISTRY, activity)
    store.write(batch)
    return EntryChange(item, state.kind, number, status)


@dataclass
class VersionInfo:
    number: int
    status: str
    time: str
    activity: str
    content_sha256: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def history(store: Store, item: str) -> list[VersionInfo]:
    rows = store.select(
        f"""SELECT ?n ?status ?time ?act ?sha WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
            ?v <{SCS.versionOf}> ?item ; <{SCS.versionNumber}> ?n ;
               <{SCS.registerStatus}> ?status ; <{PROV.generatedAtTime}> ?time ;
               <{PROV.wasGeneratedBy}> ?act ; <{SCS.contentSha256}> ?sha . }} }}""",
        {"item": URIRef(item)},
    )
    if not rows:
        raise NotFoundError(f"no register item {item}")
    versions = [
        VersionInfo(
            int(r["n"]),
            str(r["status"]).rsplit("/", 1)[-1],
            str(r["time"]),
            str(r["act"]),
            str(r["sha"]),
        )
        for r in rows
    ]
    return sorted(versions, key=lambda v: v.number)


def read_version(store: Store, item: str, number: int | None = None) -> Graph:
    """An item's triples exactly as registered in version `number` (default: current)."""
    state = item_state(store, item)
    if state is None:
        raise NotFoundError(f"no register item {item}")
    number = state.version if number is None else number
    if not 1 <= number <= state.version:
        raise NotFoundError(f"{item} has no version {number}", {"versions": state.version})
    return store.read_graph(version_iri(item, number))


_LOOKUP_PROPERTIES = (DCTERMS.identifier, SCS.resourceCode, SCS.interfaceCode, SCS.creditCode)


def resolve_item(store: Store, ident: str) -> str:
    """The IRI of the item an identifier names: an IRI, a standard identifier in any
    spelling, a resource code, an interface code or a credit code."""
    ident = ident.strip()
    if ident.startswith(("http://", "https://", "urn:")):
        if item_state(store, ident) is None:
            raise NotFoundError(f"no register item {ident}")
        return ident
    candidates = {ident}
    with contextlib.suppress(IdentifierError):
        candidates.add(str(parse_standard_id(ident)))
    values = " ".join(Literal(c).n3() for c in sorted(candidates))
    props = " ".join(p.n3() for p in _LOOKUP_PROPERTIES)
    rows = store.select(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
        f"VALUES ?v {{ {values} }} VALUES ?p {{ {props} }} ?s ?p ?v }} }}"
    )
    items = sorted(str(r["s"]) for r in rows)
    if not items:
        raise NotFoundError(f"nothing is registered as {ident!r} (未找到该条目)", {"id": ident})
    if len(items) > 1:
        raise ConflictError(f"{ident!r} names several entries", {"items": items})
    return items[0]
