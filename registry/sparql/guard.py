"""The guard in front of the public SPARQL endpoint: what a query may do is decided
from its parse, not from a lexer of our own.

Two steps, in two places:

1. `precheck` (the API process, before a worker is asked): the length, the
   nesting depth and the query form. It reads the text with a small lexer (`TOKEN`)
   because no parser may see a text that can crash it: pyoxigraph's parser
   overflows the stack (SIGSEGV) at ~2,500 nested groups or ~15,000 `!` in a row,
   and rdflib's recurses. The lexer decides nothing else: the form it finds only
   chooses the result format, and the worker checks it against the parse.
2. `decide` (in the query worker, on the very text the engine then runs; under a
   lock anywhere else, rdflib's parser not being thread-safe): rdflib's SPARQL
   parser reads the whole text and the syntax tree is walked, every node of it.
   Refused (QueryRefusedError, HTTP 400, `details.reason`):

   - `service`: a SERVICE clause anywhere (federated calls out of this server);
   - `dataset`: FROM / FROM NAMED: the dataset is fixed (registry/sparql/dataset.py),
     a query may not pick graphs, the hidden ones included;
   - `hidden_graph`: an IRI (written out, prefixed, or relative to a BASE) that is a
     hidden graph's or a remote store's staging graph's, anywhere in the query: a
     server may let a graph named in the query past the dataset it was given
     (Virtuoso 7.2 does), so such a query never reaches one;
   - `update`: a text that is a SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...): the
     endpoint is read-only (the worker only ever asks the engine for a query, which
     refuses updates too);
   - `function`: a call of a function by IRI other than an XSD cast: nothing
     the endpoint serves is reached through one, and a function that fetched would
     reach outside;
   - `escape`: a `\\u` / `\\U` escape that stands for a quote, `<`, `>`, a backslash, a
     space or a control character. rdflib expands every escape before it parses and
     Oxigraph only inside IRIs and strings, so such an escape would end a string for
     one parser and not for the other: the two would read different queries;
   - `syntax` (code `invalid_query`): a text rdflib's parser cannot read. That
     includes a few texts Oxigraph would run (a keyword glued to a number,
     `1SERVICE`, which is how a lexer was once fooled, or `!!?x`): refused rather
     than run unchecked;
   - `too_complex`: a text rdflib's parser cannot read within its recursion limit;
   - `form`: the parsed form is not the one `precheck` found.

The endpoint never reaches a store without both steps (`check_query` does both, for
a runner without a worker). What the parse also says: the form and whether the query
calls NOW(), RAND(), UUID() or STRUUID() (`volatile`: its answer is no function of
the store, so HTTP caches must not keep it).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

from pyparsing import ParseBaseException, ParseResults
from rdflib import URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from registry.bilingual import Text
from registry.errors import QueryRefusedError
from registry.sparql.dataset import is_hidden_graph
from registry.sparql.errors import InvalidQueryError

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_FORM_OF_NODE: dict[str, QueryForm] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
# Functions whose value changes from one evaluation to the next: the answer of a query
# calling one is not a function of the store, so HTTP caches must not keep it.
_VOLATILE_NODES = frozenset({"Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID"})
_XSD = "http://www.w3.org/2001/XMLSchema#"
# Update operations as rdflib names them, and the keyword a person wrote.
_UPDATE_KEYWORDS = {
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
    "Modify": "DELETE",
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
}
# Characters that end or open a string or an IRI (or an escape): an escape standing
# for one of them makes rdflib (which expands escapes first) and Oxigraph (which
# expands them inside strings and IRIs only) read different tokens.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_UNSAFE_ESCAPED = frozenset("\"'<>\\")
# Prefix operators that nest: `!!!...x` recurses in both parsers like brackets do.
_UNARY = frozenset("!^+-")

# Operators a query may hold, counted as characters (`||` is two): rdflib's parser
# takes ~1.6 ms for each `||` term of an expression and ~0.7 ms for each `+` (packrat),
# so an 18 KB query of 3,000 `||` under the length and depth limits held a parse for
# 8 s, and three at once kept a plain ASK waiting 9.7 s; a path of 2,000 steps kept
# the engine planning for minutes. 512 is ~0.4 s of parse at worst, and more than any
# question of the registry needs.
MAX_OPERATORS = 512
_OPERATORS = frozenset("|&=<>+-*/^!")

# One alternation, tried at each position in this order. Long strings come before
# short ones so that '''a'b''' is one token; an IRI follows the IRIREF production
# (no spaces, quotes or braces inside), which is also how `?a < ?b` stays an
# operator. Used for the cheap pre-check (brackets inside strings, IRIs and comments
# do not nest) and by registry/sparql/patterns.py `template`; never to decide what a
# query may do.
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

# rdflib's parser recurses about 15 Python frames per nesting level: Python's default
# limit (1,000) stops it at ~30 levels, below the pre-check's 64. Measured: at this
# limit a 300-deep query parses and a 5,000-deep one ends in RecursionError, not in a
# crash of the C stack. Set by whoever calls `decide` (the worker, the remote runner).
GUARD_RECURSION_LIMIT = 20_000

# rdflib's parser keeps state in module globals (pyparsing's packrat cache): one
# parse at a time per process.
_PARSER_LOCK = threading.Lock()


@dataclass(frozen=True)
class GuardLimits:
    max_length: int
    max_depth: int


@dataclass(frozen=True)
class CheckedQuery:
    """A query past the pre-check: its text, the form its first keyword names (which
    chooses the result format) and how deep it nests."""

    text: str
    form: QueryForm
    depth: int


@dataclass(frozen=True)
class QueryVerdict:
    """What the parse of a query the guard lets through says about it."""

    form: QueryForm
    volatile: bool = False  # calls NOW(), RAND(), UUID() or STRUUID()


def _refuse(message: Text, reason: str, **details: object) -> QueryRefusedError:
    return QueryRefusedError(message, details={"reason": reason, **details})


def precheck(query: str, limits: GuardLimits) -> CheckedQuery:
    """The cheap checks no parser may be spared: length, nesting (brackets and runs of
    prefix operators), and the form; QueryRefusedError when one fails."""
    if len(query) > limits.max_length:
        raise _refuse(
            Text(
                zh=f"查询长 {len(query)} 个字符；最多接受 {limits.max_length} 个",
                en=(
                    f"the query is {len(query)} characters long; at most "
                    f"{limits.max_length} are accepted"
                ),
            ),
            "too_long",
            length=len(query),
            limit=limits.max_length,
        )
    if not query.strip():
        raise _refuse(Text(zh="查询为空", en="the query is empty"), "empty")
    depth = 0
    unary = 0  # prefix operators in a row, each one level deeper for a parser
    deepest = 0
    form: QueryForm | None = None
    operators = 0
    for match in TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind == "other" and match.group() in _OPERATORS:
            operators += 1
            if operators > MAX_OPERATORS:
                raise _refuse(
                    Text(
                        zh=f"查询中的运算符超过 {MAX_OPERATORS} 个（如 ||、+、/）；请拆分查询",
                        en=(
                            f"the query holds more than {MAX_OPERATORS} operators (such as "
                            "||, + and /); split it"
                        ),
                    ),
                    "too_broad",
                    limit=MAX_OPERATORS,
                    position=match.start(),
                )
        if kind == "other" and match.group() in _UNARY:
            unary += 1
        else:
            unary = 0
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)  # unbalanced text is the parser's to report
        elif kind == "word" and form is None and match.group().upper() in _FORMS:
            form = match.group().upper()  # type: ignore[assignment]
        if depth + unary > limits.max_depth:
            # Stop at once: the rest of the text is never looked at, let alone parsed.
            raise _refuse(
                Text(
                    zh=f"查询嵌套超过 {limits.max_depth} 层（括号和 `!` 等前缀运算符）",
                    en=(
                        f"the query nests more than {limits.max_depth} deep (brackets "
                        "and prefix operators such as `!`)"
                    ),
                ),
                "too_deep",
                limit=limits.max_depth,
                position=match.start(),
            )
        deepest = max(deepest, depth + unary)
    if form is None:
        # Within the depth limit a parse cannot crash; it only names the refusal better.
        _refuse_an_update(query)
        raise _refuse(
            Text(
                zh="不是 SPARQL 查询：应为 SELECT、ASK、CONSTRUCT 或 DESCRIBE",
                en=("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"),
            ),
            "no_query_form",
        )
    return CheckedQuery(text=query, form=form, depth=deepest)


def _refuse_an_update(query: str) -> None:
    update = _update_keyword(query)
    if update is not None:
        raise _refuse(
            Text(
                zh=f"{update}：本端点只读，不接受更新操作",
                en=f"{update}: this endpoint is read-only; updates are not accepted",
            ),
            "update",
            keyword=update,
        )


def _refuse_unsafe_escapes(query: str) -> None:
    for match in _ESCAPE.finditer(query):
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            # Named for what it is: it was refused as "a character that ends a string".
            raise _refuse(
                Text(
                    zh=f"转义 {match.group()} 不是 Unicode 字符（超出范围或是代理码位）",
                    en=f"the escape {match.group()} is no Unicode character (out of range, "
                    "or a surrogate)",
                ),
                "escape",
                escape=match.group(),
                position=match.start(),
            )
        char = chr(code)
        if char in _UNSAFE_ESCAPED or char.isspace() or code < 0x20 or code == 0x7F:
            raise _refuse(
                Text(
                    zh=(
                        f"转义 {match.group()} 表示会结束字符串或 IRI 的字符；"
                        "请直接写出该字符，或在字符串中用 \\\" \\' \\\\ \\n、在 IRI 中用 %XX"
                    ),
                    en=(
                        f"the escape {match.group()} stands for a character that ends a "
                        "string or an IRI; write the character itself, or use \\\" \\' \\\\ "
                        "\\n in strings and %XX in IRIs"
                    ),
                ),
                "escape",
                escape=match.group(),
                position=match.start(),
            )


def _parse(query: str) -> tuple[Any, Any]:
    """rdflib's (prologue, query) syntax tree; QueryRefusedError when it has none."""
    try:
        with _PARSER_LOCK:
            prologue, parsed = parseQuery(query)
        return prologue, parsed
    except RecursionError:
        raise _refuse(
            Text(
                zh="查询结构过于复杂，无法检查",
                en="the query is too deeply structured to be checked",
            ),
            "too_complex",
        ) from None
    except ParseBaseException as exc:
        _refuse_an_update(query)
        glued = _number_glued_to_a_word(query, exc.loc)
        raise InvalidQueryError(
            Text(
                zh=(
                    f"查询不是本端点可读取的 SPARQL 1.1（第 {exc.lineno} 行，第 {exc.col} 列）"
                    + ("；数字与关键字之间请加空格" if glued else "")
                ),
                en=(
                    "the query is not SPARQL 1.1 this endpoint can read (line "
                    f"{exc.lineno}, column {exc.col})"
                    + ("; write a space between a number and a keyword" if glued else "")
                ),
            ),
            details={"reason": "syntax", "line": exc.lineno, "column": exc.col},
        ) from None


