"""A small SHACL engine for the registry's own shapes, with pyshacl's results.

pyshacl 0.40.1 is the reference: this module reproduces what it reports for the
subset of SHACL that shapes/*.ttl uses, and refuses (raises `Unsupported` when the
shapes are compiled) any shapes graph that uses something else, in which case the
registry validates with pyshacl as before (registry.validation.validator).

Implemented, each after the code of the pyshacl 0.40.1 component it stands for
(same value nodes, same result per value node or per focus node, same `sh:value`):

- targets: sh:targetClass (with rdfs:subClassOf* in the data), sh:targetSubjectsOf;
- paths: an IRI, or sh:alternativePath of IRIs;
- core constraints: sh:minCount, sh:maxCount, sh:datatype, sh:class, sh:nodeKind,
  sh:pattern (no sh:flags), sh:in, sh:hasValue, sh:node, sh:not, sh:or,
  sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount (not
  disjoint), sh:languageIn, sh:minLength, sh:minInclusive, sh:minExclusive;
- SPARQL-based constraints (sh:sparql with sh:select, sh:prefixes / sh:declare,
  sh:message) on shapes that are validated at the top level only: the query is the
  text pyshacl runs (prefixes, `$PATH` replaced by the shape's IRI path), evaluated
  by rdflib's SPARQL engine -- pyshacl's own -- once for all focus nodes instead of
  once per focus node with `$this` pre-bound; the solutions are grouped by `$this`.
  That is the same set of solutions for each focus node only for queries whose
  outermost group binds `$this` in a triple pattern and that have no sub-query,
  UNION, MINUS, GRAPH, SERVICE or VALUES; other queries are refused. The query runs
  on the part of the data it can read: every triple whose predicate is an IRI of a
  triple pattern, and for a pattern `$this ?p ?o` the triples of the focus nodes
  (a pattern whose predicate and subject are both other variables is refused);
- severities, sh:message (kept with their language tags, as pyshacl does for core
  constraints; for SPARQL constraints pyshacl fills in `{?var}` and drops the tag).

Refused, among others: sh:targetNode, sh:targetObjectsOf, implicit class targets,
sh:target / sh:rule (SHACL-AF), sh:deactivated, other paths, sh:flags, sh:closed,
property pairs, sh:and, sh:xone, max* ranges and lengths, sh:uniqueLang, a disjoint
qualified shape, a nested shape (reached through sh:node, sh:not, sh:or,
sh:qualifiedValueShape) whose severity is not sh:Violation or that holds a SPARQL
constraint, a top-level constraint without sh:message (pyshacl would write a
generic message), two messages in one language.

Nested shapes only decide conformance (pyshacl lists their results under
sh:detail, which the registry does not report), so they stop at the first failure.

Identity with pyshacl is a test in `make test` (tests/validation/test_shacl_engine.py): every
example, every invalid example and a generated catalogue with ~2 % invalid entries,
compared on focus, path, value, source shape, constraint component, severity and
messages.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection as RDFList
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

SH_NS = "http://www.w3.org/ns/shacl#"


def _sh(name: str) -> URIRef:
    return URIRef(SH_NS + name)


SH_VIOLATION = _sh("Violation")
# rdflib namespace attributes are looked up by a Python __getattr__: read them once.
RDF_TYPE = URIRef(str(RDF.type))
RDFS_SUBCLASSOF = URIRef(str(RDFS.subClassOf))
RDF_LANGSTRING = URIRef(str(RDF.langString))
XSD_STRING = URIRef(str(XSD.string))
_SEVERITIES = {_sh("Violation"), _sh("Warning"), _sh("Info")}

# Shape predicates this engine reads; any other sh: predicate on a shape is refused.
_DESCRIPTIVE = {_sh(n) for n in ("name", "description", "order", "group", "defaultValue")}
_KNOWN = {
    _sh(n)
    for n in [
        "targetClass",
        "targetSubjectsOf",
        "property",
        "path",
        "minCount",
        "maxCount",
        "datatype",
        "class",
        "nodeKind",
        "pattern",
        "in",
        "hasValue",
        "node",
        "not",
        "or",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "languageIn",
        "minLength",
        "minInclusive",
        "minExclusive",
        "severity",
        "message",
        "sparql",
    ]
} | _DESCRIPTIVE
_SHAPE_TYPES = {_sh("NodeShape"), _sh("PropertyShape")}
_SHAPE_VALUED = [_sh(n) for n in ("property", "node", "not", "qualifiedValueShape")]
# Anywhere in the shapes graph, these change what pyshacl does: refused outright.
_REFUSED_ANYWHERE = [
    _sh(n)
    for n in [
        "targetNode",
        "targetObjectsOf",
        "target",
        "rule",
        "deactivated",
        "closed",
        "ignoredProperties",
        "and",
        "xone",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "maxLength",
        "maxInclusive",
        "maxExclusive",
        "uniqueLang",
        "flags",
        "qualifiedValueShapesDisjoint",
        "ask",
        "construct",
        "entailment",
        "shapesGraph",
        "SPARQLFunction",
        "SPARQLTarget",
    ]
]


class Unsupported(Exception):
    """The shapes use something this engine does not implement: use pyshacl."""


@dataclass(frozen=True)
class EngineResult:
    """One top-level validation result, as pyshacl writes it in its report graph."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    source_shape: Node
    constraint: URIRef
    messages: tuple[Literal, ...]


