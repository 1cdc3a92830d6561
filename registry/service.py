"""The registry as one object: settings, the store, the validator and the writer lock.

The CLI and the HTTP app (api.create_app) both build one `Registry` and call
its methods; nothing is built at import time.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import networkx as nx
from rdflib import Graph

from registry.config import Settings
from registry.graphs.build import GraphCache
from registry.inputs.document import Document, StoreLookup, SubmissionGraph, mapped_format
from registry.inputs.load import load_submission, validator_for
from registry.inputs.oxparse import FAST_MIN_BYTES, Triple, graph_of, parse_triples
from registry.inputs.rdf import format_for_filename, normalise_identifiers, rdf_format
from registry.read.model import ReadModel
from registry.register import submission as registration
from registry.register.kept_documents import KeptDocuments, keep_document
from registry.register.seed import is_empty, seed_store
from registry.register.submission import EntryChange, Principal, SubmissionResult, VersionInfo
from registry.store import Store, backend_kind, open_store
from registry.validation.validator import Progress, ValidationReport, Validator


class Registry:
    def __init__(
        self,
        settings: Settings,
        validator: Validator | None = None,
        store: Store | None = None,
        read_only: bool = False,
    ) -> None:
        self.settings = settings
        self.read_only = read_only
        # Largest submission read, in bytes: the HTTP upload limit by default. The CLI
        # lifts it (None): it reads files its user named on their own machine, and a
        # city's 10,000-resource catalogue is about 40 MB of Turtle.
        self.upload_limit: int | None = settings.max_body_bytes
        self._own_validator = validator is None
        self.validator = validator or Validator()
        self._store = store
        self._store_lock = threading.Lock()
        # One writer per process: a submission reads the current versions and writes
        # the next ones, and two of them interleaved would lose an update.
        self.write_lock = threading.Lock()
        # Large documents registered last, so that re-submitting one with a few
        # entries changed reads only what changed (registry.register.kept_documents).
        self.kept = KeptDocuments(settings.resubmit_keep_bytes)
        # The read model, opened on first use (registry.read.model).
        self._read_model: ReadModel | None = None
        # The dependency graph, kept from the read model (registry.graphs.build).
        self._graphs = GraphCache()

    @property
    def store(self) -> Store:
        with self._store_lock:
            if self._store is None:
                store = open_store(self.settings.store, self.settings)
                if self.settings.seed and is_empty(store):
                    # Several processes starting on one empty remote store would each
                    # seed it: under the store-wide writer lock, the later ones find it
                    # seeded and go on.
                    with store.exclusive():
                        if is_empty(store):
                            seed_store(store, self.validator, self.settings.base_iri)
                self._store = store
            return self._store

    def read_model_path(self) -> str:
        """Where the read model lives: the setting, else beside an embedded store, else
        in memory (a remote store's processes keep no files; they rebuild at start)."""
        if self.settings.read_model:
            return self.settings.read_model
        setting = self.settings.store
        if backend_kind(setting) == "path":
            folder = Path(setting)
            return str(folder.with_name(folder.name + ".read.sqlite"))
        return ":memory:"

    def reader(self) -> ReadModel:
        """The read model at the store's generation: caught up first when another
        writer (a process, or a write that did not go through this object) moved it."""
        store = self.store
        with self._store_lock:
            if self._read_model is None:
                self._read_model = ReadModel(
                    self.read_model_path(), base_iri=self.settings.base_iri
                )
            model = self._read_model
        model.catch_up(store)
        return model

    def graph(self, as_of: date | None = None) -> nx.MultiDiGraph:
        """The dependency graph at the store's generation (as of a day): from the read
        model, brought up to date with what each write changed. Shared: never mutate it."""
        return self._graphs.get(self.reader(), as_of)

    def rebuild_read_model(self) -> int:
        """Build the read model again from the store (a missing or damaged file, a store
        restored from a dump); returns the generation it reflects."""
        model = self.reader()
        return model.rebuild(self.store)

    def _wrote(self) -> None:
        """The writer's half of the read model: brought up to the write just made, in
        the same lock, so that the next reader finds it there."""
        self.reader()

    def close(self) -> None:
        # The validator may be shared (tests pass one in): its worker processes are
        # stopped by whoever made it, or at exit.
        if self._own_validator:
            self.validator.close()
        if self._read_model is not None:
            self._read_model.close()
            self._read_model = None
        self._graphs = GraphCache()
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- validation and submission ------------------------------------------------

    def parse(self, documents: Sequence[Document]) -> Graph:
        """One graph of the documents; spreadsheets, OpenAPI and DCAT documents name
        standards and departments that are looked up in the store."""
        return load_submission(
            documents,
            self.upload_limit,
            base_iri=self.settings.base_iri,
            lookup=StoreLookup(self.store),
        )

    def _rdf_source(self, documents: Sequence[Document]) -> tuple[bytes, str] | None:
        """The bytes and format of a submission that is one large Turtle or N-Triples
        document that pyoxigraph reads exactly as rdflib would (registry.inputs.oxparse)."""
        if len(documents) != 1:
            return None
        doc = documents[0]
        limit = self.upload_limit
        if limit is not None and len(doc.data) > limit:
            return None  # the full path reports it
        if len(doc.data) < FAST_MIN_BYTES or mapped_format(doc) is not None:
            return None
        try:
            fmt = rdf_format(doc.format) if doc.format else format_for_filename(doc.name)
        except Exception:
            return None
        if fmt.name not in ("turtle", "nt"):
            return None
        return doc.data, fmt.name

    def validate(
        self, documents: Sequence[Document], progress: Progress | None = None
    ) -> ValidationReport:
        """Validate with the registry as context; writes nothing. `progress(done, total)`
        is called as entries are validated."""
        graph = self.parse(documents)
        return validator_for(graph, self.validator).validate(graph, self.store, progress=progress)

    def submit(
        self,
        documents: Sequence[Document],
        principal: Principal,
        progress: Progress | None = None,
    ) -> SubmissionResult:
        digest = hashlib.sha256()
        for doc in documents:
            digest.update(doc.data)
        source = self._rdf_source(documents)

        def incremental(run: Any, document: Any) -> SubmissionResult | None:
            with self.write_lock, self.store.exclusive():
                done = run(
                    self.store,
                    self.validator,
                    document,
                    principal,
                    digest.hexdigest(),
                    self.settings.base_iri,
                    self.settings.report_max_results,
                    progress,
                )
                if done is not None and done.submission is not None:
                    self._wrote()
                return done

        if source is not None and self.kept:
            # A kept document with a few statements changed: only those are read
            # (registry.register.kept_documents).
            done = incremental(self.kept.resubmit, source)
            if done is not None:
                return done
        triples = parse_triples(*source) if source is not None else None
        graph: Graph | None = None
        if triples is not None:
            # Re-submission of registered entries: only the changed ones are made into
            # an rdflib graph, validated and written (registration.resubmit).
            done = incremental(registration.resubmit, triples)
            if done is not None:
                self._keep(source, triples, done)
                return done
            graph = graph_of(triples)  # what parse_rdf would have built from them
            normalise_identifiers(graph)
        if graph is None:
            graph = self.parse(documents)
        # A spreadsheet's reading problems and row/column locations go into the report
        # (the stored one too) through the validator registration.submit calls.
        validator = validator_for(graph, self.validator)
        if isinstance(graph, SubmissionGraph) and (
            graph.fatal or (graph.problems and len(graph) == 0)
        ):
            # Nothing could be read into entries: the problems are the whole answer.
            return SubmissionResult(None, validator.validate(graph, self.store))
        with self.write_lock, self.store.exclusive():
            result = registration.submit(
                self.store,
                validator,
                graph,
                principal,
                digest.hexdigest(),
                self.settings.base_iri,
                self.settings.report_max_results,
                progress,
            )
            if result.submission is not None:
                self._wrote()
        if triples is not None:
            self._keep(source, triples, result)
        return result

    def _keep(
        self, source: tuple[bytes, str] | None, triples: list[Triple], result: SubmissionResult
    ) -> None:
        """Keep a large document just written for its re-submission. Indexing it
        reads the whole document again (seconds): done outside the write lock."""
        if source is None or not self.kept or result.submission is None:
            return
        kept = keep_document(*source, triples, result)
        if kept is not None:
            with self.write_lock:
                self.kept.add(kept)

    # -- register items ------------------------------------------------------------

    def resolve(self, ident: str) -> str:
        return registration.resolve_item(self.store, ident)

    def change_status(
        self,
        ident: str,
        status: str,
        principal: Principal,
        successor: str | None = None,
        reason: str | None = None,
    ) -> EntryChange:
        item = self.resolve(ident)
        successor_iri = self.resolve(successor) if successor else None
        with self.write_lock, self.store.exclusive():
            change = registration.change_status(
                self.store, item, status, principal, self.settings.base_iri, successor_iri, reason
            )
            self._wrote()
            return change

    def history(self, ident: str) -> list[VersionInfo]:
        return registration.history(self.store, self.resolve(ident))

    def show(self, ident: str, version: int | None = None) -> Graph:
        return registration.read_version(self.store, self.resolve(ident), version)
