"""The CLI's progress bar: drawn on a terminal only, fed by the validator's callback."""

from __future__ import annotations

import io

from registry.cli import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_only_on_a_terminal() -> None:
    assert progress.wanted(_Terminal())
    assert not progress.wanted(io.StringIO())
    with progress.progress_bar("validating") as update:
        assert update is None  # pytest captures stderr: not a terminal


def test_validator_reports_progress_to_the_end(validator) -> None:
    from rdflib import Graph

    from tests.conftest import EXAMPLES

    calls: list[tuple[int, int]] = []
    graph = Graph().parse(EXAMPLES / "standards.ttl")
    small = type(validator)(validator.shapes, validator.vocabulary, progress_step=5)
    small.validate(graph, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) > 1
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1][0] == calls[-1][1] > 5
