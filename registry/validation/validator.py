"""Validating submissions with the trusted SHACL shapes.

The data graph given to pyshacl is a plain rdflib Memory graph built for the
purpose: the submission, the vocabulary (categories, code lists) and the few
registered entries the submission points at. Never the whole store (slow, and
wrong on an Oxigraph-backed graph, DESIGN.md "Pitfalls"), never shapes found in
the upload: only the submission's own entries are focus nodes, and the shapes
graph is always the one loaded from shapes/.

Registry-wide checks (codes unique across the registry) are one query each,
outside SHACL, reported in the same result model.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, SKOS
from rdflib.term import Node

from registry.namespaces import EARL, GRAPH_CURRENT, SCS, SH, local_name
from registry.runtime.collector import collector_paused
from registry.store.sparql_text import select_in_batches
from registry.validation.engine import (
    DataIndex,
    Engine,
    EngineResult,
    Unsupported,
    graph_indexes,
)
from registry.validation.trusted_files import ONTOLOGY_DIR, SHAPES_DIR, files_sha256, turtle_files

if TYPE_CHECKING:
    from registry.store import Store

SCSH = "https://w3id.org/smartcity-std/shapes#"
SEVERITIES = ("Violation", "Warning", "Info")
ENGINE_VERSION = f"pyshacl {pyshacl.__version__}"
# The registry's own engine (registry.validation.engine): pyshacl's results, faster.
FAST_ENGINE_VERSION = f"registry.validation.engine (results of pyshacl {pyshacl.__version__})"
# How many entries the engine validates between two calls of a progress callback.
PROGRESS_STEP = 250
Progress = Callable[[int, int], None]  # (entries done, entries in all)
Triple = tuple[Node, Node, Node]

# Properties whose objects are other entries: what the context is made of.
REFERENCE_PROPERTIES = (
    DCTERMS.conformsTo,
    DCTERMS.publisher,
    DCAT.servesDataset,
    DCTERMS.relation,
    DCTERMS.replaces,
    DCTERMS.isReplacedBy,
    SCS.datedReference,
    SCS.undatedReference,
    # a conformity assessment's subject, standard and assessor (docs/assessment.md)
    EARL.subject,
    EARL.test,
    EARL.assertedBy,
)


@dataclass(frozen=True)
class ValidationResult:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str | None
    value: str | None
    message_zh: str
    message_en: str
    source_shape: str
    constraint: str
    entry: str  # the entry the focus node belongs to (a data item's resource)
    location: tuple[tuple[str, Any], ...] = ()  # e.g. (("row", 3), ("column", "信息资源代码"))
    # A missing required value that a provisional registration let through as a Warning
    # (registry.register.submission.provisional): to complete before the entry is valid.
    to_complete: bool = False

    def message(self, lang: str) -> str:
        return (
            (self.message_zh or self.message_en)
            if lang == "zh"
            else (self.message_en or self.message_zh)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "entry": self.entry,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "message": {"zh": self.message_zh, "en": self.message_en},
            "shape": self.source_shape,
            "constraint": self.constraint,
            **({"location": dict(self.location)} if self.location else {}),
            **({"to_complete": True} if self.to_complete else {}),
        }


@dataclass
class ValidationReport:
    results: list[ValidationResult]
    shapes_sha256: str
    engine: str = ENGINE_VERSION
    focus_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """No Violation: Warnings and Infos do not stop a submission."""
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] += 1
        return counts

    def by_entry(self) -> dict[str, list[ValidationResult]]:
        grouped: dict[str, list[ValidationResult]] = defaultdict(list)
        for result in self.results:
            grouped[result.entry].append(result)
        return dict(grouped)


class Shapes:
    """The trusted shapes graph, parsed once; each validation gets its own copy.

    pyshacl modifies the shapes graph it is given (pySHACL issue 314), so the
    parsed graph itself is never handed to it.
    """

    def __init__(self, folder: Path = SHAPES_DIR) -> None:
        self.folder = folder
        files = turtle_files(folder)
        if not files:
            raise FileNotFoundError(f"no shapes in {folder}")
        self.graph = Graph()
        for path in files:
            self.graph.parse(data=path.read_bytes(), format="turtle")
        self.sha256 = files_sha256(files)
        self._lock = threading.Lock()

    @cached_property
    def target_classes(self) -> frozenset[URIRef]:
        return frozenset(
            o for o in self.graph.objects(None, SH.targetClass) if isinstance(o, URIRef)
        )

    @cached_property
    def engine(self) -> Engine | None:
        """The shapes compiled by registry.validation.engine; None when they use something
        it does not implement (then pyshacl validates)."""
        with self._lock:
            try:
                return Engine(self.copy_unlocked())
            except Unsupported:
                return None

    def copy_unlocked(self) -> Graph:
        copy = Graph()
        for triple in self.graph:
            copy.add(triple)
        return copy

    def copy(self) -> Graph:
        with self._lock:
            copy = Graph()
            for triple in self.graph:
                copy.add(triple)
            return copy


class Vocabulary:
    """ontology/ (classes, categories, code lists), parsed once: every validation's context."""

    def __init__(self, folder: Path = ONTOLOGY_DIR) -> None:
        self.folder = folder
        self.files = turtle_files(folder)
        self.graph = Graph()
        for path in self.files:
            self.graph.parse(data=path.read_bytes(), format="turtle")
        self.sha256 = files_sha256(self.files) if self.files else ""

    @cached_property
    def terms(self) -> frozenset[URIRef]:
        """Every IRI the ontology describes (classes, properties, code lists, their
        concepts, categories): what an upload may use but never describe."""
        return frozenset(s for s in self.graph.subjects() if isinstance(s, URIRef))

    def concepts_in(self, scheme: URIRef) -> set[URIRef]:
        return {s for s in self.graph.subjects(SKOS.inScheme, scheme) if isinstance(s, URIRef)}


