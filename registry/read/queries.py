"""The record builders of the read side: every entry's list record (`build_records`,
which the read model stores), one entry as the API answers it (`entry`), the category
tree, text-search folding, submissions, versions and statements.

Plain functions over a `Store`. Every query text here is a module constant
(composed once at import from trusted namespaces); values a caller sends go in
through `store.select(..., bindings)` only, never into the text. Lists, search,
facets and counts are answered by registry.read.model from the records built here.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, XSD
from rdflib.term import Node

from registry.bilingual import Text
from registry.errors import InputError, NotFoundError
from registry.inputs.dcat import CatalogContext, registered_catalogue
from registry.inputs.earl import term_of
from registry.inputs.identifiers import IdentifierError, parse_standard_id
from registry.namespaces import (
    EARL,
    GRAPH_CURRENT,
    GRAPH_ONTOLOGY,
    GRAPH_REGISTRY,
    SCS,
    SH,
    local_name,
)
from registry.register.lifecycle import in_force
from registry.register.submission import item_state, read_version, resolve_item, version_of
from registry.store import Row, Store
from registry.store.base import iri_text
from registry.store.sparql_text import select_in_batches

CATEGORY_SCHEME = SCS.SmartCityStandardSystem
API_PREFIX = "/api/v1"

# -- the query texts, composed once ------------------------------------------------

_CONCEPTS = f"""
SELECT ?c ?scheme ?notation ?label ?definition ?broader WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{
    ?c a <{SKOS.Concept}> ; <{SKOS.inScheme}> ?scheme .
    OPTIONAL {{ ?c <{SKOS.notation}> ?notation }}
    OPTIONAL {{ ?c <{SKOS.prefLabel}> ?label }}
    OPTIONAL {{ ?c <{SKOS.broader}> ?broader }}
  }}
}}"""

# Every current triple of every entry of one class (?class is bound by the caller).
ENTRY_TRIPLES = f"""
SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ ?s a ?class ; ?p ?o }} }}"""

# The register record of every item of one kind (?kind is bound by the caller).
REGISTER_RECORDS = f"""
SELECT ?s ?status ?n ?time WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
  ?s <{SCS.itemKind}> ?kind ; <{SCS.registerStatus}> ?status ; <{SCS.currentVersion}> ?v .
  ?v <{SCS.versionNumber}> ?n ; <{PROV.generatedAtTime}> ?time }} }}"""

_REGISTRY_SUBJECT = f"""
SELECT ?p ?o WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ ?s ?p ?o }} }}"""

_DESCRIBE_SUBJECT = f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ GRAPH <{GRAPH_CURRENT}> {{ ?s ?p ?o }} }} UNION {{ GRAPH <{GRAPH_REGISTRY}> {{ ?s ?p ?o }} }}
}}"""

_VERSION_RECORD = f"""
SELECT ?item ?n WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
  ?v a <{SCS.ItemVersion}> ; <{SCS.versionOf}> ?item ; <{SCS.versionNumber}> ?n }} }}"""


# -- code lists and categories ---------------------------------------------------------


@dataclass
class Concept:
    iri: str
    scheme: str
    notation: str
    label: dict[str, str] = field(default_factory=dict)
    broader: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.notation, "iri": self.iri, "label": dict(self.label)}


def load_concepts(store: Store) -> dict[str, Concept]:
    """Every SKOS concept of the ontology graph (categories and code lists), by IRI."""
    concepts: dict[str, Concept] = {}
    for row in store.select(_CONCEPTS):
        iri = str(row["c"])
        concept = concepts.get(iri)
        if concept is None:
            notation = str(row.get("notation") or local_name(iri))
            concept = concepts[iri] = Concept(iri, str(row["scheme"]), notation)
        label = row.get("label")
        if isinstance(label, Literal):
            concept.label[label.language or ""] = str(label)
        if row.get("broader") is not None:
            concept.broader = str(row["broader"])
    return concepts


def _categories(concepts: dict[str, Concept]) -> dict[str, Concept]:
    """The categories by code ("1", "3.2")."""
    return {c.notation: c for c in concepts.values() if c.scheme == str(CATEGORY_SCHEME)}


def category_codes_under(concepts: dict[str, Concept], code: str) -> set[str]:
    """`code` and the codes of all its sub-categories, at any depth."""
    categories = _categories(concepts)
    if code not in categories:
        raise NotFoundError(
            Text(zh=f"没有分类 {code!r}", en=f"no category {code!r}"),
            {"category": code, "known": sorted(categories)},
        )
    children: dict[str, list[str]] = defaultdict(list)
    by_iri = {c.iri: c.notation for c in categories.values()}
    for c in categories.values():
        if c.broader in by_iri:
            children[by_iri[c.broader]].append(c.notation)
    found, stack = set(), [code]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children[current])
    return found


# -- entries ----------------------------------------------------------------------------

# How a property of an entry becomes a JSON field: its kind says how to read the
# object (text, language map, code-list concept, reference to another entry).
TEXT, TEXTS, LANG, CODE, CODES, REF, REFS, INT = (
    "text",
    "texts",
    "lang",
    "code",
    "codes",
    "ref",
    "refs",
    "int",
)


@dataclass(frozen=True)
class Kind:
    name: str  # the item kind of the registry: standard, department, resource, interface
    cls: URIRef
    id_field: str  # the field that names the entry in API paths
    fields: tuple[tuple[str, URIRef, str], ...]
    collection: str  # the API collection: standards, departments, resources, interfaces


