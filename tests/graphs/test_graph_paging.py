"""Impact and dependents at registry scale: the walk over the integer index gives the same
answers as a plain networkx walk, and long answers come in pages that lose nothing."""

from __future__ import annotations

import io
import random
from collections import deque
from typing import Any

import networkx as nx
import pytest

from registry.errors import InputError
from registry.graphs import dependencies, dependents, graph_from_model, impact_of, walk
from registry.graphs.build import DEPENDENCY_KINDS, STALE_STATUSES, current_edition
from registry.namespaces import GRAPH_ONTOLOGY
from registry.read.model import ReadModel
from registry.store import WriteBatch, open_store
from registry.validation.validator import Validator
from synthetic.generate import write_registry


@pytest.fixture(scope="module")
def generated() -> nx.MultiDiGraph:
    """A generated registry of 400 standards (about 3 references each) and 600 resources:
    enough for hubs whose dependents are most of the graph."""
    out = io.StringIO()
    write_registry(out, "nq", n_standards=400, n_resources=600, seed=3, invalid_ratio=0)
    store = open_store("memory")
    store.load_dump(out.getvalue().encode(), "nquads")
    store.write(WriteBatch().replace_graph(GRAPH_ONTOLOGY, Validator().vocabulary.graph))
    with ReadModel(":memory:") as model:
        model.rebuild(store)
        graph = graph_from_model(model)
    assert any(data["kind"] == "references" for _, _, data in graph.edges(data=True))
    return graph


def reference_impact(graph: nx.MultiDiGraph, root: str, change: str) -> dict[str, Any]:
    """The impact walk written plainly over networkx, as the registry did before the index:
    neighbours in IRI order, the first edge between a pair, paths to root."""

    def needed_by(node: str) -> list[tuple[str, dict[str, Any]]]:
        edges = [(u, d) for u, _, d in graph.in_edges(node, data=True)]
        return sorted(
            [(u, d) for u, d in edges if d["kind"] in DEPENDENCY_KINDS], key=lambda e: e[0]
        )

    successors: dict[str, list[str]] = {}
    for new, old, key in graph.edges(keys=True):
        if key == "replaces":
            successors.setdefault(old, []).append(new)
    for news in successors.values():
        news.sort()
    nodes = graph.nodes
    successor = None
    if change == "superseded":
        end = current_edition(root, successors, nodes)
        successor = end if end != root else None
    parent: dict[str, tuple[str, dict[str, Any]]] = {}
    follows: dict[str, dict[str, Any]] = {}
    queue: deque[str] = deque()
    for u, data in needed_by(root):
        if u == root:
            continue
        if change == "superseded" and data.get("reference") == "undated":
            follows.setdefault(u, data)
        elif u not in parent:
            parent[u] = (root, data)
            queue.append(u)
    if successor is not None:
        for u, _, data in graph.in_edges(successor, data=True):
            if data.get("cited") == root:
                follows.setdefault(u, data)
    while queue:
        node = queue.popleft()
        for u, data in needed_by(node):
            if u != root and u not in parent:
                parent[u] = (node, data)
                queue.append(u)
    affected = []
    for node in parent:
        path, links = [node], []
        while path[-1] != root:
            nxt, data = parent[path[-1]]
            links.append(
                f"references:{data['reference']}" if data["kind"] == "references" else data["kind"]
            )
            path.append(nxt)
        if len(path) == 2:
            moved = successor
        else:
            end = current_edition(path[1], successors, nodes)
            stale = nodes[path[1]].get("status") in STALE_STATUSES
            moved = end if stale and end != path[1] else None
        affected.append((len(path), nodes[node]["kind"], node, path, links, moved))
    affected.sort(key=lambda a: a[:3])
    return {
        "successor": successor,
        "affected": [(a[2], a[3], a[4], a[5]) for a in affected],
        "follows": sorted(u for u in follows if u not in parent),
    }


