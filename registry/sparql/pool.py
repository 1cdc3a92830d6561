"""Worker processes that run public queries and can be killed at their deadline.

A pool keeps up to `size` warm workers. A query takes an idle one (or starts
one), brings it to the store's current generation if it is behind (disk: reopen
read-only; memory: load a fresh dump), sends the query and waits at most the
timeout for the answer. The wait is a blocking `poll` meant to run in a thread
(the HTTP layer's thread pool), never on an event loop.

- Past the deadline the worker is killed (SIGKILL: pyoxigraph cannot be
  interrupted any other way), a replacement is started at once and loaded, so
  the next query finds a warm worker, and QueryTimeoutError (503) is raised.
- A worker that dies while running a query is replaced the same way. Its end
  says why: SIGABRT is an allocation refused under its address-space limit
  (Rust aborts the process; QueryMemoryLimitError, 400), SIGXCPU its CPU time
  (QueryCpuLimitError, 400); anything else (a segfault in the engine, the OOM
  killer) gives QueryEngineCrashedError (500).

Workers come from a forkserver that has preloaded registry.sparql.worker:
forking the (multi-threaded) API process itself is unsafe, and spawning a new
interpreter per worker costs ~150 ms where a forkserver fork costs ~15 ms.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from registry.bilingual import Text
from registry.errors import QueryRefusedError, QueryTimeoutError, RegistryError
from registry.runtime.processes import forkserver_context
from registry.sparql import worker as worker_module
from registry.sparql.errors import (
    InvalidQueryError,
    QueryBusyError,
    QueryCpuLimitError,
    QueryEngineCrashedError,
    QueryMemoryLimitError,
    QueryResultTooLargeError,
)

logger = logging.getLogger(__name__)

# A load (reopen, or a dump read into memory) is not the query's fault, so it has
# a budget of its own rather than eating into the query's timeout.
LOAD_TIMEOUT_SECONDS = 60.0

# A worker killed at its deadline takes its in-memory copy with it, and building
# one costs about a minute of a core on a large store: a client sending query after query
# that times out must not keep the machine building copies. At most this many
# builds per worker slot start in a window; past it a new worker reads the store.
COPY_BUILDS_PER_SLOT = 2
COPY_BUILD_WINDOW_SECONDS = 600.0


def _worker_context() -> BaseContext:
    return forkserver_context()


class _WorkerError(RegistryError):
    """An error the worker reported, carrying the worker's code."""

    def __init__(self, status: int, code: str, message: Text) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


_WORKER_ERROR_STATUS = {
    "invalid_query": 400,
    "query_failed": 400,
    "store_error": 500,
    "bad_request": 500,
}


@dataclass(frozen=True)
class WorkerLimits:
    """What the operating system allows each worker (registry/sparql/worker.py
    `apply_limits`, `allow_cpu`): MiB of address space (0: no limit), CPU seconds per
    query, and the bytes of one answer."""

    memory_mb: int = 0
    cpu_seconds: float | None = None
    max_result_bytes: int = 64 * 1024 * 1024


def _limit_error(worker: _Worker, limits: WorkerLimits) -> RegistryError:
    """The error for a worker that died running a query, from how it ended."""
    worker.process.join(timeout=5)
    exitcode = worker.process.exitcode
    if exitcode == -signal.SIGXCPU and limits.cpu_seconds is not None:
        return QueryCpuLimitError(
            Text(
                zh=f"查询占用 CPU 超过 {limits.cpu_seconds:g} 秒，已终止",
                en=(
                    f"the query used more than {limits.cpu_seconds:g} s of CPU time and was stopped"
                ),
            ),
            details={"cpu_seconds": limits.cpu_seconds},
        )
    if exitcode == -signal.SIGABRT and limits.memory_mb:
        return _memory_error(limits)
    return QueryEngineCrashedError(
        Text(
            zh="查询导致查询进程异常退出，已重新启动",
            en="the query stopped the SPARQL engine; a fresh one was started",
        ),
        details={"exitcode": exitcode},
    )


def _memory_error(limits: WorkerLimits) -> QueryMemoryLimitError:
    return QueryMemoryLimitError(
        Text(
            zh=f"查询所需内存超过单个查询可用的 {limits.memory_mb} MiB，已终止",
            en=(
                f"the query needed more than the {limits.memory_mb} MiB a query "
                "may use and was stopped"
            ),
        ),
        details={"memory_mb": limits.memory_mb},
    )


@dataclass
class QueryAnswer:
    body: bytes
    truncated: bool
    seconds: float
    engine: str = "store"  # or "memory-copy": what the worker read
    volatile: bool = False  # the guard's parse found NOW(), RAND(), UUID() or STRUUID()


