"""The example data in examples/ is consistent with docs/vocabulary.md and DOMAIN.md.

Pure rdflib checks on the three Turtle files; no store, no shapes. The SHACL
validation of the same files is tested where the shapes are.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, SKOS

from registry.inputs.identifiers import (
    RESOURCE_CODE_PATTERN,
    is_valid_credit_code,
    parse_standard_id,
    resource_slug,
)
from registry.namespaces import LEVEL, NATURE, RCLASS, SCS, SHARING, STDSTATUS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
VOCABULARY = ROOT / "docs" / "vocabulary.md"

BASE = "http://127.0.0.1:8000/id/"
STD = BASE + "standard/"
DEPT = BASE + "department/"
RES = BASE + "resource/"
API = BASE + "interface/"

# Open namespaces: rdflib's closed DCAT lacks DCAT 3 terms such as dcat:version.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

FILES = ("standards.ttl", "departments.ttl", "catalogue-valid.ttl")

# The 38 rows of DOMAIN.md §4.
TABLE_IDS = (
    "GB/T 33356-2016", "GB/T 33356-2022", "GB/T 34678-2017", "GB/T 34680.1-2017",
    "GB/T 34680.3-2017", "GB/T 34680.4-2018", "GB/T 36333-2018", "GB/T 37043-2018",
    "GB/T 36622.1-2018", "GB/T 36622.2-2018", "GB/T 36622.3-2018", "GB/T 36625.2-2018",
    "GB/T 36625.4-2021", "GB/T 40689-2021", "GB/T 21063.1-2007", "GB/T 21063.3-2007",
    "GB/T 21063.4-2007", "GB/T 26816-2011", "GB/T 18391.1-2009", "GB/T 35295-2017",
    "GB/T 35589-2017", "GB/T 38664.1-2020", "GB/T 38664.2-2020", "GB/T 38667-2020",
    "GB/T 38672-2020", "GB/T 38673-2020", "GB/T 36073-2018", "GB/T 34960.5-2018",
    "GB/T 40685-2021", "GB/T 36343-2018", "GB/T 37932-2019", "GB/T 22239-2019",
    "GB/T 35273-2020", "GB/T 35274-2023", "GB/T 37971-2019", "GB/T 37988-2019",
    "GB/T 39477-2020", "GB 32100-2015",
)  # fmt: skip

# (earlier edition, later edition) named by DOMAIN.md §4 and the brief.
EDITION_CHAINS = (
    ("GB/T 33356-2016", "GB/T 33356-2022"),
    ("GB/T 35273-2017", "GB/T 35273-2020"),
    ("GB/T 35274-2017", "GB/T 35274-2023"),
    ("GB/T 22239-2008", "GB/T 22239-2019"),
    ("GB/T 37932-2019", "GB/T 37932-2025"),
)

# A reference written with a year in DOMAIN.md's notes is dated, one without is undated.
DATED = (
    ("GB/T 33356-2022", "GB/T 31000-2015"),
    ("GB/T 21063.3-2007", "GB/T 7408-2005"),
    ("GB/T 38664.1-2020", "GB/T 35295-2017"),
    ("GB/T 38664.2-2020", "GB/T 21063.4-2007"),
    ("GB/T 38664.2-2020", "GB/T 22239-2019"),
    ("GB/T 38664.2-2020", "GB/T 35273-2017"),
    ("GB/T 38664.2-2020", "GB/T 36073-2018"),
    ("GB/T 37932-2019", "GB/T 22239-2019"),
    ("GB/T 37932-2019", "GB/T 35273-2017"),
    ("GB/T 37932-2019", "GB/T 35274-2017"),
    ("GB/T 37932-2019", "GB/T 36343-2018"),
    ("GB/T 37932-2019", "GB/T 37988-2019"),
    ("GB/T 39477-2020", "GB/T 22239-2019"),
)
UNDATED = (
    ("GB/T 33356-2022", "GB/T 37043-2018"),
    ("GB/T 21063.3-2007", "GB/T 21063.1-2007"),
    ("GB/T 21063.3-2007", "GB/T 21063.4-2007"),
    ("GB/T 38664.2-2020", "GB/T 38664.1-2020"),
    ("GB/T 38667-2020", "GB/T 35295-2017"),
    ("GB/T 38672-2020", "GB/T 35295-2017"),
    ("GB/T 38672-2020", "GB/T 35589-2017"),
    ("GB/T 38673-2020", "GB/T 35295-2017"),
    ("GB/T 38673-2020", "GB/T 35589-2017"),
    ("GB/T 39477-2020", "GB/T 35273-2020"),
    ("GB/T 39477-2020", "GM/T 0054-2018"),
)

# Editions whose issue and in-force dates were looked up in public catalogues (issue 21):
# each must keep both dates.
DATED_EDITIONS = (
    "GB 32100-2015", "GB/T 18391.1-2009", "GB/T 26816-2011", "GB/T 7408-2005",
    "GB/T 36073-2018", "GB/T 35273-2017", "GB/T 35274-2017", "GB/T 35274-2023",
    "GB/T 37971-2019", "GB/T 40685-2021", "GB/T 38667-2020", "GB/T 36343-2018",
    "GB/T 36625.4-2021", "GB/T 37043-2018", "GB/T 36622.3-2018", "GB/T 21063.1-2007",
)  # fmt: skip

CODE_LIST_PREFIXES = (
    "cat", "level", "nature", "stdstatus", "adoption", "sharing", "method",
    "openness", "cycle", "format", "dtype", "rclass", "regstatus",
)  # fmt: skip


def std_iri(identifier: str) -> URIRef:
    return URIRef(STD + parse_standard_id(identifier).slug)


def res_iri(code: str) -> URIRef:
    return URIRef(RES + resource_slug(code))


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    loaded = {}
    for name in FILES:
        graph = Graph()
        graph.parse(data=(EXAMPLES / name).read_bytes(), format="turtle")
        loaded[name] = graph
    return loaded


@pytest.fixture(scope="module")
def standards(graphs: dict[str, Graph]) -> Graph:
    return graphs["standards.ttl"]


@pytest.fixture(scope="module")
def departments(graphs: dict[str, Graph]) -> Graph:
    return graphs["departments.ttl"]


@pytest.fixture(scope="module")
def catalogue(graphs: dict[str, Graph]) -> Graph:
    return graphs["catalogue-valid.ttl"]


@pytest.fixture(scope="module")
def registered(standards: Graph) -> set[URIRef]:
    return set(standards.subjects(RDF.type, SCS.Standard))


def vocabulary_concepts() -> dict[str, set[str]]:
    """Namespace IRI -> the concept local names docs/vocabulary.md lists for it."""
    text = VOCABULARY.read_text(encoding="utf-8")
    namespaces = dict(re.findall(r"^\| `(\w+):` \| `([^`]+)` \|", text, flags=re.M))
    code_lists = text.split("## Code lists", 1)[1].split("## The standard system", 1)[0]
    categories = text.split("## The standard system", 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, set[str]] = {namespaces[p]: set() for p in CODE_LIST_PREFIXES}
    for prefix, local in re.findall(r"`(\w+):([\w.]+)`", code_lists):
        if prefix in CODE_LIST_PREFIXES:
            allowed[namespaces[prefix]].add(local)
    cat_codes = re.findall(r"^\| (\d+(?:\.\d+)?) \|", categories, flags=re.M)
    allowed[namespaces["cat"]].update(cat_codes)
    return allowed


# ---------------------------------------------------------------- all files


@pytest.mark.parametrize("name", FILES)
def test_file_parses_and_is_not_empty(graphs: dict[str, Graph], name: str) -> None:
    assert len(graphs[name]) > 20


@pytest.mark.parametrize("name", FILES)
def test_no_blank_nodes(graphs: dict[str, Graph], name: str) -> None:
    blanks = [t for t in graphs[name] if any(isinstance(term, BNode) for term in t)]
    assert blanks == []


@pytest.mark.parametrize("name", FILES)
def test_header_says_example_data(name: str) -> None:
    head = (EXAMPLES / name).read_text(encoding="utf-8")[:1500]
    assert "EXAMPLE DATA" in head
    assert "not an official list" in head.lower()


@pytest.mark.parametrize("name", FILES)
def test_instances_live_under_the_base(graphs: dict[str, Graph], name: str) -> None:
    typed = set(graphs[name].subjects(RDF.type, None))
    assert typed
    assert all(str(s).startswith(BASE) for s in typed)


def test_code_list_iris_are_those_of_the_vocabulary(graphs: dict[str, Graph]) -> None:
    allowed = vocabulary_concepts()
    assert all(allowed.values()), "vocabulary.md lists no concepts for some scheme"
    unknown = set()
    for graph in graphs.values():
        for term in {o for o in graph.objects() if isinstance(o, URIRef)}:
            for namespace, locals_ in allowed.items():
                if str(term).startswith(namespace) and str(term)[len(namespace) :] not in locals_:
                    unknown.add(str(term))
    assert unknown == set()


def test_dates_are_xsd_dates(graphs: dict[str, Graph]) -> None:
    for graph in graphs.values():
        for prop in (DCTERMS.issued, SCS.inForceFrom, SCS.withdrawnOn):
            for value in graph.objects(None, prop):
                assert isinstance(value, Literal) and value.datatype == XSD.date, value
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value))


# ---------------------------------------------------------------- standards


def test_standards_cover_the_domain_table(standards: Graph, registered: set[URIRef]) -> None:
    assert len(registered) >= 35
    identifiers = {str(i) for s in registered for i in standards.objects(s, DCTERMS.identifier)}
    present = [i for i in TABLE_IDS if i in identifiers]
    assert len(present) >= 35
    assert set(TABLE_IDS) <= identifiers


def test_identifiers_are_normalised_and_match_the_iri(
    standards: Graph, registered: set[URIRef]
) -> None:
    for s in registered:
        (identifier,) = standards.objects(s, DCTERMS.identifier)
        parsed = parse_standard_id(str(identifier))
        assert str(parsed) == str(identifier)
        assert str(s) == STD + parsed.slug


def test_standard_has_its_mandatory_facts(standards: Graph, registered: set[URIRef]) -> None:
    natures = {"GB": NATURE.mandatory, "T": NATURE.recommended, "Z": NATURE.guidance}
    for s in registered:
        titles = list(standards.objects(s, DCTERMS.title))
        assert [t for t in titles if t.language == "zh"], s
        assert [t for t in titles if t.language == "en"], s
        assert len(list(standards.objects(s, SCS.level))) == 1, s
        assert len(list(standards.objects(s, SCS.standardStatus))) == 1, s
        assert list(standards.objects(s, SCS.category)), s
        (identifier,) = standards.objects(s, DCTERMS.identifier)
        prefix = parse_standard_id(str(identifier)).prefix
        expected = natures["GB" if "/" not in prefix else prefix.rsplit("/", 1)[1]]
        assert list(standards.objects(s, SCS.nature)) == [expected], s
    assert (std_iri("GM/T 0054-2018"), SCS.level, LEVEL.industry) in standards
    assert (std_iri("GB/T 21063.3-2007"), SCS.level, LEVEL.national) in standards


def test_superseded_standards_link_both_ways(standards: Graph, registered: set[URIRef]) -> None:
    superseded = set(standards.subjects(SCS.standardStatus, STDSTATUS.superseded))
    assert len(superseded) >= 5
    for old in superseded:
        successors = list(standards.objects(old, DCTERMS.isReplacedBy))
        assert successors, old
        for new in successors:
            assert new in registered
            assert (new, DCTERMS.replaces, old) in standards
    # and nothing that is replaced is left current
    for old in standards.subjects(DCTERMS.isReplacedBy, None):
        assert old in superseded
    for new, old in standards.subject_objects(DCTERMS.replaces):
        assert (old, DCTERMS.isReplacedBy, new) in standards


@pytest.mark.parametrize("identifier", DATED_EDITIONS)
def test_looked_up_editions_have_both_dates(standards: Graph, identifier: str) -> None:
    s = std_iri(identifier)
    issued = [date.fromisoformat(str(d)) for d in standards.objects(s, DCTERMS.issued)]
    in_force = [date.fromisoformat(str(d)) for d in standards.objects(s, SCS.inForceFrom)]
    assert len(issued) == 1 and len(in_force) == 1, identifier
    assert in_force[0] >= issued[0], identifier
    # the identifier's year is the year of issue
    assert str(issued[0].year) == parse_standard_id(identifier).year, identifier


def test_dates_of_an_edition_are_in_order(standards: Graph, registered: set[URIRef]) -> None:
    """Issued <= in force <= withdrawn, wherever two of them are given."""
    for s in registered:
        days = [
            next((date.fromisoformat(str(d)) for d in standards.objects(s, prop)), None)
            for prop in (DCTERMS.issued, SCS.inForceFrom, SCS.withdrawnOn)
        ]
        given = [d for d in days if d is not None]
        assert given == sorted(given), (s, days)


def test_classification_codes_are_well_formed(standards: Graph) -> None:
    ics = [str(c) for c in standards.objects(None, SCS.ics)]
    ccs = [str(c) for c in standards.objects(None, SCS.ccs)]
    assert len(ics) >= 20 and len(ccs) >= 20
    assert [c for c in ics if not re.fullmatch(r"\d{2}(\.\d{3}(\.\d{2})?)?", c)] == []
    assert [c for c in ccs if not re.fullmatch(r"[A-Z]\d{2}", c)] == []


@pytest.mark.parametrize(("old", "new"), EDITION_CHAINS)
def test_edition_chain(standards: Graph, old: str, new: str) -> None:
    assert (std_iri(old), DCTERMS.isReplacedBy, std_iri(new)) in standards
    assert (std_iri(new), DCTERMS.replaces, std_iri(old)) in standards
    assert (std_iri(old), SCS.standardStatus, STDSTATUS.superseded) in standards
    assert (std_iri(new), SCS.standardStatus, STDSTATUS.current) in standards


@pytest.mark.parametrize(("citing", "cited"), DATED)
def test_dated_reference(standards: Graph, citing: str, cited: str) -> None:
    assert (std_iri(citing), SCS.datedReference, std_iri(cited)) in standards
    assert (std_iri(citing), SCS.undatedReference, std_iri(cited)) not in standards


@pytest.mark.parametrize(("citing", "cited"), UNDATED)
def test_undated_reference(standards: Graph, citing: str, cited: str) -> None:
    assert (std_iri(citing), SCS.undatedReference, std_iri(cited)) in standards
    assert (std_iri(citing), SCS.datedReference, std_iri(cited)) not in standards


def test_references_point_at_registered_standards(
    standards: Graph, registered: set[URIRef]
) -> None:
    for prop in (SCS.datedReference, SCS.undatedReference):
        for citing, cited in standards.subject_objects(prop):
            assert citing in registered and cited in registered, (citing, cited)
            assert citing != cited


def test_unknown_edition_is_left_out(standards: Graph) -> None:
    """GB/T 33171's edition is not known, so no edition of it is guessed."""
    assert not [i for i in standards.objects(None, DCTERMS.identifier) if "33171" in i]


