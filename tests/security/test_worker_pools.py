"""The limited worker pools (registry.runtime.processes) outlive their workers' deaths.

pebble takes a worker that dies while it holds no task (the kernel's OOM killer, an
operator's kill, a worker whose start-up failed) as a broken pool, and then refuses
every task for good: one submission in CI answered 500 "internal error" that way, and
every later one would have too. Each case kills real worker processes and asserts
that the next task, or the next submission over HTTP, is answered."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.errors import UploadLimitError
from registry.register.tokens import create_token
from registry.runtime.processes import LimitedWorkers
from registry.store import open_store
from tests.api.test_api import TURTLE, auth, resource_ttl


def _parent_of(pid: str) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # ended meanwhile
        return None
    # The command name, in parentheses, may hold spaces: the fields after it are safe.
    return stat.rsplit(")", 1)[1].split()[1]


def _worker_pids() -> set[int]:
    """Live processes forked for this process by its forkserver: its children's
    children (the forkserver is a child of this process)."""
    children = {pid for pid in os.listdir("/proc") if pid.isdigit()}
    mine = str(os.getpid())
    forkservers = {pid for pid in children if _parent_of(pid) == mine}
    return {int(pid) for pid in children if _parent_of(pid) in forkservers}


def _kill(pids: set[int]) -> None:
    """SIGKILL each, and wait until its parent (the forkserver) has reaped it, which is
    when the forkserver tells the server it ended."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # ended meanwhile
            os.kill(pid, signal.SIGKILL)
    for _ in range(2000):  # a count of polls, not a time
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return
        time.sleep(0.01)
    raise AssertionError(f"killed workers were not reaped: {sorted(pids)}")


def _started_after(before: set[int], count: int) -> set[int]:
    """The `count` workers started since `before`, once all have started."""
    for _ in range(2000):  # a count of polls, not a time
        new = _worker_pids() - before
        if len(new) >= count:
            return new
        time.sleep(0.01)
    raise AssertionError(f"{count} workers did not start: {sorted(_worker_pids() - before)}")


def _failing_prepare() -> None:
    raise OSError("cannot prepare")


def test_a_worker_killed_between_tasks_does_not_break_its_pool() -> None:
    before = _worker_pids()
    workers = LimitedWorkers(2, 512, 30, ("testing", "测试"))
    try:
        first = workers.run(os.getpid, ())  # pebble starts the workers on a first task
        idle = _started_after(before | {first}, 2)  # the first ends after its task
        _kill(idle)
        ran = {workers.run(os.getpid, ()) for _ in range(3)}
        assert ran and not ran & idle and first not in ran
    finally:
        workers.close()


def test_a_worker_that_cannot_prepare_still_runs_its_task() -> None:
    workers = LimitedWorkers(1, 512, 30, ("testing", "测试"), _failing_prepare)
    try:
        assert workers.run(os.getpid, ()) > 0
        assert workers.run(os.getpid, ()) > 0
    finally:
        workers.close()


def test_submission_is_answered_after_the_validation_workers_were_killed(
    seeded_dump: bytes, validator: Any
) -> None:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    secret = create_token(store, "registrar", name="test registrar")[1]
    before = _worker_pids()
    settings = Settings(store="memory", seed=False, upload_workers=2, validation_workers=2)
    app = create_app(settings, store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {**TURTLE, **auth(secret)}
        first = client.post("/api/v1/submissions", content=resource_ttl(), headers=headers)
        assert first.status_code == 201, first.text
        # The readers' and the validators' pools, started by the first submission: two
        # workers each, waiting for the next.
        _kill(_started_after(before, 4))
        answer = client.post(
            "/api/v1/submissions", content=resource_ttl("改过的标题"), headers=headers
        )
        assert answer.status_code == 201, answer.text
        checked = client.post("/api/v1/validate", content=resource_ttl("另一资源"), headers=TURTLE)
        assert checked.status_code == 200 and checked.json()["conforms"] is True


def test_sparql_is_answered_after_its_workers_were_killed(
    seeded_dump: bytes, validator: Any
) -> None:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    before = _worker_pids()
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"}
    with TestClient(app, raise_server_exceptions=False) as client:
        first = client.get("/sparql", params=query, headers={"Accept": "application/json"})
        assert first.status_code == 200, first.text
        _kill(_started_after(before, 1))
        after = client.get("/sparql", params=query, headers={"Accept": "application/json"})
        assert after.status_code == 200, after.text
        assert after.json() == first.json()


def _fails_as_c_code_out_of_memory() -> None:
    raise SystemError("error return without exception set")


def test_a_worker_out_of_memory_in_c_code_was_a_500() -> None:
    """Under its memory limit, a reader's C code met a refused allocation and returned
    without setting MemoryError: a SystemError, answered 500 where the limit is 400."""
    limited = LimitedWorkers(1, 512, 30, ("testing", "测试"))
    unlimited = LimitedWorkers(1, 0, 30, ("testing", "测试"))
    try:
        with pytest.raises(UploadLimitError):
            limited.run(_fails_as_c_code_out_of_memory, ())
        with pytest.raises(SystemError):  # without a limit it is no limit's doing
            unlimited.run(_fails_as_c_code_out_of_memory, ())
    finally:
        limited.close()
        unlimited.close()
