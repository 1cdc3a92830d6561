"""Kill test: a registering process killed with SIGKILL leaves all of its submission or none."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
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
        text=True,
        # The store logs where its write begins and where it lands (registry.store).
        env={**os.environ, "SCREG_SEED": "false", "SCREG_LOG_LEVEL": "info"},
    )


BEGINS, COMMITTED = "begins:", "committed"


class StderrWatch:
    """Reads a child's stderr as it comes, so the test can act the moment a line shows."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.began = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.lines.append(line)
            if BEGINS in line:
                self.began.set()
        # The child is gone: nobody waits for a write that will never begin (a refused
        # submission once made this test wait 300 s per kill).
        self.began.set()

    def finish(self) -> str:
        self._thread.join(timeout=30)
        return "".join(self.lines)


@pytest.mark.slow
def test_sigkill_mid_submission_leaves_all_or_nothing(tmp_path: Path, seeded_dump: bytes) -> None:
    """Half of the kills land anywhere in a run, half inside the store's write (after its
    "begins" line); at least one must land between "begins" and "committed", or the
    test proved nothing about the transaction."""
    store_path = tmp_path / "store"
    with open_store(str(store_path)) as store:
        store.load_dump(seeded_dump, "nquads")
    rng = random.Random(20261127)

    # One full run first, to learn how long a submission and its write take here.
    warm, _ = generate_catalogue(RESOURCES, seed=1000, invalid_ratio=0.0, department=0)
    (tmp_path / "warm.ttl").write_text(warm, encoding="utf-8")
    started = time.monotonic()
    proc = register(tmp_path / "warm.ttl", store_path)
    watch = StderrWatch(proc)
    watch.began.wait(timeout=300)
    began = time.monotonic()
    assert proc.wait(timeout=300) == 0, watch.finish()
    assert BEGINS in "".join(watch.lines)
    ended = time.monotonic()
    full, write = ended - started, ended - began
    assert COMMITTED in watch.finish()

    outcomes = {"all": 0, "none": 0, "mid_write": 0}
    for kill in range(KILLS):
        # One department throughout: a registrar's catalogue that named another
        # provider for a registered resource code is refused (that is a transfer).
        turtle, _ = generate_catalogue(RESOURCES, seed=kill + 1, invalid_ratio=0.0, department=0)
        path = tmp_path / f"catalogue-{kill}.ttl"
        path.write_text(turtle, encoding="utf-8")
        expected = expected_shas(turtle)
        with open_store(str(store_path)) as store:
            before = set(store.dump("nquads").splitlines())
        proc = register(path, store_path)
        watch = StderrWatch(proc)
        if kill % 2:
            time.sleep(rng.uniform(0.2, full * 1.1))
        else:
            watch.began.wait(timeout=300)
            time.sleep(rng.uniform(0.0, write / 2))
        assert proc.poll() in (None, 0), f"kill {kill}: the register failed: {watch.finish()}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        log = watch.finish()
        if BEGINS in log and COMMITTED not in log and proc.returncode == -signal.SIGKILL:
            outcomes["mid_write"] += 1
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
    print(f"outcomes of {KILLS} kills: {outcomes}")
    assert outcomes["mid_write"] >= 1, f"no kill landed inside a write: {outcomes}"