def test_adoption_of_iso_11179(standards: Graph) -> None:
    s = std_iri("GB/T 18391.1-2009")
    assert (s, SCS.adoptionDegree, URIRef("https://w3id.org/smartcity-std/code/adoption/IDT")) in (
        standards
    )
    assert list(standards.objects(s, SCS.adoptedFrom)) == [Literal("ISO/IEC 11179-1:2004")]


def test_catalogue_standards_sit_in_the_catalogue_subcategory(standards: Graph) -> None:
    cat_3_2 = URIRef("https://w3id.org/smartcity-std/category/3.2")
    for identifier in ("GB/T 21063.1-2007", "GB/T 21063.3-2007", "GB/T 21063.4-2007"):
        assert (std_iri(identifier), SCS.category, cat_3_2) in standards


def test_confidence_marks_are_written(root: Path) -> None:
    text = (root / "examples" / "standards.ttl").read_text(encoding="utf-8")
    block = text.split("std:GB-32100-2015 a scs:Standard", 1)[1].split("\n\n", 1)[0]
    assert "# M" in block
    block = text.split("std:GB-T-36622.2-2018 a scs:Standard", 1)[1].split("\n\n", 1)[0]
    assert "# M" in block


# ---------------------------------------------------------------- departments


def test_departments_have_valid_credit_codes(departments: Graph) -> None:
    orgs = set(departments.subjects(RDF.type, ORG.Organization))
    assert len(orgs) >= 8
    codes = []
    for org in orgs:
        (code,) = departments.objects(org, SCS.creditCode)
        assert is_valid_credit_code(str(code)), code
        assert str(code).startswith("11210100")
        assert str(org) == DEPT + str(code)
        labels = list(departments.objects(org, SKOS.prefLabel))
        assert [label for label in labels if label.language == "zh"], org
        codes.append(str(code))
    assert len(set(codes)) == len(codes)


