"""The integrity of conformity assessments (security probe, sections 4-7): the
registry's automatic assessments are written by the registry alone, its own writes are
not blocked by a squatted code or a transfer, one refused automatic assessment does not
lose the rest of its batch, and no department dates a verdict in the future or asserts
one in another department's name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from api import create_app
from registry.config import Settings
from registry.errors import ForbiddenError, InputError
from registry.inputs.document import Document
from registry.inputs.load import Reading, read_documents
from registry.namespaces import EARL
from registry.register.assessors import future_dates, latest_date
from registry.register.automatic import AUTOMATIC
from registry.register.submission import REGISTRAR, Principal, split_entries, submit
from registry.register.tokens import create_token
from registry.service import Registry
from registry.store import open_store
from tests import documents

BASE = "http://127.0.0.1:8000/id/"
BUREAU_IRI = f"{BASE}department/11210100EXAMPLE01N"
OTHER_IRI = f"{BASE}department/11210100EXAMPLE02R"
THIRD_IRI = f"{BASE}department/11210100EXAMPLE03W"
BUREAU = Principal("submitter", URIRef(BUREAU_IRI), "bureau")
OTHER = Principal("submitter", URIRef(OTHER_IRI), "market")
THIRD = Principal("submitter", URIRef(THIRD_IRI), "third")
RESOURCE = f"{BASE}resource/101001-000001"
INTERFACE_AUTO = f"{BASE}assessment/AUTO-SY-DSJ-API-001-GB-T-38672-2020"
RESOURCE_AUTO = f"{BASE}assessment/AUTO-101001-000001-GB-T-21063.3-2007"
THIRD_WHOLE = f"{BASE}assessment/AUTO-11210100EXAMPLE03W-GB-T-21063.3-2007"
BUREAU_WHOLE = f"{BASE}assessment/AUTO-11210100EXAMPLE01N-GB-T-21063.3-2007"
OTHER_WHOLE = f"{BASE}assessment/AUTO-11210100EXAMPLE02R-GB-T-21063.3-2007"
STANDARD = f"{BASE}standard/GB-T-21063.3-2007"


@pytest.fixture
def assessed(assessed_dump: bytes, validator) -> Iterator[Registry]:
    """The seeded examples with their automatic assessments, the setting on."""
    store = open_store("memory")
    store.load_dump(assessed_dump, "nquads")
    settings = Settings(store="memory", automatic_assessments=True, seed=False)
    with Registry(settings, validator=validator, store=store) as service:
        yield service


def assessment(
    code: str,
    *,
    publisher: str,
    subject: str = f"{BASE}interface/SY-DSJ-API-001",
    asserted_by: str | None = None,
    mode: str = "manual",
    outcome: str = "failed",
    day: str = "2026-05-01",
    body: str | None = None,
) -> bytes:
    """One assessment of the standard GB/T 21063.3-2007, in Turtle."""
    assessor = f'[ foaf:name "{body}"@zh ]' if body else f"<{asserted_by or publisher}>"
    return f"""
@prefix dct: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix earl: <http://www.w3.org/ns/earl#> . @prefix scs: <https://w3id.org/smartcity-std#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<{BASE}assessment/{code}> a earl:Assertion ; scs:assessmentCode "{code}" ;
    dct:title "核心元数据评估"@zh ; dct:publisher <{publisher}> ;
    earl:assertedBy {assessor} ; earl:subject <{subject}> ;
    earl:test <{STANDARD}> ; earl:mode earl:{mode} ;
    earl:result [ earl:outcome earl:{outcome} ; dct:date "{day}"^^xsd:date ] .
""".encode()


def forged(registry: Registry, iri: str, outcome: URIRef, day: str) -> bytes:
    """The registry's automatic assessment `iri` as downloaded, outcome and date changed."""
    graph: Graph = registry.show(iri)
    result = next(graph.objects(URIRef(iri), EARL.result))
    graph.set((result, EARL.outcome, outcome))
    graph.set((result, DCTERMS.date, Literal(day, datatype=XSD.date)))
    return graph.serialize(format="turtle").encode()


