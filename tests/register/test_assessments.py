"""Conformity assessments are register entries like any other (issue 22): submitted
through the one path, versioned, owned by the assessor department (their
dct:publisher), with statuses and provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.errors import ForbiddenError
from registry.inputs.document import Document
from registry.namespaces import EARL
from registry.register.submission import REGISTRAR, Principal
from registry.service import Registry

BASE = "http://127.0.0.1:8000/id/"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BUREAU = f"{BASE}department/11210100EXAMPLE01N"
OTHER = f"{BASE}department/11210100EXAMPLE02R"
FAILED = f"{BASE}assessment/SY-CA-2026-002"


def other_departments_assessment(code: str, publisher: str) -> bytes:
    """An assessment of the bureau's interface, recorded by `publisher`."""
    return f"""
@prefix dct: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix earl: <http://www.w3.org/ns/earl#> . @prefix scs: <https://w3id.org/smartcity-std#> .
<{BASE}assessment/{code}> a earl:Assertion ; scs:assessmentCode "{code}" ;
    dct:title "市场监管局对人口核验接口的评估"@zh ; dct:publisher <{publisher}> ;
    earl:assertedBy <{publisher}> ; earl:subject <{BASE}interface/SY-DSJ-API-001> ;
    earl:test <{BASE}standard/GB-T-38672-2020> ; earl:mode earl:manual ;
    earl:result [ earl:outcome earl:passed ; dct:date "2026-05-01"^^xsd:date ] .
""".encode()


def test_the_seeded_examples_hold_every_outcome_and_the_bureau_owns_them(
    registry: Registry,
) -> None:
    listed = registry.reader().list_entries("assessment", limit=50).as_dict()["items"]
    assert {a["outcome"]["code"] for a in listed} == {
        "passed",
        "failed",
        "cantTell",
        "inapplicable",
    }
    assert {a["mode"]["code"] for a in listed} == {"manual"}
    assert {a["publisher"]["iri"] for a in listed} == {BUREAU}
    failed = registry.reader().entry("assessment", "SY-CA-2026-002")
    assert failed["test"]["id"] == "GB/T 38672-2020"
    assert failed["subject"]["kind"] == "interface"
    assert failed["assessor_name"]["zh"].startswith("辽宁省软件测评中心")
    assert failed["evidence"][0]["sha256"] and failed["evidence"][0]["location"]
    assert failed["outcome"]["label"] == {"zh": "不通过", "en": "failed"}


def test_a_downloaded_assessment_sent_back_keeps_its_parts(registry: Registry) -> None:
    """Regression: the result, evidence and assessor of a registered assessment are
    skolemised under its IRI; sent back, they were taken for foreign subjects and
    ignored, and the assessment was refused for having no result."""
    graph: Graph = registry.show(FAILED)
    body = graph.serialize(format="turtle").encode()
    result = registry.submit([Document("a.ttl", body)], REGISTRAR)
    assert result.accepted, [r.as_dict() for r in result.report.results]
    assert [c.outcome for c in result.changes] == ["unchanged"]
    assert result.ignored_subjects == []


def test_a_changed_assessment_is_a_new_version_with_provenance(registry: Registry) -> None:
    graph: Graph = registry.show(FAILED)
    graph.remove((URIRef(FAILED), DCTERMS.title, None))
    graph.add((URIRef(FAILED), DCTERMS.title, Literal("复测后的评估", lang="zh")))
    result = registry.submit(
        [Document("a.ttl", graph.serialize(format="turtle").encode())], REGISTRAR
    )
    assert result.accepted, [r.as_dict() for r in result.report.results]
    versions = registry.history(FAILED)
    assert [v.number for v in versions] == [1, 2]
    assert versions[-1].change == "submission"
    assert registry.reader().entry("assessment", FAILED)["title"] == {"zh": "复测后的评估"}