STANDARD = Kind(
    "standard",
    SCS.Standard,
    "identifier",
    (
        ("identifier", DCTERMS.identifier, TEXT),
        ("title", DCTERMS.title, LANG),
        ("level", SCS.level, CODE),
        ("nature", SCS.nature, CODE),
        ("status", SCS.standardStatus, CODE),
        ("categories", SCS.category, CODES),
        ("issued", DCTERMS.issued, TEXT),
        ("in_force_from", SCS.inForceFrom, TEXT),
        ("withdrawn_on", SCS.withdrawnOn, TEXT),
        ("replaces", DCTERMS.replaces, REFS),
        ("replaced_by", DCTERMS.isReplacedBy, REFS),
        ("ics", SCS.ics, TEXTS),
        ("ccs", SCS.ccs, TEXTS),
        ("adoption_degree", SCS.adoptionDegree, CODE),
        ("adopted_from", SCS.adoptedFrom, TEXT),
        ("dated_references", SCS.datedReference, REFS),
        ("undated_references", SCS.undatedReference, REFS),
    ),
    "standards",
)
DEPARTMENT = Kind(
    "department",
    URIRef("http://www.w3.org/ns/org#Organization"),
    "credit_code",
    (("name", SKOS.prefLabel, LANG), ("credit_code", SCS.creditCode, TEXT)),
    "departments",
)
RESOURCE = Kind(
    "resource",
    SCS.InformationResource,
    "code",
    (
        ("code", SCS.resourceCode, TEXT),
        ("title", DCTERMS.title, LANG),
        ("publisher", DCTERMS.publisher, REF),
        ("description", DCTERMS.description, LANG),
        ("resource_class", SCS.resourceClass, CODE),
        ("format", SCS["format"], CODE),
        ("format_detail", SCS.formatDetail, TEXT),
        ("sharing_type", SCS.sharingType, CODE),
        ("sharing_condition", SCS.sharingCondition, TEXT),
        ("sharing_basis", SCS.sharingBasis, TEXT),
        ("sharing_methods", SCS.sharingMethod, CODES),
        ("openness", SCS.openness, CODE),
        ("open_condition", SCS.openCondition, TEXT),
        ("update_cycle", DCTERMS.accrualPeriodicity, CODE),
        ("issued", DCTERMS.issued, TEXT),
        ("related", DCTERMS.relation, REFS),
        ("conforms_to", DCTERMS.conformsTo, REFS),
    ),
    "resources",
)
INTERFACE = Kind(
    "interface",
    SCS.DataInterface,
    "code",
    (
        ("code", SCS.interfaceCode, TEXT),
        ("title", DCTERMS.title, LANG),
        ("publisher", DCTERMS.publisher, REF),
        ("endpoint_url", DCAT.endpointURL, TEXT),
        ("endpoint_description", DCAT.endpointDescription, TEXT),
        ("protocol", SCS.protocol, TEXT),
        ("serves", DCAT.servesDataset, REFS),
        ("conforms_to", DCTERMS.conformsTo, REFS),
        ("version", URIRef("http://www.w3.org/ns/dcat#version"), TEXT),
        ("auth_method", SCS.authMethod, TEXT),
    ),
    "interfaces",
)
# A conformity assessment (earl:Assertion, docs/assessment.md). Its outcome, date and
# description are on its earl:result node, its evidence on scs:evidence nodes and a
# third-party assessor's name on its earl:assertedBy node: parts skolemised under the
# assessment's IRI, read with it (`_assessment_parts`).
ASSESSMENT = Kind(
    "assessment",
    EARL.Assertion,
    "code",
    (
        ("code", SCS.assessmentCode, TEXT),
        ("title", DCTERMS.title, LANG),
        ("publisher", DCTERMS.publisher, REF),
        ("subject", EARL.subject, REF),
        ("test", EARL.test, REF),
        ("clause", SCS.clause, TEXT),
        ("asserted_by", EARL.assertedBy, REF),
        ("mode", EARL.mode, TEXT),
        ("valid_until", SCS.validUntil, TEXT),
        ("rules_version", SCS.rulesVersion, TEXT),
    ),
    "assessments",
)
KINDS = {k.name: k for k in (STANDARD, DEPARTMENT, RESOURCE, INTERFACE, ASSESSMENT)}
_RESULT_FIELDS: tuple[tuple[str, URIRef, str], ...] = (
    ("outcome", EARL.outcome, TEXT),
    ("date", DCTERMS.date, TEXT),
    ("description", DCTERMS.description, LANG),
)
_EVIDENCE_FIELDS: tuple[tuple[str, URIRef, str], ...] = (
    ("name", DCTERMS.title, LANG),
    ("sha256", SCS.documentSha256, TEXT),
    ("location", SCS.documentLocation, TEXT),
)
DATA_ITEM_FIELDS: tuple[tuple[str, URIRef, str], ...] = (
    ("position", SCS.position, INT),
    ("name", SCS.itemName, LANG),
    ("code", SCS.itemCode, TEXT),
    ("data_type", SCS.dataType, CODE),
    ("length", SCS.length, INT),
)


def api_path(kind: Kind, ident: str) -> str:
    """The REST path of an entry; the identifier URL-encoded ("/" as %2F)."""
    return f"{API_PREFIX}/{kind.collection}/{quote(ident, safe='')}"


