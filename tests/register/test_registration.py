"""Registration on every store back end: atomic submissions, versions, statuses, provenance."""

from __future__ import annotations

import threading

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from registry.errors import ConflictError, ForbiddenError, InputError
from registry.inputs.document import Document
from registry.namespaces import GRAPH_CURRENT, GRAPH_REGISTRY, SCS, STDSTATUS
from registry.register.submission import REGISTRAR, Principal, version_iri
from registry.validation.validator import ENGINE_VERSION, FAST_ENGINE_VERSION
from tests import documents
from tests.conftest import EXAMPLES

BASE = "http://127.0.0.1:8000/id/"
BIG_DATA_BUREAU = URIRef(f"{BASE}department/11210100EXAMPLE01N")
RESOURCE = f"{BASE}resource/101001-000001"


def quads(store) -> set[bytes]:
    return set(store.dump("nquads").splitlines())


def resource_doc(title: str, code: str = "101001/000001") -> Document:
    """The seeded resource 101001/000001 (or `code`) with this zh `title`."""
    ttl = documents.resource_ttl(
        code,
        title=title,
        title_en="Population base information",
        description="全市实有人口的基础信息。",
        conforms_to=f"{BASE}standard/GB-T-21063.3-2007",
        items=(documents.PERSON_NAME,),
    )
    return Document("resource.ttl", ttl)


def test_seeded_registry_holds_the_examples(registry) -> None:
    store = registry.store
    assert registry.resolve("GB/T 21063.3-2007") == f"{BASE}standard/GB-T-21063.3-2007"
    assert registry.resolve("gb/t21063.3—2007") == f"{BASE}standard/GB-T-21063.3-2007"
    kinds = store.select(
        f"SELECT ?k (COUNT(?i) AS ?n) WHERE {{ GRAPH <{GRAPH_REGISTRY}> "
        f"{{ ?i <{SCS.itemKind}> ?k }} }} GROUP BY ?k"
    )
    counts = {str(r["k"]): int(r["n"]) for r in kinds}
    assert counts["standard"] >= 35 and counts["resource"] >= 20 and counts["interface"] == 2


def test_rejected_submission_writes_nothing(registry) -> None:
    before = quads(registry.store)
    generation = registry.store.generation()
    result = registry.submit([resource_doc("人口", code="not-a-code")], REGISTRAR)
    assert not result.accepted
    assert any(r.severity == "Violation" for r in result.report.results)
    assert quads(registry.store) == before
    assert registry.store.generation() == generation


def test_identical_resubmission_makes_no_new_version(registry) -> None:
    doc = resource_doc("人口基础信息(修订)")
    first = registry.submit([doc], REGISTRAR)
    assert first.accepted and first.changes[0].outcome == "updated"
    version = first.changes[0].version
    again = registry.submit([doc], REGISTRAR)
    assert again.changes[0].outcome == "unchanged"
    assert again.changes[0].version == version
    assert not registry.store.graph_exists(version_iri(RESOURCE, version + 1))


def test_history_keeps_every_version_exactly(registry) -> None:
    original = registry.show(RESOURCE)
    for n in range(3):
        assert registry.submit([resource_doc(f"人口基础信息 第{n + 2}版")], REGISTRAR).accepted
    versions = registry.history(RESOURCE)
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert isomorphic(registry.show(RESOURCE, 1), original)
    latest = registry.show(RESOURCE)
    assert latest.value(URIRef(RESOURCE), DCTERMS.title) is not None
    titles = {str(t) for t in latest.objects(URIRef(RESOURCE), DCTERMS.title)}
    assert "人口基础信息 第4版" in titles
    # The current graph holds the latest content only: no title of an older version.
    current_titles = registry.store.select(
        f"SELECT ?t WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ <{RESOURCE}> <{DCTERMS.title}> ?t }} }}"
    )
    assert {str(r["t"]) for r in current_titles} == titles


def test_submitter_writes_only_its_own_department(registry) -> None:
    other = URIRef(f"{BASE}department/11210100EXAMPLE02R")
    submitter = Principal(role="submitter", department=other, name="x")
    before = quads(registry.store)
    with pytest.raises(ForbiddenError):
        registry.submit([resource_doc("人口")], submitter)
    assert quads(registry.store) == before
    own = Principal(role="submitter", department=BIG_DATA_BUREAU, name="dsj")
    assert registry.submit([resource_doc("人口基础信息 本部门")], own).accepted


