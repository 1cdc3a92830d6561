"""registry/outputs/serialized.py: the same bytes in every process."""

from __future__ import annotations

import os
import subprocess
import sys

from rdflib import Graph
from rdflib.compare import isomorphic

from registry.outputs.serialized import serialized
from tests.conftest import EXAMPLES, ROOT

_DIGEST = """
import hashlib, sys
from rdflib import Graph
from registry.outputs.serialized import serialized
graph = Graph().parse(sys.argv[1], format="turtle")
print(hashlib.sha256(serialized(graph, sys.argv[2])).hexdigest())
"""


def _digests(fmt: str) -> set[str]:
    found = set()
    for seed in ("1", "2", "3"):
        out = subprocess.run(
            [sys.executable, "-c", _DIGEST, str(EXAMPLES / "catalogue-valid.ttl"), fmt],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        found.add(out.stdout.strip())
    return found


def test_three_processes_wrote_one_entity_as_three_json_ld_bodies() -> None:
    """rdflib's JSON-LD writer orders by sets of terms, whose order follows the hash
    seed: three API processes gave three bodies for one graph."""
    assert len(_digests("json-ld")) == 1
    assert len(_digests("turtle")) == 1


def test_the_stable_json_ld_is_the_same_graph() -> None:
    graph = Graph().parse(EXAMPLES / "catalogue-valid.ttl", format="turtle")
    again = Graph().parse(data=serialized(graph, "json-ld"), format="json-ld")
    assert isomorphic(graph, again)