# A number written against a word ("LIMIT 10OFFSET 5"), which the engine reads and
# rdflib's grammar does not.
_GLUED = re.compile(r"(?<![\w:.])\d+(?:\.\d+)?[A-Za-z_]")


def _number_glued_to_a_word(query: str, at: int) -> bool:
    """Whether a number glued to a word stands near where the parse stopped: only then
    is the space the hint to give (every syntax error carried it)."""
    return _GLUED.search(query[max(0, at - 24) : at + 24]) is not None


def _update_keyword(query: str) -> str | None:
    """The first operation's keyword when `query` is a SPARQL Update, else None."""
    try:
        with _PARSER_LOCK:
            update = parseUpdate(query)
    except (ParseBaseException, RecursionError):
        return None
    for operation in _field(update, "request") or []:
        if isinstance(operation, CompValue):
            if operation.name == "Modify" and _field(operation, "withClause") is not None:
                return "WITH"
            if operation.name == "Modify" and _field(operation, "delete") is None:
                return "INSERT"
            return _UPDATE_KEYWORDS.get(operation.name, operation.name.upper())
    return None


def _field(node: Any, key: str) -> Any:
    """A field of an rdflib parse node, None when absent (CompValue.get answers a
    missing key with the key's own name)."""
    return dict.get(node, key) if isinstance(node, dict) else None


