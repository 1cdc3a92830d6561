"""Integer adjacency of a built dependency graph, for walks that visit most of it.

A hub standard of a 10,000-standard registry is needed, transitively, by ~65,000
entries. Walking that in Python, through networkx's edge views and sorting each
node's neighbours on every visit, took 0.5-4 s. Here the nodes are numbered in IRI
order, the dependency edges are kept as two sparse matrices (what each node needs,
what needs it) with columns in that order, and the walk is scipy's breadth-first
search in C. It visits neighbours in IRI order, as the Python walk did, so each
node's predecessor, the first node found on a shortest path, is the same.

Built once per graph object and kept while the graph lives. Graphs come from
registry.graphs.build's cache and are not changed after assembly; a graph whose node
count changed since is indexed again (counting edges would cost a pass over them all).
A graph that a write's update made from an indexed one (build.derivation) gets its
index derived from that one's: only the rows of the nodes whose edges were made again
are built, and the matrices spliced, instead of indexing every edge (2 s at 50,000
resources, paid by the first impact query after each write).
"""

from __future__ import annotations

import bisect
import threading
import weakref
from bisect import insort
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order

from registry.graphs.build import DEPENDENCY_KINDS, Derivation, derivation
from registry.runtime.foreground import courteous

Edges = list[tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Reach:
    """What a walk from `start` reached: `nodes` in (distance, IRI) order, start
    excluded, with each one's distance and predecessor (the next node towards start)."""

    start: int
    nodes: np.ndarray
    distance: np.ndarray  # indexed by node number; -1 where not reached
    predecessor: np.ndarray  # indexed by node number

    def path(self, node: int) -> list[int]:
        """From `node` back to the start."""
        path = [node]
        while path[-1] != self.start:
            path.append(int(self.predecessor[path[-1]]))
        return path


@dataclass(frozen=True)
class DependencyIndex:
    ids: list[str]  # node IRIs in sorted order: a node's number is its IRI order
    position: dict[str, int]
    kind_names: list[str]  # sorted
    kind_codes: np.ndarray  # per node: its kind's index in kind_names
    needs: list[Edges]  # forward dependency edges of each node, targets in IRI order
    needed_by: list[Edges]  # backward: who depends on each node, in IRI order
    needs_matrix: csr_array
    needed_by_matrix: csr_array
    successors: dict[str, list[str]]  # old edition -> newer editions, in IRI order
    size: int  # nodes when built

    def reach(
        self,
        start: int,
        forward: bool,
        depth: int | None = None,
        first: list[int] | None = None,
    ) -> Reach:
        """Breadth first from `start` over dependency edges (forward: what it needs;
        backward: what needs it), to `depth` links. `first`, when given, replaces
        start's own neighbours (impact analysis leaves some of them out)."""
        matrix = self.needs_matrix if forward else self.needed_by_matrix
        if first is not None:
            matrix = _with_row(matrix, start, first)
        order, predecessor = breadth_first_order(
            matrix, start, directed=True, return_predecessors=True
        )
        distance = _distances(start, order, predecessor, len(self.ids))
        nodes = order[1:]
        if depth is not None:
            nodes = nodes[distance[nodes] <= depth]
        # BFS order is by distance already; within a distance, IRI order
        nodes = nodes[np.lexsort((nodes, distance[nodes]))]
        return Reach(start, nodes, distance, predecessor)

    def impact_order(self, reach: Reach) -> tuple[list[int], dict[str, int]]:
        """The nodes reached in (distance, kind, IRI) order, and how many of each kind."""
        reached = reach.nodes
        kind_codes = self.kind_codes[reached]
        order = reached[np.lexsort((reached, kind_codes, reach.distance[reached]))]
        counts = np.bincount(kind_codes, minlength=len(self.kind_names)).tolist()
        kinds = {name: n for name, n in zip(self.kind_names, counts, strict=True) if n}
        return order.tolist(), kinds

    def edge(self, dependent: int, needed: int) -> dict[str, Any]:
        """The first dependency edge (in the graph's order) from `dependent` to `needed`."""
        edges = self.needed_by[needed]
        at = bisect.bisect_left(edges, dependent, key=_first)
        return edges[at][1]


def _distances(start: int, order: np.ndarray, predecessor: np.ndarray, n: int) -> np.ndarray:
    """Distance from start of every node in `order`, one vectorised step per level."""
    distance = np.full(n, -1, dtype=np.int64)
    distance[start] = 0
    pending = order[1:]
    while pending.size:
        parents = predecessor[pending]
        known = distance[parents] >= 0
        distance[pending[known]] = distance[parents[known]] + 1
        pending = pending[~known]
    return distance


def _with_row(matrix: csr_array, row: int, columns: list[int]) -> csr_array:
    indptr, indices = matrix.indptr, matrix.indices
    a, b = indptr[row], indptr[row + 1]
    new_indices = np.concatenate(
        [indices[:a], np.asarray(sorted(set(columns)), dtype=indices.dtype), indices[b:]]
    )
    new_indptr = indptr.copy()
    new_indptr[row + 1 :] += len(set(columns)) - (b - a)
    data = np.ones(len(new_indices))
    return csr_array((data, new_indices, new_indptr), shape=matrix.shape)


def _matrix(adjacency: list[Edges]) -> csr_array:
    n = len(adjacency)
    indptr = np.zeros(n + 1, dtype=np.int32)
    columns: list[int] = []
    for i, edges in enumerate(adjacency):
        last = -1
        for j, _ in edges:  # sorted: parallel edges are neighbours, kept once
            if j != last:
                columns.append(j)
                last = j
        indptr[i + 1] = len(columns)
    indices = np.asarray(columns, dtype=np.int32)
    return csr_array((np.ones(len(indices)), indices, indptr), shape=(n, n))


def build_index(graph: nx.MultiDiGraph) -> DependencyIndex:
    ids = sorted(graph)
    position = {iri: i for i, iri in enumerate(ids)}
    attrs = graph._node  # the plain dicts under graph.nodes, which networkx itself reads
    needs: list[Edges] = [[] for _ in ids]
    needed_by: list[Edges] = [[] for _ in ids]
    successors: dict[str, list[str]] = {}
    # Built in the background after a start (api.assemble_graph): it steps aside for
    # the requests being answered, as the graph's assembly does.
    for source, targets in courteous(graph._succ.items()):
        i = position[source]
        for target, keyed in targets.items():
            j = position[target]
            for key, data in keyed.items():
                if data["kind"] in DEPENDENCY_KINDS:
                    needs[i].append((j, data))
                    needed_by[j].append((i, data))
                elif key == "replaces":
                    successors.setdefault(target, []).append(source)
    # Stable sorts: parallel edges between one pair keep the graph's order.
    for edges in courteous(needs):
        edges.sort(key=_first)
    for edges in courteous(needed_by):
        edges.sort(key=_first)
    for news in successors.values():
        news.sort()
    kinds = [attrs[iri]["kind"] for iri in ids]
    kind_names = sorted(set(kinds))
    code = {name: c for c, name in enumerate(kind_names)}
    return DependencyIndex(
        ids,
        position,
        kind_names,
        np.asarray([code[k] for k in kinds], dtype=np.int64),
        needs,
        needed_by,
        _matrix(needs),
        _matrix(needed_by),
        successors,
        len(graph),
    )


def _first(edge: tuple[int, dict[str, Any]]) -> int:
    return edge[0]


def _row(neighbours: dict[str, dict[Any, dict[str, Any]]], position: dict[str, int]) -> Edges:
    """One node's dependency edges as build_index makes its row: `neighbours` is the
    node's successors (what it needs) or predecessors (what needs it), each edge as
    (the other end's position, its data), stably sorted by that position. succ and pred
    share each key dict, so the parallel edges of one pair come in the same order from
    either side."""
    row = [
        (position[other], data)
        for other, keyed in neighbours.items()
        for data in keyed.values()
        if data["kind"] in DEPENDENCY_KINDS
    ]
    row.sort(key=_first)
    return row


def _replaced(graph: nx.MultiDiGraph, source: str) -> list[str]:
    """The editions `source` replaces, as edges of `graph`."""
    return [target for target, keyed in graph._succ[source].items() if "replaces" in keyed]


def _spliced(matrix: csr_array, rows: dict[int, Edges]) -> csr_array:
    """`matrix` with the rows `rows` made again from their edges, the others copied
    as they are (whole slices of the old arrays, not row by row)."""
    indptr, indices = matrix.indptr, matrix.indices
    counts = np.diff(indptr)
    pieces = []
    last = 0
    for row in sorted(rows):
        pieces.append(indices[indptr[last] : indptr[row]])
        columns = np.unique(np.asarray([j for j, _ in rows[row]], dtype=indices.dtype))
        pieces.append(columns)
        counts[row] = len(columns)
        last = row + 1
    pieces.append(indices[indptr[last] :])
    new_indices = np.concatenate(pieces).astype(indices.dtype, copy=False)
    new_indptr = np.zeros(len(indptr), dtype=indptr.dtype)
    np.cumsum(counts, out=new_indptr[1:])
    n = matrix.shape[0]
    return csr_array((np.ones(len(new_indices)), new_indices, new_indptr), shape=(n, n))


def derive_index(
    old: DependencyIndex, before: nx.MultiDiGraph, graph: nx.MultiDiGraph, how: Derivation
) -> DependencyIndex | None:
    """The index of `graph`, made by `updated` from `before` (indexed by `old`): the
    rows of the nodes whose edges were made again, the rest shared with `old`. None
    when it cannot be derived (nodes came or went, a new kind of node)."""
    position = old.position
    if not how.same_nodes or len(graph) != old.size or len(before) != old.size:
        return None
    touched = how.sources | how.ends
    if any(iri not in position for iri in touched):
        return None
    attrs = graph._node
    code = {name: c for c, name in enumerate(old.kind_names)}
    kind_codes = old.kind_codes.copy()
    for iri in touched:
        kind = attrs[iri]["kind"]
        if kind not in code:
            return None
        kind_codes[position[iri]] = code[kind]
    needs, needed_by = list(old.needs), list(old.needed_by)
    out_rows = {position[s]: _row(graph._succ[s], position) for s in how.sources}
    in_rows = {position[t]: _row(graph._pred[t], position) for t in how.ends}
    for i, row in out_rows.items():
        needs[i] = row
    for j, row in in_rows.items():
        needed_by[j] = row
    successors = {old_edition: list(news) for old_edition, news in old.successors.items()}
    for source in how.sources:
        for target in _replaced(before, source):
            successors[target].remove(source)
            if not successors[target]:
                del successors[target]
        for target in _replaced(graph, source):
            insort(successors.setdefault(target, []), source)
    return DependencyIndex(
        old.ids,
        position,
        old.kind_names,
        kind_codes,
        needs,
        needed_by,
        _spliced(old.needs_matrix, out_rows),
        _spliced(old.needed_by_matrix, in_rows),
        successors,
        len(graph),
    )


_indexes: weakref.WeakKeyDictionary[nx.MultiDiGraph, DependencyIndex] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_of(graph: nx.MultiDiGraph) -> DependencyIndex:
    """The index of `graph`, built on first use."""
    with _lock:
        found = _indexes.get(graph)
        how = derivation(graph) if found is None else None
        before = how.before() if how is not None else None
        old = _indexes.get(before) if before is not None else None
    if found is None and old is not None and before is not None and how is not None:
        found = derive_index(old, before, graph, how)
    if found is None or found.size != len(graph):
        found = build_index(graph)
    with _lock:
        _indexes[graph] = found
    return found
