"""Kill test: a registering process killed with SIGKILL leaves all of its submission or none."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph

from registry.namespaces import GRAPH_REGISTRY, SCS
from registry.register.submission import content_sha256, skolemise, split_entries
from registry.store import open_store
from synthetic.generate import generate_catalogue

KILLS = 20
RESOURCES = 40


def expected_shas(turtle: str) -> dict[str, str]:
    entries, _ = split_entries(Graph().parse(data=turtle, format="turtle"))
    return {str(e): content_sha256(skolemise(e, g)) for e, (_k, g) in entries.items()}


def current_shas(store, items: list[str]) -> dict[str, str]:
    rows = store.select(
        f"SELECT ?item ?sha WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ "
        f"?item <{SCS.currentVersion}> ?v . ?v <{SCS.contentSha256}> ?sha }} }}"
    )
    wanted = set(items)
    return {str(r["item"]): str(r["sha"]) for r in rows if str(r["item"]) in wanted}


def register(path: Path, store_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "register", str(path), "--store", str(store_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "SCREG_SEED": "false"},
    )


@pytest.mark.slow
def test_sigkill_mid_submission_leaves_all_or_nothing(tmp_path: Path, seeded_dump: bytes) -> None:
    store_path = tmp_path / "store"
    with open_store(str(store_path)) as store:
        store.load_dump(seeded_dump, "nquads")
    rng = random.Random(20261127)

    # One full run first, to learn how long a submission takes here.
    warm, _ = generate_catalogue(RESOURCES, seed=1000, invalid_ratio=0.0)
    (tmp_path / "warm.ttl").write_text(warm, encoding="utf-8")
    started = time.monotonic()
    proc = register(tmp_path / "warm.ttl", store_path)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    full = time.monotonic() - started

    outcomes = {"all": 0, "none": 0}
    for kill in range(KILLS):
        turtle, _ = generate_catalogue(RESOURCES, seed=kill + 1, invalid_ratio=0.0)
        path = tmp_path / f"catalogue-{kill}.ttl"
        path.write_text(turtle, encoding="utf-8")
        expected = expected_shas(turtle)
        with open_store(str(store_path)) as store:
            before = set(store.dump("nquads").splitlines())
        proc = register(path, store_path)
        time.sleep(rng.uniform(0.2, full * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with open_store(str(store_path)) as store:  # opens: not corrupted
            after = set(store.dump("nquads").splitlines())
            now = current_shas(store, list(expected))
        if after == before:
            outcomes["none"] += 1
            continue
        assert now == expected, f"kill {kill}: part of the submission is visible"
        # Everything registered before is still there, apart from what was replaced.
        lost = {q for q in before - after if b"urn:screg:graph:current" not in q}
        lost = {q for q in lost if b"currentVersion" not in q and b"registerStatus" not in q}
        lost = {q for q in lost if b"urn:screg:store" not in q}
        assert not lost, f"kill {kill}: quads lost: {sorted(lost)[:3]}"
        outcomes["all"] += 1
    assert outcomes["all"] + outcomes["none"] == KILLS
    print(f"outcomes of {KILLS} kills: {outcomes}")
