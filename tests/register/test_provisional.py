"""Provisional registration (docs/registration.md): a required value that is missing is
a Warning to complete, the entries lacking one are registered as `submitted`, every
other Violation still refuses, and such an entry becomes valid only when complete.

The SEMIC DCAT-AP 3.0.1 example catalogues are read from ../shared, as the DCAT-AP
shapes are (tests/inputs/test_dcat.py), never copied into the project; the library
through a Registry on a memory store, the command line through its runner.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.cli import main
from registry.config import Settings
from registry.errors import ConflictError, NothingMappedError
from registry.inputs.document import Document
from registry.namespaces import SCS
from registry.register.submission import (
    MISSING_VALUE_CONSTRAINTS,
    REGISTRAR,
    TO_COMPLETE,
    Principal,
)
from registry.service import Registry
from registry.store import open_store
from tests.conftest import skip_unless_available
from tests.documents import CODE_LISTS, resource_ttl
from tests.inputs.test_dcat import dcat_ap_dir

BASE = "http://127.0.0.1:8000/id/"
BUREAU = "11210100EXAMPLE01N"
SUBMITTER = Principal(role="submitter", department=URIRef(f"{BASE}department/{BUREAU}"))
# Codes given to what the examples leave without one (--assign-codes).
PREFIX = "109001"


def examples() -> list[Path]:
    folder = dcat_ap_dir() / "examples"
    skip_unless_available(folder.is_dir(), f"SEMIC examples not found at {folder}")
    return sorted(folder.glob("*.ttl"))


def mapping_examples() -> list[Path]:
    """The examples with a dataset or data service: all but the one whose catalogue is
    a dcat:Catalogue (a class DCAT does not have), which maps nothing."""
    found = [e for e in examples() if "catalogue_simple" not in e.name]
    assert len(found) == 2, [e.name for e in examples()]
    return found


def semic(example: Path, text: str | None = None) -> Document:
    data = example.read_bytes() if text is None else text.encode()
    # The publishers are Greek and EU agencies: no registered department.
    return Document(example.name, data, "dcat", {"assign_codes": PREFIX, "department": BUREAU})


def register_status(memory_registry: Registry, item: str) -> str:
    record = memory_registry.reader().record(item)
    assert record is not None, item
    return record["register"]["status"]


def test_each_semic_example_registers_provisionally_as_submitted(memory_registry: Registry) -> None:
    for example in mapping_examples():
        result = memory_registry.submit([semic(example)], SUBMITTER, provisional=True)
        assert result.accepted, example.name
        results = result.report.results
        to_complete = [r for r in results if r.to_complete]
        assert to_complete, example.name
        for r in to_complete:
            # the original constraint kept: the rule is the constraint's, not a list
            assert r.severity == "Warning" and r.constraint in MISSING_VALUE_CONSTRAINTS
            assert r.message_zh.startswith(TO_COMPLETE.zh)
            assert r.message_en.startswith(TO_COMPLETE.en)
        missing = {(r.path or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in to_complete}
        assert "title" in missing  # no Chinese title, for a dataset as for a service
        assert not [r for r in results if r.severity == "Violation"]
        assert any(r.source_shape.endswith("Input-dcat-assigned-code") for r in results)
        assert result.changes and {(c.outcome, c.status) for c in result.changes} == {
            ("new", "submitted")
        }
        for change in result.changes:
            assert register_status(memory_registry, change.item) == "submitted"
            assert memory_registry.history(change.item)[-1].status == "submitted"
        assert {c["status"] for c in result.as_dict()["entries"]} == {"submitted"}


def test_the_unmapped_dcat_parts_are_listed_as_before(memory_registry: Registry) -> None:
    [service] = [e for e in mapping_examples() if "data_service" in e.name]
    result = memory_registry.submit([semic(service)], SUBMITTER, provisional=True)
    unmapped = {
        (r.path or "").rsplit("/", 1)[-1]
        for r in result.report.results
        if r.source_shape.endswith("Input-dcat-unmapped")
    }
    assert {"hvdCategory", "applicableLegislation", "page"} <= unmapped
    [interface] = result.changes
    assert interface.item == f"{BASE}interface/{PREFIX}-API-001"
    assert interface.status == "submitted"


def test_without_provisional_the_semic_examples_are_still_refused(
    memory_registry: Registry,
) -> None:
    for example in mapping_examples():
        result = memory_registry.submit([semic(example)], SUBMITTER)
        assert not result.accepted and result.submission is None
        violations = [r for r in result.report.results if r.severity == "Violation"]
        assert violations and not any(r.to_complete for r in result.report.results)
        assert memory_registry.reader().record(f"{BASE}resource/{PREFIX}-000001") is None


def test_a_catalogue_mapping_nothing_stays_an_error_under_provisional(
    memory_registry: Registry,
) -> None:
    [simple] = [e for e in examples() if "catalogue_simple" in e.name]
    with pytest.raises(NothingMappedError):
        memory_registry.submit([semic(simple)], SUBMITTER, provisional=True)


def test_a_wrong_value_is_still_a_violation_under_provisional(memory_registry: Registry) -> None:
    [bee] = [e for e in mapping_examples() if "bee" in e.name]
    text = bee.read_text(encoding="utf-8") + (
        "<https://data.gov.gr/id/dataset/BeePopulation2023> "
        f"<{SCS.openness}> <{CODE_LISTS}/openness/sometimes> .\n"
    )
    result = memory_registry.submit([semic(bee, text)], SUBMITTER, provisional=True)
    assert not result.accepted
    [wrong] = [r for r in result.report.results if r.severity == "Violation"]
    assert wrong.value == f"{CODE_LISTS}/openness/sometimes"
    assert wrong.constraint not in MISSING_VALUE_CONSTRAINTS
    # An unknown update-cycle code in the registry's own terms, beside a missing title.
    turtle = resource_ttl("109001/000009", title=None, description="更新周期有误。").replace(
        b"update-cycle/daily", b"update-cycle/fortnightly"
    )
    result = memory_registry.submit(
        [Document("r.ttl", turtle, "turtle")], SUBMITTER, provisional=True
    )
    assert not result.accepted
    assert [r.path for r in result.report.results if r.severity == "Violation"] == [
        str(DCTERMS.accrualPeriodicity)
    ]
    assert [r.path for r in result.report.results if r.to_complete] == [str(DCTERMS.title)]


def completed(memory_registry: Registry, item: str) -> bytes:
    """The entry's current version with what the registry requires and it lacked."""
    from rdflib.namespace import XSD  # not at module level: pytest's collection warns

    graph: Graph = memory_registry.show(item)
    entry = URIRef(item)
    data_item = URIRef(f"{item}/item/1")
    for p, o in (
        (DCTERMS.title, Literal("蜂群数量", lang="zh")),
        (DCTERMS.issued, Literal("2024-01-15", datatype=XSD.date)),
        (DCTERMS.accrualPeriodicity, URIRef(f"{CODE_LISTS}/update-cycle/yearly")),
        (SCS["format"], URIRef(f"{CODE_LISTS}/format/spreadsheet")),
        (SCS.sharingType, URIRef(f"{CODE_LISTS}/sharing-type/unconditional")),
        (SCS.openness, URIRef(f"{CODE_LISTS}/openness/open")),
        (SCS.dataItem, data_item),
    ):
        graph.add((entry, p, o))
    for p, o in (
        (RDF.type, SCS.DataItem),
        (SCS.itemName, Literal("蜂群数", lang="zh")),
        (SCS.itemCode, Literal("FQS")),
        (SCS.dataType, URIRef(f"{CODE_LISTS}/data-type/N")),
        (SCS.position, Literal(1)),
    ):
        graph.add((data_item, p, o))
    return graph.serialize(format="turtle", encoding="utf-8")


