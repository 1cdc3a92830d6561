"""SPARQL `ASK` while another client re-submits back to back (issue 15's figure, issue 17
point 6: ASK took 8.6-12 s instead of ~5 ms and some readers got 503).

    .venv/bin/python bench/sparql_under_writes_bench.py --duration 30 \
        --json bench/results/ask-under-writes.json

Data: the registered 50,000-resource store of bench/sparql_bench.py (`ensure_store`).
One `screg serve` on it (started here, stopped at the end). Side by side in one run:

- quiet: one client sends `ASK { ?s ?p ?o }` to /sparql, one after the other, for
  --duration seconds;
- under writes: the same, while a registrar re-submits one registered resource back to
  back, its Chinese title changed each time (each a new version, one store write).

Latencies are from the request to the whole answer; the median, p99 and max of each
phase are reported with the number of writes made and any status that was not 200.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sparql_bench import (  # noqa: E402
    DEFAULT_STORE,
    ensure_store,
    free_port,
    registrar_token,
    start_screg,
    stop,
    versions,
    wait_http,
)

ASK = "ASK { ?s ?p ?o }"


def asks(base: str, seconds: float) -> tuple[list[float], Counter[int]]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    end = time.monotonic() + seconds
    with httpx.Client(timeout=60) as client:
        while time.monotonic() < end:
            start = time.perf_counter()
            answer = client.post(
                f"{base}/sparql",
                data={"query": ASK},
                headers={"Accept": "application/sparql-results+json"},
            )
            latencies.append(time.perf_counter() - start)
            statuses[answer.status_code] += 1
    return latencies, statuses


def rewrite_loop(base: str, token: str, resource: str, halt: threading.Event) -> int:
    """Re-submit `resource` (its IRI) back to back until `halt`; the writes made."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
    with httpx.Client(timeout=300) as client:
        # The entry's IRI is under the registry's base; this server answers it locally.
        turtle = client.get(base + urlsplit(resource).path, headers={"Accept": "text/turtle"}).text
        graph = Graph().parse(data=turtle, format="turtle")
        subject = URIRef(resource)
        title = next(t for t in graph.objects(subject, DCTERMS.title) if t.language == "zh")
        n = 0
        while not halt.is_set():
            graph.remove((subject, DCTERMS.title, None))
            graph.add((subject, DCTERMS.title, Literal(f"{title}（{n}）", lang="zh")))
            body = graph.serialize(format="turtle").encode()
            answer = client.post(f"{base}/api/v1/submissions", content=body, headers=headers)
            if answer.status_code != 201:
                raise RuntimeError(f"re-submission answered {answer.status_code}: {answer.text}")
            n += 1
    return n


def summary(latencies: list[float], statuses: Counter[int]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "asks": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "statuses": dict(statuses),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds per phase.")
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    store = ensure_store(args.store)
    token = registrar_token(store, SCREG_SEED="false")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="screg-ask-") as tmp:
        proc = start_screg(store, port, Path(tmp) / "server.log")
        try:
            wait_http(f"{base}/api/v1/standards?limit=1", 900, proc)
            first = httpx.get(f"{base}/api/v1/resources?limit=1", timeout=60).json()
            resource = first["items"][0]["iri"]
            asks(base, 3)  # warm-up: a worker loaded, the query path taken once
            load = {"before": Path("/proc/loadavg").read_text().split()[:3]}
            quiet = summary(*asks(base, args.duration))
            halt = threading.Event()
            writes: list[int] = []
            writer = threading.Thread(
                target=lambda: writes.append(rewrite_loop(base, token, resource, halt))
            )
            writer.start()
            time.sleep(1)  # the first write under way
            busy = summary(*asks(base, args.duration))
            halt.set()
            writer.join(300)
            if not writes:
                raise RuntimeError("the writer stopped: see its error above")
            load["after"] = Path("/proc/loadavg").read_text().split()[:3]
        finally:
            stop(proc)
            errors = [
                line
                for line in (Path(tmp) / "server.log").read_text(errors="replace").splitlines()
                if "Error" in line or "failed" in line
            ]
            if errors:  # what made an answer other than 200, for the record
                print("\n".join(errors[-20:]), file=sys.stderr)
    result = {
        "versions": versions(),
        "duration_s": args.duration,
        "loadavg": load,
        "quiet": quiet,
        "under_writes": {**busy, "writes": writes[0] if writes else None},
        "ratio_p99": round(busy["p99_ms"] / quiet["p99_ms"], 2),
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
