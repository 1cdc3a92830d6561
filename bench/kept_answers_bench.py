"""Entry lookups after a write, in process on the 50,000-resource store: an answer
carried over the write (registry/kept_answers.py) against one built from the store.

    .venv/bin/python bench/kept_answers_bench.py --json bench/results/kept-answers-50000.json

Data: a scratch copy of the registered store of bench/sparql_bench.py
(`ensure_store`), made afresh each run (the writes change it) and deleted at the end.
Each round:

1. every lookup of the sample (`--resources` resources and `--standards` standards,
   spread over the data) is answered once and kept (`entry_answer`);
2. one write: a status change of one resource of the sample (`change_status`);
3. every lookup again, timed: most answers are carried over, the changed entry's
   (and any that show it) built again; counted by whether the bytes are the kept ones;
4. the same lookups built from the store with an empty cache, timed: what every
   lookup after a write cost before answers were carried.

Medians of the per-lookup times over `--rounds` rounds, and the ratio.
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

from bench.sparql_bench import DEFAULT_NQ, DEFAULT_STORE, ensure_store, versions  # noqa: E402


def sample(nq: Path, resources: int, standards: int) -> list[tuple[str, str]]:
    """Resource IRIs and standard identifiers spread over the data."""
    found: dict[str, list[str]] = {"resource": [], "standard": []}
    with nq.open(encoding="utf-8") as f:
        for line in f:
            if "<urn:screg:graph:current>" not in line:
                continue
            subject = line.split(" ", 1)[0]
            if "/resource/" in subject and "/item/" not in subject and "#type>" in line:
                if "#InformationResource>" in line:
                    found["resource"].append(subject[1:-1])
            elif "/standard/" in subject and "/terms/identifier>" in line:
                found["standard"].append(line.split('"')[1])
    picked: list[tuple[str, str]] = []
    for kind, want in (("resource", resources), ("standard", standards)):
        pool = found[kind]
        step = max(1, len(pool) // max(1, want))
        picked += [(kind, ident) for ident in pool[::step][:want]]
    return picked


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--nq", type=Path, default=DEFAULT_NQ)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--resources", type=int, default=2000)
    ap.add_argument("--standards", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from registry.config import Settings
    from registry.read import queries
    from registry.read.kept_answers import AnswerCache, entry_answer
    from registry.register.submission import REGISTRAR
    from registry.service import Registry
    from registry.store import open_store

    def encode(record: dict[str, Any]) -> bytes:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()

    store_dir = ensure_store(args.store, args.nq)
    scratch = store_dir.with_name(store_dir.name + "-scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(store_dir, scratch, ignore=shutil.ignore_patterns("LOCK"))
    store = open_store(str(scratch))
    registry = Registry(Settings(store=str(scratch), seed=False), store=store)
    paths = sample(args.nq, args.resources, args.standards)
    answers, cache = AnswerCache(), queries.ReadCache()
    rounds: list[dict[str, Any]] = []
    for number in range(args.rounds):
        kept = {p: entry_answer(store, answers, cache, *p, p, encode) for p in paths}
        changed = paths[number][1]  # a resource of the sample
        registry.change_status(changed, "deprecated", REGISTRAR, reason="benchmark")
        t = time.perf_counter()
        after = {p: entry_answer(store, answers, cache, *p, p, encode) for p in paths}
        carried_s = time.perf_counter() - t
        carried = sum(after[p] is kept[p] for p in paths)
        t = time.perf_counter()
        fresh = {p: encode(queries.entry(store, *p, queries.ReadCache())) for p in paths}
        built_s = time.perf_counter() - t
        assert all(after[p] == fresh[p] for p in paths), "a carried answer differs"
        rounds.append(
            {
                "lookups": len(paths),
                "carried": carried,
                "carried_ms_per_lookup": round(carried_s / len(paths) * 1000, 3),
                "built_ms_per_lookup": round(built_s / len(paths) * 1000, 3),
            }
        )
        print(f"round {number}: {rounds[-1]}", file=sys.stderr)
    store.close()
    shutil.rmtree(scratch, ignore_errors=True)
    carried_ms = statistics.median(r["carried_ms_per_lookup"] for r in rounds)
    built_ms = statistics.median(r["built_ms_per_lookup"] for r in rounds)
    result = {
        "rounds": rounds,
        "median_ms_per_lookup": {"after a write": carried_ms, "built from the store": built_ms},
        "ratio": round(built_ms / carried_ms, 1),
        "versions": versions(),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