class Validator:
    """Validates submissions; shapes and vocabulary are loaded once and shared.

    The registry's compiled engine (registry.validation.engine) validates whenever it
    implements every feature of the shapes; otherwise plain pyshacl does, on one
    graph of vocabulary, submission and registry context, with nothing patched.
    Both give pyshacl's results (tests/validation/test_shacl_engine.py).
    """

    def __init__(
        self,
        shapes: Shapes | None = None,
        vocabulary: Vocabulary | None = None,
        *,
        progress_step: int = PROGRESS_STEP,
        engine: str = "auto",
    ) -> None:
        """`engine`: "auto" validates with registry.validation.engine when it implements
        every feature of the shapes, else with pyshacl; "pyshacl" always with pyshacl."""
        self.shapes = shapes or Shapes()
        self.vocabulary = vocabulary or Vocabulary()
        self.progress_step = progress_step
        if engine not in ("auto", "pyshacl"):
            raise ValueError(f"unknown engine {engine!r}")
        self.use_engine = engine == "auto"

    @property
    def engine(self) -> Engine | None:
        return self.shapes.engine if self.use_engine else None

    def located(self, results: list[ValidationResult]) -> list[ValidationResult]:
        """`results` made outside the shapes (the register's own rules), each given the
        place in the document it is about, where the document knows it (a mapped
        document's validator does: registry.inputs.load.LocatingValidator)."""
        return results

    def validate(
        self,
        data: Graph,
        store: Store | None = None,
        *,
        progress: Progress | None = None,
        skip: Collection[URIRef] = (),
    ) -> ValidationReport:
        """Validate `data` with the registry as context. Entries named in `skip` are not
        validated by the shapes (registration: unchanged since a version validated with
        the same shapes); the registry-wide code checks still cover them."""
        context = registry_context(data, store) if store is not None else None
        report = self.check(data, context, progress=progress, skip=skip)
        if store is not None:
            report.results.extend(unique_code_results(data, store))
            report.results.sort(key=_result_order)
        return report

    def check(
        self,
        data: Graph,
        context: Graph | None,
        *,
        progress: Progress | None = None,
        skip: Collection[URIRef] = (),
    ) -> ValidationReport:
        """The shapes on `data`, with `context` (the registered entries it points at,
        `registry_context`) and the vocabulary: no store is read, so this part, whose
        cost the data decides, can run in a limited worker (registry.validation.isolated)."""
        engine = self.engine
        if engine is not None:
            return self._check_with_engine(engine, data, context, progress, skip)
        focus = self.focus_nodes(data)
        validated = {str(f) for f in focus} - {str(s) for s in skip}
        triples = data if context is None else [*data, *context]
        results = [
            dataclasses.replace(result, entry=entry)
            for result in self.validate_triples(triples, focus)
            # The entry is told with the whole submission: a data item is its resource's.
            if (entry := entry_of(URIRef(result.focus), data) if result.focus else "") in validated
        ]
        if progress is not None:
            progress(len(validated), len(validated))
        results.sort(key=_result_order)
        return ValidationReport(
            results=results,
            shapes_sha256=self.shapes.sha256,
            focus_count=len(focus),
            extra={"skipped_entries": len(skip)} if skip else {},
        )

    def _check_with_engine(
        self,
        engine: Engine,
        data: Graph,
        context: Graph | None,
        progress: Progress | None,
        skip: Collection[URIRef],
    ) -> ValidationReport:
        """The whole data graph (vocabulary + submission + registry context) at once,
        the targets limited to the submission's entries, as the pyshacl path does."""
        graphs = [self.vocabulary.graph, data] + ([context] if context is not None else [])
        index = DataIndex(graphs)
        _spo, data_pos = graph_indexes(data)
        types = data_pos.get(RDF.type, {})
        focus: set[URIRef] = set()
        for cls in self.shapes.target_classes:
            focus.update(s for s in types.get(cls, ()) if isinstance(s, URIRef))
        owners = data_pos.get(SCS.dataItem, {})
        skipped = set(skip)
        validated = focus - skipped

        def entry(node: Node) -> Node:
            owner = owners.get(node)
            return next(iter(owner)) if owner else node

        # progress counts entries (a resource with its data items is one), as the
        # pyshacl path does
        total = len({entry(n) for n in validated} & validated) if progress is not None else 0
        done = 0
        last: list[Node | None] = [None]

        def advance(node: Node) -> None:
            nonlocal done
            current = entry(node)
            if current != last[0]:
                last[0] = current
                done += 1
                if progress is not None and done % self.progress_step == 0 and done < total:
                    progress(done, total)

        # The data graph's dictionaries were made with the collector paused
        # (registry.inputs.oxparse.graph_of): collections during the run would scan
        # them all, over and over (the engine took 8.3 s instead of 4.4 at 10,000
        # resources); it makes no cycles of its own.
        with collector_paused():
            raw = engine.validate(
                index,
                allowed=lambda node: entry(node) in validated,
                order=(
                    (lambda node: (str(entry(node)), node != entry(node), str(node)))
                    if progress is not None
                    else None
                ),
                progress=advance if progress is not None else None,
            )
        if progress is not None:
            progress(total, total)
        results = [_engine_result(r, str(entry(r.focus))) for r in raw]
        results.sort(key=_result_order)
        return ValidationReport(
            results=results,
            shapes_sha256=self.shapes.sha256,
            engine=FAST_ENGINE_VERSION,
            focus_count=len(focus),
            extra={"skipped_entries": len(skip)} if skip else {},
        )

    def validate_triples(
        self, triples: Iterable[Triple], focus: Iterable[Node] | None = None
    ) -> list[ValidationResult]:
        """Plain pyshacl on vocabulary + `triples`. Every target is validated (a
        `focus_nodes=` restriction gets nested shapes' value nodes wrong in pyshacl
        0.40.1); the caller keeps the results of the entries it asked about."""
        if focus is not None and not list(focus):
            return []
        data_graph = Graph()
        for triple in self.vocabulary.graph:
            data_graph.add(triple)
        for triple in triples:
            data_graph.add(triple)
        _conforms, results_graph, _text = pyshacl.validate(
            data_graph,
            shacl_graph=self.shapes.copy(),
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
            inplace=True,  # data_graph is ours, built for this call
            do_owl_imports=False,
        )
        return read_results(results_graph, data_graph)

    def focus_nodes(self, data: Graph) -> set[URIRef]:
        targets = self.shapes.target_classes
        return {
            s for s, o in data.subject_objects(RDF.type) if o in targets and isinstance(s, URIRef)
        }

    def close(self) -> None:
        """Nothing to release: kept so that owners can close any validator alike."""