def _record(
    subject: str,
    values: dict[URIRef, list[Node]],
    fields: Iterable[tuple[str, URIRef, str]],
    concepts: dict[str, Concept],
    names: dict[str, dict[str, Any]],
    shared: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON record of one subject. `shared`, when given, keeps one dict per code-list
    concept, handed to every record that names it (records must then be read-only)."""
    record: dict[str, Any] = {"iri": subject}
    for key, prop, how in fields:
        objects = sorted(values.get(prop, []), key=str)
        if how in (TEXT, CODE, REF, INT) and not objects:
            record[key] = None
        elif how == TEXT:
            record[key] = str(objects[0])
        elif how == TEXTS:
            record[key] = [str(o) for o in objects]
        elif how == INT:
            record[key] = _int(objects[0])
        elif how == LANG:
            record[key] = {
                (o.language or "") if isinstance(o, Literal) else "": str(o) for o in objects
            }
        elif how in (CODE, CODES):
            codes = [_concept(str(o), concepts, shared) for o in objects]
            record[key] = codes[0] if how == CODE else codes
        else:  # REF, REFS
            refs = [names.get(str(o), {"iri": str(o)}) for o in objects]
            record[key] = refs[0] if how == REF else refs
    return record


def _concept(
    iri: str, concepts: dict[str, Concept], shared: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    if shared is not None and iri in shared:
        return shared[iri]
    concept = concepts.get(iri)
    found = concept.as_dict() if concept else {"code": local_name(iri), "iri": iri, "label": {}}
    if shared is not None:
        shared[iri] = found
    return found


def _int(node: Node) -> int | None:
    try:
        return int(str(node))
    except ValueError:
        return None


def _group(rows: Iterable[dict[str, Node]]) -> dict[str, dict[URIRef, list[Node]]]:
    grouped: dict[str, dict[URIRef, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[str(row["s"])][URIRef(str(row["p"]))].append(row["o"])
    return grouped


def load_entries(store: Store, kind: Kind) -> dict[str, dict[URIRef, list[Node]]]:
    """The current triples of every entry of `kind`, by subject IRI."""
    return _group(store.select(ENTRY_TRIPLES, {"class": kind.cls}))


def load_register(store: Store, kind: Kind) -> dict[str, dict[str, Any]]:
    """Register status and current version of every item of `kind`."""
    return {
        str(r["s"]): register_of(r)
        for r in store.select(REGISTER_RECORDS, {"kind": Literal(kind.name)})
    }


def register_of(row: dict[str, Node]) -> dict[str, Any]:
    """An entry's register record as the API shows it: status, current version, and
    when that version was made (ISO 8601, as stored)."""
    return {
        "status": local_name(str(row["status"])),
        "version": _int(row["n"]),
        "time": str(row["time"]) if row.get("time") is not None else None,
    }


REFERENCE_KEYS = ("dated_references", "undated_references", "conforms_to")


# The kinds whose references (REFERENCE_KEYS) make an entry's referrers, in the order
# its list gives them.
REFERRING_KINDS = ("standard", "resource", "interface")


def _entries_of(store: Store, kind: Kind) -> Iterator[tuple[str, dict[URIRef, list[Node]]]]:
    """The current triples of every entry of `kind`, one entry at a time.

    In process (the embedded store) each entry is read from the indexes on its own, so
    only one entry's terms are alive at a time: the single SELECT of every triple of
    the kind held 1.67 M rows of rdflib terms at once at 50,000 resources (~1 GB, which
    the allocator then kept). A remote store gets that one SELECT, which is one round
    trip instead of one per entry."""
    if not store.in_process:
        yield from load_entries(store, kind).items()
        return
    subjects = {str(s) for s, _, _ in store.match(GRAPH_CURRENT, None, RDF.type, kind.cls)}
    for subject in sorted(subjects):
        yield subject, _current_values(store, subject)


_NO_REGISTER: dict[str, Any] = {"status": None, "version": None, "time": None}


def _entry_name(subject: str, values: dict[URIRef, list[Node]], kind: Kind) -> dict[str, Any]:
    """What a reference to the `kind` entry `subject` shows."""
    short = _record(subject, values, kind.fields[:2], {}, {})
    ident = short.get(kind.id_field)
    return {
        "iri": subject,
        "kind": kind.name,
        "id": ident,
        "label": short.get("title") or short.get("name") or {},
        "href": api_path(kind, ident) if ident else None,
    }


def _entry_record(
    subject: str,
    values: dict[URIRef, list[Node]],
    kind: Kind,
    concepts: dict[str, Concept],
    register: dict[str, Any] | None,
    shared: dict[str, dict[str, Any]],
    parts: dict[str, dict[URIRef, list[Node]]] | None = None,
) -> dict[str, Any]:
    """The list record of one `kind` entry, its references still bare {"iri": ...} and
    its href None until `_name_references` gives them names. `parts`: the current
    triples of an assessment's own nodes (`_assessment_parts`)."""
    record = _record(subject, values, kind.fields, concepts, {}, shared)
    record["id"] = record.get(kind.id_field)
    record["href"] = None
    record["register"] = register if register is not None else dict(_NO_REGISTER)
    if kind is RESOURCE:
        record["data_item_count"] = len(values.get(SCS.dataItem, []))
    if kind is STANDARD:
        status = record["status"]["code"] if record["status"] else None
        record["in_force"] = in_force(status, record["register"]["status"])
    if kind is ASSESSMENT:
        _assessment_record(record, values, parts or {}, concepts)
    return record


def _assessment_record(
    record: dict[str, Any],
    values: dict[URIRef, list[Node]],
    parts: dict[str, dict[URIRef, list[Node]]],
    concepts: dict[str, Concept],
) -> None:
    """Complete an assessment's record, in place, from its parts: the outcome, date and
    description of its result, its evidence documents, a third-party assessor's name,
    and the mode's and outcome's labels (registry.inputs.earl)."""
    results = sorted(values.get(EARL.result, []), key=str)
    result = _record("", parts.get(str(results[0]), {}) if results else {}, _RESULT_FIELDS, {}, {})
    record["outcome"] = term_of(result["outcome"])
    record["date"] = result["date"]
    record["description"] = result["description"]
    record["mode"] = term_of(record["mode"])
    record["evidence"] = [
        _record(str(n), parts.get(str(n), {}), _EVIDENCE_FIELDS, {}, {})
        for n in sorted(values.get(SCS.evidence, []), key=str)
    ]
    # A third-party body is no entry: its name is kept beside the reference, which
    # `_name_references` replaces.
    assessor = record["asserted_by"]
    named = parts.get(assessor["iri"], {}) if assessor else {}
    record["assessor_name"] = (
        _record("", named, (("name", FOAF.name, LANG),), {}, {})["name"]
        if named.get(FOAF.name)
        else None
    )


def _part_nodes(values: dict[URIRef, list[Node]]) -> list[Node]:
    """The nodes an assessment's record reads beside its own triples."""
    return [
        n
        for prop in (EARL.result, SCS.evidence, EARL.assertedBy)
        for n in values.get(prop, [])
        if isinstance(n, URIRef)
    ]


def _assessment_parts(
    store: Store, values: dict[str, dict[URIRef, list[Node]]]
) -> dict[str, dict[URIRef, list[Node]]]:
    """The current triples of the parts (`_part_nodes`) of the assessments in `values`."""
    nodes = [n for own in values.values() for n in _part_nodes(own)]
    return _values_of(store, nodes) if nodes else {}


# Every replacement link between editions, either way round ($OBJECTS, when given, holds
# a VALUES clause of the IRIs the links must point at).
_REPLACEMENT_LINKS = f"""
SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
  $OBJECTS VALUES ?p {{ <{DCTERMS.replaces}> <{DCTERMS.isReplacedBy}> }} ?s ?p ?o }} }}"""
_INVERSE = {DCTERMS.replaces: DCTERMS.isReplacedBy, DCTERMS.isReplacedBy: DCTERMS.replaces}


def _inverse_links(
    store: Store, objects: Iterable[str] | None = None, batch: int = 500
) -> dict[str, dict[URIRef, list[Node]]]:
    """What the replacement links pointing at each edition say of it, as its own
    triples would: a newer edition's dct:replaces makes it the older one's successor
    (dct:isReplacedBy) and the other way round, so either link, stated on either
    edition, shows on both. All of them, or those pointing at `objects`."""
    rows: Iterable[Row]
    if objects is None:
        rows = store.select(_REPLACEMENT_LINKS.replace("$OBJECTS", ""))
    else:
        query = _REPLACEMENT_LINKS.replace("$OBJECTS", "VALUES ?o { $VALUES }")
        rows = select_in_batches(store, query, map(URIRef, objects), batch)
    found: dict[str, dict[URIRef, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if isinstance(row["s"], URIRef):
            found[str(row["o"])][_INVERSE[URIRef(str(row["p"]))]].append(row["s"])
    return found


def _with_links(
    values: dict[URIRef, list[Node]], links: dict[URIRef, list[Node]] | None
) -> dict[URIRef, list[Node]]:
    """`values` with the links pointing at the subject added, each value once."""
    if not links:
        return values
    merged = dict(values)
    for prop, subjects in links.items():
        merged[prop] = list(dict.fromkeys([*values.get(prop, []), *subjects]))
    return merged


def reference_keys(kind: Kind) -> list[str]:
    """The fields of a `kind` record that name other entries (publisher, replaces, ...)."""
    return [key for key, _prop, how in kind.fields if how in (REF, REFS)]


def _name_references(record: dict[str, Any], kind: Kind, names: dict[str, Any]) -> None:
    """Give a record its href and every reference its target's name (bare when the
    target is no entry), in place: only on a record no reader has seen yet."""
    record["href"] = names[record["iri"]]["href"]
    for key in reference_keys(kind):
        value = record[key]
        if isinstance(value, list):
            record[key] = [names.get(r["iri"]) or {"iri": r["iri"]} for r in value]
        elif value is not None:
            record[key] = names.get(value["iri"]) or {"iri": value["iri"]}


def _record_key(record: dict[str, Any]) -> tuple[str, str]:
    return (str(record.get("id") or ""), record["iri"])


def _sort_records(records: list[dict[str, Any]]) -> None:
    records.sort(key=_record_key)


@dataclass
class EntryRecords:
    """The records of some entries, each exactly as a Snapshot's `records` hold it."""

    records: dict[str, list[dict[str, Any]]]  # every kind name -> its records sorted by id
    names: dict[str, dict[str, Any]]  # what a reference to each of these entries shows
    # Each resource's data items in order (`data_items_of`): an entry's answer shows
    # them, a list record only counts them.
    data_items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def build_records(
    store: Store,
    concepts: dict[str, Concept],
    subjects: Iterable[str] | None = None,
    *,
    names: dict[str, dict[str, Any]] | None = None,
    shared: dict[str, dict[str, Any]] | None = None,
) -> EntryRecords:
    """The records of every entry (`subjects` None), or of the entries among `subjects`
    (a subject that is no entry gives none), with their references named.

    The one builder of an entry's list record: the Snapshot (built or patched) and the
    read model both take their records from here, so they cannot drift apart. With
    `subjects`, a reference to an entry outside them is named from `names` when given
    (a patch has every entry's name at hand), else from the store. `shared` keeps one
    dict per code-list concept across calls (see `_record`)."""
    shared = {} if shared is None else shared
    if subjects is None:
        return _build_all(store, concepts, shared)
    ordered = sorted(set(subjects))
    links = _inverse_links(store, ordered)
    values = {
        subject: _with_links(_current_values(store, subject), links.get(subject))
        for subject in ordered
    }
    kinds_of = {
        subject: [kind for kind in KINDS.values() if kind.cls in subject_values.get(RDF.type, [])]
        for subject, subject_values in values.items()
    }
    registers = _registers_of(store, [s for s, kinds in kinds_of.items() if kinds])
    parts = _assessment_parts(
        store, {s: values[s] for s, kinds in kinds_of.items() if ASSESSMENT in kinds}
    )
    # A subject typed with several kinds' classes is named by the last.
    own = {s: _entry_name(s, values[s], kinds[-1]) for s, kinds in kinds_of.items() if kinds}
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in KINDS}
    for subject, kinds in kinds_of.items():
        for kind in kinds:
            record = _entry_record(
                subject,
                values[subject],
                kind,
                concepts,
                registers.get((subject, kind.name)),
                shared,
                parts,
            )
            records[kind.name].append(record)
    # What the records name: a rebuilt subject by its new name (or bare when it is no
    # entry any more), any other from `names` or the store.
    lookup: dict[str, dict[str, Any]] = dict(own)
    for name, kind in KINDS.items():
        for record in records[name]:
            for target in _reference_iris(record, kind):
                if target in lookup or target in kinds_of:
                    continue
                if names is not None:
                    found = names.get(target)
                else:
                    found = _short_name(target, _current_values(store, target))
                if found is not None:
                    lookup[target] = found
    for name, kind in KINDS.items():
        for record in records[name]:
            _name_references(record, kind, lookup)
        _sort_records(records[name])
    item_nodes = {s: _item_nodes(values[s]) for s, kinds in kinds_of.items() if RESOURCE in kinds}
    return EntryRecords(records, own, data_items_of(store, item_nodes, concepts, shared))


def _build_all(
    store: Store, concepts: dict[str, Concept], shared: dict[str, dict[str, Any]]
) -> EntryRecords:
    # Short names of every entry, for references: who a resource's publisher is, which
    # standard a reference points at. A subject typed with several kinds' classes is
    # named by the last kind.
    names: dict[str, dict[str, Any]] = {}
    records: dict[str, list[dict[str, Any]]] = {}
    links = _inverse_links(store)
    for name, kind in KINDS.items():
        register = load_register(store, kind)
        listed = []
        for subject, own in _entries_of(store, kind):
            values = _with_links(own, links.get(subject)) if kind is STANDARD else own
            names[subject] = _entry_name(subject, values, kind)
            parts = _assessment_parts(store, {subject: own}) if kind is ASSESSMENT else None
            # References stay {"iri": ...} until every entry's name is known (below).
            listed.append(
                _entry_record(subject, values, kind, concepts, register.get(subject), shared, parts)
            )
        _sort_records(listed)
        records[name] = listed
    for name, kind in KINDS.items():
        for record in records[name]:
            _name_references(record, kind, names)
    # Without the data items: 500,000 of them at 50,000 resources tripled the build's
    # peak memory (3.1 GB); the read model reads them in batches (data_items_in_batches).
    return EntryRecords(records, names)


def _reference_iris(record: dict[str, Any], kind: Kind) -> Iterator[str]:
    """The IRIs every reference field of a `kind` record points at."""
    for key in reference_keys(kind):
        value = record[key]
        if isinstance(value, list):
            yield from (r["iri"] for r in value)
        elif value is not None:
            yield value["iri"]


# Register records of a set of subjects, for a patch (for select_in_batches).
_REGISTER_OF_SUBJECTS = f"""
SELECT ?s ?kind ?status ?n ?time WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
  VALUES ?s {{ $VALUES }}
  ?s <{SCS.itemKind}> ?kind ; <{SCS.registerStatus}> ?status ; <{SCS.currentVersion}> ?v .
  ?v <{SCS.versionNumber}> ?n ; <{PROV.generatedAtTime}> ?time }} }}"""


def _registers_of(
    store: Store, subjects: Iterable[str], batch: int = 500
) -> dict[tuple[str, str], dict[str, Any]]:
    """Register status and current version of each subject, by (subject, kind name)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for r in select_in_batches(store, _REGISTER_OF_SUBJECTS, map(URIRef, subjects), batch):
        found[(str(r["s"]), str(r["kind"]))] = register_of(r)
    return found


# -- the category tree ----------------------------------------------------------------


def category_tree_of(
    concepts: dict[str, Concept], standards: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`category_tree` over these standards: records, or any dicts with their "iri",
    "categories" (each with its "code"), "status" (None or with its "code") and
    "register" (with its "status"), which is all the counts read."""
    statuses: dict[Hashable, tuple[str | None, str | None]] = {}
    in_categories: list[tuple[Hashable, str]] = []
    for record in standards:
        iri = record["iri"]
        statuses[iri] = ((record["status"] or {}).get("code"), record["register"]["status"])
        in_categories.extend((iri, category["code"]) for category in record["categories"])
    return category_tree_from(concepts, statuses, in_categories)


def category_tree_from(
    concepts: dict[str, Concept],
    statuses: Mapping[Hashable, tuple[str | None, str | None]],
    in_categories: Iterable[tuple[Hashable, str]],
) -> list[dict[str, Any]]:
    """`category_tree_of` from plain rows, as the read model holds them: each
    standard's key (its IRI, or any key unique to it) with its (standard status, register
    status) codes, and (key, category code) pairs; pairs of other keys are left out.
    The counts are set unions and lookups: the home page's tree over 10,000 standards."""
    categories = _categories(concepts)
    direct: dict[str, set[Hashable]] = defaultdict(set)
    for key, code in in_categories:
        if key in statuses:
            direct[code].add(key)
    status = {key: found or "none" for key, (found, _) in statuses.items()}
    register_status = {key: found or "none" for key, (_, found) in statuses.items()}

    def node(code: str) -> dict[str, Any]:
        concept = categories[code]
        children = sorted(
            (c.notation for c in categories.values() if c.broader == concept.iri), key=_code_key
        )
        subtree = set().union(*(direct[c] for c in category_codes_under(concepts, code)))
        return {
            **concept.as_dict(),
            "href": f"{API_PREFIX}/categories/{quote(code, safe='')}",
            "counts": {
                "direct": len(direct[code]),
                "total": len(subtree),
                "by_status": _tally(map(status.__getitem__, subtree)),
                "by_register_status": _tally(map(register_status.__getitem__, subtree)),
            },
            "children": [node(child) for child in children],
        }

    tops = sorted((c.notation for c in categories.values() if c.broader is None), key=_code_key)
    return [node(code) for code in tops]


def category_node(tree: list[dict[str, Any]], code: str) -> dict[str, Any]:
    """The node of `code` in a category tree; NotFoundError when it is not in it."""

    def find(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
        for n in nodes:
            if n["code"] == code:
                return n
            found = find(n["children"])
            if found:
                return found
        return None

    found = find(tree)
    if found is None:  # a category outside the tree: an ontology without top concepts
        raise NotFoundError(
            Text(zh=f"没有分类 {code!r}", en=f"no category {code!r}"), {"category": code}
        )
    return found


def standard_summary(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("iri", "id", "href", "identifier", "title", "status", "register")
    return {k: record.get(k) for k in keys}


def _tally(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


# -- lists with filters and paging ----------------------------------------------------


@dataclass(frozen=True)
class Page:
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "items": self.items,
        }


# Fields of an entry's answer too large to repeat in every item of a list: each list
# item holds the field's length in characters under `<field>_chars` instead. An
# interface's OpenAPI document (its endpoint description) runs to megabytes: five
# interfaces made a 7.1 MB list, one of 10,000 paths a 5 MB item.
LIST_ELIDED = {"interface": ("endpoint_description",)}


def list_item(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """`record` as a list (or search) shows it: LIST_ELIDED's fields by their length.
    The entry's own answer holds them whole."""
    elided = [f for f in LIST_ELIDED.get(kind, ()) if f in record]
    if not elided:
        return record
    item = dict(record)
    for name in elided:
        value = item.pop(name)
        item[f"{name}_chars"] = len(value) if isinstance(value, str) else None
    return item


# Control characters: no one searches for them, and a NUL in an FTS5 phrase is an
# "unterminated string" to SQLite (a 500 for `?q=00%00`).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _fold(text: str) -> str:
    """Text as compared by search: NFKC (full-width to ASCII), lower case, one space,
    no control characters."""
    text = _CONTROLS.sub("", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", text).strip().casefold()


def search_needles(q: str) -> set[str]:
    """What a text search looks for: the folded text, and the normal form of a standard
    identifier when `q` is one in any spelling (GB/T21063.3—2007)."""
    needles = {_fold(q)}
    with contextlib.suppress(IdentifierError):
        needles.add(_fold(str(parse_standard_id(q))))
    return needles


def search_texts(record: dict[str, Any]) -> list[str]:
    """The folded texts of a record that a search looks in: its id and every language
    of its title, name and description. None holds a newline (`_fold` makes every run
    of white space one space), so they can be kept joined by one."""
    texts = [str(record.get("id") or "")]
    for key in ("title", "name", "description"):
        value = record.get(key)
        if isinstance(value, dict):
            texts.extend(value.values())
    return [_fold(t) for t in texts]


def texts_match(needles: Iterable[str], texts: list[str]) -> bool:
    """Whether one of the needles is in one of the texts (an empty needle is in none)."""
    return any(n and n in h for n in needles for h in texts)


def code_filter(
    concepts: dict[str, Concept], scheme: URIRef, value: str, name: str, label_zh: str
) -> str:
    """`value` when it is a code of the code list `scheme`, else InputError with the codes."""
    known = sorted(c.notation for c in concepts.values() if c.scheme == str(scheme))
    if value not in known:
        raise InputError(
            Text(zh=f"未知的{label_zh} {value!r}", en=f"unknown {name} {value!r}"),
            {name: value, "allowed": known},
        )
    return value


# -- one entry --------------------------------------------------------------------------


def resolve_any(store: Store, ident: str, *, undated: bool = True) -> str:
    """The IRI of the register item `ident` names, as registration.resolve_item, and also
    a resource code in its slug form (`101001-000001` for `101001/000001`) and, with
    `undated`, an undated standard identifier (`GB/T 21063.3`: the edition in force,
    `edition_in_force`). Writes pass `undated=False`: they name an edition."""
    try:
        return resolve_item(store, ident)
    except NotFoundError:
        without_year = undated_identifier(ident) if undated else None
        if without_year is not None:
            chosen = edition_in_force(editions(store, without_year))
            if chosen is not None:
                return chosen["iri"]
        raise


def undated_identifier(ident: str) -> str | None:
    """`ident` normalised when it is a standard identifier without its year, else None."""
    try:
        parsed = parse_standard_id(ident)
    except IdentifierError:
        return None
    return None if parsed.year else parsed.undated


# Every registered edition of one undated identifier: those whose identifier is it
# followed by "-" and a year ($PREFIX is a literal made by rdflib, never caller text).
_EDITIONS = f"""
SELECT ?s ?id ?status ?next WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
  ?s a <{SCS.Standard}> ; <{DCTERMS.identifier}> ?id .
  FILTER(STRSTARTS(STR(?id), $PREFIX))
  OPTIONAL {{ ?s <{SCS.standardStatus}> ?status }}
  OPTIONAL {{ ?s <{DCTERMS.isReplacedBy}> ?next }} }} }}"""


def editions(store: Store, undated: str) -> list[dict[str, Any]]:
    """The registered editions of the undated identifier `undated` (`GB/T 21063.3`),
    oldest first: IRI, identifier, API path, standard status code, and whether a
    later edition replaces it."""
    query = _EDITIONS.replace("$PREFIX", Literal(f"{undated}-").n3())
    return sorted_editions(
        undated,
        (
            (
                str(row["s"]),
                str(row["id"]),
                local_name(str(row["status"])) if row.get("status") is not None else None,
                row.get("next") is not None,
            )
            for row in store.select(query)
        ),
    )


def sorted_editions(
    undated: str, rows: Iterable[tuple[str, str, str | None, bool]]
) -> list[dict[str, Any]]:
    """The editions of `undated` among `rows` (IRI, identifier, standard status code,
    whether a later edition replaces it; one IRI may come in several rows), oldest
    first, as `editions` answers them: the one place the store's and the read model's
    editions are shaped."""
    found: dict[str, dict[str, Any]] = {}
    for iri, identifier, status, replaced in rows:
        if identifier.rsplit("-", 1)[0] != undated:
            continue  # GB/T 21063.3-... but not GB/T 21063.31-...
        edition = found.setdefault(
            iri,
            {
                "iri": iri,
                "identifier": identifier,
                "href": api_path(STANDARD, identifier),
                "status": None,
                "replaced": False,
            },
        )
        if status is not None:
            edition["status"] = status
        edition["replaced"] = edition["replaced"] or replaced
    return sorted(found.values(), key=lambda e: (_edition_year(e["identifier"]), e["iri"]))


def _edition_year(identifier: str) -> int:
    year = parse_standard_id(identifier).year or "0"
    # Two-digit years are of the last century (GB 3100-93), as registry.graphs reads them.
    return int(year) + (1900 if len(year) == 2 and int(year) >= 50 else 0)


def edition_in_force(found: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The edition an undated identifier means (DOMAIN.md: the latest edition): the
    latest one in force (status `current`, replaced or not: a successor registered
    ahead of its date of entry into force, `forthcoming`, replaces it already and is
    not in force yet); else the latest one that no later edition replaces; else the
    latest; None when there is none."""
    for wanted in (
        lambda e: e["status"] == "current",
        lambda e: not e["replaced"],
        lambda e: True,
    ):
        chosen = [e for e in found if wanted(e)]
        if chosen:
            return chosen[-1]
    return None


def _current_values(store: Store, iri: str) -> dict[URIRef, list[Node]]:
    """Every current triple of one subject, by predicate."""
    values: dict[URIRef, list[Node]] = defaultdict(list)
    for _, p, o in store.match(GRAPH_CURRENT, URIRef(iri)):
        # A store gives predicates as URIRefs already: another, made per triple, was
        # a twentieth of a rebuild (URIRef checks its text with a regular expression).
        values[p if type(p) is URIRef else URIRef(str(p))].append(o)
    return values


def _short_name(iri: str, values: dict[URIRef, list[Node]]) -> dict[str, Any] | None:
    """What a reference to `iri` shows (as the Snapshot's `names`): None unless it is
    an entry. A subject typed with several kinds' classes is named by the last."""
    types = values.get(RDF.type, [])
    found = None
    for kind in KINDS.values():
        if kind.cls in types:
            found = _entry_name(iri, values, kind)
    return found


def _item_nodes(values: dict[URIRef, list[Node]]) -> list[Node]:
    return list(dict.fromkeys(values.get(SCS.dataItem, [])))


# The current triples of a batch of subjects (for select_in_batches).
_SUBJECTS_TRIPLES = f"""
SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ VALUES ?s {{ $VALUES }} ?s ?p ?o }} }}"""


def _values_of(
    store: Store, subjects: list[Node], batch: int = 500
) -> dict[str, dict[URIRef, list[Node]]]:
    """The current triples of `subjects` by subject: from the indexes one subject at a
    time in process, in batches of one SELECT over a remote store (a round trip each)."""
    if store.in_process:
        return {str(s): _current_values(store, str(s)) for s in subjects if isinstance(s, URIRef)}
    iris = [s for s in subjects if isinstance(s, URIRef)]
    return _group(select_in_batches(store, _SUBJECTS_TRIPLES, iris, batch))


def data_items_in_batches(
    store: Store, resources: Sequence[str], concepts: dict[str, Concept], batch: int = 1000
) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """`data_items_of` every resource of `resources`, `batch` resources at a time, so
    that only one batch's items are held at once."""
    shared: dict[str, dict[str, Any]] = {}
    for start in range(0, len(resources), batch):
        chunk = resources[start : start + batch]
        yield data_items_of(store, _item_nodes_of(store, chunk), concepts, shared)


# The data items of a batch of resources (for select_in_batches).
_ITEMS_OF = f"""
SELECT ?s ?o WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
  VALUES ?s {{ $VALUES }} ?s <{SCS.dataItem}> ?o }} }}"""


def _item_nodes_of(store: Store, resources: Sequence[str]) -> dict[str, list[Node]]:
    """Each resource's scs:dataItem objects, and only those: a rebuild read each
    resource's every triple a second time for them, a seventh of its time at 50,000
    resources."""
    if store.in_process:
        return {
            r: list(
                dict.fromkeys(o for _, _, o in store.match(GRAPH_CURRENT, URIRef(r), SCS.dataItem))
            )
            for r in resources
        }
    found: dict[str, list[Node]] = {r: [] for r in resources}
    for row in select_in_batches(store, _ITEMS_OF, map(URIRef, resources)):
        listed = found[str(row["s"])]
        if row["o"] not in listed:
            listed.append(row["o"])
    return found


def data_items_of(
    store: Store,
    item_nodes: dict[str, list[Node]],
    concepts: dict[str, Concept],
    shared: dict[str, dict[str, Any]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Each resource's data items as registered now (`item_nodes`: resource IRI -> its
    scs:dataItem objects), sorted by position. A registered item is skolemised under
    its resource's IRI, so its triples are in the current graph beside the resource's."""
    shared = {} if shared is None else shared
    values = _values_of(store, [n for nodes in item_nodes.values() for n in nodes])
    items: dict[str, list[dict[str, Any]]] = {}
    for resource, nodes in item_nodes.items():
        listed = [
            _record(str(n), values.get(str(n), {}), DATA_ITEM_FIELDS, concepts, {}, shared)
            for n in nodes
        ]
        items[resource] = sorted(listed, key=lambda i: (i["position"] or 0, i["iri"]))
    return items


# -- submissions ------------------------------------------------------------------------

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def submission(store: Store, base_iri: str, submission_id: str) -> dict[str, Any]:
    """A recorded submission: its provenance and its validation report."""
    if not _UUID.match(submission_id):
        raise NotFoundError(
            Text(zh=f"没有提交记录 {submission_id!r}", en=f"no submission {submission_id!r}"),
            {"id": submission_id},
        )
    iri = f"{base_iri}submission/{submission_id}"
    values: dict[str, list[Node]] = defaultdict(list)
    for row in store.select(_REGISTRY_SUBJECT, {"s": URIRef(iri)}):
        values[str(row["p"])].append(row["o"])
    if SCS.Submission not in values.get(str(RDF.type), []):
        raise NotFoundError(
            Text(zh=f"没有提交记录 {submission_id!r}", en=f"no submission {submission_id!r}"),
            {"id": submission_id},
        )

    def one(prop: URIRef) -> str | None:
        found = values.get(str(prop))
        return str(found[0]) if found else None

    report_iri = one(SCS.validationReport)
    return {
        "submission": iri,
        "id": submission_id,
        "agent": one(PROV.wasAssociatedWith),
        # The token it was made with (its id, not its secret); null from the command line.
        "token": one(SCS.viaToken),
        "started": one(PROV.startedAtTime),
        "ended": one(PROV.endedAtTime),
        "outcome": one(SCS.outcome),
        "conforms": one(SCS.conforms) == "true",
        "source_sha256": one(SCS.sourceSha256),
        "shapes_sha256": one(SCS.shapesSha256),
        "engine": one(SCS.engineVersion),
        "entries": sorted(str(o) for o in values.get(str(SCS.entry), [])),
        "generated": sorted(str(o) for o in values.get(str(PROV.generated), [])),
        "report": stored_report(store.read_graph(report_iri)) if report_iri else None,
    }


def stored_report(graph: Graph) -> dict[str, Any]:
    """A sh:ValidationReport read back from the store, in the JSON form of reports.py."""
    results = []
    for node in graph.subjects(RDF.type, SH.ValidationResult):

        def one(prop: URIRef, node: Node = node) -> str | None:
            value = graph.value(node, prop)
            return None if value is None else str(value)

        messages = {
            (m.language or ""): str(m)
            for m in graph.objects(node, SH.resultMessage)
            if isinstance(m, Literal)
        }
        location = {
            local_name(str(p)): o.toPython() if isinstance(o, Literal) else str(o)
            for p, o in graph.predicate_objects(node)
            if str(p).startswith(str(SCS))
        }
        result = {
            "severity": local_name(one(SH.resultSeverity) or ""),
            "focus": one(SH.focusNode) or "",  # none: about the whole document
            "path": one(SH.resultPath),
            "value": one(SH.value),
            "message": {"zh": messages.get("zh", ""), "en": messages.get("en", "")},
            "shape": one(SH.sourceShape),
            "constraint": one(SH.sourceConstraintComponent),
        }
        if location:
            result["location"] = location
        results.append(result)
    results.sort(key=lambda r: (r["severity"], r["focus"] or "", r["path"] or ""))
    counts = {s: sum(r["severity"] == s for r in results) for s in ("Violation", "Warning", "Info")}
    conforms = graph.value(predicate=SH.conforms)
    return {
        "conforms": str(conforms) == "true" if conforms is not None else not counts["Violation"],
        "counts": counts,
        "total": len(results),
        "results": results,
    }


# -- linked data: what an IRI under /id/ describes ---------------------------------------


def describe(store: Store, iri: str, context: Callable[[], CatalogContext] | None = None) -> Graph:
    """The triples that describe `iri`: an item's current version and register record,
    a version exactly as registered, a data item, a submission or its report, or a
    department's catalogue of the entries in no catalogue, which the DCAT-AP export
    makes (described as the export does, in `context()`'s city and licence).
    NotFoundError when the registry holds nothing about it."""
    graph = Graph()
    ref = URIRef(iri)
    if item_state(store, iri) is not None:
        for triple in read_version(store, iri):
            graph.add(triple)
    else:
        named = version_of(iri)
        if named and item_state(store, named[0]) is not None:
            rows = store.select(_VERSION_RECORD, {"v": ref})
            if rows:
                for triple in read_version(store, *named):
                    graph.add(triple)
        elif iri.endswith("/report") and "/submission/" in iri:
            for triple in store.read_graph(iri):
                graph.add(triple)
    for triple in store.construct(_DESCRIBE_SUBJECT, {"s": ref}):
        graph.add(triple)
    if len(graph) == 0 and iri.endswith("/registered"):
        made = registered_catalogue(store, iri, context() if context is not None else None)
        if made is not None:
            return made
    if len(graph) == 0:
        raise NotFoundError(
            Text(zh=f"未找到已登记为 {iri} 的条目", en=f"nothing is registered as {iri}"),
            {"iri": iri},
        )
    return graph


def title_of(graph: Graph, iri: str, lang: str = "zh") -> str:
    """A name for `iri` in `lang` (title, label or identifier), else the IRI."""
    ref = URIRef(iri)
    for prop in (DCTERMS.title, SKOS.prefLabel, SCS.itemName):
        labels = [o for o in graph.objects(ref, prop) if isinstance(o, Literal)]
        for label in sorted(labels, key=lambda o: (o.language != lang, str(o))):
            return str(label)
    for prop in (DCTERMS.identifier, SCS.resourceCode, SCS.interfaceCode, SCS.assessmentCode):
        value = graph.value(ref, prop)
        if value is not None:
            return str(value)
    return iri


# -- registrations, for the pages -------------------------------------------------------

_SUBMITTED = f"""
  ?s a <{SCS.Submission}> ; <{PROV.wasAssociatedWith}> ?agent ;
     <{PROV.startedAtTime}> ?started ; <{SCS.outcome}> ?outcome ."""


def _submissions_where(agent: URIRef | None) -> str:
    # In the pattern, not a trailing VALUES (Store.select's bindings): SPARQL joins
    # that after the aggregates, where it would restrict the count to nothing.
    chosen = f"VALUES ?agent {{ {iri_text(str(agent))} }}" if agent is not None else ""
    return f"GRAPH <{GRAPH_REGISTRY}> {{ {chosen} {_SUBMITTED}"


def _submission_rows(
    store: Store, where: str, limit: int, offset: int = 0, after: str = ""
) -> list[dict[str, Any]]:
    """Submissions newest first, each with the number of entries it holds; `after` a
    FILTER that keeps those after the last one read (`every_submission`)."""
    rows = store.select(
        f"SELECT ?s ?agent ?started ?outcome (COUNT(?entry) AS ?entries) WHERE {{ {where} "
        f"OPTIONAL {{ ?s <{SCS.entry}> ?entry }} }} {after} }} "
        f"GROUP BY ?s ?agent ?started ?outcome ORDER BY DESC(?started) ?s "
        f"LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    return [
        {
            "id": str(row["s"]).rsplit("/", 1)[-1],
            "iri": str(row["s"]),
            "agent": str(row["agent"]),
            "started": str(row["started"]),  # ISO 8601; pages show it in their zone
            "outcome": str(row["outcome"]),
            "entries": int(row["entries"]),
        }
        for row in rows
    ]


def submissions(
    store: Store, agent: URIRef | None = None, limit: int = 50, offset: int = 0
) -> Page:
    """The recorded submissions, newest first, one page of them; those of one agent (a
    department) when given. `total` counts them all: the store answers the count and
    the page, so nothing is read beyond the page."""
    where = _submissions_where(agent)
    counted = store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }} }}")
    total = int(counted[0]["n"]) if counted and counted[0].get("n") is not None else 0
    items = _submission_rows(store, where, limit, offset)
    return Page(total=total, limit=limit, offset=offset, items=items)


# Submissions read at once by `every_submission`. Virtuoso refuses to sort past
# 10,000 rows of OFFSET and LIMIT together (SR353, its MaxSortedTopRows): a download
# asked for them all in one query and answered 500 there.
SUBMISSION_BATCH = 5000


def every_submission(store: Store, agent: URIRef | None = None) -> Iterator[dict[str, Any]]:
    """Every recorded submission, newest first (those of `agent` when given), read a
    batch at a time after the last one read (keyset paging: no OFFSET to grow past a
    server's sort limit)."""
    where = _submissions_where(agent)
    after = ""
    while True:
        batch = _submission_rows(store, where, SUBMISSION_BATCH, after=after)
        yield from batch
        if len(batch) < SUBMISSION_BATCH:
            return
        last = batch[-1]
        started = Literal(last["started"], datatype=XSD.dateTime).n3()
        s = iri_text(last["iri"])
        after = f"FILTER (?started < {started} || (?started = {started} && STR(?s) > STR({s})))"
