"""Answers first: work a process does in the background steps aside while it answers.

Python runs one thread at a time. A background thread of pure Python work (the
dependency graph's assembly after a start: ~3 s at 50,000 resources) took the
interpreter every time a request's thread let it go, at each SQLite row and each
socket write, and kept it for the switch interval (5 ms) before the request's thread
got it back: a page reading a few hundred rows then took 1-3 s instead of 0.1 s
(docs/benchmarks.md, "The first seconds after a start"). A shorter switch interval
halved that; letting the background wait does away with it.

So a server counts the requests it is answering (`answering`), and background loops
iterate through `courteous`, which every EVERY items waits while any request is being
answered. Each wait lasts at most PATIENCE times the stretch of work before it: under
requests that never stop (a slow upload, a client reading slowly) the background still
has a fifth of the time, so a page that needs its work waits at most five times as
long as it would have. A request that itself waits for background work says so
(`waiting_for_background`) and is not waited for. Outside a thread marked
`in_background` (the CLI, the tests, a request building the graph itself) nothing
waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# A background loop looks at the requests every this many items: a few milliseconds
# of the graph's assembly, the longest a request waits for it to step aside.
EVERY = 128
# A step aside lasts at most this many times the stretch of work before it, and never
# longer than MAX_WAIT_SECONDS.
PATIENCE = 4.0
MAX_WAIT_SECONDS = 0.05

_changed = threading.Condition()
_answering = 0
_thread = threading.local()


def answering_now() -> int:
    """How many requests are being answered (the tests read it)."""
    return _answering


def _add(count: int) -> None:
    global _answering
    with _changed:
        _answering += count
        if _answering == 0:
            _changed.notify_all()


@contextmanager
def answering() -> Iterator[None]:
    """A request is being answered inside the block: background work waits for it."""
    _add(1)
    try:
        yield
    finally:
        _add(-1)


@contextmanager
def waiting_for_background() -> Iterator[None]:
    """Inside `answering`, a request that waits for background work (a page that needs
    the graph being assembled): the background does not wait for it in turn. In the
    background thread itself, nothing."""
    if getattr(_thread, "background", False):
        yield
        return
    _add(-1)
    try:
        yield
    finally:
        _add(1)


@contextmanager
def in_background() -> Iterator[None]:
    """The current thread's work, inside the block, steps aside for requests."""
    before = getattr(_thread, "background", False)
    _thread.background = True
    try:
        yield
    finally:
        _thread.background = before


def step_aside(worked: float) -> None:
    """In a thread marked `in_background`, after `worked` seconds of work: wait while
    requests are being answered, at most PATIENCE times that long (and at most
    MAX_WAIT_SECONDS); elsewhere, return at once."""
    if not getattr(_thread, "background", False) or _answering <= 0:
        return
    with _changed:
        _changed.wait_for(lambda: _answering <= 0, min(worked * PATIENCE, MAX_WAIT_SECONDS))


def wait_until_idle(longest: float) -> bool:
    """Wait until no request is being answered, at most `longest` seconds; True when
    none is."""
    with _changed:
        return _changed.wait_for(lambda: _answering <= 0, longest)


def courteous(items: Iterable[T]) -> Iterator[T]:
    """`items`, stepping aside for requests every EVERY of them. Never inside a lock
    that requests take: they would wait for the background that waits for them."""
    if not getattr(_thread, "background", False):
        yield from items
        return
    every = EVERY
    began = time.perf_counter()
    for count, item in enumerate(items, 1):
        if count % every == 0:
            step_aside(time.perf_counter() - began)
            began = time.perf_counter()
        yield item
