"""One identifier, one entry (issue 16): two new standards both claiming
`GB/T 21063.3-2007` (one under a foreign IRI, one under an IRI minted for another
number) conformed and registered, and the identifier then answered 409 "names several
entries". A second entry given a registered identifier, or two entries of one
submission given the same one, is now a Violation naming both."""

from __future__ import annotations

from rdflib import Graph

from registry.inputs.document import Document
from registry.register.submission import REGISTRAR
from registry.service import Registry

BASE = "http://127.0.0.1:8000/id/"
PREFIXES = """
@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix code: <https://w3id.org/smartcity-std/code/> .
@prefix cat: <https://w3id.org/smartcity-std/category/> .
"""


def standard(iri: str, identifier: str) -> str:
    return f"""
<{iri}> a scs:Standard ;
  dct:identifier "{identifier}" ;
  dct:title "重复编号的标准"@zh ;
  scs:level code:level\\/national ;
  scs:nature code:nature\\/recommended ;
  scs:standardStatus code:standard-status\\/current ;
  scs:category cat:3 ;
  dct:issued "2007-01-01"^^xsd:date .
"""


def violations(registry: Registry, text: str) -> list:
    graph = Graph().parse(data=PREFIXES + text, format="turtle")
    report = registry.validate([Document("dup.ttl", graph.serialize(format="turtle").encode())])
    return [r for r in report.results if r.constraint.endswith("UniqueCodeConstraintComponent")]


def test_a_registered_identifier_cannot_name_a_second_standard(registry: Registry) -> None:
    found = violations(registry, standard("http://elsewhere.example/std/1", "GB/T 21063.3-2007"))
    assert len(found) == 1
    assert found[0].focus == "http://elsewhere.example/std/1"
    assert f"{BASE}standard/GB-T-21063.3-2007" in found[0].message_en
    assert f"{BASE}standard/GB-T-21063.3-2007" in found[0].message_zh


def test_two_standards_of_one_submission_cannot_share_an_identifier(registry: Registry) -> None:
    text = standard(f"{BASE}standard/GB-T-99901-2020", "GB/T 99901-2020") + standard(
        f"{BASE}standard/GB-T-99902-2020", "GB/T 99901-2020"
    )
    found = violations(registry, text)
    assert {r.focus for r in found} == {
        f"{BASE}standard/GB-T-99901-2020",
        f"{BASE}standard/GB-T-99902-2020",
    }
    # Each names the other.
    for r in found:
        other = (
            {f"{BASE}standard/GB-T-99901-2020", f"{BASE}standard/GB-T-99902-2020"} - {r.focus}
        ).pop()
        assert other in r.message_en


def test_any_spelling_of_a_registered_identifier_clashes(registry: Registry) -> None:
    found = violations(registry, standard("http://elsewhere.example/std/2", "GBT 21063.3—2007"))
    assert [r.value for r in found] == ["GB/T 21063.3-2007"]


def test_the_registrar_cannot_register_the_duplicate(registry: Registry) -> None:
    graph = Graph().parse(
        data=PREFIXES + standard("http://elsewhere.example/std/3", "GB/T 21063.3-2007"),
        format="turtle",
    )
    generation = registry.store.generation()
    result = registry.submit(
        [Document("dup.ttl", graph.serialize(format="turtle").encode())], REGISTRAR
    )
    assert not result.accepted
    assert registry.store.generation() == generation


def test_a_credit_code_names_one_department(registry: Registry) -> None:
    text = """
<http://elsewhere.example/dept/1> a org:Organization ;
  skos:prefLabel "另一个部门"@zh ;
  scs:creditCode "11210100EXAMPLE01N" .
"""
    found = violations(registry, text)
    assert [r.focus for r in found] == ["http://elsewhere.example/dept/1"]
    assert f"{BASE}department/11210100EXAMPLE01N" in found[0].message_en
