"""The conformity answers come from the read model's `assessments` table, in SQL (issue 22
at 50,000 resources: one automatic assessment per resource against GB/T 21063.3 must
not mean one record parsed per assessment per request). They equal the definition in
registry.read.conformity, which reads every record; the SQL reads every table through
an index; and an answer parses only the records of the page it lists."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from registry.config import Settings
from registry.read import conformity
from registry.read.model import ReadModel
from registry.register.submission import REGISTRAR
from registry.service import Registry
from registry.store import open_store

BASE = "http://127.0.0.1:8000/id/"
TODAY = date(2026, 12, 6)
DEPARTMENT = "11210100EXAMPLE01N"
CORE = "GB/T 21063.3-2007"
# A resource of the example department that claims a standard and is assessed.
RETIRED = f"{BASE}resource/101001-000001"


@pytest.fixture
def registry(assessed_dump: bytes, validator) -> Iterator[Registry]:
    store = open_store("memory")
    store.load_dump(assessed_dump, "nquads")
    with Registry(Settings(store="memory"), validator=validator, store=store) as service:
        yield service


def _closed(read: ReadModel) -> frozenset[str]:
    """The entries whose register status keeps their claims and assessments uncounted."""
    return frozenset(
        record["iri"]
        for kind in ("resource", "interface", "department")
        for record in read.list_entries(kind, limit=100_000).items
        if record["register"]["status"] in conformity.CLOSED
    )


def _oracle_standard(read: ReadModel, iri: str) -> dict:
    standard = read.record(iri)
    claims = [
        {"iri": e["source"], "kind": e["kind"]}
        for e in read.edges(target=iri)
        if e["relation"] == "conforms_to" and e["kind"] in ("resource", "interface")
    ]
    named = {k: standard[k] for k in ("iri", "id", "href", "title")}
    return conformity.standard_conformity(
        named,
        claims,
        read.assessments_of("test", [iri]),
        TODAY,
        read.rules_version,
        _closed(read),
    )


def _standards_assessed(read: ReadModel) -> list[str]:
    return sorted(
        {a["test"]["iri"] for a in read.list_entries("assessment", limit=500).items if a["test"]}
    )


def _department_subjects(read: ReadModel) -> tuple[dict[str, Any], list[str], set[str]]:
    """The example department's record, the resources and interfaces it provides, and
    its catalogues that have an assessment: the subjects of its conformity."""
    department = read.record(f"{BASE}department/{DEPARTMENT}")
    entries = [
        e["source"]
        for e in read.edges(target=department["iri"])
        if e["relation"] == "publisher" and e["kind"] in ("resource", "interface")
    ]
    catalogues = {
        a["subject"]["iri"]
        for a in read.assessments_of("publisher", [department["iri"]])
        if a["subject"]["iri"].startswith(f"{BASE}catalogue/{DEPARTMENT}/")
    }
    return department, entries, catalogues


@pytest.mark.parametrize("rules", ["current", "changed", "a resource retired"])
def test_the_sql_answers_equal_the_definition_over_every_record(
    registry: Registry, rules: str
) -> None:
    if rules == "a resource retired":
        # A retired resource still counted as claiming and passing its standards.
        registry.change_status(RETIRED, "retired", REGISTRAR, reason="不再提供")
    read = registry.reader()
    if rules == "changed":  # every automatic assessment outdated
        read.rules_version = "another-version"
    standards = _standards_assessed(read)
    assert len(standards) >= 3
    outdated = 0
    for iri in standards:
        expected = _oracle_standard(read, iri)
        answer = read.standard_conformity(iri, TODAY, limit=500)
        assert answer["counts"] == expected["counts"], iri
        assert [(a["iri"], a["latest"], a["outdated"]) for a in answer["assessments"]] == [
            (a["iri"], a["latest"], a["outdated"]) for a in expected["assessments"]
        ]
        assert sorted(
            (c["iri"], (c["assessment"] or {}).get("iri")) for c in answer["claimed_by"]
        ) == sorted((c["iri"], (c["assessment"] or {}).get("iri")) for c in expected["claimed_by"])
        outdated += answer["counts"]["outdated"]
    assert (outdated > 0) == (rules == "changed")

    department, entries, catalogues = _department_subjects(read)
    assert catalogues  # the example catalogue's automatic assessment
    claims = [
        (e["source"], {"iri": e["target"]})
        for e in read.edges()
        if e["relation"] == "conforms_to" and e["source"] in set(entries)
    ]
    expected = conformity.department_conformity(
        {"iri": department["iri"]},
        entries,
        claims,
        read.assessments_of("subject", [*entries, department["iri"], *catalogues]),
        len(read.assessments_of("publisher", [department["iri"]])),
        TODAY,
        read.rules_version,
        _closed(read),
    )
    answer = read.department_conformity(DEPARTMENT, TODAY)
    assert answer["counts"] == expected["counts"]

    def by_standard(rows: list[dict]) -> dict[str, dict]:
        return {r["standard"]["iri"]: {k: v for k, v in r.items() if k != "standard"} for r in rows}

    assert by_standard(answer["standards"]) == by_standard(expected["standards"])


# A table read whole: what the answers must never do over entries, edges or assessments.
FULL_SCAN = re.compile(r"\bSCAN (entries|edges|assessments|a|e|g)\b")


def test_a_standards_answer_reads_indexes_and_parses_only_its_page(
    assessed_dump: bytes, validator, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs) -> sqlite3.Connection:
        db = connect(*args, **kwargs)
        db.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(sqlite3, "connect", traced)
    store = open_store("memory")
    store.load_dump(assessed_dump, "nquads")
    model = tmp_path / "read.sqlite"  # a file: the plans are read beside the model
    settings = Settings(store="memory", read_model=str(model))
    with Registry(settings, validator=validator, store=store) as registry:
        read = registry.reader()
        iri = read.resolve(CORE)
        parsed = []
        loads = json.loads

        def counting(text, *args, **kwargs):
            parsed.append(1)
            return loads(text, *args, **kwargs)

        statements.clear()
        monkeypatch.setattr(json, "loads", counting)
        answer = read.standard_conformity(iri, TODAY, limit=3)
        monkeypatch.setattr(json, "loads", loads)
        ran = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]

        # the counts cover every assessment; the records parsed, only the page's
        assert answer["counts"]["assessed"] >= 24
        assert answer["page"]["assessments_total"] >= 24
        assert len(answer["assessments"]) == 3 and len(answer["claimed_by"]) == 3
        assert len(parsed) <= 1 + 3 + 3  # the standard, a page of each list

        explain = connect(model)
        plans = [(s, [row[-1] for row in explain.execute(f"EXPLAIN QUERY PLAN {s}")]) for s in ran]
        explain.close()
        assert plans
        scans = [(s, step) for s, steps in plans for step in steps if FULL_SCAN.search(step)]
        assert scans == []
        used = {step for _s, steps in plans for step in steps}
        assert any("assessments_test" in step for step in used)


def _oracle_reassessments(read: ReadModel, iri: str, successor: str | None) -> list[dict]:
    named = None
    if successor is not None:
        found = read.record(successor)
        named = {k: found.get(k) for k in ("iri", "id", "href", "title")}
    return conformity.reassessments(read.assessments_of("test", [iri]), named, TODAY)


def test_the_impact_flags_from_sql_equal_the_definition_over_every_record(
    registry: Registry,
) -> None:
    """The assessments impact analysis flags were read one record per assessment; now
    a page in SQL: every page together is the definition's list, in its order."""
    read = registry.reader()
    successor = read.resolve("GB/T 22239-2019")
    for iri in _standards_assessed(read):
        for after in (None, successor):
            expected = _oracle_reassessments(read, iri, after)
            total, every = read.reassessments(iri, after, TODAY)
            assert total == len(expected) and every == expected, iri
            walked: list[dict] = []
            while len(walked) < total:
                _total, page = read.reassessments(iri, after, TODAY, limit=2, offset=len(walked))
                assert _total == total and 0 < len(page) <= 2
                walked += page
            assert walked == expected, iri
    # The catalogue standard: an automatic assessment per resource, more than a page.
    total, page = read.reassessments(read.resolve(CORE), None, TODAY, limit=3)
    assert total >= 24 and len(page) == 3


