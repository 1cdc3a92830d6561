"""The shapes' part of validation in worker processes the operating system limits.

What validation costs is decided by the data, not only by its size: a 44 KB Turtle
upload whose catalogue and datasets each name 60 publishers made the catalogue's
SPARQL constraint (shapes/catalogue.ttl: a dataset has its catalogue's publisher)
join publishers x datasets x publishers, and held the API process for a minute of
CPU; 120 publishers, eight times longer. A byte limit cannot stop that. So in the
API the shapes run (`Validator.check`) in limited workers (registry.runtime.processes):

- each worker's address space is capped (`validation_worker_memory_mb`) and each
  validation has a wall-clock budget (`validation_timeout_seconds`; for
  validations, which anyone may ask for, `validate_timeout_seconds`): past either,
  the worker is killed and the request answered 400 `upload_limit`;
- validations (`POST /api/v1/validate`, the /validate page) and submissions have
  pools of their own (`validate_concurrency` and `validation_workers` workers), so
  that validations nobody signed for cannot hold back a department's submission;
- each worker builds its validator from the same shapes and ontology folders as it
  starts, validates once and exits, like the upload readers.

The store is read in the API process, as before: the registered entries the upload
points at (`registry_context`) go to the worker with the upload's triples, and the
registry-wide unique-code checks, one query each, stay here. Progress comes back
through a small file the worker rewrites and the caller reads while it waits.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection
from pathlib import Path

from rdflib import Graph, URIRef

from registry.inputs.oxparse import graph_of
from registry.runtime.processes import LimitedWorkers
from registry.validation.validator import (
    Progress,
    Shapes,
    Triple,
    ValidationReport,
    Validator,
    Vocabulary,
)

# The worker's validator, built as the worker starts (`_prepare_validator`), or by its
# task if that failed (registry.runtime.processes: a warm-up only).
_validator: Validator | None = None

# A progress record: two right-aligned counts, rewritten in place.
_RECORD = "{:>19} {:>19}\n"
_RECORD_BYTES = len(_RECORD.format(0, 0))


def _prepare_validator(shapes: str, ontology: str, engine: str, progress_step: int) -> None:
    global _validator
    _validator = Validator(
        Shapes(Path(shapes)), Vocabulary(Path(ontology)), progress_step=progress_step, engine=engine
    )
    _ = _validator.engine  # compiled now, while the worker waits


def _check_in_worker(
    how: tuple[str, str, str, int],
    data: list[Triple],
    context: list[Triple] | None,
    skip: list[URIRef],
    progress_path: str | None,
) -> ValidationReport:
    if _validator is None:
        _prepare_validator(*how)
    assert _validator is not None
    progress = None
    if progress_path is not None:
        fd = os.open(progress_path, os.O_WRONLY)

        def progress(done: int, total: int) -> None:
            os.pwrite(fd, _RECORD.format(done, total).encode(), 0)

    try:
        return _validator.check(
            graph_of(data),
            graph_of(context) if context is not None else None,
            progress=progress,
            skip=skip,
        )
    finally:
        if progress_path is not None:
            os.close(fd)


def _read_progress(path: str) -> tuple[int, int] | None:
    with open(path, "rb") as file:
        record = file.read(_RECORD_BYTES)
    try:
        done, total = (int(part) for part in record.split())
    except ValueError:  # nothing written yet, or caught mid-write: asked again later
        return None
    return done, total


class ValidationWorkers:
    """A pool of limited workers that validate with `base`'s shapes and ontology."""

    def __init__(
        self, base: Validator, workers: int, memory_mb: int, timeout_seconds: float
    ) -> None:
        self._how = (
            str(base.shapes.folder),
            str(base.vocabulary.folder),
            "auto" if base.use_engine else "pyshacl",
            base.progress_step,
        )
        self._workers = LimitedWorkers(
            workers,
            memory_mb,
            timeout_seconds,
            ("validating the upload", "校验上传内容"),
            _prepare_validator,
            self._how,
        )

    def check(
        self,
        data: Graph,
        context: Graph | None,
        progress: Progress | None,
        skip: Collection[URIRef],
    ) -> ValidationReport:
        if progress is None:
            return self._workers.run(
                _check_in_worker, (self._how, list(data), _triples(context), list(skip), None)
            )
        fd, path = tempfile.mkstemp(prefix="screg-progress-")
        try:
            os.write(fd, b" " * _RECORD_BYTES)
            os.close(fd)
            last: list[tuple[int, int] | None] = [None]

            def poll() -> None:
                seen = _read_progress(path)
                if seen is not None and seen != last[0]:
                    last[0] = seen
                    progress(*seen)

            report = self._workers.run(
                _check_in_worker,
                (self._how, list(data), _triples(context), list(skip), path),
                poll=poll,
            )
            poll()
            return report
        finally:
            os.unlink(path)

    def running(self) -> int:
        return self._workers.running()

    def close(self) -> None:
        self._workers.close()


def _triples(graph: Graph | None) -> list[Triple] | None:
    return list(graph) if graph is not None else None


class IsolatedValidator(Validator):
    """`base`'s validation, with the shapes run by `workers`; the store is read here.
    Shares `base`'s parsed shapes and vocabulary (their hash, their terms)."""

    def __init__(self, base: Validator, workers: ValidationWorkers) -> None:
        self.base = base
        self.shapes = base.shapes
        self.vocabulary = base.vocabulary
        self.progress_step = base.progress_step
        self.use_engine = base.use_engine
        self._workers = workers

    def check(
        self,
        data: Graph,
        context: Graph | None,
        *,
        progress: Progress | None = None,
        skip: Collection[URIRef] = (),
    ) -> ValidationReport:
        return self._workers.check(data, context, progress, skip)

    def close(self) -> None:
        """Nothing: the workers are stopped by whoever made them (Registry.close)."""