def standards(graph: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "standard")


_hubs: dict[int, str] = {}


def hub(graph: nx.MultiDiGraph) -> str:
    """The standard with the most dependents."""
    if id(graph) not in _hubs:
        _hubs[id(graph)] = max(standards(graph), key=lambda n: (len(walk(graph, n, False)), n))
    return _hubs[id(graph)]


@pytest.mark.parametrize("change", ["superseded", "abolished"])
def test_impact_matches_the_plain_networkx_walk_on_a_generated_registry(
    generated: nx.MultiDiGraph, change: str
) -> None:
    roots = [*random.Random(5).sample(standards(generated), 40), hub(generated)]
    reached_many = False
    for root in roots:
        expected = reference_impact(generated, root, change)
        got = impact_of(generated, root, change)  # type: ignore[arg-type]
        assert got.successor == expected["successor"], root
        assert [(a.iri, a.path, a.links, a.successor) for a in got.affected] == expected[
            "affected"
        ], root
        assert [a.iri for a in got.follows] == expected["follows"], root
        assert got.total == len(expected["affected"])
        reached_many |= got.total > 100
    assert reached_many  # the sample includes a walk over much of the graph


def test_impact_pages_add_up_to_the_whole_answer(generated: nx.MultiDiGraph) -> None:
    root = hub(generated)
    whole = impact_of(generated, root, "abolished")
    assert whole.total > 100 and whole.next_offset() is None
    pages, offset = [], 0
    while True:
        page = impact_of(generated, root, "abolished", offset=offset, limit=37)
        assert page.total == whole.total and page.counts() == whole.counts()
        assert len(page.affected) <= 37
        pages.extend(page.affected)
        if page.next_offset() is None:
            break
        offset = page.next_offset()
    assert [a.as_dict() for a in pages] == [a.as_dict() for a in whole.affected]
    assert sum(whole.counts().values()) == whole.total


def test_dependents_pages_add_up_and_keep_their_edges(generated: nx.MultiDiGraph) -> None:
    root = hub(generated)
    whole = dependents(generated, root)
    first = dependents(generated, root, limit=10)
    second = dependents(generated, root, offset=10, limit=10)
    assert first["total"] == second["total"] == whole["total"] == len(whole["entries"])
    assert first["entries"] + second["entries"] == whole["entries"][:20]
    assert first["next_offset"] == 10 and whole["next_offset"] is None
    shown = {root} | {e["iri"] for e in first["entries"]}
    assert first["edges"] and all(
        e["source"] in shown and e["target"] in shown for e in first["edges"]
    )
    assert {(e["source"], e["target"]) for e in first["edges"]} <= {
        (e["source"], e["target"]) for e in whole["edges"]
    }


def test_dependencies_to_a_depth_are_the_nearest_of_all(generated: nx.MultiDiGraph) -> None:
    root = max(standards(generated), key=lambda n: (len(walk(generated, n, True)), n))
    everything = dependencies(generated, root)["entries"]
    near = dependencies(generated, root, depth=1)["entries"]
    assert near == [e for e in everything if e["distance"] <= 1]
    assert len(near) < len(everything)


@pytest.mark.parametrize(
    ("offset", "limit"), [(-1, None), (0, 0), (0, -5)], ids=["offset", "zero", "negative"]
)
def test_bad_page_is_an_input_error(generated: nx.MultiDiGraph, offset: int, limit) -> None:
    root = hub(generated)
    with pytest.raises(InputError):
        impact_of(generated, root, "abolished", offset=offset, limit=limit)
    with pytest.raises(InputError):
        dependents(generated, root, offset=offset, limit=limit)


def test_offset_past_the_end_is_an_empty_page(generated: nx.MultiDiGraph) -> None:
    root = hub(generated)
    page = impact_of(generated, root, "abolished", offset=10**6, limit=5)
    assert page.affected == [] and page.total > 0 and page.next_offset() is None
