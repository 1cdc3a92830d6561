"""The lists' snapshot is built once at a time (ReadCache waits for a build in
progress) and, when the API starts, in advance (queries.warm_lists)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.read.queries import ReadCache, snapshot
from registry.store import open_store


def test_readers_of_one_value_wait_for_the_build_in_progress() -> None:
    calls: list[int] = []
    started = threading.Event()

    def compute(_store: Any) -> object:
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return object()

    cache = ReadCache()
    with open_store("memory") as store:
        results: list[object] = []
        first = threading.Thread(target=lambda: results.append(cache.get(store, "k", compute)))
        first.start()
        assert started.wait(5)
        others = [
            threading.Thread(target=lambda: results.append(cache.get(store, "k", compute)))
            for _ in range(3)
        ]
        for thread in others:
            thread.start()
        for thread in [first, *others]:
            thread.join(10)
    assert len(calls) == 1
    assert len(results) == 4 and all(r is results[0] for r in results)


def test_a_failed_build_lets_the_waiting_readers_build_it() -> None:
    calls: list[int] = []
    started = threading.Event()

    def compute(_store: Any) -> str:
        calls.append(1)
        if len(calls) == 1:
            started.set()
            time.sleep(0.2)
            raise RuntimeError("the first build fails")
        return "built"

    cache = ReadCache()
    with open_store("memory") as store:
        failed: list[BaseException] = []
        results: list[str] = []

        def failing() -> None:
            try:
                cache.get(store, "k", compute)
            except RuntimeError as exc:
                failed.append(exc)

        first = threading.Thread(target=failing)
        first.start()
        assert started.wait(5)
        second = threading.Thread(target=lambda: results.append(cache.get(store, "k", compute)))
        second.start()
        first.join(10)
        second.join(10)
    assert len(failed) == 1 and results == ["built"] and len(calls) == 2


@pytest.mark.parametrize("warm", [True, False])
def test_the_api_builds_the_lists_snapshot_when_it_starts(validator: Any, warm: bool) -> None:
    app = create_app(Settings(store="memory", seed=True, warm_lists=warm), validator=validator)
    with TestClient(app) as client:
        cache: ReadCache = app.state.read_cache
        store = app.state.registry.store
        if not warm:
            assert cache.last_snapshot() is None
            return
        deadline = time.monotonic() + 60
        while cache.last_snapshot() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        kept = cache.last_snapshot()
        assert kept is not None and kept[0] == store.generation()
        assert client.get("/api/v1/standards?limit=1").status_code == 200
        # the list was answered from the snapshot built at start
        assert snapshot(store, cache) is kept[1]
        assert cache.last_snapshot() == kept