# ---------------------------------------------------------------------------
# The data: plain dictionaries, read from rdflib's Memory store without copying
# ---------------------------------------------------------------------------

Objects = Collection[Node]
_EMPTY: dict[Node, Any] = {}


class DataIndex:
    """Subject -> predicate -> objects, and predicate -> object -> subjects, over the
    union of some rdflib graphs (the data graph pyshacl would be given)."""

    def __init__(self, graphs: Sequence[Graph]) -> None:
        sources = [s for s in (graph_indexes(g) for g in graphs) if s[0]]
        self._supers: dict[Node, set[Node]] = {}
        self._pos_list = [pos for _spo, pos in sources]
        if not sources:
            self.spo: dict[Node, dict[Node, Objects]] = {}
            return
        biggest = max(range(len(sources)), key=lambda i: len(sources[i][0]))
        spo = dict(sources[biggest][0])  # shallow: the store's own inner dicts are read only
        for i, (other, _pos) in enumerate(sources):
            if i == biggest:
                continue
            for s, preds in other.items():
                mine = spo.get(s)
                if mine is None:
                    spo[s] = preds
                    continue
                merged: dict[Node, Objects] = dict(mine)
                for p, objs in preds.items():
                    have = merged.get(p)
                    merged[p] = (
                        objs if have is None else {**dict.fromkeys(have), **dict.fromkeys(objs)}
                    )
                spo[s] = merged
        self.spo = spo
        self._literal_subjects = any(type(s) is Literal or isinstance(s, Literal) for s in spo)
        self._by_text: dict[Node, dict[str, Objects]] = {}

    def preds(self, s: Node) -> dict[str, Objects]:
        """A subject's predicates -> objects, keyed by the predicates' IRI text: rdflib
        parsers make a new object for each occurrence of an IRI, and a lookup by an
        equal but other rdflib term calls rdflib's Python __eq__; by text it does not."""
        if type(s) is Literal and not self._literal_subjects:
            return _EMPTY
        found = self._by_text.get(s)
        if found is None:
            raw = self.spo.get(s)
            found = {str(p): objs for p, objs in raw.items()} if raw else _EMPTY
            self._by_text[s] = found
        return found

    def objects(self, s: Node, p: Node) -> Objects:
        return self.spo.get(s, _EMPTY).get(p, ())

    def subjects(self, p: Node, o: Node) -> Iterator[Node]:
        seen: set[Node] = set()
        for pos in self._pos_list:
            for s in pos.get(p, _EMPTY).get(o, ()):
                if s not in seen:
                    seen.add(s)
                    yield s

    def subjects_of(self, p: Node) -> set[Node]:
        found: set[Node] = set()
        for pos in self._pos_list:
            for subjects in pos.get(p, _EMPTY).values():
                found.update(subjects)
        return found

    def triples_with(self, p: Node) -> Iterator[tuple[Node, Node, Node]]:
        for s in self.subjects_of(p):
            for o in self.objects(s, p):
                yield (s, p, o)

    def subclasses(self, cls: Node) -> set[Node]:
        """cls and everything rdfs:subClassOf* it (rdflib's transitive_subjects)."""
        found = {cls}
        stack = [cls]
        while stack:
            for sub in self.subjects(RDFS_SUBCLASSOF, stack.pop()):
                if sub not in found:
                    found.add(sub)
                    stack.append(sub)
        return found

    def superclasses(self, cls: Node) -> set[Node]:
        """cls and what it is rdfs:subClassOf* (rdflib's transitive_objects), cached."""
        cached = self._supers.get(cls)
        if cached is not None:
            return cached
        found = {cls}
        stack = [cls]
        while stack:
            for sup in self.objects(stack.pop(), RDFS_SUBCLASSOF):
                if sup not in found:
                    found.add(sup)
                    stack.append(sup)
        self._supers[cls] = found
        return found


def graph_indexes(graph: Graph) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """(spo, pos) of a graph: the store's own index dictionaries when the store holds
    this graph alone (SimpleMemory, registry.inputs.oxparse.graph_of, always does; the
    default Memory store when it has one context), else built by iterating the graph."""
    store = graph.store
    if type(store) is SimpleMemory and type(graph) is Graph:
        # spo[s][p][o] = 1 and pos[p][o][s] = 1: the shape built below (read by name, so
        # another rdflib's layout falls through to the loop)
        spo = getattr(store, "_SimpleMemory__spo", None)
        pos = getattr(store, "_SimpleMemory__pos", None)
        if spo is not None and pos is not None:
            return spo, pos
    spo = getattr(store, "_Memory__spo", None)
    pos = getattr(store, "_Memory__pos", None)
    if spo is not None and pos is not None and type(graph) is Graph:
        contexts = list(store.contexts())
        if all(getattr(c, "identifier", c) == graph.identifier for c in contexts):
            return spo, pos
    spo, pos = {}, {}
    for s, p, o in graph:
        spo.setdefault(s, {}).setdefault(p, {})[o] = 1
        pos.setdefault(p, {}).setdefault(o, {})[s] = 1
    return spo, pos


