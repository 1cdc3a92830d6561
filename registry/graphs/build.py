"""The dependency graph: assembled with networkx from the read model, and after a write
brought up to date by re-doing only what the write changed.

Nodes are keyed by IRI and typed (`kind`): standard, resource, interface,
department, category. Edges are keyed by their kind:

| kind        | from → to                          | read from (the record field)           |
|-------------|------------------------------------|----------------------------------------|
| references  | citing standard → cited standard   | dated_references, undated_references   |
| replaces    | newer edition → older edition      | replaces, replaced_by (inverted)       |
| conformsTo  | resource / interface → standard    | conforms_to                            |
| serves      | interface → resource               | serves                                 |
| providedBy  | resource / interface → department  | publisher                              |
| inCategory  | standard → category, sub-category → broader category | categories, skos:broader |

An undated reference means "the latest edition" (DOMAIN.md §2), so its edge goes
to the end of the cited edition's `dct:isReplacedBy` chain, with `cited` naming
the edition the data names when that differs. A reference (or a conformsTo) to a
superseded or abolished edition carries `stale` (the status) and, when there is
one, `successor` (the current edition to move to).

Where it comes from: the read model (registry.read.model) holds every entry's record
and every reference a record makes; two statements over it give every node's
attributes and every link (`model_facts`), where four whole-registry SELECTs over the
store took 14.6 s at 50,000 resources. The model also logs which records each write
rewrote, so after a write only those entries are read again and only the edges they
can change are made again (`GraphCache`).

The order is fixed, so a graph brought up to date equals one assembled from scratch
in every dict of it: nodes in IRI order, each node's out-edges in the order of the
links they come from, each node's in-edges in the order of their sources' IRIs.
Graphs handed out are shared between threads: never mutate them.
"""

from __future__ import annotations

import heapq
import re
import threading
import weakref
from bisect import insort
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from itertools import pairwise
from typing import Any, TypeVar

import networkx as nx

from registry.namespaces import local_name
from registry.read.model import EntryFields, ReadModel
from registry.read.queries import CATEGORY_SCHEME, Concept
from registry.runtime.foreground import courteous

NODE_KINDS = ("standard", "resource", "interface", "department", "category")
EDGE_KINDS = ("references", "replaces", "conformsTo", "serves", "providedBy", "inCategory")
# What an entry needs: following these edges forward gives its dependencies,
# backward its dependents (the same links as the SPARQL path
# (scs:datedReference|scs:undatedReference|dct:conformsTo|dcat:servesDataset)*).
DEPENDENCY_KINDS = frozenset({"references", "conformsTo", "serves"})
STALE_STATUSES = frozenset({"superseded", "abolished"})

# (subject, link kind, object) as the records state it, before any resolution. The
# kinds: dated, undated, replaces, isReplacedBy, conformsTo, serves, providedBy,
# inCategory, broader.
Link = tuple[str, str, str]

_YEAR = re.compile(r"-(\d{4}|\d{2})$")


# -- what the records say ---------------------------------------------------------------------

# The fields of an entry's record (registry.read.queries' Kind definitions) that make
# its node's attributes, as JSON paths: only these are taken out of each record.
_FIELDS = {
    "identifier": "$.identifier",
    "title": "$.title",
    "name": "$.name",
    "status": "$.status.iri",
    "level": "$.level.iri",
    "issued": "$.issued",
    "in_force": "$.in_force_from",
    "withdrawn": "$.withdrawn_on",
    "code": "$.code",
    "credit_code": "$.credit_code",
    "register_status": "$.register.status",
    "categories": "$.categories",
}
ENTRY_PATHS = tuple(_FIELDS.values())
# The record fields naming other entries (the read model's edges) that are links.
_RELATION_LINKS = {
    "dated_references": "dated",
    "undated_references": "undated",
    "replaces": "replaces",
    "replaced_by": "isReplacedBy",
    "conforms_to": "conformsTo",
    "serves": "serves",
    "publisher": "providedBy",
}
# An IRI typed with several kinds' classes (the submit path never writes one; a direct
# store write can) is one node, of the first of these kinds it has a record of.
_KIND_ORDER = ("standard", "resource", "interface", "department")


@dataclass
class Entry:
    """One entry's node attributes and the links its record makes."""

    attrs: dict[str, Any]
    links: list[Link]


def _add_labels(attrs: dict[str, Any], labels: Mapping[str, str] | None) -> None:
    """label_zh / label_en from a {language: text} map; no language counts as Chinese."""
    for lang, text in (labels or {}).items():
        lang = lang or "zh"
        key = "label_en" if lang.startswith("en") else "label_zh" if lang.startswith("zh") else None
        if key is not None:
            attrs.setdefault(key, text)


