"""How far each standard is applied: the answers of docs/assessment.md ("Questions"),
computed from the read model's records of assessments and of the entries that claim
a standard (dct:conformsTo).

Plain functions over records (`registry.read.model.ReadModel` reads them): an
assessment counts while its register status keeps it (not retired, invalid or
superseded); of several assessments of one entry against one standard the latest
(by date, then code; a manual one before any automatic one) is the one that says
where the entry stands; it has expired
when its `valid_until` is before `today`, and an automatic one is outdated when it
was made under other rules or shapes than those loaded now (`rules`, its
`rules_version`). The outcome counts are over those latest assessments that have
neither expired nor are outdated; those are counted apart, so that
passed + failed + cant_tell + inapplicable + expired + outdated = assessed.

`registry.read.model.ReadModel` answers the same questions in SQL over its
`assessments` table (the functions here read every record: they are the definition
the SQL must equal, tests/read/test_conformity.py); summaries and reassessments are
built here for the page of records an answer lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

# Register statuses under which an assessment no longer counts.
CLOSED = frozenset({"retired", "invalid", "superseded"})
OUTCOME_KEYS = {
    "passed": "passed",
    "failed": "failed",
    "cantTell": "cant_tell",
    "inapplicable": "inapplicable",
}


def today_utc() -> date:
    return datetime.now(UTC).date()


def expired(record: dict[str, Any], today: date) -> bool:
    """Whether the assessment's validity ended before `today`."""
    until = record.get("valid_until")
    if not until:
        return False
    try:
        return date.fromisoformat(str(until)[:10]) < today
    except ValueError:
        return False


def outdated(record: dict[str, Any], rules: str | None) -> bool:
    """Whether an automatic assessment was made under other rules than `rules`."""
    if rules is None or (record.get("mode") or {}).get("code") != "automatic":
        return False
    return (record.get("rules_version") or "") != rules


def state(record: dict[str, Any], today: date, rules: str | None) -> str | None:
    """What the answers count the assessment as: expired, outdated, or its outcome."""
    if expired(record, today):
        return "expired"
    if outdated(record, rules):
        return "outdated"
    return (record.get("outcome") or {}).get("code")


