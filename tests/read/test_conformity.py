"""The conformity counts (registry.read.conformity) on records made by hand: the latest
assessment of an entry against a standard decides, an expired one is counted apart,
a retired one not at all."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.inputs.earl import term_of
from registry.read.conformity import expired, reassessments, standard_conformity, state

STD = {"iri": "s", "id": "GB/T 1-2020", "href": None, "title": {}}
EARL = "http://www.w3.org/ns/earl#"


def made(code: str, subject: str, outcome: str, day: str, until: str | None = None, status="valid"):
    record: dict[str, Any] = {
        "iri": code,
        "id": code,
        "subject": {"iri": subject},
        "test": {"iri": "s"},
        "outcome": term_of(EARL + outcome),
        "date": day,
        "valid_until": until,
        "register": {"status": status},
    }
    return record


def test_the_latest_assessment_decides_and_expired_ones_are_counted_apart() -> None:
    today = date(2026, 12, 6)
    claims = [{"iri": "a"}, {"iri": "b"}, {"iri": "c"}]
    answer = standard_conformity(
        STD,
        claims,
        [
            made("1", "a", "failed", "2025-01-01"),
            made("2", "a", "passed", "2026-01-01", "2027-01-01"),
            made("3", "b", "passed", "2024-01-01", "2025-01-01"),
            made("4", "c", "cantTell", "2026-02-01", status="retired"),
            made("5", "d", "inapplicable", "2026-02-01"),
        ],
        today,
    )
    assert answer["counts"] == {
        "claimed": 3,
        "claimed_assessed": 2,
        "assessed": 3,
        "passed": 1,
        "failed": 0,
        "cant_tell": 0,
        "inapplicable": 1,
        "expired": 1,
        "outdated": 0,
    }
    assert [(a["id"], a["latest"]) for a in answer["assessments"]] == [
        ("5", True),
        ("2", True),
        ("1", False),
        ("3", True),
    ]
    automatic = {**made("6", "e", "passed", "2026-01-01"), "mode": {"code": "automatic"}}
    assert state({**automatic, "rules_version": "old"}, today, "new") == "outdated"
    assert state({**automatic, "rules_version": "new"}, today, "new") == "passed"
    assert state(made("7", "e", "passed", "2026-01-01"), today, "new") == "passed"  # manual
    assert expired({"valid_until": "2026-12-05"}, today)
    assert not expired({"valid_until": "2026-12-06"}, today)


def test_reassessment_flags_name_the_successor_in_zh_and_en() -> None:
    flagged = reassessments(
        [made("1", "a", "passed", "2026-01-01")],
        {"iri": "t", "id": "GB/T 1-2024"},
        date(2026, 12, 6),
    )
    assert flagged[0]["action"]["zh"] == "须对照后继标准 GB/T 1-2024 重新评估"
    assert flagged[0]["action"]["en"] == "re-assess against the successor GB/T 1-2024"
