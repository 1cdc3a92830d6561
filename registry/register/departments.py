"""Departments written from a few fields (a credit code and names), as registrars add
and update them over HTTP: the fields become one Turtle document that goes through the
one submit path (Registry.submit), so a department made this way is validated, owned,
versioned and recorded in provenance exactly as one uploaded in a file.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from registry.errors import InputError
from registry.inputs.document import Document
from registry.namespaces import SCS
from registry.register.iris import minted_iri

ORGANIZATION = URIRef("http://www.w3.org/ns/org#Organization")


def department_iri_of(base_iri: str, credit_code: str) -> str:
    """The IRI the registry mints for the department `credit_code`; InputError for a
    code that cannot stand in one."""
    iri = minted_iri(base_iri, "department", credit_code)
    if iri is None:
        raise InputError(
            f"{credit_code!r} cannot name a department (统一社会信用代码格式不正确)",
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
