"""The read model: every entry's list record in SQLite, beside the store.

The lists, searches, filters and counts were answered from `queries.Snapshot`, every
record of every entry held in memory and built from the store per generation (~34 s
cold at 50,000 resources, in every process that starts). Here the same records live
in a SQLite file: a start opens it instead of building it, another process reads what
the writer put there, and a list is an index read rather than a scan of every record.

- The records are `queries.build_records`' output, stored as JSON exactly as a
  Snapshot holds them; the columns beside them (kind, sort key, status, level,
  register status, publisher, category codes, reference edges, folded search text)
  are copies taken from the record, so that SQL can filter and sort.
- Text search narrows with an FTS5 trigram index (it handles Chinese, which has no
  word boundaries) and then applies `queries.texts_match` to the candidates' folded
  texts, the predicate `queries._matcher` applies: the answers are the Snapshot's.
  A needle shorter than a trigram cannot use the index and scans with instr().
- The model records the store generation it reflects. `apply` re-builds the records a
  write touched and those naming them (their reference names change with them);
  `catch_up` finds what changed from the store's change log, or rebuilds.
- `apply` also logs, per generation, the IRIs whose records it rewrote (`rewrites`),
  in the same transaction, so that what is derived from the records (the dependency
  graph of registry.graphs) can follow a write by reading those entries only
  (`entry_fields(since=...)`), in this process or in any other reading the file.
- Readers never see half a write: every write is one transaction, every read runs in
  one (the file is in WAL mode, so a read never waits for a write). Each thread has
  its own connection to a file; an in-memory model (":memory:", one connection) is
  read and written under a lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from registry.bilingual import Text
from registry.errors import ConflictError, InputError, NotFoundError
from registry.inputs.identifiers import IRI_SCHEMES, lookup_spellings
from registry.read import conformity
from registry.read.filters import CATEGORY, CODE_COLUMNS, FILTERS
from registry.read.queries import (
    CATEGORY_SCHEME,
    KINDS,
    REFERENCE_KEYS,
    REFERRING_KINDS,
    Concept,
    Page,
    build_records,
    category_codes_under,
    category_node,
    category_tree_from,
    code_filter,
    data_items_in_batches,
    edition_in_force,
    load_concepts,
    reference_keys,
    search_needles,
    search_texts,
    sorted_editions,
    standard_summary,
    texts_match,
    undated_identifier,
)
from registry.read.tables import TITLES
from registry.register.lifecycle import IN_FORCE_REGISTER_STATUS, IN_FORCE_STANDARD_STATUS
from registry.runtime.foreground import courteous
from registry.store import Store

# Bumped whenever the tables or what a row holds change: a file of another version is
# emptied on open and rebuilt by the next catch_up, never read.
SCHEMA_VERSION = 6

# The FTS5 trigram tokenizer indexes runs of three characters; a shorter needle
# matches no trigram and is looked for with instr() instead.
TRIGRAM = 3

# Indexes added after schema 6 without a new version: made on open where they are
# missing, so that a model file of that version is kept, not rebuilt (a rebuild takes
# minutes at 50,000 resources).
LIFECYCLE_INDEX = (
    "CREATE INDEX IF NOT EXISTS entries_lifecycle "
    "ON entries (kind, register_status, status, level, iri);"
)
# A text search for a needle shorter than a trigram (数据, 交通: most Chinese words are
# two characters) scans `search` with instr(): along this index, whose rows hold the
# text, not along the table's rows, where `search` sits behind each record. At 50,000
# resources: 0.2 s -> 0.03 s a search, for 27 MB of index.
SEARCH_INDEX = "CREATE INDEX IF NOT EXISTS entries_search ON entries (kind, sort_key, iri, search);"
ADDED_INDEXES = (LIFECYCLE_INDEX, SEARCH_INDEX)

# Every table but meta, dropped and made again by a rebuild: dropping is one step,
# where deleting row by row would make the FTS triggers un-index every row first.
_DATA_SCHEMA = """
CREATE TABLE concepts (
  iri TEXT PRIMARY KEY,
  scheme TEXT NOT NULL,
  notation TEXT NOT NULL,
  label TEXT NOT NULL,          -- JSON: language -> label
  broader TEXT
);
CREATE TABLE entries (
  n INTEGER PRIMARY KEY,        -- the row of the entry in entry_text
  iri TEXT NOT NULL,
  kind TEXT NOT NULL,           -- standard, department, resource, interface
  id TEXT,
  sort_key TEXT NOT NULL,       -- str(id or ""): the lists' order is (sort_key, iri)
  href TEXT,
  status TEXT,                  -- standard status code
  level TEXT,                   -- standard level code
  register_status TEXT,
  publisher_id TEXT,
  publisher_iri TEXT,
  sharing_type TEXT,            -- a resource's code-list codes, for the lists' filters
  openness TEXT,
  update_cycle TEXT,
  resource_class TEXT,
  record TEXT NOT NULL,         -- JSON: the record as Snapshot.records[kind] holds it
  data_items TEXT,              -- JSON: a resource's data items, which its answer shows
  search TEXT NOT NULL,         -- queries.search_texts(record), joined by newlines
  -- A subject typed with several kinds' classes is listed under each, as in a Snapshot.
  UNIQUE (iri, kind)
);
CREATE INDEX entries_list ON entries (kind, sort_key, iri);
CREATE INDEX entries_id ON entries (id);  -- lookups by identifier or code
CREATE INDEX entries_publisher ON entries (kind, publisher_iri);  -- covers departments()
CREATE INDEX entries_publisher_id ON entries (kind, publisher_id, sort_key, iri);
-- The lists' filters (registry.read.filters): one index per filtered column, each
-- read in list order, so that a filtered page is an index range, not a scan.
CREATE INDEX entries_register_status ON entries (kind, register_status, sort_key, iri);
CREATE INDEX entries_status ON entries (kind, status, sort_key, iri);
CREATE INDEX entries_level ON entries (kind, level, sort_key, iri);
CREATE INDEX entries_sharing_type ON entries (kind, sharing_type, sort_key, iri);
CREATE INDEX entries_openness ON entries (kind, openness, sort_key, iri);
CREATE INDEX entries_update_cycle ON entries (kind, update_cycle, sort_key, iri);
CREATE INDEX entries_resource_class ON entries (kind, resource_class, sort_key, iri);
-- The home page's counts of standards in force and by status (category tree, plan
-- targets, application) read entries_lifecycle alone, never the rows and their
-- records: 10,000 standards' rows cost 30-90 ms a count at 50,000 resources. Short
-- text needles scan entries_search (SEARCH_INDEX).
{ADDED_INDEXES}
-- The home page's "recently registered": newest current versions first.
CREATE INDEX entries_recent
  ON entries (json_extract(record, '$.register.time') DESC, kind, sort_key);
CREATE TABLE entry_categories (
  n INTEGER NOT NULL,           -- entries.n
  code TEXT NOT NULL
);
CREATE INDEX entry_categories_code ON entry_categories (code, n);
CREATE INDEX entry_categories_n ON entry_categories (n);
CREATE TABLE edges (
  source TEXT NOT NULL,
  kind TEXT NOT NULL,           -- the kind of the source's record that holds the reference
  relation TEXT NOT NULL,       -- the record field: publisher, replaces, conforms_to, ...
  target TEXT NOT NULL,
  PRIMARY KEY (target, relation, source, kind)
) WITHOUT ROWID;
CREATE INDEX edges_source ON edges (source);
-- One row per assessment (entries.n) with what the conformity answers count, so that
-- they are aggregates over indexed columns, never a parse of every record
-- (registry.read.conformity).
CREATE TABLE assessments (
  n INTEGER PRIMARY KEY,        -- entries.n
  iri TEXT NOT NULL,
  subject TEXT NOT NULL,
  test TEXT NOT NULL,
  automatic INTEGER NOT NULL,   -- earl:automatic: a manual one counts first
  outcome TEXT,                 -- passed, failed, cantTell, inapplicable
  date TEXT NOT NULL,           -- '' when none
  valid_until TEXT,
  counted INTEGER NOT NULL,     -- its register status keeps it counted
  rules TEXT                    -- an automatic one's scs:rulesVersion
);
CREATE INDEX assessments_test ON assessments (test, counted, subject);
CREATE INDEX assessments_subject ON assessments (subject, counted, test);
CREATE INDEX assessments_rules ON assessments (automatic, rules);
-- The IRIs whose records `apply` rewrote, at the generation it brought the model to;
-- complete from meta's rewrites_since (a rebuild starts it again, old ones are pruned).
CREATE TABLE rewrites (
  generation INTEGER NOT NULL,
  iri TEXT NOT NULL
);
CREATE INDEX rewrites_generation ON rewrites (generation, iri);
CREATE VIRTUAL TABLE entry_text USING fts5 (
  search, content='entries', content_rowid='n', tokenize='trigram'
);
CREATE TRIGGER entries_text_insert AFTER INSERT ON entries BEGIN
  INSERT INTO entry_text (rowid, search) VALUES (new.n, new.search);
