"""Register items: submissions, versions, statuses and provenance.

Every submission, whatever its format, takes one path (`submit`): its triples are
split into entries, the ownership rule is applied to each, each entry is hashed and
compared with the register, only the changed and new entries are validated, and,
with no Violation, everything is written in ONE store batch: every changed entry
gets a new version graph, the current graph is updated, and the submission's
provenance and report are recorded. With any Violation nothing is written.
docs/registration.md has the model and a diagram.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, RDF, XSD
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

from registry.bilingual import Text
from registry.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from registry.inputs.identifiers import IRI_SCHEMES, lookup_spellings
from registry.inputs.load import Reading
from registry.inputs.oxparse import graph_of
from registry.namespaces import EARL, GRAPH_CURRENT, GRAPH_REGISTRY, REGSTATUS, SCS, SH, STDSTATUS
from registry.register.assessors import check_assessors, future_dates, is_automatic_code
from registry.register.catalogues import dropped_members
from registry.register.changes import describe_change
from registry.register.iris import (
    KIND_ZH,
    Screening,
    part_prefix,
    screen_upload,
    without_register_record,
)
from registry.register.lifecycle import IMPLIED_STANDARD_STATUS
from registry.runtime.collector import collector_paused
from registry.store import Store, WriteBatch
from registry.store.base import PreparedWrite, is_plain_iri
from registry.store.sparql_text import select_in_batches
from registry.validation.reports import report_graph
from registry.validation.validator import (
    SEVERITIES,
    Progress,
    ValidationReport,
    ValidationResult,
    Validator,
)

# Forward hops of context that an entry's shapes read (no shape walks a path backwards:
# tests/validation/test_validation_identity.py).
CONTEXT_HOPS = 2

ITEM_CLASSES: dict[URIRef, str] = {
    SCS.Standard: "standard",
    ORG.Organization: "department",
    SCS.InformationResource: "resource",
    SCS.DataInterface: "interface",
    DCAT.Catalog: "catalogue",
    # A conformity assessment (docs/assessment.md): owned by the assessor department.
    EARL.Assertion: "assessment",
}
Triple = tuple[Node, Node, Node]
# A document as subject -> its (predicate, object) pairs (a dict used as an ordered set)
Statements = dict[Node, dict[tuple[Node, Node], None]]
# Entries a department submits about itself; standards and departments are the
# registrars' (the standards bureau's) to write.
DEPARTMENT_OWNED = {"resource", "interface", "catalogue", "assessment"}

STATUSES = ("submitted", "valid", "invalid", "deprecated", "superseded", "retired")
# Their names in Chinese, as the pages name them (api/i18n.py reg_*), for messages.
STATUS_NAMES_ZH = {
    "submitted": "已提交",
    "valid": "有效",
    "invalid": "无效",
    "deprecated": "已弃用",
    "superseded": "已被取代",
    "retired": "已撤销",
}
# ISO 19135 transitions. Retired is final; superseded can only retire.
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"valid", "invalid", "retired"}),
    "valid": frozenset({"deprecated", "superseded", "retired", "invalid"}),
    "invalid": frozenset({"valid", "retired"}),
    "deprecated": frozenset({"valid", "superseded", "retired"}),
    "superseded": frozenset({"retired"}),
    "retired": frozenset(),
}
# A conforming submission is accepted on validation: its entries become valid; under
# review (registry.register.review) they are submitted until a registrar decides.
ACCEPTED_STATUS = "valid"
REVIEW_STATUS = "submitted"
CLOSED_STATUSES = {"superseded", "retired"}
# Statuses a changed submission's new version keeps: only a registrar lifts them. An
# invalid entry's corrected content is valid (the way to correct it); superseded and
# retired ones cannot be changed at all.
CARRIED_STATUSES = {"deprecated"}
# A provisional registration (docs/registration.md): entries that still lack required
# values are registered as ISO 19135's "submitted" (proposed, not yet accepted), current
# but not vouched for, until they are complete.
PROVISIONAL_STATUS = "submitted"
# The results that say only that a required value is missing (too few values; too few
# in a language, for the qualified counts of the Chinese and English titles): what a
# provisional registration reports as Warnings. Every other Violation still refuses.
MISSING_VALUE_CONSTRAINTS = frozenset(
    {str(SH.MinCountConstraintComponent), str(SH.QualifiedMinCountConstraintComponent)}
)
TO_COMPLETE = Text(
    zh="待补充（补齐后条目方可有效）：", en="To complete before the entry can be valid: "
)


@dataclass(frozen=True)
class Principal:
    """Who acts: a submitter of one department, a registrar or an admin."""

    role: str
    department: URIRef | None = None
    name: str = ""
    #: The record of the access token it acts with (`urn:screg:token:<id>`); None from
    #: the command line. A submitter's agent is its department, so without this the
    #: provenance of a write would not say which of the department's tokens made it.
    token: URIRef | None = None
    #: The registry itself recording its automatic assessments
    #: (registry.register.automatic.AUTOMATIC): the one principal that writes them
    #: (registry.register.assessors). No token or command acts as it.
    automatic: bool = False

    @property
    def agent(self) -> URIRef:
        return self.department or URIRef(f"urn:screg:agent:{self.role}:{self.name or 'cli'}")


REGISTRAR = Principal(role="registrar", name="registry")


def via_token(activity: URIRef, principal: Principal) -> list[tuple[URIRef, URIRef, URIRef]]:
    """The audit triple naming the token a write was made with (none from the CLI)."""
    return [(activity, SCS.viaToken, principal.token)] if principal.token is not None else []


@dataclass
class EntryChange:
    item: str
    kind: str
    version: int
    outcome: str  # "new", "updated", "unchanged"
    # The register status of a new version other than the outcome's: a provisional
    # registration's for one lacking required values (PROVISIONAL_STATUS), or the
    # status it keeps (CARRIED_STATUSES); None otherwise (the outcome says it).
    status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "status" or v is not None}


@dataclass
class SubmissionResult:
    submission: str | None
    report: ValidationReport
    changes: list[EntryChange] = field(default_factory=list)
    ignored_subjects: list[str] = field(default_factory=list)
    generation: int | None = None
    # The automatic assessments the registry recorded after this submission, in a write
    # of their own (registry.register.automatic; the `automatic_assessments` setting).
    automatic: list[EntryChange] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.report.conforms

    @property
    def outcome(self) -> str:
        """rejected, submitted (waiting for review), accepted or unchanged, as the
        submission's provenance records it (scs:outcome)."""
        if not self.accepted:
            return "rejected"
        outcomes = {c.outcome for c in self.changes}
        if REVIEW_STATUS in outcomes:
            return REVIEW_STATUS
        return "accepted" if outcomes - {"unchanged"} else "unchanged"

    def as_dict(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "accepted": self.accepted,
            "outcome": self.outcome,
            "generation": self.generation,
            "entries": [c.as_dict() for c in self.changes],
            "ignored_subjects": self.ignored_subjects,
            "skipped_entries": self.report.extra.get("skipped_entries", 0),
            **(
                {"automatic_assessments": [c.as_dict() for c in self.automatic]}
                if self.automatic
                else {}
            ),
        }


def now_literal() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="microseconds"), datatype=XSD.dateTime)


class TermTexts:
    """The N-Triples text of terms, made once per term object and kept for as long as
    the holder lives: one holder for a whole submission makes each IRI's and each
    literal's text once for the document, not once per entry (hashing a catalogue
    made the same texts over and over). Keyed by the object's identity, which is
    cheap where rdflib's Literal hashes and compares in Python; the object is held,
    so its identity is never reused while its text is kept."""

    def __init__(self) -> None:
        self.by_id: dict[int, str] = {}
        self._held: list[Node] = []

    def make(self, term: Node) -> str:
        # type() rather than isinstance: rdflib's terms check instances through an ABC
        text = _quoteLiteral(term) if type(term) is Literal else term.n3()
        self.by_id[id(term)] = text
        self._held.append(term)
        return text


