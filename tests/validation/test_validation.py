"""The validator: trusted shapes only, registry context, results about the submission only."""

from __future__ import annotations

from rdflib import Graph

from registry.validation.validator import Validator
from tests.conftest import EXAMPLES


def test_examples_departments_conform(validator: Validator) -> None:
    report = validator.validate(Graph().parse(EXAMPLES / "departments.ttl"))
    assert report.conforms, [r.as_dict() for r in report.results]


def test_qualified_and_nested_shapes_are_evaluated(validator: Validator) -> None:
    """Regression: with pyshacl's focus_nodes option, value nodes of nested shapes were
    filtered away, so one @zh label counted as too many and code-list values went unchecked."""
    data = Graph().parse(
        data="""
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix scs: <https://w3id.org/smartcity-std#> .
<http://127.0.0.1:8000/id/department/11210100EXAMPLE01N> a org:Organization ;
    skos:prefLabel "沈阳市大数据管理局"@zh , "二号名称"@zh ;
    scs:creditCode "11210100EXAMPLE01N" .
""",
        format="turtle",
    )
    report = validator.validate(data)
    shapes = {r.source_shape.rsplit("#", 1)[-1] for r in report.results}
    assert "Department-prefLabel-zh" in shapes  # two Chinese names: too many
    data.remove((None, None, None))
    assert validator.validate(Graph().parse(EXAMPLES / "departments.ttl")).conforms


def test_a_blank_node_value_is_reported_as_a_blank_node(validator: Validator) -> None:
    """Regression: a publisher written `[ ... ]` was reported by its bare random label
    ("提交部门 = eb9f3bf3..."), which told the submitter nothing."""
    data = Graph().parse(
        data="""
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
<http://127.0.0.1:8000/id/catalogue/11210100EXAMPLE01N/2024> a dcat:Catalog ;
    dct:publisher [ foaf:name "City of Example" ] .
""",
        format="turtle",
    )
    values = {r.value for r in validator.validate(data).results if r.path and "publisher" in r.path}
    assert values and all(v.startswith("_:") for v in values), values
    assert {v[2:] for v in values} <= {str(o) for o in data.objects()}  # the node's label


def test_docs_list_every_rule_as_the_shapes_say(validator: Validator) -> None:
    from registry.namespaces import bind_prefixes
    from registry.validation.rules import list_rules, rules_markdown

    graph = validator.shapes.copy()
    bind_prefixes(graph)
    table = rules_markdown(list_rules(graph))
    doc = (EXAMPLES.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    assert table.strip() in doc, "regenerate with: screg rules --markdown"
    assert table.count("| Violation |") >= 40