# ---------------------------------------------------------------------------
# Compiled shapes
# ---------------------------------------------------------------------------

Out = list[EngineResult] | None  # None: nested, only conformance counts
Check = Callable[[Node, Objects, Out, dict[str, Objects]], bool]


@dataclass
class CompiledShape:
    node: Node
    is_property: bool
    path: Node | None
    steps: tuple[URIRef, ...]  # the path's IRIs (one, or the alternatives)
    severity: URIRef
    messages: tuple[Literal, ...]
    checks: list[Check]
    engine: Engine
    target_classes: tuple[Node, ...] = ()
    target_subjects_of: tuple[Node, ...] = ()
    has_constraint: bool = False

    # Set for each run by Engine._validate: the path's IRIs as text (DataIndex.preds),
    # the subject lookup, and the conformance of IRIs already validated against this
    # shape as a nested shape.

    keys: tuple[str, ...] = ()
    preds_of: Callable[[Node], dict[str, Objects]] | None = None
    memo: dict[Node, bool] | None = None

    def validate(self, focus: Node, out: Out, preds: dict[str, Objects] | None = None) -> bool:
        memo = self.memo if out is None and type(focus) is URIRef else None
        if memo is not None:
            known = memo.get(focus)
            if known is not None:
                return known
        if preds is None:
            assert self.preds_of is not None, "no data index"
            preds = self.preds_of(focus)
        keys = self.keys
        if not self.is_property:
            values: Objects = (focus,)
        elif len(keys) == 1:
            values = preds.get(keys[0], ())
        else:
            found: dict[Node, None] = {}
            for key in keys:
                found.update(dict.fromkeys(preds.get(key, ())))
            values = found
        conforms = True
        for check in self.checks:
            if not check(focus, values, out, preds):
                conforms = False
                if out is None:
                    break
        if memo is not None:
            memo[focus] = conforms
        return conforms

    def result(self, focus: Node, value: Node | None, component: URIRef) -> EngineResult:
        return EngineResult(
            focus, self.path, value, self.severity, self.node, component, self.messages
        )


