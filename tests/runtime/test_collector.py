"""registry.runtime.collector: the cyclic collector paused while triples are built, and back
as it was when the last reader is done, whichever thread ends last."""

from __future__ import annotations

import gc
import threading

from registry.runtime.collector import collector_paused


def test_the_collector_comes_back_after_the_last_of_two_threads() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def reader() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    other = threading.Thread(target=reader)
    other.start()
    assert inside.wait(10)
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread still reads
    release.set()
    other.join(10)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
