"""The reference the graph built from the read model is checked against: the
dependency graph as the registry built it before it had a read model, from four
whole-registry SELECTs over the store (`read_facts`) assembled link by link in the
store's order (`assemble`). Slow at registry scale (14.6 s at 50,000 resources) and
read straight from the triples: what registry.graphs.build makes from the read model's
records must be the same graph."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from rdflib import Literal
from rdflib.namespace import DCAT, DCTERMS, ORG, SKOS
from rdflib.term import Node

from registry.graphs.build import STALE_STATUSES, current_edition, issued_on
from registry.graphs.coverage import LOCAL_LEVELS, NATIONAL_LEVELS, STATUSES, plan_progress
from registry.graphs.queries import flagged_edges, summary
from registry.namespaces import GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY, SCS
from registry.register.lifecycle import in_force
from registry.store import Store

_CLASS_KINDS = {
    str(SCS.InformationResource): "resource",
    str(SCS.DataInterface): "interface",
    str(ORG.Organization): "department",
}
_LINK_KINDS = {
    str(SCS.datedReference): "dated",
    str(SCS.undatedReference): "undated",
    str(DCTERMS.replaces): "replaces",
    str(DCTERMS.isReplacedBy): "isReplacedBy",
    str(DCTERMS.conformsTo): "conformsTo",
    str(DCAT.servesDataset): "serves",
    str(DCTERMS.publisher): "providedBy",
    str(SCS.category): "inCategory",
}

# -- the queries: four flat SELECTs for the whole registry, never one per node -------------
# Flat pattern scans (VALUES + one triple pattern) and no OPTIONAL: on Oxigraph a
# left join per attribute cost 3-4x the time of reading the same rows flat.

_STANDARD_ATTRIBUTES = {
    str(DCTERMS.identifier): ("identifier", str),
    str(SCS.standardStatus): ("status", None),
    str(SCS.level): ("level", None),
    str(SCS.inForceFrom): ("in_force", None),
    str(SCS.withdrawnOn): ("withdrawn", None),
}
_CODES = (SCS.resourceCode, SCS.interfaceCode, SCS.creditCode)
_ATTRIBUTES = [
    *_STANDARD_ATTRIBUTES,
    str(DCTERMS.issued),
    str(DCTERMS.title),
    str(SKOS.prefLabel),
    *(str(c) for c in _CODES),
    *_LINK_KINDS,
]

_TYPES = f"""
SELECT ?s ?class WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
  VALUES ?class {{ <{SCS.Standard}> {" ".join(f"<{c}>" for c in _CLASS_KINDS)} }}
  ?s a ?class }} }}"""

_VALUES = f"""
SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _ATTRIBUTES)} }}
  ?s ?p ?o }} }}"""

_CATEGORIES = f"""
SELECT ?c ?notation ?label ?broader WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{
  ?c <{SKOS.inScheme}> <{SCS.SmartCityStandardSystem}> .
  OPTIONAL {{ ?c <{SKOS.notation}> ?notation }}
  OPTIONAL {{ ?c <{SKOS.prefLabel}> ?label }}
  OPTIONAL {{ ?c <{SKOS.broader}> ?broader }}
}} }}"""

_REGISTER_STATUSES = f"""
SELECT ?s ?status WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
  ?s <{SCS.currentVersion}> ?v ; <{SCS.registerStatus}> ?status }} }}"""


@dataclass
class Facts:
    """What the store says, before any date view or reference resolution."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (subject, link kind of _LINK_KINDS' values, object), as read
    links: list[tuple[str, str, str]] = field(default_factory=list)


def _local(term: Node) -> str:
    text = str(term)
    return text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _iso(term: Node | None) -> str | None:
    if term is None:
        return None
    value = term.toPython() if isinstance(term, Literal) else None
    return value.isoformat() if isinstance(value, date) else str(term)