def test_departments_header_says_codes_are_made_up(root: Path) -> None:
    head = (root / "examples" / "departments.ttl").read_text(encoding="utf-8")[:1500]
    assert "ILLUSTRATIVE (L)" in head
    assert "NOT the departments' real codes" in head


# ---------------------------------------------------------------- catalogue


def test_resources_have_codes_items_and_iris(catalogue: Graph) -> None:
    resources = set(catalogue.subjects(RDF.type, SCS.InformationResource))
    assert len(resources) >= 20
    codes = []
    for r in resources:
        (code,) = catalogue.objects(r, SCS.resourceCode)
        assert RESOURCE_CODE_PATTERN.match(str(code)), code
        assert r == res_iri(str(code))
        assert list(catalogue.objects(r, SCS.resourceClass)) == [RCLASS[str(code)[0]]], r
        codes.append(str(code))
        items = list(catalogue.objects(r, SCS.dataItem))
        assert 1 <= len(items) <= 8, r
        for item in items:
            assert (item, RDF.type, SCS.DataItem) in catalogue
            (position,) = catalogue.objects(item, SCS.position)
            assert str(item) == f"{r}/item/{position.toPython()}"
            assert list(catalogue.objects(item, SCS.itemName)), item
            assert len(list(catalogue.objects(item, SCS.dataType))) == 1, item
        positions = sorted(p.toPython() for i in items for p in catalogue.objects(i, SCS.position))
        assert positions == list(range(1, len(items) + 1)), r
    assert len(set(codes)) == len(codes)


