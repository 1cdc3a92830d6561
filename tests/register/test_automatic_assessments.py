"""Automatic conformity assessments (issue 22): with `automatic_assessments`, the
registry records an earl:automatic assessment of every resource and interface a
submission registers or changes, re-runs it when the entry changes, and writes
nothing when it has not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.config import Settings
from registry.inputs.document import Document
from registry.namespaces import SCS
from registry.register.automatic import assessment_code
from registry.register.submission import Principal
from registry.service import Registry
from registry.store import open_store

BASE = "http://127.0.0.1:8000/id/"
BUREAU = Principal("submitter", URIRef(f"{BASE}department/11210100EXAMPLE01N"), "bureau")
INTERFACE = f"{BASE}interface/SY-DSJ-API-001"
AUTO = "AUTO-SY-DSJ-API-001-GB-T-38672-2020"


@pytest.fixture
def registry(assessed_dump: bytes, validator) -> Iterator[Registry]:
    store = open_store("memory")
    store.load_dump(assessed_dump, "nquads")
    settings = Settings(store="memory", automatic_assessments=True)
    with Registry(settings, validator=validator, store=store) as service:
        yield service


def test_the_seed_assesses_every_example_resource_and_interface(registry: Registry) -> None:
    read = registry.reader()
    automatic = [
        a
        for a in read.list_entries("assessment", limit=500).as_dict()["items"]
        if a["mode"]["code"] == "automatic"
    ]
    resources = read.list_entries("resource", limit=500).as_dict()["total"]
    interfaces = read.list_entries("interface", limit=500).as_dict()["total"]
    # and, as wholes, the example catalogue and the department providing its resources
    assert len(automatic) == resources + interfaces + 2
    by_subject = {a["subject"].get("id") or a["subject"]["iri"]: a for a in automatic}
    assert by_subject["101001/000001"]["test"]["id"] == "GB/T 21063.3-2007"
    assert by_subject["101001/000001"]["outcome"]["code"] == "passed"
    assert by_subject["SY-DSJ-API-001"]["outcome"]["code"] == "passed"
    # no OpenAPI description registered: the registry cannot tell
    assert by_subject["SY-DSJ-API-002"]["outcome"]["code"] == "cantTell"
    catalogue = by_subject[f"{BASE}catalogue/11210100EXAMPLE01N/2026-example"]
    department = by_subject["11210100EXAMPLE01N"]
    for whole in (catalogue, department):
        assert whole["test"]["id"] == "GB/T 21063.3-2007"
        assert whole["outcome"]["code"] == "passed"
        assert whole["publisher"]["id"] == "11210100EXAMPLE01N"
    assert "均为通过" in catalogue["description"]["zh"]
    # the department providing the entry owns its automatic assessment
    assert by_subject["SY-DSJ-API-002"]["publisher"]["id"] == "11210100EXAMPLE01N"


def test_a_change_to_the_entry_re_runs_its_assessment(registry: Registry) -> None:
    graph: Graph = registry.show(INTERFACE)
    graph.remove((URIRef(INTERFACE), SCS.authMethod, None))
    body = graph.serialize(format="turtle").encode()
    result = registry.submit([Document("i.ttl", body)], BUREAU)
    assert result.accepted
    assert [(c.item, c.outcome) for c in result.automatic] == [
        (f"{BASE}assessment/{AUTO}", "updated")
    ]
    record = registry.reader().entry("assessment", AUTO)
    assert record["outcome"]["code"] == "failed"
    assert "未说明认证方式" in record["description"]["zh"]
    assert [v.number for v in registry.history(f"{BASE}assessment/{AUTO}")] == [1, 2]
    generation = registry.store.generation()
    again = registry.submit([Document("i.ttl", body)], BUREAU)  # unchanged: nothing new
    assert again.automatic == [] and registry.store.generation() == generation + 1


def test_a_manual_assessment_counts_before_an_automatic_one(registry: Registry) -> None:
    """SY-DSJ-API-002 failed by hand (SY-CA-2026-002); the registry cannot tell: the
    person's judgement is the one the conformity counts."""
    counts = registry.reader().standard_conformity("GB/T 38672-2020")["counts"]
    assert (counts["passed"], counts["failed"], counts["cant_tell"]) == (1, 1, 0)


