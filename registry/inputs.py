"""One entry point for every submitted document, whatever its format.

The CLI and the HTTP API both call `load_submission`; formats are chosen
explicitly or by file extension, never guessed from content. RDF documents give
a plain graph; spreadsheets (.csv, .xlsx), OpenAPI specs and foreign DCAT
catalogues are mapped to the registry's terms and give a `SubmissionGraph`,
which also carries where each entry came from (row and column, JSON pointer)
and the problems found while reading, reported in the validation result model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef

from registry.errors import PayloadTooLargeError
from registry.rdfinput import format_for_filename, parse_rdf, rdf_format
from registry.validation import Progress, ValidationReport, ValidationResult, Validator

if TYPE_CHECKING:
    from registry.store import Store

DEFAULT_BASE_IRI = "http://127.0.0.1:8000/id/"
Location = tuple[tuple[str, Any], ...]

# Formats that are not RDF syntaxes: mapped to the registry's terms on input.
TABULAR_FORMATS = ("csv", "xlsx")
MAPPED_FORMATS = (*TABULAR_FORMATS, "openapi", "dcat")
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx"}


@dataclass(frozen=True)
class Document:
    name: str  # a file name for messages, never opened
    data: bytes
    format: str | None = None  # None: from the name's extension
    # Settings a mapped format needs and the document cannot say itself, e.g. the
    # department an OpenAPI spec belongs to ({"department": code, "serves": [...]}).
    options: Mapping[str, Any] = field(default_factory=dict)


class SubmissionGraph(Graph):
    """A submission mapped from a non-RDF document.

    `problems` are found while reading (unknown header, malformed cell) and are
    reported as validation results; `fatal` means the document could not be read
    far enough to validate its entries (a required column is missing).
    `locations[focus][path]` (path None: any) says where a focus node came from.
    """

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[ValidationResult] = []
        self.locations: dict[str, dict[str | None, Location]] = {}
        self.fatal = False

    def locate(self, focus: str, path: str | None) -> Location:
        by_path = self.locations.get(focus)
        if not by_path:
            return ()
        return by_path.get(path) or by_path.get(None) or ()

    def merge(self, other: SubmissionGraph | Graph) -> None:
        for triple in other:
            self.add(triple)
        if isinstance(other, SubmissionGraph):
            self.problems.extend(other.problems)
            for focus, paths in other.locations.items():
                self.locations.setdefault(focus, {}).update(paths)
            self.fatal = self.fatal or other.fatal


class Lookup:
    """Registered standards and departments, for mapped formats that name them by
    identifier, code or name. The base class knows nothing (no store)."""

    def standards(self) -> dict[str, tuple[str, bool]]:
        """Normalised identifier -> (IRI, replaced by a later edition)."""
        return {}

    def departments(self) -> dict[str, tuple[str, str]]:
        """Credit code -> (IRI, Chinese name)."""
        return {}


class StoreLookup(Lookup):
    """Reads the current graph once per submission (a catalogue names the same few
    standards and departments on every row)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._standards: dict[str, tuple[str, bool]] | None = None
        self._departments: dict[str, tuple[str, str]] | None = None

    def standards(self) -> dict[str, tuple[str, bool]]:
        from registry.namespaces import GRAPH_CURRENT

        if self._standards is None:
            rows = self.store.select(
                f"""PREFIX dct: <http://purl.org/dc/terms/>
                SELECT ?s ?id (COUNT(?next) AS ?n) WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
                  ?s a <https://w3id.org/smartcity-std#Standard> ; dct:identifier ?id .
                  OPTIONAL {{ ?s dct:isReplacedBy ?next }} }} }} GROUP BY ?s ?id"""
            )
            self._standards = {str(r["id"]): (str(r["s"]), int(r["n"]) > 0) for r in rows}
        return self._standards

    def departments(self) -> dict[str, tuple[str, str]]:
        from registry.namespaces import GRAPH_CURRENT

        if self._departments is None:
            rows = self.store.select(
                f"""SELECT ?s ?code ?name WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
                  ?s a <http://www.w3.org/ns/org#Organization> ;
                     <https://w3id.org/smartcity-std#creditCode> ?code .
                  OPTIONAL {{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?name
                             FILTER(langMatches(lang(?name), "zh")) }} }} }}"""
            )
            self._departments = {
                str(r["code"]): (str(r["s"]), str(r["name"]) if r.get("name") else "") for r in rows
            }
        return self._departments


def mapped_format(doc: Document) -> str | None:
    """The mapped (non-RDF) format of a document, or None for an RDF syntax."""
    if doc.format:
        name = doc.format.lower()
        return name if name in MAPPED_FORMATS else None
    return _EXTENSIONS.get(PurePath(doc.name).suffix.lower())