def entry_of(
    iri: str, kind: str, values: list[Any], edges: Iterable[tuple[str, str, str, str]]
) -> Entry:
    """The node and links of one entry from its record's values at ENTRY_PATHS and its
    rows of the read model's edges table (those of other kinds are skipped)."""
    field = dict(zip(_FIELDS, values, strict=True))
    attrs: dict[str, Any] = {"kind": kind}
    if kind == "standard":
        attrs["registered"] = True
        if field["identifier"] is not None:
            attrs["identifier"] = field["identifier"]
    _add_labels(attrs, field["title"] if kind != "department" else field["name"])
    if kind == "standard":
        for name in ("status", "level"):
            if field[name] is not None:
                attrs[name] = local_name(field[name])  # the code list's local name: current, ...
        for name in ("issued", "in_force", "withdrawn"):
            if field[name] is not None:
                attrs[name] = field[name]
    elif kind == "resource" and field["issued"] is not None:
        attrs["issued"] = field["issued"]
    code = field["credit_code"] if kind == "department" else field["code"]
    if code is not None:
        attrs["code"] = code
    if field["register_status"] is not None:
        attrs["register_status"] = field["register_status"]
    links = [
        (iri, _RELATION_LINKS[relation], target)
        for _source, edge_kind, relation, target in edges
        if edge_kind == kind and relation in _RELATION_LINKS
    ]
    if kind == "standard":
        links.extend((iri, "inCategory", c["iri"]) for c in field["categories"] or ())
    return Entry(attrs, sorted(set(links)))


def category_of(concept: Concept) -> Entry:
    """The node of a category of the standard system, linked to its broader one."""
    attrs: dict[str, Any] = {"kind": "category", "code": concept.notation}
    _add_labels(attrs, concept.label)
    links = [(concept.iri, "broader", concept.broader)] if concept.broader else []
    return Entry(attrs, links)


def entries_of(fields: EntryFields) -> dict[str, Entry]:
    """Every entry of an `entry_fields` read, by IRI (categories not included)."""
    kinds: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    for iri, kind, values in courteous(fields.rows):
        kinds[iri][kind] = values
    # One string per IRI: an edge's target names a node read from another row, and
    # kept apart each link held a copy of it (~25 MB at 50,000 resources).
    same = {iri: iri for iri in kinds}
    edges_of: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for source, kind, relation, target in courteous(fields.edges):
        edges_of[source].append((source, kind, relation, same.get(target, target)))
    found = {}
    for iri, by_kind in courteous(kinds.items()):
        kind = next((k for k in _KIND_ORDER if k in by_kind), None)
        if kind is not None:
            found[iri] = entry_of(iri, kind, by_kind[kind], edges_of.get(iri, ()))
    return found


def model_facts(model: ReadModel) -> Facts:
    """Every node and link of the registry, read from the read model in one transaction
    (three statements whatever its size)."""
    return facts_of(model.entry_fields(ENTRY_PATHS))


def facts_of(fields: EntryFields) -> Facts:
    """The facts of a whole-registry `entry_fields` read (one made without `since`)."""
    entries = entries_of(fields)
    for concept in (fields.concepts or {}).values():
        if concept.scheme == str(CATEGORY_SCHEME):
            entries[concept.iri] = category_of(concept)
    # Each entry's links are sorted and start with its IRI: taken in IRI order, they
    # come sorted, which Facts checks in one pass instead of sorting them (one call
    # that held the interpreter for 0.3 s at 50,000 resources).
    ordered = sorted(entries)
    return Facts(
        {iri: entries[iri].attrs for iri in ordered},
        (link for iri in courteous(ordered) for link in entries[iri].links),
    )


# -- the facts, indexed -----------------------------------------------------------------------


def _edge_source(link: Link) -> str:
    """The node an edge made from `link` leaves: the newer edition for isReplacedBy."""
    return link[2] if link[1] == "isReplacedBy" else link[0]


