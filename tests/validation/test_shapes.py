"""The SHACL shapes (shapes/*.ttl): well-formed, named, bilingual, and each rule tested.

Every rule gets a data graph that passes and one that fails with exactly the
expected (focus node, result path, source constraint component, severity) and
source shape. The data graph is the submission plus the registry context
(ontology/*.ttl and, where a test needs them, registered standards and
departments); only the submission's subjects are focus nodes, as in the
registry's validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from registry.inputs.identifiers import (
    CREDIT_CODE_PATTERN,
    RESOURCE_CODE_PATTERN,
    WELL_FORMED,
    credit_code_check_char,
)

ROOT = Path(__file__).resolve().parents[2]
SHAPES_DIR = ROOT / "shapes"
SHAPE_FILES = ("standard.ttl", "department.ttl", "resource.ttl", "interface.ttl", "catalogue.ttl")
ONTOLOGY_FILES = ("scs.ttl", "categories.ttl", "codelists.ttl")

SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open: rdflib's closed DCAT lacks dcat:version
SCSH = Namespace("https://w3id.org/smartcity-std/shapes#")
SCS = Namespace("https://w3id.org/smartcity-std#")
STD = Namespace("http://127.0.0.1:8000/id/standard/")
DEPT = Namespace("http://127.0.0.1:8000/id/department/")
RES = Namespace("http://127.0.0.1:8000/id/resource/")
API = Namespace("http://127.0.0.1:8000/id/interface/")
CATALOGUE = Namespace("http://127.0.0.1:8000/id/catalogue/")

V, W, INFO = SH.Violation, SH.Warning, SH.Info
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------------------
# Loading and running
# ---------------------------------------------------------------------------


def _parse_file(path: Path) -> Graph:
    return Graph().parse(data=path.read_bytes(), format="turtle")


@cache
def shape_file(name: str) -> Graph:
    return _parse_file(SHAPES_DIR / name)


@cache
def shapes() -> Graph:
    union = Graph()
    for name in SHAPE_FILES:
        union += shape_file(name)
    return union


@cache
def ontology() -> Graph:
    graph = Graph()
    for name in ONTOLOGY_FILES:
        graph += _parse_file(ROOT / "ontology" / name)
    return graph


PREFIXES = """
@prefix scs:       <https://w3id.org/smartcity-std#> .
@prefix cat:       <https://w3id.org/smartcity-std/category/> .
@prefix level:     <https://w3id.org/smartcity-std/code/level/> .
@prefix nature:    <https://w3id.org/smartcity-std/code/nature/> .
@prefix stdstatus: <https://w3id.org/smartcity-std/code/standard-status/> .
@prefix adoption:  <https://w3id.org/smartcity-std/code/adoption/> .
@prefix sharing:   <https://w3id.org/smartcity-std/code/sharing-type/> .
@prefix method:    <https://w3id.org/smartcity-std/code/sharing-method/> .
@prefix openness:  <https://w3id.org/smartcity-std/code/openness/> .
@prefix cycle:     <https://w3id.org/smartcity-std/code/update-cycle/> .
@prefix format:    <https://w3id.org/smartcity-std/code/format/> .
@prefix dtype:     <https://w3id.org/smartcity-std/code/data-type/> .
@prefix rclass:    <https://w3id.org/smartcity-std/code/resource-class/> .
@prefix dcat:      <http://www.w3.org/ns/dcat#> .
@prefix dct:       <http://purl.org/dc/terms/> .
@prefix org:       <http://www.w3.org/ns/org#> .
@prefix skos:      <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:       <http://www.w3.org/2001/XMLSchema#> .
@prefix std:       <http://127.0.0.1:8000/id/standard/> .
@prefix dept:      <http://127.0.0.1:8000/id/department/> .
@prefix res:       <http://127.0.0.1:8000/id/resource/> .
@prefix api:       <http://127.0.0.1:8000/id/interface/> .
@prefix catalogue: <http://127.0.0.1:8000/id/catalogue/> .
@prefix ex:        <http://example.org/> .
"""


@dataclass(frozen=True)
class Result:
    focus: URIRef
    path: object  # URIRef, ("alternative", (URIRef, ...)) or None
    component: URIRef
    severity: URIRef
    shape: URIRef
    messages: tuple[Literal, ...]

    @property
    def key(self) -> tuple:
        return (self.focus, self.path, self.component, self.severity, self.shape)


def _path(report: Graph, node) -> object:
    if node is None or isinstance(node, URIRef):
        return node
    alternatives = report.value(node, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", tuple(Collection(report, alternatives)))
    raise AssertionError(f"unexpected result path {node!r}")


def results(report: Graph) -> list[Result]:
    """The results of a pyshacl report graph, as tuples to assert on."""
    found = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        found.append(
            Result(
                focus=report.value(node, SH.focusNode),
                path=_path(report, report.value(node, SH.resultPath)),
                component=report.value(node, SH.sourceConstraintComponent),
                severity=report.value(node, SH.resultSeverity),
                shape=report.value(node, SH.sourceShape),
                messages=tuple(report.objects(node, SH.resultMessage)),
            )
        )
    return found


@cache
def shapes_without_check_character() -> Graph:
    graph = Graph() + shapes()
    graph.remove((SCSH.Department, SH.property, SCSH["Department-creditCode-checkCharacter"]))
    return graph


def check(submission: str, context: str = "") -> list[Result]:
    """Validate a submission (Turtle) with the registry context; the results about its subjects.

    The whole data graph is validated and the results filtered: pyshacl's
    focus_nodes option also filters the value nodes handed to nested shapes
    (sh:node, sh:not, sh:or, sh:qualifiedValueShape), so with it those
    constraints silently pass. When the submission holds no department, the
    check-character constraint is left out: pyshacl parses its query anew for
    every department (~0.3 s each), and context departments are not under test.
    """
    submitted = Graph().parse(data=PREFIXES + submission, format="turtle")
    data = Graph()
    data += ontology()
    data += Graph().parse(data=PREFIXES + context, format="turtle")
    data += submitted
    has_department = (None, RDF.type, ORG.Organization) in submitted
    conforms, report, text = validate(
        data,
        shacl_graph=shapes() if has_department else shapes_without_check_character(),
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    subjects = set(submitted.subjects())
    found = [r for r in results(report) if r.focus in subjects]
    if not context:
        assert conforms == (not any(r.severity == V for r in found)), text
    return found


def message_languages(result: Result) -> set[str]:
    """Languages of a result's messages.

    pyshacl drops the language tag of a message it fills in from SPARQL
    bindings, so untagged messages are told apart by their script.
    """
    languages = set()
    for message in result.messages:
        assert "{?" not in message and "{$" not in message, message
        if message.language:
            languages.add(message.language)
        else:
            languages.add("zh" if CJK.search(message) else "en")
    return languages


def assert_results(found: list[Result], *expected: tuple) -> None:
    assert sorted((r.key for r in found), key=str) == sorted(expected, key=str)
    for result in found:
        assert message_languages(result) == {"zh", "en"}, result
        assert len(result.messages) == 2, result


def turtle(subject: str, props: dict[str, str]) -> str:
    return subject + "\n    " + " ;\n    ".join(f"{p} {o}" for p, o in props.items()) + " .\n"


def change(props: dict[str, str], drop: tuple = (), **replace: str) -> dict[str, str]:
    """A copy of props without `drop` and with replacements (key "scs_level" means scs:level)."""
    out = {k: v for k, v in props.items() if k not in drop}
    for key, value in replace.items():
        out[key.replace("_", ":", 1)] = value
    return out


# ---------------------------------------------------------------------------
# Valid entries and registry context
# ---------------------------------------------------------------------------

GOOD_CODE = "11210100EXAMPLE01N"
OTHER_CODE = "11210100EXAMPLE02R"
assert credit_code_check_char(GOOD_CODE[:17]) == GOOD_CODE[17]
assert credit_code_check_char(OTHER_CODE[:17]) == OTHER_CODE[17]

DEPARTMENT = {
    "a": "org:Organization",
    "skos:prefLabel": '"沈阳市大数据管理局"@zh , "Shenyang Big Data Administration"@en',
    "scs:creditCode": f'"{GOOD_CODE}"',
}
DEPARTMENT_IRI = f"dept:{GOOD_CODE}"
OTHER_DEPARTMENT_IRI = f"dept:{OTHER_CODE}"

REGISTERED = (
    turtle(DEPARTMENT_IRI, DEPARTMENT)
    + turtle(
        OTHER_DEPARTMENT_IRI,
        change(DEPARTMENT, skos_prefLabel='"沈阳市公安局"@zh', scs_creditCode=f'"{OTHER_CODE}"'),
    )
    + """
