"""Incremental re-submission: first submission of a catalogue vs the same catalogue
re-submitted with one entry changed, side by side in one run.

    .venv/bin/python bench/resubmit_bench.py --sizes 1000 10000

For each size: a fresh memory store seeded with examples/ (standards, departments),
then (1) `Registry.submit` of bench/data/catalogue-N.ttl as a registrar, (2) the same
bytes with one resource's abstract changed. Both times cover everything a client
waits for: parsing, hashing, the item-state lookup, validation, the write. The
catalogue is generated with no invalid entry (a submission with a Violation writes
nothing). Prints both times, the ratio and what (2) wrote.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import write_catalogue, write_output  # noqa: E402
from bench.validate_bench import machine  # noqa: E402


def valid_catalogue(data_dir: Path, n: int) -> Path:
    """A catalogue of n resources with no invalid entry (a submission with a Violation
    writes nothing, so there would be nothing to re-submit)."""
    path = data_dir / f"catalogue-{n}-valid.ttl"
    if not path.exists():
        write_output(path, lambda out, fmt: write_catalogue(out, fmt, n, 1, 0.0))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--profile", action="store_true", help="profile the re-submission")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    from registry.config import Settings
    from registry.inputs import Document
    from registry.registration import REGISTRAR
    from registry.service import Registry

    info = machine()
    print(" ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    out = []
    for n in args.sizes:
        text = valid_catalogue(args.data_dir, n).read_text(encoding="utf-8")
        first = text.encode("utf-8")
        # One entry changed: the abstract of the first resource.
        second = re.sub(r'(dct:description ")', r"\1(修订) ", text, count=1).encode("utf-8")
        assert second != first
        # the 10,000-resource document (40 MB) is over the default upload limit
        settings = Settings(store="memory", seed=True, max_body_bytes=1 << 30)
        with Registry(settings) as registry:
            registry.store  # noqa: B018 - open and seed before timing
            started = time.perf_counter()
            one = registry.submit([Document("catalogue.ttl", first, "turtle")], REGISTRAR)
            first_s = time.perf_counter() - started
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            two = registry.submit([Document("catalogue.ttl", second, "turtle")], REGISTRAR)
            if profiler:
                profiler.disable()
            second_s = time.perf_counter() - started
        written = [c for c in two.changes if c.outcome != "unchanged"]
        row = {
            "resources": n,
            "first_s": round(first_s, 2),
            "first_accepted": one.accepted,
            "first_entries": len(one.changes),
            "resubmit_s": round(second_s, 2),
            "resubmit_written": [(c.item, c.version) for c in written],
            "resubmit_skipped_validation": two.report.extra.get("skipped_entries"),
            "ratio": round(first_s / second_s, 1),
        }
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if profiler:
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(25)
            row["profile_top"] = buffer.getvalue()
            print(buffer.getvalue())
        out.append(row)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "results": out}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