class Facts:
    """What the read model says, before any date view or reference resolution: the
    nodes (entries and categories) with their attributes, and the links, indexed by the
    node their edges leave, by what they point at, and as replacement pairs.

    Changed only through `replace`, under the lock of the cache that owns it."""

    def __init__(self, nodes: dict[str, dict[str, Any]], links: Iterable[Link]) -> None:
        self.nodes = nodes
        self._links_of: dict[str, list[Link]] = defaultdict(list)
        self._from: dict[str, list[Link]] = defaultdict(list)  # edge source -> links
        self._citers: dict[str, set[str]] = defaultdict(set)  # object -> subjects
        self._pairs: Counter[tuple[str, str]] = Counter()  # (old, new) editions
        self._successors: dict[str, list[str]] | None = None
        self._predecessors: dict[str, list[str]] | None = None
        # Sorted, each link once: every list below is in link order.
        listed = list(links)
        if not all(a < b for a, b in pairwise(listed)):
            listed = sorted(set(listed))
        for link in courteous(listed):
            self._links_of[link[0]].append(link)
            self._index(link, add=True)

    def _index(self, link: Link, add: bool) -> None:
        subject, kind, obj = link
        sources = self._from[_edge_source(link)]
        if add:
            if sources and sources[-1] > link:
                insort(sources, link)
            else:
                sources.append(link)
            self._citers[obj].add(subject)
        else:
            sources.remove(link)
        pair = (obj, subject) if kind == "replaces" else (subject, obj)
        if kind in ("replaces", "isReplacedBy"):
            self._pairs[pair] += 1 if add else -1
            if not self._pairs[pair]:
                del self._pairs[pair]
            self._successors = self._predecessors = None

    def tables(self) -> tuple[Any, ...]:
        """The facts as plain dicts, lists, tuples and sets (`restored` takes them back):
        for registry.graphs.saved, which writes them with the graph."""
        return (
            self.nodes,
            dict(self._links_of),
            dict(self._from),
            dict(self._citers),
            dict(self._pairs),
        )

    @classmethod
    def restored(cls, tables: tuple[Any, ...]) -> Facts:
        """The facts `tables` gave, without indexing their links again."""
        nodes, links_of, from_, citers, pairs = tables
        facts = cls.__new__(cls)
        facts.nodes = nodes
        facts._links_of = defaultdict(list, links_of)
        facts._from = defaultdict(list, from_)
        facts._citers = defaultdict(set, citers)
        facts._pairs = Counter(pairs)
        facts._successors = facts._predecessors = None
        return facts

    @property
    def links(self) -> list[Link]:
        """Every link, sorted."""
        return sorted(link for links in self._links_of.values() for link in links)

    def links_of(self, subject: str) -> list[Link]:
        return self._links_of.get(subject, [])

    def links_from(self, source: str) -> list[Link]:
        """The links whose edges leave `source`, in link order."""
        return self._from.get(source, [])

    def citers(self, target: str) -> set[str]:
        """The subjects with a link to `target`."""
        return self._citers.get(target, set())

    def successors(self) -> dict[str, list[str]]:
        """old edition -> the editions replacing it (IRI order), from both directions of
        the link, nodes or not."""
        if self._successors is None:
            found: dict[str, list[str]] = defaultdict(list)
            for old, new in sorted(self._pairs):
                found[old].append(new)
            self._successors = dict(found)
        return self._successors

    def line(self, iri: str) -> set[str]:
        """Every edition linked to `iri` by replacements, either way, at any distance:
        whatever its replacement chain's end depends on."""
        successors = self.successors()
        if self._predecessors is None:
            found_before: dict[str, list[str]] = defaultdict(list)
            for old, news in successors.items():
                for new in news:
                    found_before[new].append(old)
            self._predecessors = dict(found_before)
        predecessors = self._predecessors
        found, stack = {iri}, [iri]
        while stack:
            current = stack.pop()
            for other in (*successors.get(current, ()), *predecessors.get(current, ())):
                if other not in found:
                    found.add(other)
                    stack.append(other)
        return found

    def replace(self, iri: str, entry: Entry | None) -> None:
        """Put `entry` in place of what was known of `iri` (None: it is no node any more)."""
        for link in self._links_of.pop(iri, []):
            self._index(link, add=False)
            citers = self._citers.get(link[2])
            if citers is not None:
                citers.discard(iri)
        if entry is None:
            self.nodes.pop(iri, None)
            return
        self.nodes[iri] = entry.attrs
        if entry.links:
            self._links_of[iri] = list(entry.links)
            for link in entry.links:
                self._index(link, add=True)


# -- dates: the graph as it stood on a day --------------------------------------------------


def identifier_year(identifier: str | None) -> int | None:
    """The year printed in an identifier (`GB 3100-93` -> 1993), the date fallback."""
    match = _YEAR.search(identifier or "")
    if not match:
        return None
    year = int(match[1])
    if year < 100:  # two-digit years are of the last century: GB 3100-93
        year += 1900 if year >= 50 else 2000
    return year


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def issued_on(attrs: dict[str, Any]) -> date | None:
    """The day a standard counts as issued: dct:issued, else 1 January of the year in its
    identifier (most example editions carry no issue date; the identifier's year is the
    year of publication)."""
    day = _day(attrs.get("issued"))
    if day is None:
        year = identifier_year(attrs.get("identifier"))
        day = date(year, 1, 1) if year else None
    return day


