"""One entry point for every submitted document, whatever its format.

The CLI, the HTTP API and the seed all read a submission with `read_documents`
(registration takes its triples, validation its graph: `load_submission`);
formats are chosen explicitly or by file extension, never guessed from content.
RDF documents give their triples; spreadsheets (.csv, .xlsx, .xls), OpenAPI specs and
foreign DCAT catalogues are mapped to the registry's terms and give a
`SubmissionGraph`, which also carries where each entry came from (row and column,
JSON pointer) and the problems found while reading, reported in the validation
result model.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG
from rdflib.term import Node

from registry.bilingual import Text
from registry.errors import InputError, PayloadTooLargeError
from registry.inputs.characters import may_hold_unstorable, refuse_bad_iris, refuse_unstorable
from registry.inputs.document import (
    DEFAULT_BASE_IRI,
    TABULAR_FORMATS,
    Document,
    Location,
    Lookup,
    SubmissionGraph,
    input_problem,
    mapped_format,
)
from registry.inputs.openapi import openapi_read_as_jsonld
from registry.inputs.oxparse import Triple
from registry.inputs.rdf import format_for_filename, rdf_format, read_rdf
from registry.namespaces import EARL, SCS
from registry.validation.validator import (
    Progress,
    ValidationReport,
    ValidationResult,
    Validator,
)

if TYPE_CHECKING:
    from registry.store import Store


Mapper = Callable[[Document, str, Lookup, int | None], Graph]


def _mapper(fmt: str) -> Mapper:
    # Imported here: openpyxl, yaml and the OpenAPI validator load only when needed.
    if fmt in TABULAR_FORMATS:
        return _read_spreadsheet
    if fmt == "openapi":
        from registry.inputs.openapi import read_openapi

        return read_openapi
    from registry.inputs.dcat import read_dcat

    return read_dcat


def _read_spreadsheet(doc: Document, base_iri: str, lookup: Lookup, cap: int | None) -> Graph:
    """A spreadsheet's rows are assessments when its header names the assessment columns
    (registry/inputs/assessment_sheet.py), else a catalogue's resources."""
    from registry.inputs.assessment_sheet import holds_assessments, read_assessments
    from registry.inputs.tabular import read_catalogue

    if holds_assessments(doc, cap):
        return read_assessments(doc, base_iri, lookup, cap)
    return read_catalogue(doc, base_iri, lookup, cap)


@dataclass
class Reading:
    """A submission read: the triples of its RDF documents, each as its reader gave
    them (a list from pyoxigraph, or rdflib's graph), and, when any document was
    mapped (spreadsheet, OpenAPI, DCAT), one SubmissionGraph of the mapped triples
    with where each entry came from and the problems found while reading."""

    rdf: list[list[Triple] | Graph] = field(default_factory=list)
    mapped: SubmissionGraph | None = None
    source_sha256: str = hashlib.sha256().hexdigest()

    def triples(self) -> Iterator[Triple]:
        for part in self.rdf:
            yield from part
        if self.mapped is not None:
            yield from self.mapped

    def place_of(self, entry: str) -> dict[str, Any]:
        """Where `entry` was read (file, sheet, row of a spreadsheet; the source node of a
        DCAT or OpenAPI document), or {} for an entry of an RDF document."""
        return dict(self.mapped.locate(entry, None)) if self.mapped is not None else {}

    @property
    def unreadable(self) -> bool:
        """Nothing could be read into entries: the reading problems are the whole
        answer (a required column missing, or no row read)."""
        mapped = self.mapped
        if mapped is None:
            return False
        return mapped.fatal or (
            bool(mapped.problems) and not len(mapped) and not any(len(p) for p in self.rdf)
        )

    def graph(self) -> Graph:
        """One graph of every triple: the SubmissionGraph when a document was mapped."""
        if self.mapped is not None:
            graph: Graph = self.mapped
        elif len(self.rdf) == 1 and isinstance(self.rdf[0], Graph):
            # A document rdflib read is its own graph: copying it triple by triple cost
            # ~15 s for the 830,000 triples of a 10,000-resource catalogue.
            return self.rdf[0]
        else:
            graph = Graph()
        add = graph.add
        for part in self.rdf:
            for triple in part:
                add(triple)
        return graph

    def validator(self, base: Validator) -> Validator:
        """The validator that reports the reading problems and locations."""
        return validator_for(self.mapped, base)


