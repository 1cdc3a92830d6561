"""rdflib terms and write batches as SPARQL 1.1 Update text.

Any back end that takes SPARQL Update can use this (the embedded store sends a
whole batch as one update, which Oxigraph runs as one transaction). Terms are
checked here, before anything is sent: an IRI is pasted between `<` and `>`, so
one holding `>` or a space could otherwise end the IRI and smuggle in an
operation of its own (`DROP ALL`) from a submitted catalogue.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from registry.bilingual import Text
from registry.store.base import (
    GENERATION_GRAPH,
    GENERATION_PREDICATE,
    STORE_IRI,
    Row,
    Store,
    WriteBatch,
    iri_text,
)
from registry.store.errors import StoreQueryError, StoreWriteError

_LANGUAGE_TAG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")
# Only these four may not appear raw in a "..." string; everything else (CJK
# included) goes through unchanged, which keeps the escaping cheap.
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)


def literal_text(literal: Literal) -> str:
    quoted = '"' + str(literal).translate(_STRING_ESCAPES) + '"'
    if literal.language:
        if not _LANGUAGE_TAG.fullmatch(literal.language):
            raise StoreWriteError(
                Text(
                    zh=f"不是有效的语言标签：{literal.language!r}",
                    en=f"not a valid language tag: {literal.language!r}",
                ),
                details={"language": literal.language},
            )
        return f"{quoted}@{literal.language}"
    datatype = literal.datatype
    if datatype is None or str(datatype) == _XSD_STRING:
        return quoted
    return f"{quoted}^^{iri_text(str(datatype))}"


def term_text(term: Node) -> str:
    """An IRI or a literal as query text (checked as `iri_text` and `literal_text` do)."""
    return literal_text(term) if isinstance(term, Literal) else iri_text(str(term))


def select_in_batches(
    store: Store, query: str, terms: Iterable[Node], batch: int = 500
) -> Iterator[Row]:
    """The rows of `query` for many terms: `$VALUES` in its text stands for the terms
    (IRIs or literals), `batch` of them per query, so that a query text stays a size
    every back end accepts and a catalogue of 10,000 entries costs 20 round trips, not
    10,000. Terms are sent sorted and once each."""
    ordered = sorted(set(terms), key=str)
    for start in range(0, len(ordered), batch):
        text = " ".join(term_text(term) for term in ordered[start : start + batch])
        yield from store.select(query.replace("$VALUES", text))


class TermWriter:
    """Turns rdflib terms into SPARQL text, remembering IRIs already checked: in a
    registry batch the same subjects, predicates and classes recur on most lines."""

    def __init__(self) -> None:
        self._iris: dict[str, str] = {}
        self._bnodes: dict[str, str] = {}
        # A store may keep a parsed label as is; a prefix unique to this writer
        # keeps blank nodes of two batches from being merged.
        self._bnode_prefix = f"_:b{uuid.uuid4().hex}x"

    def term(self, term: Node, *, allow_bnode: bool = True) -> str:
        if type(term) is URIRef:  # the common case first, without isinstance chains
            text = self._iris.get(term)
            if text is None:
                text = self._iris[term] = iri_text(term)
            return text
        if isinstance(term, Literal):
            return literal_text(term)
        if isinstance(term, URIRef):
            return iri_text(str(term))
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
            # Labels are renamed: SPARQL restricts their characters, and a blank
            # node in INSERT DATA is fresh anyway; within one batch a node keeps
            # one label, so its triples stay connected.
            label = self._bnodes.get(term)
            if label is None:
                label = self._bnodes[term] = f"{self._bnode_prefix}{len(self._bnodes)}"
            return label
        raise StoreWriteError(
            Text(
                zh=f"无法存储 {type(term).__name__}：{term!r}",
                en=f"cannot store a {type(term).__name__}: {term!r}",
            ),
            details={"term": repr(term)},
        )

    def triples(
        self,
        triples: Iterable[tuple[Node, Node, Node]],
        *,
        allow_bnode: bool,
        graph: str | None = None,
    ) -> str:
        """One line per triple, `s p o .`, or with `graph` the N-Quads `s p o <graph> .`
        (the term syntax is the same in SPARQL and N-Triples/N-Quads)."""
        term = self.term
        end = f" {iri_text(graph)} ." if graph is not None else " ."
        try:
            return "\n".join(
                f"{term(s, allow_bnode=allow_bnode)} {term(p, allow_bnode=False)} "
                f"{term(o, allow_bnode=allow_bnode)}{end}"
                for s, p, o in triples
            )
        except ValueError as exc:  # not a triple at all
            raise StoreWriteError(Text(zh=f"不是三元组：{exc}", en=f"not a triple: {exc}")) from exc

    def nquads(
        self, graphs: dict[str, list[tuple[Node, Node, Node]]], chunk: int = 20_000
    ) -> Iterator[bytes]:
        """The N-Quads text of `graphs`, `chunk` triples at a time, made as it is read:
        only one chunk's text is held at once (a 10,000-resource registration is
        ~360 MB of text). A blank node keeps its label across chunks."""
        for graph, triples in graphs.items():
            for start in range(0, len(triples), chunk):
                yield self.triples(
                    triples[start : start + chunk], allow_bnode=True, graph=graph
                ).encode()


def _graph_blocks(writer: TermWriter, graphs: dict[str, list], *, allow_bnode: bool) -> str:
    return "\n".join(
        f"GRAPH {iri_text(graph)} {{\n{writer.triples(triples, allow_bnode=allow_bnode)}\n}}"
        for graph, triples in graphs.items()
        if triples
    )


def batch_update(batch: WriteBatch, new_generation: int) -> str:
    """One SPARQL Update doing the whole batch in order: DROP, DELETE DATA, INSERT
    DATA, and last the generation, so that clearing the registry graph cannot lose it."""
    writer = TermWriter()
    operations = [f"DROP SILENT GRAPH {iri_text(graph)}" for graph in batch.clear]
    removed = _graph_blocks(writer, batch.remove, allow_bnode=False)
    if removed:
        operations.append(f"DELETE DATA {{\n{removed}\n}}")
    added = _graph_blocks(writer, batch.add, allow_bnode=True)
    if added:
        operations.append(f"INSERT DATA {{\n{added}\n}}")
    operations.extend(generation_update(new_generation))
    return " ;\n".join(operations)


def generation_update(new_generation: int) -> list[str]:
    """Operations that replace the generation triple by `new_generation`."""
    graph, subject, predicate = (
        iri_text(GENERATION_GRAPH),
        iri_text(STORE_IRI),
        iri_text(GENERATION_PREDICATE),
    )
    return [
        f"DELETE WHERE {{ GRAPH {graph} {{ {subject} {predicate} ?n }} }}",
        f"INSERT DATA {{ GRAPH {graph} {{ {subject} {predicate} {int(new_generation)} }} }}",
    ]


def bind_values(query: str, bindings: Mapping[str, Node] | None) -> str:
    """The query with a trailing `VALUES` clause pre-binding variables to terms.

    SPARQL joins a trailing VALUES block with the WHERE pattern before projection,
    so a bound variable need not be selected, and the terms are escaped here
    rather than pasted into the query by each caller."""
    if not bindings:
        return query
    return f"{query}\n{values_block(bindings)}"


def values_block(bindings: Mapping[str, Node]) -> str:
    """`VALUES (?a ?b) { (<x> "y") }` binding each variable to its term, escaped here;
    StoreQueryError for a name that is no variable or a term that cannot be bound (a
    blank node). Where it goes in the query is the caller's (trailing for Oxigraph,
    inside the WHERE group for a remote store)."""
    writer = TermWriter()
    try:
        names = " ".join(f"?{variable_name(name)}" for name in bindings)
        terms = " ".join(writer.term(term, allow_bnode=False) for term in bindings.values())
    except StoreWriteError as exc:
        raise StoreQueryError(
            Text(zh=f"无法绑定变量：{exc.message.zh}", en=f"cannot bind: {exc.message.en}")
        ) from exc
    return f"VALUES ({names}) {{ ({terms}) }}"


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def variable_name(name: str) -> str:
    name = name.removeprefix("?").removeprefix("$")
    if not _VARIABLE_NAME.fullmatch(name):
        raise StoreQueryError(Text(zh=f"不是变量名：{name!r}", en=f"not a variable name: {name!r}"))
    return name
