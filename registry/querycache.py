"""Parse each SPARQL text once for rdflib, and never in two threads at once.

pyshacl hands rdflib the text of a SPARQL-based constraint for every focus node,
and rdflib parses it every time (DESIGN.md: ~6 ms a parse; one constraint was
~60% of validation time). rdflib's parser is also not thread-safe. This
processor, registered under rdflib's own plugin name "sparql", keeps the
translated algebra of each text (what `prepareQuery` would give) and serialises
the parsing of new texts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.term import Identifier

_CACHE_SIZE = 512
_cache: OrderedDict[tuple[Any, ...], Query] = OrderedDict()
_parse_lock = threading.Lock()


def prepared(
    text: str, base: str | None = None, namespaces: Mapping[str, Any] | None = None
) -> Query:
    """The translated query for `text`; rdflib's Graph.query passes the graph's
    namespaces, which take part in the translation and so in the key."""
    key = (text, base, tuple(sorted((k, str(v)) for k, v in (namespaces or {}).items())))
    with _parse_lock:
        query = _cache.get(key)
        if query is None:
            query = translateQuery(parseQuery(text), base, namespaces)
            _cache[key] = query
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
        return query


class CachingSPARQLProcessor(SPARQLProcessor):
    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Identifier] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            strOrQuery = prepared(strOrQuery, base, initNs)
        return evalQuery(self.graph, strOrQuery, initBindings, base)


_installed = False


def install() -> None:
    """Make rdflib's default SPARQL processor the caching one (idempotent)."""
    global _installed
    if not _installed:
        plugin.register("sparql", Processor, __name__, "CachingSPARQLProcessor")
        _installed = True
