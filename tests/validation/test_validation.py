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


def test_zh_date_messages_name_the_format_in_chinese(validator: Validator) -> None:
    """A clerk read "CCYY-MM-DD" in the Chinese message of every date rule: the zh
    messages, names and the templates' hints say 年-月-日 instead."""
    from rdflib.namespace import SH

    from registry.inputs.assessment_sheet import COLUMNS as ASSESSMENT_COLUMNS
    from registry.inputs.tabular import COLUMNS

    shapes = validator.shapes.copy()
    texts = [
        str(o)
        for prop in (SH.message, SH.name)
        for o in shapes.objects(None, prop)
        if getattr(o, "language", None) == "zh"
    ]
    texts += [c.meaning for c in (*COLUMNS, *ASSESSMENT_COLUMNS)]
    dated = [t for t in texts if "2024-01-31" in t or "年-月-日" in t]
    assert len(dated) >= 7  # the date rules are still there to check
    assert [t for t in texts if "CCYY" in t or "YYYY" in t] == []


def test_a_result_on_a_column_is_named_as_the_template_names_it(validator: Validator) -> None:
    """The missing-standard Info of a resource was named 引用标准 where the template's
    column is 符合标准: each required or expected property of a resource that one
    column of the template holds is named by that column's title."""
    from rdflib.namespace import SH

    from registry.inputs.tabular import COLUMNS
    from registry.namespaces import SCS

    columns: dict[object, list[str]] = {}
    for column in COLUMNS:
        for prop in column.properties:
            columns.setdefault(prop, []).append(column.zh)
    shapes = validator.shapes.copy()
    node = next(shapes.subjects(SH.targetClass, SCS.InformationResource))
    named = {}
    for shape in shapes.objects(node, SH.property):
        path = shapes.value(shape, SH.path)
        titles = columns.get(path, [])
        if shapes.value(shape, SH.minCount) is None or len(titles) != 1:
            continue
        zh = [str(o) for o in shapes.objects(shape, SH.name) if o.language == "zh"]
        named[titles[0]] = zh
    assert named.get("符合标准") == ["符合标准"]
    assert {title: names for title, names in named.items() if names != [title]} == {}
