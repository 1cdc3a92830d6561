"""Splitting a submission's validation into chunks of entries, each with only the
context it needs, so chunks can be validated apart (in parallel, or only the
changed ones) with exactly the results of validating the whole graph.

A *unit* is one entry of the submission (a resource, a standard, a catalogue...)
with the focus nodes that belong to it (its data items). A chunk's data graph is:

- the units' own triples: each root, and what it owns (scs:dataItem values and
  blank nodes), recursively;
- the description of every node those triples point at, and of every node that
  description points at (two hops; descriptions include their blank nodes), from
  the submission or the registry context.

Why two forward hops are enough: the shapes of shapes/ reach other entries only
forwards, at most two steps away (an entry's cited standard's status and
successor, then the successor's identifier; a catalogue's datasets' publisher);
none uses an inverse path (tests/test_validation_identity.py checks that, and
compares this path with plain pyshacl on a generated catalogue and the examples).
The vocabulary (ontology/) is added whole by the validator. Only the units' own
focus nodes are validated in a chunk (registry.shacl_tuning.restricted_focus), so
the entries present only as context are not validated again there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from registry.namespaces import SCS

Triple = tuple[Node, Node, Node]
CONTEXT_HOPS = 2


@dataclass
class Unit:
    root: URIRef
    focus: list[Node] = field(default_factory=list)  # root first, then its data items


def plan_units(data: Graph, focus: Iterable[URIRef]) -> list[Unit]:
    """Group the focus nodes by the entry they belong to (registry.validation.entry_of:
    a data item belongs to its resource). Focus nodes whose entry is not itself a focus
    node are left out: the Validator keeps no result about them."""
    focus_set = set(focus)
    units: dict[URIRef, Unit] = {}
    for node in sorted(focus_set):
        owner = next(iter(data.subjects(SCS.dataItem, node)), None)
        root = owner if owner is not None else node
        if root not in focus_set or not isinstance(root, URIRef):
            continue
        unit = units.setdefault(root, Unit(root))
        if node != root:
            unit.focus.append(node)
    for unit in units.values():
        unit.focus.insert(0, unit.root)
    return [units[root] for root in sorted(units)]


def split_units(units: Sequence[Unit], size: int) -> list[list[Unit]]:
    return [list(units[i : i + size]) for i in range(0, len(units), size)]


def _describe(
    graphs: Sequence[Graph], node: Node, out: list[Triple], seen: set[Node], owned: bool
) -> list[Node]:
    """Append `node`'s triples (and its blank nodes', and with `owned` its data items')
    to `out`; return the IRIs it points at."""
    stack = [node]
    pointed: list[Node] = []
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for graph in graphs:
            for triple in graph.triples((current, None, None)):
                out.append(triple)
                _s, p, o = triple
                if isinstance(o, BNode) or (owned and p == SCS.dataItem):
                    stack.append(o)
                elif isinstance(o, URIRef):
                    pointed.append(o)
    return pointed


def chunk_triples(units: Sequence[Unit], data: Graph, context: Graph | None) -> list[Triple]:
    """The data graph of a chunk (without the vocabulary), as a list of triples."""
    graphs = [data] if context is None else [data, context]
    out: list[Triple] = []
    seen: set[Node] = set()
    frontier: list[Node] = []
    for unit in units:
        frontier.extend(_describe(graphs, unit.root, out, seen, owned=True))
    for _hop in range(CONTEXT_HOPS):
        following: list[Node] = []
        for node in frontier:
            if node not in seen:
                following.extend(_describe(graphs, node, out, seen, owned=False))
        frontier = following
    return out