Mapper = Callable[[Document, str, Lookup, int | None], Graph]


def _mapper(fmt: str) -> Mapper:
    # Imported here: openpyxl, yaml and the OpenAPI validator load only when needed.
    if fmt in TABULAR_FORMATS:
        from registry.tabular import read_catalogue

        return read_catalogue
    if fmt == "openapi":
        from registry.openapi import read_openapi

        return read_openapi
    from registry.dcat import read_dcat

    return read_dcat


def load_submission(
    documents: Sequence[Document],
    max_bytes: int | None = None,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    lookup: Lookup | None = None,
) -> Graph:
    """Parse every document and merge them into one graph: one submission.

    RDF documents alone give a plain Graph, exactly as before; any mapped document
    (spreadsheet, OpenAPI, DCAT) makes the result a SubmissionGraph."""
    graph: Graph = Graph()
    total = 0
    for doc in documents:
        total += len(doc.data)
        if max_bytes is not None and total > max_bytes:
            raise PayloadTooLargeError(
                f"submission larger than the limit of {max_bytes} bytes",
                {"limit": max_bytes},
            )
        mapped = mapped_format(doc)
        if mapped is not None:
            part = _mapper(mapped)(doc, base_iri, lookup or Lookup(), max_bytes)
            if not isinstance(graph, SubmissionGraph):
                upgraded = SubmissionGraph()
                upgraded.merge(graph)
                graph = upgraded
            graph.merge(part)
            continue
        fmt = rdf_format(doc.format) if doc.format else format_for_filename(doc.name)
        parsed = parse_rdf(doc.data, fmt, doc.name)
        if type(graph) is Graph and not len(graph):
            # The first RDF document's own graph becomes the submission: copying it
            # triple by triple cost ~15 s for the 830,000 triples of a 10,000-resource
            # catalogue, a quarter of `screg validate` end to end.
            graph = parsed
            continue
        for triple in parsed:
            graph.add(triple)
    return graph


# SHACL "missing value" results that a reading problem on the same focus and path
# already explains (an unknown code-list label leaves the property out).
_EXPLAINED = ("MinCountConstraintComponent", "QualifiedMinCountConstraintComponent")


class LocatingValidator(Validator):
    """Validates a SubmissionGraph: the reading problems first, then the SHACL results,
    each given the location its focus node and path came from."""

    def __init__(self, base: Validator, submission: SubmissionGraph) -> None:
        # Shares the parsed shapes and vocabulary; nothing is parsed again.
        self.shapes = base.shapes
        self.vocabulary = base.vocabulary
        self._base = base
        self._submission = submission

    def validate(
        self,
        data: Graph,
        store: Store | None = None,
        *,
        progress: Progress | None = None,
        skip: Collection[URIRef] = (),
    ) -> ValidationReport:
        sub = self._submission
        if sub.fatal:
            return ValidationReport(results=list(sub.problems), shapes_sha256=self.shapes.sha256)
        report = self._base.validate(data, store, progress=progress, skip=skip)
        explained = {(p.focus, p.path) for p in sub.problems}
        located = []
        for result in report.results:
            if (result.focus, result.path) in explained and result.constraint.endswith(_EXPLAINED):
                continue
            if not result.location:
                where = sub.locate(result.focus, result.path)
                result = dataclasses.replace(result, location=where)
            located.append(result)
        report.results = list(sub.problems) + located
        report.results.sort(key=_location_order)
        return report


def _location_order(result: ValidationResult) -> tuple[Any, ...]:
    loc = dict(result.location)
    severity = ("Violation", "Warning", "Info").index(result.severity)
    return (severity, str(loc.get("file", "")), int(loc.get("row", 0) or 0), result.entry)


def validator_for(graph: Graph, base: Validator) -> Validator:
    """The validator that reports `graph`'s reading problems and locations."""
    if isinstance(graph, SubmissionGraph):
        return LocatingValidator(base, graph)
    return base


SCSH = "https://w3id.org/smartcity-std/shapes#"


def input_problem(
    rule: str,
    message_zh: str,
    message_en: str,
    *,
    focus: str = "",
    path: str | None = None,
    value: str | None = None,
    location: Location = (),
    severity: str = "Violation",
) -> ValidationResult:
    """A problem found while reading a document, in the validation result model.

    Its shape is `scsh:Input-<rule>` (no such shape exists in shapes/: the rule is
    the reader's), so a report tells reading problems from SHACL results."""
    return ValidationResult(
        severity=severity,
        focus=focus,
        path=path,
        value=value,
        message_zh=message_zh,
        message_en=message_en,
        source_shape=f"{SCSH}Input-{rule}",
        constraint=f"{SCSH}InputConstraintComponent",
        entry=focus,
        location=location,
    )