def refused_rules(error: ForbiddenError) -> list[tuple[str, str]]:
    return [(e["entry"], e["rule"]) for e in error.details["entries"]]


# -- 4: a department rewrote the registry's verdict of its own entry ----------------------


def test_a_department_cannot_rewrite_the_automatic_assessment_of_its_own_entry(
    assessed: Registry,
) -> None:
    generation = assessed.store.generation()
    body = forged(assessed, INTERFACE_AUTO, EARL.failed, "2026-06-01")
    with pytest.raises(ForbiddenError) as refused:
        assessed.submit([Document("auto.ttl", body)], BUREAU)
    assert refused_rules(refused.value) == [(INTERFACE_AUTO, "automatic-assessment")]
    assert refused.value.details["entries"][0]["marks"] == ["code", "mode", "assessor"]
    assert refused.value.message.zh.startswith("自动评估（评估编号以「AUTO-」开头")
    assert "recorded by the registry alone" in refused.value.message.en
    # Made manual and named otherwise, its code is still the registry's.
    graph = Graph().parse(data=body, format="turtle")
    graph.set((URIRef(INTERFACE_AUTO), EARL.mode, EARL.manual))
    with pytest.raises(ForbiddenError) as again:
        assessed.submit([Document("auto.ttl", graph.serialize(format="turtle").encode())], BUREAU)
    assert again.value.details["entries"][0]["marks"] == ["code", "assessor"]
    assert assessed.store.generation() == generation
    record = assessed.reader().entry("assessment", INTERFACE_AUTO)
    assert (record["outcome"]["code"], record["register"]["version"]) == ("passed", 1)


def test_a_registrar_cannot_write_an_automatic_assessment_either(assessed: Registry) -> None:
    body = forged(assessed, INTERFACE_AUTO, EARL.failed, "2026-06-01")
    with pytest.raises(ForbiddenError) as refused:
        assessed.submit([Document("auto.ttl", body)], REGISTRAR)
    assert refused_rules(refused.value) == [(INTERFACE_AUTO, "automatic-assessment")]


def test_the_automatic_mode_and_the_registrys_name_are_the_registrys_under_any_code(
    assessed: Registry,
) -> None:
    """Not only the AUTO- codes: an `earl:automatic` assessment, or one naming the
    registry as its assessor, would count as the registry's own."""
    mode = assessment("SC-AUTO-1", publisher=OTHER_IRI, mode="automatic")
    named = assessment("SC-AUTO-2", publisher=OTHER_IRI, body="智慧城市标准登记库（自动评估）")
    squat = assessment("auto-sy-dsj-api-001-x", publisher=OTHER_IRI)
    for body, marks in ((mode, ["mode"]), (named, ["assessor"]), (squat, ["code"])):
        with pytest.raises(ForbiddenError) as refused:
            assessed.submit([Document("a.ttl", body)], OTHER)
        assert refused.value.details["entries"][0]["marks"] == marks


