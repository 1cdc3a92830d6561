"""The coverage report is kept with the graph it was computed from (Registry.coverage):
asked again it is not walked again, and after a write it follows the new graph."""

from __future__ import annotations

from registry.graphs.coverage import coverage_report
from registry.register.submission import REGISTRAR
from registry.service import Registry

STANDARD = "http://127.0.0.1:8000/id/standard/GB-T-21063.3-2007"


def test_coverage_is_kept_until_the_graph_changes(registry: Registry) -> None:
    first = registry.coverage()
    assert registry.coverage() is first  # not computed again
    settings = registry.settings
    assert first == coverage_report(
        registry.graph(), settings.target_national, settings.target_local
    )
    registry.change_status(STANDARD, "retired", REGISTRAR, reason="test")
    after = registry.coverage()
    assert after is not first
    assert after == coverage_report(
        registry.graph(), settings.target_national, settings.target_local
    )


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