class Engine:
    """The compiled shapes graph; `validate` runs it on a DataIndex."""

    def __init__(self, shapes: Graph) -> None:
        self.sg = shapes
        for pred in _REFUSED_ANYWHERE:
            if (None, pred, None) in shapes:
                raise Unsupported(f"{pred} is not implemented")
        for cls in (RDFS.Class, OWL.Class):
            for s in shapes.subjects(RDF.type, cls):
                if any((s, RDF.type, t) in shapes for t in _SHAPE_TYPES):
                    raise Unsupported(f"implicit class target on {s}")
        self._shapes: dict[Node, CompiledShape] = {}
        self._nested: set[Node] = set()
        self.sparql: list[_SparqlConstraint] = []
        self._index: DataIndex | None = None
        self._lock = threading.Lock()  # one validation at a time: the index is state
        self.top: list[CompiledShape] = []
        roots = set(shapes.subjects(_sh("targetClass"), None)) | set(
            shapes.subjects(_sh("targetSubjectsOf"), None)
        )
        for node in sorted(roots, key=str):
            self.top.append(self._compile(node, nested=False))
        for node in list(self._nested):
            self._check_nested(node)
        # The top-level shapes whose focus nodes a shape is validated on (itself, and
        # those that reach it through sh:property; nested reach is refused above).
        self._holders: dict[Node, set[Node]] = {}
        for top in self.top:
            stack = [top.node]
            seen: set[Node] = set()
            while stack:
                current = stack.pop()
                if current in seen:
                    continue
                seen.add(current)
                self._holders.setdefault(current, set()).add(top.node)
                stack.extend(self.sg.objects(current, _sh("property")))
        for node, shape in self._shapes.items():
            if node not in self._nested and shape.has_constraint and not shape.messages:
                raise Unsupported(f"{node} has no sh:message (pyshacl writes a generic one)")

    # -- compiling -----------------------------------------------------------

    def _one(self, node: Node, pred: URIRef) -> Node | None:
        values = list(self.sg.objects(node, pred))
        if len(values) > 1:
            raise Unsupported(f"{node} has {len(values)} values of {pred}")
        return values[0] if values else None

    def _compile(self, node: Node, nested: bool) -> CompiledShape:
        if nested:
            self._nested.add(node)
        found = self._shapes.get(node)
        if found is not None:
            return found
        sg = self.sg
        for p in set(sg.predicates(node, None)):
            if str(p).startswith(SH_NS) and p not in _KNOWN:
                raise Unsupported(f"{p} on {node}")
        path_node = self._one(node, _sh("path"))
        steps: tuple[URIRef, ...] = ()
        if path_node is not None:
            if isinstance(path_node, URIRef):
                steps = (path_node,)
            else:
                alt = self._one(path_node, _sh("alternativePath"))
                extra = set(sg.predicates(path_node, None)) - {_sh("alternativePath")}
                if alt is None or extra:
                    raise Unsupported(f"path of {node}")
                items = list(RDFList(sg, alt))
                if not items or not all(isinstance(i, URIRef) for i in items):
                    raise Unsupported(f"alternative path of {node}")
                steps = tuple(items)  # type: ignore[arg-type]
        severity = self._one(node, _sh("severity")) or SH_VIOLATION
        if severity not in _SEVERITIES:
            raise Unsupported(f"severity {severity} of {node}")
        messages = tuple(sg.objects(node, _sh("message")))
        langs = [m.language for m in messages if isinstance(m, Literal)]
        if len(messages) != len(langs) or None in langs or len(set(langs)) != len(langs):
            raise Unsupported(f"messages of {node}: one tagged literal a language")
        shape = CompiledShape(
            node=node,
            is_property=path_node is not None,
            path=path_node,
            steps=steps,
            severity=severity,  # type: ignore[arg-type]
            messages=messages,  # type: ignore[arg-type]
            checks=[],
            engine=self,
            target_classes=tuple(sg.objects(node, _sh("targetClass"))),
            target_subjects_of=tuple(sg.objects(node, _sh("targetSubjectsOf"))),
        )
        self._shapes[node] = shape
        self._compile_checks(shape, nested)
        return shape

    def _current(self) -> DataIndex:
        assert self._index is not None, "no data index"
        return self._index

    def _check_nested(self, node: Node) -> None:
        shape = self._shapes[node]
        if shape.severity != SH_VIOLATION:
            raise Unsupported(f"nested shape {node} with severity {shape.severity}")
        if (node, _sh("sparql"), None) in self.sg:
            raise Unsupported(f"nested shape {node} with a SPARQL constraint")

    def _compile_checks(self, shape: CompiledShape, nested: bool) -> None:
        sg, node = self.sg, shape.node
        checks = shape.checks
        has_constraint = False

        def component(name: str) -> URIRef:
            return _sh(name + "ConstraintComponent")

        # The order does not change a result; pyshacl's is not needed.
        for prop in sg.objects(node, _sh("property")):
            sub = self._compile(prop, nested=nested)
            if not sub.is_property:
                raise Unsupported(f"sh:property {prop} without sh:path")

            def check_property(
                f: Node, _v: Objects, out: Out, preds: dict[str, Objects], sub: CompiledShape = sub
            ) -> bool:
                return sub.validate(f, out, preds)

            checks.append(check_property)
        if (node, _sh("minCount"), None) in sg:
            has_constraint = True
            n = int(self._one(node, _sh("minCount")).toPython())  # type: ignore[union-attr]
            comp = component("MinCount")
            if not shape.is_property:
                raise Unsupported("sh:minCount on a node shape")

            def check_min(f: Node, v: Objects, out: Out, _p: Any) -> bool:
                if len(v) >= n:
                    return True
                if out is not None:
                    out.append(shape.result(f, None, comp))
                return False

            checks.append(check_min)
        if (node, _sh("maxCount"), None) in sg:
            has_constraint = True
            mx = int(self._one(node, _sh("maxCount")).toPython())  # type: ignore[union-attr]
            comp_max = component("MaxCount")
            if not shape.is_property:
                raise Unsupported("sh:maxCount on a node shape")

            def check_max(f: Node, v: Objects, out: Out, _p: Any) -> bool:
                if len(v) <= mx:
                    return True
                if out is not None:
                    out.append(shape.result(f, None, comp_max))
                return False

            checks.append(check_max)
        for name, _pred, test in self._value_tests(node):
            has_constraint = True
            checks.append(_per_value(shape, component(name), test))
        if (node, _sh("hasValue"), None) in sg:
            has_constraint = True
            hv = self._one(node, _sh("hasValue"))
            comp_hv = component("HasValue")

            same = _equality(hv)

            def check_has_value(f: Node, v: Objects, out: Out, _p: Any) -> bool:
                for value in v:
                    if same(value):
                        return True
                if out is not None:
                    out.append(shape.result(f, None, comp_hv))
                return False

            checks.append(check_has_value)
        for target in sg.objects(node, _sh("node")):
            has_constraint = True
            other = self._compile(target, nested=True)
            if other.is_property:
                raise Unsupported("sh:node to a property shape")
            checks.append(
                _per_value(shape, component("Node"), lambda v, o=other: o.validate(v, None))
            )
        for target in sg.objects(node, _sh("not")):
            has_constraint = True
            other = self._compile(target, nested=True)
            checks.append(
                _per_value(shape, component("Not"), lambda v, o=other: not o.validate(v, None))
            )
        for lst in sg.objects(node, _sh("or")):
            has_constraint = True
            members = [self._compile(m, nested=True) for m in set(RDFList(sg, lst))]
            if not members:
                raise Unsupported("empty sh:or")
            checks.append(
                _per_value(
                    shape,
                    component("Or"),
                    lambda v, ms=members: any(m.validate(v, None) for m in ms),
                )
            )
        qvs = list(sg.objects(node, _sh("qualifiedValueShape")))
        if qvs:
            has_constraint = True
            if len(qvs) > 1:
                raise Unsupported("several sh:qualifiedValueShape")
            other = self._compile(qvs[0], nested=True)
            qmin = self._one(node, _sh("qualifiedMinCount"))
            qmax = self._one(node, _sh("qualifiedMaxCount"))
            qmin_n = None if qmin is None else int(qmin.toPython())  # type: ignore[union-attr]
            qmax_n = None if qmax is None else int(qmax.toPython())  # type: ignore[union-attr]
            comp_qmax = _sh("QualifiedMaxCountConstraintComponent")
            comp_qmin = _sh("QualifiedMinCountConstraintComponent")

            def check_qualified(f: Node, v: Objects, out: Out, _p: Any) -> bool:
                count = 0
                for value in v:
                    if other.validate(value, None):
                        count += 1
                ok = True
                if qmax_n is not None and count > qmax_n:
                    ok = False
                    if out is not None:
                        out.append(shape.result(f, None, comp_qmax))
                if qmin_n is not None and count < qmin_n:
                    ok = False
                    if out is not None:
                        out.append(shape.result(f, None, comp_qmin))
                return ok

            checks.append(check_qualified)
        elif (node, _sh("qualifiedMinCount"), None) in sg or (
            node,
            _sh("qualifiedMaxCount"),
            None,
        ) in sg:
            raise Unsupported("qualified count without sh:qualifiedValueShape")
        for sparql in sg.objects(node, _sh("sparql")):
            constraint = _SparqlConstraint(self, shape, sparql)
            self.sparql.append(constraint)
            checks.append(constraint.check)
        shape.has_constraint = has_constraint

    def _value_tests(self, node: Node) -> Iterator[tuple[str, URIRef, Callable[[Node], bool]]]:
        sg = self.sg
        for dtype in sg.objects(node, _sh("datatype")):
            yield "Datatype", _sh("datatype"), _datatype_test(dtype)
        for cls in sg.objects(node, _sh("class")):
            yield "Class", _sh("class"), self._class_test(cls)
        for kind in sg.objects(node, _sh("nodeKind")):
            yield "NodeKind", _sh("nodeKind"), _node_kind_test(kind)
        patterns = list(sg.objects(node, _sh("pattern")))
        if patterns:
            # pyshacl checks every pattern of a shape; one result per failing pattern
            for pattern in patterns:
                if not isinstance(pattern, Literal):
                    raise Unsupported("sh:pattern not a literal")
                text = (
                    str(pattern.value)
                    if pattern.value is not None and len(pattern.value) > 1
                    else str(pattern)
                )
                yield "Pattern", _sh("pattern"), _pattern_test(re.compile(text))
        for lst in sg.objects(node, _sh("in")):
            members = set(RDFList(sg, lst))
            yield "In", _sh("in"), lambda v, ms=members: v in ms
        langs = list(sg.objects(node, _sh("languageIn")))
        if langs:
            if len(langs) > 1:
                raise Unsupported("several sh:languageIn")
            yield "LanguageIn", _sh("languageIn"), _language_test(sg, langs[0])
        lengths = list(sg.objects(node, _sh("minLength")))
        if lengths:
            if len(lengths) > 1:
                raise Unsupported("several sh:minLength")
            yield "MinLength", _sh("minLength"), _min_length_test(lengths[0])
        for name, inclusive in (("minInclusive", True), ("minExclusive", False)):
            bounds = list(sg.objects(node, _sh(name)))
            if len(bounds) > 1:
                raise Unsupported(f"several sh:{name}")
            if bounds:
                comp = "MinInclusive" if inclusive else "MinExclusive"
                yield comp, _sh(name), _min_test(bounds[0], inclusive)

    def _class_test(self, cls: Node) -> Callable[[Node], bool]:
        def test(v: Node) -> bool:
            if _is_literal(v):
                return False
            index = self._current()
            for ctype in index.objects(v, RDF_TYPE):
                if ctype == cls or cls in index.superclasses(ctype):
                    return True
            return False

        return test

    # -- running ---------------------------------------------------------------

    def targets(self, shape: CompiledShape, index: DataIndex) -> set[Node]:
        found: set[Node] = set()
        for tc in shape.target_classes:
            for cls in index.subclasses(tc):
                found.update(index.subjects(RDF_TYPE, cls))
        for p in shape.target_subjects_of:
            found.update(index.subjects_of(p))
        return found

    def validate(
        self,
        index: DataIndex,
        allowed: Callable[[Node], bool] | None = None,
        order: Callable[[Node], Any] | None = None,
        progress: Callable[[Node], None] | None = None,
    ) -> list[EngineResult]:
        """The top-level results on `index`, for the targets that `allowed` accepts,
        validated focus node after focus node in `order` (`progress` is told each)."""
        with self._lock:
            return self._validate(index, allowed, order, progress)

    def _validate(
        self,
        index: DataIndex,
        allowed: Callable[[Node], bool] | None,
        order: Callable[[Node], Any] | None,
        progress: Callable[[Node], None] | None,
    ) -> list[EngineResult]:
        self._index = index
        for shape in self._shapes.values():
            shape.keys = tuple(str(step) for step in shape.steps)
            shape.preds_of = index.preds
            shape.memo = {}
        try:
            targets: dict[Node, set[Node]] = {}
            for shape in self.top:
                targets[shape.node] = self.targets(shape, index)
            if allowed is not None:
                every: set[Node] = set().union(*targets.values())
                kept = {node for node in every if allowed(node)}
                if len(kept) < len(every):
                    targets = {key: found & kept for key, found in targets.items()}
            by_focus: dict[Node, list[CompiledShape]] = {}
            for shape in self.top:
                for node in targets[shape.node]:
                    by_focus.setdefault(node, []).append(shape)
            for constraint in self.sparql:
                focus: set[Node] = set()
                for holder in self._holders[constraint.shape.node]:
                    focus.update(targets.get(holder, ()))
                constraint.prepare(index, focus)
            out: list[EngineResult] = []
            nodes = sorted(by_focus, key=order) if order is not None else list(by_focus)
            for node in nodes:
                preds = index.preds(node)
                for shape in by_focus[node]:
                    shape.validate(node, out, preds)
                if progress is not None:
                    progress(node)
            return out
        finally:
            self._index = None
            for shape in self._shapes.values():
                shape.preds_of = shape.memo = None
            for constraint in self.sparql:
                constraint.groups = {}


