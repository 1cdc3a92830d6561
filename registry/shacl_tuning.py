"""Two run-time adjustments of pyshacl 0.40.1, neither changing a result.

1. Constraint lookup. For every evaluation of every shape, pyshacl scans the
   shape's predicates with `p in ALL_CONSTRAINT_PARAMETERS`, a list of ~40 IRIs
   compared with rdflib's Python-level `__eq__`: profiled at 200 resources, 6.5M
   comparisons and ~45 % of validation time (docs/benchmarks.md). The list is
   replaced by one whose membership test is a set lookup; its order, and so the
   order in which constraints run, is unchanged.

2. Correct focus restriction. pyshacl's own `focus_nodes=` option filters the
   value nodes of nested shapes too and gets sh:node / sh:qualifiedValueShape /
   sh:not wrong (tests/test_validation.py). Here only the *targets* of top-level
   shapes are restricted: `Shape.focus_nodes` (called only for shapes that find
   their own targets) is intersected with the set given to `restricted_focus`.
   Nested shapes receive their value nodes as arguments and never pass through it.
   The set is per thread, so other validations in the process are unaffected.

`uninstall()` puts pyshacl back as it was (the benchmark times plain pyshacl).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pyshacl.shape as _shape_module
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from rdflib.term import Node


class _ParameterList(list):  # type: ignore[type-arg]
    """A list with set membership; `copy` and `append` keep both in step (pyshacl
    copies the list and appends SHACL-AF parameters in advanced mode)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _ParameterList:
        return _ParameterList(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._members.add(item)


_local = threading.local()
_original_focus_nodes = _shape_module.Shape.focus_nodes
_installed = False


def _restricted_focus_nodes(self: Any, data_graph: Any, debug: bool = False) -> Any:
    found = _original_focus_nodes(self, data_graph, debug=debug)
    allowed: frozenset[Node] | None = getattr(_local, "allowed", None)
    if allowed is None:
        return found
    return {node for node in found if node in allowed}


def install() -> None:
    """Idempotent; process-wide."""
    global _installed
    if _installed:
        return
    _shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        _ParameterList(ALL_CONSTRAINT_PARAMETERS),
        CONSTRAINT_PARAMETERS_MAP,
    )
    _shape_module.Shape.focus_nodes = _restricted_focus_nodes  # type: ignore[method-assign]
    _installed = True


def uninstall() -> None:
    global _installed
    _shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        ALL_CONSTRAINT_PARAMETERS,
        CONSTRAINT_PARAMETERS_MAP,
    )
    _shape_module.Shape.focus_nodes = _original_focus_nodes  # type: ignore[method-assign]
    _installed = False


def is_installed() -> bool:
    return _installed


@contextmanager
def restricted_focus(allowed: Iterable[Node] | None) -> Iterator[None]:
    """Within the block, top-level shapes of validations in this thread target only
    `allowed` (None: no restriction). Requires install()."""
    previous = getattr(_local, "allowed", None)
    _local.allowed = None if allowed is None else frozenset(allowed)
    try:
        yield
    finally:
        _local.allowed = previous