def test_a_submission_of_an_automatic_assessment_is_403_over_http(
    assessed_dump: bytes, validator
) -> None:
    """The probe's reproduction: the department's token sends the downloaded automatic
    assessment with its outcome flipped."""
    store = open_store("memory")
    store.load_dump(assessed_dump, "nquads")
    secret = create_token(store, "submitter", "11210100EXAMPLE01N", "bureau")[1]
    settings = Settings(store="memory", seed=False, automatic_assessments=True)
    app = create_app(settings, store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as client:
        path = "/id/assessment/AUTO-SY-DSJ-API-001-GB-T-38672-2020"
        turtle = client.get(path, headers={"Accept": "text/turtle"}).text
        body = turtle.replace("earl:passed", "earl:failed").encode()
        answer = client.post(
            "/api/v1/submissions",
            content=body,
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/turtle"},
        )
        assert answer.status_code == 403, answer.text
        error = answer.json()["error"]
        assert error["code"] == "forbidden"
        assert [e["rule"] for e in error["details"]["entries"]] == ["automatic-assessment"]
        shown = client.get("/api/v1/assessments/AUTO-SY-DSJ-API-001-GB-T-38672-2020").json()
        assert shown["outcome"]["code"] == "passed"


# -- 5: a squatted AUTO- code blocked the registry's write and lost its batch --------------


def test_a_squatted_automatic_code_is_taken_over_by_the_registrys_write(
    assessed: Registry,
) -> None:
    """A store written before the rule: department 02R holds the department whole of
    03W, `failed`. 03W registers its first resource: the registry's write records the
    resource's assessment and 03W's whole (owned by 03W, passed) in one batch; before,
    it was refused 409 and both were lost."""
    squat = assessment(
        "AUTO-11210100EXAMPLE03W-GB-T-21063.3-2007",
        publisher=OTHER_IRI,
        subject=THIRD_IRI,
        mode="automatic",
        body="智慧城市标准登记库（自动评估）",
    )
    planted = submit(
        assessed.store, assessed.validator, read_documents([Document("s.ttl", squat)]),
        AUTOMATIC, BASE,
    )  # fmt: skip
    assert planted.accepted
    assessed.reader()
    first = documents.resource_ttl(
        "109001/000777", title="第三部门资源", description="第三部门的第一项信息资源。"
    ).replace(BUREAU_IRI.encode(), THIRD_IRI.encode())
    result = assessed.submit([Document("r.ttl", first)], THIRD)
    assert result.accepted
    assert sorted((c.item, c.outcome) for c in result.automatic) == [
        (f"{BASE}assessment/AUTO-109001-000777-GB-T-21063.3-2007", "new"),
        (THIRD_WHOLE, "updated"),
    ]
    whole = assessed.reader().entry("assessment", THIRD_WHOLE)
    assert whole["publisher"]["iri"] == THIRD_IRI
    assert whole["outcome"]["code"] == "passed"
    assert whole["register"]["version"] == 2


# -- 6: after a transfer, the automatic assessments kept the former owner -----------------


def test_a_transfer_moves_the_automatic_assessments_with_the_entry(assessed: Registry) -> None:
    assessed.transfer(RESOURCE, "11210100EXAMPLE02R", REGISTRAR, "机构改革")
    read = assessed.reader()
    own = read.entry("assessment", RESOURCE_AUTO)
    assert (own["publisher"]["iri"], own["register"]["version"]) == (OTHER_IRI, 2)
    assert "24 项" not in read.entry("assessment", BUREAU_WHOLE)["description"]["zh"]
    assert "所列 23 项" in read.entry("assessment", BUREAU_WHOLE)["description"]["zh"]
    new_whole = read.entry("assessment", OTHER_WHOLE)
    assert (new_whole["publisher"]["iri"], new_whole["outcome"]["code"]) == (OTHER_IRI, "passed")
    # The new owner changes the resource: its automatic assessment is written again.
    graph: Graph = assessed.show(RESOURCE)
    graph.remove((URIRef(RESOURCE), DCTERMS.title, None))
    graph.add((URIRef(RESOURCE), DCTERMS.title, Literal("人口基础信息（划转后）", lang="zh")))
    result = assessed.submit([Document("r.ttl", graph.serialize(format="turtle").encode())], OTHER)
    assert result.accepted
    assert assessed.history(RESOURCE_AUTO)[-1].number >= 2
    assert assessed.reader().entry("assessment", RESOURCE_AUTO)["publisher"]["iri"] == OTHER_IRI


def test_an_automatic_assessment_is_not_transferred_on_its_own(assessed: Registry) -> None:
    with pytest.raises(InputError) as refused:
        assessed.transfer(RESOURCE_AUTO, "11210100EXAMPLE02R", REGISTRAR, "误转")
    assert "请转移被评估条目" in refused.value.message.zh
    assert assessed.reader().entry("assessment", RESOURCE_AUTO)["publisher"]["iri"] == BUREAU_IRI


# -- a refused automatic write kept none of its batch --------------------------------------


def test_a_refused_automatic_assessment_does_not_lose_the_rest_of_its_batch(
    seeded_dump: bytes, validator
) -> None:
    """One assessment of the batch is retired (a closed entry cannot change: 409): the
    other 25 of the resources and interfaces are recorded, then the wholes."""
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    with Registry(Settings(store="memory", seed=False), validator=validator, store=store) as r:
        stale = assessment(
            "AUTO-101001-000001-GB-T-21063.3-2007",
            publisher=BUREAU_IRI,
            subject=RESOURCE,
            mode="automatic",
            outcome="failed",
        )
        planted = submit(
            store, validator, read_documents([Document("s.ttl", stale)]), AUTOMATIC, BASE
        )
        assert planted.accepted
        r.change_status(RESOURCE_AUTO, "retired", REGISTRAR, reason="测试")
        made = r.assess_all()
        changes = [c for m in made for c in m.changes]
        assert RESOURCE_AUTO not in {c.item for c in changes}
        # 24 resources and 2 interfaces less the retired one, then the two wholes
        assert [len(m.changes) for m in made] == [25, 2]


# -- 7: a verdict in another department's name, dated in the future ----------------------


def test_an_assessment_dated_in_the_future_is_refused(assessed: Registry) -> None:
    generation = assessed.store.generation()
    body = assessment("SC-2099-1", publisher=OTHER_IRI, day="2099-12-31")
    result = assessed.submit([Document("a.ttl", body)], OTHER)
    assert not result.accepted and result.submission is None
    found = [r for r in result.report.results if r.severity == "Violation"]
    assert [(r.source_shape.rsplit("#", 1)[-1], r.value) for r in found] == [
        ("AssessmentDate", "2099-12-31")
    ]
    assert found[0].message_zh.startswith("评估日期 2099-12-31 尚未到来")
    assert assessed.store.generation() == generation
    # Validation alone gives the same answer.
    alone = assessed.validate([Document("a.ttl", body)])
    assert [
        r.source_shape.rsplit("#", 1)[-1] for r in alone.results if r.severity == "Violation"
    ] == ["AssessmentDate"]


def test_today_is_not_the_future_wherever_it_has_begun() -> None:
    """At 23:00 UTC on 11 March it is already 12 March in Shenyang: a clerk's date of
    today is accepted; the day after is not."""
    late = datetime(2026, 3, 11, 23, 0, tzinfo=UTC)
    assert latest_date(late).isoformat() == "2026-03-12"
    for day, refused in (("2026-03-12", 0), ("2026-03-13", 1)):
        body = assessment("SC-DAY", publisher=OTHER_IRI, day=day)
        entries, _ = split_entries(Reading(rdf=[Graph().parse(data=body)]).triples())
        assert len(future_dates(entries, late)) == refused


def test_a_department_cannot_assert_an_assessment_in_another_departments_name(
    assessed: Registry,
) -> None:
    generation = assessed.store.generation()
    body = assessment(
        "SC-IMPERSONATE-1", publisher=OTHER_IRI, subject=RESOURCE, asserted_by=BUREAU_IRI
    )
    with pytest.raises(ForbiddenError) as refused:
        assessed.submit([Document("a.ttl", body)], OTHER)
    assert refused_rules(refused.value) == [(f"{BASE}assessment/SC-IMPERSONATE-1", "asserted-by")]
    assert refused.value.details["entries"][0]["asserted_by"] == [BUREAU_IRI]
    assert refused.value.message.zh.startswith("提交者只能以本部门或所列评估机构的名义记录评估")
    assert assessed.store.generation() == generation
    # A named third-party body is still the department's to record, and a registrar
    # records an assessment another department made.
    body_named = assessment("SC-BODY-1", publisher=OTHER_IRI, body="辽宁省软件测评中心（示例）")
    assert assessed.submit([Document("b.ttl", body_named)], OTHER).accepted
    assert assessed.submit([Document("c.ttl", body)], REGISTRAR).accepted