def _result_order(result: ValidationResult) -> tuple[str | int, ...]:
    # Every field takes part, so the engine and pyshacl list results in one order.
    return (
        SEVERITIES.index(result.severity),
        result.entry,
        result.path or "",
        result.focus,
        result.constraint,
        result.source_shape,
        result.value or "",
        result.message_zh,
        result.message_en,
    )


def read_results(results_graph: Graph, data: Graph) -> list[ValidationResult]:
    """The result model of pyshacl's report graph; nested (sh:detail) results are not listed."""
    results = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in results_graph:
            continue
        messages = {
            _message_language(m): str(m)
            for m in results_graph.objects(node, SH.resultMessage)
            if isinstance(m, Literal)
        }
        focus = results_graph.value(node, SH.focusNode)
        severity = results_graph.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                severity=local_name(severity) if severity else "Violation",
                focus=_text(focus),
                path=_path_text(results_graph, results_graph.value(node, SH.resultPath)),
                value=_value_text(results_graph.value(node, SH.value)),
                message_zh=messages.get("zh", ""),
                message_en=messages.get("en", ""),
                source_shape=_text(results_graph.value(node, SH.sourceShape)),
                constraint=_text(results_graph.value(node, SH.sourceConstraintComponent)),
                entry=entry_of(focus, data),
            )
        )
    return results


