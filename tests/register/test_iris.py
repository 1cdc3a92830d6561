"""IRIs are the registry's, and the trusted context is its alone (issue 17, items 2-4).

An attack run found a submitter registering a resource at another department's
data-item IRI, at a code-list concept and at `urn:screg:graph:tokens`; listing another
department's resource or data item as its own data item, or copying a data item with
its IRI and then re-submitting without it, which deleted the victim's triples; and
making an invalid sharing type conform by adding `<bogus> skos:inScheme
scs:SharingTypes` to the upload. Each case is refused here, with a Violation, and
nothing is written."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from registry.inputs.document import Document
from registry.namespaces import GRAPH_CURRENT, SCS
from registry.register.iris import minted_iri
from registry.register.submission import REGISTRAR, Principal, SubmissionResult
from registry.service import Registry
from tests import documents
from tests.conftest import EXAMPLES

BASE = documents.BASE
OWNER = f"{BASE}department/11210100EXAMPLE01N"  # the Big Data Bureau
ATTACKER_DEPT = f"{BASE}department/11210100EXAMPLE02R"
ATTACKER = Principal("submitter", URIRef(ATTACKER_DEPT), "attacker")
VICTIM = f"{BASE}resource/101001-000001"  # the bureau's resource, seeded
VICTIM_ITEM = f"{VICTIM}/item/1"
OWN_CODE = "109002/000001"
OWN = f"{BASE}resource/109002-000001"  # the attacker's own new resource
CODE_LISTS = documents.CODE_LISTS
BOGUS = URIRef("http://example.org/bogus")


def attacker_resource(iri: str = OWN, code: str = OWN_CODE, extra: str = "") -> Document:
    """A conforming resource of the attacker's department at `iri`, plus `extra`."""
    text = documents.resource_ttl(code, title="攻击者的资源", description="x").decode()
    text = text.replace(f"{BASE}resource/{code.replace('/', '-')}", iri)
    text = text.replace(documents.BIG_DATA_BUREAU, ATTACKER_DEPT)
    return Document("attack.ttl", (text + extra).encode())


def rules(result: SubmissionResult, rule: str) -> list:
    return [r for r in result.report.results if r.source_shape.endswith(f"#{rule}")]


def victim_item(registry: Registry) -> set[tuple]:
    found = registry.store.match(GRAPH_CURRENT, URIRef(VICTIM_ITEM), None)
    return {(p, o) for _s, p, o in found}


@pytest.fixture
def before(registry: Registry) -> tuple[int, set[tuple]]:
    item = victim_item(registry)
    assert item, "the seeded victim has its data item"
    return registry.store.generation(), item


def assert_nothing_written(registry: Registry, before: tuple[int, set[tuple]]) -> None:
    generation, item = before
    assert registry.store.generation() == generation
    assert victim_item(registry) == item


# -- 1. entries only at minted IRIs ---------------------------------------------------


@pytest.mark.parametrize(
    "iri",
    [
        VICTIM_ITEM,  # another department's data item
        f"{CODE_LISTS}/sharing-type/unconditional",  # a code-list concept
        "urn:screg:graph:tokens",  # the registry's own graph
        "http://example.org/resource/1",  # a foreign IRI
        f"{BASE}resource/109002-000002",  # minted, but for another code
    ],
)
def test_an_entry_at_an_iri_not_minted_for_it_is_refused(
    registry: Registry, before: tuple[int, set[tuple]], iri: str
) -> None:
    result = registry.submit([attacker_resource(iri)], ATTACKER)
    assert not result.accepted
    [refused] = rules(result, "MintedIri")
    assert refused.focus == iri and refused.severity == "Violation"
    for message in (refused.message_zh, refused.message_en):
        assert iri in message and OWN in message  # the IRI it has, the one it should have
    assert "信息资源" in refused.message_zh and "resource" in refused.message_en
    assert_nothing_written(registry, before)


def test_every_kind_is_minted_under_the_base() -> None:
    assert minted_iri(BASE, "standard", "GB/T 21063.3—2007") == f"{BASE}standard/GB-T-21063.3-2007"
    assert minted_iri(BASE, "resource", "101001/000001") == VICTIM
    assert minted_iri(BASE, "interface", "SY-DSJ-API-001") == f"{BASE}interface/SY-DSJ-API-001"
    assert minted_iri(BASE, "department", "11210100EXAMPLE01N") == OWNER
    assert minted_iri(BASE, "catalogue", "11210100EXAMPLE01N") == (
        f"{BASE}catalogue/11210100EXAMPLE01N/"
    )
    assert minted_iri(BASE, "interface", "a b") is None  # cannot stand in an IRI
    assert minted_iri(BASE, "standard", "no identifier") is None