def _equality(term: Node | None) -> Callable[[Node], bool]:
    """`value == term` as rdflib computes it (for IRIs and blank nodes: same type and
    same string), without rdflib's Python __eq__ for IRIs."""
    if isinstance(term, Literal) or term is None:
        return lambda value: value == term
    kind = type(term)
    text = str(term)
    return lambda value: value is term or (type(value) is kind and str.__eq__(value, text))


def _is_literal(v: Node) -> bool:
    kind = type(v)
    if kind is URIRef or kind is BNode:
        return False
    return kind is Literal or isinstance(v, Literal)


def _is_bnode(v: Node) -> bool:
    kind = type(v)
    if kind is URIRef or kind is Literal:
        return False
    return kind is BNode or isinstance(v, BNode)


def _per_value(shape: CompiledShape, comp: URIRef, test: Callable[[Node], bool]) -> Check:
    def check(f: Node, values: Objects, out: Out, _p: Any) -> bool:
        ok = True
        for v in values:
            if not test(v):
                ok = False
                if out is None:
                    return False
                out.append(shape.result(f, v, comp))
        return ok

    return check


def _datatype_test(dtype: Node) -> Callable[[Node], bool]:
    """pyshacl's DatatypeConstraintComponent."""
    xsd_types: dict[Node, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }
    expected = xsd_types.get(dtype)

    def actual(v: Literal) -> bool:
        return True if expected is None else isinstance(v.value, expected)

    same_type = _equality(dtype)
    is_literal_type = dtype == RDFS.Literal
    is_datatype_type = dtype == RDFS.Datatype
    is_string = dtype == XSD.string
    is_lang_string = dtype == RDF.langString

    def test(v: Node) -> bool:
        if not _is_literal(v):
            return False
        datatype = v.datatype  # type: ignore[attr-defined]
        if datatype is not None and same_type(datatype):
            return False if getattr(v, "ill_typed", None) is True else actual(v)  # type: ignore[arg-type]
        if is_literal_type:
            return True
        if is_datatype_type and datatype:
            return True
        if datatype is None and v.language is None and is_string:  # type: ignore[attr-defined]
            return actual(v)  # type: ignore[arg-type]
        if is_lang_string and v.language:  # type: ignore[attr-defined]
            return actual(v)  # type: ignore[arg-type]
        return False

    return test


