"""Which of the public default graphs a query's patterns can match in.

The public default graph is the union of three graphs (current, ontology,
registry). Oxigraph evaluates a default graph made of several graphs pattern by
pattern over each of them: on the 50,000-resource registry the GROUP BY, OPTIONAL
and two-hop queries of bench/sparql_bench.py ran 1.5-3x slower over the union
than over the current graph alone (docs/benchmarks.md). Most queries only touch
the current graph's vocabulary, so the worker gives the engine the smallest
union that yields the same answer:

    a graph may be left out of the default graph when no triple pattern of the
    query that is evaluated against the default graph has a match in it.

Why that keeps answers identical: SPARQL evaluates the default graph only
through triple patterns and property paths (BGPs, OPTIONAL, MINUS, EXISTS, sub-
queries all reduce to them; functions never read the dataset). If a pattern has
no match in graph G, its matches in the union equal its matches in the union
without G, so every operator over those matches gives the same solutions.
Patterns inside `GRAPH` use the named graphs, which this does not change.

The check is conservative: a pattern "may match" in a graph when a quad index
lookup with its constant IRIs (subject, predicate, object; a literal, variable
or blank node counts as a wildcard) finds anything there. Property paths count
by each predicate they step through; `*`, `?` and negated sets (which match
nodes or predicates not named in the query) count as matching everywhere, as
does anything this module does not recognise, a query rdflib cannot parse, a
DESCRIBE (it reads the described resources' triples whatever the patterns), and
a query with `\\u` escapes (the two parsers must read the same IRIs).

The query is parsed with rdflib's SPARQL parser, syntax tree only (rdflib's
algebra translation drops a FILTER nested in an EXISTS, so it is not used);
Oxigraph still evaluates the query. That parser is not thread-safe, which is fine
in the single-threaded query worker; it costs a few ms a query.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pyparsing import ParseResults
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from registry.sparql.guard import TOKEN

# A pattern's constant parts: subject, predicate, object IRIs, None for a wildcard.
Lookup = tuple[str | None, str | None, str | None]
# Does graph (an IRI) hold any triple matching the lookup?
Matcher = Callable[[str, Lookup], bool]

# A group evaluated against a named graph: GRAPH <g> { ... } (its key `graph`).
_NAMED_GRAPH_PATTERN = "GraphGraphPattern"
# CONSTRUCT's template is instantiated, not matched (the short form CONSTRUCT WHERE
# has its patterns under `where` like every other form).
_SKIPPED_KEYS = frozenset({"template"})


class _Everywhere(Exception):
    """The query may match in every graph: no pruning."""


def parse(text: str) -> tuple[Any, Any] | None:
    """rdflib's syntax tree of `text`, (prologue, query); None when it cannot be
    relied on to read what Oxigraph reads (a parse error, `\\u` escapes)."""
    if "\\u" in text.lower():
        return None
    try:
        prologue, query = parseQuery(text)
    except Exception:
        return None
    return prologue, query


def needed_graphs(text: str, graphs: Iterable[str], matches: Matcher) -> list[str]:
    """The graphs of `graphs` (in order) in which some default-graph pattern of
    `text` may match; every graph when that cannot be shown."""
    return graphs_for_tree(parse(text), graphs, matches)


def graphs_for_tree(
    tree: tuple[Any, Any] | None, graphs: Iterable[str], matches: Matcher
) -> list[str]:
    """needed_graphs for a query already parsed (`parse`)."""
    return graphs_for_lookups(tree_lookups(tree), graphs, matches)


def graphs_for_lookups(
    lookups: frozenset[Lookup] | None, graphs: Iterable[str], matches: Matcher
) -> list[str]:
    """The graphs of `graphs` in which one of `lookups` matches; every graph for None."""
    graphs = list(graphs)
    if lookups is None:
        return graphs
    return [g for g in graphs if any(matches(g, lookup) for lookup in lookups)]


def tree_lookups(tree: tuple[Any, Any] | None) -> frozenset[Lookup] | None:
    """The lookups of every default-graph pattern of a parsed query (`parse`); None
    when the query may match in every graph."""
    if tree is None:
        return None
    prologue, query = tree
    try:
        prefixes = _prefixes(prologue)
        if not isinstance(query, CompValue) or query.name not in _PATTERN_FORMS:
            return None
        return frozenset(_lookups(query, prefixes))
    except _Everywhere:
        return None
    except Exception:
        return None


# -- templates: one parse for the queries that differ only in IRIs and strings ----------
#
# rdflib's parser costs 4-10 ms a query, more than the whole evaluation of a point
# lookup. Clients send the same query shapes again and again with another IRI or
# string in them (one department, one identifier), so the worker parses a *template*
# once: the text with every IRI after the prologue and every plain string replaced by
# a placeholder, and keeps what the parse says (the lookups, with placeholders, and the
# ordering) per template. A placeholder stands for one term wherever it is: an IRI
# token is an IRI term to both parsers, a string a literal (a wildcard here). The
# exceptions are not templated: an IRI token holding a bracket can be the
# `?a<?b)...(?c>1` of two comparisons (to rdflib and Oxigraph alike), and a typed
# literal's string is parsed against its datatype; the prologue (PREFIX, BASE) is kept
# as it is, so prefixed names expand as in the query itself.

# Random per process: a query cannot name it, so a slot in a lookup is always ours.
_SLOT = f"http://{secrets.token_hex(12)}.invalid/"
_QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


def template(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(the template of `text`, the IRIs its slots stand for; the text itself when
    there is nothing to replace), or None when `text` must be parsed as it is."""
    if _SLOT in text or "\\u" in text.lower():
        return None
    parts: list[str] = []
    iris: list[str] = []
    in_prologue = True
    tokens = list(TOKEN.finditer(text))
    for i, match in enumerate(tokens):
        kind = match.lastgroup
        token = match.group()
        if in_prologue:
            if kind == "word" and token.upper() in _QUERY_FORMS:
                in_prologue = False
        elif kind == "iri" and "(" not in token and ")" not in token:
            token = f"<{_SLOT}{len(iris)}>"
            iris.append(match.group()[1:-1])
        elif kind == "string" and not _typed(tokens, i):
            token = '""'
        parts.append(token)
    return "".join(parts), tuple(iris)


