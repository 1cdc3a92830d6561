"""Worker processes the operating system limits: the one forkserver they are forked
from, and the pool that runs one piece of a request in them (`LimitedWorkers`).

Forking the multi-threaded API process itself is unsafe, and spawning a fresh
interpreter costs ~150 ms where a forkserver fork costs ~15 ms. Python keeps one
forkserver per process, so its preload list is decided here, once: the SPARQL worker's
module (`WORKER_MODULES`). Readers and validators import theirs, and build what they
need (the compiled shapes), as they start, while no request waits for them.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import resource
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, InvalidStateError, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any

from pebble import ProcessExpired, ProcessPool

from registry.bilingual import Text
from registry.errors import BusyError, UploadLimitError

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_context: BaseContext | None = None

# Only the SPARQL worker's module: preloading the readers' and validators' too put
# pyshacl and the readers in every SPARQL worker's address space, and one worker died
# opening the store under its 1 GiB limit ("Resource temporarily unavailable" from a
# RocksDB thread) in CI. Readers and validators import theirs as they start.
WORKER_MODULES = ["registry.sparql.worker"]

# One task per worker process: the memory a task took goes back to the system at
# once (a Python heap is never given back otherwise), and nothing of one client's
# upload is left in a process that serves the next. pebble starts the replacement
# beforehand, so a request does not wait for it unless requests come faster.
TASKS_PER_WORKER = 1


def forkserver_context() -> BaseContext:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            # Only the workers' modules: the default would re-import the parent's
            # __main__ (pytest's, uvicorn's) into the fork server.
            context.set_forkserver_preload(WORKER_MODULES)
            _context = context
        return _context


def _start_limited(
    memory_mb: int, prepare: Callable[..., None] | None, prepare_args: Sequence[Any]
) -> None:
    """In each new worker, before its task: the address-space cap, then `prepare`, so
    its cost (imports, parsed shapes) is paid while the worker waits, not by a request.

    `prepare` is a warm-up only, and its failure is logged, not raised: pebble takes a
    worker that ends before its first task as a broken pool and refuses every later
    task. The task does what `prepare` did not (and its failure is the task's)."""
    if memory_mb > 0:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    if prepare is not None:
        try:
            prepare(*prepare_args)
        except Exception:
            logger.warning("a worker could not prepare; its task will", exc_info=True)


class _PoolError(Exception):
    """pebble refused a task: its pool is broken."""


class LimitedWorkers:
    """`workers` processes, each limited to `memory_mb` MiB of address space (0: no
    limit) and each task to `timeout_seconds` of wall-clock time, past which pebble
    kills it. `what` names the work in both languages for the limit's error (English
    then Chinese: "reading the upload", "读取上传内容"). Thread-safe: tasks wait in the
    pool's queue when every worker is busy."""

    def __init__(
        self,
        workers: int,
        memory_mb: int,
        timeout_seconds: float,
        what: tuple[str, str],
        prepare: Callable[..., None] | None = None,
        prepare_args: Sequence[Any] = (),
    ) -> None:
        self.memory_mb = memory_mb
        self.timeout = timeout_seconds
        self.what_en, self.what_zh = what
        self._tasks: set[Future[Any]] = set()
        self._tasks_lock = threading.Lock()
        self._pool_arguments: dict[str, Any] = {
            "max_workers": workers,
            "max_tasks": TASKS_PER_WORKER,
            "initializer": _start_limited,
            "initargs": (memory_mb, prepare, tuple(prepare_args)),
            "context": forkserver_context(),
        }
        self._pool_lock = threading.Lock()
        self._closed = False
        self._pool = ProcessPool(**self._pool_arguments)

    def run(
        self,
        function: Callable[..., Any],
        args: Sequence[Any],
        *,
        poll: Callable[[], None] | None = None,
        poll_seconds: float = 0.5,
    ) -> Any:
        """`function(*args)` in a worker; its own exceptions are raised here as they
        were there, UploadLimitError past a limit. `poll` is called every
        `poll_seconds` while the task runs (to pass on its progress).

        A pool broken by a worker that died between tasks (the kernel's OOM killer, an
        operator's kill) is replaced and the task sent once more; if the new pool fails
        too, the answer is a 503 to retry later."""
        pool = self._pool
        try:
            return self._run(pool, function, args, poll, poll_seconds)
        except (BrokenProcessPool, _PoolError) as error:
            logger.warning("the %s workers' pool broke (%s): replaced", self.what_en, error)
            pool = self._replace(pool)
        try:
            return self._run(pool, function, args, poll, poll_seconds)
        except (BrokenProcessPool, _PoolError):
            if not self._closed:
                logger.exception("the %s workers' new pool broke too", self.what_en)
            raise BusyError(
                Text(
                    zh=f"暂时无法{self.what_zh}，请稍后重新发送",
                    en=f"{self.what_en} is not possible just now: send it again later",
                ),
                retry_after=30,
            ) from None

    def _replace(self, broken: ProcessPool) -> ProcessPool:
        """The pool to use instead of `broken`: a new one, unless another caller made
        it already or the workers are closed."""
        with self._pool_lock:
            if self._pool is broken and not self._closed:
                self._pool = ProcessPool(**self._pool_arguments)
                # Whatever is left of its workers and threads; the tasks it held were
                # ended with BrokenProcessPool, and their callers send them again.
                broken.stop()
            return self._pool

    def _run(
        self,
        pool: ProcessPool,
        function: Callable[..., Any],
        args: Sequence[Any],
        poll: Callable[[], None] | None,
        poll_seconds: float,
    ) -> Any:
        try:
            future = pool.schedule(function, args=list(args), timeout=self.timeout)
        except RuntimeError as error:
            # pebble's "Unexpected error within the Pool" (a pool broken before) or
            # "The Pool is not active" (closed).
            raise _PoolError(str(error)) from error
        with self._tasks_lock:
            self._tasks.add(future)
        future.add_done_callback(self._forget)
        if poll is not None:
            while not wait([future], timeout=poll_seconds, return_when=FIRST_COMPLETED)[0]:
                poll()
        try:
            return future.result()
        except FutureTimeout:
            raise UploadLimitError(
                Text(
                    zh=f"{self.what_zh}超过 {self.timeout:g} 秒，已终止",
                    en=f"{self.what_en} took longer than {self.timeout:g} s and was stopped",
                ),
                {"timeout_seconds": self.timeout},
            ) from None
        except MemoryError:
            raise self._memory_error() from None
        except (SystemError, ProcessExpired) as error:
            # A refused allocation ends a task in more ways than a MemoryError: C code
            # may return NULL without setting it ("error return without exception set",
            # a SystemError: seen in CI on the 3,000-row XLSX under 256 MiB, where it was
            # a 500), Rust (pyoxigraph) aborts, a MemoryError inside a finaliser is a
            # fatal error of the interpreter, which aborts too, and C code can end in a
            # segfault (each seen on the same XLSX in CI). The worker held nothing but
            # the task: under a memory limit, its failure is the task's cost, answered
            # as the limit (400) and logged; without one, a bug to see.
            if self.memory_mb:
                how = (
                    f"exit code {error.exitcode}"
                    if isinstance(error, ProcessExpired)
                    else str(error)
                )
                logger.warning(
                    "a worker (%s) failed under its %s MiB limit (%s)",
                    self.what_en,
                    self.memory_mb,
                    how,
                )
                raise self._memory_error() from None
            raise

    def _forget(self, future: Future[Any]) -> None:
        with self._tasks_lock:
            self._tasks.discard(future)

    def running(self) -> int:
        """Tasks a worker is running now (those waiting for a worker not counted)."""
        with self._tasks_lock:
            return sum(1 for task in self._tasks if task.running())

    def _memory_error(self) -> UploadLimitError:
        return UploadLimitError(
            Text(
                zh=f"{self.what_zh}所需内存超过单次上传可用的 {self.memory_mb} MiB，已终止",
                en=f"{self.what_en} needed more than the {self.memory_mb} MiB one upload may "
                "use and was stopped",
            ),
            {"memory_mb": self.memory_mb},
        )

    def close(self) -> None:
        """Stop the workers, a task in progress included; its caller gets a 503."""
        with self._pool_lock:
            self._closed = True
        self._pool.stop()
        self._pool.join(timeout=10)
        # pebble 5.2 leaves some running tasks' futures unresolved when the pool is
        # stopped (seen with two at once): their callers would wait for ever, and a
        # server's shutdown with them.
        with self._tasks_lock:
            left = [task for task in self._tasks if not task.done()]
        for task in left:
            with contextlib.suppress(InvalidStateError):  # resolved meanwhile
                task.set_exception(
                    BusyError(
                        Text(
                            zh="服务正在停止，请稍后重新发送",
                            en="the server is stopping: send it again",
                        ),
                        retry_after=5,
                    )
                )