def _node_kind_test(kind: Node) -> Callable[[Node], bool]:
    kinds = {
        BNode: {_sh("BlankNode"), _sh("BlankNodeOrLiteral"), _sh("BlankNodeOrIRI")},
        Literal: {_sh("Literal"), _sh("BlankNodeOrLiteral"), _sh("IRIOrLiteral")},
        URIRef: {_sh("IRI"), _sh("IRIOrLiteral"), _sh("BlankNodeOrIRI")},
    }
    ok = {cls for cls, accepted in kinds.items() if kind in accepted}
    if not any(kind in accepted for accepted in kinds.values()):
        raise Unsupported(f"sh:nodeKind {kind}")

    def test(v: Node) -> bool:
        if _is_bnode(v):
            return BNode in ok
        if _is_literal(v):
            return Literal in ok
        return URIRef in ok

    return test


def _value_string(v: Node) -> str:
    """pyshacl's StringBasedConstraintBase.value_node_to_string."""
    if _is_literal(v) and v.value is not None:  # type: ignore[attr-defined]
        datatype = v.datatype  # type: ignore[attr-defined]
        if datatype is None or _STRING_TYPES(datatype):
            return str(v.value)  # type: ignore[attr-defined]
    return str(v)


_STRING_TYPE_TEXTS = (str(RDF_LANGSTRING), str(XSD_STRING))


def _string_types(datatype: Node) -> bool:
    """`datatype in (RDF.langString, XSD.string)` as rdflib computes it."""
    return type(datatype) is URIRef and str(datatype) in _STRING_TYPE_TEXTS


_STRING_TYPES = _string_types


def _pattern_test(matcher: re.Pattern[str]) -> Callable[[Node], bool]:
    def test(v: Node) -> bool:
        if _is_bnode(v):
            return False
        text = _value_string(v)
        return bool(matcher.match(text) or matcher.search(text))

    return test


def _min_length_test(bound: Node) -> Callable[[Node], bool]:
    if not isinstance(bound, Literal) or not isinstance(bound.value, int) or bound.value < 0:
        raise Unsupported("sh:minLength not a whole number")
    n = bound.value

    def test(v: Node) -> bool:
        if n == 0:
            return True
        if _is_bnode(v):
            return False
        return len(_value_string(v)) >= n

    return test