def _state_on(
    iri: str,
    facts: Facts,
    successors: dict[str, list[str]],
    day: date,
) -> tuple[bool, str | None]:
    """Whether a node existed on `day`, and a standard's status that day."""
    attrs = facts.nodes[iri]
    kind = attrs["kind"]
    if kind == "resource":
        issued = _day(attrs.get("issued"))
        return issued is None or issued <= day, None
    if kind != "standard":
        return True, None  # interfaces, departments and categories carry no dates
    issued = issued_on(attrs)
    if issued is not None and day < issued:
        return False, None
    status = attrs.get("status")
    withdrawn = _day(attrs.get("withdrawn"))
    if withdrawn is None and status == "superseded":
        # No withdrawal date: the edition gave way when its first successor came into force
        # (or was issued, when that is all we know).
        days = [
            _day(facts.nodes[s].get("in_force")) or issued_on(facts.nodes[s])
            for s in successors.get(iri, ())
            if s in facts.nodes
        ]
        withdrawn = min((d for d in days if d is not None), default=None)
    if withdrawn is not None and day >= withdrawn:
        return True, "abolished" if status == "abolished" else "superseded"
    if status in ("abolished", "superseded") and withdrawn is None:
        # An undated end cannot be placed: keep today's status (a registrar's
        # `superseded` names a successor that may carry no dates at all).
        return True, status
    in_force = _day(attrs.get("in_force"))
    if in_force is not None and day < in_force:
        return True, "forthcoming"
    return True, "current"


# -- from links to edges ------------------------------------------------------------------------


def current_edition(
    iri: str,
    successors: dict[str, list[str]],
    nodes: Mapping[str, Any],
    *,
    superseded: bool = False,
) -> str:
    """The end of `iri`'s replacement chain: where an undated reference lands.

    With several successors the one not itself superseded wins (then the first in IRI
    order); a replacement cycle (bad data) stops the walk instead of looping. An edition
    that is not stale is not passed for a successor not yet in force (`forthcoming`):
    an undated reference means the edition in force, and a new edition registered
    ahead of its date of entry into force (the usual case) drew every undated citer
    to itself at once. `superseded`: walk as if `iri` were (impact's "what if it is
    replaced")."""
    seen = {iri}
    while True:
        nexts = [s for s in successors.get(iri, ()) if s in nodes and s not in seen]
        stale = superseded and len(seen) == 1
        if not stale and _attr(nodes.get(iri), "status") not in STALE_STATUSES:
            nexts = [s for s in nexts if _attr(nodes[s], "status") != "forthcoming"]
        if not nexts:
            return iri
        nexts.sort(key=lambda s: (_attr(nodes[s], "status") in STALE_STATUSES, s))
        iri = nexts[0]
        seen.add(iri)


def _attr(attrs: Any, name: str) -> Any:
    return attrs.get(name) if isinstance(attrs, dict) else None


Edge = tuple[str, str, str, dict[str, Any]]  # (source, target, key, attributes)