def _typed(tokens: list[re.Match[str]], i: int) -> bool:
    """Whether the string token at `i` is followed by `^^` (a typed literal)."""
    for match in tokens[i + 1 :]:
        if match.lastgroup in ("space", "comment"):
            continue
        return match.group() == "^"
    return False


def fill(lookups: frozenset[Lookup] | None, iris: tuple[str, ...]) -> frozenset[Lookup] | None:
    """A template's lookups with its slots replaced by the query's own IRIs (a relative
    one is a wildcard, as in the query parsed on its own)."""
    if lookups is None:
        return None
    return frozenset(tuple(_filled(part, iris) for part in lookup) for lookup in lookups)  # type: ignore[misc]


def _filled(part: str | None, iris: tuple[str, ...]) -> str | None:
    if part is None or not part.startswith(_SLOT):
        return part
    iri = iris[int(part[len(_SLOT) :])]
    return iri if _absolute(iri) else None


# DESCRIBE reads the described resources' triples whatever its patterns say.
_PATTERN_FORMS = frozenset({"SelectQuery", "ConstructQuery", "AskQuery"})


def _prefixes(prologue: Any) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    for decl in prologue:
        if not isinstance(decl, CompValue) or decl.name != "PrefixDecl":
            raise _Everywhere  # BASE: relative IRIs resolved by two parsers, not worth it
        iri = dict.get(decl, "iri")
        if not isinstance(iri, URIRef) or not _absolute(iri):
            raise _Everywhere
        prefixes[dict.get(decl, "prefix") or ""] = str(iri)
    return prefixes