def read_documents(
    documents: Sequence[Document],
    max_bytes: int | None = None,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    lookup: Lookup | None = None,
) -> Reading:
    """Read every document of one submission: the one reader of registration and of
    validation. Formats are named or told by extension, never guessed from content."""
    reading = Reading()
    total = 0
    digest = hashlib.sha256()
    described: dict[Node, tuple[str, Location]] = {}
    for doc in documents:
        total += len(doc.data)
        if max_bytes is not None and total > max_bytes:
            raise PayloadTooLargeError(
                Text(
                    zh=f"提交内容超过 {max_bytes} 字节的大小限制",
                    en=f"submission larger than the limit of {max_bytes} bytes",
                ),
                {"limit": max_bytes},
            )
        digest.update(doc.data)
        try:
            part = _read_one(reading, doc, base_iri, lookup, max_bytes)
        except RecursionError:
            # The JSON, YAML and XML parsers and the JSON-LD expansion recurse once per
            # level: a document nested thousands deep (a few KB of brackets) ran out
            # of stack and answered 500. Nothing a catalogue holds is that deep.
            raise InputError(
                Text(
                    zh=f"{doc.name}：文档嵌套层次过深，无法读取",
                    en=f"{doc.name}: nested too deeply to be read",
                ),
                {"file": doc.name, "reason": "too_deep"},
            ) from None
        if len(documents) > 1:
            # One document cannot repeat another: no pass over a lone catalogue's
            # triples (830,000 at 10,000 resources) on every validation.
            _one_document_per_entry(reading, part, doc.name, described)
    reading.source_sha256 = digest.hexdigest()
    return reading


# The classes of the register's entries (registry.register.submission.ITEM_CLASSES,
# which a test holds these to: the register reads the inputs, not the other way).
ENTRY_CLASSES = frozenset(
    {
        SCS.Standard,
        ORG.Organization,
        SCS.InformationResource,
        SCS.DataInterface,
        DCAT.Catalog,
        EARL.Assertion,
    }
)


# What an entry is known by in messages: its code, or a standard's identifier.
_CODES = frozenset(
    {
        SCS.resourceCode,
        SCS.interfaceCode,
        SCS.creditCode,
        SCS.assessmentCode,
        DCTERMS.identifier,
    }
)


def _one_document_per_entry(
    reading: Reading, part: Iterable[Triple], name: str, described: dict[Node, tuple[str, Location]]
) -> None:
    """An entry that two documents of one submission describe is a Violation naming
    both. Within a workbook a code used twice was refused, but two files (a workbook
    and a CSV, in one form or one `screg register a.xlsx b.csv`) were read into one
    entry: their values merged without a word (two sharing methods, two standards), or
    a "needs exactly one title" that named only the second file."""
    locate = getattr(part, "locate", None)
    for subject, predicate, obj in part:
        if predicate != RDF.type or obj not in ENTRY_CLASSES:
            continue
        where: Location = tuple(locate(str(subject), None)) if locate is not None else ()
        where = where or (("file", name),)
        first = described.setdefault(subject, (name, where))
        if first[0] == name:
            continue
        then = dict(first[1])
        row = then.get("row")
        at_zh = f"“{first[0]}”" + (f"第 {row} 行" if row else "")
        at_en = f"{first[0]}" + (f", row {row}" if row else "")
        code = next((str(o) for s, p, o in part if s == subject and p in _CODES), None)
        entry = code or f"<{subject}>"
        if reading.mapped is None:
            reading.mapped = SubmissionGraph()
        reading.mapped.problems.append(
            input_problem(
                "duplicate-code",
                f"条目 {entry} 已在{at_zh}给出；同一次提交中的两个文件不能描述同一条目，"
                "请只在一个文件中保留它。",
                f"The entry {entry} is already given in {at_en}; two files of one "
                "submission cannot describe the same entry: keep it in one of them.",
                focus=str(subject),
                value=code or str(subject),
                location=where,
            )
        )