def canonical_ntriples(
    triples: Iterable[tuple[Node, Node, Node]], texts: TermTexts | None = None
) -> bytes:
    """Sorted N-Triples lines: the same content always gives the same bytes.

    Each line is what rdflib's N-Triples serializer writes for the triple (its row
    function, _nt_row: a literal by _quoteLiteral, any other term by its n3()), without
    building a graph to serialise: the same bytes, and so the same hashes as the
    versions already registered, at a fraction of the cost. Each term's text is made
    once per `texts` (a submission shares one over all its entries). Lines are sorted
    as text and encoded once: UTF-8 keeps the order of code points, so the bytes are
    those of sorting the encoded lines."""
    texts = TermTexts() if texts is None else texts
    known, make = texts.by_id.get, texts.make
    lines = sorted(
        {
            f"{known(id(s)) or make(s)} {known(id(p)) or make(p)} {known(id(o)) or make(o)} .\n"
            for s, p, o in triples
        }
    )
    return "".join(lines).encode() if lines else b"\n"


def content_sha256(
    triples: Iterable[tuple[Node, Node, Node]], texts: TermTexts | None = None
) -> str:
    return hashlib.sha256(canonical_ntriples(triples, texts)).hexdigest()


def version_iri(item: str, number: int) -> str:
    return f"{item}/version/{number}"


_VERSION_IRI = re.compile(r"^(?P<item>.+)/version/(?P<n>[1-9]\d{0,8})$")


def version_of(iri: str) -> tuple[str, int] | None:
    """The item and the number a version's IRI names (`version_iri`'s inverse), or None."""
    match = _VERSION_IRI.match(iri)
    return (match["item"], int(match["n"])) if match else None


def index_statements(triples: Iterable[Triple]) -> Statements:
    """A document as subject -> its (predicate, object) pairs, in document order, each
    pair once (a triple written twice is one statement)."""
    spo: Statements = {}
    for s, p, o in triples:
        spo.setdefault(s, {})[(p, o)] = None
    return spo


def split_entries(
    document: Statements | Iterable[Triple],
) -> tuple[dict[URIRef, tuple[str, list[Triple]]], list[str]]:
    """Each typed entry of a document (its statements, or any triples: a graph) with
    its own triples, data items and blank nodes included; and the subjects that
    belong to no entry, which are not written."""
    spo = document if isinstance(document, dict) else index_statements(document)
    entries, owners = entries_and_owners(spo)
    ignored = sorted({str(s) for s in spo} - {str(n) for n in owners})
    return entries, ignored


def entries_and_owners(
    spo: Statements,
) -> tuple[dict[URIRef, tuple[str, list[Triple]]], dict[Node, URIRef]]:
    """Each typed entry of a document with its own triples, and the entry each owned
    node (the entry itself, its data items, its blank nodes) belongs to."""
    kinds = entry_kinds(spo)
    entries: dict[URIRef, tuple[str, list[Triple]]] = {}
    owners: dict[Node, URIRef] = {}
    for entry, kind in kinds.items():
        triples, seen = owned_triples(entry, spo, kinds)
        entries[entry] = (kind, triples)
        for node in seen:
            owners.setdefault(node, entry)
    return entries, owners


def entry_kinds(spo: Statements) -> dict[URIRef, str]:
    """The entries of a document with their kinds: every IRI typed with one of
    ITEM_CLASSES, the first of them in that order when it has several."""
    # rdflib namespace attributes build a new term on every access: read them once
    rdf_type = URIRef(str(RDF.type))
    classes = [(URIRef(str(cls)), kind) for cls, kind in ITEM_CLASSES.items()]
    kinds: dict[URIRef, str] = {}
    for s, pairs in spo.items():
        if not isinstance(s, URIRef):
            continue
        for cls, kind in classes:
            if (rdf_type, cls) in pairs:
                kinds[s] = kind
                break
    return kinds


def owned_triples(
    entry: URIRef, spo: Statements, kinds: Container[Node]
) -> tuple[list[Triple], set[Node]]:
    """One entry's triples (its data items' and blank nodes' included) and the nodes
    it owns. A data item that is itself an entry is that entry's, not this one's."""
    data_item = str(SCS.dataItem)
    content: list[Triple] = []
    seen: set[Node] = set()
    prefix = part_prefix(entry)
    _walk(
        entry,
        spo,
        # A blank node registered is skolemised under the entry's IRI (`skolemise`): a
        # downloaded entry sent back names its parts (an assessment's result) so.
        # Compared as text and by exact type: rdflib's __eq__, startswith and its ABC
        # isinstance are Python calls, and this runs on every triple of a document.
        lambda p, o: (
            (
                str.__eq__(p, data_item)
                or type(o) is BNode
                or (type(o) is URIRef and str.startswith(o, prefix))
            )
            and o not in kinds
        ),
        seen,
        content,
    )
    return content, seen


def _walk(
    start: Node,
    spo: Statements,
    follow: Callable[[Node, Node], bool],
    seen: set[Node],
    out: list[Triple],
) -> list[Node]:
    """Add to `out` the triples of `start` and of every node reached from it through
    the (predicate, object) links `follow` accepts, passing over the nodes in `seen`
    (and adding those it reads); return the IRIs they point at otherwise."""
    stack, pointed = [start], []
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in spo.get(node, {}):
            out.append((node, p, o))
            if follow(p, o):
                stack.append(o)
            # the exact type first: rdflib's isinstance goes through an ABC
            elif type(o) is URIRef or (type(o) is not Literal and isinstance(o, URIRef)):
                pointed.append(o)
    return pointed


def skolemise(entry: URIRef, content: Iterable[Triple]) -> Graph:
    """Blank nodes of an entry become IRIs under it, the same IRI for the same content,
    so that re-submitting a blank-node document makes no new version."""
    graph = content if isinstance(content, Graph) else graph_of(content)
    bnodes = {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}
    if not bnodes:
        return graph
    names = {}
    for node in bnodes:
        outgoing = sorted(
            f"{p.n3()} {'_' if isinstance(o, BNode) else o.n3()}"
            for p, o in graph.predicate_objects(node)
        )
        names[node] = URIRef(
            f"{entry}/node/{hashlib.sha256('|'.join(outgoing).encode()).hexdigest()[:16]}"
        )
    result = Graph()
    for s, p, o in graph:
        result.add((names.get(s, s), p, names.get(o, o)))
    return result


def registered_content(
    entry: URIRef, triples: list[Triple], texts: TermTexts | None = None
) -> tuple[Iterable[Triple], str]:
    """An entry's content as it is registered (blank nodes skolemised) and its content
    hash. Only an entry with blank nodes is made into a graph to skolemise: hashing
    the triples themselves gives the same bytes."""
    if any(type(t[0]) is not URIRef or type(t[2]) is BNode for t in triples):
        content = skolemise(entry, triples)
        return content, content_sha256(content)
    return triples, content_sha256(triples, texts)


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
    query = f"""SELECT ?item ?kind ?status ?n ?sha ?shapes WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
        VALUES ?item {{ $VALUES }}
        ?item <{SCS.currentVersion}> ?v ; <{SCS.registerStatus}> ?status ;
              <{SCS.itemKind}> ?kind .
        ?v <{SCS.versionNumber}> ?n ; <{SCS.contentSha256}> ?sha .
        OPTIONAL {{ ?v <{PROV.wasGeneratedBy}> ?act .
                   ?act <{SCS.shapesSha256}> ?shapes . }} }} }}"""
    found: dict[str, ItemState] = {}
    for row in select_in_batches(store, query, map(URIRef, items), batch):
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