def test_a_catalogue_is_minted_under_its_departments_code(
    registry: Registry, before: tuple[int, set[tuple]]
) -> None:
    catalogue = f"""
<{BASE}catalogue/11210100EXAMPLE01N/stolen> a <http://www.w3.org/ns/dcat#Catalog> ;
  <{DCTERMS.title}> "目录"@zh ; <{DCTERMS.publisher}> <{ATTACKER_DEPT}> ;
  <http://www.w3.org/ns/dcat#dataset> <{OWN}> .
"""
    result = registry.submit([attacker_resource(extra=catalogue)], ATTACKER)
    [refused] = rules(result, "MintedIri")
    assert f"{BASE}catalogue/11210100EXAMPLE02R/<name>" in refused.message_en
    assert_nothing_written(registry, before)
    own = catalogue.replace("11210100EXAMPLE01N/stolen", "11210100EXAMPLE02R/2026")
    assert registry.submit([attacker_resource(extra=own)], ATTACKER).accepted


def test_the_examples_and_every_reader_mint_their_iris(registry: Registry) -> None:
    # The seed registered them through the same path; a spreadsheet too.
    csv = (EXAMPLES / "catalogue-valid.csv").read_bytes()
    result = registry.submit([Document("catalogue.csv", csv)], REGISTRAR)
    assert result.accepted, [r.as_dict() for r in result.report.results][:3]


# -- 4. data-item takeover ------------------------------------------------------------


def test_another_departments_data_item_listed_as_ones_own_is_refused(
    registry: Registry, before: tuple[int, set[tuple]]
) -> None:
    extra = f"""<{OWN}> <{SCS.dataItem}> <{VICTIM_ITEM}> .
<{VICTIM_ITEM}> <{SCS.itemName}> "被篡改"@zh .
"""
    result = registry.submit([attacker_resource(extra=extra)], ATTACKER)
    assert not result.accepted
    [refused] = rules(result, "OwnDataItem")
    assert (refused.focus, refused.value) == (OWN, VICTIM_ITEM)
    assert VICTIM_ITEM in refused.message_zh and VICTIM_ITEM in refused.message_en
    assert_nothing_written(registry, before)


def test_another_departments_resource_listed_as_a_data_item_is_refused(
    registry: Registry, before: tuple[int, set[tuple]]
) -> None:
    extra = f"""<{OWN}> <{SCS.dataItem}> <{VICTIM}> .
<{VICTIM}> <{DCTERMS.title}> "被篡改"@zh .
"""
    result = registry.submit([attacker_resource(extra=extra)], ATTACKER)
    assert not result.accepted
    assert [r.value for r in rules(result, "OwnDataItem")] == [VICTIM]
    assert_nothing_written(registry, before)
    titles = registry.store.match(GRAPH_CURRENT, URIRef(VICTIM), DCTERMS.title)
    assert Literal("被篡改", lang="zh") not in {o for _s, _p, o in titles}


def test_a_copied_data_item_resubmitted_without_it_leaves_the_victims_triples(
    registry: Registry, before: tuple[int, set[tuple]]
) -> None:
    # The exact copy of the victim's data item, with its IRI, in the attacker's own
    # resource: once registered, re-submitting without it removed those triples from
    # the current graph, and the victim's /id/.../item/1 answered 404.
    copy = registry.store.match(GRAPH_CURRENT, URIRef(VICTIM_ITEM), None)
    graph = Graph()
    for triple in copy:
        graph.add(triple)
    graph.add((URIRef(OWN), SCS.dataItem, URIRef(VICTIM_ITEM)))
    copied = graph.serialize(format="nt")
    result = registry.submit([attacker_resource(extra=copied)], ATTACKER)
    assert not result.accepted
    assert [r.value for r in rules(result, "OwnDataItem")] == [VICTIM_ITEM]
    assert_nothing_written(registry, before)
    assert registry.submit([attacker_resource()], ATTACKER).accepted  # without it
    assert victim_item(registry) == before[1]


