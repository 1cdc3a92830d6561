"""Terms between the registry (rdflib) and a remote SPARQL server.

Three reserved IRI prefixes, which nothing else may use (writing an IRI under
one of them is refused):

- `urn:screg:genid:` names a blank node on the server. SPARQL servers relabel
  blank nodes in INSERT DATA and give them back under labels of their own
  (Virtuoso: `nodeID://...`), and a blank node cannot be named in a later
  query or DELETE; so blank nodes are skolemised to IRIs under this prefix when
  written and turned back into blank nodes when read.
- `urn:screg:staged:` wraps every IRI of a write that is staged but not yet
  published (registry/store/remote.py). No query of the registry names an IRI
  under it, so staged data matches none of them while it waits.
- `urn:screg:tx:` names the staging graphs and records of those writes.

Literals are normalised as on the embedded store (base.py): no `xsd:string`
datatype, lower-case language tags.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from registry.bilingual import Text
from registry.store.errors import StoreError, StoreQueryError, StoreWriteError
from registry.store.oxigraph import ox_term
from registry.store.sparql_text import iri_text, literal_text

SKOLEM_PREFIX = "urn:screg:genid:"
STAGED_PREFIX = "urn:screg:staged:"
TX_PREFIX = "urn:screg:tx:"
RESERVED_PREFIXES = (SKOLEM_PREFIX, STAGED_PREFIX, TX_PREFIX)

_XSD_STRING = str(XSD.string)
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# RFC 3987: an absolute IRI starts with a scheme. The embedded store refuses a
# relative IRI; Virtuoso stores it as it is, so the check is made here.
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def checked_iri(iri: str) -> str:
    """`<iri>` for an absolute IRI outside the reserved prefixes, else StoreWriteError."""
    text = iri_text(iri)
    if not _ABSOLUTE.match(iri):
        raise StoreWriteError(
            Text(zh=f"不是绝对 IRI：{iri!r}", en=f"not an absolute IRI: {iri!r}"),
            details={"iri": iri},
        )
    if iri.startswith(RESERVED_PREFIXES):
        raise StoreWriteError(
            Text(
                zh=f"{iri.split(':', 3)[:3]} 下的 IRI 由存储保留：{iri!r}",
                en=(f"IRIs under {iri.split(':', 3)[:3]} are reserved by the store: {iri!r}"),
            ),
            details={"iri": iri},
        )
    return text


class RemoteTermWriter:
    """rdflib terms as SPARQL text for a remote server: IRIs checked once each, blank
    nodes skolemised to IRIs unique to this writer (one writer per batch, so two
    batches never share a node, as with INSERT DATA on any store), and with
    `staged=True` every IRI wrapped under STAGED_PREFIX."""

    def __init__(self, *, staged: bool = False) -> None:
        self._staged = staged
        self._iris: dict[str, str] = {}
        self._bnodes: dict[str, str] = {}
        self._bnode_prefix = f"{SKOLEM_PREFIX}{uuid.uuid4().hex}-"

    def _iri(self, iri: str) -> str:
        text = self._iris.get(iri)
        if text is None:
            text = checked_iri(iri)
            if self._staged:
                text = f"<{STAGED_PREFIX}{iri}>"
            self._iris[iri] = text
        return text

    def term(self, term: Node, *, allow_bnode: bool = True) -> str:
        if isinstance(term, URIRef):
            return self._iri(str(term))
        if isinstance(term, Literal):
            if term.datatype is not None:
                self._iri(str(term.datatype))  # absolute, not reserved
            return literal_text(term)
        if isinstance(term, BNode):
            if not allow_bnode:
                raise StoreWriteError(
                    Text(
                        zh="空白节点不能逐个三元组删除；请改为清空整个图",
                        en=(
                            "blank nodes cannot be removed one triple at a time; clear the "
                            "graph instead"
                        ),
                    ),
                    details={"blank_node": str(term)},
                )
            text = self._bnodes.get(term)
            if text is None:
                iri = f"{self._bnode_prefix}{len(self._bnodes)}"
                text = f"<{STAGED_PREFIX}{iri}>" if self._staged else f"<{iri}>"
                self._bnodes[term] = text
            return text
        raise StoreWriteError(
            Text(
                zh=f"无法存储 {type(term).__name__}：{term!r}",
                en=f"cannot store a {type(term).__name__}: {term!r}",
            ),
            details={"term": repr(term)},
        )

    def lines(self, triples: Iterable[tuple[Node, Node, Node]], *, allow_bnode: bool) -> list[str]:
        """One `s p o .` line per triple."""
        term = self.term
        try:
            return [
                f"{term(s, allow_bnode=allow_bnode)} {term(p, allow_bnode=False)} "
                f"{term(o, allow_bnode=allow_bnode)} ."
                for s, p, o in triples
            ]
        except ValueError as exc:  # not a triple at all
            raise StoreWriteError(Text(zh=f"不是三元组：{exc}", en=f"not a triple: {exc}")) from exc


def binding_terms(bindings: Mapping[str, Node] | None) -> Mapping[str, Node] | None:
    """Bindings with blank nodes read from this store turned back into their skolem
    IRIs, so that a node read from one query can be asked about in the next."""
    if not bindings:
        return bindings
    return {
        name: URIRef(SKOLEM_PREFIX + str(term)) if isinstance(term, BNode) else term
        for name, term in bindings.items()
    }


# -- reading: SPARQL JSON results and N-Triples ----------------------------------------


class JsonTerms:
    """SPARQL 1.1 JSON result terms to rdflib terms, normalised; IRIs are cached for
    one result (predicates, classes and graph names recur on most rows)."""

    def __init__(self) -> None:
        self._iris: dict[str, Node] = {}

    def iri(self, value: str) -> Node:
        node = self._iris.get(value)
        if node is None:
            if value.startswith(SKOLEM_PREFIX):
                node = BNode(value[len(SKOLEM_PREFIX) :])
            else:
                node = URIRef(value)
            self._iris[value] = node
        return node

    def __call__(self, term: Mapping[str, Any]) -> Node:
        kind = term.get("type")
        value = term.get("value", "")
        if kind == "uri":
            return self.iri(value)
        if kind in ("literal", "typed-literal"):  # Virtuoso still says typed-literal
            lang = term.get("xml:lang")
            if lang:
                return Literal(value, lang=lang.lower())
            datatype = term.get("datatype")
            if datatype is None or datatype in (_XSD_STRING, _RDF_LANG_STRING):
                return Literal(value)
            return Literal(value, datatype=URIRef(datatype))
        if kind == "bnode":
            return BNode(value)
        raise StoreQueryError(
            Text(
                zh=f"SPARQL 结果中有意外的项：{dict(term)!r}",
                en=f"unexpected term in a SPARQL result: {dict(term)!r}",
            )
        )


def rows_of(results: Mapping[str, Any]) -> list[dict[str, Node]]:
    convert = JsonTerms()
    return [
        {name: convert(term) for name, term in binding.items()}
        for binding in results.get("results", {}).get("bindings", [])
    ]


class OxTerms:
    """pyoxigraph terms (N-Triples parsed by pyoxigraph, much faster than rdflib) to
    normalised rdflib terms, skolem IRIs back to blank nodes."""

    def __init__(self) -> None:
        self._json = JsonTerms()

    def __call__(self, term: object) -> Node:
        if type(term) is ox.NamedNode:
            return self._json.iri(term.value)
        if type(term) is ox.Literal:
            if term.language:
                return Literal(term.value, lang=term.language.lower())
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=self._json.iri(datatype))
        if type(term) is ox.BlankNode:
            return BNode(term.value)
        raise StoreError(
            Text(
                zh=f"无法在 rdflib 中表示 {term!r}（RDF-star 三元组项）",
                en=f"cannot represent {term!r} in rdflib (RDF-star triple terms)",
            )
        )


class OxWriter:
    """rdflib terms read from the store as pyoxigraph terms, for dumps: pyoxigraph's
    serialisers then write them byte for byte as the embedded store does. One
    blank node keeps one label for the whole dump."""

    def __init__(self) -> None:
        self._bnodes: dict[str, ox.BlankNode] = {}

    def __call__(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, BNode):
            node = self._bnodes.get(term)
            if node is None:
                label = str(term)
                node = ox.BlankNode(label) if _BNODE_LABEL.fullmatch(label) else ox.BlankNode()
                self._bnodes[term] = node
            return node
        return ox_term(term)


_BNODE_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-.]*")


# -- bindings inside the query ----------------------------------------------------------


def bind_inside(query: str, values: str) -> str:
    """`query` with the `VALUES` block `values` put first inside its WHERE group.

    The embedded store takes bindings as a trailing VALUES clause
    (sparql_text.bind_values); Virtuoso refuses one that names a variable the
    query does not project ("SQ200: No column s"), but accepts VALUES inside the
    group, where it joins the same way for the queries the registry writes."""
    opens = _top_level_groups(query)
    if not opens:
        raise StoreQueryError(
            Text(
                zh="无法绑定变量：查询没有 WHERE 组",
                en="cannot bind variables: the query has no WHERE group",
            )
        )
    form = _FORM.search(_STRIP.sub(" ", query))
    index = 0
    if form and form.group(1).upper() == "CONSTRUCT" and not form.group(2) and len(opens) > 1:
        index = 1  # CONSTRUCT { template } WHERE { ... }: the second group
    at = opens[index] + 1
    return f"{query[:at]} {values}\n{query[at:]}"


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b\s*(WHERE\b)?", re.IGNORECASE)
_STRIP = re.compile(r'"[^"\n]*"|\'[^\'\n]*\'|<[^<>\s]*>|#[^\n]*')


def _top_level_groups(query: str) -> list[int]:
    """Offsets of the `{` that open groups at depth 0, skipping strings, IRIs and
    comments (which may hold braces)."""
    opens: list[int] = []
    depth = 0
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            long = query.startswith(c * 3, i)
            quote = c * 3 if long else c
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                j += 2 if query[j] == "\\" else 1
            i = j + len(quote)
            continue
        elif c == "<":
            end = query.find(">", i)
            candidate = query[i + 1 : end] if end > 0 else ""
            if end > 0 and not any(ch in candidate for ch in ' \n\t{}"'):
                i = end + 1
                continue
        elif c == "{":
            if depth == 0:
                opens.append(i)
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    return opens
