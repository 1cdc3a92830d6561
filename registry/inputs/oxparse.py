"""Parsing Turtle and N-Triples documents with pyoxigraph (Rust) into rdflib terms.

rdflib's Turtle parser took ~16 s for a 1,000-resource catalogue (83k triples)
where pyoxigraph's parser plus building the same rdflib graph took ~5 s, with the
same triples (docs/benchmarks.md). This is only a faster way to rdflib's triples, so
it gives up (returns None) whenever the result could differ from rdflib's, and the
caller parses with rdflib as before, errors and their messages included:

- any parse error (rdflib then reports it, with its line numbers);
- relative IRIs: parsed with no base, they are an error here, while rdflib
  resolves them against the registry's upload base;
- explicit `xsd:string` literals: Oxigraph does not tell `"x"^^xsd:string` from
  `"x"`, rdflib does (DESIGN.md "Pitfalls"); a document that might write one is
  left to rdflib;
- language tags with capitals: Oxigraph lowercases them (`@zh-cn`), rdflib keeps
  them as written (`@zh-CN`), and the tag is part of an entry's content hash.

Blank-node labels are renamed on every parse, as rdflib does: two documents of one
submission that both write `_:a` mean two nodes.

The security rules of registry.inputs.rdf hold: bytes in, an explicit format, and
neither format can fetch anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from registry.runtime.collector import collector_paused

Triple = tuple[Node, Node, Node]
_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
# Each pattern starts with literal bytes: Python's re then jumps between their
# occurrences, where a leading alternation or character class makes it try every byte
# (four such scans were ~1.1 s of reading a 40 MB catalogue, now ~0.1 s).
_XSD_STRING_IRI = b"XMLSchema#string"
_MAYBE_XSD_STRING_NAME = re.compile(rb":string\b")
# A language tag after a closing quote with a capital in it; a match inside a literal's
# text only sends the document to rdflib, which is slower, not wrong.
_MAYBE_CAPITAL_TAGS = (
    re.compile(rb'"@[A-Za-z0-9-]*[A-Z]'),
    re.compile(rb"'@[A-Za-z0-9-]*[A-Z]"),
)


def graph_of(triples: Iterable[Triple]) -> Graph:
    """An rdflib graph of `triples` on rdflib's SimpleMemory store: a document or a
    submission's data graph is one graph, so the default store's bookkeeping of
    contexts (named graphs) is all cost: building a 10,000-resource catalogue's 890k
    triples took 5.7 s where SimpleMemory takes 2.4 s, its lookups 2.5x faster, and
    ~20% less memory. Its indexes are the dictionaries the validation engine reads
    (registry.validation.engine.graph_indexes)."""
    store = SimpleMemory()
    indexes = [getattr(store, f"_SimpleMemory__{name}", None) for name in ("spo", "pos", "osp")]
    graph = Graph(store=store)
    if None in indexes:  # another rdflib's layout: its own way in
        for triple in triples:
            graph.add(triple)
        return graph
    # The store's three indexes filled here as its add() fills them (spo[s][p][o] = 1,
    # pos[p][o][s] = 1, osp[o][s][p] = 1): add() takes a KeyError for every new key and
    # Graph.add checks each term through an ABC; the terms come from a parser. 831k
    # triples: 2.3-2.6 s where graph.add took 4.3-7.1 s, side by side on a busy machine.
    spo, pos, osp = indexes
    with collector_paused():  # acyclic dicts only: registry.runtime.collector
        # written out three times: a call per index was a third of the time
        for s, p, o in triples:
            if (po := spo.get(s)) is None:
                po = spo[s] = {}
            if (objects := po.get(p)) is None:
                objects = po[p] = {}
            objects[o] = 1
            if (os_ := pos.get(p)) is None:
                os_ = pos[p] = {}
            if (subjects := os_.get(o)) is None:
                subjects = os_[o] = {}
            subjects[s] = 1
            if (sp := osp.get(o)) is None:
                sp = osp[o] = {}
            if (predicates := sp.get(s)) is None:
                predicates = sp[s] = {}
            predicates[p] = 1
    return graph


def parse_triples(data: bytes, fmt_name: str) -> list[Triple] | None:
    """The triples of `data` as rdflib terms, without building a graph (what costs
    most), or None when rdflib must parse it. A triple written twice is listed twice."""
    ox_format = _FORMATS.get(fmt_name)
    if ox_format is None:
        return None
    if _XSD.encode() in data and (_XSD_STRING_IRI in data or _MAYBE_XSD_STRING_NAME.search(data)):
        return None
    if any(tag.search(data) for tag in _MAYBE_CAPITAL_TAGS):
        return None
    terms: dict[object, Node] = {}  # one rdflib term per distinct term: less to build
    # Looked up inline, and built by _term only the first time: a call per term of
    # every triple was a third of reading a catalogue. Tested against None, not for
    # truth: rdflib's Literal.__bool__ is a Python call.
    known, term = terms.get, _term
    triples: list[Triple] = []
    add = triples.append
    try:
        for quad in ox.parse(data, format=ox_format, rename_blank_nodes=True):
            s, p, o = quad.subject, quad.predicate, quad.object
            add(
                (
                    s2 if (s2 := known(s)) is not None else term(s, terms),
                    p2 if (p2 := known(p)) is not None else term(p, terms),
                    o2 if (o2 := known(o)) is not None else term(o, terms),
                )
            )
    except (SyntaxError, ValueError, OSError):
        return None
    return triples


def _term(term: object, terms: dict[object, Node]) -> Node:
    found = terms.get(term)
    if found is not None:
        return found
    if isinstance(term, ox.NamedNode):
        # What URIRef() makes, less its check that the text looks like an IRI (a
        # regular expression per IRI, the most of building the terms of a catalogue):
        # pyoxigraph has parsed it as one, more strictly.
        found = str.__new__(URIRef, term.value)
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