def _undeclared(prefix: str) -> QueryRefusedError:
    """The refusal of a prefixed name whose prefix the query does not declare: the
    engine's own message for it was a parser's list of expected tokens, in English."""
    return InvalidQueryError(
        Text(
            zh=f"前缀“{prefix}:”未声明：请在查询开头写 PREFIX {prefix}: <命名空间 IRI>",
            en=f"the prefix '{prefix}:' is not declared: begin the query with "
            f"PREFIX {prefix}: <namespace IRI>",
        ),
        details={"reason": "undeclared_prefix", "prefix": prefix},
    )


def _prefixes(prologue: Any) -> dict[str, str]:
    declared: dict[str, str] = {}
    for decl in prologue or []:
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl":
            declared[str(_field(decl, "prefix") or "")] = str(_field(decl, "iri"))
    return declared


def _function_iri(node: CompValue, prefixes: dict[str, str]) -> str | None:
    iri = _field(node, "iri")
    if isinstance(iri, URIRef):
        return str(iri)
    if isinstance(iri, CompValue) and iri.name == "pname":
        namespace = prefixes.get(str(_field(iri, "prefix") or ""))
        return None if namespace is None else namespace + str(_field(iri, "localname") or "")
    return None


def _bases(prologue: Any) -> list[str]:
    return [
        str(_field(decl, "iri"))
        for decl in prologue or []
        if isinstance(decl, CompValue) and decl.name == "Base"
    ]


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _refuse_a_hidden_graph(iri: str, bases: list[str], hidden: frozenset[str]) -> None:
    """QueryRefusedError when `iri`, as written or resolved against a BASE (by RFC 3986
    or by plain concatenation, as a server might for a `urn:` base), is a hidden graph,
    or one of `hidden`."""
    candidates = [iri]
    if not _SCHEME.match(iri):
        candidates += [base + iri for base in bases] + [urljoin(base, iri) for base in bases]
    for candidate in candidates:
        if is_hidden_graph(candidate) or candidate in hidden:
            raise _refuse(
                Text(zh="查询引用了非公开的图", en="the query names a graph that is not public"),
                "hidden_graph",
            )