def check_ownership(
    store: Store,
    entries: dict[URIRef, tuple[str, list[Triple]]],
    principal: Principal,
    place_of: Callable[[str], dict[str, Any]] = lambda _entry: {},
) -> None:
    """The ownership rule, for every entry of every submission, on every way in: a
    submitter creates entries for its own department only (the entry's own
    dct:publisher) and changes only entries its department owns now, as the register
    says (the publisher of the entry's current version), not as the upload says;
    registrars and admins write any entry but change no entry's owner (409: that is
    a transfer). Refused whole, every entry named with its owner, before anything is
    validated or written."""
    publisher = URIRef(str(DCTERMS.publisher))
    owners = current_owners(
        store, [str(e) for e, (k, _t) in entries.items() if k in DEPARTMENT_OWNED]
    )
    if principal.automatic:
        # The owner of an automatic assessment follows from its subject (the department
        # providing it), as the registry's rules say now: its write sets it, over an
        # `AUTO-` code another department registered before that was refused, or an
        # entry transferred since (its former owner's name was refused, 409, for good).
        owners = {e: o for e, o in owners.items() if not is_automatic_code(_last_segment(e))}
    if principal.role in ("registrar", "admin"):
        # A submitter moving an entry is refused below (403), as any foreign entry.
        _check_owner_unchanged(entries, owners)
        return
    foreign = []
    for entry, (kind, triples) in entries.items():
        if kind not in DEPARTMENT_OWNED:
            foreign.append(
                _refused(
                    entry,
                    Text(
                        zh=f"提交者不能写入{_KIND_ZH.get(kind, kind)}",
                        en=f"a submitter cannot write a {kind}",
                    ),
                )
            )
            continue
        owner = owners.get(str(entry))
        if owner is not None and owner != {str(principal.department)}:
            foreign.append(
                {
                    **_refused(
                        entry,
                        Text(
                            zh="已登记为其他部门的条目",
                            en="registered as another department's entry",
                        ),
                    ),
                    "owner": sorted(owner),
                }
            )
            continue
        publishers = {o for s, p, o in triples if p == publisher and s == entry}
        if publishers != {principal.department}:
            foreign.append(
                {
                    **_refused(
                        entry,
                        Text(
                            zh="提供方不是提交者所属部门",
                            en="provider is not the submitter's department",
                        ),
                    ),
                    "provider": sorted(str(p) for p in publishers),
                }
            )
    # A new entry with no provider, or only providers that are no registered
    # department (a blank cell under a merged one, a mistyped credit code), is no other
    # department's: validation refuses it (exactly one provider, a registered
    # department), naming the row and column. A 403 "entries of another department"
    # with `provider: []` sent the clerk looking for the wrong mistake, where
    # validating the same file named each cell. (A missing provider stays a Violation
    # in a provisional registration too: as_provisional.)
    unknown = set(_unregistered_providers(store, foreign))
    foreign = [f for f in foreign if "provider" not in f or not set(f["provider"]) <= unknown]
    if foreign:
        # Where each was read: a clerk finds the row, not the IRI (the clerk probe).
        for refused in foreign:
            place = place_of(refused["entry"])
            if place:
                refused["location"] = place
        named = [_placed(f) for f in foreign]
        raise ForbiddenError(
            Text(
                zh="只能提交本部门的条目，以下条目属于其他部门："
                + _first_entries([zh for zh, _en in named]).zh,
                en="the submission holds entries of another department: "
                + _first_entries([en for _zh, en in named]).en,
            ),
            {"department": str(principal.department), "entries": foreign},
        )


def _placed(refused: dict[str, Any]) -> tuple[str, str]:
    """A refused entry as its message names it: with the sheet and row it was read from."""
    place = refused.get("location", {})
    entry = refused["entry"]
    if "row" not in place:
        return entry, entry
    sheet = place.get("sheet")
    in_sheet_zh = f"工作表“{sheet}”" if sheet else ""
    in_sheet_en = f"sheet {sheet!r} " if sheet else ""
    return (
        f"{entry}({in_sheet_zh}第 {place['row']} 行)",
        f"{entry} ({in_sheet_en}row {place['row']})",
    )


_KIND_ZH = {"standard": "标准", "department": "部门"}


def _refused(entry: URIRef, why: Text) -> dict[str, Any]:
    """An entry of an ownership refusal's details: `reason` in English, as programs have
    read it, and `reasons` in both languages (a Chinese answer showed the English one)."""
    return {"entry": str(entry), "reason": why.en, "reasons": {"zh": why.zh, "en": why.en}}