def _lookups(node: Any, prefixes: dict[str, str]) -> Iterator[Lookup]:
    """Every default-graph triple pattern under `node` (the syntax tree), as lookups."""
    if isinstance(node, CompValue):
        for key, value in node.items():
            if key in _SKIPPED_KEYS or (node.name == _NAMED_GRAPH_PATTERN and key == "graph"):
                continue
            if key == "triples" and node.name == "TriplesBlock":
                yield from _block_lookups(value, prefixes)
            else:
                yield from _lookups(value, prefixes)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _lookups(value, prefixes)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _lookups(value, prefixes)
    # terms, strings, numbers: nothing to match


def _block_lookups(groups: Any, prefixes: dict[str, str]) -> Iterator[Lookup]:
    """A TriplesBlock: groups of terms, subject predicate object repeated."""
    if not isinstance(groups, (list, ParseResults)):
        raise _Everywhere
    for group in groups:
        terms = list(group) if isinstance(group, (list, tuple, ParseResults)) else None
        if terms is None or len(terms) % 3:
            raise _Everywhere
        for i in range(0, len(terms), 3):
            subject, path, obj = terms[i : i + 3]
            simple = _simple_predicate(path, prefixes)
            if simple is not None:
                yield (_iri(subject, prefixes), simple, _iri(obj, prefixes))
            elif _is_variable(path):
                yield (_iri(subject, prefixes), None, _iri(obj, prefixes))
            else:
                for step in _path_steps(path, prefixes):
                    yield (None, step, None)


def _simple_predicate(path: Any, prefixes: dict[str, str]) -> str | None:
    """The IRI of a path that is one plain predicate (no ^, *, +, ?), else None."""
    node = path
    for name in ("PathAlternative", "PathSequence"):
        if not (isinstance(node, CompValue) and node.name == name):
            return None
        parts = dict.get(node, "part")
        if not isinstance(parts, (list, ParseResults)) or len(parts) != 1:
            return None
        node = parts[0]
    if not (isinstance(node, CompValue) and node.name == "PathElt") or dict.get(node, "mod"):
        return None
    return _iri(dict.get(node, "part"), prefixes)


def _is_variable(term: Any) -> bool:
    return isinstance(term, Variable)


def _path_steps(node: Any, prefixes: dict[str, str]) -> Iterator[str]:
    """The predicates a property path steps through; _Everywhere for the paths that
    also match what they do not name (p*, p?: zero-length; !p: other predicates)."""
    if isinstance(node, CompValue):
        if node.name in ("PathAlternative", "PathSequence"):
            parts = dict.get(node, "part")
            if not isinstance(parts, (list, ParseResults)):
                parts = [parts]
            for part in parts:
                yield from _path_steps(part, prefixes)
            return
        if node.name == "PathElt":
            if dict.get(node, "mod") not in (None, "+"):
                raise _Everywhere
            yield from _path_steps(dict.get(node, "part"), prefixes)
            return
        if node.name == "PathEltOrInverse":
            yield from _path_steps(dict.get(node, "part"), prefixes)
            return
    iri = _iri(node, prefixes)
    if iri is None:
        raise _Everywhere
    yield iri


def _iri(term: Any, prefixes: dict[str, str]) -> str | None:
    """An absolute IRI for `term`, or None (a wildcard): variables, blank nodes,
    literals, relative IRIs, and prefixed names with escapes."""
    if isinstance(term, URIRef):
        return str(term) if _absolute(term) else None
    if isinstance(term, CompValue) and term.name == "pname":
        local = dict.get(term, "localname") or ""
        prefix = dict.get(term, "prefix") or ""
        if "\\" in local or "%" in local or prefix not in prefixes:
            return None
        return prefixes[prefix] + local
    return None


def _absolute(iri: str) -> bool:
    scheme, colon, _ = iri.partition(":")
    return bool(colon) and scheme.isascii() and scheme[:1].isalpha() and "/" not in scheme