def _children(value: Any) -> list[Any]:
    if isinstance(value, CompValue):
        return list(value.values())
    if isinstance(value, (ParseResults, list, tuple)):
        return list(value)
    return []


def decide(query: str, hidden: frozenset[str] = frozenset()) -> QueryVerdict:
    """The verdict on `query` from rdflib's parse of the whole text (see the module's
    docstring), or QueryRefusedError. Call it on the text the engine will run.
    `hidden`: graphs hidden beside the fixed ones (unpublished versions')."""
    _refuse_unsafe_escapes(query)
    prologue, parsed = _parse(query)
    form = _FORM_OF_NODE.get(getattr(parsed, "name", ""))
    if form is None:
        raise _refuse(Text(zh="不是 SPARQL 查询", en="not a SPARQL query"), "no_query_form")
    prefixes = _prefixes(prologue)
    bases = _bases(prologue)
    volatile = False
    # Every node, iteratively (a deep tree must not recurse here), each once.
    pending: list[Any] = [parsed]
    seen: set[int] = set()
    while pending:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, URIRef):
            _refuse_a_hidden_graph(str(value), bases, hidden)
        if isinstance(value, CompValue):
            name = value.name
            if name == "pname":
                prefix = str(_field(value, "prefix") or "")
                namespace = prefixes.get(prefix)
                if namespace is None:
                    raise _undeclared(prefix)
                local = str(_field(value, "localname") or "")
                _refuse_a_hidden_graph(namespace + local, bases, hidden)
            if name == "ServiceGraphPattern":
                raise _refuse(
                    Text(
                        zh="SERVICE：不接受联邦查询",
                        en="SERVICE: federated queries are not accepted",
                    ),
                    "service",
                    keyword="SERVICE",
                )
            if name == "DatasetClause":
                raise _refuse(
                    Text(
                        zh=("FROM / FROM NAMED：本端点的数据集固定为公开图；请在查询中使用 GRAPH"),
                        en=(
                            "FROM / FROM NAMED: the dataset of this endpoint is fixed (the "
                            "public graphs); use GRAPH inside the query"
                        ),
                    ),
                    "dataset",
                    keyword="FROM",
                )
            if name == "Function":
                named = _field(value, "iri")
                if isinstance(named, CompValue) and named.name == "pname":
                    prefix = str(_field(named, "prefix") or "")
                    if prefix not in prefixes:
                        # Before the function's refusal: `xsd:integer(?o)` without its
                        # PREFIX was "the function (unknown prefix) is not available".
                        raise _undeclared(prefix)
                iri = _function_iri(value, prefixes)
                if iri is None or not iri.startswith(_XSD):
                    raise _refuse(
                        Text(
                            zh=(
                                f"此处不支持函数 {iri or '（未知前缀）'}；只支持 SPARQL "
                                "内置函数和 XSD 类型转换"
                            ),
                            en=(
                                f"the function {iri or '(unknown prefix)'} is not available "
                                "here; only the SPARQL built-ins and XSD casts are"
                            ),
                        ),
                        "function",
                        function=iri,
                    )
            volatile = volatile or name in _VOLATILE_NODES
        pending.extend(_children(value))
    return QueryVerdict(form=form, volatile=volatile)