def _last_segment(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _unregistered_providers(store: Store, foreign: list[dict[str, Any]]) -> list[str]:
    """The providers named by `foreign`'s new entries that are no registered department."""
    named = sorted({p for f in foreign for p in f.get("provider", [])})
    return [
        iri
        for iri in named
        if not is_plain_iri(iri)
        or not store.match(GRAPH_CURRENT, URIRef(iri), RDF.type, ORG.Organization)
    ]


def _first_entries(entries: list[str]) -> Text:
    """The first five of `entries` for a refusal's message, with how many there are in
    all when there are more (the details list every one)."""
    more = len(entries) > 5
    return Text(
        zh="、".join(entries[:5]) + (f" 等 {len(entries)} 个" if more else ""),
        en=", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if more else ""),
    )


def _check_owner_unchanged(
    entries: dict[URIRef, tuple[str, list[Triple]]], owners: dict[str, set[str]]
) -> None:
    """An entry changes owner by a transfer only (`transfer_owner`: a registrar, with a
    reason, in provenance), never as a side effect of a submission, whoever sends it:
    a registered entry whose upload names another provider is refused (409)."""
    moved = []
    publisher = str(DCTERMS.publisher)  # a namespace attribute builds a term per access
    for entry, (_kind, triples) in entries.items():
        owner = owners.get(str(entry))
        if owner is None:
            continue
        named = {
            str(o)
            for s, p, o in triples
            if str.__eq__(p, publisher) and type(s) is URIRef and str.__eq__(s, entry)
        }
        if named and named != owner:
            moved.append({"entry": str(entry), "owner": sorted(owner), "provider": sorted(named)})
    if moved:
        raise ConflictError(
            Text(
                zh="提交不能更改条目的所属部门，须由登记员办理归属转移："
                + _first_entries([m["entry"] for m in moved]).zh,
                en="a submission cannot change an entry's owner; a registrar transfers it "
                "with a reason: " + _first_entries([m["entry"] for m in moved]).en,
            ),
            {"entries": moved, "transfer": "POST /api/v1/items/{id}/owner, screg transfer"},
        )


def _withdraws_its_own_assessment(
    store: Store, item: str, status: str, principal: Principal
) -> bool:
    if status != "retired" or principal.department is None:
        return False
    state = item_state(store, item)
    if state is None or state.kind != "assessment":
        return False
    return current_owners(store, [item]).get(item) == {str(principal.department)}


def current_owners(store: Store, items: list[str], batch: int = 500) -> dict[str, set[str]]:
    """The department(s) each registered item belongs to now: the dct:publisher of its
    current version, as the current graph holds it. Items not registered are absent
    (an IRI that cannot be registered, as the IRI rules refuse it, included)."""
    query = (
        f"SELECT ?s ?o WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ VALUES ?s {{ $VALUES }} "
        f"?s <{DCTERMS.publisher}> ?o }} }}"
    )
    owners: dict[str, set[str]] = {}
    plain = (URIRef(iri) for iri in items if is_plain_iri(iri))
    for row in select_in_batches(store, query, plain, batch):
        owners.setdefault(str(row["s"]), set()).add(str(row["o"]))
    return owners


def submit(
    store: Store,
    validator: Validator,
    reading: Reading,
    principal: Principal,
    base_iri: str,
    report_max_results: int = 1000,
    progress: Progress | None = None,
    review: bool = False,
    provisional: bool = False,
) -> SubmissionResult:
    """Register a submission read by registry.inputs.load.read_documents, whatever its
    format: the one path (docs/registration.md, "A submission"): `decide`, then, when
    it conforms, `write_decision`. With `review`, the changed entries wait for a
    registrar's decision (registry.register.review) as `submitted` versions, and reads
    keep showing their accepted versions.

    The caller serialises calls (one writer per process) and holds the store's writer
    lock; see Registry, which decides before taking the lock and decides again under it
    only when the register changed meanwhile."""
    decided = decide(store, validator, reading, principal, base_iri, progress, provisional)
    if isinstance(decided, SubmissionResult):
        return decided
    return write_decision(store, decided, principal, base_iri, report_max_results, review)


@dataclass
class Decision:
    """A conforming submission, as `decide` found it against the register: what
    `write_decision` writes if the register is unchanged since."""

    kinds: dict[URIRef, str]
    contents: dict[URIRef, Iterable[Triple]]
    hashes: dict[URIRef, str]
    states: dict[str, ItemState]
    report: ValidationReport
    source_sha256: str
    ignored: list[str]
    # Entries of a provisional registration that lack required values: registered as
    # PROVISIONAL_STATUS, not valid.
    incomplete: frozenset[str] = frozenset()


def decide(
    store: Store,
    validator: Validator,
    reading: Reading,
    principal: Principal,
    base_iri: str,
    progress: Progress | None = None,
    provisional: bool = False,
) -> Decision | SubmissionResult:
    """Every rule of the register on a submission, writing nothing: its Decision when
    it conforms, else the rejected SubmissionResult with its report. Raises the
    refusals that are not a report (no entry, another department's entry). With
    `provisional`, a missing required value is a Warning (`as_provisional`) and the
    entries lacking one are registered as PROVISIONAL_STATUS.

    1. split the triples into entries, each with its own triples;
    2. the ownership rule on every entry (check_ownership), then the rules of
       registry.register.iris: entries at minted IRIs, data items their own, nothing
       about other subjects that matter, no statement of the vocabulary (their
       Violations join the report; what they refuse is never validated);
    3. hash each entry and compare with the hashes the register holds: an entry
       unchanged since a version validated with the same shapes is neither
       validated nor written, whichever process registered it;
    4. validate the changed and new entries with the context their shapes read
       (two forward hops in the document, then the registry); a mapped document's
       reading problems and locations come with the results.
    """
    validator = reading.validator(validator)
    if reading.unreadable:
        return SubmissionResult(None, validator.validate(reading.graph(), store))
    # Steps 1-3 make a few objects per triple, none in a cycle: registry.runtime.collector
    with collector_paused():
        entries, screening, contents, hashes, states = _screen_and_hash(
            store, validator, reading, principal, base_iri
        )
    ignored = screening.ignored
    statements = screening.kept
    shapes = validator.shapes.sha256
    changed = [e for e in entries if not _unchanged(states.get(str(e)), hashes[e], shapes)]
    # The changed entries with what their shapes read of the document; the entries
    # among that context are not validated again (they are unchanged).
    data = graph_of(_with_context(changed, statements))
    # the document's index: let it go before validation builds its own
    del statements
    screening.kept = {}
    kinds = {entry: kind for entry, (kind, _triples) in entries.items()}
    # Only what may be written is kept until the write (an entry whose hash is the
    # register's is written nothing): at 10,000 resources the unchanged entries'
    # triples, held through validation and the write, made each full collection of the
    # cyclic collector scan the whole document again (~0.6 s of the write).
    del entries
    contents = {e: contents[e] for e in changed}
    context_entries = set(kinds).difference(changed).intersection(data.subjects(RDF.type))
    report = validator.validate(data, store, progress=progress, skip=context_entries)
    report.extra["skipped_entries"] = len(kinds) - len(changed)
    with_screening(report, screening, validator)
    incomplete = as_provisional(report) if provisional else frozenset()
    if not report.conforms:
        return SubmissionResult(submission=None, report=report, ignored_subjects=ignored)
    return Decision(
        kinds, contents, hashes, states, report, reading.source_sha256, ignored, incomplete
    )


def _screen_and_hash(
    store: Store, validator: Validator, reading: Reading, principal: Principal, base_iri: str
) -> tuple[
    dict[URIRef, tuple[str, list[Triple]]],
    Screening,
    dict[URIRef, Iterable[Triple]],
    dict[URIRef, str],
    dict[str, ItemState],
]:
    """`decide`'s steps 1 to 3: the entries, the screening by the rules, each entry's
    registered content and hash, and the register's state of each."""
    statements, record = without_register_record(index_statements(reading.triples()))
    entries, owners = entries_and_owners(statements)
    if not entries:
        raise _no_entry(statements)
    check_ownership(store, entries, principal, reading.place_of)
    check_assessors(entries, principal)
    # IRIs are the registry's and the trusted context is its alone (issue 17): what
    # the rules refuse is decided on the upload as sent, and validation sees only the
    # entries' own statements, never a foreign subject or a statement of the vocabulary.
    screening = screen_upload(
        store, statements, owners, entries, base_iri, validator.vocabulary.terms
    )
    screening.results += record
    screening.results += future_dates(entries)
    states = item_states(store, [str(entry) for entry in entries])
    screening.results += dropped_members(
        entries, lambda item: read_version(store, item) if item in states else ()
    )
    contents: dict[URIRef, Iterable[Triple]] = {}
    hashes: dict[URIRef, str] = {}
    texts = TermTexts()  # the document's terms: each one's text made once
    for entry, (_kind, triples) in entries.items():
        contents[entry], hashes[entry] = registered_content(entry, triples, texts)
    return entries, screening, contents, hashes, states


def missing_values(results: Iterable[ValidationResult]) -> list[ValidationResult]:
    """The Violations that say only that a required value is missing."""
    return [
        r
        for r in results
        if r.severity == "Violation" and r.constraint in MISSING_VALUE_CONSTRAINTS
    ]


def as_provisional(report: ValidationReport) -> frozenset[str]:
    """Make `report` a provisional registration's: each Violation that says only that a
    required value is missing (by its constraint component, which it keeps, so the rule
    holds for any shape) becomes a Warning marked to complete; every other Violation
    stays and still refuses. Returns the entries lacking a required value. The one
    place a provisional registration differs from any other, on the one submit path."""
    # The provider is never left to complete: it makes the entry its department's,
    # and an entry without one would be no department's (check_ownership leaves such an
    # entry to validation).
    owner = str(DCTERMS.publisher)
    missing = {id(r) for r in missing_values(report.results) if r.path != owner}
    incomplete = set()
    for i, result in enumerate(report.results):
        if id(result) in missing:
            incomplete.add(result.entry)
            report.results[i] = dataclasses.replace(
                result,
                severity="Warning",
                message_zh=TO_COMPLETE.zh + result.message_zh,
                message_en=TO_COMPLETE.en + result.message_en,
                to_complete=True,
            )
    # Violations first, as every report lists them (a stable sort keeps the rest's order).
    report.results.sort(key=lambda r: SEVERITIES.index(r.severity))
    return frozenset(incomplete)


def mark_provisional(changes: list[EntryChange], incomplete: Container[str]) -> None:
    """Give the new versions of the entries lacking required values their status."""
    for change in changes:
        if change.outcome in ("new", "updated") and change.item in incomplete:
            change.status = PROVISIONAL_STATUS


@dataclass
class PreparedSubmission:
    """A conforming submission's write, made from the register as `decide` read it and
    prepared in the store (Store.prepare), waiting for `commit_submission`. Its result
    has no generation yet."""

    result: SubmissionResult
    write: PreparedWrite


def write_decision(
    store: Store,
    decision: Decision,
    principal: Principal,
    base_iri: str,
    report_max_results: int = 1000,
    review: bool = False,
) -> SubmissionResult:
    """5. Write a conforming submission in one transaction. The caller holds the
    writer lock, and the register is as `decide` read it."""
    prepared = prepare_decision(store, decision, principal, base_iri, report_max_results, review)
    return commit_submission(store, prepared)


def prepare_decision(
    store: Store,
    decision: Decision,
    principal: Principal,
    base_iri: str,
    report_max_results: int = 1000,
    review: bool = False,
) -> PreparedSubmission:
    """`write_decision`'s first half, which needs no writer lock: the write made from
    the register as it is now, and prepared in the store (on a remote store, staged).
    Raises the write's refusals (planned_changes). The caller commits it under the lock
    if the register's generation is still the one it was made from, else discards it
    (Store.discard)."""
    batch, result = _submission_batch(
        store,
        decision.kinds,
        decision.contents,
        decision.hashes,
        decision.states,
        decision.report,
        principal,
        decision.source_sha256,
        base_iri,
        report_max_results,
        decision.ignored,
        review,
        decision.incomplete,
    )
    return PreparedSubmission(result, store.prepare(batch))


def commit_submission(store: Store, prepared: PreparedSubmission) -> SubmissionResult:
    """`write_decision`'s second half, under the writer lock: the prepared write made
    visible at once, all of it or nothing."""
    prepared.result.generation = store.commit(prepared.write)
    return prepared.result


def with_screening(
    report: ValidationReport, screening: Screening, validator: Validator
) -> ValidationReport:
    """`report` with the screening's Violations first: an upload refused by the rules
    of registry.register.iris is refused whatever the shapes found in what was kept.
    Each is placed in the document as the shapes' results are (a future assessment date
    in a spreadsheet had no row or column)."""
    screened = sorted(screening.results, key=lambda r: (r.entry, r.focus, r.path or ""))
    report.results[:0] = validator.located(screened)
    return report


def _no_entry(statements: Statements) -> InputError:
    """The refusal of a document that holds no entry, naming what it does hold."""
    ignored = sorted({str(s) for s in statements})
    return InputError(
        Text(
            zh="提交内容中没有可登记的条目（标准、部门、信息资源、数据接口、目录或符合性评估）",
            en=(
                "the submission holds no entry (standard, department, "
                "resource, interface, catalogue or assessment)"
            ),
        ),
        {"ignored_subjects": ignored[:20]},
    )


def validate_reading(
    reading: Reading,
    store: Store | None,
    base_iri: str,
    validator: Validator,
    progress: Progress | None = None,
) -> ValidationReport:
    """Validation alone (no write, no ownership), as `submit` validates: the rules of
    registry.register.iris, then the shapes on what they keep."""
    validator = reading.validator(validator)
    if reading.unreadable:
        return validator.validate(reading.graph(), store)
    statements, record = without_register_record(index_statements(reading.triples()))
    entries, owners = entries_and_owners(statements)
    if not entries:
        # What the submission would answer: an empty document "conformed".
        raise _no_entry(statements)
    screening = screen_upload(
        store, statements, owners, entries, base_iri, validator.vocabulary.terms
    )
    screening.results += record
    screening.results += future_dates(entries)
    states = item_states(store, [str(entry) for entry in entries])
    screening.results += dropped_members(
        entries, lambda item: read_version(store, item) if item in states else ()
    )
    data = graph_of((s, p, o) for s, pairs in screening.kept.items() for p, o in pairs)
    return with_screening(validator.validate(data, store, progress=progress), screening, validator)


def planned_changes(
    store: Store,
    kinds: dict[URIRef, str],
    hashes: dict[URIRef, str],
    states: dict[str, ItemState],
    review: bool = False,
) -> list[EntryChange]:
    """What a write of a conforming submission makes of each entry, in the order it
    writes them: unchanged (the content hash of its current version), new or updated
    (the next version), or, with `review`, a version submitted for review. Reads the
    store, writes nothing; raises the write's refusals (ConflictError): entries
    already waiting for review, a superseded or retired entry changed. The write and
    `screg register --dry-run` (Registry.try_submit) both ask it."""
    changes: list[EntryChange] = []
    closed = []
    if review:
        waiting = pending_versions(store, [str(e) for e in kinds])
        if waiting:
            raise ConflictError(
                Text(
                    zh="条目已在等待登记员审核：" + "、".join(sorted(waiting)[:5]),
                    en="entries already wait for a registrar's review: "
                    + ", ".join(sorted(waiting)[:5]),
                ),
                {"entries": [{"entry": e, "version": v} for e, v in sorted(waiting.items())]},
            )
        numbers = last_version_numbers(store, [str(e) for e in kinds])
    # by the IRI's text: what rdflib's ordering of URIRefs gives, without its __lt__
    for entry, kind in sorted(kinds.items(), key=lambda pair: str(pair[0])):
        state = states.get(str(entry))
        if state is not None and state.content_sha256 == hashes[entry]:
            changes.append(EntryChange(str(entry), kind, state.version, "unchanged"))
        elif state is not None and state.status in CLOSED_STATUSES:
            closed.append({"entry": str(entry), "status": state.status})
        elif review:
            # After the last version, rejected ones included: numbers are never reused.
            number = numbers.get(str(entry), 0) + 1
            changes.append(EntryChange(str(entry), kind, number, REVIEW_STATUS))
        else:
            number = 1 if state is None else state.version + 1
            change = EntryChange(str(entry), kind, number, "new" if state is None else "updated")
            if state is not None and state.status in CARRIED_STATUSES:
                # A registrar's judgement of the entry, not of its content: a department's
                # edit made a deprecated entry valid again.
                change.status = state.status
            changes.append(change)
    if closed:
        raise ConflictError(
            Text(
                zh="已被取代或已撤销的条目不能修改",
                en="entries that are superseded or retired cannot be changed",
            ),
            {"entries": closed},
        )
    return changes


def _submission_batch(
    store: Store,
    kinds: dict[URIRef, str],
    contents: dict[URIRef, Iterable[Triple]],
    hashes: dict[URIRef, str],
    states: dict[str, ItemState],
    report: ValidationReport,
    principal: Principal,
    source_sha256: str,
    base_iri: str,
    report_max_results: int,
    ignored: list[str],
    review: bool = False,
    incomplete: Container[str] = (),
) -> tuple[WriteBatch, SubmissionResult]:
    """The write of a conforming submission, one batch (one transaction): a new version of
    each entry whose content hash differs from its current version's (`contents` needs
    to hold only those), the submission's provenance and its report. With `review`,
    each new version is pending (`_pending_version`), not current; the `incomplete`
    entries of a provisional registration are current as PROVISIONAL_STATUS."""
    now = now_literal()
    submission = URIRef(f"{base_iri}submission/{uuid.uuid4()}")
    batch = WriteBatch()
    changes = planned_changes(store, kinds, hashes, states, review)
    mark_provisional(changes, incomplete)
    for change in changes:
        if change.outcome == "unchanged":
            continue
        entry, state = URIRef(change.item), states.get(change.item)
        if change.outcome == REVIEW_STATUS:
            _pending_version(
                batch,
                change.item,
                change.kind,
                change.version,
                contents[entry],
                hashes[entry],
                submission,
                now,
                state,
            )
        else:
            _new_version(
                batch,
                store,
                change.item,
                change.kind,
                change.version,
                contents[entry],
                hashes[entry],
                change.status or ACCEPTED_STATUS,
                submission,
                now,
                state,
            )
    if review and any(c.outcome == REVIEW_STATUS for c in changes):
        outcome = REVIEW_STATUS
    else:
        outcome = "accepted" if any(c.outcome != "unchanged" for c in changes) else "unchanged"
    report_iri = f"{submission}/report"
    registry = [
        (submission, RDF.type, SCS.Submission),
        (submission, RDF.type, PROV.Activity),
        (submission, PROV.wasAssociatedWith, principal.agent),
        *via_token(submission, principal),
        (submission, PROV.startedAtTime, now),
        (submission, PROV.endedAtTime, now_literal()),
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
    describe_change(
        batch,
        "submission",
        now,
        role=principal.role,
        department=principal.department,
        activity=submission,
        entries=[
            (c.item, version_iri(c.item, c.version)) for c in changes if c.outcome != "unchanged"
        ],
    )
    return batch, SubmissionResult(str(submission), report, changes, ignored)


def _with_context(roots: Iterable[URIRef], spo: Statements) -> list[Triple]:
    """The triples of the entries `roots` (their data items and blank nodes included)
    and CONTEXT_HOPS forward hops from them in a document."""
    data_item = URIRef(str(SCS.dataItem))
    out: list[Triple] = []
    seen: set[Node] = set()
    frontier: list[Node] = []
    for root in roots:
        frontier += _walk(root, spo, lambda p, o: isinstance(o, BNode) or p == data_item, seen, out)
    for _hop in range(CONTEXT_HOPS):
        following: list[Node] = []
        for node in frontier:
            if node not in seen:
                following += _walk(node, spo, lambda _p, o: isinstance(o, BNode), seen, out)
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
    content: Iterable[Triple],
    sha: str,
    status: str,
    activity: URIRef,
    when: Literal,
    previous: ItemState | None,
) -> None:
    """Add to `batch` version `number` of `item` and make it current."""
    item_ref = URIRef(item)
    content = list(content)
    version = _version_record(batch, item, number, content, sha, status, activity, when)
    if previous is None:
        batch.add_triples(GRAPH_REGISTRY, _new_item(item_ref, kind))
    else:
        old = URIRef(version_iri(item, previous.version))
        batch.add_triples(GRAPH_REGISTRY, [(version, PROV.wasRevisionOf, old)])
    make_current(batch, store, item, version, content, status, previous)


def make_current(
    batch: WriteBatch,
    store: Store,
    item: str,
    version: URIRef,
    content: Iterable[Triple],
    status: str,
    previous: ItemState | None,
) -> None:
    """Add to `batch` what makes `version` (whose graph holds `content`) the current
    version of `item` with `status`: the register's pointer and status move from
    `previous` (None for an item with no current version yet) and the current graph
    trades the old version's triples for the new ones. A submission does this for the
    version it makes; a registrar's acceptance, for the version that waited."""
    item_ref = URIRef(item)
    if previous is not None:
        old = URIRef(version_iri(item, previous.version))
        batch.remove_triples(
            GRAPH_REGISTRY,
            [
                (item_ref, SCS.currentVersion, old),
                (item_ref, SCS.registerStatus, REGSTATUS[previous.status]),
            ],
        )
        batch.remove_triples(GRAPH_CURRENT, store.read_graph(str(old)))
    batch.add_triples(
        GRAPH_REGISTRY,
        [
            (item_ref, SCS.currentVersion, version),
            (item_ref, SCS.registerStatus, REGSTATUS[status]),
        ],
    )
    batch.add_triples(GRAPH_CURRENT, content)


def _version_record(
    batch: WriteBatch,
    item: str,
    number: int,
    content: Iterable[Triple],
    sha: str,
    status: str,
    activity: URIRef,
    when: Literal,
) -> URIRef:
    """Add to `batch` version `number` of `item`: its graph and its register record
    (status, digest, when, what made it). Whether it becomes current is the caller's."""
    version = URIRef(version_iri(item, number))
    batch.add_triples(str(version), content)
    batch.add_triples(
        GRAPH_REGISTRY,
        [
            (version, RDF.type, SCS.ItemVersion),
            (version, RDF.type, PROV.Entity),
            (version, SCS.versionOf, URIRef(item)),
            (version, SCS.versionNumber, Literal(number)),
            (version, SCS.contentSha256, Literal(sha)),
            (version, SCS.registerStatus, REGSTATUS[status]),
            (version, PROV.generatedAtTime, when),
            (version, PROV.wasGeneratedBy, activity),
        ],
    )
    return version


def _new_item(item: URIRef, kind: str) -> list[Triple]:
    return [(item, RDF.type, SCS.RegisterItem), (item, SCS.itemKind, Literal(kind))]


def _pending_version(
    batch: WriteBatch,
    item: str,
    kind: str,
    number: int,
    content: Iterable[Triple],
    sha: str,
    activity: URIRef,
    when: Literal,
    current: ItemState | None,
) -> None:
    """Add to `batch` version `number` of `item`, submitted for review: kept with its
    provenance and named by the item's scs:pendingVersion, but not current (the
    current graph and the item's current version and status do not change)."""
    item_ref = URIRef(item)
    version = _version_record(batch, item, number, content, sha, REVIEW_STATUS, activity, when)
    registry = [(item_ref, SCS.pendingVersion, version)]
    if current is None:
        registry += _new_item(item_ref, kind)
    else:
        registry.append((version, PROV.wasRevisionOf, URIRef(version_iri(item, current.version))))
    batch.add_triples(GRAPH_REGISTRY, registry)


def pending_versions(store: Store, items: list[str], batch: int = 500) -> dict[str, int]:
    """The number of the version waiting for review of each of `items` that has one."""
    query = (
        f"SELECT ?item ?n WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ VALUES ?item {{ $VALUES }} "
        f"?item <{SCS.pendingVersion}> ?v . ?v <{SCS.versionNumber}> ?n }} }}"
    )
    rows = select_in_batches(store, query, map(URIRef, items), batch)
    return {str(r["item"]): int(r["n"]) for r in rows}


def last_version_numbers(store: Store, items: list[str], batch: int = 500) -> dict[str, int]:
    """The highest version number of each of `items` that has versions (current,
    pending, rejected or past)."""
    query = (
        f"SELECT ?item (MAX(?n) AS ?last) WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ "
        f"VALUES ?item {{ $VALUES }} ?v <{SCS.versionOf}> ?item ; "
        f"<{SCS.versionNumber}> ?n }} }} GROUP BY ?item"
    )
    rows = select_in_batches(store, query, map(URIRef, items), batch)
    return {str(r["item"]): int(r["last"]) for r in rows}


def change_status(
    store: Store,
    item: str,
    status: str,
    principal: Principal,
    base_iri: str,
    successor: str | None = None,
    reason: str | None = None,
    validator: Validator | None = None,
) -> EntryChange:
    """Move an item to `status` along an allowed transition; a new version records it.
    With `validator`, an entry whose current version lacks a required value does not
    become valid (`refuse_if_incomplete`). A registrar's or an admin's act, but for one:
    a department withdraws (retires) its own conformity assessment (it could only
    re-assess, and ask a registrar to withdraw one made in error)."""
    if principal.role not in ("registrar", "admin") and not _withdraws_its_own_assessment(
        store, item, status, principal
    ):
        raise ForbiddenError(
            Text(
                zh="只有登记员可以修改状态；部门只能撤回（retired）本部门的符合性评估",
                en="only a registrar changes statuses; a department may only withdraw "
                "(retire) its own conformity assessments",
            )
        )
    if status not in STATUSES:
        raise InputError(
            Text(zh=f"未知的状态 {status!r}", en=f"unknown status {status!r}"),
            {"allowed": list(STATUSES)},
        )
    state = item_state(store, item)
    if state is None:
        raise NotFoundError(Text(zh=f"没有登记条目 {item}", en=f"no register item {item}"))
    if status not in TRANSITIONS[state.status]:
        raise ConflictError(
            Text(
                zh=f"状态为“{STATUS_NAMES_ZH[state.status]}”的条目不能变为"
                f"“{STATUS_NAMES_ZH[status]}”",
                en=f"a {state.status} item cannot become {status}",
            ),
            {"from": state.status, "to": status, "allowed": sorted(TRANSITIONS[state.status])},
        )
    if status == ACCEPTED_STATUS and validator is not None:
        refuse_if_incomplete(store, validator, item, version_iri(item, state.version))
    if status == "superseded":
        if not successor:
            # A newer edition registered with dct:replaces names it already: asking for
            # it again was a step a registrar could not see the reason for.
            named = sorted({str(s) for s, _p, _o in store.match(
                GRAPH_CURRENT, None, DCTERMS.replaces, URIRef(item)
            )})  # fmt: skip
            if len(named) != 1:
                raise InputError(
                    Text(
                        zh="被取代须指明后继条目"
                        + (f"（有 {len(named)} 个条目声明代替它，请选定一个）" if named else ""),
                        en="superseded needs the successor"
                        + (
                            f" ({len(named)} entries say they replace it: name one)"
                            if named
                            else ""
                        ),
                    ),
                    {"replaced_by": named} if named else None,
                )
            successor = named[0]
        following = item_state(store, successor) if successor != item else None
        if following is None:
            raise InputError(
                Text(
                    zh=f"后继条目 {successor} 不是另一个登记条目",
                    en=f"the successor {successor} is not another register item",
                )
            )
        if following.kind != state.kind:
            # A standard was marked superseded by an information resource, and its page
            # told readers to use the resource instead.
            raise InputError(
                Text(
                    zh=f"后继条目 {successor} 是{KIND_ZH.get(following.kind, following.kind)}，"
                    f"被取代的条目是{KIND_ZH.get(state.kind, state.kind)}：后继条目须为同类条目",
                    en=f"the successor {successor} is a {following.kind} and the item a "
                    f"{state.kind}: an item is superseded by one of its own kind",
                ),
                {"successor": successor, "successor_kind": following.kind, "kind": state.kind},
            )
    elif successor:
        raise InputError(
            Text(
                zh="只有状态变为被取代（superseded）时才指明后继条目",
                en="a successor is given only when the status becomes superseded",
            )
        )
    now = now_literal()
    change = URIRef(f"{base_iri}status-change/{uuid.uuid4()}")
    batch = WriteBatch()
    content = store.read_graph(version_iri(item, state.version))
    sha = state.content_sha256
    if state.kind == "standard" and status in IMPLIED_STANDARD_STATUS:
        _record_the_end(content, URIRef(item), status, successor)
        sha = content_sha256(content)
    number = state.version + 1
    _new_version(
        batch,
        store,
        item,
        state.kind,
        number,
        content,
        sha,
        status,
        change,
        now,
        state,
    )
    activity = [
        (change, RDF.type, SCS.StatusChange),
        (change, RDF.type, PROV.Activity),
        (change, PROV.wasAssociatedWith, principal.agent),
        *via_token(change, principal),
        (change, PROV.startedAtTime, now),
        (change, SCS.registerStatus, REGSTATUS[status]),
        (change, PROV.generated, URIRef(version_iri(item, number))),
    ]
    if successor:
        activity.append((change, SCS.successor, URIRef(successor)))
    if reason:
        activity.append((change, SCS.reason, Literal(reason)))
    batch.add_triples(GRAPH_REGISTRY, activity)
    ended = state.kind == "standard" and status in IMPLIED_STANDARD_STATUS
    describe_change(
        batch,
        "status-change",
        now,
        role=principal.role,
        department=principal.department,
        activity=change,
        entries=[(item, version_iri(item, number))],
        reassess=assessments_against(store, item) if ended else (),
    )
    store.write(batch)
    return EntryChange(item, state.kind, number, status)


def refuse_if_incomplete(store: Store, validator: Validator, item: str, version: str) -> None:
    """Refuse (409) to make `version` of `item` valid while it lacks a required value:
    its content validated with the shapes now, as a submission of it would be, and the
    missing values listed (a provisional registration's entries, docs/registration.md)."""
    report = validator.validate(store.read_graph(version), store)
    missing = missing_values(report.results)
    if not missing:
        return
    shown = missing[:5]
    more = Text(zh=f" 等 {len(missing)} 项", en=f" and {len(missing) - 5} more")
    raise ConflictError(
        Text(
            zh=f"{item} 尚缺必填值，补齐前不能变为有效："
            + "；".join(r.message_zh for r in shown)
            + (more.zh if len(missing) > 5 else ""),
            en=f"{item} lacks required values and cannot become valid until they are "
            "completed: "
            + " ".join(r.message_en for r in shown)
            + (more.en if len(missing) > 5 else ""),
        ),
        {"item": item, "missing": [r.as_dict() for r in missing]},
    )


def assessments_against(store: Store, standard: str) -> list[str]:
    """The current conformity assessments whose earl:test is `standard`."""
    rows = store.select(
        f"SELECT DISTINCT ?a WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
        f"?a a <{EARL.Assertion}> ; <{EARL.test}> ?s }} }}",
        {"s": URIRef(standard)},
    )
    return sorted(str(r["a"]) for r in rows)


def transfer_owner(
    store: Store,
    item: str,
    department: str,
    principal: Principal,
    base_iri: str,
    reason: str,
) -> EntryChange:
    """Give a department-owned entry to `department` (a registered department's IRI).
    Only a registrar or admin transfers, always with a reason; a new version holds the
    new owner as the entry's dct:publisher, with the same register status, and the
    activity (scs:OwnershipTransfer) records who, when, from and to whom, and why. The
    one way an entry changes owner: a submission that would do it is refused."""
    if principal.role not in ("registrar", "admin"):
        raise ForbiddenError(
            Text(zh="只有登记员可以转移条目归属", en="only a registrar transfers an entry")
        )
    if not reason or not reason.strip():
        raise InputError(Text(zh="转移归属须说明理由", en="a transfer needs a reason"))
    state = item_state(store, item)
    if state is None:
        raise NotFoundError(
            Text(zh=f"没有登记条目 {item}", en=f"no register item {item}"), {"id": item}
        )
    if state.kind not in DEPARTMENT_OWNED:
        raise InputError(
            Text(
                zh=f"{state.kind} 类条目不属于任何部门",
                en=f"a {state.kind} belongs to no department",
            ),
            {"kind": state.kind, "transferable": sorted(DEPARTMENT_OWNED)},
        )
    if state.kind == "assessment" and is_automatic_code(_last_segment(item)):
        # Its owner follows its subject's: the registry moves it when the subject moves.
        raise InputError(
            Text(
                zh=f"{item} 是登记库的自动评估，其归属随被评估条目而定：请转移被评估条目",
                en=f"{item} is an automatic assessment, owned as its subject is: transfer "
                "the subject",
            ),
            {"kind": state.kind},
        )
    if state.status in CLOSED_STATUSES:
        raise ConflictError(
            Text(
                zh=f"状态为 {state.status} 的条目不能转移归属",
                en=f"a {state.status} entry cannot change owner",
            ),
            {"status": state.status},
        )
    target = item_state(store, department)
    if target is None or target.kind != "department":
        raise InputError(
            Text(
                zh=f"{department} 不是已登记的部门", en=f"{department} is no registered department"
            ),
            {"department": department},
        )
    entry, owner = URIRef(item), URIRef(department)
    content = store.read_graph(version_iri(item, state.version))
    former = sorted(set(content.objects(entry, DCTERMS.publisher)), key=str)
    if former == [owner]:
        raise ConflictError(
            Text(zh=f"{item} 已属于 {department}", en=f"{item} is owned by {department} already"),
            {"owner": department},
        )
    content.remove((entry, DCTERMS.publisher, None))
    content.add((entry, DCTERMS.publisher, owner))
    now = now_literal()
    activity = URIRef(f"{base_iri}transfer/{uuid.uuid4()}")
    number = state.version + 1
    batch = WriteBatch()
    _new_version(
        batch,
        store,
        item,
        state.kind,
        number,
        content,
        content_sha256(content),
        state.status,
        activity,
        now,
        state,
    )
    batch.add_triples(
        GRAPH_REGISTRY,
        [
            (activity, RDF.type, SCS.OwnershipTransfer),
            (activity, RDF.type, PROV.Activity),
            (activity, PROV.wasAssociatedWith, principal.agent),
            *via_token(activity, principal),
            (activity, PROV.startedAtTime, now),
            (activity, PROV.used, URIRef(version_iri(item, state.version))),
            (activity, PROV.generated, URIRef(version_iri(item, number))),
            *((activity, SCS.formerOwner, o) for o in former),
            (activity, SCS.newOwner, owner),
            (activity, SCS.reason, Literal(reason.strip())),
        ],
    )
    describe_change(
        batch,
        "transfer",
        now,
        role=principal.role,
        department=principal.department,
        activity=activity,
        entries=[(item, version_iri(item, number))],
    )
    store.write(batch)
    return EntryChange(item, state.kind, number, state.status)


def _record_the_end(content: Graph, standard: URIRef, status: str, successor: str | None) -> None:
    """Write into a standard's new version the own status its register `status`
    implies (registry.register.lifecycle), and its successor: the one place the two statuses
    are made to agree, so that no reader has to."""
    content.remove((standard, SCS.standardStatus, None))
    content.add((standard, SCS.standardStatus, STDSTATUS[IMPLIED_STANDARD_STATUS[status]]))
    if successor:
        content.add((standard, DCTERMS.isReplacedBy, URIRef(successor)))


# What made a version, by the class of its activity.
_ACTIVITY_KINDS = {
    str(SCS.Submission): "submission",
    str(SCS.StatusChange): "status-change",
    str(SCS.OwnershipTransfer): "transfer",
}


@dataclass
class VersionInfo:
    number: int
    status: str
    time: str
    activity: str
    content_sha256: str
    # submission, status-change or transfer; the reason a registrar gave; for a
    # transfer, the department(s) it was taken from and the one it was given to.
    change: str | None = None
    reason: str | None = None
    former_owner: list[str] = field(default_factory=list)
    new_owner: str | None = None
    # Who made it (prov:wasAssociatedWith of its activity): a department's IRI, or
    # urn:screg:agent:<role>:<name> for a registrar, an admin or the CLI. The history
    # named the activity only, and a person could not tell who had changed an entry.
    agent: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "former_owner": list(self.former_owner)}