def test_valid_is_refused_while_incomplete_and_a_complete_resubmission_makes_it_valid(
    memory_registry: Registry,
) -> None:
    [bee] = [e for e in mapping_examples() if "bee" in e.name]
    assert memory_registry.submit([semic(bee)], SUBMITTER, provisional=True).accepted
    item = f"{BASE}resource/{PREFIX}-000001"
    with pytest.raises(ConflictError) as refused:
        memory_registry.change_status(item, "valid", REGISTRAR)
    assert refused.value.status == 409
    assert "尚缺必填值" in refused.value.message.zh
    assert "cannot become valid" in refused.value.message.en
    missing = {
        m["path"].rsplit("#", 1)[-1].rsplit("/", 1)[-1] for m in refused.value.details["missing"]
    }
    assert {"title", "dataItem", "accrualPeriodicity", "issued", "openness"} <= missing
    assert register_status(memory_registry, item) == "submitted"
    # The complete entry, submitted as usual (not provisionally): valid, a new version.
    complete = Document("bee.ttl", completed(memory_registry, item), "turtle")
    result = memory_registry.submit([complete], SUBMITTER)
    assert result.accepted, [
        r.as_dict() for r in result.report.results if r.severity == "Violation"
    ]
    [change] = result.changes
    assert (change.outcome, change.version, change.status) == ("updated", 2, None)
    assert register_status(memory_registry, item) == "valid"
    assert [v.status for v in memory_registry.history(item)] == ["submitted", "valid"]