END;
CREATE TRIGGER entries_text_delete AFTER DELETE ON entries BEGIN
  INSERT INTO entry_text (entry_text, rowid, search) VALUES ('delete', old.n, old.search);
END;
""".replace("{ADDED_INDEXES}", "\n".join(ADDED_INDEXES))
_DATA_TABLES = (
    "entry_text",
    "rewrites",
    "assessments",
    "edges",
    "entry_categories",
    "entries",
    "concepts",
)

# The statements of _DATA_SCHEMA that a rebuild runs after filling the tables.
_MADE_AFTER_A_FILL = ("CREATE INDEX", "CREATE TRIGGER")

_META_SCHEMA = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"

# Many IRIs go into one statement as one JSON array parameter (json_each), which has
# no limit on the number of values, unlike a list of ? placeholders.
_IN_JSON = "(SELECT value FROM json_each(?))"
# The statuses of the standards an entry's answer references (ReadModel.entry), by the
# (iri, kind) key: `+kind` keeps SQLite from the index (kind, status, ...), which covers
# the columns asked for and which it took for a plain `kind =`, reading every
# standard's entry (10,000 at 50,000 resources) on each lookup: never-asked lookups of
# standards fell from 871 to 361 a second (docs/benchmarks.md).
REFERENCE_STATUSES = (
    f"SELECT iri, status FROM entries WHERE iri IN {_IN_JSON} AND +kind = 'standard'"
)

_ORDER = "ORDER BY sort_key, iri"

# The columns of the entries table, as _insert fills them.
_ENTRY_COLUMNS = 14 + len(CODE_COLUMNS)

# How long `close` waits for the transactions in flight (a rebuild at 50,000 resources
# writes for minutes: its connections are then left to the process's exit).
CLOSE_WAIT_SECONDS = 30.0

# Generations of rewrites kept: a reader further behind reads everything again (a
# whole-registry read of the model is about what reading this many writes' IRIs costs
# when each rewrote hundreds of records).
REWRITES_KEPT = 256


@dataclass(frozen=True)
class EntryFields:
    """Values out of the entries' records, read in one transaction (`entry_fields`)."""

    generation: int  # the store generation they reflect
    # The IRIs whose records were rewritten since the generation asked for (entries
    # or not any more); None when every entry was read.
    changed: frozenset[str] | None
    # (iri, kind, [the value at each path, None where the record has none]), in
    # (iri, kind) order: an IRI typed with several kinds' classes has one row each.
    rows: list[tuple[str, str, list[Any]]]
    # (source, kind, relation, target) of the same entries, sorted; as `edges`.
    edges: list[tuple[str, str, str, str]]
    # Every concept, as `concepts()`, when every entry was read (a write to the
    # ontology rebuilds the model, so a read of the rewritten entries needs none).
    concepts: dict[str, Concept] | None = None
    # The model's lineage (`ReadModel.lineage`) they were read from.
    lineage: str = ""


class ModelNotBuiltError(RuntimeError):
    """The model holds no registry yet (or one of another schema or base IRI): call
    `catch_up` or `rebuild` before reading it."""