def history(store: Store, item: str) -> list[VersionInfo]:
    rows = store.select(
        f"""SELECT ?n ?status ?time ?act ?sha ?type ?reason ?from ?to ?agent WHERE {{
            GRAPH <{GRAPH_REGISTRY}> {{
            ?v <{SCS.versionOf}> ?item ; <{SCS.versionNumber}> ?n ;
               <{SCS.registerStatus}> ?status ; <{PROV.generatedAtTime}> ?time ;
               <{PROV.wasGeneratedBy}> ?act ; <{SCS.contentSha256}> ?sha .
            OPTIONAL {{ ?act a ?type
              FILTER(?type IN (<{SCS.Submission}>, <{SCS.StatusChange}>,
                               <{SCS.OwnershipTransfer}>)) }}
            OPTIONAL {{ ?act <{SCS.reason}> ?reason }}
            OPTIONAL {{ ?act <{SCS.formerOwner}> ?from }}
            OPTIONAL {{ ?act <{SCS.newOwner}> ?to }}
            OPTIONAL {{ ?act <{PROV.wasAssociatedWith}> ?agent }} }} }}""",
        {"item": URIRef(item)},
    )
    if not rows:
        raise NotFoundError(Text(zh=f"没有登记条目 {item}", en=f"no register item {item}"))
    versions: dict[int, VersionInfo] = {}
    for r in rows:
        number = int(r["n"])
        version = versions.get(number)
        if version is None:
            version = versions[number] = VersionInfo(
                number,
                str(r["status"]).rsplit("/", 1)[-1],
                str(r["time"]),
                str(r["act"]),
                str(r["sha"]),
            )
        if r.get("type") is not None:
            version.change = _ACTIVITY_KINDS.get(str(r["type"]))
        if r.get("reason") is not None:
            version.reason = str(r["reason"])
        if r.get("from") is not None and str(r["from"]) not in version.former_owner:
            version.former_owner = sorted([*version.former_owner, str(r["from"])])
        if r.get("to") is not None:
            version.new_owner = str(r["to"])
        if r.get("agent") is not None:
            version.agent = str(r["agent"])
    return [versions[n] for n in sorted(versions)]


