"""ORDER BY done by the worker, for the queries where it is cheap to do exactly.

Oxigraph on disk compares two terms for ORDER BY by reading their strings back
from RocksDB, at every comparison: on the 50,000-resource registry a two-hop
join of ~5,700 rows took 0.27 s without its `ORDER BY ?r ?std ?refid` and 0.60 s
with it (docs/benchmarks.md). Python sorts those rows in a few milliseconds.

So a SELECT whose solution modifiers at the end are only `ORDER BY` on plain
variables (`?x`, `ASC(?x)`, `DESC(?x)`), then `LIMIT` / `OFFSET`, is run without
them, and the worker sorts and slices the rows. The order is SPARQL's for the
terms it handles exactly as Oxigraph does: unbound first, then IRIs (by their
text), then simple literals (xsd:string without a language, by their text: code
point order, the order of UTF-8 bytes). A row whose sort key holds any other term
(a number, a date, a language-tagged string, a blank node), a sort variable the
query does not project, or more rows than `MAX_SORTED_ROWS` sends the worker back
to the query as written, which Oxigraph orders itself. Rows that tie on every key
may come out in another order than Oxigraph's (SPARQL leaves it open).

The text without the modifiers is the query cut just before its top-level ORDER
keyword (found with the guard's lexer, outside strings, IRIs and braces) once
everything after it is checked to be only ORDER BY / ASC / DESC / LIMIT / OFFSET,
variables, integers, brackets and comments. The syntax tree (rdflib's parser) says
what the keys, limit and offset are; both must agree or nothing is rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseResults
from rdflib import Variable
from rdflib.plugins.sparql.parserutils import CompValue

from registry.sparql.guard import TOKEN

# Past this many rows the worker gives up and runs the query as written: fetching the
# rows costs ~20-50 us each, wasted then, against ~60 us a row saved below it.
MAX_SORTED_ROWS = 25_000
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_TAIL_WORDS = frozenset({"ORDER", "BY", "ASC", "DESC", "LIMIT", "OFFSET"})
_TAIL_KINDS = frozenset({"space", "comment", "var", "number", "open", "close"})
_UNSEEN: Any = object()


@dataclass(frozen=True)
class SortPlan:
    text: str  # the query without its ORDER BY / LIMIT / OFFSET
    keys: tuple[tuple[str, bool], ...]  # (variable name, descending)
    offset: int
    limit: int | None


@dataclass(frozen=True)
class SortSpec:
    """What the syntax tree says about the ordering; the same for every query of a
    template (registry/sparql/patterns.py), since IRIs and strings play no part."""

    keys: tuple[tuple[str, bool], ...]  # (variable name, descending)
    offset: int
    limit: int | None


def sort_plan(text: str, query: Any) -> SortPlan | None:
    """The plan for `text`, whose syntax tree (rdflib's parseQuery()[1]) is `query`;
    None when the worker should leave the ordering to the engine."""
    return plan_for(text, sort_spec(query))


def sort_spec(query: Any) -> SortSpec | None:
    """The ordering of a syntax tree (rdflib's parseQuery()[1]) if the worker can do
    it, else None."""
    if not isinstance(query, CompValue) or query.name != "SelectQuery":
        return None
    order = dict.get(query, "orderby")
    if order is None or dict.get(query, "valuesClause") is not None:
        return None
    keys = _keys(order)
    if not keys:
        return None
    projected = _projected(query)
    if projected is not None and not all(name in projected for name, _ in keys):
        return None
    offset, limit = _slice(dict.get(query, "limitoffset"))
    if offset is None:
        return None
    return SortSpec(keys=keys, offset=offset, limit=limit)


def plan_for(text: str, spec: SortSpec | None) -> SortPlan | None:
    """The plan for `text` given its tree's SortSpec: the text is cut at its own top-level
    ORDER (the lexer, on this very text)."""
    if spec is None:
        return None
    cut = _cut(text)
    if cut is None:
        return None
    return SortPlan(text=text[:cut], keys=spec.keys, offset=spec.offset, limit=spec.limit)


def sort_rows(names: list[str], rows: list[Any], plan: SortPlan) -> list[Any] | None:
    """`rows` ordered and sliced as the plan says; None when a key holds a term this
    module does not order exactly as Oxigraph (the caller runs the query as written)."""
    try:
        columns = [(names.index(name), descending) for name, descending in plan.keys]
    except ValueError:  # SELECT * without the sort variable in scope
        return None
    # A term's rank computed once: answers repeat terms, and each access to a term of an
    # on-disk store reads its text back.
    ranks: dict[Any, tuple[int, str] | None] = {}
    keyed: list[tuple[tuple[Any, ...], Any]] = []
    for row in rows:
        key = []
        for index, _ in columns:
            term = row[index]
            rank = ranks.get(term, _UNSEEN)
            if rank is _UNSEEN:
                rank = ranks[term] = _rank(term)
            if rank is None:
                return None
            key.append(rank)
        keyed.append((tuple(key), row))
    directions = {descending for _, descending in columns}
    if len(directions) == 1:
        # One direction: one sort on the whole key (stable, ties kept in their order).
        keyed.sort(key=lambda item: item[0], reverse=directions.pop())
    else:
        # Stable sorts from the last key to the first give the mixed ASC/DESC order.
        for position in range(len(columns) - 1, -1, -1):
            keyed.sort(key=lambda item, p=position: item[0][p], reverse=columns[position][1])
    ordered = [row for _, row in keyed]
    end = None if plan.limit is None else plan.offset + plan.limit
    return ordered[plan.offset : end]


def _rank(term: Any) -> tuple[int, str] | None:
    if term is None:
        return (0, "")
    if isinstance(term, ox.NamedNode):
        return (1, term.value)
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value == _XSD_STRING:
        return (2, term.value)
    return None


def _keys(order: Any) -> tuple[tuple[str, bool], ...] | None:
    conditions = dict.get(order, "condition") if isinstance(order, CompValue) else None
    if not isinstance(conditions, (list, ParseResults)):
        return None
    keys = []
    for condition in conditions:
        descending = False
        expr = condition
        if isinstance(condition, CompValue) and condition.name == "OrderCondition":
            direction = dict.get(condition, "order")
            if direction not in (None, "ASC", "DESC"):
                return None
            descending = direction == "DESC"
            expr = dict.get(condition, "expr")
        variable = _bare_variable(expr)
        if variable is None:
            return None
        keys.append((str(variable), descending))
    return tuple(keys)


def _bare_variable(node: Any) -> Variable | None:
    """`node` if it is a variable, or an expression chain around one variable alone
    (the parser wraps `?x` in ConditionalOrExpression > ... > MultiplicativeExpression)."""
    while isinstance(node, CompValue):
        if set(node) - {"_vars"} != {"expr"}:
            return None
        node = dict.get(node, "expr")
    return node if isinstance(node, Variable) else None


def _projected(query: CompValue) -> set[str] | None:
    """The projected variable names; None for SELECT *."""
    projection = dict.get(query, "projection")
    if projection is None:
        return None
    names = set()
    for item in projection:
        variable = dict.get(item, "evar") or dict.get(item, "var")
        if isinstance(variable, Variable):
            names.add(str(variable))
    return names


def _slice(clauses: Any) -> tuple[int | None, int | None]:
    if clauses is None:
        return 0, None
    try:
        offset = dict.get(clauses, "offset")
        limit = dict.get(clauses, "limit")
        return (0 if offset is None else int(offset)), (None if limit is None else int(limit))
    except (TypeError, ValueError):
        return None, None


def _cut(text: str) -> int | None:
    """Where the top-level ORDER keyword starts, if only solution modifiers follow."""
    depth = 0
    cut = None
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        word = match.group().upper() if kind == "word" else ""
        if cut is None:
            if kind == "open":
                depth += 1
            elif kind == "close":
                depth -= 1
            elif depth == 0 and word == "ORDER":
                cut = match.start()
            continue
        if kind == "word":
            if word not in _TAIL_WORDS or word == "ORDER":
                return None
        elif kind not in _TAIL_KINDS:
            return None
    return cut