def _engine_result(result: EngineResult, entry: str) -> ValidationResult:
    """registry.validation.engine's result as read_results reads pyshacl's."""
    messages = {_message_language(m): str(m) for m in result.messages}
    path = result.path
    return ValidationResult(
        severity=local_name(result.severity),
        focus=str(result.focus),
        path=None if path is None else (str(path) if isinstance(path, URIRef) else path.n3()),
        value=_value_text(result.value),
        message_zh=messages.get("zh", ""),
        message_en=messages.get("en", ""),
        source_shape=str(result.source_shape),
        constraint=str(result.constraint),
        entry=entry,
    )


_CJK = re.compile(r"[\u3400-\u9fff]")


def _message_language(message: Literal) -> str:
    """pyshacl drops the language tag of a SPARQL constraint's message when it fills in
    its variables, so an untagged message is told apart by its script."""
    if message.language:
        return message.language.split("-")[0].lower()
    return "zh" if _CJK.search(str(message)) else "en"


def entry_of(focus: Node | None, data: Graph) -> str:
    """The entry a focus node belongs to: a data item belongs to its resource."""
    if focus is None:
        return ""
    owner = next(iter(data.subjects(SCS.dataItem, focus)), None)
    return str(owner if owner is not None else focus)


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _value_text(node: Node | None) -> str | None:
    """A result's value as text; a blank node as `_:label`: its bare label (a random
    hex string for a node read from Turtle) told a submitter nothing, not even that
    the value was a node without a name, such as `dct:publisher [ ... ]`."""
    return f"_:{node}" if type(node) is BNode else _text(node)