std:GB-T-21063.3-2007 a scs:Standard ; dct:identifier "GB/T 21063.3-2007" ;
    scs:standardStatus stdstatus:current .
std:GB-T-22239-2008 a scs:Standard ; dct:identifier "GB/T 22239-2008" ;
    scs:standardStatus stdstatus:superseded ; dct:isReplacedBy std:GB-T-22239-2019 .
std:GB-T-22239-2019 a scs:Standard ; dct:identifier "GB/T 22239-2019" ;
    scs:standardStatus stdstatus:current .
std:GB-Z-18803-2002 a scs:Standard ; dct:identifier "GB/Z 18803-2002" ;
    scs:standardStatus stdstatus:abolished .
res:301001-00009 a scs:InformationResource .
"""
)

STANDARD_IRI = "std:GB-T-33356-2016"
STANDARD = {
    "a": "scs:Standard",
    "dct:identifier": '"GB/T 33356-2016"',
    "dct:title": '"新型智慧城市评价指标"@zh , "Evaluation indicators for new-type smart cities"@en',
    "scs:level": "level:national",
    "scs:nature": "nature:recommended",
    "scs:standardStatus": "stdstatus:current",
    "scs:category": "cat:1.2",
    "dct:issued": '"2016-12-30"^^xsd:date',
    "scs:inForceFrom": '"2017-07-01"^^xsd:date',
    "scs:datedReference": "std:GB-T-21063.3-2007",
    "scs:ics": '"35.240.01"',
    "scs:ccs": '"L67"',
}

RESOURCE_IRI = "res:301001-00001"
ITEM = "<http://127.0.0.1:8000/id/resource/301001-00001/item/1>"
RESOURCE = {
    "a": "scs:InformationResource",
    "scs:resourceCode": '"301001/00001"',
    "dct:title": '"法人基本信息"@zh , "Basic legal-person information"@en',
    "dct:publisher": DEPARTMENT_IRI,
    "dct:description": '"全市法人单位的基本登记信息。"@zh',
    "scs:resourceClass": "rclass:3",
    "scs:format": "format:database",
    "scs:dataItem": ITEM,
    "scs:sharingType": "sharing:unconditional",
    "scs:sharingMethod": "method:interface",
    "scs:openness": "openness:closed",
    "dct:accrualPeriodicity": "cycle:daily",
    "dct:issued": '"2024-05-01"^^xsd:date',
    "dct:conformsTo": "std:GB-T-21063.3-2007",
    "dct:relation": "res:301001-00009",
}
DATA_ITEM = {
    "a": "scs:DataItem",
    "scs:itemName": '"统一社会信用代码"@zh',
    "scs:dataType": "dtype:C",
    "scs:length": "18",
    "scs:position": "1",
}

INTERFACE_IRI = "api:SY-DSJ-API-001"
INTERFACE = {
    "a": "scs:DataInterface",
    "scs:interfaceCode": '"SY-DSJ-API-001"',
    "dct:title": '"法人基本信息查询接口"@zh',
    "dct:publisher": DEPARTMENT_IRI,
    "dcat:endpointURL": "<https://data.example.org/api/legal-person>",
    "scs:protocol": '"HTTP/REST"',
    "dcat:version": '"1.0"',
    "dcat:servesDataset": "res:301001-00009",
    "dct:conformsTo": "std:GB-T-21063.3-2007",
}

CATALOGUE_IRI = f"catalogue:{GOOD_CODE}\\/2024"
CATALOGUE_NODE = URIRef(CATALOGUE[f"{GOOD_CODE}/2024"])
CATALOGUE_ENTRY = {
    "a": "dcat:Catalog",
    "dct:title": '"沈阳市大数据管理局信息资源目录"@zh',
    "dct:publisher": DEPARTMENT_IRI,
    "dcat:dataset": RESOURCE_IRI,
    "dcat:service": INTERFACE_IRI,
    "dct:issued": '"2024-05-01"^^xsd:date',
}

S = STD["GB-T-33356-2016"]
D = DEPT[GOOD_CODE]
R = RES["301001-00001"]
IT = URIRef("http://127.0.0.1:8000/id/resource/301001-00001/item/1")
A = API["SY-DSJ-API-001"]


def standard(props=STANDARD) -> list[Result]:
    return check(turtle(STANDARD_IRI, props), REGISTERED)


def department(props=DEPARTMENT) -> list[Result]:
    return check(turtle(DEPARTMENT_IRI, props))


def resource(props=RESOURCE, item=DATA_ITEM) -> list[Result]:
    return check(turtle(RESOURCE_IRI, props) + turtle(ITEM, item), REGISTERED)


def interface(props=INTERFACE) -> list[Result]:
    return check(turtle(INTERFACE_IRI, props), REGISTERED)


def catalogue(props=CATALOGUE_ENTRY, res=RESOURCE, api=INTERFACE) -> list[Result]:
    return check(
        turtle(CATALOGUE_IRI, props)
        + turtle(RESOURCE_IRI, res)
        + turtle(ITEM, DATA_ITEM)
        + turtle(INTERFACE_IRI, api),
        REGISTERED,
    )


# ---------------------------------------------------------------------------
# The shapes graph itself
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_each_file_parses_on_its_own(name: str) -> None:
    graph = shape_file(name)
    assert len(graph) > 50
    assert any(graph.subjects(SH.targetClass, None))


def test_node_shapes_target_the_vocabulary_classes() -> None:
    targets = {s: o for s, o in shapes().subject_objects(SH.targetClass)}
    assert targets[SCSH.Standard] == SCS.Standard
    assert targets[SCSH.Department] == ORG.Organization
    assert targets[SCSH.InformationResource] == SCS.InformationResource
    assert targets[SCSH.DataItem] == SCS.DataItem
    assert targets[SCSH.DataInterface] == SCS.DataInterface
    assert targets[SCSH.Catalogue] == DCAT.Catalog


def _shacl_shacl() -> Graph:
    source = resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"
    return Graph().parse(data=source.read_bytes(), format="turtle")


def test_shapes_conform_to_shacl_shacl() -> None:
    meta = _shacl_shacl()
    assert (None, RDF.type, SH.NodeShape) in meta
    conforms, report, text = validate(shapes(), shacl_graph=meta, inference="none")
    assert conforms, text
    assert (None, RDF.type, SH.ValidationReport) in report
    # The check really runs: a broken shape is caught by the same call.
    broken = Graph() + shapes()
    broken.add((SCSH["Standard-identifier"], SH.minCount, Literal("one")))
    broken.add((SCSH["Standard-identifier"], SH.datatype, Literal("xsd:string")))
    conforms, report, _ = validate(broken, shacl_graph=meta, inference="none")
    assert not conforms
    assert {r.focus for r in results(report)} == {SCSH["Standard-identifier"]}


SHAPE_LINKS = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
LIST_LINKS = (SH["or"], SH["and"], SH.xone)
CORE_PARAMETERS = {
    SH[name]
    for name in (
        *("class", "datatype", "nodeKind", "minCount", "maxCount", "minLength", "maxLength"),
        *("minExclusive", "minInclusive", "maxExclusive", "maxInclusive", "pattern"),
        *("languageIn", "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals"),
        *("not", "and", "or", "xone", "node", "qualifiedValueShape", "closed", "hasValue", "in"),
    )
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def all_shapes(graph: Graph) -> set:
    found = set(graph.subjects(RDF.type, SH.NodeShape)) | set(
        graph.subjects(RDF.type, SH.PropertyShape)
    )
    found |= set(graph.subjects(SH.path, None))
    for target in TARGETS:
        found |= set(graph.subjects(target, None))
    for link in SHAPE_LINKS:
        found |= set(graph.objects(None, link))
    for link in LIST_LINKS:
        for head in graph.objects(None, link):
            found |= set(Collection(graph, head))
    return found


def test_every_shape_and_sparql_constraint_is_named() -> None:
    graph = shapes()
    named = all_shapes(graph)
    assert len(named) > 100
    assert all(isinstance(s, URIRef) and s.startswith(str(SCSH)) for s in named), [
        s for s in named if not isinstance(s, URIRef)
    ]
    constraints = set(graph.objects(None, SH.sparql))
    assert constraints
    assert all(isinstance(c, URIRef) and c.startswith(str(SCSH)) for c in constraints)


def _messages_zh_en(graph: Graph, node) -> bool:
    languages = [m.language for m in graph.objects(node, SH.message)]
    return sorted(languages) == ["en", "zh"]


def test_every_constraint_has_zh_and_en_messages_and_a_severity() -> None:
    graph = shapes()
    checked = 0
    for shape in all_shapes(graph):
        has_core = any((shape, p, None) in graph for p in CORE_PARAMETERS)
        sparql = list(graph.objects(shape, SH.sparql))
        if not has_core and not sparql:
            continue  # only sh:property links or targets: results name the property shapes
        checked += 1
        severities = list(graph.objects(shape, SH.severity))
        assert severities in ([V], [W], [INFO]), shape
        if has_core:
            assert _messages_zh_en(graph, shape), shape
        for constraint in sparql:
            assert (constraint, RDF.type, SH.SPARQLConstraint) in graph
            assert _messages_zh_en(graph, constraint), constraint
            assert graph.value(constraint, SH.select) is not None
            assert graph.value(constraint, SH.prefixes) is not None
            assert not _messages_zh_en(graph, shape), "messages belong on the SPARQL constraint"
    assert checked > 80


def test_nested_shapes_are_violations() -> None:
    """pyshacl counts a nested Warning/Info result as conforming when allow_warnings is on."""
    graph = shapes()
    nested = set()
    for link in (SH.node, SH["not"], SH.qualifiedValueShape):
        nested |= set(graph.objects(None, link))
    for link in LIST_LINKS:
        for head in graph.objects(None, link):
            nested |= set(Collection(graph, head))
    inner = nested | {p for shape in nested for p in graph.objects(shape, SH.property)}
    assert len(inner) > 20
    for shape in inner:
        assert graph.value(shape, SH.severity) in (None, V), shape


def test_patterns_are_the_ones_of_registry_identifiers() -> None:
    graph = shapes()

    def pattern(shape: str) -> str:
        return str(graph.value(SCSH[shape], SH.pattern))

    assert pattern("Standard-identifier") == WELL_FORMED.pattern
    assert pattern("Department-creditCode-pattern") == CREDIT_CODE_PATTERN.pattern
    assert pattern("InformationResource-resourceCode") == RESOURCE_CODE_PATTERN.pattern


SHARED = (
    "ZhText",
    "ZhText-languages",
    "AbolishedStandard",
    "AbolishedStandard-standardStatus",
    "CitingEntry-supersededStandard",
    "CitingEntry-supersededStandard-sparql",
    "prefix-scs",
    "prefix-sharing",
)


@pytest.mark.parametrize("local", SHARED)
def test_shared_shapes_are_the_same_triples_in_every_file(local: str) -> None:
    node = SCSH[local]
    copies = [
        set(shape_file(name).predicate_objects(node))
        for name in SHAPE_FILES
        if (node, None, None) in shape_file(name)
    ]
    assert copies
    assert all(copy == copies[0] for copy in copies)
    assert not any(isinstance(o, BNode) for _, o in copies[0])


def test_the_examples_have_no_violations() -> None:
    data = Graph() + ontology()
    for name in ("standards.ttl", "departments.ttl"):
        path = ROOT / "examples" / name
        if path.exists():
            data += _parse_file(path)
    _, report, text = validate(data, shacl_graph=shapes(), inference="none", allow_warnings=True)
    assert not [r for r in results(report) if r.severity == V], text


# ---------------------------------------------------------------------------
# Standard
# ---------------------------------------------------------------------------

MIN, MAX = SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent
QMIN = SH.QualifiedMinCountConstraintComponent
NODE, CLASS = SH.NodeConstraintComponent, SH.ClassConstraintComponent
PATTERN, DATATYPE = SH.PatternConstraintComponent, SH.DatatypeConstraintComponent
SPARQL, NOT, OR = SH.SPARQLConstraintComponent, SH.NotConstraintComponent, SH.OrConstraintComponent


def test_standard_valid() -> None:
    assert_results(standard())


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (change(STANDARD, drop=("dct:identifier",)), (DCTERMS.identifier, MIN, V, "identifier")),
        (
            change(STANDARD, dct_identifier='"GB/T21063.3-2007"'),
            (DCTERMS.identifier, PATTERN, V, "identifier"),
        ),
        (
            change(STANDARD, dct_identifier='"gb/t 33356-2016"'),
            (DCTERMS.identifier, PATTERN, V, "identifier"),
        ),
        (
            change(STANDARD, dct_title='"Evaluation indicators"@en'),
            (DCTERMS.title, QMIN, V, "title-zh"),
        ),
        (
            change(STANDARD, dct_title='"新型智慧城市评价指标"@zh'),
            (DCTERMS.title, QMIN, W, "title-en"),
        ),
        (change(STANDARD, drop=("scs:level",)), (SCS.level, MIN, V, "level")),
        (change(STANDARD, scs_level="nature:mandatory"), (SCS.level, NODE, V, "level")),
        (change(STANDARD, scs_nature="level:national"), (SCS.nature, NODE, V, "nature")),
        (change(STANDARD, drop=("scs:nature",)), (SCS.nature, MIN, V, "nature")),
        (
            change(STANDARD, scs_standardStatus="stdstatus:current , stdstatus:abolished"),
            (SCS.standardStatus, MAX, V, "standardStatus"),
        ),
        (change(STANDARD, drop=("scs:category",)), (SCS.category, MIN, V, "category")),
        (change(STANDARD, scs_category="level:national"), (SCS.category, NODE, V, "category")),
        (change(STANDARD, dct_issued='"2016-12-30"'), (DCTERMS.issued, DATATYPE, V, "issued")),
        (
            change(STANDARD, scs_inForceFrom='"2017"^^xsd:gYear'),
            (SCS.inForceFrom, DATATYPE, V, "inForceFrom"),
        ),
        (
            change(STANDARD, scs_datedReference="std:GB-T-1-2000"),
            (SCS.datedReference, CLASS, W, "datedReference"),
        ),
        (
            change(STANDARD, scs_undatedReference="ex:nowhere"),
            (SCS.undatedReference, CLASS, W, "undatedReference"),
        ),
        (change(STANDARD, scs_ics='"35-240"'), (SCS.ics, PATTERN, W, "ics")),
        (
            change(STANDARD, scs_adoptionDegree="nature:mandatory"),
            (SCS.adoptionDegree, NODE, V, "adoptionDegree"),
        ),
    ],
)
def test_standard_rule(props: dict, expected: tuple) -> None:
    path, component, severity, shape = expected
    found = standard(props)
    if SCS.nature in (path,) and component in (NODE, MIN):
        # a nature outside the code list also differs from the prefix: the advice comes too
        found = [r for r in found if r.shape != SCSH["Standard-nature-prefix"]]
    assert_results(found, (S, path, component, severity, SCSH[f"Standard-{shape}"]))


def test_superseded_standard_needs_a_successor() -> None:
    superseded = change(STANDARD, scs_standardStatus="stdstatus:superseded")
    assert_results(
        standard(superseded), (S, DCTERMS.isReplacedBy, SPARQL, V, SCSH["Standard-successor"])
    )
    assert_results(standard(change(superseded, dct_isReplacedBy="std:GB-T-22239-2019")))
    # a successor the registry does not hold is only a Warning
    found = standard(change(superseded, dct_isReplacedBy="std:GB-T-33356-2099"))
    assert_results(found, (S, DCTERMS.isReplacedBy, CLASS, W, SCSH["Standard-isReplacedBy"]))


def test_nature_against_prefix_is_advice_only() -> None:
    expected = (S, None, OR, INFO, SCSH["Standard-nature-prefix"])
    assert_results(standard(change(STANDARD, scs_nature="nature:mandatory")), expected)
    mandatory = change(STANDARD, dct_identifier='"GB 32100-2015"', scs_nature="nature:mandatory")
    assert_results(standard(mandatory))
    assert_results(standard(change(mandatory, scs_nature="nature:guidance")), expected)
    guidance = change(STANDARD, dct_identifier='"GB/Z 18803-2002"', scs_nature="nature:guidance")
    assert_results(standard(guidance))
    local = change(STANDARD, dct_identifier='"DB21/T 2175.3-2013"', scs_level="level:local")
    assert_results(standard(local))
    group = change(STANDARD, dct_identifier='"T/CIITA 408-2022"', scs_level="level:group")
    assert_results(standard(change(group, scs_nature="nature:mandatory")))
    assert_results(standard(change(group, scs_nature="nature:recommended")))


# ---------------------------------------------------------------------------
# Department
# ---------------------------------------------------------------------------


def test_department_valid() -> None:
    assert_results(department())


def test_department_needs_a_chinese_name() -> None:
    found = department(change(DEPARTMENT, skos_prefLabel='"Shenyang Big Data Administration"@en'))
    assert_results(found, (D, SKOS.prefLabel, QMIN, V, SCSH["Department-prefLabel-zh"]))


def test_department_needs_one_credit_code() -> None:
    found = department(change(DEPARTMENT, drop=("scs:creditCode",)))
    assert_results(found, (D, SCS.creditCode, MIN, V, SCSH["Department-creditCode"]))


def test_credit_code_pattern_and_check_character_are_distinct_results() -> None:
    bad_char = change(DEPARTMENT, scs_creditCode='"11210100EXAMPLE0IN"')  # I is not in the charset
    assert_results(
        department(bad_char), (D, SCS.creditCode, PATTERN, V, SCSH["Department-creditCode-pattern"])
    )
    wrong = "11210100EXAMPLE01M"
    found = department(change(DEPARTMENT, scs_creditCode=f'"{wrong}"'))
    key = (D, SCS.creditCode, SPARQL, V, SCSH["Department-creditCode-checkCharacter"])
    assert_results(found, key)
    assert any("N" in m and wrong in m for m in found[0].messages)  # names the right character


@pytest.mark.parametrize("first17", ["91350100M000100Y4", "11210100EXAMPLE00", "Y1000000000000000"])
def test_check_character_agrees_with_registry_identifiers(first17: str) -> None:
    right = credit_code_check_char(first17)
    graph = turtle(DEPARTMENT_IRI, change(DEPARTMENT, scs_creditCode=f'"{first17}{right}"'))
    wrong = "0" if right != "0" else "1"
    graph += turtle("dept:wrong", change(DEPARTMENT, scs_creditCode=f'"{first17}{wrong}"'))
    found = check(graph)
    assert [(r.focus, r.component) for r in found] == [(DEPT.wrong, SPARQL)]
    assert any(f"应为 {right}" in m for m in found[0].messages)


# ---------------------------------------------------------------------------
# Information resource and data item
# ---------------------------------------------------------------------------


def test_resource_valid() -> None:
    assert_results(resource())


def _r(shape: str) -> URIRef:
    return SCSH[f"InformationResource-{shape}"]


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (
            change(RESOURCE, drop=("scs:resourceCode",)),
            (SCS.resourceCode, MIN, V, _r("resourceCode")),
        ),
        (
            change(RESOURCE, scs_resourceCode='"30100100001"'),
            (SCS.resourceCode, PATTERN, V, _r("resourceCode")),
        ),
        (
            change(RESOURCE, scs_resourceCode='"401001/1"'),
            (SCS.resourceCode, PATTERN, V, _r("resourceCode")),
        ),
        (
            change(RESOURCE, dct_title='"Basic information"@en'),
            (DCTERMS.title, QMIN, V, _r("title-zh")),
        ),
        (change(RESOURCE, drop=("dct:publisher",)), (DCTERMS.publisher, MIN, V, _r("publisher"))),
        (
            change(RESOURCE, dct_publisher="ex:unregistered"),
            (DCTERMS.publisher, CLASS, V, _r("publisher")),
        ),
        (
            change(RESOURCE, drop=("dct:description",)),
            (DCTERMS.description, MIN, V, _r("description")),
        ),
        (
            change(RESOURCE, scs_resourceClass="format:database"),
            (SCS.resourceClass, NODE, V, _r("resourceClass")),
        ),
        (change(RESOURCE, drop=("scs:format",)), (SCS["format"], MIN, V, _r("format"))),
        (change(RESOURCE, scs_format="format:pdf"), (SCS["format"], NODE, V, _r("format"))),
        (change(RESOURCE, drop=("scs:sharingType",)), (SCS.sharingType, MIN, V, _r("sharingType"))),
        (
            change(RESOURCE, scs_sharingMethod="method:fax"),
            (SCS.sharingMethod, NODE, V, _r("sharingMethod")),
        ),
        (
            change(RESOURCE, scs_openness="openness:open , openness:closed"),
            (SCS.openness, MAX, V, _r("openness")),
        ),
        (
            change(RESOURCE, dct_accrualPeriodicity="cycle:hourly"),
            (DCTERMS.accrualPeriodicity, NODE, V, _r("accrualPeriodicity")),
        ),
        (change(RESOURCE, dct_issued='"2024/05/01"'), (DCTERMS.issued, DATATYPE, V, _r("issued"))),
        (change(RESOURCE, drop=("dct:issued",)), (DCTERMS.issued, MIN, V, _r("issued"))),
        (
            change(RESOURCE, dct_relation="ex:elsewhere"),
            (DCTERMS.relation, CLASS, W, _r("relation")),
        ),
        (
            change(RESOURCE, dct_conformsTo="std:GB-T-1-2000"),
            (DCTERMS.conformsTo, CLASS, V, _r("conformsTo")),
        ),
        (
            change(RESOURCE, dct_conformsTo="std:GB-Z-18803-2002"),
            (DCTERMS.conformsTo, NOT, W, _r("conformsTo-abolished")),
        ),
        (
            change(RESOURCE, drop=("dct:conformsTo",)),
            (DCTERMS.conformsTo, MIN, INFO, _r("citesStandard")),
        ),
    ],
)
def test_resource_rule(props: dict, expected: tuple) -> None:
    assert_results(resource(props), (R, *expected))


def test_resource_needs_data_items() -> None:
    found = check(turtle(RESOURCE_IRI, change(RESOURCE, drop=("scs:dataItem",))), REGISTERED)
    assert_results(found, (R, SCS.dataItem, MIN, V, _r("dataItem")))
    found = check(turtle(RESOURCE_IRI, RESOURCE), REGISTERED)  # the item is not an scs:DataItem
    assert_results(found, (R, SCS.dataItem, CLASS, V, _r("dataItem")))


def test_conditional_sharing_needs_a_condition() -> None:
    conditional = change(RESOURCE, scs_sharingType="sharing:conditional")
    found = resource(conditional)
    assert_results(found, (R, SCS.sharingCondition, SPARQL, V, _r("sharingCondition")))
    assert_results(resource(change(conditional, scs_sharingCondition='"仅限政务用途"@zh')))


def test_not_shared_needs_a_basis() -> None:
    none = change(RESOURCE, scs_sharingType="sharing:none")
    assert_results(resource(none), (R, SCS.sharingBasis, SPARQL, V, _r("sharingBasis")))
    assert_results(resource(change(none, scs_sharingBasis='"《中华人民共和国个人信息保护法》"@zh')))


def test_superseded_standard_warning_names_the_successor() -> None:
    found = resource(change(RESOURCE, dct_conformsTo="std:GB-T-22239-2008"))
    key = (R, DCTERMS.conformsTo, SPARQL, W, SCSH["CitingEntry-supersededStandard"])
    assert_results(found, key)
    assert all("GB/T 22239-2019" in m and "GB/T 22239-2008" in m for m in found[0].messages)


def _i(shape: str) -> URIRef:
    return SCSH[f"DataItem-{shape}"]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (change(DATA_ITEM, drop=("scs:itemName",)), (SCS.itemName, MIN, V, _i("itemName"))),
        (
            change(DATA_ITEM, scs_itemName='"名称"@zh , "name"@en'),
            (SCS.itemName, MAX, V, _i("itemName")),
        ),
        (change(DATA_ITEM, drop=("scs:dataType",)), (SCS.dataType, MIN, V, _i("dataType"))),
        (change(DATA_ITEM, scs_dataType="dtype:X"), (SCS.dataType, NODE, V, _i("dataType"))),
        (
            change(DATA_ITEM, scs_length="0"),
            (SCS.length, SH.MinExclusiveConstraintComponent, V, _i("length")),
        ),
        (
            change(DATA_ITEM, scs_length='"18"^^xsd:decimal'),
            (SCS.length, DATATYPE, V, _i("length")),
        ),
        (change(DATA_ITEM, scs_length="18 , 20"), (SCS.length, MAX, V, _i("length"))),
        (change(DATA_ITEM, drop=("scs:length",)), (None, NOT, INFO, _i("characterLength"))),
    ],
)
def test_data_item_rule(item: dict, expected: tuple) -> None:
    assert_results(resource(item=item), (IT, *expected))


def test_length_as_text_is_not_a_length() -> None:
    found = resource(item=change(DATA_ITEM, scs_length='"18"'))
    key = (IT, SCS.length, DATATYPE, V, _i("length"))
    assert_results(
        found, key, (IT, SCS.length, SH.MinExclusiveConstraintComponent, V, _i("length"))
    )


def test_numeric_item_needs_no_length() -> None:
    assert_results(resource(item=change(DATA_ITEM, drop=("scs:length",), scs_dataType="dtype:N")))


# ---------------------------------------------------------------------------
# Data interface
# ---------------------------------------------------------------------------


def test_interface_valid() -> None:
    assert_results(interface())


def _a(shape: str) -> URIRef:
    return SCSH[f"DataInterface-{shape}"]


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (
            change(INTERFACE, drop=("scs:interfaceCode",)),
            (SCS.interfaceCode, MIN, V, _a("interfaceCode")),
        ),
        (
            change(INTERFACE, scs_interfaceCode='"-API"'),
            (SCS.interfaceCode, PATTERN, V, _a("interfaceCode")),
        ),
        (
            change(INTERFACE, scs_interfaceCode='"接口1"'),
            (SCS.interfaceCode, PATTERN, V, _a("interfaceCode")),
        ),
        (change(INTERFACE, dct_title='"Query API"@en'), (DCTERMS.title, QMIN, V, _a("title-zh"))),
        (
            change(INTERFACE, dct_publisher="ex:unregistered"),
            (DCTERMS.publisher, CLASS, V, _a("publisher")),
        ),
        (
            change(INTERFACE, drop=("dcat:endpointURL",)),
            (DCAT.endpointURL, MIN, V, _a("endpointURL")),
        ),
        (
            change(INTERFACE, dcat_endpointURL='"https://data.example.org/api"'),
            (DCAT.endpointURL, SH.NodeKindConstraintComponent, V, _a("endpointURL")),
        ),
        (
            change(INTERFACE, dcat_endpointURL="<ftp://data.example.org/api>"),
            (DCAT.endpointURL, PATTERN, V, _a("endpointURL")),
        ),
        (change(INTERFACE, drop=("scs:protocol",)), (SCS.protocol, MIN, V, _a("protocol"))),
        (change(INTERFACE, drop=("dcat:version",)), (DCAT.version, MIN, V, _a("version"))),
        (
            change(INTERFACE, drop=("dcat:servesDataset",)),
            (DCAT.servesDataset, MIN, V, _a("servesDataset")),
        ),
        (
            change(INTERFACE, dcat_servesDataset="res:999999-1"),
            (DCAT.servesDataset, CLASS, V, _a("servesDataset")),
        ),
        (
            change(INTERFACE, dct_conformsTo="ex:unknown"),
            (DCTERMS.conformsTo, CLASS, V, _a("conformsTo")),
        ),
        (
            change(INTERFACE, dct_conformsTo="std:GB-Z-18803-2002"),
            (DCTERMS.conformsTo, NOT, W, _a("conformsTo-abolished")),
        ),
        (
            change(INTERFACE, drop=("dct:conformsTo",)),
            (DCTERMS.conformsTo, MIN, INFO, _a("citesStandard")),
        ),
    ],
)
def test_interface_rule(props: dict, expected: tuple) -> None:
    assert_results(interface(props), (A, *expected))


def test_interface_superseded_standard_warning_names_the_successor() -> None:
    found = interface(change(INTERFACE, dct_conformsTo="std:GB-T-22239-2008"))
    assert_results(
        found, (A, DCTERMS.conformsTo, SPARQL, W, SCSH["CitingEntry-supersededStandard"])
    )
    assert all("GB/T 22239-2019" in m for m in found[0].messages)


# ---------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------


def test_catalogue_valid() -> None:
    assert_results(catalogue())


def test_catalogue_needs_a_chinese_title_and_a_publisher() -> None:
    found = catalogue(change(CATALOGUE_ENTRY, dct_title='"Catalogue"@en'))
    assert_results(found, (CATALOGUE_NODE, DCTERMS.title, QMIN, V, SCSH["Catalogue-title-zh"]))
    found = catalogue(change(CATALOGUE_ENTRY, dct_publisher="ex:unregistered"))
    assert [(r.path, r.component, r.shape) for r in found if r.component != SPARQL] == [
        (DCTERMS.publisher, CLASS, SCSH["Catalogue-publisher"])
    ]


def test_catalogue_needs_an_entry() -> None:
    found = check(
        turtle(CATALOGUE_IRI, change(CATALOGUE_ENTRY, drop=("dcat:dataset", "dcat:service"))),
        REGISTERED,
    )
    path = ("alternative", (DCAT.dataset, DCAT.service))
    assert_results(found, (CATALOGUE_NODE, path, MIN, V, SCSH["Catalogue-entries"]))
    only_service = check(
        turtle(CATALOGUE_IRI, change(CATALOGUE_ENTRY, drop=("dcat:dataset",)))
        + turtle(INTERFACE_IRI, INTERFACE),
        REGISTERED,
    )
    assert_results(only_service)


def test_catalogue_entries_belong_to_its_publisher() -> None:
    found = catalogue(res=change(RESOURCE, dct_publisher=OTHER_DEPARTMENT_IRI))
    assert_results(
        found, (CATALOGUE_NODE, DCAT.dataset, SPARQL, V, SCSH["Catalogue-entryPublisher"])
    )
    found = catalogue(api=change(INTERFACE, dct_publisher=OTHER_DEPARTMENT_IRI))
    assert_results(
        found, (CATALOGUE_NODE, DCAT.service, SPARQL, V, SCSH["Catalogue-entryPublisher"])
    )
    assert all(OTHER_CODE in m for m in found[0].messages)
