"""The dependency graph kept in a file beside the read model, so that a start does not
assemble it again.

Assembling the graph at 50,000 resources is ~3 s of pure Python (reading every record's
fields, the facts, the edges) and leaves the process ~90 MB larger than the graph
itself (what the reading freed stays in the heap). Read back from this file it takes
~0.4 s, in C, before the server answers anything. A server writes the file when it
stops (`Registry.save_graph`), and `screg read-model rebuild` after a rebuild; a start
reads it (`Registry.load_graph`) and brings it up to date with the writes made since, as
after any write (`GraphCache`), from the read model's log of rewrites.

The file is `marshal` (the interpreter's own format for plain dicts, lists, tuples,
sets and strings): it keeps the sharing the graph depends on (one attribute dict per
node shared by the facts and the graph, one key dict per pair of nodes shared by both
ends, one dict per distinct edge content) and builds only the interpreter's own values
(dicts, lists, tuples, sets, strings, numbers), calling no function as it reads, where
pickle can call any. It is used only when everything it was made by
is the same: this module's format, the source of the graph's assembly, networkx's and
Python's versions, and the read model's lineage (a random id each rebuild of the model
gets), and only when its checksum holds. Anything else, or a file that cannot be read,
is ignored: the graph is then assembled from the read model, as without a file.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
from functools import cache
from pathlib import Path

import networkx as nx

from registry.graphs import build
from registry.graphs.build import GraphState

logger = logging.getLogger(__name__)

MAGIC = b"screg-graph\n"
FORMAT = 1
_DIGEST = hashlib.sha256().digest_size


@cache
def code_stamp() -> str:
    """What a saved graph must have been made by: this format, the assembly's source
    (a change to how the graph is made makes every saved one stale), networkx's and
    Python's versions (marshal's format and the graph's layout)."""
    digest = hashlib.sha256()
    for part in (str(FORMAT), nx.__version__, f"{sys.version_info[0]}.{sys.version_info[1]}"):
        digest.update(part.encode() + b"\0")
    digest.update(Path(build.__file__).read_bytes())
    return digest.hexdigest()


def save(path: str | Path, state: GraphState) -> None:
    """Write `state` to `path` (a new file moved into place: a reader never sees half
    of one, and a crash leaves the old file or none)."""
    payload = marshal.dumps(
        (code_stamp(), state.lineage, state.generation, state.facts, state.graph),
        marshal.version,
    )
    target = Path(path)
    # One partial file per process: two processes keeping a graph at once (a stopping
    # server and a rebuild from the command line) each move their own into place.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    with open(partial, "wb") as out:
        out.write(MAGIC)
        out.write(hashlib.sha256(payload).digest())
        out.write(payload)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)


def load(path: str | Path, lineage: str) -> GraphState | None:
    """The graph saved at `path` for a read model of `lineage` by this very code; None
    when there is none, or it was made by other code or for another model, or does
    not read back whole (each said in the log)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning("the saved dependency graph %s cannot be read: %s", path, error)
        return None
    head = len(MAGIC) + _DIGEST
    payload = memoryview(data)[head:]
    if not data.startswith(MAGIC) or hashlib.sha256(payload).digest() != data[len(MAGIC) : head]:
        logger.warning("the saved dependency graph %s is damaged: assembling it again", path)
        return None
    try:
        found = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        logger.warning("the saved dependency graph %s does not read back", path)
        return None
    if not (isinstance(found, tuple) and len(found) == 5):
        return None
    stamp, saved_lineage, generation, facts, graph = found
    if stamp != code_stamp() or saved_lineage != lineage:
        logger.info("the saved dependency graph %s is of other code or another model", path)
        return None
    if not (isinstance(generation, int) and isinstance(facts, tuple) and isinstance(graph, tuple)):
        return None
    return GraphState(lineage, generation, facts, graph)