def test_a_departments_assessments_from_sql_equal_the_definition(registry: Registry) -> None:
    read = registry.reader()
    department, entries, catalogues = _department_subjects(read)
    kept = conformity.counting(
        read.assessments_of("subject", [*entries, department["iri"], *catalogues])
    )
    last = {id(a) for a in conformity.latest(kept).values()}
    expected = [
        (a["iri"], id(a) in last)
        for a in sorted(kept, key=lambda a: (a.get("date") or "", a["iri"]), reverse=True)
    ]
    whole = read.department_conformity(DEPARTMENT, TODAY, limit=500)
    assert whole["page"]["assessments_total"] == len(expected) > 3
    assert [(a["iri"], a["latest"]) for a in whole["assessments"]] == expected
    standards: list[dict] = []
    while len(standards) < whole["page"]["standards_total"]:
        found = read.department_conformity(
            DEPARTMENT, TODAY, limit=1, standards_limit=2, standards_offset=len(standards)
        )
        assert 0 < len(found["standards"]) <= 2
        standards += found["standards"]
    assert standards == whole["standards"] and len(standards) > 2
    walked: list[tuple[str, bool]] = []
    while len(walked) < len(expected):
        page = read.department_conformity(DEPARTMENT, TODAY, limit=3, offset=len(walked))
        assert page["counts"] == whole["counts"] and page["standards"] == whole["standards"]
        assert page["page"]["assessments_total"] == len(expected)
        walked += [(a["iri"], a["latest"]) for a in page["assessments"]]
    assert walked == expected


