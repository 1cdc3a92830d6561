"""The SPARQL workers' in-memory copy (setting sparql_memory_copy) on the 50,000-resource
store: how long a worker takes to build it, what it costs in memory, and how soon it
holds a write, in process, as a worker does it (registry/sparql/memory_copy.py).

    .venv/bin/python bench/memory_copy_bench.py --json bench/results/memory-copy-50000.json

Data: a scratch copy of the registered store of bench/sparql_bench.py (`ensure_store`),
made afresh each run (the writes change it). Steps:

1. open the scratch store for writing (as `screg serve` does) and a worker dataset on
   it (read-only, as a worker does); build the copy: seconds, and the process's
   resident memory before and after;
2. `--writes` status changes of resources (registry/service.py `change_status`, each
   a real write with its version graph), each followed by the worker's reopen at the
   new generation and the copy's patch: seconds from the write's end until the copy
   holds the new generation (median), and the subjects the change log named;
3. with --bulk N, one write adding a triple to each of N resources (a large
   re-submission touches that many subjects): seconds until the copy holds it;
4. the five queries of the SPARQL mix on the copy and on the store, alternating, 3
   times each (medians), answers compared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sparql_bench import (  # noqa: E402
    DEFAULT_NQ,
    DEFAULT_STORE,
    ensure_store,
    query_mix,
    samples,
    versions,
)


def rss_mb() -> float:
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def comparable(form: str, text: str, body: bytes) -> Any:
    """Triples as a sorted list, rows in order when the query orders them, else sorted."""
    if form != "select":
        return sorted(body.splitlines())
    rows = [json.dumps(b, sort_keys=True) for b in json.loads(body)["results"]["bindings"]]
    return rows if "ORDER BY" in text else sorted(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--nq", type=Path, default=DEFAULT_NQ)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--writes", type=int, default=5)
    ap.add_argument(
        "--bulk", type=int, default=0, help="then one write touching this many resources"
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from registry.config import Settings
    from registry.register.submission import REGISTRAR
    from registry.service import Registry
    from registry.sparql import worker
    from registry.sparql.endpoint import worker_source
    from registry.store import open_store

    store_dir = ensure_store(args.store, args.nq)
    scratch = store_dir.with_name(store_dir.name + "-scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    t = time.perf_counter()
    shutil.copytree(store_dir, scratch, ignore=shutil.ignore_patterns("LOCK"))
    result: dict[str, Any] = {"scratch_copy_s": round(time.perf_counter() - t, 1)}

    store = open_store(str(scratch))
    registry = Registry(Settings(store=str(scratch), seed=False), store=store)

    def source() -> dict[str, Any]:
        return worker_source(store, store.generation())

    dataset = worker.load(source())
    result["rss_mb_before_copy"] = round(rss_mb())
    t = time.perf_counter()
    dataset.follow_with_copy(None, "build", None)  # timed on its own, after the open
    copy = dataset.memory_copy
    assert copy is not None and copy.wait(dataset.generation, 3600), copy and copy.failure
    result["build_s"] = round(time.perf_counter() - t, 1)
    result["rss_mb_after_copy"] = round(rss_mb())
    held = dataset.copy_for("ASK {}")
    assert held is not None
    result["copy_triples"] = len(held)
    print(f"built: {result}", file=sys.stderr)

    def follow(previous: Any) -> tuple[Any, float, int]:
        """The worker's reopen after a write and its copy's patch, as a load does: the
        new dataset, seconds until the copy holds the new generation, subjects touched."""
        t = time.perf_counter()
        changes = store.changes_since(previous.generation)
        reopened = worker.load(source(), previous, "update", changes)
        copy = reopened.memory_copy
        assert copy is not None and copy.wait(reopened.generation, 3600)
        return reopened, time.perf_counter() - t, len(changes or ())

    picks = samples(args.nq, args.writes + 1)
    patches: list[float] = []
    subjects: list[int] = []
    for _ident, _dept, resource in picks[: args.writes]:
        registry.change_status(resource, "deprecated", REGISTRAR, reason="benchmark")
        dataset, seconds, touched = follow(dataset)
        patches.append(seconds)
        subjects.append(touched)
    result["patch_after_a_status_change_s"] = {
        "median": round(statistics.median(patches), 3),
        "runs": [round(p, 3) for p in patches],
        "subjects": subjects,
    }

    if args.bulk:
        # One write touching many subjects, as a large re-submission does.
        from rdflib import Literal, URIRef
        from rdflib.namespace import RDFS

        from registry.namespaces import GRAPH_CURRENT
        from registry.store import WriteBatch

        resources = [
            line.split(">", 1)[0][1:]
            for line in args.nq.open(encoding="utf-8")
            if "/resource/" in line.split(" ", 1)[0]
            and "#InformationResource>" in line
            and "<urn:screg:graph:current>" in line
        ][: args.bulk]
        batch = WriteBatch().add_triples(
            GRAPH_CURRENT,
            [(URIRef(r), RDFS.comment, Literal("benchmark note", lang="en")) for r in resources],
        )
        store.write(batch)
        dataset, seconds, touched = follow(dataset)
        result["patch_after_a_bulk_write_s"] = {
            "seconds": round(seconds, 2),
            "subjects": touched,
        }
        print(f"bulk: {result['patch_after_a_bulk_write_s']}", file=sys.stderr)

    ident, dept, resource = picks[-1]
    compared: dict[str, Any] = {}
    held = dataset.copy_for("ASK {}")
    for name, (form, text) in query_mix(ident, dept, resource).items():
        fmt = "json" if form == "select" else "ntriples"
        worker.run_query(dataset, text, fmt, 10_000)  # the plan parse, outside the timing
        timings: dict[str, list[float]] = {"copy": [], "store": []}
        bodies: dict[str, bytes] = {}
        for _ in range(3):
            for on, where in ((held, "copy"), (None, "store")):
                t = time.perf_counter()
                bodies[where] = worker.run_query(dataset, text, fmt, 10_000, on)[0]
                timings[where].append(time.perf_counter() - t)
        on_copy, on_store = (bodies["copy"],), (bodies["store"],)
        t_copy, t_store = (statistics.median(timings[w]) for w in ("copy", "store"))
        same = comparable(form, text, on_copy[0]) == comparable(form, text, on_store[0])
        compared[name] = {"copy_s": round(t_copy, 4), "store_s": round(t_store, 4), "same": same}
    result["mix_in_process"] = compared
    result["versions"] = versions()
    result["load_average"] = os.getloadavg()
    store.close()
    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
