"""Worker processes that validate chunks of a submission (registry.validation_chunks).

pyshacl is pure Python: one process uses one core. The pool is started lazily by
a Validator with the "spawn" method (never "fork": the API process has threads,
and a forked child would inherit locks held by them); each worker loads the
trusted shapes and the vocabulary once, then validates chunks sent to it as lists
of rdflib triples and sends back the results.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING

from rdflib.term import Node

if TYPE_CHECKING:
    from registry.validation import ValidationResult, Validator

Triple = tuple[Node, Node, Node]
Progress = Callable[[int, int], None]  # (entries done, entries in all)

_worker: Validator | None = None


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _start_worker() -> None:
    global _worker
    from registry.validation import Validator

    _worker = Validator(workers=1)


def _validate_chunk(triples: list[Triple], focus: list[Node]) -> list[ValidationResult]:
    assert _worker is not None, "worker not initialised"
    return _worker.validate_triples(triples, focus)


class ValidationPool:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return self._executor

    def run(
        self,
        chunks: Iterable[tuple[list[Triple], list[Node], int]],
        total: int,
        progress: Progress | None = None,
    ) -> list[ValidationResult]:
        """Validate (triples, focus, entries) chunks; at most two per worker are queued
        at a time, so building the next chunks overlaps the validation of the first and
        memory holds only a few chunk graphs at once."""
        pool = self._pool()
        results: list[ValidationResult] = []
        pending: dict[Future[list[ValidationResult]], int] = {}
        done_entries = 0
        iterator = iter(chunks)

        def collect(finished: Iterable[Future[list[ValidationResult]]]) -> None:
            nonlocal done_entries
            for future in finished:
                results.extend(future.result())
                done_entries += pending.pop(future)
                if progress is not None:
                    progress(done_entries, total)

        for triples, focus, entries in iterator:
            pending[pool.submit(_validate_chunk, triples, focus)] = entries
            if len(pending) >= 2 * self.workers:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                collect(finished)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            collect(finished)
        return results

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