@pytest.mark.parametrize("answer", ["reassessments", "department"])
def test_the_impact_and_department_answers_parse_only_their_page(
    assessed_dump: bytes, validator, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    store = open_store("memory")
    store.load_dump(assessed_dump, "nquads")
    with Registry(Settings(store="memory"), validator=validator, store=store) as registry:
        read = registry.reader()
        core = read.resolve(CORE)
        parsed = []
        loads = json.loads

        def counting(text, *args, **kwargs):
            parsed.append(1)
            return loads(text, *args, **kwargs)

        monkeypatch.setattr(json, "loads", counting)
        if answer == "reassessments":
            total, page = read.reassessments(core, None, TODAY, limit=3)
            assert total >= 24 and len(page) == 3
            assert len(parsed) <= 3
        else:
            found = read.department_conformity(DEPARTMENT, TODAY, limit=3, standards_limit=1)
            assert found["page"]["assessments_total"] >= 3 and len(found["assessments"]) == 3
            assert found["page"]["standards_total"] > 1 and len(found["standards"]) == 1
            # the department, the one standard its page of rows names, and the page
            assert len(parsed) <= 1 + 1 + 3


def test_a_retired_resource_still_claimed_and_passed_its_standard(registry: Registry) -> None:
    """A retired resource was still listed among those claiming a standard, and its
    automatic verdict still counted: how far a standard is applied counted an entry
    the register no longer serves. Neither counts once it is retired."""
    read = registry.reader()
    claimed = [
        e["target"]
        for e in read.edges()
        if e["source"] == RETIRED and e["relation"] == "conforms_to"
    ]
    assert claimed, "the example resource claims a standard"
    before = {t: read.standard_conformity(t, TODAY, limit=500) for t in [*claimed, CORE]}
    department = read.department_conformity(DEPARTMENT, TODAY)
    registry.change_status(RETIRED, "retired", REGISTRAR, reason="不再提供")
    read = registry.reader()
    for target, was in before.items():
        now = read.standard_conformity(target, TODAY, limit=500)
        assert RETIRED not in {c["iri"] for c in now["claimed_by"]}
        assert RETIRED not in {a["subject"]["iri"] for a in now["assessments"] if a["subject"]}
        gone = RETIRED in {c["iri"] for c in was["claimed_by"]}
        assert now["counts"]["claimed"] == was["counts"]["claimed"] - gone
        assessed = RETIRED in {
            a["subject"]["iri"] for a in was["assessments"] if a["latest"] and a["subject"]
        }
        assert now["counts"]["assessed"] == was["counts"]["assessed"] - assessed
    after = read.department_conformity(DEPARTMENT, TODAY)
    assert after["counts"]["claims"] == department["counts"]["claims"] - len(set(claimed))