def test_submitter_cannot_write_standards(registry) -> None:
    own = Principal(role="submitter", department=BIG_DATA_BUREAU, name="dsj")
    data = (EXAMPLES / "standards.ttl").read_bytes()
    with pytest.raises(ForbiddenError):
        registry.submit([Document("standards.ttl", data)], own)


def test_status_transitions(registry) -> None:
    old, new = "GB/T 36073-2018", "GB/T 37988-2019"
    with pytest.raises(InputError):
        registry.change_status(old, "superseded", REGISTRAR)  # successor required
    with pytest.raises(ForbiddenError):
        registry.change_status(old, "deprecated", Principal(role="submitter"))
    change = registry.change_status(old, "superseded", REGISTRAR, successor=new, reason="test")
    assert change.version == 2
    with pytest.raises(ConflictError):
        registry.change_status(old, "valid", REGISTRAR)  # superseded only retires
    registry.change_status(old, "retired", REGISTRAR)
    with pytest.raises(ConflictError):
        registry.change_status(old, "valid", REGISTRAR)  # retired is final
    history = registry.history(old)
    assert [v.status for v in history] == ["valid", "superseded", "retired"]
    # Retiring deletes nothing: every version is readable, and the current content is
    # the first version's with only the end the register decided written into it
    # (registry/register/lifecycle.py): abolished, and the successor superseding named.
    first, now = registry.show(old, 1), registry.show(old)
    item, new_iri = URIRef(registry.resolve(old)), URIRef(registry.resolve(new))
    assert set(first - now) == {(item, SCS.standardStatus, STDSTATUS.current)}
    assert set(now - first) == {
        (item, SCS.standardStatus, STDSTATUS.abolished),
        (item, DCTERMS.isReplacedBy, new_iri),
    }


def test_provenance_is_recorded(registry) -> None:
    result = registry.submit([resource_doc("人口基础信息 来源")], REGISTRAR)
    rows = registry.store.select(
        f"""SELECT ?sha ?shapes ?engine ?report WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
            <{result.submission}> <{SCS.sourceSha256}> ?sha ; <{SCS.shapesSha256}> ?shapes ;
              <{SCS.engineVersion}> ?engine ; <{SCS.validationReport}> ?report }} }}"""
    )
    assert len(rows) == 1
    assert len(str(rows[0]["sha"])) == 64
    assert str(rows[0]["shapes"]) == registry.validator.shapes.sha256
    # the engine that validated: pyshacl, or the registry's own with pyshacl's results
    assert str(rows[0]["engine"]) in (ENGINE_VERSION, FAST_ENGINE_VERSION)
    assert str(rows[0]["engine"]) == result.report.engine
    assert registry.store.graph_exists(str(rows[0]["report"]))


