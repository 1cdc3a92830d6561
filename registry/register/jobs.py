"""Long validations and submissions as jobs: queued fairly, run one at a time, polled.

A 10,000-entry catalogue takes minutes to validate; an HTTP request must not be
held that long. The API hands such work to this queue and answers at once with
the job's id; the client polls it. One thread runs the token holders' jobs, which
also keeps the registry's one-writer rule (submissions never run side by side) and
keeps pyshacl work off the event loop; another runs the validations sent without a
token. Finished jobs are kept, newest `keep` of them, with their
result or error.

Fairness (issue 17: one 10 MB CSV and twenty 19 MiB anonymous validations delayed a
registrar's small submission by 61 s in one first-come queue). Each job is queued in
a lane of a class, and the next job is taken from

1. registrars' and admins' work, first come first served;
2. departments' work, one job of each department in turn (round robin), so one
   department's big catalogue does not hold up the others;
3. work without a token, one job of each client address in turn.

A job waits only for jobs of its own class or a higher one, and for the one job
running of its runner: work without a token has a runner of its own (RUNNERS), so an
anonymous validation that reads for its whole budget holds back no token holder's
job. The bytes of queued uploads are capped (`max_queued_bytes`); work without a
token may hold at most half of it, so anonymous uploads never fill the queue for
those with a token. Past the cap a job is refused (QueueFullError, 503 with
Retry-After), before anything is kept of it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from registry.bilingual import Text
from registry.errors import QueueFullError, RegistryError
from registry.register.submission import Principal

Work = Callable[[Callable[[int, int], None]], dict[str, Any]]  # work(progress) -> result

#: The classes of lanes, in the order they are served.
CLASSES = ("registrar", "department", "anonymous")
#: The runners: each a thread taking jobs of its classes only, in CLASSES' order. Work
#: without a token (validations: it never writes) has a runner of its own, so a job of
#: it never holds back a job of a token holder; the token holders' jobs, submissions
#: among them, run one at a time (the one-writer rule).
RUNNERS = (("registrar", "department"), ("anonymous",))
#: Seconds a client refused by a full queue is told to wait.
QUEUE_FULL_RETRY_SECONDS = 30

logger = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Lane:
    """Where a job queues: its class (one of CLASSES) and, within it, whose it is (a
    department's IRI, a client address)."""

    kind: str
    key: str = ""


def lane_of(principal: Principal | None, client: str) -> Lane:
    """The lane of work done for `principal` (None: no token) from address `client`."""
    if principal is None:
        return Lane("anonymous", client)
    if principal.role in ("registrar", "admin"):
        return Lane("registrar")
    return Lane("department", str(principal.department or principal.name))


@dataclass
class Job:
    id: str
    kind: str  # "validation" | "submission" | "assessment"
    status: str = "queued"  # queued | running | done | failed
    created: str = field(default_factory=_now)
    started: str | None = None
    finished: str | None = None
    done: int = 0
    total: int | None = None
    result: dict[str, Any] | None = None
    # The one error shape of the API: {"code", "message", "details"}, plus "status".
    error: dict[str, Any] | None = None
    # The order jobs of this queue finished in (1, 2, ...), for diagnostics and tests.
    sequence: int | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "progress": {"done": self.done, "total": self.total},
        }
        if self.result is not None:
            body["result"] = self.result
        if self.error is not None:
            body["error"] = self.error
        return body


@dataclass
class _Queued:
    job: Job
    work: Work
    lane: Lane
    size: int
    on_finish: Callable[[], None] | None