def counting(
    assessments: Iterable[dict[str, Any]], closed_subjects: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """The assessments whose register status keeps them counted, of subjects that are
    not in `closed_subjects` (the entries whose own status is CLOSED: a retired
    resource's claim and verdict no longer say how far a standard is applied)."""
    return [
        a
        for a in assessments
        if (a.get("register") or {}).get("status") not in CLOSED
        and _iri(a.get("subject")) not in closed_subjects
    ]


def _iri(ref: dict[str, Any] | None) -> str | None:
    return ref["iri"] if ref else None


def latest(assessments: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(subject IRI, standard IRI) -> the latest assessment of that pair."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for a in assessments:
        subject, test = _iri(a.get("subject")), _iri(a.get("test"))
        if subject is None or test is None:
            continue
        key = (subject, test)
        held = found.get(key)
        if held is None or _recency(a) > _recency(held):
            found[key] = a
    return found


def _recency(record: dict[str, Any]) -> tuple[bool, str, str]:
    """A person's judgement before the registry's own check, then the later one."""
    manual = (record.get("mode") or {}).get("code") != "automatic"
    return (manual, record.get("date") or "", record["iri"])


def summary(record: dict[str, Any], today: date, rules: str | None = None) -> dict[str, Any]:
    """An assessment as the questions list it."""
    return {
        "iri": record["iri"],
        "id": record.get("id"),
        "href": record.get("href"),
        "title": record.get("title") or {},
        "subject": record.get("subject"),
        "test": record.get("test"),
        "clause": record.get("clause"),
        "outcome": record.get("outcome"),
        "mode": record.get("mode"),
        "date": record.get("date"),
        "valid_until": record.get("valid_until"),
        "expired": expired(record, today),
        "outdated": outdated(record, rules),
        "publisher": record.get("publisher"),
        "register_status": (record.get("register") or {}).get("status"),
    }


def empty_counts() -> dict[str, int]:
    """The counts of assessments, in the order the read model's SQL gives them."""
    return {
        "assessed": 0,
        **dict.fromkeys(OUTCOME_KEYS.values(), 0),
        "expired": 0,
        "outdated": 0,
    }


def _count(counts: dict[str, int], record: dict[str, Any], today: date, rules: str | None) -> None:
    counts["assessed"] += 1
    found = state(record, today, rules)
    if found in ("expired", "outdated"):
        counts[found] += 1
    elif found in OUTCOME_KEYS:
        counts[OUTCOME_KEYS[found]] += 1


def standard_conformity(
    standard: dict[str, Any],
    claims: list[dict[str, Any]],
    assessments: list[dict[str, Any]],
    today: date,
    rules: str | None = None,
    closed_subjects: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """For one standard: the entries that claim it, the assessments against it, and
    the counts (claimed, of those assessed, and each outcome of the latest assessment
    of every entry assessed). The claims and assessments of `closed_subjects` do not
    count (`counting`)."""
    claims = [c for c in claims if c["iri"] not in closed_subjects]
    kept = counting(assessments, closed_subjects)
    last = latest(kept)
    counts = {"claimed": len(claims), "claimed_assessed": 0, **empty_counts()}
    for record in last.values():
        _count(counts, record, today, rules)
    by_subject = {subject: record for (subject, _test), record in last.items()}
    claimed = []
    for claim in claims:
        found = by_subject.get(claim["iri"])
        if found is not None:
            counts["claimed_assessed"] += 1
        claimed.append({**claim, "assessment": summary(found, today, rules) if found else None})
    current = {id(r) for r in last.values()}
    listed = [
        {**summary(a, today, rules), "latest": id(a) in current}
        for a in sorted(kept, key=lambda a: (a.get("date") or "", a["iri"]), reverse=True)
    ]
    return {
        "standard": standard,
        "as_of": today.isoformat(),
        "counts": counts,
        "claimed_by": claimed,
        "assessments": listed,
    }


def department_conformity(
    department: dict[str, Any],
    entries: list[dict[str, Any]],
    claims: list[tuple[str, dict[str, Any]]],
    assessments: list[dict[str, Any]],
    recorded: int,
    today: date,
    rules: str | None = None,
    closed_subjects: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """For one department, at a glance: its entries (and itself) and the standards they
    claim, the latest assessment of every (entry, standard) pair, counted in all and by
    standard. `claims` holds (entry IRI, standard reference) pairs; `recorded` counts
    the assessments the department itself recorded (it is their dct:publisher). The
    claims and assessments of `closed_subjects` do not count (`counting`)."""
    claims = [(entry, std) for entry, std in claims if entry not in closed_subjects]
    last = latest(counting(assessments, closed_subjects))
    claimed_pairs = {(entry, std["iri"]) for entry, std in claims}
    counts = {
        "entries": len(entries),
        "claims": len(claimed_pairs),
        "claims_assessed": len(claimed_pairs & last.keys()),
        **empty_counts(),
        "recorded": recorded,
    }
    by_standard: dict[str, dict[str, Any]] = {}

    def row(std: dict[str, Any]) -> dict[str, Any]:
        return by_standard.setdefault(std["iri"], {"standard": std, "claimed": 0, **empty_counts()})

    for _entry, std in claims:
        row(std)["claimed"] += 1
    for record in last.values():
        _count(counts, record, today, rules)
        _count(row(record["test"]), record, today, rules)
    return {
        "department": department,
        "as_of": today.isoformat(),
        "counts": counts,
        "standards": sorted(
            by_standard.values(),
            key=lambda r: (str(r["standard"].get("id") or ""), r["standard"]["iri"]),
        ),
    }


def _standard_order(row: dict[str, Any]) -> tuple[str, str]:
    return (str(row["standard"].get("id") or ""), row["standard"]["iri"])


def reassess_action(successor: dict[str, Any] | None) -> dict[str, str]:
    """What to do about an assessment against a standard that is superseded or
    abolished: make it again against the successor (or, with none, review it)."""
    name = (successor or {}).get("id") or (successor or {}).get("iri")
    if name:
        return {
            "code": "reassess-against-successor",
            "zh": f"须对照后继标准 {name} 重新评估",
            "en": f"re-assess against the successor {name}",
        }
    return {
        "code": "reassess",
        "zh": "该标准不再有效且无后继标准，须重新评估或撤销该评估",
        "en": "the standard no longer holds and has no successor: re-assess or retire "
        "the assessment",
    }


def flagged(
    record: dict[str, Any],
    is_latest: bool,
    successor: dict[str, Any] | None,
    today: date,
) -> dict[str, Any]:
    """An assessment as the impact analysis lists it: flagged to be made again."""
    return {
        **summary(record, today),
        "latest": is_latest,
        "action": reassess_action(successor),
        "successor": successor,
    }


def reassessments(
    assessments: list[dict[str, Any]], successor: dict[str, Any] | None, today: date
) -> list[dict[str, Any]]:
    """The assessments against a standard that is superseded or abolished, newest first,
    each flagged to be made again against its successor (or, with none, to be
    reviewed). `ReadModel.reassessments` answers a page of the same in SQL."""
    kept = counting(assessments)
    last = {id(r) for r in latest(kept).values()}
    return [
        flagged(a, id(a) in last, successor, today)
        for a in sorted(kept, key=lambda a: (a.get("date") or "", a["iri"]), reverse=True)
    ]
