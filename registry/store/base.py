"""The store protocol every back end implements, and the write batch callers fill.

Nothing here is specific to one engine: the embedded Oxigraph store and a remote
SPARQL 1.1 server (query + update + Graph Store Protocol) can both implement it.

Conventions every back end keeps:

- **Queries see the union.** In `select`, `ask` and `construct` the query's
  default graph is the union of all named graphs, so a plain `?s ?p ?o` finds a
  triple wherever it lives; `GRAPH <g> {...}` / `GRAPH ?g {...}` address named
  graphs as usual. The registry writes only to named graphs (docs/vocabulary.md),
  so a default graph of its own would always be empty and every query would need
  `GRAPH`; the union is also what Fuseki (`unionDefaultGraph`) and Virtuoso do
  by default.
- **Terms are rdflib terms, normalised.** A literal without language and
  datatype comes back as a plain `Literal("x")` (never `"x"^^xsd:string`), so
  data written from rdflib reads back equal to what was written. Language tags
  come back lower-cased and numeric lexical forms canonical (`"01"^^xsd:integer`
  reads `"1"`); rdflib normalises integers, doubles and booleans the same way,
  decimals are equal by value only (`12.50` reads `12.5`).
- **A graph exists while it holds a triple.** Dropping a graph or removing its
  last triple makes it disappear from `graph_exists` and `list_graphs`, which is
  what remote stores do too.
- **Every write bumps the generation**, kept in the store itself as
  `<urn:screg:store> scs:generation N` in `urn:screg:graph:registry`, so several
  processes over one store agree on it and can key their caches by it.
- **Every write is logged** in the same transaction (change_log.py): a record in
  `urn:screg:graph:changes` stamped with the generation it produced, naming the
  subjects it touched. `changes_since` reads it, the same way on every back end.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal as TypingLiteral
from typing import Self

from rdflib import Graph, Literal
from rdflib.term import Node

from registry.bilingual import Text
from registry.namespaces import GRAPH_REGISTRY, SCS
from registry.store.change_log import new_change_iri, records_query, touched_query
from registry.store.errors import StoreError, StoreQueryError, StoreWriteError

Triple = tuple[Node, Node, Node]
Row = dict[str, Node]
Bindings = Mapping[str, Node]
DumpFormat = TypingLiteral["nquads", "trig"]

STORE_IRI = "urn:screg:store"
GENERATION_GRAPH = GRAPH_REGISTRY
GENERATION_PREDICATE = str(SCS.generation)

_GENERATION_QUERY = (
    f"SELECT ?n WHERE {{ GRAPH <{GENERATION_GRAPH}> "
    f"{{ <{STORE_IRI}> <{GENERATION_PREDICATE}> ?n }} }}"
)


@dataclass
class WriteBatch:
    """One atomic write: graphs to drop, then triples to remove, then triples to add.

    Keys of `remove` and `add` are named-graph IRIs; the default graph is never
    written. The builder methods return the batch so calls can be chained.

    `change` is the IRI of the write's record in the change log (change_log.py): the
    store stamps it with the generation and lists what the batch touched; the register
    layer may describe it further in the same batch. None writes no record (a dump
    restored, which brings its own log).
    """

    clear: list[str] = field(default_factory=list)
    remove: dict[str, list[Triple]] = field(default_factory=dict)
    add: dict[str, list[Triple]] = field(default_factory=dict)
    change: str | None = field(default_factory=new_change_iri)

    def clear_graph(self, graph_iri: str) -> WriteBatch:
        self.clear.append(str(graph_iri))
        return self

    def remove_triples(self, graph_iri: str, triples: Iterable[Triple]) -> WriteBatch:
        self.remove.setdefault(str(graph_iri), []).extend(triples)
        return self

    def add_triples(self, graph_iri: str, triples: Iterable[Triple]) -> WriteBatch:
        """Add triples (an rdflib Graph is an iterable of triples) to a named graph."""
        self.add.setdefault(str(graph_iri), []).extend(triples)
        return self

    def replace_graph(self, graph_iri: str, triples: Iterable[Triple]) -> WriteBatch:
        return self.clear_graph(graph_iri).add_triples(graph_iri, triples)

    def is_empty(self) -> bool:
        return not (self.clear or any(self.remove.values()) or any(self.add.values()))

    def triple_count(self) -> int:
        """Triples added plus triples removed (graphs cleared are not counted)."""
        return sum(map(len, self.add.values())) + sum(map(len, self.remove.values()))


@dataclass
class PreparedWrite:
    """A batch made ready before the writer lock (Store.prepare). `batch` is what
    `commit` writes where preparing does nothing; a back end that stages keeps its own
    state instead."""

    batch: WriteBatch | None


class Store(ABC):
    """A quad store holding the registry's named graphs. Use it as a context manager
    or call `close()`. Reads may run concurrently from several threads; writes are
    serialised by the back end."""

    #: where the store lives, for messages and logs: "memory", a path or a URL
    location: str
    #: True when reads are answered inside this process (the embedded store): a
    #: `generation()` or `match()` then costs microseconds and may run on an event
    #: loop; False when every read is a round trip to a server.
    in_process: bool = False
    #: Whether a query finds a stored xsd:integer by its value (a constant, VALUES or
    #: `FILTER(?n = 9)`); where not, the change log is read with range filters.
    finds_numbers_by_value: bool = True

    # -- reading -----------------------------------------------------------------

    @abstractmethod
    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        """Rows of a SELECT query, variable name (without `?`) to term; unbound
        variables are absent from the row. `bindings` pre-binds variables to
        terms, the safe way to put caller values into a query."""

    @abstractmethod
    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """The answer of an ASK query."""

    @abstractmethod
    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        """The triples of a CONSTRUCT (or DESCRIBE) query, as an rdflib Memory graph."""

    def match(
        self,
        graph_iri: str,
        subject: Node | None = None,
        predicate: Node | None = None,
        obj: Node | None = None,
    ) -> list[Triple]:
        """The triples of one named graph that match a pattern, None a wildcard: one
        entry's triples, or who points at an IRI. A back end answers it from its
        indexes, without a query planner where it can; this default is one SELECT."""
        bindings = {
            name: term
            for name, term in (("s", subject), ("p", predicate), ("o", obj))
            if term is not None
        }
        rows = self.select(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{_graph_text(graph_iri)}> {{ ?s ?p ?o }} }}",
            bindings,
        )
        return [(row["s"], row["p"], row["o"]) for row in rows]

    @abstractmethod
    def read_graph(self, graph_iri: str) -> Graph:
        """All triples of one named graph (empty if it does not exist)."""

    @abstractmethod
    def graph_exists(self, graph_iri: str) -> bool:
        """Whether the named graph holds at least one triple."""

    @abstractmethod
    def list_graphs(self, prefix: str | None = None) -> list[str]:
        """IRIs of the non-empty named graphs, sorted, optionally those starting with `prefix`."""

    @abstractmethod
    def quad_count(self) -> int:
        """Number of quads in the store, the generation triple included."""

    def generation(self) -> int:
        """The store generation: 0 for a store never written, +1 for every write."""
        values = [row["n"] for row in self.select(_GENERATION_QUERY)]
        return max((_as_int(v) for v in values), default=0)

    def changes_since(self, generation: int) -> frozenset[str] | None:
        """The IRIs of the subjects whose triples in the current or the registry graph
        were added or removed by the writes after `generation` (a superset: a triple
        removed that was not there counts too), or None when the store cannot tell.

        Read from the change log in the store (change_log.py), so it answers alike in
        every process and on every back end. None when a write in the range left no
        record (the store was written before there was a log, or restored from a dump
        after `generation`) or changed more than subjects can say (the ontology, a
        rebase); a caller that gets None reads everything again."""
        current = self.generation()
        if generation == current:
            return frozenset()
        if generation < 0 or generation > current:
            return None
        seen: set[int] = set()
        by_value = self.finds_numbers_by_value
        for row in self.select(records_query(generation, current, by_value=by_value)):
            if "since" in row and _as_int(row["since"]) > generation:
                return None
            if "all" in row:
                return None
            if "n" in row:
                seen.add(_as_int(row["n"]))
        if len(seen) != current - generation:
            return None
        touched = self.select(touched_query(generation, current, by_value=by_value))
        return frozenset(str(row["s"]) for row in touched)

    # -- writing -----------------------------------------------------------------

    @abstractmethod
    def write(self, batch: WriteBatch) -> int:
        """Apply the batch atomically (all of it or nothing) and return the new generation.

        Raises StoreWriteError, with the store unchanged, when a term cannot be
        stored (an invalid IRI or language tag, a blank node to remove)."""

    def prepare(self, batch: WriteBatch) -> PreparedWrite:
        """What can be done of a write before the writer lock is taken, nothing of it
        visible: a remote store stages the batch on the server (every request but the
        publishing one), so that other processes' writes need not wait for the upload
        of a large submission. Follow with `commit` under `exclusive()`, or `discard`.
        Here there is nothing to do: the write is one transaction in this process."""
        return PreparedWrite(batch)

    def commit(self, prepared: PreparedWrite) -> int:
        """Write a prepared batch as `write` would, all of it or nothing; the caller
        holds `exclusive()`, and decides whether the register is still the one the
        batch was made from (its generation)."""
        assert prepared.batch is not None
        return self.write(prepared.batch)

    def discard(self, prepared: PreparedWrite) -> None:
        """Give up a prepared batch: nothing of it was or becomes visible."""
        prepared.batch = None

    def exclusive(self) -> AbstractContextManager[None]:
        """The writer lock shared by every process over this store, held around a whole
        read-validate-write. An embedded store is opened by one process only, whose
        Registry serialises its writers already, so here it holds nothing."""
        return nullcontext()

    # -- backup ------------------------------------------------------------------

    @abstractmethod
    def dump(self, fmt: DumpFormat = "nquads") -> bytes:
        """Every quad of the store, the generation triple included."""

    @abstractmethod
    def load_dump(self, data: bytes, fmt: DumpFormat = "nquads") -> int:
        """Restore a dump into this store, which must be empty; returns the generation,
        that of the dump (1 if the dump has quads but no generation)."""

    # -- life cycle --------------------------------------------------------------

    @abstractmethod
    def close(self) -> None:
        """Release the store (on disk: its lock). Closing twice is harmless."""

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
        return f"<{type(self).__name__} {self.location}>"


# The characters SPARQL's IRIREF production excludes.
_BAD_IRI_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def is_plain_iri(iri: str) -> bool:
    """Whether `iri` can stand between `<` and `>` in a query text as it is."""
    return bool(iri) and not _BAD_IRI_CHAR.search(iri)


def iri_text(iri: str) -> str:
    """`<iri>`, or StoreWriteError if the IRI could break out of its brackets."""
    if not is_plain_iri(iri):
        raise StoreWriteError(
            # str(): an rdflib term's repr ("rdflib.term.URIRef('')") is no message.
            Text(zh=f"不是有效的 IRI：{str(iri)!r}", en=f"not a valid IRI: {str(iri)!r}"),
            details={"iri": str(iri)},
        )
    return f"<{iri}>"


def _graph_text(graph_iri: str) -> str:
    """A graph IRI fit to stand between `<` and `>` in a query, or StoreQueryError."""
    try:
        return iri_text(str(graph_iri))[1:-1]
    except StoreError as exc:
        raise StoreQueryError(
            Text(zh=f"不是有效的图 IRI：{graph_iri!r}", en=f"not a valid graph IRI: {graph_iri!r}")
        ) from exc


def _as_int(term: Node) -> int:
    value = term.toPython() if isinstance(term, Literal) else None
    return value if isinstance(value, int) else int(str(term))
