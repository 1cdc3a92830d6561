"""Long validations and submissions as jobs: queued, run one at a time, polled.

A 10,000-entry catalogue takes minutes to validate; an HTTP request must not be
held that long. The API hands such work to this queue and answers at once with
the job's id; the client polls it. One thread runs the jobs in order, which also
keeps the registry's one-writer rule (submissions never run side by side) and
keeps pyshacl work off the event loop. Finished jobs are kept, newest
`keep` of them, with their result or error.
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from registry.errors import RegistryError

Work = Callable[[Callable[[int, int], None]], dict[str, Any]]  # work(progress) -> result


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    id: str
    kind: str  # "validation" | "submission"
    status: str = "queued"  # queued | running | done | failed
    created: str = field(default_factory=_now)
    started: str | None = None
    finished: str | None = None
    done: int = 0
    total: int | None = None
    result: dict[str, Any] | None = None
    # The one error shape of the API: {"code", "message", "details"}, plus "status".
    error: dict[str, Any] | None = None

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


class JobQueue:
    def __init__(self, keep: int = 200) -> None:
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[Job, Work] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, kind: str, work: Work) -> Job:
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="screg-jobs", daemon=True)
                self._thread.start()
        self._queue.put((job, work))
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self, timeout: float | None = None) -> None:
        """Finish the job running now, drop the queued ones, stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.status in ("done", "failed")]
        for job in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[job.id]

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, work = item
            job.status, job.started = "running", _now()

            def progress(done: int, total: int, job: Job = job) -> None:
                job.done, job.total = done, total

            try:
                job.result = work(progress)
                job.status = "done"
            except RegistryError as error:
                job.error = {
                    "status": error.status,
                    "code": error.code,
                    "message": error.message,
                    "details": error.details,
                }
                job.status = "failed"
            except Exception as error:  # a bug: kept on the job, the thread goes on
                job.error = {
                    "status": 500,
                    "code": "internal_error",
                    "message": f"the job failed: {type(error).__name__}",
                    "details": None,
                }
                job.status = "failed"
            job.finished = _now()