def test_resources_have_the_catalogue_fields(catalogue: Graph) -> None:
    for r in catalogue.subjects(RDF.type, SCS.InformationResource):
        titles = list(catalogue.objects(r, DCTERMS.title))
        assert [t for t in titles if t.language == "zh"], r
        for prop in (
            DCTERMS.publisher,
            DCTERMS.description,
            SCS["format"],
            SCS.sharingType,
            SCS.openness,
            DCTERMS.accrualPeriodicity,
            DCTERMS.issued,
        ):
            assert len(list(catalogue.objects(r, prop))) == 1, (r, prop)


def test_sharing_types_are_mixed_and_justified(catalogue: Graph) -> None:
    kinds = {}
    for r, kind in catalogue.subject_objects(SCS.sharingType):
        kinds.setdefault(kind, []).append(r)
    assert set(kinds) == {SHARING.unconditional, SHARING.conditional, SHARING.none}
    for r in kinds[SHARING.conditional]:
        assert list(catalogue.objects(r, SCS.sharingCondition)), r
    for r in kinds[SHARING.none]:
        assert list(catalogue.objects(r, SCS.sharingBasis)), r


def test_one_publisher_known_as_a_department(catalogue: Graph, departments: Graph) -> None:
    publishers = set(catalogue.objects(None, DCTERMS.publisher))
    assert len(publishers) == 1
    (publisher,) = publishers
    assert (publisher, RDF.type, ORG.Organization) in departments
    assert (publisher, SKOS.prefLabel, Literal("沈阳市大数据管理局", lang="zh")) in departments


