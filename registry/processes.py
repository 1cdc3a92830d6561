"""The one forkserver every limited worker process (SPARQL queries, upload readers)
is forked from.

Forking the multi-threaded API process itself is unsafe, and spawning a fresh
interpreter costs ~150 ms where a forkserver fork costs ~15 ms. Python keeps one
forkserver per process, so its preload list is decided here, once: only the SPARQL
worker module, whose address space every SPARQL worker then starts with (the upload
readers import what they need as they start, registry/inputs/isolated.py).
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.context import BaseContext

_lock = threading.Lock()
_context: BaseContext | None = None


def forkserver_context() -> BaseContext:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            # Only the worker module: the default would re-import the parent's
            # __main__ (pytest's, uvicorn's) into the fork server.
            context.set_forkserver_preload(["registry.sparql.worker"])
            _context = context
        return _context