def test_codes_stay_within_the_shapes_limit() -> None:
    assert assessment_code("101001/000001", "GB/T 21063.3-2007") == (
        "AUTO-101001-000001-GB-T-21063.3-2007"
    )
    long = assessment_code("X" * 64, "GB/T 21063.3-2007")
    assert long.startswith("AUTO-") and len(long) <= 64


def test_assess_all_runs_the_rules_over_a_store_seeded_without_them(
    seeded_dump: bytes, validator
) -> None:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    with Registry(Settings(store="memory"), validator=validator, store=store) as service:
        made = service.assess_all()
        assert [m.accepted for m in made] == [True, True]  # the entries, then the wholes
        changes = [c for m in made for c in m.changes]
        assert {c.kind for c in changes} == {"assessment"}
        # 24 resources, 2 interfaces, the example catalogue and its department
        assert len(changes) == 28
        assert service.assess_all() == []  # nothing changed: nothing written


def test_screg_assess(tmp_path) -> None:
    from click.testing import CliRunner

    from registry.cli import main

    runner = CliRunner()
    first = runner.invoke(main, ["assess", "--store", str(tmp_path / "store")])
    assert first.exit_code == 0, first.output
    assert "28 new or changed" in first.output
    again = runner.invoke(main, ["assess", "--store", str(tmp_path / "store")])
    assert again.exit_code == 0 and "nothing changed" in again.output


def test_a_whole_fails_naming_the_share_of_its_resources_not_assessed(
    seeded_dump: bytes, validator
) -> None:
    """A store seeded without automatic assessments: after one resource changes, its
    catalogue and department are assessed as wholes, and fail naming the 23 of 24
    resources that have no automatic assessment yet; `assess_all` then passes them."""
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    settings = Settings(store="memory", automatic_assessments=True)
    with Registry(settings, validator=validator, store=store) as service:
        resource = URIRef(f"{BASE}resource/101001-000001")
        graph: Graph = service.show(str(resource))
        graph.set((resource, DCTERMS.description, Literal("人口基础信息（摘要已修订）", lang="zh")))
        result = service.submit(
            [Document("r.ttl", graph.serialize(format="turtle").encode())], BUREAU
        )
        assert result.accepted
        made = {c.item.rsplit("/", 1)[-1] for c in result.automatic}
        department = "AUTO-11210100EXAMPLE01N-GB-T-21063.3-2007"
        assert {"AUTO-101001-000001-GB-T-21063.3-2007", department} <= made
        read = service.reader()
        whole = read.entry("assessment", department)
        assert whole["outcome"]["code"] == "failed"
        assert "23 of its 24 resources" in whole["description"]["en"]
        assert "24 项信息资源中 23 项" in whole["description"]["zh"]
        service.assess_all()
        assert service.reader().entry("assessment", department)["outcome"]["code"] == "passed"


def test_a_whole_left_out_its_deprecated_resources(registry: Registry) -> None:
    """A catalogue's and a department's whole assessment counted only their valid
    resources: with one deprecated (still valid, no longer recommended), a department
    of 24 resources was said to have 23. Deprecated resources are assessed and counted
    like valid ones; retired ones are not."""
    from registry.register.submission import REGISTRAR

    department = "AUTO-11210100EXAMPLE01N-GB-T-21063.3-2007"
    registry.change_status(f"{BASE}resource/101001-000001", "deprecated", REGISTRAR, reason="旧")
    registry.change_status(f"{BASE}resource/102001-000001", "retired", REGISTRAR, reason="停")
    registry.assess_all()
    whole = registry.reader().entry("assessment", department)
    assert whole["outcome"]["code"] == "passed"
    assert "each of its 23 resources passed" in whole["description"]["en"]