def test_another_department_records_its_own_assessment_but_not_the_bureaus(
    registry: Registry,
) -> None:
    other = Principal("submitter", URIRef(OTHER), "market")
    own = registry.submit(
        [Document("own.ttl", other_departments_assessment("SC-2026-1", OTHER))], other
    )
    assert own.accepted and own.changes[0].kind == "assessment"
    assert registry.reader().entry("assessment", "SC-2026-1")["publisher"]["iri"] == OTHER
    generation = registry.store.generation()
    with pytest.raises(ForbiddenError):  # the bureau's record, or one in its name
        registry.submit(
            [Document("x.ttl", other_departments_assessment("SY-CA-2026-002", OTHER))], other
        )
    with pytest.raises(ForbiddenError):
        registry.submit(
            [Document("y.ttl", other_departments_assessment("SC-2026-2", BUREAU))], other
        )
    assert registry.store.generation() == generation


def test_a_registrar_retires_an_assessment(registry: Registry) -> None:
    change = registry.change_status(FAILED, "retired", REGISTRAR)
    assert change.kind == "assessment" and change.outcome == "retired"
    assert [v.status for v in registry.history(FAILED)] == ["valid", "retired"]
    assert (URIRef(FAILED), EARL.subject, None) in registry.show(FAILED, 1)


def test_an_assessment_against_a_superseded_edition_drew_no_warning(registry: Registry) -> None:
    """A resource or interface conforming to a superseded standard draws a Warning naming
    its successor; an assessment against one drew none, and impact at once listed it to
    be made again. It draws the same Warning now, and is still registered."""
    text = other_departments_assessment("SC-2026-9", OTHER).replace(
        b"GB-T-38672-2020", b"GB-T-35273-2017"
    )
    other = Principal("submitter", URIRef(OTHER), "market")
    result = registry.submit([Document("old.ttl", text)], other)
    assert result.accepted
    [warned] = [r for r in result.report.results if r.path == str(EARL.test)]
    assert (warned.severity, warned.focus) == ("Warning", f"{BASE}assessment/SC-2026-9")
    assert "GB/T 35273-2017" in warned.message_zh and "GB/T 35273-2020" in warned.message_zh


def test_a_department_could_not_withdraw_its_own_assessment(registry: Registry) -> None:
    """Impact tells an assessor to re-assess or withdraw an assessment, and a submitter
    could only re-assess: withdrawing was a registrar's act alone. A department retires
    its own assessments now, and nothing else: not another's, not to another status,
    not another kind of entry."""
    other = Principal("submitter", URIRef(OTHER), "market")
    bureau = Principal("submitter", URIRef(BUREAU), "bureau")
    made = registry.submit(
        [Document("own.ttl", other_departments_assessment("SC-2026-7", OTHER))], other
    )
    own = made.changes[0].item
    generation = registry.store.generation()
    for who, item, status in (
        (bureau, own, "retired"),  # another department's assessment
        (other, own, "deprecated"),  # another status
        (bureau, f"{BASE}resource/101001-000001", "retired"),  # not an assessment
    ):
        with pytest.raises(ForbiddenError):
            registry.change_status(item, status, who)
    assert registry.store.generation() == generation
    change = registry.change_status(own, "retired", other, reason="撤回：误录")
    assert (change.kind, change.outcome) == ("assessment", "retired")
    assert [v.status for v in registry.history(own)] == ["valid", "retired"]


def test_the_history_did_not_say_who_made_a_version(registry: Registry) -> None:
    """A version's history named its activity only: a person could not tell which
    department or registrar had changed an entry. Each version names who made it (the
    activity's prov:wasAssociatedWith), in the API's history and on the page."""
    from fastapi.testclient import TestClient

    from api import create_app
    from registry.config import Settings

    other = Principal("submitter", URIRef(OTHER), "market")
    made = registry.submit(
        [Document("own.ttl", other_departments_assessment("SC-2026-8", OTHER))], other
    )
    item = made.changes[0].item
    registry.change_status(item, "retired", REGISTRAR, reason="test")
    assert [v.agent for v in registry.history(item)] == [
        OTHER,
        "urn:screg:agent:registrar:registry",
    ]
    app = create_app(Settings(store="memory", seed=False), store=registry.store)
    with TestClient(app) as client:
        page = client.get("/id/assessment/SC-2026-8", headers={"Accept": "text/html"}).text
    table = page.split("操作者", 1)[1]
    assert "11210100EXAMPLE02R" in table and "登记员" in table
