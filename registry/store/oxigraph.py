"""The embedded store: Oxigraph (pyoxigraph), on disk or in memory.

Atomicity: pyoxigraph 0.5 has no transaction object in Python; `Store.update`
runs a whole SPARQL Update request, every operation of it, as one transaction
(RocksDB on disk: committed through its write-ahead log or not at all). So a
batch becomes one update request, and a crash mid-batch leaves all or nothing.

Locking: RocksDB takes an exclusive lock on `<path>/LOCK`. A second process
opening the same path gets `OSError("IO error: While lock file: <path>/LOCK:
Resource temporarily unavailable")`, a second open in the same process
`OSError("IO error: lock hold by current process ...")`; both become
StoreLockedError here. The lock is released when the pyoxigraph Store object is
freed, which is why `close()` drops the only reference to it.

Read-only (`read_only=True`): RocksDB's read-only open takes no lock, so a command
can read a store that `screg serve` holds. It sees the store as it was when opened
(a snapshot: writes made after are not seen), and refuses every write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import XSD
from rdflib.term import Node

from registry.bilingual import Text
from registry.namespaces import GRAPH_CHANGES, PREFIXES
from registry.store.base import (
    GENERATION_GRAPH,
    GENERATION_PREDICATE,
    STORE_IRI,
    Bindings,
    DumpFormat,
    Row,
    Store,
    Triple,
    WriteBatch,
)
from registry.store.change_log import log_since_triple, with_log
from registry.store.errors import (
    StoreClosedError,
    StoreError,
    StoreLockedError,
    StoreQueryError,
    StoreWriteError,
)
from registry.store.sparql_text import TermWriter, batch_update, bind_values

_FORMATS: dict[str, ox.RdfFormat] = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
_XSD_STRING = str(XSD.string)
_DROP_OLD_GENERATIONS = (
    f"DELETE {{ GRAPH <{GENERATION_GRAPH}> {{ <{STORE_IRI}> <{GENERATION_PREDICATE}> ?n }} }} "
    f"WHERE {{ GRAPH <{GENERATION_GRAPH}> {{ <{STORE_IRI}> <{GENERATION_PREDICATE}> ?n }} "
    "FILTER(?n < $N) }"
)
# Where a write begins and lands, for operators (`screg --log-level info`) and for the
# kill test, which must know that a kill landed inside the transaction.
logger = logging.getLogger("registry.store")


class OxigraphStore(Store):
    """Oxigraph at `path` (a directory, created with its parents if missing), or in
    memory when `path` is None."""

    in_process = True

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        if read_only and path is None:
            raise ValueError("a read-only store is a store on disk")
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.location = str(self.path) if self.path is not None else "memory"
        # Reads go straight to Oxigraph (it is safe across threads and gives each
        # read a snapshot); writes take this lock so that reading the generation
        # and writing generation + 1 cannot interleave between two writers.
        self._write_lock = threading.Lock()
        self._store: ox.Store | None = self._open()

    def _open(self) -> ox.Store:
        if self.path is None:
            return ox.Store()
        if self.read_only:
            if not (self.path / "CURRENT").is_file():
                raise StoreError(
                    Text(zh=f"{self.path} 处没有存储", en=f"no store at {self.path}"),
                    details={"path": str(self.path)},
                )
            try:
                return ox.Store.read_only(str(self.path))
            except OSError as exc:
                raise StoreError(
                    Text(
                        zh=f"无法以只读方式打开 {self.path} 处的存储：{exc}",
                        en=f"cannot open the store at {self.path} to read: {exc}",
                    ),
                    details={"path": str(self.path)},
                ) from exc
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    Text(
                        zh=(
                            f"{self.path} "
                            "处的存储已被另一个进程打开（嵌入式存储只能由一个进程使用："
                            "请停止另一个进程，或改用 SPARQL 服务器）"
                        ),
                        en=(
                            f"the store at {self.path} is already open in another process "
                            "(an embedded store has one process: stop the other one, or "
                            "point this one at a SPARQL server)"
                        ),
                    ),
                    details={"path": str(self.path)},
                ) from exc
            raise StoreError(
                Text(
                    zh=f"无法打开 {self.path} 处的存储：{exc}",
                    en=f"cannot open the store at {self.path}: {exc}",
                ),
                details={"path": str(self.path)},
            ) from exc

    def _live(self) -> ox.Store:
        store = self._store
        if store is None:
            raise StoreClosedError(
                Text(
                    zh=f"{self.location} 处的存储已关闭",
                    en=f"the store at {self.location} is closed",
                )
            )
        return store

    # -- reading -----------------------------------------------------------------

    def _query(self, query: str, bindings: Bindings | None) -> object:
        try:
            return self._live().query(bind_values(query, bindings), use_default_graph_as_union=True)
        except (SyntaxError, RuntimeError, OSError, ValueError) as exc:
            raise StoreQueryError(Text(zh=f"查询失败：{exc}", en=f"query failed: {exc}")) from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreQueryError(Text(zh="不是 SELECT 查询", en="not a SELECT query"))
        names = [variable.value for variable in result.variables]
        convert = _Converter()
        try:
            return [
                {
                    name: convert(term)
                    for name, term in zip(names, solution, strict=True)
                    if term is not None
                }
                for solution in result
            ]
        except (RuntimeError, OSError) as exc:  # evaluation errors surface while iterating
            raise StoreQueryError(Text(zh=f"查询失败：{exc}", en=f"query failed: {exc}")) from exc

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreQueryError(Text(zh="不是 ASK 查询", en="not an ASK query"))
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise StoreQueryError(
                Text(zh="不是 CONSTRUCT 或 DESCRIBE 查询", en="not a CONSTRUCT or DESCRIBE query")
            )
        try:
            return _graph_of(result)
        except (RuntimeError, OSError) as exc:
            raise StoreQueryError(Text(zh=f"查询失败：{exc}", en=f"query failed: {exc}")) from exc

    def match(
        self,
        graph_iri: str,
        subject: Node | None = None,
        predicate: Node | None = None,
        obj: Node | None = None,
    ) -> list[Triple]:
        # Straight to Oxigraph's quad indexes (SPOG, POSG, OSPG, ...): no query text to
        # parse and plan, a few microseconds for one entry's triples.
        try:
            pattern = [None if t is None else ox_term(t) for t in (subject, predicate, obj)]
        except ValueError as exc:
            raise StoreQueryError(
                Text(zh=f"匹配模式中的项无效：{exc}", en=f"not a valid term in a pattern: {exc}")
            ) from exc
        quads = self._live().quads_for_pattern(*pattern, _graph_name(graph_iri))
        convert = _Converter()
        return [(convert(q.subject), convert(q.predicate), convert(q.object)) for q in quads]

    def read_graph(self, graph_iri: str) -> Graph:
        quads = self._live().quads_for_pattern(None, None, None, _graph_name(graph_iri))
        return _graph_of(quads)

    def graph_exists(self, graph_iri: str) -> bool:
        return self._has_triples(self._live(), _graph_name(graph_iri))

    def list_graphs(self, prefix: str | None = None) -> list[str]:
        store = self._live()
        # Oxigraph keeps a graph emptied by DELETE DATA as an empty named graph;
        # skip those so that existence means the same on every back end.
        return sorted(
            graph.value
            for graph in store.named_graphs()
            if isinstance(graph, ox.NamedNode)
            and (prefix is None or graph.value.startswith(prefix))
            and self._has_triples(store, graph)
        )

    @staticmethod
    def _has_triples(store: ox.Store, graph: ox.NamedNode) -> bool:
        return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None

    def quad_count(self) -> int:
        return len(self._live())

    def generation(self) -> int:
        quads = self._live().quads_for_pattern(
            ox.NamedNode(STORE_IRI),
            ox.NamedNode(GENERATION_PREDICATE),
            None,
            ox.NamedNode(GENERATION_GRAPH),
        )
        return max((int(quad.object.value) for quad in quads), default=0)

    # -- writing -----------------------------------------------------------------

    def _refuse_read_only(self) -> None:
        if self.read_only:
            raise StoreWriteError(
                Text(
                    zh=f"{self.location} 处的存储以只读方式打开：另一个进程正在写入",
                    en=(
                        f"the store at {self.location} is open to read only: another "
                        "process holds it for writing"
                    ),
                ),
                details={"path": self.location},
            )

    def write(self, batch: WriteBatch) -> int:
        self._refuse_read_only()
        with self._write_lock:
            store = self._live()
            generation = self.generation() + 1
            # The change log's record, stamped with the generation, goes into the same
            # transaction as the batch (change_log.py).
            batch = with_log(batch, generation)
            logger.info(
                "write of generation %d begins: %d triples", generation, batch.triple_count()
            )
            self._apply(store, batch, generation)
            logger.info("write of generation %d committed", generation)
            return generation

    def _apply(self, store: ox.Store, batch: WriteBatch, generation: int) -> None:
        try:
            if batch.clear or any(batch.remove.values()):
                # Built before anything is sent: a term that cannot be stored
                # stops the batch here, with the store untouched.
                store.update(batch_update(batch, generation))
            else:
                self._extend(store, batch, generation)
        except (SyntaxError, RuntimeError, ValueError) as exc:
            raise StoreWriteError(
                Text(
                    zh=f"写入被拒绝，未写入任何内容：{exc}",
                    en=f"write refused, nothing written: {exc}",
                )
            ) from exc
        except OSError as exc:
            raise StoreError(
                Text(
                    zh=f"写入失败，未写入任何内容：{exc}",
                    en=f"write failed, nothing written: {exc}",
                )
            ) from exc

    @staticmethod
    def _extend(store: ox.Store, batch: WriteBatch, generation: int) -> None:
        """The fast path for batches that only add (most writes, and every bulk load):
        `Store.extend` is one transaction and on disk 2-3 times faster than the same
        triples as INSERT DATA.

        The new generation triple goes into that same transaction, so the data and
        its generation land together; the old triple is removed afterwards. If the
        process dies in between, two generation triples remain and `generation()`,
        which takes the largest, still reads right; the next write removes both.

        The quads are made as the transaction takes them, a chunk of text at a time:
        a 10,000-resource registration (1.95 M quads) held them all as Python objects
        besides the transaction, 0.9 GB more at its peak and 5 s longer. A term that
        cannot be stored raises inside `extend`, which then writes nothing."""
        writer, nquads = TermWriter(), ox.RdfFormat.N_QUADS
        quads = chain.from_iterable(
            ox.parse(text, format=nquads) for text in writer.nquads(batch.add)
        )
        store.extend(chain(quads, [_generation_quad(generation)]))
        if generation > 1:
            store.update(_DROP_OLD_GENERATIONS.replace("$N", str(generation)))

    # -- backup ------------------------------------------------------------------

    def dump(self, fmt: DumpFormat = "nquads") -> bytes:
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()} if fmt == "trig" else None
        data = self._live().dump(format=_rdf_format(fmt), prefixes=prefixes)
        return data if data is not None else b""

    def load_dump(self, data: bytes, fmt: DumpFormat = "nquads") -> int:
        self._refuse_read_only()
        # The Oxigraph store is never held in a local here: a refusal's traceback keeps
        # its frame's locals, and with them RocksDB's handle and LOCK after `close`
        # (a command run in-process, as the tests run it, could not open it again).
        with self._write_lock:
            held = len(self._live())
            if held:
                raise StoreError(
                    Text(
                        zh=f"load_dump 须在空的存储中进行；{self.location} 已有 {held} 个四元组",
                        en=f"load_dump needs an empty store; {self.location} holds {held} quads",
                    )
                )
            try:
                quads = list(ox.parse(data, format=_rdf_format(fmt)))
            except (SyntaxError, ValueError) as exc:
                raise StoreWriteError(
                    Text(
                        zh=f"无法读取转储文件，未载入任何内容：{exc}",
                        en=f"cannot read the dump, nothing loaded: {exc}",
                    )
                ) from exc
            generations = [
                int(quad.object.value)
                for quad in quads
                if quad.predicate.value == GENERATION_PREDICATE
                and isinstance(quad.subject, ox.NamedNode)
                and quad.subject.value == STORE_IRI
            ]
            if quads and not generations:
                # Data from elsewhere: still a write, and caches must see it as one.
                quads.append(_generation_quad(1))
            if quads:
                # The dump brings its own log (or none): no earlier generation of
                # whatever a reader held before can be patched forward from it.
                since = log_since_triple(max(generations, default=1))
                quads.append(_ox_quad(since, GRAPH_CHANGES))
            try:
                self._live().extend(quads)  # one transaction: all of the dump or nothing
            except OSError as exc:
                raise StoreError(
                    Text(
                        zh=f"载入失败，未载入任何内容：{exc}",
                        en=f"load failed, nothing loaded: {exc}",
                    )
                ) from exc
            return self.generation()

    # -- life cycle --------------------------------------------------------------

    def close(self) -> None:
        with self._write_lock:
            store, self._store = self._store, None
            if store is not None and self.path is not None and not self.read_only:
                store.flush()
            # Dropping the last reference frees the RocksDB handle and its LOCK.
            del store


def _rdf_format(fmt: str) -> ox.RdfFormat:
    try:
        return _FORMATS[fmt]
    except KeyError:
        raise StoreError(
            Text(
                zh=f"未知的转储格式 {fmt!r}；可用 {sorted(_FORMATS)}",
                en=f"unknown dump format {fmt!r}; use one of {sorted(_FORMATS)}",
            )
        ) from None


def _graph_name(graph_iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(str(graph_iri))
    except ValueError as exc:
        raise StoreQueryError(
            Text(zh=f"不是有效的图 IRI：{graph_iri!r}", en=f"not a valid graph IRI: {graph_iri!r}")
        ) from exc


def _generation_quad(generation: int) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(STORE_IRI),
        ox.NamedNode(GENERATION_PREDICATE),
        ox.Literal(str(generation), datatype=ox.NamedNode(str(XSD.integer))),
        ox.NamedNode(GENERATION_GRAPH),
    )


def _ox_quad(triple: Triple, graph_iri: str) -> ox.Quad:
    return ox.Quad(*(ox_term(term) for term in triple), ox.NamedNode(graph_iri))


# Term conversion between rdflib and Oxigraph is written here, not taken from oxrdflib:
# oxrdflib's public API is an rdflib store plugin (its OxigraphStore); its converters
# live in a private module (`oxrdflib._converter`, no stability promised), and they keep
# an xsd:string literal typed, where rdflib (and every graph this registry compares,
# hashes and validates) has it plain. The two functions below are the whole boundary.
def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as an Oxigraph term; a plain literal is stored as xsd:string. The
    one rdflib-to-Oxigraph converter: the embedded store's writes and patterns, and a
    remote store's dumps (remote_terms.OxWriter, which labels blank nodes itself).
    StoreError for anything that is no RDF term (a variable)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(Text(zh=f"不是可存储的 RDF 项：{term!r}", en=f"not an RDF term: {term!r}"))


class _Converter:
    """Oxigraph terms to rdflib terms, with `xsd:string` literals made plain again.

    IRIs and datatypes are cached for the length of one result: the same
    predicates, classes and graph names recur on most rows."""

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}

    def __call__(self, term: object) -> Node:
        if type(term) is ox.NamedNode:
            value = term.value
            iri = self._iris.get(value)
            if iri is None:
                iri = self._iris[value] = URIRef(value)
            return iri
        if type(term) is ox.Literal:
            if term.language:
                return RdfLiteral(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return RdfLiteral(term.value)
            return RdfLiteral(term.value, datatype=self(term.datatype))
        if type(term) is ox.BlankNode:
            return BNode(term.value)
        raise StoreError(
            Text(
                zh=f"无法在 rdflib 中表示 {term!r}（RDF-star 三元组项）",
                en=f"cannot represent {term!r} in rdflib (RDF-star triple terms)",
            )
        )


def _graph_of(triples: Iterable[ox.Triple | ox.Quad]) -> Graph:
    convert = _Converter()
    graph = Graph()
    add = graph.add
    for triple in triples:
        add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
    return graph