class JobQueue:
    def __init__(self, keep: int = 200, max_queued_bytes: int | None = None) -> None:
        self.keep = keep
        self.max_queued_bytes = max_queued_bytes
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Condition()
        # class -> lane key -> its queued jobs; a lane is dropped when empty, and moved
        # to the end when it gives a job (round robin).
        self._lanes: dict[str, OrderedDict[str, deque[_Queued]]] = {
            kind: OrderedDict() for kind in CLASSES
        }
        self._queued_bytes = {kind: 0 for kind in CLASSES}
        self._finished = itertools.count(1)
        self._threads: dict[tuple[str, ...], threading.Thread] = {}
        self._closed = False

    def submit(
        self,
        kind: str,
        work: Work,
        *,
        lane: Lane = Lane("department"),
        size: int = 0,
        on_finish: Callable[[], None] | None = None,
    ) -> Job:
        """Queue `work` (an upload of `size` bytes) in `lane`; `on_finish` is called once
        the job has finished, failed or been dropped. QueueFullError when the queued
        bytes would pass the cap."""
        if lane.kind not in CLASSES:
            raise ValueError(f"unknown lane class {lane.kind!r}")
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            self._check_room(lane, size)
            self._jobs[job.id] = job
            self._forget_old()
            self._lanes[lane.kind].setdefault(lane.key, deque()).append(
                _Queued(job, work, lane, size, on_finish)
            )
            self._queued_bytes[lane.kind] += size
            classes = next(r for r in RUNNERS if lane.kind in r)
            if classes not in self._threads and not self._closed:
                thread = threading.Thread(
                    target=self._run, args=(classes,), name=f"screg-jobs-{classes[0]}", daemon=True
                )
                self._threads[classes] = thread
                thread.start()
            # Both runners wait on this one condition: notify() woke whichever waited
            # first, which may be the other runner, and the job sat until the next came.
            self._lock.notify_all()
        return job

    def _check_room(self, lane: Lane, size: int) -> None:
        cap = self.max_queued_bytes
        if cap is None:
            return
        queued = sum(self._queued_bytes.values())
        anonymous = lane.kind == "anonymous"
        over = queued + size > cap
        if anonymous:
            over = over or self._queued_bytes["anonymous"] + size > cap // 2
        if over:
            wait = QUEUE_FULL_RETRY_SECONDS
            raise QueueFullError(
                Text(
                    zh=f"任务队列已满，请 {wait} 秒后再试",
                    en=f"the job queue is full; try again in {wait} s",
                ),
                wait,
                {"max_queued_bytes": cap // 2 if anonymous else cap},
            )

    def queued_bytes(self) -> int:
        with self._lock:
            return sum(self._queued_bytes.values())

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self, timeout: float | None = None) -> None:
        """Finish the jobs running now, drop the queued ones, stop the threads."""
        with self._lock:
            self._closed = True
            threads, self._threads = list(self._threads.values()), {}
            dropped = [q for lanes in self._lanes.values() for d in lanes.values() for q in d]
            for lanes in self._lanes.values():
                lanes.clear()
            self._queued_bytes = {kind: 0 for kind in CLASSES}
            self._lock.notify_all()
        for queued in dropped:
            if queued.on_finish is not None:
                queued.on_finish()
        for thread in threads:
            thread.join(timeout)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.status in ("done", "failed")]
        for job in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[job.id]

    def _next(self, classes: tuple[str, ...]) -> _Queued | None:
        """The next job of `classes` to run (the fairness rule above); None when closed."""
        with self._lock:
            while not self._closed:
                for kind in classes:
                    lanes = self._lanes[kind]
                    if not lanes:
                        continue
                    key, waiting = next(iter(lanes.items()))
                    queued = waiting.popleft()
                    del lanes[key]
                    if waiting:
                        lanes[key] = waiting  # to the end: the other lanes go first
                    self._queued_bytes[kind] -= queued.size
                    return queued
                self._lock.wait()
            return None

    def _run(self, classes: tuple[str, ...]) -> None:
        while True:
            queued = self._next(classes)
            if queued is None:
                return
            try:
                self._run_one(queued.job, queued.work)
            finally:
                if queued.on_finish is not None:
                    queued.on_finish()

    def _run_one(self, job: Job, work: Work) -> None:
        job.status, job.started = "running", _now()

        def progress(done: int, total: int, job: Job = job) -> None:
            job.done, job.total = done, total

        result: dict[str, Any] | None = None
        error_body: dict[str, Any] | None = None
        try:
            result = work(progress)
        except RegistryError as error:
            error_body = {
                "status": error.status,
                "code": error.code,
                "message": str(error.message),
                "messages": error.message.as_dict(),
                "details": error.details,
            }
        except Exception:  # a bug: kept on the job, the thread goes on
            logger.exception("job %s (%s) failed", job.id, job.kind)
            error_body = {
                "status": 500,
                "code": "internal_error",
                # The exception's class and text name the code inside: the log has them.
                "message": "the job failed: internal error (任务失败：服务器内部错误)",
                "messages": {
                    "zh": "任务失败：服务器内部错误",
                    "en": "the job failed: internal error",
                },
                "details": None,
            }
        with self._lock:  # all at once: a poller sees a finished job whole
            job.result, job.error = result, error_body
            job.status = "failed" if error_body is not None else "done"
            job.finished = _now()
            job.sequence = next(self._finished)