def read_facts(store: Store) -> Facts:
    """Everything the graph needs, in four SELECTs (none per node)."""
    facts = Facts()
    nodes = facts.nodes
    for row in store.select(_TYPES):
        cls = str(row["class"])
        kind = _CLASS_KINDS.get(cls, "standard")
        attrs = nodes.setdefault(str(row["s"]), {"kind": kind})
        if kind == "standard":
            attrs["registered"] = True
    for row in store.select(_CATEGORIES):
        iri = str(row["c"])
        attrs = nodes.setdefault(iri, {"kind": "category"})
        if "notation" in row:
            attrs["code"] = str(row["notation"])
        if "label" in row:
            _add_label(attrs, row["label"])
        if "broader" in row:
            facts.links.append((iri, "broader", str(row["broader"])))
    codes = {str(c) for c in _CODES}
    for row in store.select(_VALUES):
        subject, predicate, value = str(row["s"]), str(row["p"]), row["o"]
        attrs = nodes.get(subject)
        if attrs is None:
            continue  # catalogues, data items: not nodes of the graph
        if predicate in _LINK_KINDS:
            facts.links.append((subject, _LINK_KINDS[predicate], str(value)))
        elif predicate in _STANDARD_ATTRIBUTES:
            name, convert = _STANDARD_ATTRIBUTES[predicate]
            if attrs["kind"] == "standard" and name not in attrs:
                attrs[name] = (
                    str(value)
                    if convert
                    else (_iso(value) if isinstance(value, Literal) else _local(value))
                )
        elif predicate == str(DCTERMS.issued):
            if attrs["kind"] in ("standard", "resource"):
                attrs.setdefault("issued", _iso(value))
        elif predicate in codes:
            attrs.setdefault("code", str(value))
        else:  # dct:title, skos:prefLabel
            _add_label(attrs, value)
    for row in store.select(_REGISTER_STATUSES):
        attrs = nodes.get(str(row["s"]))
        if attrs is not None:
            attrs["register_status"] = _local(row["status"])
    # A replacement link counts on both editions (docs/registration.md, Lifecycle): a
    # registered edition's record holds each link pointing at it, the other way round.
    inverse = {"replaces": "isReplacedBy", "isReplacedBy": "replaces"}
    facts.links.extend(
        (o, inverse[kind], s)
        for s, kind, o in list(facts.links)
        if kind in inverse and nodes.get(o, {}).get("registered")
    )
    facts.links = sorted(set(facts.links))  # deterministic whatever order the store answers in
    return facts


def _add_label(attrs: dict[str, Any], label: Node) -> None:
    lang = getattr(label, "language", None) or "zh"
    key = "label_en" if lang.startswith("en") else "label_zh" if lang.startswith("zh") else None
    if key is not None:
        attrs.setdefault(key, str(label))


# -- dates: the graph as it stood on a day --------------------------------------------------


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


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
    if status == "abolished" and withdrawn is None:
        return True, "abolished"  # an undated abolition cannot be placed: keep today's status
    in_force = _day(attrs.get("in_force"))
    if in_force is not None and day < in_force:
        return True, "forthcoming"
    return True, "current"


# -- assembling ------------------------------------------------------------------------------


def _successors(facts: Facts) -> dict[str, list[str]]:
    """old edition -> the editions replacing it, from both directions of the link."""
    pairs = set()
    for s, kind, o in facts.links:
        if kind == "replaces":
            pairs.add((o, s))
        elif kind == "isReplacedBy":
            pairs.add((s, o))
    result: dict[str, list[str]] = defaultdict(list)
    for old, new in sorted(pairs):
        result[old].append(new)
    return result


def _attr(attrs: Any, name: str) -> Any:
    return attrs.get(name) if isinstance(attrs, dict) else None


def assemble(facts: Facts, as_of: date | None = None) -> nx.MultiDiGraph:
    """The typed multigraph of `facts`, as it stood on `as_of` (None: as it stands)."""
    graph = nx.MultiDiGraph(as_of=as_of.isoformat() if as_of else "")
    all_successors = _successors(facts)
    for iri, attrs in facts.nodes.items():
        if as_of is None:
            graph.add_node(iri, **attrs)
            continue
        exists, status = _state_on(iri, facts, all_successors, as_of)
        if exists:
            graph.add_node(iri, **attrs)
            if status is not None:
                graph.nodes[iri]["status"] = status
    nodes = graph.nodes
    successors = {
        old: [n for n in news if n in nodes] for old, news in all_successors.items() if old in nodes
    }

    def placeholder(iri: str) -> bool:
        # A link to a standard the registry does not hold (yet): keep it visible.
        if iri in nodes:
            return True
        if iri in facts.nodes:  # held, but not yet issued on `as_of`
            return False
        graph.add_node(iri, kind="standard", registered=False, identifier=_local(iri))
        return True

    def stale_attrs(target: str) -> dict[str, Any]:
        status = nodes[target].get("status")
        if status not in STALE_STATUSES:
            return {}
        found = current_edition(target, successors, nodes)
        return {"stale": status, **({"successor": found} if found != target else {})}

    for s, kind, o in facts.links:
        if s not in nodes:
            continue  # catalogues, data items, entries not yet issued
        subject_kind = nodes[s]["kind"]
        if kind in ("dated", "undated") and subject_kind == "standard":
            if not placeholder(o):
                continue
            attrs: dict[str, Any] = {"kind": "references", "reference": kind}
            target = o
            if kind == "undated":
                target = current_edition(o, successors, nodes)
                if target != o:
                    attrs["cited"] = o
            attrs.update(stale_attrs(target))
            graph.add_edge(s, target, key=f"references:{kind}", **attrs)
        elif kind == "replaces" and subject_kind == "standard" and o in nodes:
            graph.add_edge(s, o, key="replaces", kind="replaces")
        elif kind == "isReplacedBy" and subject_kind == "standard" and o in nodes:
            graph.add_edge(o, s, key="replaces", kind="replaces")
        elif kind == "conformsTo" and subject_kind in ("resource", "interface"):
            if placeholder(o):
                graph.add_edge(s, o, key="conformsTo", kind="conformsTo", **stale_attrs(o))
        elif kind == "serves" and subject_kind == "interface" and o in nodes:
            graph.add_edge(s, o, key="serves", kind="serves")
        elif kind == "providedBy" and subject_kind in ("resource", "interface") and o in nodes:
            graph.add_edge(s, o, key="providedBy", kind="providedBy")
        elif (kind == "inCategory" and subject_kind == "standard" and o in nodes) or (
            kind == "broader" and subject_kind == "category" and o in nodes
        ):
            graph.add_edge(s, o, key="inCategory", kind="inCategory")
    return graph


