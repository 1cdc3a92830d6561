"""The public SPARQL endpoint, independent of any web framework.

`PublicSparql.query(text, accept)` pre-checks the query (registry/sparql/guard.py
`precheck`: length, nesting, form), picks the result format, and hands the query to
the store's *runner*: how queries on that kind of store are judged by the guard and
run with their limits. The runner is chosen in one mapping, `RUNNERS`:

- the embedded Oxigraph store (disk or memory) runs them in a pool of worker
  processes that can be killed (registry/sparql/pool.py); the guard decides in the
  worker, on the text the engine runs there, under the worker's OS limits;
- a remote SPARQL server runs them itself, with its own server-side timeout
  (`ServerRunner`, registry/sparql/remote.py), after the guard's decision in this
  process.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass
from typing import Any, Protocol

from registry.bilingual import Text
from registry.config import Settings
from registry.namespaces import PREFIXES
from registry.sparql.dataset import HIDDEN_GRAPHS, PUBLIC_DEFAULT_GRAPHS, unpublished_versions
from registry.sparql.errors import QueryBusyError
from registry.sparql.formats import ResultFormat, choose_format
from registry.sparql.guard import (
    GUARD_RECURSION_LIMIT,
    CheckedQuery,
    GuardLimits,
    confirm_form,
    decide,
    precheck,
)
from registry.sparql.pool import QueryAnswer, WorkerLimits, WorkerPool
from registry.sparql.remote import query_timeout, run_public_query
from registry.store import OxigraphStore, RemoteStore, Store, StoreError

WORKERS_PER_POOL = 2
# How long a public query the client was already answered for is still counted as
# running on a remote server (ServerRunner): past it the request is dropped, and the
# slot is free even if the server works on.
SERVER_HOLD_SECONDS = 600.0


@dataclass(frozen=True)
class SparqlResult:
    body: bytes
    media_type: str
    truncated: bool
    max_rows: int
    seconds: float
    engine: str = "store"
    # The query calls NOW(), RAND(), UUID() or STRUUID(): the same query over the same
    # store answers otherwise next time.
    volatile: bool = False


class QueryRunner(Protocol):
    def run(self, query: CheckedQuery, fmt: ResultFormat, max_rows: int) -> QueryAnswer: ...

    def warm_up(self) -> None: ...

    def busy(self) -> int: ...

    def close(self) -> None: ...


def worker_source(store: OxigraphStore, generation: int) -> dict[str, Any]:
    """What a query worker loads to answer over `store` at `generation`
    (registry/sparql/worker.py): the folder of an on-disk store, or a dump of a memory
    store, with the public dataset."""
    common = {
        "generation": generation,
        "default_graphs": list(PUBLIC_DEFAULT_GRAPHS),
        "hidden_graphs": sorted(HIDDEN_GRAPHS | unpublished_versions(store)),
        "prefixes": {name: str(ns) for name, ns in PREFIXES.items()},
    }
    if store.path is not None:
        return {"kind": "disk", "path": str(store.path), **common}
    # Memory stores are small (tests, demos): a copy per generation is cheap.
    return {"kind": "memory", "dump": store.dump("nquads"), **common}


class PoolRunner:
    """Queries on the embedded store, in killable worker processes."""

    def __init__(self, store: OxigraphStore, settings: Settings) -> None:
        self._store = store
        self._timeout = settings.sparql_timeout_seconds
        copies = settings.sparql_memory_copy and store.path is not None
        limits = WorkerLimits(
            memory_mb=settings.sparql_worker_memory_mb,
            cpu_seconds=settings.sparql_worker_cpu_seconds,
            max_result_bytes=settings.sparql_max_result_bytes,
        )
        self._pool = WorkerPool(
            self._source,
            size=WORKERS_PER_POOL,
            changes=store.changes_since if copies else None,
            limits=limits,
        )

    def _source(self, generation: int) -> dict[str, Any]:
        return worker_source(self._store, generation)

    def run(self, query: CheckedQuery, fmt: ResultFormat, max_rows: int) -> QueryAnswer:
        return self._pool.run(
            query.text, query.form, fmt.name, max_rows, self._timeout, self._store.generation()
        )

    def warm_up(self) -> None:
        self._pool.warm_up(self._store.generation())

    def busy(self) -> int:
        return self._pool.busy()

    def close(self) -> None:
        self._pool.close()


class ServerRunner:
    """A remote SPARQL server runs the public queries itself, with its own server-side
    timeout.

    A query counts as running until the server answers it, not until the client is
    answered: Oxigraph server's time limit does not stop every query (its evaluator
    checks it in some paths only; an anonymous cross-product COUNT ran on for minutes
    after the client had its 503), and a client's slot freed when the API gave up
    let one address stack a new such query every few seconds. So at most
    WORKERS_PER_POOL public queries of this process are on the server at any time,
    as at most that many workers run them on the embedded store; past that a query
    waits up to its time limit for one to end, then is 503 query_busy. The client is
    answered at the time limit (503 query_timeout); the request to the server goes on
    in a thread that holds the slot until the server answers, or SERVER_HOLD_SECONDS."""

    def __init__(self, store: RemoteStore, settings: Settings) -> None:
        self._store = store
        self._timeout = settings.sparql_timeout_seconds
        self._running = threading.BoundedSemaphore(WORKERS_PER_POOL)
        self._threads = ThreadPoolExecutor(WORKERS_PER_POOL, thread_name_prefix="sparql-server")
        self._count_lock = threading.Lock()
        self._on_server = 0
        # rdflib's parser recurses ~15 Python frames per nesting level: at Python's
        # default limit (1,000) a query nested 30 deep, which the pre-check allows,
        # could not be checked. Python frames do not use the C stack (3.11+); the
        # query workers use the same limit (registry/sparql/worker.py).
        sys.setrecursionlimit(max(sys.getrecursionlimit(), GUARD_RECURSION_LIMIT))

    def run(self, query: CheckedQuery, fmt: ResultFormat, max_rows: int) -> QueryAnswer:
        # No worker of ours runs it: the guard decides here, on the text sent. The
        # server lets a graph named in the text past its dataset (registry/sparql/
        # dataset.py), so a text naming an unpublished version's graph is refused.
        unpublished = unpublished_versions(self._store)
        verdict = decide(query.text, unpublished)
        confirm_form(query.form, verdict)
        started = time.monotonic()
        if not self._running.acquire(timeout=self._timeout):
            raise _server_busy()
        left = self._timeout - (time.monotonic() - started)
        if left <= 0:  # the wait took the query's whole time: the server is not asked
            self._running.release()
            raise _server_busy()
        dataset = {
            "default_graphs": list(PUBLIC_DEFAULT_GRAPHS),
            "hidden_graphs": sorted(HIDDEN_GRAPHS | unpublished),
        }
        try:
            running = self._threads.submit(self._held, query, fmt.name, max_rows, dataset)
        except BaseException:
            self._running.release()
            raise
        try:
            body, truncated, seconds = running.result(timeout=left)
        except FutureTimeoutError:
            raise query_timeout(self._timeout) from None
        return QueryAnswer(
            body=body, truncated=truncated, seconds=seconds, volatile=verdict.volatile
        )

    def _held(
        self, query: CheckedQuery, fmt: str, max_rows: int, dataset: dict[str, Any]
    ) -> tuple[bytes, bool, float]:
        with self._count_lock:
            self._on_server += 1
        try:
            return run_public_query(
                self._store,
                query.text,
                query.form,
                fmt,
                max_rows,
                self._timeout,
                dataset,
                wait=SERVER_HOLD_SECONDS,
            )
        finally:
            with self._count_lock:
                self._on_server -= 1
            self._running.release()

    def warm_up(self) -> None:
        return None

    def busy(self) -> int:
        """Queries of this process the server is still running (the client may have
        had its answer)."""
        with self._count_lock:
            return self._on_server

    def close(self) -> None:
        # A request still on the server is not waited for: its thread ends with it.
        self._threads.shutdown(wait=False)


def _server_busy() -> QueryBusyError:
    return QueryBusyError(
        Text(
            zh="本进程的查询仍在服务器上运行，请稍后再试",
            en="queries of this process are still running on the server; try again later",
        ),
        details={"running": WORKERS_PER_POOL},
    )


# The one mapping from a kind of store to the way its public queries are run.
RUNNERS: dict[type[Store], Callable[[Any, Settings], QueryRunner]] = {
    OxigraphStore: PoolRunner,
    RemoteStore: ServerRunner,
}


def runner_for(store: Store, settings: Settings) -> QueryRunner:
    for kind in type(store).__mro__:
        factory = RUNNERS.get(kind)
        if factory is not None:
            return factory(store, settings)
    raise StoreError(
        Text(
            zh=f"公开 SPARQL 端点不能在 {type(store).__name__} 存储上运行查询",
            en=(f"the public SPARQL endpoint cannot run queries on a {type(store).__name__} store"),
        ),
        details={"store": store.location},
    )


class PublicSparql:
    """The guarded, read-only, time-limited public SPARQL endpoint over one store."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.settings = settings
        self.limits = GuardLimits(settings.sparql_max_query_length, settings.sparql_max_depth)
        self._runner = runner_for(store, settings)

    def check(self, text: str) -> CheckedQuery:
        """The pre-check; the runner has the guard decide before anything runs."""
        return precheck(text, self.limits)

    def query(self, text: str, accept: str | None) -> SparqlResult:
        """Guard, negotiate and run; raises RegistryError subclasses (400, 406, 503, ...).

        Blocking (up to the timeout): call it from a worker thread, not an event loop."""
        checked = self.check(text)
        fmt = choose_format(checked.form, accept)
        max_rows = self.settings.sparql_max_rows
        answer = self._runner.run(checked, fmt, max_rows)
        return SparqlResult(
            body=answer.body,
            media_type=fmt.media_type,
            truncated=answer.truncated,
            max_rows=max_rows,
            seconds=answer.seconds,
            engine=answer.engine,
            volatile=answer.volatile,
        )

    def warm_up(self) -> None:
        self._runner.warm_up()

    def busy(self) -> int:
        """Queries running now (diagnostics, tests)."""
        return self._runner.busy()

    def close(self) -> None:
        self._runner.close()