def _language_test(sg: Graph, lst: Node) -> Callable[[Node], bool]:
    need = set()
    for lang in RDFList(sg, lst):
        if not isinstance(lang, Literal) or not isinstance(lang.value, str):
            raise Unsupported("sh:languageIn member not a string")
        need.add(str(lang.value).lower())
    wildcard = "*" in need

    def test(v: Node) -> bool:
        if not _is_literal(v) or not v.language:
            return False
        if wildcard:
            return True
        lang = str(v.language)
        return lang.lower() in need or lang.split("-")[0].lower() in need

    return test


def _min_test(bound: Node, inclusive: bool) -> Callable[[Node], bool]:
    """pyshacl's MinInclusive / MinExclusive components."""
    if not isinstance(bound, Literal):
        raise Unsupported("sh:minInclusive / sh:minExclusive not a literal")
    bound_is_string = isinstance(bound.value, str)

    def test(v: Node) -> bool:
        if not _is_literal(v):
            return False
        v_is_string = isinstance(v.value, str)
        if bound_is_string != v_is_string:
            return False
        try:
            cmp = compare_literal(v, bound)
        except (TypeError, NotImplementedError):
            return False
        return cmp >= 0 if inclusive else cmp > 0

    return test


# ---------------------------------------------------------------------------
# SPARQL-based constraints
# ---------------------------------------------------------------------------

_PATH_RE = re.compile(r"([^\w])\$PATH")  # the form of pyshacl's bind_path_regex
_REFUSED_VARS = re.compile(r"[$?](currentShape|shapesGraph)\b")
_REFUSED_ALGEBRA = {
    "Union",
    "MinusGraphPattern",
    "GraphGraphPattern",
    "InlineData",
    "SubSelect",
    "Minus",
    "Graph",
    "ServiceGraphPattern",
    "values",
    "ToMultiSet",
    "SelectQuery",
}
_THIS = Variable("this")


