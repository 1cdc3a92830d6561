"""The dependency graph assembled ahead of the first page (`api.assemble_graph`, run in
a background thread by the app at start)."""

from __future__ import annotations

import gc
import threading
import time

import pytest
from fastapi.testclient import TestClient

from api import assemble_graph, create_app
from registry.config import Settings
from registry.runtime import foreground
from registry.runtime.foreground import answering, answering_now
from registry.service import Registry
from registry.store import open_store


def test_the_assembled_graph_is_frozen_before_the_collector_comes_back(
    seeded_dump: bytes, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph was frozen only after the collector was turned back on: made while it
    was off, all of it sat in the youngest generation, and a collection set off by
    another thread's requests in between scanned every object of it (at 50,000
    resources, seconds with the interpreter held)."""
    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        registry = Registry(Settings(store="memory"), validator=validator, store=store)
        gc.collect()
        gc.unfreeze()
        scans_of_unfrozen: list[int] = []
        turn_on = gc.enable

        def turn_on_while_requests_allocate() -> None:
            turn_on()
            made = [[] for _ in range(5_000)]  # what other threads allocate meanwhile
            del made

        def on_collection(phase: str, info: dict[str, int]) -> None:
            if phase == "start" and gc.get_freeze_count() == 0:
                scans_of_unfrozen.append(info["generation"])

        monkeypatch.setattr(gc, "enable", turn_on_while_requests_allocate)
        gc.callbacks.append(on_collection)
        try:
            assemble_graph(registry)
        finally:
            gc.callbacks.remove(on_collection)
        assert registry._graphs.builds == 1
        assert gc.get_freeze_count() > 0
        # One full collection of its own before the freeze (the requests' garbage, the
        # test below), none set off by another thread's allocations.
        assert scans_of_unfrozen == [2]


class _Held:
    """Something a request left in a reference cycle."""


def test_garbage_that_requests_made_during_the_assembly_is_not_frozen_with_the_graph(
    seeded_dump: bytes, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests answered while the assembly stepped aside ran with the collector paused:
    their cyclic garbage was frozen with the graph and never freed (+35-40 MB in the API
    process at 50,000 resources)."""
    import weakref

    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        registry = Registry(Settings(store="memory"), validator=validator, store=store)
        gc.collect()
        gc.unfreeze()
        left: list[weakref.ref] = []
        walk = Registry.coverage_walk

        def walk_beside_a_request(self: Registry, *args: object) -> object:
            found = walk(self, *args)
            held = _Held()
            held.itself = held  # type: ignore[attr-defined]
            left.append(weakref.ref(held))
            del held  # garbage now, in a cycle, while the collector is paused
            return found

        monkeypatch.setattr(Registry, "coverage_walk", walk_beside_a_request)
        try:
            assemble_graph(registry)
            assert left and left[0]() is None
        finally:
            gc.unfreeze()


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """The background steps aside every 4 items, for up to a minute whatever the work
    before: whether it moves on depends only on the requests being answered
    (registry.runtime.foreground)."""
    monkeypatch.setattr(foreground, "EVERY", 4)
    monkeypatch.setattr(foreground, "MAX_WAIT_SECONDS", 60.0)
    monkeypatch.setattr(foreground, "PATIENCE", 1e9)


def _assembling(registry: Registry) -> threading.Thread:
    thread = threading.Thread(target=assemble_graph, args=(registry,), daemon=True)
    thread.start()
    return thread


def test_the_assembly_waits_while_a_request_is_answered_and_not_for_one_that_needs_it(
    seeded_dump: bytes, validator, patient: None
) -> None:
    """A request that asks for the graph being assembled waits for the assembly, which
    must then not wait for that request in turn (it would step aside for a minute at
    every few items here, 50 ms in a server)."""
    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        registry = Registry(Settings(store="memory"), validator=validator, store=store)
        registry.reader()
        with answering():  # the request, as the server counts it
            assembly = _assembling(registry)
            assembly.join(0.3)
            assert assembly.is_alive()
            assert registry._graphs.builds == 0
            got: list[object] = []
            asker = threading.Thread(target=lambda: got.append(registry.graph()), daemon=True)
            asker.start()
            asker.join(30)
            assert not asker.is_alive()
        assembly.join(30)
        assert not assembly.is_alive()
        assert registry._graphs.builds == 1  # the request had the background's graph
        assert got == [registry.graph()]


def test_the_read_model_answers_while_the_assembly_steps_aside(
    seeded_dump: bytes, validator, patient: None
) -> None:
    """The assembly steps aside only outside the read model's transaction: an
    in-memory model (a memory or remote store) has one lock, which a step aside inside
    its read would have kept from every request for as long as it waited."""
    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        registry = Registry(Settings(store="memory"), validator=validator, store=store)
        model = registry.reader()
        with answering():
            assembly = _assembling(registry)
            assembly.join(0.3)
            assert assembly.is_alive()
            read: list[int | None] = []
            reader = threading.Thread(target=lambda: read.append(model.generation()))
            reader.start()
            reader.join(10)
            assert read == [store.generation()]
        assembly.join(30)
        assert registry._graphs.builds == 1


def test_pages_are_answered_while_the_graph_is_assembled_after_a_start(
    seeded_dump: bytes, validator, patient: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the app: its start assembles the graph in the background, which waits
    while another client's request is in flight; a page answered meanwhile is counted
    while it is answered, is not held back, and is counted out again."""
    counted: list[int] = []
    targets = Registry.targets

    def targets_counting(self: Registry) -> dict:
        counted.append(answering_now())
        return targets(self)

    monkeypatch.setattr(Registry, "targets", targets_counting)  # the home page asks it
    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        app = create_app(Settings(store="memory"), store=store, validator=validator)
        other_client = answering()
        other_client.__enter__()
        try:
            with TestClient(app) as client:
                registry: Registry = app.state.registry
                listed = client.get("/api/v1/standards", params={"limit": 5})
                assert listed.status_code == 200
                assert len(listed.json()["items"]) == 5
                assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
                assert counted == [2]  # the other client's request and the home page
                assert registry._graphs.builds == 0
                assert answering_now() == 1
                other_client.__exit__(None, None, None)
                other_client = None
                deadline = time.monotonic() + 30
                while registry._graphs.builds == 0 and time.monotonic() < deadline:
                    time.sleep(0.01)
                assert registry._graphs.builds == 1
        finally:
            if other_client is not None:
                other_client.__exit__(None, None, None)
    assert answering_now() == 0
