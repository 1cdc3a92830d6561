"""Groups of standards whose references go around (registry.graphs.reference_groups),
checked against every simple cycle networkx enumerates on small random graphs."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from registry.graphs import reference_cycles, reference_groups


def references_graph(edges: list[tuple[str, str]]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for u, v in edges:
        graph.add_edge(u, v, key="references:dated", kind="references")
    return graph


def test_a_group_holds_every_standard_of_its_cycles_with_a_shortest_one() -> None:
    graph = references_graph(
        [("a", "b"), ("b", "c"), ("c", "a"), ("b", "a"), ("s", "s"), ("x", "a"), ("p", "q")]
    )
    graph.add_edge("a", "d", key="conformsTo", kind="conformsTo")  # not a reference
    graph.add_edge("d", "a", key="conformsTo", kind="conformsTo")
    groups = reference_groups(graph)
    assert [(g.members, g.cycle) for g in groups] == [(["s"], ["s"]), (["a", "b", "c"], ["a", "b"])]
    assert reference_cycles(graph) == [["s"], ["a", "b"]]
    assert groups[1].as_dict() == {"size": 3, "members": ["a", "b", "c"], "cycle": ["a", "b"]}


@pytest.mark.parametrize("seed", range(40))
def test_groups_and_cycles_agree_with_every_simple_cycle(seed: int) -> None:
    chance = random.Random(seed)
    nodes = [f"n{i:02d}" for i in range(chance.randint(2, 12))]
    edges = [(u, v) for u in nodes for v in nodes if chance.random() < 0.15]
    graph = references_graph(edges)
    simple = nx.DiGraph(edges)
    every = list(nx.simple_cycles(simple))
    groups = reference_groups(graph)
    # every standard on a cycle is in exactly one group, and nothing else is
    on_cycles = {n for cycle in every for n in cycle}
    members = [n for g in groups for n in g.members]
    assert sorted(members) == sorted(on_cycles)
    for group in groups:
        first = group.members[0]
        assert group.members == sorted(group.members)
        through_first = [c for c in every if first in c]
        assert len(group.cycle) == min(len(c) for c in through_first)
        assert group.cycle[0] == first
        # the cycle is one: consecutive references, and back to its start
        steps = list(zip(group.cycle, group.cycle[1:] + group.cycle[:1], strict=True))
        assert all(simple.has_edge(u, v) for u, v in steps), group.cycle
        assert len(set(group.cycle)) == len(group.cycle)
        # a group's members are the standards that cite the first one round and back
        assert set(group.members) == {
            n for n in on_cycles if nx.has_path(simple, first, n) and nx.has_path(simple, n, first)
        }
    keys = [(len(g.cycle), g.cycle) for g in groups]
    assert keys == sorted(keys)
