"""The list snapshot after a write: patched from the previous one vs built from scratch.

    flock /tmp/screg-bench.lock .venv/bin/python bench/snapshot_bench.py --repeat 5

Data: a copy of the registered 50,000-resource store of bench/sparql_bench.py
(`bench/data/store-50000`, never written to: the copy is made next to it and deleted
at the end unless `--keep-copy`). In one process over the copy:

1. `queries.snapshot(store, cache)` with an empty ReadCache: the build from scratch
   every list, search and page used to wait for after each write;
2. `--repeat` times: a status change of one resource through
   `registration.change_status` (valid -> deprecated, then back), then
   `queries.snapshot(store, cache)` again, which patches the previous snapshot with
   the subjects the write touched (`Store.changes_since`);
3. `--scratch-runs` times `queries.load_snapshot(store)`, the same generation built
   from scratch, checked equal to the last patched one (every record of every kind,
   the names, referrers and kind indexes).

Prints the load average, the times of (1), the median of (2) and of (3), and the ratio
(3)/(2). Time covers reading the store and building the records; the write is not in
it.
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

from bench.validate_bench import machine  # noqa: E402


def same_snapshot(a: Any, b: Any) -> list[str]:
    """The parts in which two snapshots differ (empty when they are equal)."""
    differ = [f"records[{k}]" for k in b.records if a.records.get(k) != b.records[k]]
    for part in ("by_iri", "kind_iris", "referrers", "names", "concepts"):
        if getattr(a, part) != getattr(b, part):
            differ.append(part)
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "bench" / "data" / "store-50000")
    parser.add_argument("--copy", type=Path, default=None, help="default: <store>-copy")
    parser.add_argument("--repeat", type=int, default=5, help="writes, each with a patch")
    parser.add_argument("--scratch-runs", type=int, default=1, help="builds from scratch")
    parser.add_argument("--keep-copy", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    from registry.read import queries
    from registry.register.submission import REGISTRAR, change_status
    from registry.store import OxigraphStore

    if not args.store.is_dir():
        print(f"no store at {args.store}: build it with bench/sparql_bench.py --prepare-only")
        return 2
    copy = args.copy or args.store.with_name(args.store.name + "-copy")
    if copy.exists():
        print(f"{copy} exists; remove it or name another --copy")
        return 2
    info = {**machine(), "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    print(" ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    started = time.perf_counter()
    shutil.copytree(args.store, copy)
    print(f"copied {args.store.name} in {time.perf_counter() - started:.1f} s", flush=True)
    result: dict[str, Any] = {"machine": info}
    try:
        with OxigraphStore(copy) as store:
            cache = queries.ReadCache()
            started = time.perf_counter()
            snap = queries.snapshot(store, cache)
            first = time.perf_counter() - started
            resources = snap.records["resource"]
            item = resources[len(resources) // 2]["iri"]
            print(
                f"from scratch (empty cache): {first:.1f} s, {len(snap.by_iri)} entries; "
                f"status changes of {item}",
                flush=True,
            )
            patched: list[float] = []
            for n in range(args.repeat):
                status = "deprecated" if n % 2 == 0 else "valid"
                change_status(store, item, status, REGISTRAR, "http://127.0.0.1:8000/id/")
                started = time.perf_counter()
                snap = queries.snapshot(store, cache)
                patched.append(time.perf_counter() - started)
                assert snap.patched_subjects is not None, "the patch path was not taken"
                assert snap.by_iri[item]["register"]["status"] == status
                print(
                    f"  write {n + 1}: patched {patched[-1] * 1000:.0f} ms "
                    f"({snap.patched_subjects} subjects re-read)",
                    flush=True,
                )
            scratch: list[float] = []
            fresh = None
            for _ in range(args.scratch_runs):
                fresh = None  # one whole snapshot at a time besides the patched one
                started = time.perf_counter()
                fresh = queries.load_snapshot(store)
                scratch.append(time.perf_counter() - started)
                print(f"  from scratch: {scratch[-1]:.1f} s", flush=True)
            differ = same_snapshot(snap, fresh)
            print("patched == from scratch:", "yes" if not differ else f"NO, {differ}")
            median_patched = statistics.median(patched)
            median_scratch = statistics.median(scratch)
            print(
                f"median patched {median_patched * 1000:.0f} ms ({len(patched)} runs), "
                f"from scratch {median_scratch:.1f} s ({len(scratch)} runs), "
                f"ratio {median_scratch / median_patched:.0f}x",
                flush=True,
            )
            result.update(
                first_scratch_s=first,
                patched_s=patched,
                scratch_s=scratch,
                ratio=median_scratch / median_patched,
                equal=not differ,
                entries=len(snap.by_iri),
            )
    finally:
        if not args.keep_copy:
            shutil.rmtree(copy, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result.get("equal") else 1


if __name__ == "__main__":
    sys.exit(main())
