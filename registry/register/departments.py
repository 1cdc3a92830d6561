"""Departments written from a few fields (a credit code and names), as registrars add
and update them over HTTP: the fields become one Turtle document that goes through the
one submit path (Registry.submit), so a department made this way is validated, owned,
versioned and recorded in provenance exactly as one uploaded in a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from registry.bilingual import Text
from registry.errors import ConflictError, InputError, NotConformingError, NotFoundError
from registry.inputs.document import Document
from registry.namespaces import SCS
from registry.register.iris import minted_iri
from registry.register.submission import Principal
from registry.validation.reports import report_json

if TYPE_CHECKING:  # the service imports the register package: no import at run time
    from registry.service import Registry

ORGANIZATION = URIRef("http://www.w3.org/ns/org#Organization")


def department_iri_of(base_iri: str, credit_code: str) -> str:
    """The IRI the registry mints for the department `credit_code`; InputError for a
    code that cannot stand in one."""
    iri = minted_iri(base_iri, "department", credit_code)
    if iri is None:
        raise InputError(
            Text(
                zh=f"{credit_code!r} 不是有效的统一社会信用代码，不能用作部门代码",
                en=f"{credit_code!r} cannot name a department",
            ),
            {"credit_code": credit_code},
        )
    return iri


def department_document(base_iri: str, credit_code: str, names: dict[str, str]) -> Document:
    """A department's Turtle: its minted IRI, credit code and names by language (`zh`,
    `en`; empty ones left out). The shapes decide what is valid (a check character,
    a zh name), as for any upload."""
    code = credit_code.strip()
    node = URIRef(department_iri_of(base_iri, code))
    graph = Graph()
    graph.add((node, RDF.type, ORGANIZATION))
    graph.add((node, SCS.creditCode, Literal(code)))
    for lang, name in sorted(names.items()):
        if name and name.strip():
            graph.add((node, SKOS.prefLabel, Literal(name.strip(), lang=lang)))
    data = graph.serialize(format="turtle").encode("utf-8")
    return Document("department.ttl", data, "turtle")


def write_department(
    registry: Registry,
    principal: Principal,
    credit_code: str,
    names: dict[str, str],
    *,
    new: bool,
) -> dict[str, Any]:
    """Add (`new`) or update the department `credit_code` with `names` (on an update, a
    language left out or blank keeps its current name) as one submission by
    `principal`: its answer as `POST /api/v1/submissions` gives it, with
    `id`. Adding one registered is ConflictError, updating one not registered
    NotFoundError; a department that does not conform is NotConformingError with the
    report, and nothing is written."""
    code = credit_code.strip()
    iri = department_iri_of(registry.settings.base_iri, code)
    known = bool(registry.reader().known([iri]))
    if new and known:
        raise ConflictError(
            Text(
                zh=f"部门 {code} 已登记；请改为更新",
                en=f"department {code} is already registered; update it instead",
            ),
            {"credit_code": code},
        )
    if not new and not known:
        raise NotFoundError(
            Text(zh=f"部门 {code} 未登记", en=f"no department {code} is registered"),
            {"credit_code": code},
        )
    if not new:
        # A name left out or blank keeps its current value: the page's optional English
        # field, left empty, removed the department's English name.
        current = (registry.reader().record(iri) or {}).get("name") or {}
        names = {**current, **{lang: text for lang, text in names.items() if text.strip()}}
    document = department_document(registry.settings.base_iri, code, names)
    result = registry.submit([document], principal)
    if not result.accepted:
        raise NotConformingError(
            Text(
                zh="部门信息不符合规范，未写入",
                en="the department does not conform; nothing was written",
            ),
            report_json(result.report, registry.settings.report_max_results),
        )
    return {**result.as_dict(), "id": (result.submission or "").rsplit("/", 1)[-1]}
