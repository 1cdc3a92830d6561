"""The read model rebuilt from scratch (`ReadModel.rebuild`) over an existing store,
alone: what `screg read-model rebuild`, `import`, `rebase` and a first start without
a model wait for.

    .venv/bin/python bench/rebuild_bench.py --store bench/data/store-50000

To compare two checkouts side by side, run it from each in turn on the same store
with that checkout first on the path, e.g. a worktree of the commit before:

    PYTHONPATH=/tmp/before .venv/bin/python bench/rebuild_bench.py --store ... --rounds 2

The store is opened read-only and never written; the model goes to a temporary file,
deleted after each round. Prints, for each round, the load average before it, the
seconds and the process's peak resident memory (ru_maxrss, which only grows: the
first round's is the one to quote), and where `registry` was imported from.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an embedded store folder")
    parser.add_argument("--base-iri", default="http://127.0.0.1:8000/id/")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    import registry
    from registry.read.model import ReadModel
    from registry.store.oxigraph import OxigraphStore

    print(f"registry from {Path(registry.__file__).parent}", flush=True)
    with OxigraphStore(args.store, read_only=True) as store:
        for n in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory() as folder:
                load = Path("/proc/loadavg").read_text().split()[:3]
                path = os.path.join(folder, "model.sqlite")
                with ReadModel(path, base_iri=args.base_iri) as model:
                    started = time.perf_counter()
                    model.rebuild(store)
                    seconds = time.perf_counter() - started
                size = os.path.getsize(path) / 2**20
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"round {n}: load {' '.join(load)}; rebuild {seconds:.1f} s; "
                f"model {size:.0f} MiB; peak RSS so far {peak:.0f} MiB",
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())