def read_version(store: Store, item: str, number: int | None = None) -> Graph:
    """An item's triples exactly as registered in version `number` (default: current)."""
    state = item_state(store, item)
    if state is None:
        raise NotFoundError(Text(zh=f"没有登记条目 {item}", en=f"no register item {item}"))
    number = state.version if number is None else number
    if not 1 <= number <= state.version:
        raise NotFoundError(
            Text(zh=f"{item} 没有第 {number} 版", en=f"{item} has no version {number}"),
            {"versions": state.version},
        )
    return store.read_graph(version_iri(item, number))


_LOOKUP_PROPERTIES = (
    DCTERMS.identifier,
    SCS.resourceCode,
    SCS.interfaceCode,
    SCS.creditCode,
    SCS.assessmentCode,
)


def resolve_item(store: Store, ident: str) -> str:
    """The IRI of the item an identifier names: an IRI, a standard identifier in any
    spelling, a resource code, an interface code or a credit code."""
    ident = ident.strip()
    if ident.startswith(IRI_SCHEMES):
        # Any register item, one never accepted included (a new entry waiting for
        # review, or rejected): its history is readable by its IRI.
        if not store.match(GRAPH_REGISTRY, URIRef(ident), SCS.itemKind):
            raise NotFoundError(Text(zh=f"没有登记条目 {ident}", en=f"no register item {ident}"))
        return ident
    props = " ".join(p.n3() for p in _LOOKUP_PROPERTIES)
    query = (
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
        f"VALUES ?v {{ $VALUES }} VALUES ?p {{ {props} }} ?s ?p ?v }} }}"
    )
    rows = list(select_in_batches(store, query, map(Literal, lookup_spellings(ident))))
    items = sorted(str(r["s"]) for r in rows)
    if not items:
        raise NotFoundError(
            Text(zh=f"未找到已登记为 {ident!r} 的条目", en=f"nothing is registered as {ident!r}"),
            {"id": ident},
        )
    if len(items) > 1:
        raise ConflictError(
            Text(zh=f"{ident!r} 对应多个条目", en=f"{ident!r} names several entries"),
            {"items": items},
        )
    return items[0]