def _path_text(graph: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{inverse}"
    return path.n3()


def referenced_iris(data: Graph) -> set[URIRef]:
    """IRIs the submission points at but does not describe itself."""
    described = set(data.subjects())
    referenced = set()
    for prop in REFERENCE_PROPERTIES:
        for obj in data.objects(None, prop):
            if isinstance(obj, URIRef) and obj not in described:
                referenced.add(obj)
    return referenced


def registry_context(data: Graph, store: Store) -> Graph:
    """The current descriptions of the registered entries the submission points at,
    with the identifiers of their successors (for the 'superseded' warnings)."""
    iris = referenced_iris(data)
    context = Graph()
    for chunk in _chunks(sorted(iris), 500):
        values = " ".join(iri.n3() for iri in chunk)
        query = f"""
            PREFIX dct: <http://purl.org/dc/terms/>
            CONSTRUCT {{ ?r ?p ?o . ?succ dct:identifier ?sid . ?succ a ?stype . }}
            WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
                VALUES ?r {{ {values} }}
                ?r ?p ?o .
                OPTIONAL {{ ?r dct:isReplacedBy ?succ .
                           ?succ dct:identifier ?sid ; a ?stype . }}
            }} }}"""
        for triple in store.construct(query):
            context.add(triple)
    return context


# What names one entry: (property, the class of the entries it names, zh, en). A
# standard's identifier is compared in its normalised form (inputs normalise it).
UNIQUE_CODES = (
    (SCS.resourceCode, SCS.InformationResource, "信息资源代码", "resource code"),
    (SCS.interfaceCode, SCS.DataInterface, "接口代码", "interface code"),
    (DCTERMS.identifier, SCS.Standard, "标准编号", "standard identifier"),
    (SCS.creditCode, ORG.Organization, "统一社会信用代码", "unified social credit code"),
)


def unique_code_results(data: Graph, store: Store | None) -> list[ValidationResult]:
    """Resource and interface codes, standard identifiers and credit codes each name one
    entry, in the submission and in the whole registry: a second entry given one is a
    Violation naming the other."""
    results = []
    for prop, cls, name_zh, name_en in UNIQUE_CODES:
        holders: dict[str, set[URIRef]] = defaultdict(set)
        for subject, code in data.subject_objects(prop):
            if isinstance(subject, URIRef) and (subject, RDF.type, cls) in data:
                holders[str(code)].add(subject)
        if not holders:
            continue
        registered = _registered_holders(store, prop, cls, list(holders)) if store else {}
        for code, subjects in sorted(holders.items()):
            others = sorted(subjects) + sorted(registered.get(code, set()) - subjects)
            first = others[0]
            for subject in sorted(subjects):
                if subject == first and len(others) == 1:
                    continue
                clash = next(o for o in others if o != subject)
                results.append(
                    ValidationResult(
                        severity="Violation",
                        focus=str(subject),
                        path=str(prop),
                        value=code,
                        message_zh=f"{name_zh} {code} 已被 {clash} 使用:在登记库内必须唯一",
                        message_en=f"The {name_en} {code} is already used by {clash}; "
                        "it must name one entry in the registry",
                        source_shape=f"{SCSH}Unique-{local_name(prop)}",
                        constraint=f"{SCSH}UniqueCodeConstraintComponent",
                        entry=entry_of(subject, data),
                    )
                )
    return results


def _registered_holders(
    store: Store, prop: URIRef, cls: URIRef, codes: list[str]
) -> dict[str, set[URIRef]]:
    holders: dict[str, set[URIRef]] = defaultdict(set)
    query = (
        f"SELECT ?s ?code WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ "
        f"VALUES ?code {{ $VALUES }} ?s <{prop}> ?code ; a <{cls}> }} }}"
    )
    for row in select_in_batches(store, query, map(Literal, codes)):
        holders[str(row["code"])].add(URIRef(str(row["s"])))
    return holders


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
