"""An in-memory copy of the public default graphs, for a query worker.

Why: on a large embedded store two thirds of a heavy query's time is RocksDB
(seeks and block reads; pyoxigraph fixes its block cache at 32 MB), and the same
graphs in an in-memory Oxigraph store answer the same queries about 3x faster
(docs/benchmarks.md). It costs memory (about 1.8 GB per worker for the
50,000-resource registry) and a build (about a minute of one core), so it is a
setting, `sparql_memory_copy`, off by default.

What the copy holds: the three public default graphs and nothing else, so a query
that can reach a named graph (its text names GRAPH, NAMED or holds a \\u escape)
never runs on it: it goes to the store, as without a copy.

How it keeps up: one thread of the worker does all the copying, so the worker's
loop never waits for it. A write reaches the worker as a new generation and the
subjects that write touched (`Store.changes_since`); the thread replaces those
subjects' triples with the store's, or builds the copy again when the touched
subjects are unknown (an ontology write, a loaded dump), are not IRIs, or bring
blank nodes (a built copy names them afresh, so a patched one could not match
them). Until the copy holds the generation the worker is at, queries go to the
store: a query never sees a copy older or newer than the store it was sent to.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable

import pyoxigraph as ox

# More touched subjects than this: building afresh is quicker. Measured on the
# 50,000-resource registry (docs/benchmarks.md): a patch costs ~0.75 ms a subject
# (20,000 in 15 s), a build of its 5.2 M triples 63-70 s, i.e. ~85,000 subjects.
REBUILD_ABOVE = 50_000


class MemoryCopy:
    """The public default graphs of one store, in memory, following its generations."""

    def __init__(self, graphs: Iterable[str]) -> None:
        self._graphs = [ox.NamedNode(graph) for graph in graphs]
        self._lock = threading.Condition()
        self._copy: ox.Store | None = None
        self._holds: int | None = None  # the generation `_copy` holds, when usable
        self._source: ox.Store | None = None  # the store to copy from, at `_wanted`
        self._wanted: int | None = None
        self._pending: set[str] = set()
        self._rebuild = True
        self._closed = False
        self.failure: str | None = None  # why the copy was given up, if it was
        self._thread = threading.Thread(target=self._run, name="screg-memory-copy", daemon=True)
        self._thread.start()

    def follow(self, source: ox.Store, generation: int, changes: frozenset[str] | None) -> None:
        """The worker now reads `source` at `generation`; `changes` are the subjects
        touched since the generation of the previous call (None: unknown)."""
        with self._lock:
            self._source = source
            self._wanted = generation
            if changes is None:
                self._rebuild = True
                self._pending.clear()
            elif not self._rebuild:
                self._pending |= changes
            self._lock.notify_all()

    def store_for(self, generation: int) -> ox.Store | None:
        """The copy if it holds exactly `generation`, else None (use the store)."""
        with self._lock:
            return self._copy if self._holds == generation else None

    def wait(self, generation: int, timeout: float) -> bool:
        """Wait until the copy holds `generation` (tests, diagnostics)."""
        with self._lock:
            return (
                self._lock.wait_for(
                    lambda: self._holds == generation or self.failure is not None, timeout
                )
                and self._holds == generation
            )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._copy = None
            self._holds = None
            self._lock.notify_all()

    # -- the copying thread ------------------------------------------------------------

    def _has_work(self) -> bool:
        return self._closed or (
            self._wanted is not None
            and (self._rebuild or bool(self._pending) or self._holds != self._wanted)
        )

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(self._has_work)
                if self._closed:
                    return
                source, generation = self._source, self._wanted
                rebuild, pending = self._rebuild, self._pending
                self._rebuild, self._pending = False, set()
                copy, self._holds = self._copy, None
                if rebuild:
                    self._copy = copy = None  # the old copy's memory goes before the build
            assert source is not None
            try:
                if (
                    copy is None
                    or len(pending) > REBUILD_ABOVE
                    or not _patch(copy, source, self._graphs, pending)
                ):
                    copy = None
                    with self._lock:
                        self._copy = None
                    copy = _build(source, self._graphs)
            except (OSError, RuntimeError, ValueError) as exc:
                # A read-only store can lose a file to the writer's compaction; the
                # next generation's source is a fresh open, so build again then.
                print(f"screg memory copy: {exc}; queries use the store", file=sys.stderr)
                self._give_up_until_reopened(source, str(exc))
                continue
            with self._lock:
                if self._closed:  # dropped while this was being built: let it go
                    return
                self._copy = copy
                if self._wanted == generation and not self._rebuild and not self._pending:
                    self._holds = generation
                    self._lock.notify_all()

    def _give_up_until_reopened(self, source: ox.Store, reason: str) -> None:
        with self._lock:
            self._copy = None
            self._rebuild = True
            self.failure = reason
            self._lock.notify_all()
            self._lock.wait_for(lambda: self._closed or self._source is not source)
            self.failure = None


def _build(source: ox.Store, graphs: list[ox.NamedNode]) -> ox.Store:
    copy = ox.Store()
    for graph in graphs:
        # N-Triples out and bulk-loaded back: ~15 us a triple, both steps without the
        # GIL, where iterating quads through Python costs ~20 us a quad with it.
        data = source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        if data:
            copy.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        del data
    return copy


def _patch(
    copy: ox.Store, source: ox.Store, graphs: list[ox.NamedNode], subjects: set[str]
) -> bool:
    """Give each subject in `copy` the triples it has in `source`; False when the copy
    must be built instead (a subject that is not an IRI, a blank node)."""
    for subject in subjects:
        try:
            node = ox.NamedNode(subject)
        except ValueError:
            return False
        for graph in graphs:
            fresh = list(source.quads_for_pattern(node, None, None, graph))
            if any(isinstance(quad.object, ox.BlankNode) for quad in fresh):
                return False
            for quad in list(copy.quads_for_pattern(node, None, None, graph)):
                copy.remove(quad)
            copy.extend(fresh)
    return True