# -- 2. nothing about other subjects that matter --------------------------------------


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        (VICTIM, "a registered entry of another department"),
        (VICTIM_ITEM, "a data item of another entry"),
        (f"{BASE}standard/GB-T-22239-2019", "a registered standard"),
        (f"{BASE}resource/109009-000009", "under the base, no entry of the upload"),
        ("urn:screg:graph:tokens", "the registry's own graph"),
        (str(SCS.SharingTypes), "a code list"),
        (f"{CODE_LISTS}/sharing-type/unconditional", "a code-list concept"),
        (str(SCS.InformationResource), "a class"),
    ],
)
def test_triples_about_a_subject_that_matters_are_refused(
    registry: Registry, before: tuple[int, set[tuple]], subject: str, why: str
) -> None:
    extra = f'<{subject}> <{RDFS.label}> "x"@zh .\n'
    result = registry.submit([attacker_resource(extra=extra)], ATTACKER)
    assert not result.accepted, why
    [refused] = rules(result, "OwnSubjects")
    assert refused.focus == subject
    assert subject in refused.message_zh and subject in refused.message_en
    assert_nothing_written(registry, before)


def test_triples_about_other_foreign_subjects_are_ignored(registry: Registry) -> None:
    extra = '<http://example.org/note> <http://purl.org/dc/terms/title> "x" .\n'
    result = registry.submit([attacker_resource(extra=extra)], ATTACKER)
    assert result.accepted
    assert result.ignored_subjects == ["http://example.org/note"]
    assert not registry.store.match(GRAPH_CURRENT, URIRef("http://example.org/note"), None)


# -- 3. the trusted context: no vocabulary from an upload -----------------------------


def smuggle(graph: Graph, subject: URIRef, prop: URIRef, scheme: URIRef) -> Document:
    """`graph` with `subject`'s value of `prop` replaced by an IRI of no code list, and
    a statement that puts that IRI into `scheme`."""
    graph.remove((subject, prop, None))
    graph.add((subject, prop, BOGUS))
    graph.add((BOGUS, SKOS.inScheme, scheme))
    return Document("smuggled.ttl", graph.serialize(format="turtle").encode())


def assert_refused_and_not_believed(
    registry: Registry, result: SubmissionResult, prop: URIRef, scheme: URIRef, generation: int
) -> None:
    assert not result.accepted
    [refused] = rules(result, "TrustedVocabulary")
    assert (refused.focus, refused.path, refused.value) == (
        str(BOGUS),
        str(SKOS.inScheme),
        str(scheme),
    )
    # Validation never saw the statement: the value is still outside the code list.
    assert any(
        r.path == str(prop) and r.value == str(BOGUS) and r.severity == "Violation"
        for r in result.report.results
        if "#In" in r.source_shape or r.source_shape.endswith(f"-{prop.split('#')[-1]}")
    ), [r.as_dict() for r in result.report.results]
    assert registry.store.generation() == generation
    assert not registry.store.match(GRAPH_CURRENT, BOGUS, None)


def test_upload_adding_a_sharing_type_to_the_scheme_is_refused(registry: Registry) -> None:
    generation = registry.store.generation()
    doc = smuggle(registry.show(VICTIM), URIRef(VICTIM), SCS.sharingType, SCS.SharingTypes)
    result = registry.submit([doc], REGISTRAR)
    assert_refused_and_not_believed(registry, result, SCS.sharingType, SCS.SharingTypes, generation)
    # validation alone gives the same answer
    report = registry.validate([doc])
    assert not report.conforms
    assert {r.source_shape.split("#")[-1] for r in report.results} >= {"TrustedVocabulary"}


STANDARD = f"{BASE}standard/GB-T-21063.3-2007"
CODE_LIST_CASES = [
    # (entry, subject in the entry, property, code list)
    (VICTIM, VICTIM, SCS.resourceClass, SCS.ResourceClasses),
    (VICTIM, VICTIM, SCS["format"], SCS.ResourceFormats),
    (VICTIM, VICTIM, SCS.sharingMethod, SCS.SharingMethods),
    (VICTIM, VICTIM, SCS.openness, SCS.OpennessTypes),
    (VICTIM, VICTIM, DCTERMS.accrualPeriodicity, SCS.UpdateCycles),
    (VICTIM, VICTIM_ITEM, SCS.dataType, SCS.DataItemTypes),
    (STANDARD, STANDARD, SCS.level, SCS.StandardLevels),
    (STANDARD, STANDARD, SCS.nature, SCS.StandardNatures),
    (STANDARD, STANDARD, SCS.standardStatus, SCS.StandardStatuses),
    (STANDARD, STANDARD, SCS.category, SCS.SmartCityStandardSystem),
    (None, None, SCS.adoptionDegree, SCS.AdoptionDegrees),
]


