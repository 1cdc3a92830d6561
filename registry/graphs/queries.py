"""Questions over the dependency graph: what an entry needs, what needs it, what a status
change breaks, reference cycles, paths and replacement chains.

All of them walk the cached graph of registry.graphs.build in memory: the store's own
property paths are slow at registry scale (DESIGN.md: `p1/p2*` on Oxigraph), a
breadth-first walk over a few hundred nodes takes milliseconds.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from registry.bilingual import Text
from registry.errors import GraphTooLargeError, InputError, NotFoundError
from registry.graphs.build import (
    DEPENDENCY_KINDS,
    STALE_STATUSES,
    current_edition,
)

if TYPE_CHECKING:
    from registry.graphs.adjacency import DependencyIndex

Direction = Literal["dependencies", "dependents", "both"]
Change = Literal["superseded", "abolished"]
DIRECTIONS: tuple[str, ...] = ("dependencies", "dependents", "both")
CHANGES: tuple[str, ...] = ("superseded", "abolished")


def list_page(total: int, offset: int, limit: int | None) -> dict[str, Any]:
    """The envelope of one paged list: its `total`, this page's `offset` and `limit`, and
    `next_offset` (None on the last page), as the impact answer gives its pages: the
    coverage's lists, the cycles' groups."""
    end = total if limit is None else min(offset + limit, total)
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "next_offset": end if end < total else None,
    }


def summary(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """A node for people and JSON: IRI, kind, name, identifier or code, status."""
    return node_summary(node, graph.nodes[node])


def node_summary(node: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """`summary` of a node from its attributes (a walk over many nodes has them)."""
    found = {"iri": node, "kind": attrs["kind"]}
    for name in ("identifier", "code", "label_zh", "label_en", "status", "register_status"):
        if attrs.get(name) is not None:
            found[name] = attrs[name]
    if attrs.get("registered") is False:
        found["registered"] = False
    return found


def display_name(graph: nx.MultiDiGraph, node: str, lang: str = "zh") -> str:
    attrs = graph.nodes[node]
    label = attrs.get(f"label_{lang}") or attrs.get("label_zh") or attrs.get("label_en")
    ident = attrs.get("identifier") or attrs.get("code")
    if ident and label and attrs["kind"] != "category":
        return f"{ident} {label}"
    if attrs["kind"] == "category" and ident:
        return f"{ident} {label or ''}".strip()
    return label or ident or node


def require_node(graph: nx.MultiDiGraph, node: str) -> None:
    if node not in graph:
        as_of = graph.graph.get("as_of")
        raise NotFoundError(
            Text(
                zh=f"依赖图中没有 {node}" + (f"（{as_of}）" if as_of else ""),
                en=f"{node} is not in the dependency graph" + (f" on {as_of}" if as_of else ""),
            ),
            {"iri": node},
        )


def _edge_dict(u: str, v: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"source": u, "target": v, **data}


def index_of(graph: nx.MultiDiGraph) -> DependencyIndex:
    """The integer index of `graph` for walks (registry.graphs.adjacency). Imported on
    the first walk: numpy and scipy take ~0.8 s to import, which `screg serve` need not
    pay before its first answer."""
    from registry.graphs.adjacency import index_of as build_or_get

    return build_or_get(graph)


# -- dependencies and dependents ---------------------------------------------------------------


def walk(
    graph: nx.MultiDiGraph, root: str, forward: bool, depth: int | None = None
) -> dict[str, int]:
    """Nodes reached from `root` over dependency edges (forward: what it needs; backward:
    what needs it), with their distance; `root` itself at 0."""
    require_node(graph, root)
    if depth is not None and depth < 0:
        raise InputError(Text(zh="深度不能为负", en="depth must be 0 or more"))
    index = index_of(graph)
    reach = index.reach(index.position[root], forward, depth)
    ids, distance = index.ids, reach.distance
    return {root: 0} | {ids[i]: int(distance[i]) for i in reach.nodes.tolist()}


def neighbourhood(
    graph: nx.MultiDiGraph,
    root: str,
    direction: Direction = "both",
    depth: int | None = None,
    max_nodes: int | None = None,
) -> nx.MultiDiGraph:
    """The subgraph around `root`: its dependencies, dependents or both, to `depth`.

    A new graph (safe to change), with every edge among the nodes reached: the
    dependency edges, and replacements between editions that both appear. More than
    `max_nodes` nodes is a GraphTooLargeError, raised before the copy is made."""
    if direction not in DIRECTIONS:
        raise InputError(
            Text(
                zh=f"方向须为 {'、'.join(DIRECTIONS)} 之一",
                en=f"direction must be one of {', '.join(DIRECTIONS)}",
            ),
            {"direction": direction},
        )
    nodes: dict[str, int] = {}
    if direction in ("dependencies", "both"):
        nodes.update(walk(graph, root, True, depth))
    if direction in ("dependents", "both"):
        for node, dist in walk(graph, root, False, depth).items():
            nodes[node] = min(dist, nodes.get(node, dist))
    if max_nodes is not None and len(nodes) > max_nodes:
        raise GraphTooLargeError(
            Text(
                zh=(
                    f"该条目周围的依赖图有 {len(nodes):,} 个条目，超过 "
                    f"{max_nodes:,} 个：请用深度或单一方向缩小范围，"
                    "或分页查看影响分析"
                ),
                en=(
                    f"the graph around this entry holds {len(nodes):,} entries, "
                    f"more than {max_nodes:,}: narrow it with depth or one "
                    "direction, or page the impact analysis"
                ),
            ),
            {"nodes": len(nodes), "max_nodes": max_nodes},
        )
    sub = induced(graph, nodes)
    sub.graph.update(
        root=root,
        direction=direction,
        depth=-1 if depth is None else depth,
        as_of=graph.graph.get("as_of", ""),
    )
    for node, dist in nodes.items():
        sub.nodes[node]["distance"] = dist
    return sub


def induced(graph: nx.MultiDiGraph, nodes: dict[str, int] | set[str]) -> nx.MultiDiGraph:
    """A copy of the subgraph on `nodes`, every edge among them. Built by hand: copying
    networkx's subgraph view filters every edge through the view, ~10x slower."""
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, dict(graph.nodes[n])) for n in nodes)
    adjacency = graph.adj
    sub.add_edges_from(
        (u, v, key, dict(data))
        for u in nodes
        for v, keyed in adjacency[u].items()
        if v in nodes
        for key, data in keyed.items()
    )
    return sub