class _Edges:
    """Turns links into edges over one view of the facts: `present` holds the nodes of
    the view (with their statuses that day), and replacement chains run through them."""

    def __init__(self, facts: Facts, present: Mapping[str, dict[str, Any]]) -> None:
        self.facts = facts
        self.present = present
        self.successors = {
            old: [n for n in news if n in present]
            for old, news in facts.successors().items()
            if old in present
        }

    def placeholder(self, link: Link) -> str | None:
        """The standard `link` names that the registry does not hold (yet): it becomes a
        node (`registered: false`) so that the dangling reference stays visible."""
        subject, kind, obj = link
        attrs = self.present.get(subject)
        if attrs is None or obj in self.facts.nodes:
            return None
        if (kind in ("dated", "undated") and attrs["kind"] == "standard") or (
            kind == "conformsTo" and attrs["kind"] in ("resource", "interface")
        ):
            return obj
        return None

    def edge(self, link: Link) -> Edge | None:
        """The edge `link` makes in this view, None when it makes none. References and
        conformance reach placeholders; the other links only nodes the registry holds."""
        subject, kind, obj = link
        attrs = self.present.get(subject)
        if attrs is None:
            return None  # not yet issued on the view's day
        subject_kind = attrs["kind"]
        held = obj in self.present
        # A link to an entry that is held but not yet issued that day makes no edge.
        reachable = held or obj not in self.facts.nodes
        if kind in ("dated", "undated"):
            if subject_kind != "standard" or not reachable:
                return None
            data: dict[str, Any] = {"kind": "references", "reference": kind}
            target = obj
            if kind == "undated":
                target = current_edition(obj, self.successors, self.present)
                if target != obj:
                    data["cited"] = obj
            data.update(self.stale(target))
            return subject, target, f"references:{kind}", data
        if kind == "conformsTo":
            if subject_kind not in ("resource", "interface") or not reachable:
                return None
            return subject, obj, "conformsTo", {"kind": "conformsTo", **self.stale(obj)}
        if not held:
            return None
        if kind == "replaces" and subject_kind == "standard":
            return subject, obj, "replaces", {"kind": "replaces"}
        if kind == "isReplacedBy" and subject_kind == "standard":
            return obj, subject, "replaces", {"kind": "replaces"}
        if kind == "serves" and subject_kind == "interface":
            return subject, obj, "serves", {"kind": "serves"}
        if kind == "providedBy" and subject_kind in ("resource", "interface"):
            return subject, obj, "providedBy", {"kind": "providedBy"}
        if (kind == "inCategory" and subject_kind == "standard") or (
            kind == "broader" and subject_kind == "category"
        ):
            return subject, obj, "inCategory", {"kind": "inCategory"}
        return None

    def stale(self, target: str) -> dict[str, Any]:
        attrs = self.present.get(target)
        status = attrs.get("status") if attrs is not None else None
        if status not in STALE_STATUSES:
            return {}
        found = current_edition(target, self.successors, self.present)
        return {"stale": status, **({"successor": found} if found != target else {})}

    def out_edges(self, source: str) -> dict[str, dict[str, dict[str, Any]]]:
        """target -> key -> attributes of every edge leaving `source`, in link order (a
        second link making the same edge adds to its attributes, as add_edge would)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for link in self.facts.links_from(source):
            edge = self.edge(link)
            if edge is None:
                continue
            _, target, key, data = edge
            keyed = out.get(target)
            if keyed is None:
                keyed = out[target] = {}
            found = keyed.get(key)
            if found is None:
                keyed[key] = data
            else:
                found.update(data)
        for keyed in out.values():
            for key, data in keyed.items():
                keyed[key] = _shared(data)
        return out


# Edge attributes are a handful of small dicts repeated over every edge ({"kind":
# "providedBy"}, {"kind": "conformsTo"}, ...): one dict per distinct content, shared by
# every edge that has it, instead of one per edge. Nothing changes an edge's dict in
# place once its edges are made (an update makes new edges; copies made to annotate
# copy them). Grows only with distinct contents (kinds and stale successors).
_SHARED_EDGE_DATA: dict[frozenset[tuple[str, Any]], dict[str, Any]] = {}


def _shared(data: dict[str, Any]) -> dict[str, Any]:
    return _SHARED_EDGE_DATA.setdefault(frozenset(data.items()), data)


def _placeholder_attrs(iri: str) -> dict[str, Any]:
    return {"kind": "standard", "registered": False, "identifier": local_name(iri)}


def _graph_over(
    nodes: dict[str, dict[str, Any]],
    succ: dict[str, dict[str, dict[str, dict[str, Any]]]],
    pred: dict[str, dict[str, dict[str, dict[str, Any]]]],
    attrs: dict[str, Any],
) -> nx.MultiDiGraph:
    """A MultiDiGraph over dicts laid out as networkx lays out its own (node -> attrs;
    source -> target -> key -> attrs, the inner key dict shared by succ and pred).
    Setting `_node`, `_adj` and `_pred` is how networkx 3 itself swaps them (its
    descriptors reset the cached views): here it lets an update share every untouched
    node's dicts with the graph before it instead of copying them."""
    graph = nx.MultiDiGraph(**attrs)
    graph._node = nodes
    graph._adj = succ
    graph._pred = pred
    return graph


def assemble(facts: Facts, as_of: date | None = None) -> nx.MultiDiGraph:
    """The typed multigraph of `facts`, as it stood on `as_of` (None: as it stands)."""
    if as_of is None:
        present: Mapping[str, dict[str, Any]] = facts.nodes
    else:
        dated: dict[str, dict[str, Any]] = {}
        successors = facts.successors()
        for iri, attrs in facts.nodes.items():
            exists, status = _state_on(iri, facts, successors, as_of)
            if exists:
                dated[iri] = attrs if status is None else {**attrs, "status": status}
        present = dated
    edges = _Edges(facts, present)
    placeholders = {
        found
        for subject in courteous(present)
        for link in facts.links_of(subject)
        if (found := edges.placeholder(link)) is not None
    }
    order = sorted(present.keys() | placeholders)
    # The facts' own attribute dicts, not copies: neither the graph nor the facts change
    # one in place (Facts.replace puts a new one; copies made to annotate, such as
    # queries.induced, copy them), and a copy of each cost ~17 MB at 50,000 resources.
    nodes = {
        iri: present[iri] if iri in present else _placeholder_attrs(iri) for iri in courteous(order)
    }
    succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = {iri: {} for iri in order}
    for source in courteous(order):  # in IRI order: each node's in-edges come in that order
        out = succ[source] = edges.out_edges(source)
        for target, keyed in out.items():
            pred[target][source] = keyed
    return _graph_over(nodes, succ, pred, {"as_of": as_of.isoformat() if as_of else ""})