def test_a_complete_entry_is_valid_under_provisional_and_its_status_changes_as_before(
    memory_registry: Registry,
) -> None:
    """Only the entries lacking a required value are registered as submitted; and the
    check on a change to valid refuses only what is missing."""
    turtle = resource_ttl("109001/000010", title="完整资源", description="完整。")
    result = memory_registry.submit(
        [Document("r.ttl", turtle, "turtle")], SUBMITTER, provisional=True
    )
    # Complete already: nothing to complete, so valid at once.
    assert result.accepted and [c.status for c in result.changes] == [None]
    item = f"{BASE}resource/109001-000010"
    assert register_status(memory_registry, item) == "valid"
    memory_registry.change_status(item, "invalid", REGISTRAR, reason="test")
    memory_registry.change_status(item, "valid", REGISTRAR)
    assert register_status(memory_registry, item) == "valid"


# -- the command line -----------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["--lang", "en", *args], catch_exceptions=False)


def test_cli_register_provisional_registers_the_semic_examples(store_path: str) -> None:
    common = ["--format", "dcat", "--assign-codes", PREFIX, "--department", BUREAU]
    for example in mapping_examples():
        refused = run("register", str(example), *common, "--store", store_path)
        assert refused.exit_code == 1, refused.output  # as before: the report, nothing written
        result = run("register", str(example), *common, "--provisional", "--store", store_path)
        assert result.exit_code == 0, result.output
        assert "To complete before the entry can be valid" in result.output
        assert "registered provisionally, register status submitted" in result.output
        if "data_service" in example.name:
            assert "has no counterpart in the registry" in result.output  # unmapped parts
    history = run("history", f"{PREFIX}/000002", "--json", "--store", store_path)
    assert [v["status"] for v in json.loads(history.output)["versions"]] == ["submitted"]
    refused = run("status", f"{PREFIX}/000002", "valid", "--store", store_path)
    assert refused.exit_code == 2
    assert "lacks required values and cannot become valid" in refused.output


def test_cli_register_provisional_in_chinese_marks_what_to_complete(store_path: str) -> None:
    [bee] = [e for e in mapping_examples() if "bee" in e.name]
    result = CliRunner().invoke(
        main,
        [
            *("--lang", "zh", "register", str(bee), "--format", "dcat"),
            *("--assign-codes", PREFIX, "--department", BUREAU, "--provisional"),
            *("--store", store_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert TO_COMPLETE.zh in result.output and "暂行登记" in result.output


def test_dry_run_says_which_entries_would_be_submitted_and_writes_nothing(
    memory_registry: Registry,
) -> None:
    [bee] = [e for e in mapping_examples() if "bee" in e.name]
    generation = memory_registry.store.generation()
    result = memory_registry.try_submit([semic(bee)], SUBMITTER, provisional=True)
    assert result.accepted and result.submission is None
    assert {(c.outcome, c.status) for c in result.changes} == {("new", "submitted")}
    assert memory_registry.store.generation() == generation


def test_review_does_not_accept_a_version_lacking_required_values(
    seeded_dump: bytes, validator
) -> None:
    """Under review a provisional registration's versions wait as any other; accepting
    one that lacks a required value would make it valid, and is refused as a status
    change to valid is."""
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    settings = Settings(store="memory", seed=False, review_required=True)
    with Registry(settings, validator=validator, store=store) as registry:
        [bee] = [e for e in mapping_examples() if "bee" in e.name]
        result = registry.submit([semic(bee)], SUBMITTER, provisional=True)
        assert result.accepted and result.outcome == "submitted"
        item = f"{BASE}resource/{PREFIX}-000001"
        with pytest.raises(ConflictError) as refused:
            registry.review(item, True, REGISTRAR)
        assert refused.value.details["missing"]
        registry.review(item, False, REGISTRAR, reason="补齐必填值后重新提交")
        assert registry.history(item)[-1].status == "invalid"
