"""Reading uploads in worker processes the operating system limits.

A 128 KB XLSX of 20,000 rows cost 38 s of CPU and 1.2 GB when the API process read
it itself, and three in parallel held the server at 3.9 GB long after, since the
Python heap is not given back (issue 17, point 5). So the API reads every upload
(`read_documents`: the parse of CSV, XLSX, XLS, OpenAPI, DCAT and RDF into triples)
in a pool of limited workers (registry.runtime.processes.LimitedWorkers):

- each worker's address space is capped (RLIMIT_AS, `upload_worker_memory_mb`): an
  allocation past it fails (MemoryError, or pyoxigraph aborts), the request gets 400
  `upload_limit`, and the worker is gone with all it held;
- each read has a wall-clock budget (`upload_timeout_seconds`): past it pebble kills
  the worker, 400 `upload_limit`;
- each worker reads one upload and exits (`TASKS_PER_WORKER` there): the memory a read
  took goes back to the system at once, and nothing of one client's upload is left
  in a process that reads the next; pebble starts the replacement beforehand, from
  the forkserver (registry/runtime/processes.py), with the reader modules imported, so a
  request does not wait for it.

The reading comes back as plain terms (pickled lists of rdflib triples, measured
cheaper to rebuild than N-Triples bytes re-parsed by rdflib, and exact for blank
nodes, which the locations of a spreadsheet's problems may name). The write stays in
the API process, on the reading, through the one submit path; the shapes' part of
validation runs in workers of its own (registry.validation.isolated).
Registered standards and departments that spreadsheets name are read from the store
first, in the API process (`KnownLookup`): a worker never opens the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from registry.inputs.document import (
    Document,
    KnownLookup,
    Lookup,
    SubmissionGraph,
    mapped_format,
)
from registry.inputs.load import Reading, read_documents
from registry.inputs.oxparse import Triple, graph_of
from registry.runtime.processes import LimitedWorkers
from registry.validation.validator import ValidationResult


def _prepare_reader() -> None:
    """The readers' modules, imported as a worker starts (registry.runtime.processes)."""
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
        prefixes = {str(doc.options.get("assign_codes") or "").strip() for doc in documents}
        codes = {prefix: lookup.codes_under(prefix) for prefix in prefixes if prefix}
        return KnownLookup(
            lookup.standards(), lookup.departments(), codes, lookup.department_names()
        )
    return Lookup()


class UploadReaders:
    """A pool of `workers` reader processes, each limited to `memory_mb` MiB of address
    space (0: no limit), each read to `timeout_seconds`. Thread-safe: requests wait in
    the pool's own queue when every worker is busy."""

    def __init__(self, workers: int, memory_mb: int, timeout_seconds: float) -> None:
        self._workers = LimitedWorkers(
            workers,
            memory_mb,
            timeout_seconds,
            ("reading the upload", "读取上传内容"),
            _prepare_reader,
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
        portable = self._workers.run(
            _read_in_worker,
            (list(documents), max_bytes, base_iri, lookup_for(documents, lookup)),
        )
        return _reading_of(portable)

    def running(self) -> int:
        return self._workers.running()

    def close(self) -> None:
        """Stop the workers, a read in progress included."""
        self._workers.close()
