"""The guard in front of the public SPARQL endpoint.

It reads the query with a small lexer of its own, before any SPARQL parser sees
it: pyoxigraph's parser crashes the process (stack overflow, SIGSEGV) on ~2,500
nested groups, and rdflib's recurses and is not thread-safe. The lexer knows
just enough of the SPARQL grammar to tell keywords from the same letters inside
strings, IRIs, comments, prefixed names and variables, so `"DROP ALL"` in a
literal or `ex:load` as a property is never mistaken for an operation.

What it refuses (QueryRefusedError, HTTP 400):

- updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD, and the
  update-only WITH / USING): the endpoint is read-only;
- SERVICE: no federated calls out of this server;
- FROM / FROM NAMED: the dataset is fixed (registry/sparql/dataset.py), a query
  may not pick graphs, the hidden ones included;
- a query longer than `sparql_max_query_length` characters or nested deeper
  than `sparql_max_depth` brackets ({ }, ( ) and [ ] together).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from registry.errors import QueryRefusedError

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

_UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
)
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
# Functions whose value changes from one evaluation to the next: the answer of a query
# calling one is not a function of the store, so HTTP caches must not keep it.
_VOLATILE_WORDS = frozenset({"NOW", "RAND", "UUID", "STRUUID"})
_OPEN = "{(["
_CLOSE = "})]"

# One alternation, tried at each position in this order. Long strings come before
# short ones so that '''a'b''' is one token; an IRI follows the IRIREF production
# (no spaces, quotes or braces inside), which is also how `?a < ?b` stays an
# operator. Everything that cannot hold a keyword (strings, IRIs, comments,
# variables, prefixed names, language tags, numbers) is matched whole and skipped.
TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\n\r]|\\.)*'
      | "(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>[^\W\d][\w.\-]*:(?:[\w.:%\-]|\\.)*|:(?:[\w.:%\-]|\\.)*|_:[\w.\-]+)
  | (?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<word>[^\W\d][\w]*)
  | (?P<number>\d[\w.]*|\.\d[\w.]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class GuardLimits:
    max_length: int
    max_depth: int


@dataclass(frozen=True)
class CheckedQuery:
    """A query the guard let through, with what it learned on the way."""

    text: str
    form: QueryForm
    depth: int
    volatile: bool = False  # calls NOW(), RAND(), UUID() or STRUUID()


def _refuse(message: str, reason: str, **details: object) -> QueryRefusedError:
    return QueryRefusedError(message, details={"reason": reason, **details})


def check_query(query: str, limits: GuardLimits) -> CheckedQuery:
    """Return the query's form if the public endpoint may run it; else QueryRefusedError."""
    if len(query) > limits.max_length:
        raise _refuse(
            f"the query is {len(query)} characters long; at most {limits.max_length} are "
            "accepted / 查询过长",
            "too_long",
            length=len(query),
            limit=limits.max_length,
        )
    if not query.strip():
        raise _refuse("the query is empty / 查询为空", "empty")
    depth = 0
    deepest = 0
    form: QueryForm | None = None
    volatile = False
    for match in TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > limits.max_depth:
                # Stop at once: the rest of the text is never looked at, let alone parsed.
                raise _refuse(
                    f"the query nests brackets more than {limits.max_depth} deep / 查询嵌套过深",
                    "too_deep",
                    limit=limits.max_depth,
                    position=match.start(),
                )
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)  # unbalanced text is the parser's to report
        elif kind == "word":
            word = match.group().upper()
            if word in _UPDATE_WORDS:
                raise _refuse(
                    f"{word}: this endpoint is read-only; updates are not accepted / "
                    "只读端点，不接受更新操作",
                    "update",
                    keyword=word,
                )
            if word == "SERVICE":
                raise _refuse(
                    "SERVICE: federated queries are not accepted / 不接受联邦查询 (SERVICE)",
                    "service",
                    keyword=word,
                )
            if word == "FROM":
                raise _refuse(
                    "FROM / FROM NAMED: the dataset of this endpoint is fixed (the public "
                    "graphs); use GRAPH inside the query / 数据集固定，不接受 FROM",
                    "dataset",
                    keyword=word,
                )
            if form is None and word in _FORMS:
                form = word  # type: ignore[assignment]
            volatile = volatile or word in _VOLATILE_WORDS
    if form is None:
        raise _refuse(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE / 不是 SPARQL 查询",
            "no_query_form",
        )
    return CheckedQuery(text=query, form=form, depth=deepest, volatile=volatile)


def refuse_dataset_parameters(default_graphs: list[str], named_graphs: list[str]) -> None:
    """The protocol's `default-graph-uri` / `named-graph-uri` are FROM by another name."""
    if default_graphs or named_graphs:
        raise _refuse(
            "default-graph-uri / named-graph-uri: the dataset of this endpoint is fixed / "
            "数据集固定，不接受 default-graph-uri / named-graph-uri",
            "dataset",
            default_graph_uri=default_graphs,
            named_graph_uri=named_graphs,
        )


_UPDATE_REFUSED = (
    "this endpoint is read-only; SPARQL updates are not accepted / 只读端点，不接受更新操作"
)


def refuse_update() -> QueryRefusedError:
    """The error for an update sent by protocol (`update=` or application/sparql-update)."""
    return _refuse(_UPDATE_REFUSED, "update")