def test_relations_and_conformance_point_at_known_entries(
    catalogue: Graph, registered: set[URIRef]
) -> None:
    resources = set(catalogue.subjects(RDF.type, SCS.InformationResource))
    relations = list(catalogue.subject_objects(DCTERMS.relation))
    assert relations
    assert all(s in resources and o in resources for s, o in relations)
    cited = set(catalogue.objects(None, DCTERMS.conformsTo))
    assert cited and cited <= registered


def test_one_resource_conforms_to_a_superseded_edition(catalogue: Graph, standards: Graph) -> None:
    old = std_iri("GB/T 35273-2017")
    users = set(catalogue.subjects(DCTERMS.conformsTo, old))
    assert len(users) == 1
    assert (old, DCTERMS.isReplacedBy, std_iri("GB/T 35273-2020")) in standards
    superseded = set(standards.subjects(SCS.standardStatus, STDSTATUS.superseded))
    others = set(catalogue.objects(None, DCTERMS.conformsTo)) & superseded
    assert others == {old}


def test_interfaces_serve_resources_of_the_catalogue(catalogue: Graph) -> None:
    interfaces = set(catalogue.subjects(RDF.type, SCS.DataInterface))
    assert len(interfaces) == 2
    resources = set(catalogue.subjects(RDF.type, SCS.InformationResource))
    for i in interfaces:
        (code,) = catalogue.objects(i, SCS.interfaceCode)
        assert str(i) == API + str(code)
        assert re.fullmatch(r"SY-DSJ-API-\d{3}", str(code))
        served = set(catalogue.objects(i, DCAT.servesDataset))
        assert served and served <= resources
        (endpoint,) = catalogue.objects(i, DCAT.endpointURL)
        host = urlparse(str(endpoint)).hostname or ""
        assert host == "example.org" or host.endswith(".example.org")
        assert list(catalogue.objects(i, SCS.protocol)) == [Literal("HTTP/REST")]
        assert list(catalogue.objects(i, DCAT.version)) == [Literal("1.0.0")]
        assert std_iri("GB/T 38672-2020") in set(catalogue.objects(i, DCTERMS.conformsTo))


def test_catalogue_lists_every_entry(catalogue: Graph, departments: Graph) -> None:
    (cat,) = catalogue.subjects(RDF.type, DCAT.Catalog)
    (publisher,) = catalogue.objects(cat, DCTERMS.publisher)
    (code,) = departments.objects(publisher, SCS.creditCode)
    assert str(cat) == f"{BASE}catalogue/{code}/2026-example"
    resources = set(catalogue.subjects(RDF.type, SCS.InformationResource))
    assert set(catalogue.objects(cat, DCAT.dataset)) == resources
    interfaces = set(catalogue.subjects(RDF.type, SCS.DataInterface))
    assert set(catalogue.objects(cat, DCAT.service)) == interfaces
    assert len(list(catalogue.objects(cat, DCTERMS.issued))) == 1