# -- coverage -------------------------------------------------------------------------------


def coverage_by_edge_views(
    graph: nx.MultiDiGraph, target_national: int, target_local: int
) -> dict[str, Any]:
    """registry.graphs.coverage.coverage_report as it was written first, over networkx's
    edge views node by node (2x slower at 50,000 resources): the reference the one-pass
    report is checked against."""
    nodes = graph.nodes
    categories = [n for n in graph if nodes[n]["kind"] == "category"]
    parent: dict[str, str] = {}
    for u, v, k in graph.edges(keys=True):
        if k == "inCategory" and nodes[u]["kind"] == "category":
            parent[u] = v
    direct: dict[str, dict[str, int]] = {c: defaultdict(int) for c in categories}
    total: dict[str, dict[str, int]] = {c: defaultdict(int) for c in categories}
    standards = [
        n for n in graph if nodes[n]["kind"] == "standard" and nodes[n].get("registered", True)
    ]
    for std in standards:
        status = nodes[std].get("status") or "unknown"
        reached: set[str] = set()
        for _, cat, k in graph.out_edges(std, keys=True):
            if k != "inCategory":
                continue
            direct[cat][status] += 1
            while cat is not None and cat not in reached:  # count once per ancestor
                reached.add(cat)
                cat = parent.get(cat)
        for cat in reached:
            total[cat][status] += 1

    rows = []

    def code_key(code: str) -> tuple[int | str, ...]:
        return tuple(int(p) if p.isdigit() else p for p in code.split("."))

    for cat in sorted(categories, key=lambda c: code_key(nodes[c].get("code", c))):
        rows.append(
            {
                "code": nodes[cat].get("code"),
                "iri": cat,
                "label_zh": nodes[cat].get("label_zh"),
                "label_en": nodes[cat].get("label_en"),
                "broader": nodes[parent[cat]].get("code") if cat in parent else None,
                "direct": {s: direct[cat].get(s, 0) for s in STATUSES},
                "total": {s: total[cat].get(s, 0) for s in STATUSES},
            }
        )
    gaps = [r["code"] for r in rows if r["total"]["current"] == 0]

    served = {v for _, v, k in graph.edges(keys=True) if k == "serves"}
    without_interface, without_standard, only_stale = [], [], []
    for node in sorted(graph):
        kind = nodes[node]["kind"]
        if kind not in ("resource", "interface"):
            continue
        if kind == "resource" and node not in served:
            without_interface.append(summary(graph, node))
        cited = [
            d for _, _, k, d in graph.out_edges(node, keys=True, data=True) if k == "conformsTo"
        ]
        if not cited:
            without_standard.append(summary(graph, node))
        elif all(d.get("stale") in STALE_STATUSES for d in cited):
            only_stale.append(summary(graph, node))

    def progress(levels: tuple[str, ...], target: int) -> dict[str, Any]:
        count = sum(
            1
            for s in standards
            if nodes[s].get("level") in levels
            # Issue 16: a retired group standard and one superseded through the
            # register counted toward the targets; only those in force count.
            and in_force(nodes[s].get("status"), nodes[s].get("register_status"))
        )
        return plan_progress(levels, count, target)

    status_counts: dict[str, int] = defaultdict(int)
    for s in standards:
        status_counts[nodes[s].get("status") or "unknown"] += 1
    return {
        "as_of": graph.graph.get("as_of") or None,
        "standards": {"total": len(standards), "by_status": dict(sorted(status_counts.items()))},
        "categories": rows,
        "categories_without_current": gaps,
        "resources_without_interface": without_interface,
        "without_standard": without_standard,
        "only_superseded_standards": only_stale,
        "flagged_references": [e for e in flagged_edges(graph) if e["kind"] == "references"],
        "targets": {
            "national": progress(NATIONAL_LEVELS, target_national),
            "local": progress(LOCAL_LEVELS, target_local),
        },
    }