def _read_one(
    reading: Reading, doc: Document, base_iri: str, lookup: Lookup | None, max_bytes: int | None
) -> Iterable[Triple]:
    mapped = mapped_format(doc)
    if mapped is not None:
        part = _mapper(mapped)(doc, base_iri, lookup or Lookup(), max_bytes)
        refuse_unstorable(part, doc.name)
        refuse_bad_iris(part, doc.name)
        if reading.mapped is None:
            reading.mapped = SubmissionGraph()
        reading.mapped.merge(part)
        return part
    fmt = rdf_format(doc.format) if doc.format else format_for_filename(doc.name)
    triples = read_rdf(doc.data, fmt, doc.name)
    if fmt.name == "jsonld" and not any(p == RDF.type for _s, p, _o in triples):
        # no typed node, so no entry: perhaps an OpenAPI document sent as plain JSON
        refusal = openapi_read_as_jsonld(doc.name, doc.data)
        if refusal is not None:
            raise refusal
    if may_hold_unstorable(doc.data):
        refuse_unstorable(triples, doc.name)
    reading.rdf.append(triples)
    return triples


def load_submission(
    documents: Sequence[Document], max_bytes: int | None = None, **options: Any
) -> Graph:
    """Parse every document and merge them into one graph: one submission, read by
    read_documents (`options`: its base_iri and lookup).

    RDF documents alone give a plain Graph; any mapped document (spreadsheet,
    OpenAPI, DCAT) makes the result a SubmissionGraph."""
    return read_documents(documents, max_bytes, **options).graph()


# SHACL "missing value" results that a reading problem on the same focus and path
# already explains (an unknown code-list label leaves the property out).
# The shapes' results a reading problem at the same focus and path explains: a value
# left missing (a cell not read) or one too many (two titles read as one language).
_EXPLAINED = (
    "MinCountConstraintComponent",
    "QualifiedMinCountConstraintComponent",
    "MaxCountConstraintComponent",
    "QualifiedMaxCountConstraintComponent",
)
_WEIGHT = {"Info": 0, "Warning": 1, "Violation": 2}


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
        problems = list(sub.problems)
        at: dict[tuple[str, str | None], list[int]] = {}
        for n, problem in enumerate(problems):
            at.setdefault((problem.focus, problem.path), []).append(n)
        located = []
        for result in report.results:
            explaining = at.get((result.focus, result.path))
            if explaining and (
                result.constraint.endswith(_EXPLAINED)
                # a part the reader made (an assessment's result node) failing its shape
                # for the value the reading problem names: its blank node's label was
                # shown to the clerk as the value, beside the problem, as a second result
                or (
                    result.constraint.endswith("NodeConstraintComponent")
                    and (result.value or "").startswith("_:")
                )
            ):
                # One result for the problem, at the weight of the value it left missing:
                # a Warning that a DCAT frequency maps to nothing stood alone, and the
                # entry was registered valid without the update cycle it must have.
                # Raised, it is the missing value: its constraint too, so that a
                # provisional registration takes it as a value to complete, as it takes
                # the shape's (registry.register.submission.as_provisional).
                for n in explaining:
                    if _WEIGHT[problems[n].severity] < _WEIGHT[result.severity]:
                        problems[n] = dataclasses.replace(
                            problems[n], severity=result.severity, constraint=result.constraint
                        )
                continue
            located.append(result)
        report.results = problems + self.located(located)
        report.results.sort(key=_location_order)
        return report

    def located(self, results: list[ValidationResult]) -> list[ValidationResult]:
        locate = self._submission.locate
        return [
            r if r.location else dataclasses.replace(r, location=locate(r.focus, r.path))
            for r in results
        ]


def _location_order(result: ValidationResult) -> tuple[Any, ...]:
    loc = dict(result.location)
    severity = ("Violation", "Warning", "Info").index(result.severity)
    return (severity, str(loc.get("file", "")), int(loc.get("row", 0) or 0), result.entry)


def validator_for(graph: Graph | None, base: Validator) -> Validator:
    """The validator that reports `graph`'s reading problems and locations."""
    if isinstance(graph, SubmissionGraph):
        return LocatingValidator(base, graph)
    return base