# -- after a write: the graph brought up to date -----------------------------------------------


@dataclass(frozen=True)
class Derivation:
    """How `updated` made a graph from the one before: the graph before (weakly: it
    goes when nobody holds it), the nodes whose out-edges were made again, and the
    nodes whose in-edges were. registry.graphs.adjacency derives the new graph's walk
    index from the old one's with it, instead of indexing every edge again."""

    before: weakref.ref[nx.MultiDiGraph]
    sources: frozenset[str]
    ends: frozenset[str]
    same_nodes: bool  # no node added or removed


_derivations: weakref.WeakKeyDictionary[nx.MultiDiGraph, Derivation] = weakref.WeakKeyDictionary()


def derivation(graph: nx.MultiDiGraph) -> Derivation | None:
    """How `graph` was made from the graph before it, when `updated` made it."""
    return _derivations.get(graph)


# Update the graph when the edges to make again leave at most this share of its nodes;
# past it, assembling the whole graph from the (updated) facts costs about as much.
UPDATE_SHARE = 0.25


def _changed_sources(
    facts: Facts, changes: Mapping[str, Entry | None]
) -> tuple[set[str], set[str]]:
    """Apply `changes` to `facts`. Returns the nodes whose out-edges may differ, and
    the IRIs whose being a placeholder may differ.

    An edge depends on its link, on its source's kind, on its target being held, and
    on the status and replacement chain of its target (stale, successor, where an
    undated reference lands). So the edges to make again are those leaving a changed
    entry, leaving the newer edition of a changed isReplacedBy link, or made from a
    link that points at a changed entry or at any edition of a line a changed entry is
    (or was) part of."""
    targets = set(changes)
    sources: set[str] = set()
    named: set[str] = set()
    for iri in changes:  # the lines as they were ...
        targets |= facts.line(iri)
        for link in facts.links_of(iri):
            sources.add(_edge_source(link))
            named.add(link[2])
    for iri, entry in changes.items():
        facts.replace(iri, entry)
    for iri in changes:  # ... and as they are
        targets |= facts.line(iri)
        for link in facts.links_of(iri):
            sources.add(_edge_source(link))
            named.add(link[2])
    sources |= targets
    for target in targets:
        # Former citers that cite no more changed their links: they are in `changes`.
        sources |= facts.citers(target)
    return sources, named | set(changes)