class _Worker:
    def __init__(self, context: BaseContext, limits: WorkerLimits) -> None:
        parent, child = context.Pipe()
        self.conn: Connection = parent
        orders = {"memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds}
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=worker_module.serve,
            args=(child, orders),
            name="screg-sparql-worker",
            daemon=True,
        )
        self.process.start()
        child.close()  # the parent's copy: EOF on `conn` then means the worker is gone
        self.generation: int | None = None
        self.has_copy = False  # told to build an in-memory copy of the public graphs
        self.isolated = False  # in a network namespace of its own (worker.leave_the_network)

    def request(self, message: tuple[Any, ...], timeout: float) -> tuple[Any, ...] | None:
        """Send one request and wait up to `timeout` seconds; None when time ran out.
        Raises EOFError / OSError when the worker died."""
        self.conn.send(message)
        if not self.conn.poll(timeout):
            return None
        return self.conn.recv()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        """Ask politely (closing the pipe ends its loop), then make sure."""
        self.conn.close()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)


Source = Callable[[int], dict[str, Any]]
Changes = Callable[[int], frozenset[str] | None]


class WorkerPool:
    """Up to `size` worker processes over one store.

    `source(generation)` returns the "load" description of the store as of
    that generation (called only when a worker is behind, so a memory store is
    dumped once per write, not once per query).

    With `changes` (the store's `changes_since`), each worker keeps an in-memory
    copy of the public graphs (registry/sparql/memory_copy.py) and is told, at each
    load, which subjects changed since the generation it was at."""

    def __init__(
        self,
        source: Source,
        size: int = 2,
        changes: Changes | None = None,
        limits: WorkerLimits | None = None,
    ) -> None:
        self._source = source
        self._limits = limits or WorkerLimits()
        self._size = size
        self._changes = changes
        self._copy_builds: deque[float] = deque()
        self._idle: list[_Worker] = []
        self._count = 0  # idle + busy
        self._lock = threading.Condition()
        self._closed = False
        self._cached_source: tuple[int, dict[str, Any]] | None = None
        self._warned_network = False

    # -- taking and giving back workers ----------------------------------------------

    def _acquire(self, deadline: float) -> _Worker:
        with self._lock:
            while True:
                if self._closed:
                    raise QueryBusyError(
                        Text(zh="SPARQL 端点正在关闭", en="the SPARQL endpoint is shutting down")
                    )
                while self._idle:
                    worker = self._idle.pop()
                    if worker.process.is_alive():
                        return worker
                    # Killed while idle (the OOM killer, an operator): not a query's
                    # fault, so not a query's error; its slot is free again.
                    logger.warning(
                        "an idle SPARQL worker had ended (exit code %s): not used",
                        worker.process.exitcode,
                    )
                    worker.kill()
                    self._count -= 1
                if self._count < self._size:
                    self._count += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._lock.wait(remaining):
                    raise QueryBusyError(
                        Text(
                            zh="查询繁忙，请稍后再试",
                            en="every SPARQL worker stayed busy; try again later",
                        ),
                        details={"workers": self._size},
                    )
        try:
            return _Worker(_worker_context(), self._limits)
        except BaseException:
            with self._lock:
                self._count -= 1
                self._lock.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                self._count -= 1
                worker.stop()
            else:
                self._idle.append(worker)
            self._lock.notify()

    def _discard(self, worker: _Worker, generation: int) -> None:
        """Kill a worker and put a warm replacement in its place."""
        worker.kill()
        with self._lock:
            self._count -= 1
            closed = self._closed
            self._lock.notify()
        if closed:
            return
        try:
            # No waiting: if every slot is busy, the next query starts a worker itself.
            fresh = self._acquire(time.monotonic())
        except RegistryError:
            return
        try:
            self._load(fresh, generation)
        except RegistryError:
            fresh.kill()
            with self._lock:
                self._count -= 1
                self._lock.notify()
            return
        self._release(fresh)

    # -- running -------------------------------------------------------------------

    def _source_for(self, generation: int) -> dict[str, Any]:
        cached = self._cached_source
        if cached is None or cached[0] != generation:
            cached = (generation, self._source(generation))
            self._cached_source = cached
        return cached[1]

    def _copy_orders(self, worker: _Worker) -> tuple[str, frozenset[str] | None]:
        """What `worker` is to do with its in-memory copy at its next load."""
        if self._changes is None:
            return "off", None
        if worker.has_copy:
            since = worker.generation
            return "update", (self._changes(since) if since is not None else None)
        if not self._may_build(take=True):
            return "off", None
        worker.has_copy = True
        return "build", None

    def _may_build(self, take: bool) -> bool:
        """Whether the build budget allows one more copy now (and, with `take`, use it)."""
        now = time.monotonic()
        with self._lock:
            while self._copy_builds and now - self._copy_builds[0] > COPY_BUILD_WINDOW_SECONDS:
                self._copy_builds.popleft()
            if len(self._copy_builds) >= COPY_BUILDS_PER_SLOT * self._size:
                return False
            if take:
                self._copy_builds.append(now)
            return True

    def _behind(self, worker: _Worker, generation: int) -> bool:
        """Whether `worker` needs a load before its next query: a new generation, or a
        copy it went without while the build budget was spent, which it may now have."""
        if worker.generation != generation:
            return True
        return self._changes is not None and not worker.has_copy and self._may_build(take=False)

    def _load(self, worker: _Worker, generation: int) -> None:
        mode, changes = self._copy_orders(worker)
        message = ("load", self._source_for(generation), mode, changes)
        try:
            reply = worker.request(message, LOAD_TIMEOUT_SECONDS)
        except (EOFError, OSError) as exc:
            raise QueryEngineCrashedError(
                Text(
                    zh="查询进程在打开存储时异常退出",
                    en="the SPARQL worker died while opening the store",
                )
            ) from exc
        if reply is None or reply[0] != "loaded":
            message = (
                reply[2]
                if reply
                else Text(
                    zh="查询进程打开存储超时",
                    en="the SPARQL worker took too long to open the store",
                )
            )
            raise _WorkerError(500, "store_error", message)
        worker.generation = reply[1]
        if not reply[2] and not self._warned_network:
            # The guard still refuses SERVICE; without the namespace, a miss of the guard
            # could reach other hosts. Said once per pool, where operators look.
            self._warned_network = True
            logger.warning(
                "the SPARQL workers could not leave the network (no network namespace: "
                "run as root or allow unprivileged user namespaces); the query guard "
                "alone keeps SERVICE from reaching other hosts"
            )
        worker.isolated = bool(reply[2])

    def run(
        self, text: str, form: str, fmt: str, max_rows: int, timeout: float, generation: int
    ) -> QueryAnswer:
        """Run one query past the guard's pre-check (the worker makes the guard's
        decision); raises QueryRefusedError, QueryTimeoutError, QueryMemoryLimitError,
        QueryCpuLimitError, QueryResultTooLargeError, QueryEngineCrashedError,
        QueryBusyError or the worker's own error (invalid query: 400)."""
        worker = self._ready(time.monotonic() + timeout, generation)
        limits = self._limits
        try:
            started = time.monotonic()
            message = ("query", text, form, fmt, max_rows, limits.max_result_bytes)
            reply = worker.request(message, timeout)
            seconds = time.monotonic() - started
        except QueryEngineCrashedError:
            self._discard(worker, generation)
            raise
        except (EOFError, OSError) as exc:
            error = _limit_error(worker, limits)
            self._discard(worker, generation)
            raise error from exc
        except BaseException:
            self._discard(worker, generation)
            raise
        if reply is None:
            self._discard(worker, generation)
            raise QueryTimeoutError(
                Text(
                    zh=f"查询超过 {timeout:g} 秒，已终止",
                    en=f"the query ran longer than {timeout:g} s and was stopped",
                ),
                details={"timeout_seconds": timeout},
            )
        if reply[0] == "error" and reply[1] == "memory_limit":
            # Alive, but its heap is what a runaway query left: start afresh.
            self._discard(worker, generation)
            raise _memory_error(limits)
        self._release(worker)
        if reply[0] == "ok":
            return QueryAnswer(
                body=reply[1],
                truncated=reply[2],
                seconds=seconds,
                engine=reply[3],
                volatile=reply[4],
            )
        if reply[0] == "refused":
            _, code, message, details = reply
            refusal = InvalidQueryError if code == InvalidQueryError.code else QueryRefusedError
            raise refusal(message, details=details)
        _, code, message = reply
        if code == "result_too_large":
            raise QueryResultTooLargeError(
                message, details={"max_result_bytes": limits.max_result_bytes}
            )
        raise _WorkerError(_WORKER_ERROR_STATUS.get(code, 500), code, message)

    def _ready(self, deadline: float, generation: int) -> _Worker:
        """A worker at `generation`. One that dies opening the store (a thread it could
        not start, seen once in CI) is replaced and the load tried once more: the query
        was not sent, so its client is not answered with the worker's end."""
        for attempt in (1, 2):
            worker = self._acquire(deadline)
            try:
                if self._behind(worker, generation):
                    self._load(worker, generation)
                return worker
            except QueryEngineCrashedError:
                self._discard(worker, generation)
                if attempt == 2:
                    raise
                logger.warning("a SPARQL worker died opening the store: another is tried")
            except BaseException:
                self._discard(worker, generation)
                raise
        raise AssertionError("unreachable")

    def warm_up(self, generation: int) -> None:
        """Start and load one worker now, so the first query does not pay for it."""
        worker = self._acquire(time.monotonic() + LOAD_TIMEOUT_SECONDS)
        try:
            self._load(worker, generation)
        except BaseException:
            self._discard(worker, generation)
            raise
        self._release(worker)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._lock.notify_all()
        for worker in idle:
            worker.stop()

    def busy(self) -> int:
        """Workers running a query (or being started) right now."""
        with self._lock:
            return self._count - len(self._idle)

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and diagnostics)."""
        with self._lock:
            return [w.process.pid for w in self._idle if w.process.pid is not None]
