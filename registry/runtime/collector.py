"""Pausing Python's cyclic garbage collector while a document's triples are built.

Reading and splitting a catalogue makes a few objects per triple (terms, tuples,
dicts), none of them in a cycle; each collection the allocations trigger scans them
all again, and a full one every object of the process. That was half the time of
indexing and splitting a 1,000-resource catalogue (docs/benchmarks.md, "Re-submission:
the per-triple work cut"). The pause is counted: threads reading at once share
one, and the collector comes back when the last of them is done, as it was before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic collection inside the block (reference counting still frees
    what is dropped); what the block left behind is collected on the next one after."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