def flagged_edges(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """References and conformance links to a superseded or abolished edition."""
    return [
        _edge_dict(u, v, data)
        for u, neighbours in graph.adjacency()  # the edges' own order, without views
        for v, keyed in neighbours.items()
        for data in keyed.values()
        if data.get("stale") and data["kind"] in DEPENDENCY_KINDS
    ]


def dependencies(
    graph: nx.MultiDiGraph,
    root: str,
    depth: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> dict[str, Any]:
    """What `root` needs, to `depth` (None: all the way), with the flagged references."""
    return _listing(graph, root, True, depth, offset, limit)


def dependents(
    graph: nx.MultiDiGraph,
    root: str,
    depth: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> dict[str, Any]:
    """What needs `root`, transitively (or to `depth`)."""
    return _listing(graph, root, False, depth, offset, limit)


def _listing(
    graph: nx.MultiDiGraph,
    root: str,
    forward: bool,
    depth: int | None,
    offset: int,
    limit: int | None,
) -> dict[str, Any]:
    """One page of the entries reached (nearest first, then in IRI order), with the edges
    among the root and that page; `total` counts every entry reached."""
    require_node(graph, root)
    if depth is not None and depth < 0:
        raise InputError(Text(zh="深度不能为负", en="depth must be 0 or more"))
    check_page(offset, limit)
    index = index_of(graph)
    reach = index.reach(index.position[root], forward, depth)
    total = len(reach.nodes)
    chosen = reach.nodes[offset:] if limit is None else reach.nodes[offset : offset + limit]
    page = [(index.ids[i], int(reach.distance[i])) for i in chosen.tolist()]
    sub = induced(graph, {root, *(n for n, _ in page)})
    end = offset + len(page)
    return {
        "root": summary(graph, root),
        "direction": "dependencies" if forward else "dependents",
        "total": total,
        "offset": offset,
        "limit": limit,
        "next_offset": end if end < total else None,
        "entries": [{**summary(graph, n), "distance": distance} for n, distance in page],
        "edges": [
            _edge_dict(u, v, d) for u, v, d in sub.edges(data=True) if d["kind"] in DEPENDENCY_KINDS
        ],
        "flagged": flagged_edges(sub),
    }


# -- impact of a status change ------------------------------------------------------------------


@dataclass
class Affected:
    iri: str
    kind: str
    name: str
    path: list[str]  # from this entry to the changed one
    links: list[str]  # the edges along the path: "references:dated", "conformsTo", ...
    direct: bool
    successor: str | None  # the edition to move to, when one is known

    def as_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict copies recursively, field by field, and this runs
        # once per entry of a page
        return {
            "iri": self.iri,
            "kind": self.kind,
            "name": self.name,
            "path": list(self.path),
            "links": list(self.links),
            "direct": self.direct,
            "successor": self.successor,
        }


@dataclass
class Impact:
    root: dict[str, Any]
    change: str
    successor: str | None
    # one page of the affected entries, in (path length, kind, IRI) order
    affected: list[Affected] = field(default_factory=list)
    # undated citers: they move to the successor by themselves when the root is superseded
    follows: list[Affected] = field(default_factory=list)
    total: int = 0  # every affected entry, not only this page
    kinds: dict[str, int] = field(default_factory=dict)  # every affected entry by kind
    offset: int = 0
    limit: int | None = None
    # A page of the assessments against the root that its end puts in doubt, each
    # flagged to be made again against the successor (registry.read.conformity.
    # reassessments), with how many there are in all; the graph holds no assessment,
    # so the caller that has the read model fills these in.
    assessments: list[dict[str, Any]] = field(default_factory=list)
    assessments_total: int = 0
    assessments_offset: int = 0
    assessments_limit: int | None = None

    def counts(self) -> dict[str, int]:
        return dict(self.kinds)

    def next_offset(self) -> int | None:
        end = self.offset + len(self.affected)
        return end if end < self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "change": self.change,
            "successor": self.successor,
            "counts": self.counts(),
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "next_offset": self.next_offset(),
            "affected": [a.as_dict() for a in self.affected],
            "follows": [a.as_dict() for a in self.follows],
            "assessments": list(self.assessments),
            # The envelope of every list, its items under `assessments` above.
            "assessments_page": {
                "total": self.assessments_total,
                "limit": self.assessments_limit,
                "offset": self.assessments_offset,
            },
        }


def _link_name(data: dict[str, Any]) -> str:
    if data["kind"] == "references":
        return f"references:{data['reference']}"
    return data["kind"]


def check_page(offset: int, limit: int | None) -> None:
    if offset < 0:
        raise InputError(
            Text(zh="偏移量不能为负", en="offset must be 0 or more"), {"offset": offset}
        )
    if limit is not None and limit < 1:
        raise InputError(Text(zh="条数至少为 1", en="limit must be 1 or more"), {"limit": limit})


def impact_of(
    graph: nx.MultiDiGraph,
    root: str,
    change: Change | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Impact:
    """Which standards, resources and interfaces are affected if `root` is superseded or
    abolished, each with the shortest path that links it and the successor to move to.
    Without a `change`, the root's own status decides: abolished for an abolished
    standard with no successor (asked as "superseded", one answered "nothing affected"
    and sent its undated citers to a successor that does not exist), superseded
    otherwise (an abolished edition that had a successor moves its dependents there).

    - Directly affected: standards citing `root` by date, and resources and interfaces
      conforming to it (conformance names one edition). An undated citer of a superseded
      edition moves to the successor by itself: it is listed under `follows`, not
      affected; when `root` is abolished there is nothing to move to and it is affected.
    - Indirectly affected: whatever depends, through any reference, conformance or
      service, on an affected entry. Its `successor` is the current edition of the entry
      next on its path when that one is itself superseded, else none.

    `total` and the counts cover every affected entry; `affected` holds the page
    `offset`, `limit` (all when `limit` is None). Paths and names are built for that page
    only: on a hub of a large registry the walk is cheap, listing 65,000 paths is not.
    """
    require_node(graph, root)
    nodes = graph.nodes
    index = index_of(graph)
    successors = index.successors
    if change is None:
        abolished = nodes[root].get("status") == "abolished"
        ends = abolished and current_edition(root, successors, nodes, superseded=True) == root
        change = "abolished" if ends else "superseded"
    if change not in CHANGES:
        raise InputError(
            Text(
                zh=f"变更类型须为 {'、'.join(CHANGES)} 之一",
                en=f"change must be one of {', '.join(CHANGES)}",
            ),
            {"change": change},
        )
    check_page(offset, limit)
    successor = None
    if change == "superseded":
        end = current_edition(root, successors, nodes, superseded=True)
        successor = end if end != root else None
    result = Impact(summary(graph, root), change, successor, offset=offset, limit=limit)

    # Breadth first over the integer index (registry.graphs.adjacency): neighbours in IRI
    # order, so each affected node's path runs through the first node found on a
    # shortest path towards root. Undated citers of a superseded root are left out of
    # the first step: they follow the successor by themselves.
    ids = index.ids
    start = index.position[root]
    first: list[int] = []
    follows: dict[int, dict[str, Any]] = {}
    for u, data in index.needed_by[start]:
        if u == start:
            continue
        if change == "superseded" and data.get("reference") == "undated":
            follows.setdefault(u, data)
        else:
            first.append(u)
    if successor is not None:  # undated references already resolved past root follow too
        for u, _, data in graph.in_edges(successor, data=True):
            if data.get("cited") == root:
                follows.setdefault(index.position[u], data)
    reach = index.reach(start, False, first=first)
    follows = {u: data for u, data in follows.items() if reach.distance[u] < 0}

    order, result.kinds = index.impact_order(reach)  # (path length, kind, IRI)
    result.total = len(order)
    page = order[offset:] if limit is None else order[offset : offset + limit]
    for u in page:
        path = reach.path(u)
        links = [_link_name(index.edge(a, b)) for a, b in pairwise(path)]
        names = [ids[n] for n in path]
        direct = len(path) == 2
        if direct:
            moved_to = successor
        else:
            via = names[1]
            end = current_edition(via, successors, nodes)
            moved_to = end if nodes[via].get("status") in STALE_STATUSES and end != via else None
        node = ids[u]
        result.affected.append(
            Affected(
                node, nodes[node]["kind"], display_name(graph, node), names, links, direct, moved_to
            )
        )
    for i, data in sorted(follows.items()):
        node = ids[i]
        result.follows.append(
            Affected(
                node,
                nodes[node]["kind"],
                display_name(graph, node),
                [node, root],
                [_link_name(data)],
                True,
                successor,
            )
        )
    return result


# -- cycles, paths, chains ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceGroup:
    """Standards that cite each other around: from any of them, references lead to every
    other one and back (a strongly connected component of the references; a single
    standard when it cites itself)."""

    members: list[str]  # in IRI order
    cycle: list[str]  # a shortest cycle through the first member, starting there

    def as_dict(self) -> dict[str, Any]:
        return {"size": len(self.members), "members": self.members, "cycle": self.cycle}


def reference_groups(graph: nx.MultiDiGraph) -> list[ReferenceGroup]:
    """Every group of standards whose references go around (undated references as
    resolved), each with one shortest cycle, in the order of those cycles (shortest
    first, then by IRIs).

    Groups, not every cycle: the number of simple cycles grows exponentially with a
    group's references. At 50,000 resources 5,016 standards formed one group, and the
    first 1,000 cycles networkx enumerated held 1.6 million IRIs (83 MB of JSON), the
    longest 1,649 standards; enumerating only the cycles of three standards or fewer
    took 148 s. The groups take one linear pass, and a cycle one breadth-first walk."""
    refs = nx.DiGraph()
    refs.add_edges_from((u, v) for u, v, k in graph.edges(keys=True) if k.startswith("references"))
    groups = []
    for component in nx.strongly_connected_components(refs):
        first = min(component)
        if len(component) == 1 and not refs.has_edge(first, first):
            continue  # a standard on no cycle
        groups.append(ReferenceGroup(sorted(component), _shortest_cycle(refs, first)))
    return sorted(groups, key=lambda g: (len(g.cycle), g.cycle))


def _shortest_cycle(refs: nx.DiGraph, start: str) -> list[str]:
    """A shortest cycle through `start` (which is on one): breadth first from it,
    successors in IRI order, until a reference back to it."""
    came_from: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(refs.successors(node)):
                if target == start:
                    path = [node]
                    while (before := came_from[path[-1]]) is not None:
                        path.append(before)
                    return path[::-1]
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    raise ValueError(f"{start} is on no cycle")


def reference_cycles(graph: nx.MultiDiGraph) -> list[list[str]]:
    """One shortest cycle of references (A cites B cites ... cites A) of each group of
    standards that cite each other around (`reference_groups`), each starting at its
    smallest IRI, shortest first."""
    return [group.cycle for group in reference_groups(graph)]


def shortest_path(graph: nx.MultiDiGraph, source: str, target: str) -> dict[str, Any] | None:
    """The shortest path between two entries: along dependencies if `source` needs
    `target` (relation "needs") or the reverse ("needed-by"), else along any link in
    either direction ("related"); None when they are not connected."""
    require_node(graph, source)
    require_node(graph, target)
    deps = nx.subgraph_view(
        graph, filter_edge=lambda u, v, k: graph[u][v][k]["kind"] in DEPENDENCY_KINDS
    )
    for relation, a, b in (("needs", source, target), ("needed-by", target, source)):
        try:
            path = nx.shortest_path(deps, a, b)
        except nx.NetworkXNoPath:
            continue
        if relation == "needed-by":
            path.reverse()
        return {"relation": relation, "path": path, "links": _links_along(graph, path)}
    try:
        path = nx.shortest_path(graph.to_undirected(as_view=True), source, target)
    except nx.NetworkXNoPath:
        return None
    return {"relation": "related", "path": path, "links": _links_along(graph, path)}


def _links_along(graph: nx.MultiDiGraph, path: list[str]) -> list[str]:
    links = []
    for a, b in pairwise(path):
        forward = graph.get_edge_data(a, b) or {}
        backward = graph.get_edge_data(b, a) or {}
        data = next(iter(forward.values()), None)
        if data is not None:
            links.append(_link_name(data))
        else:
            links.append("^" + _link_name(next(iter(backward.values()))))
    return links


def replacement_chain(graph: nx.MultiDiGraph, node: str) -> list[dict[str, Any]]:
    """Every edition of `node`'s line, oldest first (GB/T 33356-2016, then -2022)."""
    require_node(graph, node)
    line = {node}
    queue = deque([node])
    while queue:
        current = queue.popleft()
        for u, v, k in [*graph.in_edges(current, keys=True), *graph.out_edges(current, keys=True)]:
            other = u if v == current else v
            if k == "replaces" and other not in line:
                line.add(other)
                queue.append(other)
    edges = nx.DiGraph()
    edges.add_nodes_from(line)
    edges.add_edges_from(
        (old, new) for new, old, k in graph.edges(line, keys=True) if k == "replaces"
    )
    try:
        order = list(nx.lexicographical_topological_sort(edges))
    except nx.NetworkXUnfeasible:  # a replacement cycle in the data: fall back on dates
        order = sorted(line, key=lambda n: (graph.nodes[n].get("issued") or "", n))
    return [summary(graph, n) for n in order]


__all__ = [
    "CHANGES",
    "DIRECTIONS",
    "Affected",
    "Impact",
    "ReferenceGroup",
    "dependencies",
    "dependents",
    "display_name",
    "flagged_edges",
    "impact_of",
    "list_page",
    "neighbourhood",
    "reference_cycles",
    "reference_groups",
    "replacement_chain",
    "shortest_path",
    "summary",
    "walk",
]