def updated(
    graph: nx.MultiDiGraph, facts: Facts, changes: Mapping[str, Entry | None]
) -> nx.MultiDiGraph | None:
    """`graph` (assembled from `facts`) brought up to date with `changes` (IRI -> its
    entry now, None for one that is no entry any more), which are applied to `facts`.

    A new graph (`graph` itself when no node or link changed): the old one is never
    changed (readers in other threads may hold it).
    Copy-on-write: every untouched node keeps the very dicts of the old graph, and only
    the changed nodes and the nodes at either end of a changed edge get new ones. A
    full `graph.copy()` to change in place would be simpler, but it costs as much as
    assembling the whole graph again (31 ms against 29 ms at 2,000 resources,
    bench/graph_bench.py), where sharing costs three shallow copies of the outer dicts
    (the whole update after a status change: 3 ms). None when the edges to make again
    leave more than UPDATE_SHARE of the nodes: assemble then."""
    # An entry rewritten only because it names a changed one (its record shows the
    # other's name) has the same node and links: leaving it out spares remaking the
    # edges of everything citing it.
    changes = {
        iri: entry
        for iri, entry in changes.items()
        if (entry is None and iri in facts.nodes)
        or (
            entry is not None
            and (entry.attrs != facts.nodes.get(iri) or entry.links != facts.links_of(iri))
        )
    }
    if not changes:
        return graph
    sources, candidates = _changed_sources(facts, changes)
    if len(sources) > UPDATE_SHARE * max(len(graph), 1):
        return None
    present = facts.nodes
    edges = _Edges(facts, present)
    old_nodes: dict[str, dict[str, Any]] = graph._node
    old_succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._succ
    old_pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._pred

    # Which nodes are there now: the changed entries, and placeholders that appear or go.
    placeholders = {
        found
        for iri in candidates
        if iri not in present
        for subject in facts.citers(iri)
        for link in facts.links_of(subject)
        if link[2] == iri and (found := edges.placeholder(link)) is not None
    }
    wanted = {iri for iri in candidates if iri in present or iri in placeholders}
    added = wanted - old_nodes.keys()
    removed = {iri for iri in candidates if iri in old_nodes and iri not in wanted}
    if added or removed:
        # Nodes stay in IRI order: the old ones (in that order) merged with the new.
        order = heapq.merge((n for n in old_nodes if n not in removed), sorted(added))
        nodes = {n: old_nodes.get(n, {}) for n in order}
        succ = {n: old_succ.get(n, {}) for n in nodes}
        pred = {n: old_pred.get(n, {}) for n in nodes}
    else:
        nodes, succ, pred = dict(old_nodes), dict(old_succ), dict(old_pred)
    for iri in wanted:
        if iri in changes or iri in added:
            nodes[iri] = present[iri] if iri in present else _placeholder_attrs(iri)

    # The edges of the sources, made again; the in-edges of every node at their far end.
    incoming: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(dict)
    ends: set[str] = set()
    for source in sources:
        ends.update(old_succ.get(source, ()))
        if source not in nodes:
            continue
        out = succ[source] = edges.out_edges(source)
        for target, keyed in out.items():
            incoming[target][source] = keyed
        ends.update(out)
    for target in ends:
        if target not in nodes:
            continue
        kept = [(s, keyed) for s, keyed in old_pred.get(target, {}).items() if s not in sources]
        pred[target] = dict(sorted([*kept, *incoming.get(target, {}).items()]))
    new = _graph_over(nodes, succ, pred, dict(graph.graph))
    _derivations[new] = Derivation(
        weakref.ref(graph),
        frozenset(s for s in sources if s in nodes),
        frozenset(t for t in ends if t in nodes),
        not added and not removed,
    )
    return new


# -- the cache -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphState:
    """What `GraphCache.keep` hands over and `restore` takes back (registry.graphs.saved
    writes and reads it): the read model's lineage and generation the graph is of, the
    facts' tables (`Facts.tables`) and the graph's dicts (node attributes, successors,
    predecessors, graph attributes)."""

    lineage: str
    generation: int
    facts: tuple[Any, ...]
    graph: tuple[Any, ...]


T = TypeVar("T")