def check_query(query: str, limits: GuardLimits) -> tuple[CheckedQuery, QueryVerdict]:
    """Both steps in this process: for a runner that has no worker of its own, and tests."""
    checked = precheck(query, limits)
    verdict = decide(query)
    confirm_form(checked.form, verdict)
    return checked, verdict


def confirm_form(expected: str, verdict: QueryVerdict) -> None:
    """The form the result format was chosen for (`precheck`) must be the form the
    parse found."""
    if verdict.form != expected:
        raise _refuse(
            Text(
                zh=f"查询实际为 {verdict.form} 查询，而不是 {expected}",
                en=f"the query reads as a {verdict.form} query, not {expected}",
            ),
            "form",
            form=verdict.form,
        )


def refuse_dataset_parameters(default_graphs: list[str], named_graphs: list[str]) -> None:
    """The protocol's `default-graph-uri` / `named-graph-uri` are FROM by another name."""
    if default_graphs or named_graphs:
        raise _refuse(
            Text(
                zh="default-graph-uri / named-graph-uri：本端点的数据集是固定的",
                en=("default-graph-uri / named-graph-uri: the dataset of this endpoint is fixed"),
            ),
            "dataset",
            default_graph_uri=default_graphs,
            named_graph_uri=named_graphs,
        )


_UPDATE_REFUSED = Text(
    zh="本端点只读，不接受 SPARQL 更新操作",
    en="this endpoint is read-only; SPARQL updates are not accepted",
)


def refuse_update() -> QueryRefusedError:
    """The error for an update sent by protocol (`update=` or application/sparql-update)."""
    return _refuse(_UPDATE_REFUSED, "update")
