"""The registry as one object: settings, the store, the validator and the writer lock.

The CLI and the HTTP app (api.create_app) both build one `Registry` and call
its methods; nothing is built at import time.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import networkx as nx
from rdflib import Graph

from registry.bilingual import Text
from registry.config import Settings
from registry.graphs import saved as saved_graphs
from registry.graphs.build import GraphCache, GraphState
from registry.graphs.coverage import (
    COVERAGE_LISTS,
    LOCAL_LEVELS,
    NATIONAL_LEVELS,
    CoverageWalk,
    coverage_page,
    coverage_walk,
    plan_progress,
)
from registry.graphs.queries import (
    Impact,
    ReferenceGroup,
    impact_of,
    index_of,
    list_page,
    reference_groups,
)
from registry.inputs.document import Document, StoreLookup
from registry.inputs.identifiers import IRI_SCHEMES
from registry.inputs.isolated import UploadReaders
from registry.inputs.load import Reading, read_documents
from registry.read.model import ReadModel
from registry.read.queries import resolve_any
from registry.register import review as reviews
from registry.register import submission as registration
from registry.register import versions
from registry.register.automatic import (
    ASSESSED_STATUSES,
    AUTOMATIC_KINDS,
    record_automatic,
    rules_version,
)
from registry.register.base_iri import BaseMismatchError, check_base
from registry.register.review import needs_review
from registry.register.seed import is_empty, seed_store
from registry.register.submission import (
    EntryChange,
    Principal,
    SubmissionResult,
    VersionInfo,
    item_states,
)
from registry.runtime.collector import collector_paused
from registry.runtime.foreground import waiting_for_background
from registry.store import (
    OxigraphStore,
    Store,
    StoreError,
    StoreLockedError,
    backend_kind,
    open_store,
)
from registry.validation.isolated import IsolatedValidator, ValidationWorkers
from registry.validation.validator import Progress, ValidationReport, Validator

logger = logging.getLogger(__name__)
Targets = tuple[int, int]  # the plan's national and local targets


class Registry:
    def __init__(
        self,
        settings: Settings,
        validator: Validator | None = None,
        store: Store | None = None,
        read_only: bool = False,
    ) -> None:
        self.settings = settings
        # Writes nothing: a command that reads. Such a registry reads an embedded store
        # that `screg serve` holds, as a snapshot (beside_a_server).
        self.read_only = read_only
        self.beside_a_server = False
        # Largest submission read, in bytes: the HTTP upload limit by default. The CLI
        # lifts it (None): it reads files its user named on their own machine, and a
        # city's 10,000-resource catalogue is about 40 MB of Turtle.
        self.upload_limit: int | None = settings.max_body_bytes
        # Set by `isolate_uploads` (the API): uploads are then read, and their shapes
        # checked, in limited workers; validations and submissions in pools of their own.
        self.upload_readers: UploadReaders | None = None
        # Readers of their own for validations, which anyone may ask for: two anonymous
        # workbooks that took the whole reading budget held both shared readers, and a
        # department's 4 KB submission waited two minutes for one.
        self._public_readers: UploadReaders | None = None
        self._own_validator = validator is None
        self.validator = validator or Validator()
        self._validation_workers: list[ValidationWorkers] = []
        self._public_validator: Validator | None = None
        self._store = store
        self._store_lock = threading.Lock()
        # One writer per process: a submission reads the current versions and writes
        # the next ones, and two of them interleaved would lose an update.
        self.write_lock = threading.Lock()
        self._base_checked_at: int | None = None  # the generation the base was checked at
        # The read model, opened on first use (registry.read.model).
        self._read_model: ReadModel | None = None
        self._opened_at: int | None = None  # the store's generation when it was opened
        # The dependency graph, kept from the read model (registry.graphs.build).
        self._graphs = GraphCache()
        # The lineage and generation of the graph in `graph_file`, when this process
        # read or wrote it.
        self._graph_saved_at: tuple[str, int] | None = None
        # Set by close: a background re-run of automatic assessments stops between
        # batches (reassess_in_background).
        self._closing = threading.Event()
        self._reassessing: threading.Thread | None = None
        # The reference groups of the current graph (Registry.reference_groups).
        self._groups_kept: tuple[weakref.ref[nx.MultiDiGraph], list[ReferenceGroup]] | None = None
        # The coverage walk of each graph object, by `as_of` (Registry.coverage).
        self._coverage_kept: dict[
            date | None, tuple[nx.MultiDiGraph, tuple[int, int], CoverageWalk]
        ] = {}

    @property
    def store(self) -> Store:
        with self._store_lock:
            if self._store is None:
                store = self._open_store()
                if self.settings.seed and not self.beside_a_server and is_empty(store):
                    # Several processes starting on one empty remote store would each
                    # seed it: under the store-wide writer lock, the later ones find it
                    # seeded and go on.
                    with store.exclusive():
                        if is_empty(store):
                            seed_store(
                                store,
                                self.validator,
                                self.settings.base_iri,
                                automatic=self.settings.automatic_assessments,
                            )
                try:
                    check_base(store, self.settings.base_iri)
                except BaseMismatchError:
                    store.close()
                    raise
                self._store = store
                self._opened_at = store.generation()
            return self._store

    def _open_store(self) -> Store:
        try:
            return open_store(self.settings.store, self.settings)
        except StoreLockedError:
            # The embedded store takes one writing process. A command that only reads
            # reads it while `screg serve` holds it: RocksDB's read-only open, a
            # snapshot as of now, and the read model the server keeps beside it.
            if not self.read_only or backend_kind(self.settings.store) != "path":
                raise
            self.beside_a_server = True
            return OxigraphStore(self.settings.store, read_only=True)

    def _reopen_snapshot(self) -> None:
        with self._store_lock:
            if self._store is not None:
                self._store.close()
            self._store = OxigraphStore(self.settings.store, read_only=True)
            self._opened_at = self._store.generation()

    def _reader_beside_a_server(self, timeout: float = 60.0) -> ReadModel:
        """The read model at the snapshot's generation, which only the server writes:
        it writes the store, then brings the model to it. A model behind the snapshot
        is waited for; one past it (the server wrote since the snapshot was taken)
        means a newer snapshot."""
        model = self._model()
        deadline = time.monotonic() + timeout
        while True:
            ours = self.store.generation()
            if model.follow(ours):
                return model
            theirs = model.generation()
            if theirs is not None and theirs > ours:
                self._reopen_snapshot()
                continue
            if time.monotonic() > deadline:
                raise StoreError(
                    Text(
                        zh=(
                            f"持有 {self.settings.store} 的服务器在 {timeout:g} "
                            f"秒内未将读取模型更新到第 {ours} 代；请稍后再试"
                        ),
                        en=(
                            f"the server holding {self.settings.store} has not brought its "
                            f"read model to generation {ours} in {timeout:g} s; try again"
                        ),
                    ),
                    details={"store_generation": ours, "read_model_generation": theirs},
                )
            time.sleep(0.1)

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

    def graph_file(self) -> Path | None:
        """Where the dependency graph is kept between starts (registry.graphs.saved):
        beside a read model kept in a file (`registry.read.sqlite` -> `registry.graph`);
        None for one in memory."""
        path = self.read_model_path()
        if path == ":memory:":
            return None
        model = Path(path)
        stem = model.name.removesuffix(".sqlite").removesuffix(".read")
        return model.with_name(stem + ".graph")

    def load_graph(self) -> bool:
        """Take up the dependency graph kept in `graph_file` when it was saved for this
        read model by this code (the writes since are applied at the first use, as after
        any write). False when there is none to take up: the graph is assembled then."""
        path = self.graph_file()
        if path is None:
            return False
        found = saved_graphs.load(path, self.reader().lineage())
        if found is None:
            return False
        taken = self._graphs.restore(found)
        if taken:
            self._graph_saved_at = (found.lineage, found.generation)
        return taken

    def forget_graph(self) -> None:
        """Drop the dependency graph this process holds, with what is kept beside it
        (coverage walks, reference groups): the next use assembles it from the model."""
        with self._store_lock:
            self._graphs = GraphCache()
            self._coverage_kept.clear()
            self._groups_kept = None

    def save_graph(self) -> bool:
        """Keep the current dependency graph in `graph_file` for the next start, unless
        it is kept there already at this generation. False when there is nothing to
        keep (no graph assembled yet, a read model in memory)."""
        path = self.graph_file()
        if path is None:
            return False

        def write(state: GraphState) -> bool:
            if (state.lineage, state.generation) != self._graph_saved_at or not path.exists():
                saved_graphs.save(path, state)
                self._graph_saved_at = (state.lineage, state.generation)
            return True

        return bool(self._graphs.keep(write))

    def _model(self) -> ReadModel:
        """The read model, opened (not caught up) on first use."""
        with self._store_lock:
            if self._read_model is None:
                self._read_model = ReadModel(
                    self.read_model_path(), base_iri=self.settings.base_iri
                )
                # Automatic assessments made under other shapes or rules show as
                # outdated until they are run again (docs/assessment.md).
                self._read_model.rules_version = self.rules_version()
            return self._read_model

    def reader(self) -> ReadModel:
        """The read model at the store's generation: caught up first when another
        writer (a process, or a write that did not go through this object) moved it."""
        store = self.store  # opening it tells whether it is a server's, read beside it
        if self.beside_a_server:
            return self._reader_beside_a_server()
        model = self._model()
        model.catch_up(store)
        return model

    def current_reader(self) -> ReadModel | None:
        """The read model when it is at the store's generation already, else None (a
        caller that cannot wait for a catch-up then asks `reader`)."""
        model = self._model()
        return model if model.is_current(self.store) else None

    def graph(self, as_of: date | None = None) -> nx.MultiDiGraph:
        """The dependency graph at the store's generation (as of a day): from the read
        model, brought up to date with what each write changed. Shared: never mutate it."""
        reader = self.reader()
        # The graph may be being assembled in the background, which steps aside for the
        # requests being answered: not for this one, which waits for it.
        with waiting_for_background():
            return self._graphs.get(reader, as_of)

    def impact(
        self,
        root: str,
        change: str | None = None,
        offset: int = 0,
        limit: int | None = None,
        assessments_offset: int = 0,
        assessments_limit: int | None = None,
    ) -> Impact:
        """What `root` superseded or abolished affects (graphs.queries.impact_of; no
        `change`: the one its status says), with
        a page of the assessments against it (`assessments_limit`, None for all),
        flagged to be made again against its successor, and their total."""
        found = impact_of(self.graph(), root, change, offset, limit)  # type: ignore[arg-type]
        found.assessments_total, found.assessments = self.reader().reassessments(
            root, found.successor, limit=assessments_limit, offset=assessments_offset
        )
        found.assessments_offset, found.assessments_limit = assessments_offset, assessments_limit
        return found

    def coverage(
        self, as_of: date | None = None, offset: int = 0, limit: int | None = None
    ) -> dict[str, Any]:
        """The coverage report of `graph(as_of)` against the plan's targets, each of its
        lists from `offset`, at most `limit` long (None: whole), with `pages` (`total`,
        `offset`, `limit`, `next_offset` of each list). The walk is kept with the graph
        object it was made from (graphs are never mutated; a write that changes the graph
        gives a new object): it costs ~0.3 s at 50,000 resources, and each page asks it."""
        walk = self.coverage_walk(as_of)
        report = coverage_page(walk, offset, limit)
        report["pages"] = {
            name: list_page(len(walk.lists[name]), offset, limit) for name in COVERAGE_LISTS
        }
        return report

    def prepare_graph(self) -> None:
        """The current dependency graph, its coverage walk and its walks' index made
        now, ahead of the first page that needs them (a server's start)."""
        self.coverage_walk()
        index_of(self.graph())

    def coverage_walk(self, as_of: date | None = None) -> CoverageWalk:
        """The walk of `coverage`, kept with its graph (graphs.coverage.coverage_walk)."""
        graph = self.graph(as_of)
        targets = (self.settings.target_national, self.settings.target_local)
        with self._store_lock:
            kept = self._coverage_kept.get(as_of)
            if kept is not None and kept[0] is graph and kept[1] == targets:
                return kept[2]
        walk = coverage_walk(graph, *targets)
        with self._store_lock:
            # The current graph's walk and a few dated ones; the graph is held only as
            # long as its walk is.
            if len(self._coverage_kept) >= 8 and as_of not in self._coverage_kept:
                self._coverage_kept.pop(next(iter(self._coverage_kept)))
            self._coverage_kept[as_of] = (graph, targets, walk)
        return walk

    def cycles(self, offset: int = 0, limit: int = 100) -> dict[str, Any]:
        """A page of `reference_groups` (`offset`, at most `limit`): each group as a
        dict, the page's shortest cycles alone under `cycles`, and `total`, `offset`,
        `limit`, `next_offset` (graphs.queries.list_page)."""
        groups = self.reference_groups()
        page = groups[offset : offset + limit]
        return {
            **list_page(len(groups), offset, limit),
            "groups": [group.as_dict() for group in page],
            "cycles": [group.cycle for group in page],
        }

    def reference_groups(self) -> list[ReferenceGroup]:
        """The groups of standards whose references go around in the current graph
        (graphs.queries.reference_groups), kept until the graph changes: ~0.16 s at
        50,000 resources, asked for by every page of /api/v1/cycles. Kept with a weak
        reference to its graph, so that a replaced graph is not held by them."""
        graph = self.graph()
        with self._store_lock:
            kept = self._groups_kept
            if kept is not None and kept[0]() is graph:
                return kept[1]
        groups = reference_groups(graph)
        with self._store_lock:
            self._groups_kept = (weakref.ref(graph), groups)
        return groups

    def targets(self) -> dict[str, dict[str, Any]]:
        """Progress toward the plan's targets today, as the coverage report's `targets`
        say it, counted by the read model: the home page asks for nothing else of the
        report, and needs no graph for it (the first home page after a start or a write
        at 50,000 resources waited 1.3-5.3 s for the graph and the coverage walk)."""
        read = self.reader()
        return {
            "national": plan_progress(
                NATIONAL_LEVELS,
                read.standards_in_force(NATIONAL_LEVELS),
                self.settings.target_national,
            ),
            "local": plan_progress(
                LOCAL_LEVELS, read.standards_in_force(LOCAL_LEVELS), self.settings.target_local
            ),
        }

    def rebuild_read_model(self) -> int:
        """Build the read model again from the store (a missing or damaged file, a store
        restored from a dump); returns the generation it reflects."""
        return self._model().rebuild(self.store)

    def catch_up(self) -> bool:
        """`reader`: the read model brought to the store's generation. True when that
        rebuilt it (missing, emptied by a new schema version, or too far behind the
        store), as a new lineage tells: no kept graph matches it then."""
        lineage = self._model().lineage()
        self.reader()
        return self._model().lineage() != lineage

    def rebuild_for_the_next_start(self) -> int:
        """`rebuild_read_model`, then the dependency graph of the new model assembled and
        kept beside it (registry.graphs.saved), for the commands that rebuild a model
        before a server starts on it (`read-model rebuild`, `import`, `rebase`): a
        rebuild gives the model a new lineage, which no kept graph matches, so without
        this the next start would assemble the graph in the background (seconds at
        50,000 resources) and its first impact page would wait for it. Returns the
        generation the model reflects."""
        generation = self.rebuild_read_model()
        self.keep_graph_now()
        return generation

    def keep_graph_now(self) -> None:
        """The dependency graph assembled (unless it is current already) and kept beside
        a read model in a file, for the next start. The assembly makes millions of
        objects at 50,000 resources, none of them garbage: with the collector paused,
        2.6-3.2 s instead of 4.8-5.4."""
        if self.graph_file() is None:
            return
        with collector_paused():
            self.graph()
        self.save_graph()

    def _leave_the_read_model_current(self) -> None:
        """A process that wrote to the embedded store (a token made, a status changed by
        `screg`) brings the model file beside it up to date before it closes, so that
        the next `screg serve` starts on a model at the store's generation. The next
        opening could catch up from the store's change log as well; this spends the
        work while the writer's records are still fresh in its own process."""
        store = self._store
        if store is None or self._opened_at is None or self.read_model_path() == ":memory:":
            return
        try:
            # A catch-up that rebuilt the model (`screg serve` writes its token before
            # the server starts: a store with no model file was rebuilt here, not in the
            # server) keeps its graph for the next start, as `rebuild_for_the_next_start`
            # does.
            if store.generation() != self._opened_at and self.catch_up():
                self.keep_graph_now()
        except Exception:  # closing must not fail; the next reader catches up instead
            logger.warning("the read model was not brought up to date", exc_info=True)

    def _wrote(self) -> None:
        """The writer's half of the read model: brought up to the write just made, under
        this process's writer lock (not the store-wide one), so that the next reader
        here finds it there."""
        self.reader()

    def isolate_uploads(self) -> None:
        """Read and validate every upload from now on in worker processes limited in
        memory and time (registry/inputs/isolated.py, registry/validation/isolated.py):
        what the API does for documents from the network. The CLI reads and validates
        its user's own files in its own process."""
        if self.upload_readers is None:
            settings = self.settings
            self.upload_readers = UploadReaders(
                settings.upload_workers,
                settings.upload_worker_memory_mb,
                settings.upload_timeout_seconds,
            )
            self._public_readers = UploadReaders(
                settings.validate_concurrency,
                settings.upload_worker_memory_mb,
                settings.upload_timeout_seconds,
            )
            base = self.validator
            submissions = ValidationWorkers(
                base,
                settings.validation_workers,
                settings.validation_worker_memory_mb,
                settings.validation_timeout_seconds,
            )
            validations = ValidationWorkers(
                base,
                settings.validate_concurrency,
                settings.validation_worker_memory_mb,
                settings.validate_timeout_seconds,
            )
            self._validation_workers = [submissions, validations]
            self.validator = IsolatedValidator(base, submissions)
            self._public_validator = IsolatedValidator(base, validations)

    def busy_workers(self) -> dict[str, int]:
        """How many limited workers are at work now: reading uploads, validating
        submissions, validating for `validate` (none outside the API)."""
        busy = {"readers": 0, "validation_readers": 0, "submissions": 0, "validations": 0}
        if self.upload_readers is not None:
            busy["readers"] = self.upload_readers.running()
        if self._public_readers is not None:
            busy["validation_readers"] = self._public_readers.running()
        if self._validation_workers:
            submissions, validations = self._validation_workers
            busy["submissions"] = submissions.running()
            busy["validations"] = validations.running()
        return busy

    def close(self) -> None:
        self._closing.set()
        if self._reassessing is not None:
            # A batch in progress finishes its write first: the store stays whole.
            self._reassessing.join()
            self._reassessing = None
        for readers in (self.upload_readers, self._public_readers):
            if readers is not None:
                readers.close()
        self.upload_readers = self._public_readers = None
        for workers in self._validation_workers:
            workers.close()
        self._validation_workers = []
        if isinstance(self.validator, IsolatedValidator):
            self.validator = self.validator.base
        self._public_validator = None
        # The validator may be shared (tests pass one in): its worker processes are
        # stopped by whoever made it, or at exit.
        if self._own_validator:
            self.validator.close()
        self._leave_the_read_model_current()
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

    def read(self, documents: Sequence[Document], *, public: bool = False) -> Reading:
        """The documents' triples; spreadsheets, OpenAPI and DCAT documents name
        standards and departments that are looked up in the store. In the API, read in a
        limited worker (`isolate_uploads`); with `public` (a validation, which anyone
        may ask for), in one of the validations' own readers."""
        readers = self._public_readers if public else self.upload_readers
        if readers is not None:
            return readers.read(
                documents,
                self.upload_limit,
                base_iri=self.settings.base_iri,
                lookup=StoreLookup(self.store),
            )
        return read_documents(
            documents,
            self.upload_limit,
            base_iri=self.settings.base_iri,
            lookup=StoreLookup(self.store),
        )

    def parse(self, documents: Sequence[Document]) -> Graph:
        """One graph of the documents (registry.inputs.load.Reading.graph)."""
        return self.read(documents).graph()

    def validate(
        self, documents: Sequence[Document], progress: Progress | None = None
    ) -> ValidationReport:
        """Validate with the registry as context; writes nothing. `progress(done, total)`
        is called as entries are validated. In the API, in the validations' own workers:
        anyone may ask for one, so they never wait for, or hold back, a submission."""
        return registration.validate_reading(
            self.read(documents, public=True),
            self.store,
            self.settings.base_iri,
            self._public_validator or self.validator,
            progress,
        )

    def submit(
        self,
        documents: Sequence[Document],
        principal: Principal,
        progress: Progress | None = None,
        provisional: bool = False,
    ) -> SubmissionResult:
        """Register the documents as one submission, through the one submit path
        (registry.register.submission: `decide`, then `write_decision`) whatever
        their format. `provisional`: a provisional registration (missing required
        values are Warnings; the entries lacking them are registered as `submitted`).

        They are read and decided, and their write made and prepared in the store
        (Store.prepare: on a remote store, uploaded), before the writer lock is taken:
        reading and validating a large catalogue takes seconds to minutes, and other
        departments' submissions are written meanwhile. A refusal stands as decided (it
        was true of the register as read). A conforming decision's write is committed
        under the lock if the register's generation is still the one it was decided on;
        otherwise it is discarded, and the documents are read and decided again under
        the lock, against the register as it is now."""
        reading = self.read(documents)
        store, settings = self.store, self.settings
        review = needs_review(principal, settings.review_required, settings.review_departments)
        generation = store.generation()
        decided = self._decide(reading, principal, progress, provisional)
        # The document is not needed for the write: let it go (at 10,000 resources its
        # triples, held through the write, made each full collection of the cyclic
        # collector scan them all again). A decision made again reads it again.
        del reading
        if isinstance(decided, SubmissionResult):
            return decided
        # The write is made and prepared before the lock too: over a remote store that
        # is its upload to the server, which held every other process's writes.
        prepared: registration.PreparedSubmission | None = registration.prepare_decision(
            store, decided, principal, settings.base_iri, settings.report_max_results, review
        )
        try:
            with self.write_lock:
                with self._exclusive():
                    if store.generation() == generation:
                        result = registration.commit_submission(store, prepared)
                        prepared = None
                    else:
                        store.discard(prepared.write)
                        prepared = None
                        decided = self._decide(
                            self.read(documents), principal, progress, provisional
                        )
                        if isinstance(decided, SubmissionResult):
                            return decided
                        result = registration.write_decision(
                            store,
                            decided,
                            principal,
                            settings.base_iri,
                            settings.report_max_results,
                            review,
                        )
                    if result.submission is not None:
                        self._assess_automatically(result)
                if result.submission is not None:
                    # This process's read model, brought up to its writes under its
                    # own lock but past the store-wide one: over a remote store, the
                    # other processes' writers waited for it (a 2,000-resource
                    # submission held them 63 s after its publish). A write of theirs
                    # meanwhile is in the change log, which the catch-up reads too.
                    self._wrote()
                return result
        finally:
            if prepared is not None:  # the lock was not had, or its wait was cut short
                store.discard(prepared.write)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """This process's writer lock and the store-wide one (`_exclusive`)."""
        with self.write_lock, self._exclusive():
            yield

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """The store-wide writer lock, with the store's base checked under it (when the
        generation moved since the last check): a process that kept running while
        `screg rebase` moved a remote store went on minting entries under the old base,
        and the store mixed both. Its writes are 409 base_mismatch now, until it is
        started again with the new base."""
        with self.store.exclusive():
            generation = self.store.generation()
            if generation != self._base_checked_at:
                check_base(self.store, self.settings.base_iri)
                self._base_checked_at = generation
            yield

    def _decide(
        self,
        reading: Reading,
        principal: Principal,
        progress: Progress | None,
        provisional: bool,
    ) -> registration.Decision | SubmissionResult:
        """The one submit path's decision on a reading, against the register as it is."""
        return registration.decide(
            self.store,
            self.validator,
            reading,
            principal,
            self.settings.base_iri,
            progress,
            provisional,
        )

    def try_submit(
        self,
        documents: Sequence[Document],
        principal: Principal,
        progress: Progress | None = None,
        provisional: bool = False,
    ) -> SubmissionResult:
        """What `submit` would make of the documents, writing nothing (`screg register
        --dry-run`): the same reading and decision (ownership, the IRI rules, hashes,
        validation; registration.decide) and what the write would make of each entry
        (registration.planned_changes: its outcome and version, the write's refusals
        raised), against the register as it is now. The result has no submission. Works
        on a registry opened read-only, beside a server that holds the store."""
        settings = self.settings
        decided = self._decide(self.read(documents), principal, progress, provisional)
        if isinstance(decided, SubmissionResult):
            return decided
        review = needs_review(principal, settings.review_required, settings.review_departments)
        changes = registration.planned_changes(
            self.store, decided.kinds, decided.hashes, decided.states, review
        )
        registration.mark_provisional(changes, decided.incomplete)
        return SubmissionResult(None, decided.report, changes, decided.ignored)

    def rules_version(self) -> str:
        """The version of the automatic assessment rules and the shapes now loaded
        (registry.register.automatic.rules_version)."""
        return rules_version(self.validator.shapes.sha256)

    def assess_all(
        self,
        *,
        outdated_only: bool = False,
        batch: int = 500,
        progress: Progress | None = None,
    ) -> list[SubmissionResult]:
        """Run the automatic assessment rules over every registered resource and
        interface (and the catalogues and departments listing or providing them), or,
        with `outdated_only`, over the subjects of the automatic assessments made under
        other rules or shapes than those loaded now (docs/assessment.md, "Re-run after
        the shapes or the rules change") and the valid resources and interfaces that
        have none (a server stopped by force between a submission and its assessments;
        the start's background run then makes them). `batch` entries per write, each under the
        writer lock on its own, so that submissions go on between them (a background
        re-run after a start with new shapes); only the assessments whose content
        changes are written. `progress(done, total)` counts the entries assessed, after
        each batch. Returns the writes made; stops early when the registry is closed."""
        read = self.reader()
        if outdated_only:
            subjects = read.outdated_subjects(self.rules_version())
            subjects += read.unassessed_subjects(ASSESSED_STATUSES)
            states = item_states(self.store, subjects)
            entries = sorted(
                (iri, state.kind)
                for iri, state in states.items()
                if state.kind in (*AUTOMATIC_KINDS, "department")
                and state.status in ASSESSED_STATUSES
            )
        else:
            entries = [
                (record["iri"], kind)
                for kind in ("resource", "interface")
                for record in _every(read, kind)
                if record["register"]["status"] in ASSESSED_STATUSES
            ]
        made: list[SubmissionResult] = []
        if progress is not None:
            progress(0, len(entries))
        for start in range(0, len(entries), batch):
            if self._closing.is_set():
                break
            with self._writing():
                for result in record_automatic(
                    self.store,
                    self.validator,
                    entries[start : start + batch],
                    self.settings.base_iri,
                ):
                    if result.submission is not None:
                        self._wrote()
                        made.append(result)
            if progress is not None:
                progress(min(start + batch, len(entries)), len(entries))
        return made

    def reassess_in_background(self) -> threading.Thread | None:
        """With `automatic_assessments` and a store this process writes: re-run, in a
        thread, the automatic assessments that the shapes or rules now loaded make
        outdated (`assess_all(outdated_only=True)`). A start never waits for it: until
        each is run again, the answers show it as outdated."""
        if not self.settings.automatic_assessments or self.read_only:
            return None

        def run() -> None:
            try:
                made = self.assess_all(outdated_only=True)
                if made:
                    logger.info("outdated automatic assessments re-run: %d writes", len(made))
            except Exception:  # a background job: logged, the server goes on
                logger.exception("re-running outdated automatic assessments failed")

        thread = threading.Thread(target=run, name="screg-reassess", daemon=True)
        thread.start()
        self._reassessing = thread
        return thread

    def _assess_automatically(self, result: SubmissionResult) -> None:
        """With `automatic_assessments`, record the automatic assessments of the
        resources, interfaces and catalogues `result` made new versions of, and of the
        catalogues and departments listing or providing those resources (registry.
        register.automatic): further writes, through the one submit path, under the
        same lock. The caller brings the read model up to them."""
        if not self.settings.automatic_assessments:
            return
        changed = [
            (c.item, c.kind)
            for c in result.changes
            if c.kind in AUTOMATIC_KINDS and c.outcome in ("new", "updated")
        ]
        if changed:
            for made in record_automatic(
                self.store, self.validator, changed, self.settings.base_iri
            ):
                if made.submission is not None:
                    result.automatic += made.changes

    # -- register items ------------------------------------------------------------

    def resolve(self, ident: str) -> str:
        """The IRI of the item `ident` names, in any spelling the REST API accepts (an
        IRI, an identifier, a code or its slug, an undated identifier: its edition in
        force)."""
        return resolve_any(self.store, ident)

    def change_status(
        self,
        ident: str,
        status: str,
        principal: Principal,
        successor: str | None = None,
        reason: str | None = None,
    ) -> EntryChange:
        # A write names one edition: an undated identifier is not resolved here.
        item = resolve_any(self.store, ident, undated=False)
        successor_iri = resolve_any(self.store, successor, undated=False) if successor else None
        with self._writing():
            change = registration.change_status(
                self.store,
                item,
                status,
                principal,
                self.settings.base_iri,
                successor_iri,
                reason,
                self.validator,
            )
            self._wrote()
            return change

    def transfer(
        self, ident: str, department: str, principal: Principal, reason: str
    ) -> EntryChange:
        """Give the entry `ident` to `department` (its credit code or IRI): a registrar's
        transfer, with a reason (registration.transfer_owner)."""
        item = resolve_any(self.store, ident, undated=False)
        owner = resolve_any(self.store, department, undated=False)
        with self._writing():
            former = registration.current_owners(self.store, [item]).get(item, set())
            change = registration.transfer_owner(
                self.store, item, owner, principal, self.settings.base_iri, reason
            )
            if self.settings.automatic_assessments:
                # The entry's automatic assessments move with it (their owner follows
                # the entry's), and a resource's former provider's whole loses it:
                # before, they kept the former owner and every later automatic write
                # was refused.
                wholes = [(f, "department") for f in sorted(former)]
                record_automatic(
                    self.store,
                    self.validator,
                    [(item, change.kind), *(wholes if change.kind == "resource" else [])],
                    self.settings.base_iri,
                )
            self._wrote()
            return change

    def review_item(self, ident: str) -> str:
        """The item `ident` names for a review: an IRI as it is (a new entry waiting for
        review is in no list yet), else any name of a registered entry."""
        ident = ident.strip()
        if ident.startswith(IRI_SCHEMES):
            return ident
        return resolve_any(self.store, ident, undated=False)

    def review(
        self, ident: str, accept: bool, principal: Principal, reason: str | None = None
    ) -> EntryChange:
        """Accept or reject the version of `ident` (`review_item`) waiting for review
        (review.decide)."""
        item = self.review_item(ident)
        with self._writing():
            change = reviews.decide(
                self.store, item, accept, principal, self.settings.base_iri, reason, self.validator
            )
            self._wrote()
            return change

    def history(self, ident: str) -> list[VersionInfo]:
        return registration.history(self.store, self.resolve(ident))

    def version_changes(self, ident: str, version: int) -> versions.Difference:
        """What version `version` of the item `ident` names changed against the one
        before it (registry.register.versions)."""
        return versions.changes_of(self.store, self.resolve(ident), version)

    def show(self, ident: str, version: int | None = None) -> Graph:
        return registration.read_version(self.store, self.resolve(ident), version)


def _every(read: ReadModel, kind: str, page: int = 500) -> list[dict[str, Any]]:
    """Every list record of `kind`, a page at a time."""
    found: list[dict[str, Any]] = []
    while True:
        items = read.list_entries(kind, limit=page, offset=len(found)).items
        found.extend(items)
        if len(items) < page:
            return found