class GraphCache:
    """The graph of one read model, at its generation.

    The first call reads every entry from the model and assembles the graph; after a
    write, only the entries whose records the write rewrote are read (the model's log
    of rewrites) and the graph is brought up to date (`updated`); when the log does not
    reach back (a rebuild of the model, an ontology write, many writes ago) the whole
    graph is read again. A refresh holds the lock, so concurrent first requests wait
    for one build. Views as of a date are kept too (a few, least recently used first
    out), assembled from the same facts without reading the model again."""

    def __init__(self, max_dated_views: int = 16) -> None:
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._lineage: str | None = None  # of the read model the graph was read from
        # A restored graph is checked against the model (its lineage) at its first use,
        # even at the model's generation.
        self._unchecked = False
        self._facts: Facts | None = None
        self._graph: nx.MultiDiGraph | None = None
        self._dated: OrderedDict[date, nx.MultiDiGraph] = OrderedDict()
        self._max_dated = max_dated_views
        self.builds = 0  # whole reads of the model: the tests watch it
        self.updates = 0  # writes followed by reading only what they changed

    def get(self, model: ReadModel, as_of: date | None = None) -> nx.MultiDiGraph:
        generation = model.generation()
        with self._lock:
            if generation != self._generation or self._graph is None or self._unchecked:
                self._refresh(model)
            if as_of is None:
                assert self._graph is not None
                return self._graph
            view = self._dated.get(as_of)
            if view is None:
                assert self._facts is not None
                view = assemble(self._facts, as_of)
                view.graph["generation"] = self._generation
                self._dated[as_of] = view
                while len(self._dated) > self._max_dated:
                    self._dated.popitem(last=False)
            else:
                self._dated.move_to_end(as_of)
            return view

    def keep(self, write: Callable[[GraphState], T]) -> T | None:
        """Call `write` with the graph's state, holding the lock: the facts' tables are
        live, and a refresh changes them in place. None
        before the first graph, and while another thread brings the graph up to date:
        this does not wait for it (a server stopping during the assembly after its
        start keeps nothing, and the next start assembles). Dated views are left out."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            graph, facts = self._graph, self._facts
            if graph is None or facts is None or self._generation is None or not self._lineage:
                return None
            layout = (graph._node, graph._succ, graph._pred, dict(graph.graph))
            return write(GraphState(self._lineage, self._generation, facts.tables(), layout))
        finally:
            self._lock.release()

    def restore(self, state: GraphState) -> bool:
        """Take up a state that `keep` handed over: the next `get` brings it up to date
        with the writes since, or reads the whole model when it is of another lineage
        or its log of rewrites does not reach back that far. False, and nothing
        changed, when this cache holds a graph already."""
        nodes, succ, pred, attrs = state.graph
        with self._lock:
            if self._graph is not None:
                return False
            self._facts = Facts.restored(state.facts)
            self._graph = _graph_over(nodes, succ, pred, attrs)
            self._generation, self._lineage = state.generation, state.lineage
            self._unchecked = True
            self._dated.clear()
            return True

    def _refresh(self, model: ReadModel) -> None:
        previous = [self._graph, *self._dated.values()]
        self._replace(model)
        # The graphs replaced are freed as soon as nothing else holds them (a coverage
        # report, a request in flight), not at the cyclic collector's next full pass.
        for old in previous:
            if old is not None and old is not self._graph:
                let_go(old)

    def _replace(self, model: ReadModel) -> None:
        facts, graph = self._facts, self._graph
        since = self._generation if facts is not None and graph is not None else None
        fields = model.entry_fields(ENTRY_PATHS, since=since)
        if since is not None and fields.lineage != self._lineage:
            # A graph saved for a model since rebuilt: its log of rewrites is not ours.
            since = None
            fields = model.entry_fields(ENTRY_PATHS)
        generation, self._lineage = fields.generation, fields.lineage
        self._unchecked = False
        if since is not None and generation == since:
            return  # another thread brought it here while this one waited for the lock
        if since is None or fields.changed is None or facts is None or graph is None:
            facts = facts_of(fields)
            del fields
            graph = assemble(facts)
            self.builds += 1
        else:
            # Dropped first: a failure half way through leaves no half-updated facts.
            self._facts = self._graph = None
            entries = entries_of(fields)
            # Categories change only with the ontology, which rebuilds the model (and so
            # comes as a whole read): an IRI of one here is left alone.
            changes = {
                iri: entries.get(iri)
                for iri in fields.changed
                if _attr(facts.nodes.get(iri), "kind") != "category"
            }
            before = graph
            graph = updated(graph, facts, changes) or assemble(facts)
            self.updates += 1
            if graph is before:
                # Nothing the graph holds changed: the same graph (and the walk index
                # built for it) serves the new generation; only its label is older.
                self._facts, self._graph, self._generation = facts, graph, generation
                return
        graph.graph["generation"] = generation
        self._facts, self._graph, self._generation = facts, graph, generation
        self._dated.clear()


def let_go(graph: nx.MultiDiGraph) -> None:
    """Drop the views networkx keeps in a graph's `__dict__` (cached properties such as
    `edges`, which point back at the graph): without that cycle, a graph nobody holds
    any more is freed at once, not at the cyclic collector's next full collection (a
    replaced graph at 50,000 resources held ~40 MB until then; the first one, frozen
    at start, for good). Harmless to a reader still using the graph: a view is made
    again when asked for."""
    for name in _cached_views(type(graph)):
        graph.__dict__.pop(name, None)


@cache
def _cached_views(kind: type) -> tuple[str, ...]:
    return tuple(
        name
        for klass in kind.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, cached_property)
    )


def graph_from_model(model: ReadModel, as_of: date | None = None) -> nx.MultiDiGraph:
    """The dependency graph of the model's registry, assembled afresh (no cache): for
    scripts and tests. The registry's own is `Registry.graph`."""
    return assemble(model_facts(model), as_of)


def dependency_edges(
    graph: nx.MultiDiGraph, node: str, forward: bool
) -> Iterable[tuple[str, dict[str, Any]]]:
    """(neighbour, edge attributes) over the dependency edges of `node`.

    Straight off the adjacency dicts, in the same order as `in_edges`/`out_edges`:
    networkx's edge views cost ~10 us a call, which dominated walks over 65,000 nodes;
    `_succ`/`_pred` are the plain dicts networkx's own traversals read."""
    adjacency = graph._succ[node] if forward else graph._pred[node]
    for neighbour, keyed in adjacency.items():
        for data in keyed.values():
            if data["kind"] in DEPENDENCY_KINDS:
                yield neighbour, data
