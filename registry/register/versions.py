"""What one version of a register item changed: its statements against another
version's, as the N-Triples lines each adds and removes.

Every version's content is kept whole in its own graph (`version_iri`), so a
difference is computed when asked, never stored. The lines are those the content hash
is taken over (`canonical_ntriples`), so two versions with the same hash have no
difference, and the lines name every term unambiguously for a program; the pages
show the same lines as terms.

Two questions use it: what a version changed against the one before it (an item's
history) and what a version waiting for review would change against the current one
(registry.register.review).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib.term import Node

from registry.register.submission import (
    canonical_ntriples,
    item_state,
    read_version,
    version_iri,
)
from registry.store import Store

#: The lines shown each way; the counts are always whole.
DIFF_LINES = 200


@dataclass
class Difference:
    """The lines `version` adds and removes against `against` (None: against nothing,
    the item's first version), at most DIFF_LINES each way, and their whole counts."""

    version: int
    against: int | None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added_count: int = 0
    removed_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _lines(graph: Iterable[tuple[Node, Node, Node]]) -> set[str]:
    """A version's content as N-Triples lines."""
    return {line for line in canonical_ntriples(graph).decode().splitlines() if line}


def lines_of(store: Store, item: str, number: int) -> set[str]:
    """The content of version `number` of `item` as N-Triples lines (none for a version
    not there: the callers check first)."""
    return _lines(store.read_graph(version_iri(item, number)))


def _between(version: int, against: int | None, new: set[str], old: set[str]) -> Difference:
    added, removed = sorted(new - old), sorted(old - new)
    return Difference(
        version, against, added[:DIFF_LINES], removed[:DIFF_LINES], len(added), len(removed)
    )


def difference(store: Store, item: str, version: int, against: int | None) -> Difference:
    """What version `version` of `item` holds that `against` does not, and the reverse."""
    old = lines_of(store, item, against) if against is not None else set()
    return _between(version, against, lines_of(store, item, version), old)


def changes_of(store: Store, item: str, version: int) -> Difference:
    """What version `version` of `item` changed against the version before it (against
    nothing for the first). NotFoundError when the item has no such version."""
    # read_version refuses an item or version not there, and its graph is the content:
    # read once (an existence check read it a first time).
    new = _lines(read_version(store, item, version))
    against = version - 1 if version > 1 else None
    old = lines_of(store, item, against) if against is not None else set()
    return _between(version, against, new, old)


def against_current(store: Store, item: str, version: int) -> Difference:
    """What version `version` of `item` (one waiting for review) would change against
    the item's current version (against nothing when it has none yet)."""
    state = item_state(store, item)
    return difference(store, item, version, state.version if state is not None else None)