@pytest.mark.parametrize(
    ("entry", "subject", "prop", "scheme"),
    CODE_LIST_CASES,
    ids=[str(case[3]).split("#")[-1] for case in CODE_LIST_CASES],
)
def test_upload_adding_a_value_to_a_code_list_is_refused(
    registry: Registry, entry: str | None, subject: str | None, prop: URIRef, scheme: URIRef
) -> None:
    if entry is None:  # the standard that states an adoption degree
        entry = subject = str(
            next(iter(registry.store.match(GRAPH_CURRENT, None, SCS.adoptionDegree)))[0]
        )
    generation = registry.store.generation()
    doc = smuggle(registry.show(entry), URIRef(subject), prop, scheme)
    result = registry.submit([doc], REGISTRAR)
    assert_refused_and_not_believed(registry, result, prop, scheme, generation)


@pytest.mark.parametrize(
    "statements",
    [
        # the value an entry's own blank node that claims to be in the scheme
        f"<{VICTIM}> <{SCS.sharingType}> [ <{SKOS.inScheme}> <{SCS.SharingTypes}> ] .",
        # a concept made in the upload
        f"<{SCS.X}> <{RDF.type}> <{SKOS.Concept}> .",
        # a class made a kind of standard, so that sh:class scs:Standard would pass
        f"<http://example.org/C> <{RDFS.subClassOf}> <{SCS.Standard}> .",
        # a broader category
        f"<{BOGUS}> <{SKOS.broader}> <https://w3id.org/smartcity-std/category/1> .",
        # any OWL predicate, any SHACL class
        f"<http://example.org/C> <{OWL.equivalentClass}> <{SCS.Standard}> .",
        f"<http://example.org/S> <{RDF.type}> <http://www.w3.org/ns/shacl#NodeShape> .",
    ],
    ids=["own-blank-node", "new-concept", "subclass", "broader", "owl", "shape"],
)
def test_statements_of_the_vocabulary_are_refused(registry: Registry, statements: str) -> None:
    generation = registry.store.generation()
    graph = registry.show(VICTIM)
    graph.remove((URIRef(VICTIM), SCS.sharingType, None))
    doc = graph.serialize(format="nt") + statements + "\n"
    result = registry.submit([Document("vocabulary.ttl", doc.encode())], REGISTRAR)
    assert not result.accepted
    assert rules(result, "TrustedVocabulary")
    assert registry.store.generation() == generation


def test_a_downloaded_entry_sent_back_stores_no_register_record(registry: Registry) -> None:
    """An entry's /id/ Turtle carries its register record (scs:currentVersion,
    scs:registerStatus, scs:itemKind, a scs:RegisterItem). Sent back with one change,
    those statements were stored as the entry's own content, so the current graph
    claimed a version and a status the register had not given. They are left out, with
    an Info, and the change is registered."""
    from registry.read.queries import describe

    resource = URIRef(f"{BASE}resource/101001-000001")
    downloaded = describe(registry.store, str(resource))
    assert (resource, SCS.currentVersion, None) in downloaded
    zh = next(t for t in downloaded.objects(resource, DCTERMS.title) if t.language == "zh")
    downloaded.remove((resource, DCTERMS.title, zh))
    downloaded.add((resource, DCTERMS.title, Literal("人口基础信息（下载后修改）", lang="zh")))
    owner = Principal("submitter", URIRef(f"{BASE}department/11210100EXAMPLE01N"), "owner")
    result = registry.submit(
        [Document("downloaded.ttl", downloaded.serialize(format="turtle").encode())], owner
    )
    assert result.accepted, [r.message_en for r in result.report.results]
    infos = [r for r in result.report.results if r.source_shape.endswith("RegisterRecord")]
    assert infos and infos[0].severity == "Info"
    content = registry.show(str(resource))
    for predicate in (SCS.currentVersion, SCS.registerStatus, SCS.itemKind):
        assert (resource, predicate, None) not in content
        assert not registry.store.match(GRAPH_CURRENT, resource, predicate)
    assert (resource, RDF.type, SCS.RegisterItem) not in content
    assert registry.history(str(resource))[-1].number == 2