def test_two_threads_submitting_lose_no_update(registry) -> None:
    errors: list[BaseException] = []

    def submit(title: str) -> None:
        try:
            assert registry.submit([resource_doc(title)], REGISTRAR).accepted
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(f"人口 线程{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [v.number for v in registry.history(RESOURCE)] == [1, 2, 3]
    current = registry.store.select(
        f"SELECT ?v WHERE {{ GRAPH <{GRAPH_REGISTRY}> "
        f"{{ <{RESOURCE}> <{SCS.currentVersion}> ?v }} }}"
    )
    assert [str(r["v"]) for r in current] == [version_iri(RESOURCE, 3)]


def test_export_then_import_gives_the_same_quads(registry, store_factory) -> None:
    data = registry.store.dump("nquads")
    with store_factory() as target:
        target.load_dump(data, "nquads")
        assert quads(target) == quads(registry.store)


def test_submission_without_entries_is_refused(registry) -> None:
    doc = Document("x.ttl", b"<http://a> <http://b> <http://c> .")
    with pytest.raises(InputError):
        registry.submit([doc], REGISTRAR)


def test_untyped_triples_about_other_entries_are_refused(registry) -> None:
    # Once ignored (not written); now refused, so the submitter learns of it (issue 17).
    victim = f"{BASE}standard/GB-T-22239-2019"
    extra = f'<{victim}> <{DCTERMS.title}> "hijacked"@zh .\n'.encode()
    doc = resource_doc("人口基础信息 附加")
    generation = registry.store.generation()
    result = registry.submit([Document(doc.name, doc.data + extra)], REGISTRAR)
    assert not result.accepted
    refused = [r for r in result.report.results if r.source_shape.endswith("#OwnSubjects")]
    assert [r.focus for r in refused] == [victim]
    assert registry.store.generation() == generation
    titles = registry.store.select(
        f"SELECT ?t WHERE {{ GRAPH <{GRAPH_CURRENT}> {{ <{victim}> <{DCTERMS.title}> ?t }} }}"
    )
    assert Literal("hijacked", lang="zh") not in {r["t"] for r in titles}


def test_shapes_in_an_upload_are_refused_and_never_used(registry) -> None:
    # A shape that would forbid every title: if it were used, the entry would fail on
    # its title. It is refused as a statement of the vocabulary (issue 17), and the
    # shapes that run are still the trusted ones only.
    shape = b"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix dct: <http://purl.org/dc/terms/> .
<urn:evil:shape> a sh:NodeShape ; sh:targetClass scs:InformationResource ;
  sh:property [ sh:path dct:title ; sh:maxCount 0 ] .
"""
    doc = resource_doc("人口基础信息 形状")
    report = registry.validate([Document(doc.name, doc.data + shape)])
    assert not report.conforms
    refused = {r.focus for r in report.results if r.severity == "Violation"}
    assert "urn:evil:shape" in refused  # and its property shape, a blank node
    assert all(f == "urn:evil:shape" or f.startswith("_:") for f in refused)
    assert {r.source_shape.rsplit("#")[-1] for r in report.results} == {"TrustedVocabulary"}
    assert not any("urn:evil" in r.source_shape for r in report.results)
    # And the other way: a shape cannot switch off a trusted rule either.
    # (A code that makes an IRI, "bad-code": one with a space, "bad code", made no IRI at
    # all, and is refused as the document is read, registry.inputs.characters.)
    bad = resource_doc("人口", code="bad-code")
    report = registry.validate([Document(bad.name, bad.data + shape)])
    assert not report.conforms
    assert "bad-code" in {r.value for r in report.results if r.severity == "Violation"}


def test_graph_of_a_version_is_the_submitted_content(registry) -> None:
    doc = resource_doc("人口基础信息 原文")
    result = registry.submit([doc], REGISTRAR)
    stored = registry.show(RESOURCE, result.changes[0].version)
    submitted = Graph().parse(data=doc.data, format="turtle")
    assert isomorphic(stored, submitted)


def test_a_departments_edit_made_a_deprecated_entry_valid_again(registry) -> None:
    """Deprecation is the registrar's judgement of an entry, not of its content: a
    department's changed re-submission made a new version `valid`, undoing it. The new
    version keeps `deprecated`; an invalid entry's corrected content is valid (the way
    to correct it), and only a registrar lifts a deprecation."""
    from registry.register.submission import item_state

    own = Principal(role="submitter", department=BIG_DATA_BUREAU, name="dsj")
    registry.change_status(RESOURCE, "deprecated", REGISTRAR, reason="不再推荐")
    result = registry.submit([resource_doc("人口基础信息（修订）")], own)
    assert result.accepted
    [change] = [c for c in result.changes if c.item == RESOURCE]
    assert (change.outcome, change.status) == ("updated", "deprecated")
    state = item_state(registry.store, RESOURCE)
    assert state is not None and state.status == "deprecated"
    titles = set(registry.show(RESOURCE).objects(URIRef(RESOURCE), DCTERMS.title))
    assert Literal("人口基础信息（修订）", lang="zh") in titles
    registry.change_status(RESOURCE, "valid", REGISTRAR)
    registry.change_status(RESOURCE, "invalid", REGISTRAR, reason="内容有误")
    corrected = registry.submit([resource_doc("人口基础信息（更正）")], own)
    assert [c.status for c in corrected.changes if c.item == RESOURCE] == [None]
    state = item_state(registry.store, RESOURCE)
    assert state is not None and state.status == "valid"
