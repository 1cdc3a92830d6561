"""The query worker: a child process that runs public SPARQL queries.

Why a process: pyoxigraph has no query timeout and a deep enough query crashes
it; a process can be killed at the deadline and its crash takes nothing else
down. This module is what the worker imports: pyoxigraph, the standard library,
registry/outputs/csvsafe.py and registry/sparql/patterns.py (rdflib's SPARQL parser,
already loaded by the registry package this module lives in). The forkserver
preloads it and every fresh worker is a ~15 ms fork of a ready interpreter.

Conversation over one multiprocessing connection, one request at a time:

    ("load", source, copy, changes)      -> ("loaded", generation, isolated) | ("error", ...)
    ("query", text, form, fmt, max_rows, max_bytes)
        -> ("ok", body, truncated, engine, volatile) | ("refused", code, message, details)
           | ("error", code, message)

Every query is first judged by the guard (registry/sparql/guard.py `decide`) here,
on the very text the engine then runs: a refusal never reaches the engine.

The worker runs under limits the operating system enforces (`apply_limits`): an
address space (RLIMIT_AS), so a query that would grow without end makes an
allocation fail (the process aborts, or a MemoryError is answered) instead of
taking the machine's memory; and CPU time (RLIMIT_CPU), renewed before each query,
past which the kernel stops the process (SIGXCPU). The pool replaces a worker that
died (registry/sparql/pool.py).

`source` says where the data is: {"kind": "disk", "path", "generation"} opens the
embedded store read-only (RocksDB lets a read-only instance open a folder whose
lock another process holds, and it replays the write-ahead log, so it sees every
write committed before the open); {"kind": "memory", "dump", "generation"} loads
an N-Quads dump into a store of its own (memory stores are small: tests, demos).
Both also carry the public dataset (default graphs, hidden graphs).

`copy` says what to do with an in-memory copy of the public graphs
(registry/sparql/memory_copy.py): "build" one, "update" it with `changes` (the
subjects touched since the previous load, None when unknown) or "off". `engine`
says what answered: "memory-copy" or "store".

Results are serialised here, so only bytes cross the pipe.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
import traceback
from collections import OrderedDict
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from registry.bilingual import Text
from registry.errors import QueryRefusedError
from registry.outputs.csvsafe import SPREADSHEET_FORMATS, neutralise_sparql_term
from registry.sparql.formats import GRAPH_SERIALISERS, RESULT_SERIALISERS
from registry.sparql.guard import GUARD_RECURSION_LIMIT, QueryVerdict, confirm_form, decide
from registry.sparql.memory_copy import MemoryCopy
from registry.sparql.ordering import (
    MAX_SORTED_ROWS,
    SortPlan,
    SortSpec,
    plan_for,
    sort_rows,
    sort_spec,
)
from registry.sparql.patterns import (
    Lookup,
    fill,
    graphs_for_lookups,
    parse,
    template,
    tree_lookups,
)

_MAX_REMEMBERED = 100_000  # pattern lookups remembered per generation
_MAX_TEMPLATES = 1_000  # parsed query templates remembered (any generation)
_MAX_VERDICTS = 1_000  # the guard's verdicts remembered, by exact text
_OPEN_ATTEMPTS = 5
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


_UNPARSED: Any = object()

# template text -> (its lookups with slots, its SortSpec): what rdflib's parse of a
# template says, least recently used first. Neither depends on the data, so it holds
# across generations; the index lookups (`_Dataset._matches`) do not.
_TEMPLATES: OrderedDict[str, tuple[frozenset[Lookup] | None, SortSpec | None]] = OrderedDict()


def query_plan(text: str) -> tuple[frozenset[Lookup] | None, SortSpec | None]:
    """The default-graph lookups of `text` (None: every graph) and its SortSpec (None:
    the engine orders), rdflib's parse done once per template of the query
    (registry/sparql/patterns.py `template`)."""
    templated = template(text)
    if templated is None:
        tree = parse(text)
        return tree_lookups(tree), (sort_spec(tree[1]) if tree is not None else None)
    key, iris = templated
    planned = _TEMPLATES.get(key)
    if planned is None:
        tree = parse(key)
        planned = (tree_lookups(tree), sort_spec(tree[1]) if tree is not None else None)
        _TEMPLATES[key] = planned
        if len(_TEMPLATES) > _MAX_TEMPLATES:
            _TEMPLATES.popitem(last=False)
    else:
        _TEMPLATES.move_to_end(key)
    lookups, spec = planned
    return fill(lookups, iris), spec


class _Dataset:
    """The opened data and the dataset arguments every query runs with."""

    def __init__(self, source: dict[str, Any]) -> None:
        self.source = source
        self.generation: int = source["generation"]
        self.store = self._open()
        self.default_graphs: list[str] = list(source["default_graphs"])
        self.default_graph = [ox.NamedNode(iri) for iri in self.default_graphs]
        # (graph, lookup) -> whether the graph holds a match; valid for this
        # generation, like everything opened here.
        self._matches: dict[tuple[str, Lookup], bool] = {}
        self.memory_copy: MemoryCopy | None = None
        self._hidden = set(source["hidden_graphs"])
        # Whether a graph to hide is really there: without one, "every named graph"
        # (None) is the same dataset as the list. Asked graph by graph: listing every
        # named graph at each open cost ~0.7 s on the 50,000-resource registry (its
        # 65,000 version graphs), and a dataset is opened again after every write.
        self.hides = any(
            self.store.contains_named_graph(ox.NamedNode(iri)) for iri in sorted(self._hidden)
        )
        self._named_graphs: list[Any] | None = None
        self.prefixes: dict[str, str] = source.get("prefixes", {})

    @property
    def named_graphs(self) -> list[Any]:
        """Every named graph but the hidden ones, listed once per generation (a new
        graph appears only through a write, which reopens the dataset), the first time
        a query that may name a graph needs it."""
        if self._named_graphs is None:
            self._named_graphs = [
                graph
                for graph in self.store.named_graphs()
                if not (isinstance(graph, ox.NamedNode) and graph.value in self._hidden)
            ]
        return self._named_graphs

    def copy_for(self, text: str) -> ox.Store | None:
        """The in-memory copy to run `text` on, when there is one at this generation
        and the text cannot reach a named graph (the copy has none but the public
        default graphs)."""
        if self.memory_copy is None or _may_name_a_graph(text):
            return None
        return self.memory_copy.store_for(self.generation)

    def named_graphs_for(self, text: str) -> list[Any] | None:
        """The named graphs to pass with `text`: None (the store's own, free) when that
        gives the same answer, else the list without the hidden graphs.

        pyoxigraph costs ~8 us per listed graph on every query (~0.5 s with the
        65,000 version graphs of a 50,000-resource registry); a text that cannot name
        a graph (`_may_name_a_graph`) cannot see the hidden graph whatever the list."""
        if not self.hides:
            return None
        return self.named_graphs if _may_name_a_graph(text) else None

    def default_graph_for(self, text: str, lookups: Any = _UNPARSED) -> list[Any]:
        """The default graph to pass with `text` (whose default-graph lookups, from
        `query_plan`, may be given): the public union without the graphs none of its
        patterns can match in, which gives the same answers; Oxigraph is 1.5-3x slower
        over a union of three graphs than over one. Never empty: a query that matches
        nowhere gets the first."""
        if len(self.default_graphs) < 2:
            return self.default_graph
        if lookups is _UNPARSED:
            lookups = query_plan(text)[0]
        needed = set(graphs_for_lookups(lookups, self.default_graphs, self._graph_matches))
        if len(needed) == len(self.default_graphs):
            return self.default_graph
        chosen = [node for node in self.default_graph if node.value in needed]
        return chosen or self.default_graph[:1]

    def _graph_matches(self, graph: str, lookup: Lookup) -> bool:
        key = (graph, lookup)
        found = self._matches.get(key)
        if found is None:
            try:
                pattern = [None if iri is None else ox.NamedNode(iri) for iri in lookup]
            except ValueError:  # not an IRI to Oxigraph: assume a match, keep the graph
                return True
            quads = self.store.quads_for_pattern(*pattern, ox.NamedNode(graph))
            found = next(iter(quads), None) is not None
            if len(self._matches) >= _MAX_REMEMBERED:
                self._matches.clear()
            self._matches[key] = found
        return found

    def _open(self) -> ox.Store:
        if self.source["kind"] == "disk":
            # A read-only open can race the writer's compaction (a file named in the
            # MANIFEST is deleted before it is opened: OSError, or RuntimeError
            # "Corruption ... No such file", ~5% of opens just after a large write);
            # another try a moment later sees the new state.
            for attempt in range(_OPEN_ATTEMPTS):
                try:
                    return ox.Store.read_only(self.source["path"])
                except (OSError, RuntimeError):
                    if attempt == _OPEN_ATTEMPTS - 1:
                        raise
                    time.sleep(0.02 * (attempt + 1))
        store = ox.Store()
        store.bulk_load(self.source["dump"], format=ox.RdfFormat.N_QUADS)
        return store

    def reopen(self) -> _Dataset:
        reopened = _Dataset(self.source)
        reopened.memory_copy = self.memory_copy
        return reopened

    def follow_with_copy(
        self, previous: _Dataset | None, mode: str, changes: frozenset[str] | None
    ) -> None:
        """Carry the previous dataset's copy over to this generation, start one, or
        drop it, as the pool's `mode` says."""
        kept = previous.memory_copy if previous is not None else None
        if mode == "off" or self.source["kind"] != "disk":
            if kept is not None:
                kept.close()
            return
        if mode == "build" or kept is None:
            if kept is not None:
                kept.close()
            kept = MemoryCopy(self.default_graphs)
            changes = None
        kept.follow(self.store, self.generation, changes)
        self.memory_copy = kept


def load(
    source: dict[str, Any],
    previous: _Dataset | None = None,
    copy: str = "off",
    changes: frozenset[str] | None = None,
) -> _Dataset:
    """The dataset `source` describes, with the in-memory copy `previous` had carried
    over, started or dropped as `copy` says ("build", "update" with `changes`, "off")."""
    dataset = _Dataset(source)
    dataset.follow_with_copy(previous, copy, changes)
    return dataset


def _may_name_a_graph(text: str) -> bool:
    """Whether `text` may reach a named graph: only through GRAPH (the guard refuses
    FROM NAMED), so not when "graph" appears nowhere in it (case-insensitively,
    strings and IRIs included), nor "named", nor a "\\u" escape."""
    lowered = text.lower()
    return "graph" in lowered or "named" in lowered or "\\u" in lowered


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _solutions(result: ox.QuerySolutions, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """The first `max_rows` solutions in `fmt`, and whether there were more."""
    names = [variable.value for variable in result.variables]
    return _rows_body(names, list(islice(result, max_rows + 1)), fmt, max_rows)


def _rows_body(names: list[str], rows: list[Any], fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """The first `max_rows` of `rows` in `fmt`, and whether there were more.

    pyoxigraph serialises a whole result or nothing, so the capped rows are
    written as SPARQL JSON here and, for the other formats, read back and
    rewritten by pyoxigraph's own serialisers (which get CSV/TSV/XML escaping
    right)."""
    truncated = len(rows) > max_rows
    # CSV and TSV answers are opened in spreadsheets: literal text that would run
    # as a formula there gets a leading quote (registry/outputs/csvsafe.py). The other
    # formats are read by programs and carry the data as stored.
    to_cell = neutralise_sparql_term if fmt in SPREADSHEET_FORMATS else None
    bindings = []
    for solution in rows[:max_rows]:
        binding = {}
        for name, term in zip(names, solution, strict=True):
            if term is not None:
                as_json = _term_json(term)
                binding[name] = to_cell(as_json) if to_cell else as_json
        bindings.append(binding)
    body = json.dumps(
        {"head": {"vars": names}, "results": {"bindings": bindings}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    if fmt == "json":
        return body, truncated
    reread = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    return reread.serialize(format=RESULT_SERIALISERS[fmt]), truncated


def _boolean(result: ox.QueryBoolean, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": bool(result)}).encode()
    return result.serialize(format=RESULT_SERIALISERS[fmt])


def _triples(
    result: ox.QueryTriples, fmt: str, max_rows: int, prefixes: dict[str, str]
) -> tuple[bytes, bool]:
    triples = list(islice(result, max_rows + 1))
    truncated = len(triples) > max_rows
    body = ox.serialize(
        triples[:max_rows],
        format=GRAPH_SERIALISERS[fmt],
        prefixes=prefixes if fmt == "turtle" else None,
    )
    return body or b"", truncated


def run_query(
    dataset: _Dataset, text: str, fmt: str, max_rows: int, on: ox.Store | None = None
) -> tuple[bytes, bool]:
    """`text`'s answer from `dataset`, read from `on` (its in-memory copy) if given."""
    store = dataset.store if on is None else on
    lookups, spec = query_plan(text)
    graphs = {
        "default_graph": dataset.default_graph_for(text, lookups),
        "named_graphs": dataset.named_graphs_for(text),
    }
    plan = plan_for(text, spec)
    if plan is not None and _passes_the_guard(plan.text):
        answer = _sorted_here(store, plan, graphs, fmt, max_rows)
        if answer is not None:
            return answer
    result = store.query(text, **graphs)
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, fmt, max_rows)
    if isinstance(result, ox.QueryBoolean):
        return _boolean(result, fmt), False
    return _triples(result, fmt, max_rows, dataset.prefixes)


def _passes_the_guard(text: str) -> bool:
    """Whether the guard lets `text` through: the ORDER BY plan runs a cut of the
    query, and the engine runs nothing the guard has not read itself."""
    try:
        verdict_on(text)
    except QueryRefusedError:
        return False
    return True


def _sorted_here(
    store: ox.Store, plan: SortPlan, graphs: dict[str, Any], fmt: str, max_rows: int
) -> tuple[bytes, bool] | None:
    """The query run without its ORDER BY / LIMIT / OFFSET and ordered here
    (registry/sparql/ordering.py); None when it has to run as written."""
    try:
        result = store.query(plan.text, **graphs)
    except SyntaxError:
        return None
    if not isinstance(result, ox.QuerySolutions):
        return None
    names = [variable.value for variable in result.variables]
    rows = list(islice(result, MAX_SORTED_ROWS + 1))
    if len(rows) > MAX_SORTED_ROWS:
        return None
    ordered = sort_rows(names, rows, plan)
    if ordered is None:
        return None
    return _rows_body(names, ordered, fmt, max_rows)


def _error(code: str, message: Text) -> tuple[str, str, Text]:
    return ("error", code, message)


_VERDICTS: OrderedDict[str, QueryVerdict] = OrderedDict()


def verdict_on(text: str) -> QueryVerdict:
    """The guard's verdict on `text` (QueryRefusedError when refused), remembered by
    the exact text: rdflib's parse costs a few ms, and clients repeat their queries."""
    verdict = _VERDICTS.get(text)
    if verdict is None:
        verdict = decide(text)
        _VERDICTS[text] = verdict
        if len(_VERDICTS) > _MAX_VERDICTS:
            _VERDICTS.popitem(last=False)
    else:
        _VERDICTS.move_to_end(text)
    return verdict


def apply_limits(limits: dict[str, Any] | None) -> None:
    """Set this process's address-space limit (`memory_mb`, MiB; 0 or absent: none)."""
    memory_mb = int((limits or {}).get("memory_mb") or 0)
    if memory_mb > 0:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


def allow_cpu(seconds: float | None) -> None:
    """Let this process use `seconds` more CPU time from now (None: no limit). RLIMIT_CPU
    counts the process's whole life, so it is moved before each request; only the soft
    limit moves (the kernel sends SIGXCPU there), the hard one stays where it was."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds is None:
        soft = hard
    else:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


# unshare(2) flags (linux/sched.h).
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def leave_the_network() -> bool:
    """Move this process into a network namespace of its own, where no interface is up,
    so that no query can reach another host or port, whatever the guard let through
    (DESIGN.md: `1SERVICE` passed a lexer and the engine still ran SERVICE). As root
    the namespace alone; otherwise inside a user namespace of its own, which needs a
    process without threads (a fresh worker) and a kernel that allows it. Returns
    whether it worked."""
    import ctypes
    import os

    if not hasattr(os, "fork"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def serve(conn: Connection, limits: dict[str, Any] | None = None) -> None:
    """The worker's main loop; returns when the parent closes the connection.

    `limits`: {"memory_mb": MiB of address space, "cpu_seconds": CPU time per query}."""
    # First, while the process has no thread but this one (unshare of a user namespace
    # refuses a process with threads). The parent learns the outcome from `isolated`.
    isolated = leave_the_network()
    apply_limits(limits)
    cpu_seconds = (limits or {}).get("cpu_seconds")
    sys.setrecursionlimit(GUARD_RECURSION_LIMIT)  # guard.py says why
    dataset: _Dataset | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        if kind == "load":
            _, source, mode, changes = message
            allow_cpu(None)  # a load is the registry's work, not a client's
            previous = dataset
            if previous is not None:
                # The old generation's store is closed before the new one is opened:
                # two RocksDB instances at once doubled what an open needs under the
                # worker's address-space limit, and a worker died opening the store
                # after back-to-back writes. Its in-memory copy, if any, is kept.
                previous.store = None
            try:
                dataset = load(source, previous, mode, changes)
                # Everything alive now (the preloaded modules, rdflib's parser, the
                # dataset) stays: out of the collector's sight, a query's garbage
                # collections scan only the query's own objects (~7% of the heavy
                # queries' time on the 50,000-resource registry).
                gc.freeze()
                conn.send(("loaded", dataset.generation, isolated))
            except (OSError, RuntimeError, SyntaxError, ValueError) as exc:
                if previous is not None and previous.memory_copy is not None:
                    previous.memory_copy.close()
                dataset = None
                conn.send(
                    _error(
                        "store_error",
                        Text(
                            zh=f"查询进程无法打开存储：{exc}",
                            en=f"the query worker cannot open the store: {exc}",
                        ),
                    )
                )
        elif kind == "query":
            _, text, form, fmt, max_rows, max_bytes = message
            if dataset is None:
                conn.send(
                    _error(
                        "store_error",
                        Text(zh="查询进程没有载入数据", en="the query worker has no data loaded"),
                    )
                )
                continue
            allow_cpu(cpu_seconds)
            try:
                verdict = verdict_on(text)
                confirm_form(form, verdict)
            except QueryRefusedError as exc:
                conn.send(("refused", exc.code, exc.message, exc.details))
                continue
            copy = dataset.copy_for(text)
            try:
                try:
                    body, truncated = run_query(dataset, text, fmt, max_rows, copy)
                except OSError:
                    if dataset.source["kind"] != "disk":
                        raise
                    # A read-only RocksDB instance can race the writer's compaction
                    # (a file it expected is gone): reopen at the current state, retry once.
                    dataset, copy = dataset.reopen(), None
                    body, truncated = run_query(dataset, text, fmt, max_rows)
                if len(body) > max_bytes:
                    conn.send(
                        _error(
                            "result_too_large",
                            Text(
                                zh=(
                                    f"结果长 {len(body)} 字节；最多返回 {max_bytes} 字节："
                                    "请选择更少或更短的值"
                                ),
                                en=(
                                    f"the answer is {len(body)} bytes long; at most "
                                    f"{max_bytes} are returned: select fewer or shorter values"
                                ),
                            ),
                        )
                    )
                    continue
                engine = "store" if copy is None else "memory-copy"
                conn.send(("ok", body, truncated, engine, verdict.volatile))
            except MemoryError:
                # The address-space limit: the answer's memory is freed as the exception
                # unwinds; the pool replaces this worker all the same.
                conn.send(
                    _error(
                        "memory_limit",
                        Text(
                            zh="查询所需内存超过允许的限度",
                            en="the query needs more memory than allowed",
                        ),
                    )
                )
            except SyntaxError as exc:
                conn.send(
                    _error(
                        "invalid_query",
                        Text(
                            zh=f"查询不是有效的 SPARQL：{exc}",
                            en=f"the query is not valid SPARQL: {exc}",
                        ),
                    )
                )
            except (RuntimeError, ValueError, TypeError) as exc:
                conn.send(
                    _error(
                        "query_failed",
                        Text(
                            zh=f"查询无法求值：{exc}", en=f"the query could not be evaluated: {exc}"
                        ),
                    )
                )
            except OSError as exc:
                conn.send(
                    _error(
                        "store_error",
                        Text(zh=f"无法读取存储：{exc}", en=f"the store could not be read: {exc}"),
                    )
                )
            except Exception:  # a bug here must not look like a crash of the engine
                traceback.print_exc()
                conn.send(
                    _error(
                        "store_error",
                        Text(zh="查询进程内部错误", en="internal error in the query worker"),
                    )
                )
        else:
            conn.send(
                _error(
                    "bad_request",
                    Text(zh=f"未知的查询进程请求 {kind!r}", en=f"unknown worker request {kind!r}"),
                )
            )
