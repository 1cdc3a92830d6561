"""An rdflib graph as the bytes of an RDF format, the same bytes in every process.

rdflib's JSON-LD writer orders nodes and values by sets of terms, whose order follows
the per-process hash seed: three API processes over one store gave three different
bodies for one entity (the graphs isomorphic), which byte-comparing harvesters and
shared caches behind a balancer take for three versions. Turtle, N-Triples and
RDF/XML come out the same already.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph

_ORDERED_KEYS = frozenset({"@list", "@context"})  # order means something there


def serialized(graph: Graph, rdflib_format: str) -> bytes:
    """`graph` in `rdflib_format`; JSON-LD with its nodes sorted by @id and every
    unordered array by its items' text."""
    data = graph.serialize(format=rdflib_format, encoding="utf-8")
    if rdflib_format != "json-ld":
        return data
    stable = _sorted(json.loads(data))
    return json.dumps(stable, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _sorted(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _sorted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        if key in _ORDERED_KEYS:
            return items
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value
