"""Finished answers of the one-entry lookups, kept across the writes that cannot change
them.

`GET /api/v1/standards/{id}` and its siblings are what other systems call most. An
answer is built from the store once (`queries.entry`, ~5-10 ms on a large registry,
mostly RocksDB reads) and its bytes are kept by request path; api.answers serves them
to the next GET of the same path while the store generation is the one they were
kept at.

After a write the answer is not thrown away: the next lookup of the path checks it
against what the write touched (`Store.changes_since`), which costs a few index reads
instead of a build. It is carried over to the new generation when

- none of the IRIs it shows was touched: the entry itself (its triples, its register
  record, which names its current version and so its data items), its data items,
  everything it references, the referrers it lists, the code-list concepts it names;
- none of the touched subjects now points at the entry (a new referrer of a standard);
- the path's identifier still names the same entry;

and is built again otherwise, or when the store cannot say what changed (a remote
store, an ontology write, a loaded dump, more than 256 writes back).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from registry.errors import RegistryError
from registry.namespaces import GRAPH_CURRENT
from registry.read.queries import ReadCache, entry, find_entry
from registry.store import Store

# Up to this many touched subjects, what they point at is read once per write (a few
# reads a subject); past it, each answer carried reads its entry's referrers instead.
_READ_ALL_UP_TO = 5_000


@dataclass(frozen=True)
class Changes:
    subjects: frozenset[str]  # every subject the writes touched
    # The IRIs those subjects now point at, read once for all answers; None when
    # there are too many subjects, and each answer asks for its own referrers.
    pointed_at: frozenset[str] | None


@dataclass(frozen=True)
class KeptAnswer:
    generation: int  # the store generation the answer is known to hold for
    body: bytes
    iri: str  # the entry it answers
    shows: frozenset[str]  # every IRI in the answer


class AnswerCache:
    """Finished answers by key, least recently used first out once they pass
    `max_bytes` in total.

    The caller reads the generation *before* the data it answers from, so an answer
    built while a write lands is kept under the older generation and never served as
    the newer one's. `get` serves an answer only at its own generation; `earlier`
    hands one of an older generation to `entry_answer`, which decides whether it
    still holds."""

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, KeptAnswer] = OrderedDict()
        self._size = 0
        # (since, generation) -> the subjects touched in between (None: unknown).
        self._changes: dict[tuple[int, int], Changes | None] = {}

    def get(self, generation: int, key: Hashable) -> bytes | None:
        with self._lock:
            kept = self._answers.get(key)
            if kept is None or kept.generation != generation:
                return None
            self._answers.move_to_end(key)
            return kept.body

    def earlier(self, generation: int, key: Hashable) -> KeptAnswer | None:
        """The answer kept for `key` at a generation before `generation`, if any."""
        with self._lock:
            kept = self._answers.get(key)
            return kept if kept is not None and kept.generation < generation else None

    def put(
        self,
        generation: int,
        key: Hashable,
        body: bytes,
        iri: str = "",
        shows: frozenset[str] = frozenset(),
    ) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._answers.get(key)
            if old is not None and old.generation > generation:
                return  # a slower builder must not replace a newer answer
            if old is not None:
                del self._answers[key]
                self._size -= len(old.body)
            self._answers[key] = KeptAnswer(generation, body, iri, shows)
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._size -= len(dropped.body)

    def changes(self, store: Store, since: int, generation: int) -> Changes | None:
        """What the writes from `since` to `generation` touched, read once for every
        answer carried over them (a large write touches tens of thousands of subjects)."""
        with self._lock:
            if (since, generation) in self._changes:
                return self._changes[(since, generation)]
        subjects = store.changes_since(since)
        changed = None if subjects is None else Changes(subjects, _pointed_at(store, subjects))
        with self._lock:
            if len(self._changes) >= 64:
                self._changes.clear()
            self._changes[(since, generation)] = changed
        return changed

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def size(self) -> int:
        """Bytes of the answers held."""
        return self._size


def entry_answer(
    store: Store,
    answers: AnswerCache,
    cache: ReadCache,
    kind: str,
    ident: str,
    key: Hashable,
    encode: Callable[[dict[str, Any]], bytes],
) -> bytes:
    """The bytes of `queries.entry(store, kind, ident)` as `encode` writes them: kept,
    carried over from an earlier generation, or built and kept."""
    generation = store.generation()  # before the data: see AnswerCache
    body = answers.get(generation, key)
    if body is not None:
        return body
    kept = answers.earlier(generation, key)
    if kept is not None and _still_holds(store, answers, cache, kind, ident, kept, generation):
        answers.put(generation, key, kept.body, kept.iri, kept.shows)
        return kept.body
    record = entry(store, kind, ident, cache)
    body = encode(record)
    answers.put(generation, key, body, record["iri"], frozenset(_iris(record)))
    return body


def _still_holds(
    store: Store,
    answers: AnswerCache,
    cache: ReadCache,
    kind: str,
    ident: str,
    kept: KeptAnswer,
    generation: int,
) -> bool:
    changed = answers.changes(store, kept.generation, generation)
    if changed is None:
        return False
    if not changed.subjects:
        return True
    if not kept.shows.isdisjoint(changed.subjects):
        return False
    if changed.pointed_at is not None:
        if kept.iri in changed.pointed_at:
            return False
    elif any(
        str(s) in changed.subjects
        for s, _, _ in store.match(GRAPH_CURRENT, None, None, URIRef(kept.iri))
    ):
        return False
    try:
        return find_entry(store, kind, ident, cache) == kept.iri
    except RegistryError:  # not found, or now ambiguous: the build says which
        return False


def _pointed_at(store: Store, subjects: frozenset[str]) -> frozenset[str] | None:
    """The IRIs the current triples of `subjects` point at (a new referrer points at
    the entry it refers to), or None past `_READ_ALL_UP_TO` subjects."""
    if len(subjects) > _READ_ALL_UP_TO:
        return None
    return frozenset(str(o) for s in subjects for _, _, o in store.match(GRAPH_CURRENT, URIRef(s)))


def _iris(value: Any) -> Iterator[str]:
    """Every "iri" in a record, at any depth."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == "iri" and isinstance(item, str):
                yield item
            else:
                yield from _iris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _iris(item)
