"""Reading uploads in worker processes the operating system limits.

A 128 KB XLSX of 20,000 rows cost 38 s of CPU and 1.2 GB when the API process read
it itself, and three in parallel held the server at 3.9 GB long after, since the
Python heap is not given back (issue 17, point 5). So the API reads every upload
(`read_documents`: the parse of CSV, XLSX, XLS, OpenAPI, DCAT and RDF into triples)
in a pebble process pool:

- each worker's address space is capped (RLIMIT_AS, `upload_worker_memory_mb`): an
  allocation past it fails (MemoryError, or pyoxigraph aborts), the request gets 400
  `upload_limit`, and the worker is gone with all it held;
- each read has a wall-clock budget (`upload_timeout_seconds`): past it pebble kills
  the worker, 400 `upload_limit`;
- each worker reads one upload and exits (`TASKS_PER_WORKER`): the memory a read
  took goes back to the system at once, and nothing of one client's upload is left
  in a process that reads the next; pebble starts the replacement beforehand, from
  the forkserver (registry/processes.py), with the reader modules imported, so a
  request does not wait for it.

The reading comes back as plain terms (pickled lists of rdflib triples, measured
cheaper to rebuild than N-Triples bytes re-parsed by rdflib, and exact for blank
nodes, which the locations of a spreadsheet's problems may name). Validation and
the write stay in the API process, on the reading, through the one submit path.
Registered standards and departments that spreadsheets name are read from the store
first, in the API process (`KnownLookup`): a worker never opens the store.
"""

from __future__ import annotations

import logging
import resource
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from pebble import ProcessExpired, ProcessPool
from rdflib import Graph

from registry.bilingual import Text
from registry.errors import UploadLimitError
from registry.inputs.document import (
    Document,
    KnownLookup,
    Lookup,
    SubmissionGraph,
    mapped_format,
)
from registry.inputs.load import Reading, read_documents
from registry.inputs.oxparse import Triple, graph_of
from registry.processes import forkserver_context
from registry.validation.validator import ValidationResult

# One upload per worker process (see the module's docstring).
TASKS_PER_WORKER = 1

logger = logging.getLogger(__name__)


def _start_worker(memory_mb: int) -> None:
    """In each new worker, before its read: the address-space cap, then the readers'
    modules, so their import is paid while the worker waits, not by a request."""
    if memory_mb > 0:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    import openpyxl  # noqa: F401
    import xlrd  # noqa: F401

    import registry.inputs.tabular  # noqa: F401


@dataclass
class _PortableReading:
    """A Reading as plain data: each RDF part's triples (and whether it was rdflib's
    graph), the mapped triples with their problems and locations."""

    rdf: list[tuple[bool, list[Triple]]]
    mapped: tuple[list[Triple], list[ValidationResult], dict[str, Any], bool] | None
    source_sha256: str


def _read_in_worker(
    documents: Sequence[Document], max_bytes: int | None, base_iri: str, lookup: Lookup
) -> _PortableReading:
    reading = read_documents(documents, max_bytes, base_iri=base_iri, lookup=lookup)
    mapped = reading.mapped
    return _PortableReading(
        rdf=[(isinstance(part, Graph), list(part)) for part in reading.rdf],
        mapped=(list(mapped), mapped.problems, mapped.locations, mapped.fatal)
        if mapped is not None
        else None,
        source_sha256=reading.source_sha256,
    )


def _reading_of(portable: _PortableReading) -> Reading:
    reading = Reading(source_sha256=portable.source_sha256)
    for was_graph, triples in portable.rdf:
        reading.rdf.append(graph_of(triples) if was_graph else triples)
    if portable.mapped is not None:
        triples, problems, locations, fatal = portable.mapped
        graph = SubmissionGraph()
        add = graph.add
        for triple in triples:
            add(triple)
        graph.problems, graph.locations, graph.fatal = problems, locations, fatal
        reading.mapped = graph
    return reading


def lookup_for(documents: Sequence[Document], lookup: Lookup) -> Lookup:
    """What a worker needs of `lookup`: its dicts when a document is mapped (only mapped
    formats name standards and departments), else nothing (no store read)."""
    if any(mapped_format(doc) is not None for doc in documents):
        return KnownLookup(lookup.standards(), lookup.departments())
    return Lookup()


class UploadReaders:
    """A pool of `workers` reader processes, each limited to `memory_mb` MiB of address
    space (0: no limit), each read to `timeout_seconds`. Thread-safe: requests wait in
    the pool's own queue when every worker is busy."""

    def __init__(self, workers: int, memory_mb: int, timeout_seconds: float) -> None:
        self.memory_mb = memory_mb
        self.timeout = timeout_seconds
        self._pool = ProcessPool(
            max_workers=workers,
            max_tasks=TASKS_PER_WORKER,
            initializer=_start_worker,
            initargs=(memory_mb,),
            context=forkserver_context(),
        )

    def read(
        self,
        documents: Sequence[Document],
        max_bytes: int | None,
        *,
        base_iri: str,
        lookup: Lookup,
    ) -> Reading:
        """`read_documents` in a worker; its own errors (InputError and the rest) are
        raised here as they were there; UploadLimitError past a limit."""
        future = self._pool.schedule(
            _read_in_worker,
            args=(list(documents), max_bytes, base_iri, lookup_for(documents, lookup)),
            timeout=self.timeout,
        )
        try:
            portable = future.result()
        except FutureTimeout:
            raise UploadLimitError(
                Text(
                    zh=f"读取上传内容超过 {self.timeout:g} 秒，已终止",
                    en=(f"reading the upload took longer than {self.timeout:g} s and was stopped"),
                ),
                {"timeout_seconds": self.timeout},
            ) from None
        except MemoryError:
            raise self._memory_error() from None
        except ProcessExpired as error:
            # A refused allocation ends a worker in more ways than a MemoryError: Rust
            # (pyoxigraph) aborts, a MemoryError inside a finaliser is a fatal error of
            # the interpreter, which aborts too, and C code that meets a refused
            # allocation can end in a segfault (each seen on the same XLSX in CI). The
            # worker read nothing but the upload: under a memory limit, its abnormal end
            # is the upload's cost, answered as the limit (400) and logged with its code.
            if self.memory_mb:
                logger.warning(
                    "an upload reader ended abnormally (exit code %s) under its %s MiB limit",
                    error.exitcode,
                    self.memory_mb,
                )
                raise self._memory_error() from None
            raise
        return _reading_of(portable)

    def _memory_error(self) -> UploadLimitError:
        return UploadLimitError(
            Text(
                zh=(f"读取上传内容所需内存超过单次上传可用的 {self.memory_mb} MiB，已终止"),
                en=(
                    f"reading the upload needed more than the {self.memory_mb} MiB "
                    "one upload may use and was stopped"
                ),
            ),
            {"memory_mb": self.memory_mb},
        )

    def close(self) -> None:
        """Stop the workers, a read in progress included."""
        self._pool.stop()
        self._pool.join(timeout=10)
