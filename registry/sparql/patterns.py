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

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pyparsing import ParseResults
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

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
    graphs = list(graphs)
    if tree is None:
        return graphs
    prologue, query = tree
    try:
        prefixes = _prefixes(prologue)
        if not isinstance(query, CompValue) or query.name not in _PATTERN_FORMS:
            return graphs
        lookups = set(_lookups(query, prefixes))
    except _Everywhere:
        return graphs
    except Exception:
        return graphs
    return [g for g in graphs if any(matches(g, lookup) for lookup in lookups)]


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
