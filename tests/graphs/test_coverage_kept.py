"""The coverage walk is kept with the graph it was made from (Registry.coverage_walk):
asked again it is not walked again, and after a write it follows the new graph; a page
of the report is a slice of the whole one."""

from __future__ import annotations

import gc
import weakref

from registry.graphs.coverage import COVERAGE_LISTS, coverage_report
from registry.graphs.queries import reference_groups
from registry.register.submission import REGISTRAR
from registry.service import Registry

STANDARD = "http://127.0.0.1:8000/id/standard/GB-T-21063.3-2007"


def _whole(registry: Registry) -> dict:
    settings = registry.settings
    return coverage_report(registry.graph(), settings.target_national, settings.target_local)


def _without_pages(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "pages"}


def test_coverage_is_kept_until_the_graph_changes(registry: Registry) -> None:
    first = registry.coverage_walk()
    assert registry.coverage_walk() is first  # not walked again
    assert _without_pages(registry.coverage()) == _whole(registry)
    registry.change_status(STANDARD, "retired", REGISTRAR, reason="test")
    after = registry.coverage_walk()
    assert after is not first
    assert _without_pages(registry.coverage()) == _whole(registry)


def test_a_coverage_page_is_a_slice_of_each_list_with_its_envelope(registry: Registry) -> None:
    whole = _whole(registry)
    longest = max(COVERAGE_LISTS, key=lambda name: len(whole[name]))
    total = len(whole[longest])
    assert total >= 3, "the examples have a list long enough to page"
    page = registry.coverage(offset=1, limit=2)
    for name in COVERAGE_LISTS:
        assert page[name] == whole[name][1:3], name
        left = len(whole[name])
        assert page["pages"][name] == {
            "total": left,
            "offset": 1,
            "limit": 2,
            "next_offset": 3 if left > 3 else None,
        }, name
    assert page["categories"] == whole["categories"]
    assert page["targets"] == whole["targets"]
    last = registry.coverage(offset=total - 1, limit=5)
    assert last[longest] == whole[longest][-1:]
    assert last["pages"][longest]["next_offset"] is None


def test_plan_targets_count_only_standards_valid_in_the_register(registry: Registry) -> None:
    """Issue 16: a standard retired, or superseded through the register while its own
    status still said current, kept counting toward the plan's targets."""
    before = registry.coverage()["targets"]["national"]["count"]
    registry.change_status(STANDARD, "retired", REGISTRAR, reason="withdrawn")
    assert registry.coverage()["targets"]["national"]["count"] == before - 1
    registry.change_status(
        "http://127.0.0.1:8000/id/standard/GB-T-22239-2019",
        "superseded",
        REGISTRAR,
        successor="http://127.0.0.1:8000/id/standard/GB-T-35273-2020",
        reason="test",
    )
    assert registry.coverage()["targets"]["national"]["count"] == before - 2


def test_reference_groups_are_kept_until_the_graph_changes_and_hold_no_graph(
    registry: Registry,
) -> None:
    """/api/v1/cycles computed the groups on every request (~0.16 s at 50,000
    resources); they are kept with a weak reference to their graph."""
    first = registry.reference_groups()
    assert registry.reference_groups() is first
    assert first == reference_groups(registry.graph())
    graph = weakref.ref(registry.graph())
    registry.change_status(STANDARD, "retired", REGISTRAR, reason="test")
    assert registry.graph() is not graph()  # the graph brought up to date
    gc.collect()
    assert graph() is None  # the groups kept do not hold the replaced graph
    after = registry.reference_groups()
    assert after is not first and after == reference_groups(registry.graph())
