"""Background work that steps aside while requests are answered
(registry.runtime.foreground)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from registry.runtime import foreground
from registry.runtime.foreground import (
    answering,
    answering_now,
    courteous,
    in_background,
    waiting_for_background,
)


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A step aside every 4 items, of up to a minute whatever the work before it:
    whether the background moves on depends only on the requests being answered."""
    monkeypatch.setattr(foreground, "EVERY", 4)
    monkeypatch.setattr(foreground, "MAX_WAIT_SECONDS", 60.0)
    monkeypatch.setattr(foreground, "PATIENCE", 1e9)
    yield


def _background(items: int, seen: list[int]) -> threading.Thread:
    def run() -> None:
        with in_background():
            for item in courteous(range(items)):
                seen.append(item)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_background_work_stops_at_its_next_step_while_a_request_is_answered(
    patient: None,
) -> None:
    seen: list[int] = []
    with answering():
        thread = _background(20, seen)
        thread.join(0.3)
        assert thread.is_alive()
        assert seen == [0, 1, 2]  # the fourth item waits for the request
    thread.join(10)
    assert not thread.is_alive()
    assert seen == list(range(20))
    assert answering_now() == 0


def test_background_work_goes_on_for_a_request_that_waits_for_it(patient: None) -> None:
    seen: list[int] = []
    with answering():
        thread = _background(20, seen)
        thread.join(0.3)
        assert thread.is_alive()
        with waiting_for_background():
            thread.join(10)
            assert not thread.is_alive()
    assert seen == list(range(20))


def test_background_work_waits_for_the_other_requests_while_one_waits_for_it(
    patient: None,
) -> None:
    seen: list[int] = []
    with answering(), answering():
        thread = _background(20, seen)
        with waiting_for_background():  # one of two: the other is still answered
            thread.join(0.3)
            assert thread.is_alive()
            assert seen == [0, 1, 2]
    thread.join(10)
    assert seen == list(range(20))


def test_a_step_aside_lasts_at_most_max_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under requests that never end, the background still ends."""
    monkeypatch.setattr(foreground, "EVERY", 4)
    monkeypatch.setattr(foreground, "MAX_WAIT_SECONDS", 0.01)
    seen: list[int] = []
    with answering():
        thread = _background(20, seen)
        thread.join(10)
        assert not thread.is_alive()
    assert seen == list(range(20))


def test_under_endless_requests_the_background_waits_at_most_patience_times_its_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slow upload or a slow reader keeps a request in flight for long: the
    background still has its share of the time (a fifth, with PATIENCE 4)."""
    monkeypatch.setattr(foreground, "EVERY", 4)
    monkeypatch.setattr(foreground, "MAX_WAIT_SECONDS", 60.0)
    monkeypatch.setattr(foreground, "PATIENCE", 4.0)
    seen: list[int] = []

    def run() -> None:
        with in_background():
            for item in courteous(range(20)):
                time.sleep(0.002)  # the work of one item
                seen.append(item)

    with answering():
        began = time.perf_counter()
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(10)
        took = time.perf_counter() - began
        assert not thread.is_alive()
    assert seen == list(range(20))
    # Five steps aside, each after at least three items' work (6 ms): 24 ms or more.
    assert took >= 5 * 4 * 0.006


def test_outside_the_background_nothing_waits(patient: None) -> None:
    """The CLI, the tests, a request building the graph itself: never held back."""
    with answering():
        assert list(courteous(range(20))) == list(range(20))


def test_waiting_for_background_inside_the_background_changes_no_count(
    patient: None,
) -> None:
    """The background thread asks for the graph it assembles (Registry.graph): that
    must not count as a request waiting for it, or it would stop waiting for the
    request being answered."""
    counts: list[int] = []
    with answering():

        def run() -> None:
            with in_background(), waiting_for_background():
                counts.append(answering_now())

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(10)
    assert counts == [1]
