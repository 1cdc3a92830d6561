"""Parsing large Turtle and N-Triples documents with pyoxigraph (Rust) into rdflib.

rdflib's Turtle parser took ~16 s for a 1,000-resource catalogue (83k triples)
where pyoxigraph's parser plus building the same rdflib graph took ~5 s, with the
same triples (docs/benchmarks.md). This is only a faster way to the same graph, so
it gives up (returns None) whenever the result could differ from rdflib's, and the
caller parses with rdflib as before, errors and their messages included:

- any parse error (rdflib then reports it, with its line numbers);
- relative IRIs: parsed with no base, they are an error here, while rdflib
  resolves them against the registry's upload base;
- explicit `xsd:string` literals: Oxigraph does not tell `"x"^^xsd:string` from
  `"x"`, rdflib does (DESIGN.md "Pitfalls"); a document that might write one is
  left to rdflib.

The security rules of registry.inputs.rdf hold: bytes in, an explicit format, and
neither format can fetch anything.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
FAST_MIN_BYTES = 256 * 1024  # below this rdflib is quick enough, and exactly as before
_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_MAYBE_XSD_STRING = re.compile(rb"XMLSchema#string|:string\b")


def parse_fast(data: bytes, fmt_name: str) -> Graph | None:
    """The rdflib graph of `data`, or None when rdflib must parse it."""
    triples = parse_triples(data, fmt_name)
    if triples is None:
        return None
    return graph_of(triples)


def graph_of(triples: list[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    add = graph.add
    for triple in triples:
        add(triple)
    return graph


def parse_triples(
    data: bytes, fmt_name: str, min_bytes: int = FAST_MIN_BYTES
) -> list[tuple[Node, Node, Node]] | None:
    """The triples of `data` as rdflib terms, without building a graph (what costs
    most), or None when rdflib must parse it. A triple written twice is listed twice.
    Documents under `min_bytes` are left to rdflib too."""
    ox_format = _FORMATS.get(fmt_name)
    if ox_format is None or len(data) < min_bytes:
        return None
    if _XSD.encode() in data and _MAYBE_XSD_STRING.search(data):
        return None
    terms: dict[object, Node] = {}  # one rdflib term per distinct term: less to build
    try:
        return [
            (
                _term(triple.subject, terms),
                _term(triple.predicate, terms),
                _term(triple.object, terms),
            )
            for triple in ox.parse(data, format=ox_format)
        ]
    except (SyntaxError, ValueError, OSError):
        return None


def _term(term: object, terms: dict[object, Node]) -> Node:
    found = terms.get(term)
    if found is not None:
        return found
    if isinstance(term, ox.NamedNode):
        found = URIRef(term.value)
    elif isinstance(term, ox.BlankNode):
        found = BNode(term.value)
    elif isinstance(term, ox.Literal):
        if term.language:
            found = Literal(term.value, lang=term.language)
        elif term.datatype.value == _XSD_STRING:
            found = Literal(term.value)
        else:
            found = Literal(term.value, datatype=URIRef(term.datatype.value))
    else:  # RDF-star triple terms: not in registry documents
        raise ValueError(f"unsupported term {term!r}")
    terms[term] = found
    return found
