"""The job queue: registrars first, departments in turn, anonymous work on a runner of
its own; a byte cap.

Orders are asserted from the queue's own record of the order jobs finished in, never
from clocks. A first job holds a runner thread on an event while the others are
queued, so what is compared is the queue's choice alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from registry.errors import QueueFullError
from registry.register.jobs import Job, JobQueue, Lane

ANONYMOUS = Lane("anonymous", "192.0.2.1")


@pytest.fixture
def queue() -> Iterator[JobQueue]:
    jobs = JobQueue(max_queued_bytes=1000)
    yield jobs
    jobs.close(timeout=10)


def _work(progress: Any) -> dict[str, Any]:
    return {}


# A lane of the token holders' runner that is served before every department's.
HOLDER = Lane("registrar")


def _hold(queue: JobQueue, lane: Lane = ANONYMOUS) -> threading.Event:
    """A job that keeps the runner of `lane` busy until the returned event is set."""
    gate, started = threading.Event(), threading.Event()

    def held(progress: Any) -> dict[str, Any]:
        started.set()
        gate.wait(60)
        return {}

    queue.submit("validation", held, lane=lane)
    assert started.wait(60), "the runner never took the first job"
    return gate


def _finish(queue: JobQueue, jobs: list[Job]) -> list[int]:
    """Once every one of `jobs` has finished: the order they finished in."""
    for job in jobs:
        assert _done(job), job
    return [job.sequence or 0 for job in jobs]


def _done(job: Job, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while job.status not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.005)  # polling the job's own record; the order comes from it
    return job.status == "done"


def test_a_registrars_small_job_is_not_queued_behind_anonymous_big_validations(
    queue: JobQueue,
) -> None:
    anonymous_gate = _hold(queue)
    gate = _hold(queue, HOLDER)
    anonymous = [
        queue.submit("validation", _work, lane=Lane("anonymous", f"198.51.100.{i}"), size=19)
        for i in range(5)
    ]
    department = queue.submit("submission", _work, lane=Lane("department", "urn:dept:a"))
    registrar = queue.submit("submission", _work, lane=Lane("registrar"), size=1)
    gate.set()
    order = _finish(queue, [registrar, department])
    assert order[0] < order[1], order
    # An anonymous job reading for its whole budget held the one runner, and every
    # token holder's job waited behind it: they have finished while it still runs.
    assert {job.status for job in anonymous} == {"queued"}
    anonymous_gate.set()
    assert min(_finish(queue, anonymous)) > order[1]


def test_departments_take_turns(queue: JobQueue) -> None:
    gate = _hold(queue, HOLDER)
    a = [queue.submit("submission", _work, lane=Lane("department", "a")) for _ in range(3)]
    b = queue.submit("submission", _work, lane=Lane("department", "b"))
    gate.set()
    a1, a2, a3, b1 = _finish(queue, [*a, b])
    assert a1 < b1 < a2 < a3


def test_anonymous_clients_take_turns(queue: JobQueue) -> None:
    gate = _hold(queue)
    first = [queue.submit("validation", _work, lane=Lane("anonymous", "x")) for _ in range(3)]
    other = queue.submit("validation", _work, lane=Lane("anonymous", "y"))
    gate.set()
    x1, x2, _, y1 = _finish(queue, [*first, other])
    assert x1 < y1 < x2


def test_queued_bytes_cap_refuses_with_retry_after(queue: JobQueue) -> None:
    gate = _hold(queue)
    token_gate = _hold(queue, HOLDER)
    queued = [queue.submit("validation", _work, lane=Lane("anonymous", "a"), size=400)]
    # Anonymous work may hold half the cap (500 of 1,000 bytes).
    with pytest.raises(QueueFullError) as refused:
        queue.submit("validation", _work, lane=Lane("anonymous", "b"), size=101)
    assert refused.value.status == 503 and refused.value.retry_after > 0
    # Token holders still find room beside it, up to the whole cap.
    queued.append(queue.submit("submission", _work, lane=Lane("department", "d"), size=600))
    with pytest.raises(QueueFullError):
        queue.submit("submission", _work, lane=Lane("registrar"), size=1)
    assert queue.queued_bytes() == 1000
    gate.set()
    token_gate.set()
    _finish(queue, queued)
    assert queue.queued_bytes() == 0
    queue.submit("submission", _work, lane=Lane("registrar"), size=1000)


def test_on_finish_is_called_for_done_failed_and_dropped_jobs() -> None:
    queue = JobQueue()
    calls: list[str] = []
    gate = _hold(queue)

    def fails(progress: Any) -> dict[str, Any]:
        raise ValueError("a bug")

    queue.submit("validation", fails, lane=ANONYMOUS, on_finish=lambda: calls.append("failed"))
    gate.set()
    _finish(queue, [])
    gate = _hold(queue)
    queue.submit("validation", _work, lane=ANONYMOUS, on_finish=lambda: calls.append("dropped"))
    gate.set()
    queue.close(timeout=10)
    assert sorted(calls) == ["dropped", "failed"]  # the second ran or was dropped: once


def test_every_other_job_waited_for_the_next_one_while_both_runners_were_idle(
    queue: JobQueue,
) -> None:
    """Both runners wait on one condition, and a submission woke one waiter: when the
    anonymous runner had waited longer, a department's job woke it, it found nothing of
    its own and slept again, and the job sat queued until another came (the DCAT probe:
    queued / done / queued / done; a CLI register beside the server hung). Each job
    starts now whichever runner waited first."""
    first = queue.submit("validation", _work, lane=ANONYMOUS)
    assert _done(first, 10)
    second = queue.submit("submission", _work, lane=Lane("department", "a"))
    assert _done(second, 10)
    time.sleep(0.2)  # both runners back in their wait, the anonymous one first
    for n in range(4):
        job = queue.submit("submission", _work, lane=Lane("department", "a"))
        assert _done(job, 5), (n, job.status)