class _SparqlConstraint:
    def __init__(self, engine: Engine, shape: CompiledShape, node: Node) -> None:
        sg = engine.sg
        self.shape = shape
        self.node = node
        for p in set(sg.predicates(node, None)):
            if str(p).startswith(SH_NS) and p not in {
                _sh("select"),
                _sh("message"),
                _sh("prefixes"),
            }:
                raise Unsupported(f"{p} on SPARQL constraint {node}")
        selects = list(sg.objects(node, _sh("select")))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise Unsupported(f"sh:select of {node}")
        text = str(selects[0].value)
        if _REFUSED_VARS.search(text):
            raise Unsupported(f"pre-bound variable other than $this in {node}")
        if shape.path is not None:
            if len(shape.steps) != 1 or shape.path != shape.steps[0]:
                raise Unsupported("$PATH other than an IRI")
            text = _PATH_RE.sub(lambda m: f"{m.group(1)}<{shape.path}>", text)
        elif "$PATH" in text:
            raise Unsupported("$PATH on a node shape")
        prefixes: dict[str, str] = {}
        for holder in sg.objects(node, _sh("prefixes")):
            for decl in sg.objects(holder, _sh("declare")):
                prefix = sg.value(decl, _sh("prefix"))
                namespace = sg.value(decl, _sh("namespace"))
                if prefix is None or namespace is None:
                    raise Unsupported(f"prefix declaration {decl}")
                prefixes[str(prefix)] = str(namespace)
        header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        self.text = f"{header}\n{text}"
        try:
            self.query = prepareQuery(self.text)
        except Exception as error:  # pyshacl would fail on it too
            raise Unsupported(f"query of {node}: {error}") from error
        self.extra_messages = tuple(sg.objects(node, _sh("message")))
        if not all(isinstance(m, Literal) for m in self.extra_messages):
            raise Unsupported("SPARQL constraint message not a literal")
        self.patterns = self._analyse()
        # Once for all focus nodes, unless a pattern on $this reads a predicate that
        # another pattern reads on any subject (or any predicate): then $this left free
        # would join every subject of that predicate with every other (quadratic), and
        # the query runs once per focus node, exactly as pyshacl runs it.
        on_this = {p for s_, p, _o in self.patterns if s_ == _THIS}
        elsewhere = {p for s_, p, _o in self.patterns if s_ != _THIS}
        self.per_focus = any(isinstance(p, Variable) for p in on_this) or bool(on_this & elsewhere)
        self.groups: dict[Node, list[dict[str, Node]]] = {}

    def _analyse(self) -> list[tuple[Node, Node, Node]]:
        algebra = self.query.algebra
        if algebra.name != "SelectQuery" or _THIS not in algebra.get("PV", []):
            raise Unsupported("the query must select $this")
        patterns: list[tuple[Node, Node, Node]] = []
        first_bgp: list[Any] = []

        def walk(part: Any, top: bool) -> None:
            if isinstance(part, CompValue):
                if part.name in _REFUSED_ALGEBRA and part is not algebra:
                    raise Unsupported(f"{part.name} in a SPARQL constraint")
                if part.name == "GroupOrUnionGraphPattern" and len(part.graph) > 1:
                    raise Unsupported("UNION in a SPARQL constraint")
                if part.name == "BGP":
                    if top and not first_bgp:
                        first_bgp.append(part)
                    patterns.extend(part.triples)
                elif part.name == "TriplesBlock":  # not yet translated (in EXISTS)
                    flat = [term for triple in part.triples for term in triple]
                    if len(flat) % 3:
                        raise Unsupported("triples of a SPARQL constraint")
                    patterns.extend(
                        (flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)
                    )
                for key, value in part.items():
                    walk(value, top and key in ("p", "p1"))
            elif isinstance(part, (list, tuple)):
                for item in part:
                    walk(item, False)

        walk(algebra["p"], True)
        if not first_bgp or not any(t[0] == _THIS for t in first_bgp[0].triples):
            raise Unsupported("$this must be bound by the query's first triple patterns")
        for s, p, _o in patterns:
            if not isinstance(p, (URIRef, Variable)):
                raise Unsupported("property path in a SPARQL constraint")
            if isinstance(p, Variable) and s != _THIS:
                raise Unsupported("a variable predicate on another subject than $this")
        return patterns

    def prepare(self, index: DataIndex, focus: set[Node]) -> None:
        """Run the query once on the part of the data it reads, for the focus nodes of
        the top-level shapes that hold this constraint."""
        self.groups = {}
        if not focus:
            return
        # One graph: SimpleMemory, without the default store's bookkeeping of contexts
        # (registry.inputs.oxparse.graph_of says what that costs).
        graph = Graph(store=SimpleMemory())
        add = graph.add
        for s, p, o in self.patterns:
            # Only the triples this pattern can match: its subject among the focus nodes
            # when it is $this, its IRI or literal subject and object when it has them.
            fixed_o = None if isinstance(o, (Variable, BNode)) else o
            if s == _THIS:
                subjects: Iterable[Node] = focus
            elif isinstance(s, (Variable, BNode)):
                subjects = index.subjects_of(p) if fixed_o is None else index.subjects(p, fixed_o)
            else:
                subjects = (s,)
            for f in subjects:
                preds = index.spo.get(f, _EMPTY)
                pairs = preds.items() if isinstance(p, Variable) else [(p, preds.get(p, ()))]
                for pred, objs in pairs:
                    if fixed_o is not None:
                        if fixed_o in objs:
                            add((f, pred, fixed_o))
                        continue
                    for obj in objs:
                        add((f, pred, obj))
        if self.per_focus:  # as pyshacl runs it: $this pre-bound, once per focus node
            for f in focus:
                for row in graph.query(self.query, initBindings={"this": f}):
                    bound = {str(k): v for k, v in row.asdict().items()}
                    self.groups.setdefault(f, []).append(bound)
            return
        for row in graph.query(self.query):
            bound = {str(k): v for k, v in row.asdict().items()}
            this = bound.get("this")
            if this in focus:
                self.groups.setdefault(this, []).append(bound)

    def check(self, f: Node, _values: Objects, out: Out, _p: Any) -> bool:
        rows = self.groups.get(f)
        if not rows:
            return True
        shape = self.shape
        violations: list[tuple[Any, Any, Any, dict[str, Node]]] = []
        failed = False
        for row in rows:
            var_dict = dict(row)
            failure = var_dict.pop("failure", None)
            if failure is not None:
                failed = True  # pyshacl reports a (True, vars) row once
                if any(v[0] is True for v in violations):
                    continue
                violations.append((True, None, None, var_dict))
                continue
            p = var_dict.pop("path", None)
            v = var_dict.pop("value", None)
            t = var_dict.pop("this", None)
            if p is not None or v is not None or t is not None:
                key = (t, p, v, var_dict)
                if key in violations:
                    continue
                violations.append(key)
        if not violations and not failed:
            return True
        if out is None:
            return False
        result_val = None if shape.is_property else f
        for t, p, v, var_dict in violations:
            if t is True:
                bound: Any = var_dict
                focus, value, path = f, result_val, None
            else:
                if v is None:
                    v = result_val
                bound = (t, p, v, var_dict)
                focus, value, path = t or f, v, p
            out.append(
                EngineResult(
                    focus=focus,
                    path=path if path is not None else shape.path,
                    value=value,
                    severity=shape.severity,
                    source_shape=shape.node,
                    constraint=_sh("SPARQLConstraintComponent"),
                    messages=self._messages(bound),
                )
            )
        return False

    def _messages(self, bound: Any) -> tuple[Literal, ...]:
        """pyshacl's make_v_result: the constraint's messages then the shape's, each
        filled in with the bound variables (which drops the language tag)."""
        own = list(self.shape.messages)
        out = []
        for m in self.extra_messages:
            if m in own:
                continue
            out.append(Literal(_format_message(str(m.value), bound)))  # type: ignore[attr-defined]
        for m in own:
            out.append(Literal(_format_message(str(m.value), bound)))
        return tuple(out)


def _format_message(msg: str, bound: Any) -> str:
    """pyshacl's ConstraintComponent._format_sparql_based_result_message."""
    fdict: dict[str, Any] = {}
    if isinstance(bound, tuple):
        fdict.update(bound[3])
        t, p, v = bound[:3]
        if t is not None:
            fdict["this"] = t
        if p is not None:
            fdict["path"] = p
        if v is not None:
            fdict["value"] = v
    elif isinstance(bound, dict):
        fdict.update(bound)
    for var, val in fdict.items():
        msg = re.sub(f"{{[?$]{var}}}", str(val), msg)
    return msg
