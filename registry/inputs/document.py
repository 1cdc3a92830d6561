"""The document model every way in shares: a submitted `Document`, the
`SubmissionGraph` a mapped format (spreadsheet, OpenAPI, DCAT) reads it into, with
where each entry came from and the problems found while reading, and the `Lookup`
of registered standards and departments that mapped formats name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from registry.validation.validator import (
    ValidationResult,
)

if TYPE_CHECKING:
    from registry.store import Store

DEFAULT_BASE_IRI = "http://127.0.0.1:8000/id/"
Location = tuple[tuple[str, Any], ...]

# Formats that are not RDF syntaxes: mapped to the registry's terms on input.
TABULAR_FORMATS = ("csv", "xlsx", "xls")
MAPPED_FORMATS = (*TABULAR_FORMATS, "openapi", "dcat")
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls"}


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

    def department_names(self) -> dict[str, frozenset[str]]:
        """Credit code -> every name the department is registered under (its
        skos:prefLabel, skos:altLabel and rdfs:label, in any language)."""
        return {}

    def codes_under(self, prefix: str) -> dict[str, frozenset[str]]:
        """The registered resource and interface codes `--assign-codes PREFIX` could make
        (PREFIX/..., PREFIX-API-...), each with its entry's alternative identifiers
        (dct:identifier): an assigned code is never one in use, and a dataset imported
        again gets the code it was given before."""
        return {}


class StoreLookup(Lookup):
    """Reads the current graph once per submission (a catalogue names the same few
    standards and departments on every row)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._standards: dict[str, tuple[str, bool]] | None = None
        self._departments: dict[str, tuple[str, str]] | None = None
        self._names: dict[str, frozenset[str]] | None = None
        self._codes: dict[str, dict[str, frozenset[str]]] = {}

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

    def department_names(self) -> dict[str, frozenset[str]]:
        from registry.namespaces import GRAPH_CURRENT

        if self._names is None:
            rows = self.store.select(
                f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
                SELECT ?code ?name WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
                  ?s a <http://www.w3.org/ns/org#Organization> ;
                     <https://w3id.org/smartcity-std#creditCode> ?code ;
                     skos:prefLabel|skos:altLabel|<http://www.w3.org/2000/01/rdf-schema#label>
                     ?name }} }}"""
            )
            names: dict[str, set[str]] = {}
            for r in rows:
                names.setdefault(str(r["code"]), set()).add(str(r["name"]))
            self._names = {code: frozenset(found) for code, found in names.items()}
        return self._names

    def codes_under(self, prefix: str) -> dict[str, frozenset[str]]:
        from registry.namespaces import GRAPH_CURRENT

        if not prefix.isdigit():  # a 前段码 (checked by the importer); nothing else is asked
            return {}
        if prefix not in self._codes:
            rows = self.store.select(
                f"""PREFIX scs: <https://w3id.org/smartcity-std#>
                PREFIX dct: <http://purl.org/dc/terms/>
                SELECT ?code ?alt WHERE {{ GRAPH <{GRAPH_CURRENT}> {{
                  ?s scs:resourceCode|scs:interfaceCode ?code .
                  FILTER(STRSTARTS(STR(?code), "{prefix}/")
                         || STRSTARTS(STR(?code), "{prefix}-API-"))
                  OPTIONAL {{ ?s dct:identifier ?alt }} }} }}"""
            )
            codes: dict[str, set[str]] = {}
            for r in rows:
                alternatives = codes.setdefault(str(r["code"]), set())
                if r.get("alt") is not None:
                    alternatives.add(str(r["alt"]))
            self._codes[prefix] = {code: frozenset(alts) for code, alts in codes.items()}
        return self._codes[prefix]


class KnownLookup(Lookup):
    """A lookup read beforehand (plain dicts), for a reader that cannot reach the store:
    an upload read in a worker process (registry/inputs/isolated.py)."""

    def __init__(
        self,
        standards: dict[str, tuple[str, bool]],
        departments: dict[str, tuple[str, str]],
        codes: dict[str, dict[str, frozenset[str]]] | None = None,
        department_names: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self._standards = standards
        self._departments = departments
        self._codes = codes or {}  # by --assign-codes prefix
        self._names = department_names or {}

    def standards(self) -> dict[str, tuple[str, bool]]:
        return self._standards

    def departments(self) -> dict[str, tuple[str, str]]:
        return self._departments

    def department_names(self) -> dict[str, frozenset[str]]:
        return self._names

    def codes_under(self, prefix: str) -> dict[str, frozenset[str]]:
        return self._codes.get(prefix, {})


def mapped_format(doc: Document) -> str | None:
    """The mapped (non-RDF) format of a document, or None for an RDF syntax."""
    if doc.format:
        name = doc.format.lower()
        return name if name in MAPPED_FORMATS else None
    return _EXTENSIONS.get(PurePath(doc.name).suffix.lower())


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
