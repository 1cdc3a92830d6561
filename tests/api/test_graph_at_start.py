"""The dependency graph assembled ahead of the first page (`api.assemble_graph`, run in
a background thread by the app at start)."""

from __future__ import annotations

import gc

import pytest

from api import assemble_graph
from registry.config import Settings
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
        assert scans_of_unfrozen == []