class ReadModel:
    """The list records of a registry in the SQLite file at `path` (":memory:" for one
    that lives as long as this object), created when missing.

    `base_iri` is the registry's: a file built for another one is treated as unbuilt.
    Reads raise ModelNotBuiltError until a `rebuild` or `catch_up`."""

    def __init__(self, path: str | Path, *, base_iri: str | None = None) -> None:
        self.path = str(path)
        self._memory = self.path == ":memory:"
        # Builds (which read the store) and writes, one at a time in this process.
        self._write_lock = threading.RLock()
        # The one connection of an in-memory model, which every thread shares.
        self._memory_lock = threading.RLock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        # The generation this process last brought the model to: a reader whose store
        # is there too needs no lock and no read of the file.
        self._known: int | None = None
        # The rules version automatic assessments are current under (set by the
        # Registry from its shapes): one made under another is counted as outdated.
        self.rules_version: str | None = None
        # Transactions in flight, and the condition `close` waits on for none.
        self._active = 0
        self._idle = threading.Condition()
        self._shared = self._connect() if self._memory else None
        self._prepare(base_iri)

    # -- connections and transactions ---------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: the transactions are the explicit BEGINs below, not the
        # ones the sqlite3 module would open on its own before a write.
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        if not self._memory:
            db.execute("PRAGMA journal_mode=WAL")
            # A commit lost to a power cut costs a catch_up, not data: the store is
            # the record, this is derived from it.
            db.execute("PRAGMA synchronous=NORMAL")
            # A rebuild writes the whole model through the WAL; cut the file back after
            # the checkpoint instead of keeping it at that size for good.
            db.execute("PRAGMA journal_size_limit=67108864")
        with self._connections_lock:
            self._connections.append(db)
        return db

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise sqlite3.ProgrammingError(f"the read model at {self.path} is closed")
        if self._shared is not None:
            return self._shared
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    @contextmanager
    def _in_use(self) -> Iterator[None]:
        """Count a transaction in flight, so that `close` waits for it."""
        with self._idle:
            self._active += 1
        try:
            yield
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every statement in it sees the same committed state."""
        with self._in_use(), self._memory_lock if self._memory else nullcontext():
            db = self._connection()
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.execute("COMMIT")

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, all of it or nothing."""
        with self._in_use(), self._memory_lock if self._memory else nullcontext():
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        """Close every connection this model opened (in any thread), once the
        transactions in flight are done: closing a connection another thread is reading
        through crashed the process (a segmentation fault in sqlite3), as when a server
        stopped while its graph was being assembled in the background. New transactions
        are refused from here on. A transaction still running after CLOSE_WAIT_SECONDS
        keeps its connections open; the process's exit closes them."""
        self._closed = True
        with self._idle:
            if not self._idle.wait_for(lambda: self._active == 0, CLOSE_WAIT_SECONDS):
                return
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for db in connections:
            db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ReadModel({self.path!r})"

    # -- the schema and the meta table -----------------------------------------------

    def _prepare(self, base_iri: str | None) -> None:
        with self._write_lock, self._writing() as db:
            db.execute(_META_SCHEMA)
            meta = _meta(db)
            if meta.get("schema_version") != str(SCHEMA_VERSION):
                _drop_data(db)
                _create_data(db)
                db.execute("DELETE FROM meta")
                _set_meta(db, schema_version=str(SCHEMA_VERSION), generation=None)
            elif base_iri is not None and meta.get("base_iri") != base_iri:
                # Built for another registry: its IRIs are not this one's.
                _set_meta(db, generation=None)
            for index in ADDED_INDEXES:
                db.execute(index)
            if base_iri is not None:
                _set_meta(db, base_iri=base_iri)
            if _meta(db).get("lineage") is None:
                _set_meta(db, lineage=uuid.uuid4().hex)

    def lineage(self) -> str:
        """A random id this model file was given when it was made and at each rebuild:
        what is derived from the model and kept apart (registry.graphs.saved) is of this
        model only while the lineage is the same."""
        with self._reading() as db:
            return str(_meta(db)["lineage"])

    def generation(self) -> int | None:
        """The store generation the model reflects; None while it is not built."""
        with self._reading() as db:
            return _generation(db)

    def base_iri(self) -> str | None:
        """The base IRI of the registry the model was opened or built for."""
        with self._reading() as db:
            return _meta(db).get("base_iri")

    # -- building -------------------------------------------------------------------

    def rebuild(self, store: Store) -> int:
        """Every record built from the store from scratch and written in one
        transaction; returns the store generation the model now reflects."""
        with self._write_lock:
            # Read before anything else: the records are as of this generation or
            # later, and a later catch_up re-reads whatever was written after it.
            generation = store.generation()
            concepts = load_concepts(store)
            built = build_records(store, concepts)
            with self._writing() as db:
                _drop_data(db)
                _create_data(db, indexed=False)
                db.executemany(
                    "INSERT INTO concepts VALUES (?, ?, ?, ?, ?)",
                    (
                        (c.iri, c.scheme, c.notation, _json(c.label), c.broader)
                        for c in concepts.values()
                    ),
                )
                _insert(db, built.records, built.data_items, first=1)
                resources = [r["iri"] for r in built.records["resource"]]
                del built  # every record is in the file: let the batches use the memory
                for items in data_items_in_batches(store, resources, concepts):
                    db.executemany(
                        "UPDATE entries SET data_items = ? WHERE iri = ? AND kind = 'resource'",
                        ((_json(listed), iri) for iri, listed in items.items()),
                    )
                _index_data(db)
                # The log of rewrites starts here: what changed before is unknown.
                _set_meta(
                    db,
                    generation=str(generation),
                    rewrites_since=str(generation),
                    lineage=uuid.uuid4().hex,
                )
            return generation

    def apply(
        self, store: Store, changed_iris: Iterable[str], generation: int | None = None
    ) -> int:
        """The records of the `changed_iris` read again from the store, with those of
        the entries that name one of them (a reference shows its target's name); the
        records of those that are no entries any more removed. One transaction.

        `changed_iris` must hold every subject written since the model's generation,
        and `generation` is the store generation they bring it to (what `Store.write`
        returned; by default the store's generation now, which is right only when no
        other write came in between). A write that touches a concept of the
        ontology rebuilds the model. Returns the generation the model now reflects."""
        with self._write_lock:
            if generation is None:
                generation = store.generation()
            changed = set(changed_iris)
            with self._reading() as db:
                _require_built(db)
                concepts = _concepts(db)
            if not changed.isdisjoint(concepts):
                # The ontology was written: every record names concepts.
                return self.rebuild(store)
            with self._reading() as db:
                naming = {
                    source
                    for (source,) in db.execute(
                        f"SELECT DISTINCT source FROM edges WHERE target IN {_IN_JSON}",
                        (json.dumps(sorted(changed)),),
                    )
                }
                # A replacement link shows on both editions (queries._inverse_links):
                # the other end of every link a changed entry held is rewritten too...
                linked = {
                    target
                    for (target,) in db.execute(
                        f"SELECT target FROM edges WHERE source IN {_IN_JSON} "
                        "AND relation IN ('replaces', 'replaced_by')",
                        (json.dumps(sorted(changed)),),
                    )
                }
            subjects = sorted(changed | naming | linked)
            built = build_records(store, concepts, subjects)
            # ... and of every link it holds now.
            gained = _linked_editions(built.records) - set(subjects)
            if gained:
                subjects = sorted({*subjects, *gained})
                built = build_records(store, concepts, subjects)
            with self._writing() as db:
                if (_generation(db) or 0) > generation:
                    # Another process caught the file up further meanwhile.
                    return _generation(db) or generation
                listed = json.dumps(subjects)
                db.execute(
                    "DELETE FROM entry_categories WHERE n IN "
                    f"(SELECT n FROM entries WHERE iri IN {_IN_JSON})",
                    (listed,),
                )
                db.execute(f"DELETE FROM edges WHERE source IN {_IN_JSON}", (listed,))
                db.execute(
                    "DELETE FROM assessments WHERE n IN "
                    f"(SELECT n FROM entries WHERE iri IN {_IN_JSON})",
                    (listed,),
                )
                db.execute(f"DELETE FROM entries WHERE iri IN {_IN_JSON}", (listed,))
                (last,) = db.execute("SELECT coalesce(max(n), 0) FROM entries").fetchone()
                _insert(db, built.records, built.data_items, first=last + 1)
                _log_rewrites(db, generation, subjects)
                _set_meta(db, generation=str(generation))
            return generation

    @property
    def in_memory(self) -> bool:
        """Whether the model lives in memory (one connection, read under a lock) rather
        than in a file that readers open without waiting for the writer."""
        return self._memory

    def follow(self, generation: int) -> bool:
        """Whether the file is at `generation`, brought there by the process that writes
        the store (`screg serve`, beside a command that reads a snapshot of its store):
        if so, reads go ahead at it, and this process never writes the file."""
        if self.generation() != generation:
            return False
        self._known = generation
        return True

    def is_current(self, store: Store) -> bool:
        """Whether the model reflects the store's generation now (`catch_up` would do
        nothing): one read of the generation, no lock."""
        return store.generation() == self._known

    def catch_up(self, store: Store) -> int:
        """Bring the model to the store's generation: nothing when it is there; the
        subjects written since applied when the store can list them (and they are at
        most half as many as the entries, as for the Snapshot); else a rebuild.
        Returns the generation the model now reflects."""
        current = store.generation()
        if current == self._known:
            return current
        with self._write_lock:
            self._known = self._catch_up(store)
            return self._known

    def _catch_up(self, store: Store) -> int:
        # Read before the change list: what is written after it is in the list
        # too (a superset), and is applied again by the next catch_up.
        current = store.generation()
        ours = self.generation()
        if ours == current:
            return current
        if ours is not None:
            changed = store.changes_since(ours)
            if changed is not None and len(changed) <= self._entry_count() // 2:
                return self.apply(store, changed, current)
        return self.rebuild(store)

    def _entry_count(self) -> int:
        with self._reading() as db:
            (count,) = db.execute("SELECT count(DISTINCT iri) FROM entries").fetchone()
        return int(count)

    # -- reading ----------------------------------------------------------------------

    def concepts(self) -> dict[str, Concept]:
        """Every SKOS concept of the ontology (categories and code lists), by IRI, as
        `queries.load_concepts` read them at the last rebuild."""
        with self._reading() as db:
            _require_built(db)
            return _concepts(db)

    def search_standards(
        self,
        *,
        category: str | None = None,
        status: str | None = None,
        register_status: str | None = None,
        level: str | None = None,
        q: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page:
        """As `queries.search_standards`: standards by category (sub-categories
        included), standard status, register status, level and text, sorted by
        identifier, one page of them; an unknown category is NotFoundError, an unknown
        code InputError, checked in the same order."""
        return self.list_entries(
            "standard",
            q=q,
            limit=limit,
            offset=offset,
            category=category,
            status=status,
            level=level,
            register_status=register_status,
        )

    def list_entries(
        self,
        kind: str,
        *,
        q: str | None = None,
        publisher: str | None = None,
        limit: int = 50,
        offset: int = 0,
        **filters: str | None,
    ) -> Page:
        """As `queries.list_entries`: the entries of `kind`, optionally those of one
        publisher (credit code) or matching a text, one page of them; and filtered by
        any of registry.read.filters' FILTERS (`sharing_type="1"`, `category="3"`: its
        sub-categories included), each an indexed column. A value not in its code list
        is InputError (an unknown category NotFoundError), an unknown filter name
        InputError naming the known ones. A filter on a field the kind lacks matches
        nothing, as a text no record holds does."""
        if kind not in KINDS:
            raise KeyError(kind)  # as a Snapshot's records[kind]
        if publisher is not None:
            filters.setdefault("department", publisher)
        with self._reading() as db:
            _require_built(db)
            where, params = _filtered(db, kind, filters)
            return _page(db, where, params, q, limit, offset)

    def each_entry(
        self, kind: str, *, q: str | None = None, **filters: str | None
    ) -> Iterator[dict[str, Any]]:
        """Every entry `list_entries` would page through, in list order, one record at a
        time, a resource with its `data_items` (a download is re-imported, and the
        catalogue template has them): a download of 50,000 resources holds no list of
        every record. Read in
        batches of _BATCH, each its own short read transaction taken up after the last
        (sort key, IRI) given, so no transaction is held while the caller works and a
        write meanwhile can neither repeat nor skip an entry it did not change (one it
        changed comes in its new version, one it removed not at all)."""
        if kind not in KINDS:
            raise KeyError(kind)
        if q:
            with self._reading() as db:
                _require_built(db)
                where, params = _filtered(db, kind, filters)
                matched = _matched(db, " AND ".join(where), params, q)
                names = dict(
                    db.execute(
                        f"SELECT n, iri FROM entries WHERE n IN {_IN_JSON}", (json.dumps(matched),)
                    )
                )
            iris = [names[n] for n in matched]
            for start in range(0, len(iris), _BATCH):
                chunk = iris[start : start + _BATCH]
                with self._reading() as db:
                    texts = {
                        iri: (record, items)
                        for iri, record, items in db.execute(
                            "SELECT iri, record, data_items FROM entries "
                            f"WHERE kind = ? AND iri IN {_IN_JSON}",
                            (kind, json.dumps(chunk)),
                        )
                    }
                yield from (_with_items(*texts[iri]) for iri in chunk if iri in texts)
            return
        after: tuple[str, str] | None = None
        while True:
            with self._reading() as db:
                _require_built(db)
                where, params = _filtered(db, kind, filters)
                if after is not None:
                    where.append("(sort_key, iri) > (?, ?)")
                    params.extend(after)
                rows = db.execute(
                    f"SELECT sort_key, iri, record, data_items FROM entries "
                    f"WHERE {' AND '.join(where)} {_ORDER} LIMIT ?",
                    [*params, _BATCH],
                ).fetchall()
            yield from (_with_items(text, items) for _, _, text, items in rows)
            if len(rows) < _BATCH:
                return
            after = (rows[-1][0], rows[-1][1])

    def department_page(
        self,
        *,
        q: str | None = None,
        register_status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page:
        """One page of the departments, as `list_entries`, each with how many resources
        and interfaces it provides (`departments()`' "provides"), counted for the
        departments of the page only."""
        page = self.list_entries(
            "department", q=q, register_status=register_status, limit=limit, offset=offset
        )
        with self._reading() as db:
            provided = _provided(db, [record["iri"] for record in page.items])
        items = [{**record, "provides": provided[record["iri"]]} for record in page.items]
        return Page(page.total, page.limit, page.offset, items)

    def recent(self, limit: int = 12) -> list[dict[str, Any]]:
        """The entries whose current version was made last, newest first: kind, id,
        label, version and its time (ISO 8601 with its offset; pages show it in their zone)."""
        with self._reading() as db:
            _require_built(db)
            rows = db.execute(
                # Entries of one submission share its time: then in the lists' order.
                "SELECT kind, record FROM entries "
                "ORDER BY json_extract(record, '$.register.time') DESC, kind, sort_key LIMIT ?",
                (limit,),
            ).fetchall()
        found = []
        for kind, text in rows:
            record = json.loads(text)
            register = record.get("register") or {}
            found.append(
                {
                    "iri": record["iri"],
                    "kind": kind,
                    "version": register.get("version"),
                    "time": register.get("time") or "",
                    "id": record.get("id"),
                    "label": record.get("title") or record.get("name") or {},
                }
            )
        return found

    def departments(self) -> list[dict[str, Any]]:
        """As `queries.departments`: every department, with how many resources and
        interfaces it provides."""
        with self._reading() as db:
            _require_built(db)
            provided: dict[str, dict[str, int]] = defaultdict(
                lambda: {"resources": 0, "interfaces": 0}
            )
            for publisher, kind, count in db.execute(
                "SELECT publisher_iri, kind, count(*) FROM entries "
                "WHERE kind IN ('resource', 'interface') AND publisher_iri IS NOT NULL "
                "GROUP BY kind, publisher_iri"
            ):
                provided[publisher][f"{kind}s"] = count
            return [
                {**record, "provides": provided[record["iri"]]}
                for record in _records(db, "kind = ?", ["department"])
            ]

    # -- conformity (registry.read.conformity, docs/assessment.md) -------------------
    # Counted in SQL over the `assessments` table: at 50,000 resources a standard such
    # as GB/T 21063.3 has an automatic assessment per resource, and parsing each one's
    # record per request is what these answers must not do. Only the records of the
    # page of entries and assessments an answer lists are read.

    def assessments_of(self, relation: str, targets: Sequence[str]) -> list[dict[str, Any]]:
        """The records of the assessments whose `relation` (test, subject or publisher)
        is one of `targets`, every register status included."""
        with self._reading() as db:
            _require_built(db)
            rows = db.execute(
                "SELECT DISTINCT e.record FROM edges g JOIN entries e "
                "ON e.iri = g.source AND e.kind = g.kind "
                f"WHERE g.kind = 'assessment' AND g.relation = ? AND g.target IN {_IN_JSON}",
                (relation, json.dumps(list(targets))),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def outdated_subjects(self, rules: str) -> list[str]:
        """The subjects of the counting automatic assessments made under another rules
        version than `rules` (registry.register.automatic.rules_version)."""
        with self._reading() as db:
            _require_built(db)
            return [
                r[0]
                for r in db.execute(
                    "SELECT DISTINCT subject FROM assessments WHERE automatic = 1 "
                    "AND counted = 1 AND coalesce(rules, '') <> ? ORDER BY subject",
                    (rules,),
                )
            ]

    def unassessed_subjects(self, statuses: Sequence[str] = ("valid",)) -> list[str]:
        """The resources and interfaces of `statuses` that no counting automatic
        assessment assesses: those a write cut off between a submission and its
        automatic assessments left without (a server stopped by force), or registered
        while the registry made none."""
        with self._reading() as db:
            _require_built(db)
            return [
                r[0]
                for r in db.execute(
                    "SELECT iri FROM entries e WHERE kind IN ('resource', 'interface') "
                    f"AND register_status IN {_IN_JSON} AND NOT EXISTS (SELECT 1 FROM "
                    "assessments a WHERE a.subject = e.iri AND a.automatic = 1 "
                    "AND a.counted = 1) ORDER BY iri",
                    (json.dumps(list(statuses)),),
                )
            ]

    def _params(self, today: date | None, **more: Any) -> dict[str, Any]:
        return {
            "today": (today or conformity.today_utc()).isoformat(),
            "rules": self.rules_version,
            **more,
        }

    def _named_entry(self, kind: str, ident: str) -> dict[str, Any]:
        """The record of the `kind` entry `ident` names (no answer built around it)."""
        return json.loads(self._entry_row(kind, ident)[1])

    def _entry_row(self, kind: str, ident: str) -> tuple[str, str, str | None]:
        """The IRI, record (JSON) and data items (JSON, None but for a resource) of the
        `kind` entry `ident` names; NotFoundError naming the kind when there is none."""
        not_found = _not_registered(kind, ident)
        try:
            iri = self.resolve(ident)
        except NotFoundError:
            raise not_found from None
        with self._reading() as db:
            row = db.execute(
                "SELECT record, data_items FROM entries WHERE iri = ? AND kind = ?", (iri, kind)
            ).fetchone()
        if row is None:
            raise not_found
        return iri, row[0], row[1]

    def standard_conformity(
        self, ident: str, today: date | None = None, limit: int = 100, offset: int = 0
    ) -> dict[str, Any]:
        """How far the standard `ident` names is applied (docs/assessment.md): `counts`
        over every entry claiming it and every latest assessment against it, and a page
        (`limit`, `offset`) of `claimed_by` (each claiming entry with its latest
        assessment) and of `assessments` (newest first), with their totals in `page`.
        Equal to `conformity.standard_conformity` over every record (a test)."""
        standard = self._named_entry("standard", ident)
        iri = standard["iri"]
        params = self._params(today, iri=iri, limit=limit, offset=offset)
        claims = (
            "FROM edges g JOIN entries e ON e.iri = g.source AND e.kind = g.kind "
            "WHERE g.relation = 'conforms_to' AND g.kind IN ('resource', 'interface') "
            f"AND g.target = :iri AND e.iri NOT IN ({_CLOSED_ENTRIES})"
        )
        latest = _latest("a.test = :iri")
        with self._reading() as db:
            _require_built(db)
            counts = _counts(db, latest, params)
            claimed, claimed_assessed = db.execute(
                "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM assessments a "
                f"WHERE a.subject = g.source AND a.test = :iri AND {_COUNTED})), 0) " + claims,
                params,
            ).fetchone()
            page = db.execute(
                f"SELECT e.iri, e.kind, e.id, e.href {claims} "
                "ORDER BY e.kind, e.sort_key, e.iri LIMIT :limit OFFSET :offset",
                params,
            ).fetchall()
            found = {
                subject: json.loads(record)
                for subject, record in db.execute(
                    "SELECT l.subject, e.record FROM ("
                    + _latest(
                        f"a.test = :iri AND a.subject IN {_IN_JSON.replace('?', ':subjects')}"
                    )
                    + ") l JOIN entries e ON e.n = l.n",
                    {**params, "subjects": json.dumps([r[0] for r in page])},
                )
            }
            total, listed = _assessment_page(db, "a.test = :iri", params)
        day = date.fromisoformat(params["today"])
        rules = self.rules_version
        return {
            "standard": {k: standard[k] for k in ("iri", "id", "href", "title")},
            "as_of": params["today"],
            "counts": {"claimed": claimed, "claimed_assessed": claimed_assessed, **counts},
            "claimed_by": [
                {
                    "iri": i,
                    "kind": k,
                    "id": ident_,
                    "href": h,
                    "assessment": conformity.summary(found[i], day, rules) if i in found else None,
                }
                for i, k, ident_, h in page
            ],
            "assessments": [
                {**conformity.summary(record, day, rules), "latest": last}
                for record, last in listed
            ],
            "page": {
                "limit": limit,
                "offset": offset,
                "claimed_by_total": claimed,
                "assessments_total": total,
            },
        }

    def department_conformity(
        self,
        ident: str,
        today: date | None = None,
        limit: int = 100,
        offset: int = 0,
        standards_limit: int | None = None,
        standards_offset: int = 0,
    ) -> dict[str, Any]:
        """A department's conformity at a glance (docs/assessment.md): over its
        resources and interfaces, its catalogues and itself, the latest assessment of
        each (entry, standard), counted in all and by standard (`standards`, in
        identifier order, from `standards_offset`, at most `standards_limit` of them:
        None for all); and a page (`limit`, `offset`) of the assessments of those
        subjects, newest first. `page` holds both totals. Equal to
        `conformity.department_conformity` over every record (a test)."""
        department = self._named_entry("department", ident)
        iri = department["iri"]
        # Its catalogues are no entries of the model: they are minted under its code.
        folder = f"{self.base_iri() or ''}catalogue/{department.get('id') or ''}/"
        params = self._params(
            today, dept=iri, lo=folder, hi=folder[:-1] + "0", limit=limit, offset=offset
        )
        provided = (
            "SELECT iri FROM entries WHERE publisher_iri = :dept "
            "AND kind IN ('resource', 'interface')"
        )
        subjects = (
            f"(a.subject IN ({provided}) OR a.subject = :dept "
            "OR (a.subject >= :lo AND a.subject < :hi))"
        )
        latest = _latest(subjects)
        claims = (
            "FROM edges g JOIN entries e ON e.iri = g.source AND e.kind = g.kind "
            "WHERE g.relation = 'conforms_to' AND g.kind IN ('resource', 'interface') "
            f"AND e.publisher_iri = :dept AND e.iri NOT IN ({_CLOSED_ENTRIES})"
        )
        assessed_pair = (
            "EXISTS (SELECT 1 FROM assessments a WHERE a.subject = g.source "
            f"AND a.test = g.target AND {_COUNTED})"
        )
        with self._reading() as db:
            _require_built(db)
            (entries,) = db.execute(f"SELECT count(*) FROM ({provided})", params).fetchone()
            counts = _counts(db, latest, params)
            pairs, pairs_assessed = db.execute(
                f"SELECT count(*), coalesce(sum({assessed_pair}), 0) FROM "
                f"(SELECT DISTINCT g.source, g.target {claims}) g",
                params,
            ).fetchone()
            by_standard: dict[str, dict[str, Any]] = {}
            for target, claimed in db.execute(
                f"SELECT g.target, count(*) {claims} GROUP BY g.target", params
            ):
                by_standard[target] = {"claimed": claimed, **conformity.empty_counts()}
            for test, *row in db.execute(
                f"SELECT test, {_COUNT_COLUMNS} FROM ({_stated(latest)}) GROUP BY test",
                params,
            ):
                found = by_standard.setdefault(test, {"claimed": 0, **conformity.empty_counts()})
                found.update(zip(conformity.empty_counts(), row, strict=True))
            # A city bureau claims thousands of standards (2,904 at 50,000 resources,
            # 1 MB whole): ordered by identifier alone, then only the page's records.
            ids = dict(
                db.execute(
                    "SELECT iri, json_extract(record, '$.id') FROM entries "
                    f"WHERE kind = 'standard' AND iri IN {_IN_JSON}",
                    (json.dumps(sorted(by_standard)),),
                ).fetchall()
            )
            ordered = sorted(by_standard, key=lambda t: (str(ids.get(t) or ""), t))
            end = None if standards_limit is None else standards_offset + standards_limit
            shown = ordered[standards_offset:end]
            names = {
                i: json.loads(r)
                for i, r in db.execute(
                    "SELECT iri, record FROM entries "
                    f"WHERE kind = 'standard' AND iri IN {_IN_JSON}",
                    (json.dumps(shown),),
                )
            }
            (recorded,) = db.execute(
                "SELECT count(*) FROM entries WHERE kind = 'assessment' AND publisher_iri = ?",
                (iri,),
            ).fetchone()
            total, listed = _assessment_page(db, subjects, params)
        day = date.fromisoformat(params["today"])
        rows = [{"standard": _standard_name(names.get(t), t), **by_standard[t]} for t in shown]
        return {
            "department": {k: department.get(k) for k in ("iri", "id", "href", "name")},
            "as_of": params["today"],
            "counts": {
                "entries": entries,
                "claims": pairs,
                "claims_assessed": pairs_assessed,
                **counts,
                "recorded": recorded,
            },
            "standards": rows,
            "assessments": [
                {**conformity.summary(record, day, self.rules_version), "latest": last}
                for record, last in listed
            ],
            "page": {
                "limit": limit,
                "offset": offset,
                "assessments_total": total,
                "standards_limit": standards_limit,
                "standards_offset": standards_offset,
                "standards_total": len(ordered),
            },
        }

    def application(self, today: date | None = None) -> dict[str, int]:
        """How far the standard system is applied, for the home page and
        `GET /api/v1/conformity`: the standards in force (`in_force`); of them, those
        some resource or interface claims (`claimed`), those assessed (`assessed`: a
        counting assessment against them) and those with a passing assessment still
        valid and not outdated (`passed`). Counted in SQL over indexed columns: no
        assessment's record is parsed."""
        params = self._params(
            today,
            in_force_register=IN_FORCE_REGISTER_STATUS,
            in_force_status=IN_FORCE_STANDARD_STATUS,
        )
        with self._reading() as db:
            _require_built(db)
            # The record's `in_force` (registry.register.lifecycle), from the indexed columns.
            in_force = (
                "SELECT iri FROM entries WHERE kind = 'standard' "
                "AND register_status = :in_force_register AND status = :in_force_status"
            )
            counts = db.execute(
                f"SELECT (SELECT count(DISTINCT iri) FROM ({in_force})), "
                f"(SELECT count(DISTINCT target) FROM edges WHERE relation = 'conforms_to' "
                f"AND kind IN ('resource', 'interface') AND target IN ({in_force}) "
                f"AND source NOT IN ({_CLOSED_ENTRIES})), "
                f"(SELECT count(DISTINCT test) FROM assessments a WHERE {_COUNTED} "
                f"AND test IN ({in_force})), "
                f"(SELECT count(DISTINCT test) FROM ({_stated(_every_counted())}) "
                f"WHERE state = 'passed' AND test IN ({in_force}))",
                params,
            ).fetchone()
        return dict(zip(("in_force", "claimed", "assessed", "passed"), counts, strict=True))

    def reassessments(
        self,
        standard: str,
        successor: str | None,
        today: date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """How many assessments against `standard` (an IRI) its end puts in doubt, and a
        page of them (`limit`, None for all; `offset`), newest first, each flagged to be
        made again against `successor` (`conformity.reassessments`, which it equals).
        Counted and paged in SQL over the `assessments` table: only the page's records
        are parsed."""
        named = None
        if successor is not None:
            found = self.record(successor)
            named = _standard_name(found, successor)
        day = today or conformity.today_utc()
        params = {"iri": standard, "limit": -1 if limit is None else limit, "offset": offset}
        with self._reading() as db:
            _require_built(db)
            total, listed = _assessment_page(db, "a.test = :iri", params)
        return total, [conformity.flagged(r, last, named, day) for r, last in listed]

    def counts(self) -> dict[str, dict[str, int]]:
        """What the home page counts: the entries of each kind ("kinds"); the standards
        directly in each category code ("categories"), by standard status ("statuses",
        "none" for a standard without one) and by register status
        ("register_statuses")."""
        with self._reading() as db:
            _require_built(db)
            kinds = _kind_counts(db)
            categories = dict(
                db.execute(
                    "SELECT c.code, count(DISTINCT c.n) FROM entry_categories c "
                    "JOIN entries e ON e.n = c.n WHERE e.kind = 'standard' "
                    "GROUP BY c.code ORDER BY c.code"
                )
            )
            by: dict[str, dict[str, int]] = {}
            for column in ("status", "register_status"):
                by[column] = dict(
                    db.execute(
                        f"SELECT coalesce({column}, 'none') AS value, count(*) FROM entries "
                        "WHERE kind = 'standard' GROUP BY value ORDER BY value"
                    )
                )
            return {
                "kinds": kinds,
                "categories": categories,
                "statuses": by["status"],
                "register_statuses": by["register_status"],
            }

    def kind_counts(self) -> dict[str, int]:
        """`counts()["kinds"]` alone: the home page and `screg` show no more of it."""
        with self._reading() as db:
            _require_built(db)
            return _kind_counts(db)

    def standards_in_force(self, levels: Sequence[str]) -> int:
        """How many registered standards of `levels` are in force now
        (registry.register.lifecycle: valid in the register and current): the plan targets'
        counts, read from the model's columns without the dependency graph."""
        with self._reading() as db:
            _require_built(db)
            (count,) = db.execute(
                "SELECT count(DISTINCT iri) FROM entries WHERE kind = 'standard' "
                f"AND level IN {_IN_JSON} AND register_status = ? AND status = ?",
                (json.dumps(list(levels)), IN_FORCE_REGISTER_STATUS, IN_FORCE_STANDARD_STATUS),
            ).fetchone()
        return int(count)

    def category_tree(self) -> list[dict[str, Any]]:
        """As `queries.category_tree`: the categories with their sub-categories, each
        with its standards counted by standard status and register status."""
        with self._reading() as db:
            _require_built(db)
            return _category_tree(db, _concepts(db, [str(CATEGORY_SCHEME)]))

    def category(self, code: str) -> dict[str, Any]:
        """As `queries.category`: one category (its sub-tree with counts) and the
        standards in it or below it; NotFoundError for an unknown code."""
        with self._reading() as db:
            _require_built(db)
            concepts = _concepts(db, [str(CATEGORY_SCHEME)])
            codes = category_codes_under(concepts, code)
            found = category_node(_category_tree(db, concepts), code)
            standards = [
                standard_summary(record)
                for record in _records(
                    db,
                    f"kind = 'standard' AND n IN "
                    f"(SELECT n FROM entry_categories WHERE code IN {_IN_JSON})",
                    [json.dumps(sorted(codes))],
                )
            ]
            return {**found, "standards": standards}

    def record(self, iri: str) -> dict[str, Any] | None:
        """The record of the entry `iri` (a Snapshot's `by_iri[iri]`: a subject of
        several kinds gives its last kind's record), None when it is no entry."""
        found = self.kind_and_record(iri)
        return None if found is None else found[1]

    def iris_page(
        self,
        kinds: Sequence[str],
        offset: int,
        limit: int,
        *,
        leave_out: Sequence[str] = (),
    ) -> tuple[int, list[str]]:
        """How many entries of `kinds` there are (an IRI of several kinds once), less
        those in a register status of `leave_out`, and `limit` of their IRIs from
        `offset`, in IRI order (code point order: SPARQL's ORDER BY of IRIs on
        Oxigraph). Read along the (iri, kind) key's index: the harvest's page no longer
        sorts every entry's IRI in the store (5.9 s at 50,000 resources)."""
        wanted = json.dumps(list(kinds))
        if leave_out:
            statuses = ", ".join(f"'{status}'" for status in leave_out if status.isalpha())
            condition = f"+kind IN {_IN_JSON} AND coalesce(register_status, '') NOT IN ({statuses})"
        else:
            condition = f"+kind IN {_IN_JSON}"
        # `+kind`: not by an index on kind, which read every entry of the kinds and
        # sorted their IRIs in a temporary tree (60 ms a page at 50,000 resources), but
        # along the (iri, kind) key, in order, filtering (10 ms; the page alone 0.1 ms).
        with self._reading() as db:
            _require_built(db)
            (total,) = db.execute(
                f"SELECT COUNT(DISTINCT iri) FROM entries WHERE {condition}", (wanted,)
            ).fetchone()
            rows = db.execute(
                f"SELECT DISTINCT iri FROM entries WHERE {condition} ORDER BY iri LIMIT ? OFFSET ?",
                (wanted, limit, offset),
            )
            return total, [iri for (iri,) in rows]

    def known(self, iris: Iterable[str]) -> set[str]:
        """Those of `iris` that are entries now."""
        wanted = json.dumps(sorted(set(iris)))
        with self._reading() as db:
            _require_built(db)
            return {
                iri
                for (iri,) in db.execute(
                    f"SELECT DISTINCT iri FROM entries WHERE iri IN {_IN_JSON}", (wanted,)
                )
            }

    def kind_and_record(self, iri: str) -> tuple[str, dict[str, Any]] | None:
        """The kind and record of the entry `iri` (the last kind of a subject of
        several), None when it is no entry."""
        with self._reading() as db:
            _require_built(db)
            found = {
                kind: record
                for kind, record in db.execute(
                    "SELECT kind, record FROM entries WHERE iri = ?", (iri,)
                )
            }
        for kind in reversed(KINDS):
            if kind in found:
                return kind, json.loads(found[kind])
        return None

    def resolve(self, ident: str, *, undated: bool = True) -> str:
        """The IRI of the entry `ident` names: its IRI, or its identifier or code in any
        spelling `identifiers.lookup_spellings` knows, as `queries.resolve_any` finds
        it in the store; with `undated`, an undated standard identifier leads to the
        edition in force (`queries.edition_in_force`). NotFoundError when nothing is
        registered so; ConflictError when it names several entries."""
        ident = ident.strip()
        if ident.startswith(IRI_SCHEMES):
            column, wanted = "iri", [ident]
        else:
            column, wanted = "id", sorted(lookup_spellings(ident))
        with self._reading() as db:
            _require_built(db)
            iris = sorted(
                iri
                for (iri,) in db.execute(
                    f"SELECT DISTINCT iri FROM entries WHERE {column} IN {_IN_JSON}",
                    (json.dumps(wanted),),
                )
            )
        if len(iris) > 1:
            raise ConflictError(
                Text(zh=f"{ident!r} 对应多个条目", en=f"{ident!r} names several entries"),
                {"items": iris},
            )
        if iris:
            return iris[0]
        without_year = undated_identifier(ident) if undated else None
        if without_year is not None:
            chosen = edition_in_force(self.editions(without_year))
            if chosen is not None:
                return str(chosen["iri"])
        raise NotFoundError(
            Text(zh=f"未找到已登记为 {ident!r} 的条目", en=f"nothing is registered as {ident!r}"),
            {"id": ident},
        )

    def editions(self, undated: str) -> list[dict[str, Any]]:
        """As `queries.editions`: the registered editions of the undated identifier
        `undated` (`GB/T 21063.3`), oldest first."""
        # LIKE's wildcards in the identifier are escaped: it is matched as text.
        prefix = undated.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "-%"
        with self._reading() as db:
            _require_built(db)
            rows = db.execute(
                "SELECT iri, id, status, json_array_length(record, '$.replaced_by') > 0 "
                "FROM entries WHERE kind = 'standard' AND id LIKE ? ESCAPE '\\'",
                (prefix,),
            ).fetchall()
        return sorted_editions(undated, ((i, ident, st, bool(r)) for i, ident, st, r in rows))

    def entry(self, kind: str, ident: str) -> dict[str, Any]:
        """The answer for one entry of `kind`, named as `resolve` reads `ident`: its
        record, a resource with its data items in order, a standard with what refers
        to it. The one builder of an entry's answer (REST, pages, the CLI)."""
        if kind not in KINDS:
            raise KeyError(kind)
        iri, record, data_items = self._entry_row(kind, ident)
        answer = _with_items(record, data_items)
        self._with_reference_statuses(answer)
        if kind == "standard":
            answer["referenced_by"] = self.referrers(iri)
        if kind == "department":
            # As the list shows it: it was in every item of the list, not in the answer.
            with self._reading() as db:
                answer["provides"] = _provided(db, [iri])[iri]
        return answer

    def _with_reference_statuses(self, answer: dict[str, Any]) -> None:
        """Each standard `answer` references (dated, undated, conformed to) with its own
        status now (`status`, a code): read here, not kept in the record, because a
        later supersession changes it. The page's list of references did not say that a
        cited edition was superseded; only its picture greyed it out."""
        refs = [
            ref
            for key in REFERENCE_KEYS
            for ref in answer.get(key) or ()
            if isinstance(ref, dict) and ref.get("kind") == "standard"
        ]
        if not refs:
            return
        iris = sorted({ref["iri"] for ref in refs})
        with self._reading() as db:
            rows = db.execute(REFERENCE_STATUSES, (json.dumps(iris),)).fetchall()
        statuses = dict(rows)
        for ref in refs:
            if statuses.get(ref["iri"]):
                ref["status"] = statuses[ref["iri"]]

    def referrers(self, iri: str) -> list[dict[str, Any]]:
        """The standards, resources and interfaces whose references (dated, undated,
        conforms to) include `iri`, as a Snapshot's `referrers[iri]` lists them, each
        with the references it makes (`by`, in REFERENCE_KEYS' order): an undated
        citer of a superseded edition means its successor, as the graph draws it."""
        kinds, keys = json.dumps(REFERRING_KINDS), json.dumps(REFERENCE_KEYS)
        with self._reading() as db:
            _require_built(db)
            rows = db.execute(
                "SELECT e.iri, e.kind, e.id, e.href, e.sort_key, g.relation FROM edges g "
                "JOIN entries e ON e.iri = g.source AND e.kind = g.kind "
                f"WHERE g.target = ? AND g.kind IN {_IN_JSON} AND g.relation IN {_IN_JSON}",
                (iri, kinds, keys),
            ).fetchall()
        relations: dict[tuple[int, str, str], set[str]] = defaultdict(set)
        named: dict[str, dict[str, Any]] = {}
        for i, kind, ident, href, sort_key, relation in rows:
            relations[(REFERRING_KINDS.index(kind), sort_key, i)].add(relation)
            named[i] = {"iri": i, "kind": kind, "id": ident, "href": href}
        return [
            {**named[i], "by": [key for key in REFERENCE_KEYS if key in by]}
            for (_, _, i), by in sorted(relations.items())
        ]

    def edges(
        self, *, source: str | None = None, target: str | None = None
    ) -> list[dict[str, str]]:
        """The references the entries' records hold, from `source` or to `target` (or
        both; a target need not be an entry), each with the kind of the record that
        holds it and its field ("relation": publisher, conforms_to, ...), sorted."""
        where, params = [], []
        for column, value in (("source", source), ("target", target)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._reading() as db:
            _require_built(db)
            rows = db.execute(
                f"SELECT source, kind, relation, target FROM edges {clause} "
                "ORDER BY source, kind, relation, target",
                params,
            ).fetchall()
        return [{"source": s, "kind": k, "relation": r, "target": t} for s, k, r, t in rows]

    def entry_fields(self, paths: Sequence[str], *, since: int | None = None) -> EntryFields:
        """The values at the JSON `paths` ("$.status.iri") of every entry's record, with
        every entry's edges and the concepts, in one read transaction: three statements,
        whatever the size.

        With `since` (a generation this model was at), only the entries whose records
        were rewritten after it, with `changed` naming every IRI rewritten; every entry
        (`changed` None) when the log of rewrites does not reach back that far (a
        rebuild since, or more than REWRITES_KEPT generations)."""
        # json_extract of several paths parses each record once, in SQLite, and answers
        # a small JSON array: no record is parsed whole in Python (json.loads of every
        # record took 6x as long as this whole read at 2,000 resources).
        if len(paths) == 1:  # one path answers the bare value
            extract = "json_array(json_extract(record, ?))"
        else:
            extract = "json_extract(record, " + ", ".join("?" for _ in paths) + ")"
        with self._reading() as db:
            _require_built(db)
            meta = _meta(db)
            generation = int(meta.get("generation") or 0)
            lineage = meta.get("lineage") or ""
            changed = None if since is None else _rewritten_since(db, since, generation)
            entries_where = edges_where = ""
            params: list[str] = []
            if changed is not None:
                entries_where, edges_where = (
                    f"WHERE iri IN {_IN_JSON}",
                    f"WHERE source IN {_IN_JSON}",
                )
                params.append(json.dumps(sorted(changed)))
            extracted = db.execute(
                f"SELECT iri, kind, {extract} FROM entries {entries_where} ORDER BY iri, kind",
                [*paths, *params],
            ).fetchall()
            edges = db.execute(
                f"SELECT source, kind, relation, target FROM edges {edges_where} "
                "ORDER BY source, kind, relation, target",
                params,
            ).fetchall()
            concepts = _concepts(db) if changed is None else None
        # Parsed once the transaction is over: work in the background steps aside for
        # requests as it parses, which must not keep an in-memory model's lock.
        rows = [(iri, kind, json.loads(values)) for iri, kind, values in courteous(extracted)]
        return EntryFields(generation, changed, rows, edges, concepts, lineage)


# -- rows -------------------------------------------------------------------------------


# The entries whose claims and assessments no conformity answer counts: those whose
# register status is conformity.CLOSED (a retired resource still counted as claiming
# and passing a standard). Over `a`, the assessments that count.
# By kind first, as the index entries_register_status reads (catalogues are no entries).
_CLOSED_ENTRIES = (
    "SELECT iri FROM entries WHERE kind IN ('resource', 'interface', 'department') "
    "AND register_status IN ("
    + ", ".join(f"'{status}'" for status in sorted(conformity.CLOSED))
    + ")"
)
_COUNTED = f"a.counted = 1 AND a.subject NOT IN ({_CLOSED_ENTRIES})"


def _ranked(where: str) -> str:
    """The counting assessments `where` selects (over `a`), each ranked within its
    (subject, standard): 1 for the one that says where the subject stands, a manual one
    before an automatic one, then the latest by date, then by IRI
    (`conformity.latest`)."""
    return (
        "SELECT a.*, row_number() OVER (PARTITION BY a.subject, a.test "
        "ORDER BY a.automatic, a.date DESC, a.iri DESC) AS rank "
        f"FROM assessments a WHERE {_COUNTED} AND {where}"
    )


def _assessment_page(
    db: sqlite3.Connection, where: str, params: dict[str, Any]
) -> tuple[int, list[tuple[dict[str, Any], bool]]]:
    """How many counting assessments `where` selects (over `a`), and the page of them
    `params` gives (:limit, -1 for all; :offset): newest first (by date, then IRI, as
    `conformity` orders them), each record with whether it is the latest of its
    (subject, standard). Only the page's records are parsed."""
    (total,) = db.execute(
        f"SELECT count(*) FROM assessments a WHERE {_COUNTED} AND {where}", params
    ).fetchone()
    rows = db.execute(
        f"SELECT e.record, l.rank = 1 FROM ({_ranked(where)}) l "
        "JOIN entries e ON e.n = l.n ORDER BY l.date DESC, l.iri DESC "
        "LIMIT :limit OFFSET :offset",
        params,
    ).fetchall()
    return total, [(json.loads(record), bool(last)) for record, last in rows]


def _latest(where: str) -> str:
    return f"SELECT * FROM ({_ranked(where)}) WHERE rank = 1"


def _every_counted() -> str:
    return f"SELECT * FROM assessments a WHERE {_COUNTED}"


def _stated(rows: str) -> str:
    """`rows` with the state each is counted under (`conformity.state`): expired past
    its validity (:today), outdated when automatic and made under other rules than
    :rules, else its outcome."""
    return (
        "SELECT *, CASE WHEN valid_until IS NOT NULL "
        "AND substr(valid_until, 1, 10) < :today THEN 'expired' "
        "WHEN automatic = 1 AND :rules IS NOT NULL AND coalesce(rules, '') <> :rules "
        f"THEN 'outdated' ELSE outcome END AS state FROM ({rows})"
    )


# The count columns of conformity.empty_counts, in its order.
_COUNT_COLUMNS = ", ".join(
    ["count(*)"]
    + [f"coalesce(sum(state = '{code}'), 0)" for code in conformity.OUTCOME_KEYS]
    + ["coalesce(sum(state = 'expired'), 0)", "coalesce(sum(state = 'outdated'), 0)"]
)


def _provided(db: sqlite3.Connection, departments: list[str]) -> dict[str, dict[str, int]]:
    """How many resources and interfaces each of `departments` (IRIs) provides."""
    provided: dict[str, dict[str, int]] = defaultdict(lambda: {"resources": 0, "interfaces": 0})
    for publisher, kind, count in db.execute(
        "SELECT publisher_iri, kind, count(*) FROM entries "
        f"WHERE kind IN ('resource', 'interface') AND publisher_iri IN {_IN_JSON} "
        "GROUP BY kind, publisher_iri",
        (json.dumps(departments),),
    ):
        provided[publisher][f"{kind}s"] = count
    return provided


def _counts(db: sqlite3.Connection, latest: str, params: dict[str, Any]) -> dict[str, int]:
    row = db.execute(f"SELECT {_COUNT_COLUMNS} FROM ({_stated(latest)})", params).fetchone()
    return dict(zip(conformity.empty_counts(), row, strict=True))


def _standard_name(record: dict[str, Any] | None, iri: str) -> dict[str, Any]:
    """What a conformity answer shows of a standard (its IRI alone when unregistered)."""
    if record is None:
        return {"iri": iri, "id": None, "href": None, "title": {}}
    return {k: record.get(k) for k in ("iri", "id", "href", "title")}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _insert(
    db: sqlite3.Connection,
    records: dict[str, list[dict[str, Any]]],
    data_items: dict[str, list[dict[str, Any]]],
    first: int,
) -> None:
    """The rows of `records` (kind name -> records), with the resources' `data_items`,
    numbered from `first`."""
    entries, categories, edges, assessed = [], [], [], []
    n = first
    for name, kind in KINDS.items():
        keys = reference_keys(kind)
        for record in records.get(name, []):
            status, level = record.get("status"), record.get("level")
            publisher = record.get("publisher")
            entries.append(
                (
                    n,
                    record["iri"],
                    name,
                    record["id"],
                    str(record["id"] or ""),
                    record["href"],
                    status["code"] if status else None,
                    level["code"] if level else None,
                    record["register"]["status"],
                    publisher.get("id") if publisher else None,
                    publisher["iri"] if publisher else None,
                    *(_code(record.get(column)) for column in CODE_COLUMNS),
                    _json(record),
                    # A rebuild gives the resources their items afterwards, in batches.
                    _json(data_items[record["iri"]])
                    if name == "resource" and record["iri"] in data_items
                    else None,
                    "\n".join(search_texts(record)),
                )
            )
            categories.extend((n, c["code"]) for c in record.get("categories") or [])
            if name == "assessment" and record.get("subject") and record.get("test"):
                assessed.append(_assessment_row(n, record))
            for key in keys:
                value = record[key]
                targets = value if isinstance(value, list) else [value] if value else []
                edges.extend((record["iri"], name, key, t["iri"]) for t in targets)
            n += 1
    db.executemany(f"INSERT INTO entries VALUES ({', '.join('?' * _ENTRY_COLUMNS)})", entries)
    db.executemany("INSERT INTO entry_categories VALUES (?, ?)", categories)
    db.executemany("INSERT OR IGNORE INTO edges VALUES (?, ?, ?, ?)", edges)
    db.executemany(f"INSERT INTO assessments VALUES ({', '.join('?' * 10)})", assessed)


def _assessment_row(n: int, record: dict[str, Any]) -> tuple[Any, ...]:
    """An assessment's row of the `assessments` table."""
    outcome, mode = record.get("outcome") or {}, record.get("mode") or {}
    return (
        n,
        record["iri"],
        record["subject"]["iri"],
        record["test"]["iri"],
        int(mode.get("code") == "automatic"),
        outcome.get("code"),
        record.get("date") or "",
        record.get("valid_until"),
        int(record["register"]["status"] not in conformity.CLOSED),
        record.get("rules_version"),
    )


def _code(value: Any) -> str | None:
    """The code of a record's code-list field (None when it has none)."""
    return value.get("code") if isinstance(value, dict) else None


def _linked_editions(records: dict[str, list[dict[str, Any]]]) -> set[str]:
    """The editions the standards among `records` replace or are replaced by."""
    return {
        ref["iri"]
        for record in records.get("standard", [])
        for key in ("replaces", "replaced_by")
        for ref in record[key]
    }


def _drop_data(db: sqlite3.Connection) -> None:
    for table in _DATA_TABLES:
        db.execute(f"DROP TABLE IF EXISTS {table}")


def _create_data(db: sqlite3.Connection, *, indexed: bool = True) -> None:
    """The data tables; with their indexes and the text index's triggers unless not
    `indexed`, for a rebuild that fills the tables first (`_index_data`)."""
    # One statement at a time: executescript would commit the open transaction.
    for statement in _statements(_DATA_SCHEMA):
        if indexed or not statement.startswith(_MADE_AFTER_A_FILL):
            db.execute(statement)


def _index_data(db: sqlite3.Connection) -> None:
    """What `_create_data(indexed=False)` left out, made over the filled tables: each
    index sorted once, and the text index read from the rows in one pass, instead of
    both grown row by row (a rebuild at 50,000 resources: ~18 s of inserts)."""
    statements = _statements(_DATA_SCHEMA)
    for statement in statements:
        if statement.startswith("CREATE INDEX"):
            db.execute(statement)
    db.execute("INSERT INTO entry_text (entry_text) VALUES ('rebuild')")
    for statement in statements:
        if statement.startswith("CREATE TRIGGER"):
            db.execute(statement)


def _statements(script: str) -> list[str]:
    """The statements of a script of CREATEs, a trigger's body kept whole."""
    found, current = [], []
    for line in script.splitlines():
        line = line.split("--", 1)[0].rstrip()
        if not line:
            continue
        current.append(line)
        text = "\n".join(current)
        if sqlite3.complete_statement(text):
            found.append(text)
            current = []
    return found


def _meta(db: sqlite3.Connection) -> dict[str, str | None]:
    return dict(db.execute("SELECT key, value FROM meta"))


def _set_meta(db: sqlite3.Connection, **values: str | None) -> None:
    db.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        values.items(),
    )


def _generation(db: sqlite3.Connection) -> int | None:
    value = _meta(db).get("generation")
    return None if value is None else int(value)


def _log_rewrites(db: sqlite3.Connection, generation: int, iris: Iterable[str]) -> None:
    """Log the IRIs rewritten at `generation`, and forget the generations more than
    REWRITES_KEPT before it."""
    db.executemany("INSERT INTO rewrites VALUES (?, ?)", ((generation, iri) for iri in iris))
    since = _meta(db).get("rewrites_since")
    cutoff = generation - REWRITES_KEPT
    if since is not None and cutoff > int(since):
        db.execute("DELETE FROM rewrites WHERE generation <= ?", (cutoff,))
        _set_meta(db, rewrites_since=str(cutoff))


def _rewritten_since(db: sqlite3.Connection, since: int, generation: int) -> frozenset[str] | None:
    """The IRIs rewritten after generation `since`; None when the log does not reach it."""
    start = _meta(db).get("rewrites_since")
    if start is None or since < int(start) or since > generation:
        return None
    return frozenset(
        iri
        for (iri,) in db.execute("SELECT DISTINCT iri FROM rewrites WHERE generation > ?", (since,))
    )


def _with_items(record: str, data_items: str | None) -> dict[str, Any]:
    """An entry's record, a resource's with its data items (as `entry` gives them)."""
    found: dict[str, Any] = json.loads(record)
    if data_items is not None:
        found["data_items"] = json.loads(data_items)
    return found


def _require_built(db: sqlite3.Connection) -> None:
    if _generation(db) is None:
        raise ModelNotBuiltError("the read model is not built: catch_up or rebuild it first")


def _concepts(db: sqlite3.Connection, schemes: list[str] | None = None) -> dict[str, Concept]:
    """The concepts, or those of some schemes (code lists)."""
    where, params = "", []
    if schemes is not None:
        where, params = f"WHERE scheme IN {_IN_JSON}", [json.dumps(schemes)]
    return {
        iri: Concept(iri, scheme, notation, json.loads(label), broader)
        for iri, scheme, notation, label, broader in db.execute(
            f"SELECT iri, scheme, notation, label, broader FROM concepts {where}", params
        )
    }


def _records(db: sqlite3.Connection, where: str, params: list[Any]) -> Iterator[dict[str, Any]]:
    """The records matching `where`, in list order."""
    for (text,) in db.execute(f"SELECT record FROM entries WHERE {where} {_ORDER}", params):
        yield json.loads(text)


def _kind_counts(db: sqlite3.Connection) -> dict[str, int]:
    kinds = dict.fromkeys(KINDS, 0)
    kinds.update(db.execute("SELECT kind, count(*) FROM entries GROUP BY kind"))
    return kinds


def _category_tree(db: sqlite3.Connection, concepts: dict[str, Concept]) -> list[dict[str, Any]]:
    # The counts read only the two statuses of each standard, from the lifecycle index
    # alone (no row, no record), and the category pairs from their own table (a join
    # would read each standard's row), keyed by the entry's row number.
    statuses = {
        n: (status, register_status)
        for n, status, register_status in db.execute(
            "SELECT n, status, register_status FROM entries INDEXED BY entries_lifecycle "
            "WHERE kind = 'standard'"
        )
    }
    return category_tree_from(
        concepts, statuses, db.execute("SELECT n, code FROM entry_categories")
    )


def _filtered(
    db: sqlite3.Connection, kind: str, values: dict[str, str | None]
) -> tuple[list[str], list[Any]]:
    """The WHERE terms (and their parameters) of the entries of `kind` that the filters
    `values` (filter name -> value; None: not filtered) choose; the values checked
    against their code lists, in FILTERS' order."""
    unknown = sorted(name for name in values if name not in FILTERS)
    if unknown:
        raise InputError(
            Text(
                zh=f"未知的筛选条件 {'、'.join(unknown)}", en=f"unknown filter {', '.join(unknown)}"
            ),
            {"unknown": unknown, "allowed": sorted(FILTERS)},
        )
    chosen = [f for f in FILTERS.values() if values.get(f.name) is not None]
    # Only the code lists a filter is checked against are read.
    schemes = sorted({str(f.scheme) for f in chosen if f.scheme is not None})
    concepts = _concepts(db, schemes) if schemes else {}
    where, params = ["kind = ?"], [kind]
    for f in chosen:
        value = str(values[f.name])
        if f is CATEGORY:
            codes = category_codes_under(concepts, value)
            where.append(f"n IN (SELECT n FROM entry_categories WHERE code IN {_IN_JSON})")
            params.append(json.dumps(sorted(codes)))
            continue
        if f.scheme is None:
            value = value.strip()
        else:
            code_filter(concepts, f.scheme, value, f.name, f.zh)
        # f.column is one of FILTERS' own names, never the caller's text.
        where.append(f"{f.column} = ?")
        params.append(value)
    return where, params


def _page(
    db: sqlite3.Connection,
    where: list[str],
    params: list[Any],
    q: str | None,
    limit: int,
    offset: int,
) -> Page:
    """One page of the entries matching `where` and the text `q`, as `queries._page`
    slices the filtered records (negative offsets and limits included)."""
    clause = " AND ".join(where)
    if not q:
        if limit >= 0 and offset >= 0:
            (total,) = db.execute(f"SELECT count(*) FROM entries WHERE {clause}", params).fetchone()
            rows = db.execute(
                f"SELECT record FROM entries WHERE {clause} {_ORDER} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            return Page(total, limit, offset, [json.loads(text) for (text,) in rows])
        matched = [
            n for (n,) in db.execute(f"SELECT n FROM entries WHERE {clause} {_ORDER}", params)
        ]
    else:
        matched = _matched(db, clause, params, q)
    chosen = matched[offset : offset + limit]
    texts = dict(
        db.execute(f"SELECT n, record FROM entries WHERE n IN {_IN_JSON}", (json.dumps(chosen),))
    )
    return Page(len(matched), limit, offset, [json.loads(texts[n]) for n in chosen])


def _matched(db: sqlite3.Connection, clause: str, params: list[Any], q: str) -> list[int]:
    """The rows (entries.n) matching `clause` and the text `q`, in list order."""
    needles = search_needles(q)
    looked_for = sorted(n for n in needles if n)
    if not looked_for:  # white space only: matches nothing, as in queries._matcher
        return []
    if all(len(n) >= TRIGRAM for n in looked_for):
        text_clause = "n IN (SELECT rowid FROM entry_text WHERE entry_text MATCH ?)"
        text_params: list[Any] = [" OR ".join(_phrase(n) for n in looked_for)]
    else:
        text_clause = "(" + " OR ".join("instr(search, ?) > 0" for _ in looked_for) + ")"
        text_params = list(looked_for)
    candidates = db.execute(
        f"SELECT n, search FROM entries WHERE {clause} AND {text_clause} {_ORDER}",
        [*params, *text_params],
    )
    # The index only narrows: the answer is the matcher's, on the same folded texts.
    return [n for n, text in candidates if texts_match(needles, text.split("\n"))]


# Records read at once by `each_entry` after a text search.
_BATCH = 500


def _phrase(needle: str) -> str:
    """An FTS5 string (a phrase of trigrams): any character but the quote is literal."""
    return '"' + needle.replace('"', '""') + '"'


def _not_registered(kind: str, ident: str) -> NotFoundError:
    """The error for an `ident` that names no registered entry of `kind`."""
    return NotFoundError(
        Text(
            zh=f"未找到已登记的{TITLES.get(kind, '条目')} {ident!r}",
            en=f"no {kind} {ident!r} is registered",
        ),
        {"id": ident},
    )
