"""Giving the C heap's freed memory back to the system (glibc's `malloc_trim`).

Python gives back an arena of small objects only when all of it is free, and glibc
keeps freed blocks in the middle of its heap for later. Answers and writes free tens
of megabytes there: at 50,000 resources the API process grew from 486 to 566 MB over
six status changes, and `malloc_trim(0)` gave 50 MB of it back (docs/benchmarks.md).
The API process calls it every few seconds (`api.TRIM_EVERY_SECONDS`); it takes a few
milliseconds on a 1 GB heap.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)  # glibc only


def give_back_freed_memory() -> bool:
    """Return the C heap's free pages to the system; False where the C library cannot
    (not glibc), which changes nothing but the process's resident size."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
