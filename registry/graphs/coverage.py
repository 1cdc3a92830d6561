"""Coverage and gaps of the standard system, over the category tree of the graph.

Counts follow the plan's two targets (settings `target_national`, `target_local`):
international, national and industry standards on one side; local and group
standards on the other. A standard counts towards a target while it is valid in the
register (register status `valid`: not submitted, deprecated, superseded, retired or
invalid) and current or forthcoming (published, not yet in force); superseded and
abolished editions and standards the registry only knows as a reference target do not.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from registry.graphs.build import STALE_STATUSES
from registry.graphs.queries import flagged_edges, summary
from registry.register.lifecycle import in_force

STATUSES = ("current", "forthcoming", "superseded", "abolished")
NATIONAL_LEVELS = ("international", "national", "industry")
LOCAL_LEVELS = ("local", "group")


def _code_key(code: str) -> tuple[int | str, ...]:
    # "1.10" after "1.9": compare the parts of a notation as numbers
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))


def plan_progress(levels: tuple[str, ...], count: int, target: int) -> dict[str, Any]:
    """Progress toward one of the plan's targets: `count` standards in force of `levels`
    against `target`."""
    return {
        "levels": list(levels),
        "count": count,
        "target": target,
        "ratio": round(count / target, 4) if target else None,
        "missing": max(target - count, 0),
    }


def coverage_report(
    graph: nx.MultiDiGraph, target_national: int, target_local: int
) -> dict[str, Any]:
    """Standards per category and status (directly and with sub-categories), categories
    without a current standard, resources without an interface, resources and interfaces
    that cite no standard or only superseded/abolished ones, and progress against the
    plan's targets."""
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
    for cat in sorted(categories, key=lambda c: _code_key(nodes[c].get("code", c))):
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
