"""Ten anonymous clients sending the worst inputs at once (issue 17, acceptance): with
the limits at their defaults, the server must stay under 2 GB and a registrar's small
submission must not wait past 5 s.

    .venv/bin/python bench/hostile_bench.py --duration 60 --json bench/results/hostile.json

One `screg serve` on a fresh store seeded with the example data (started here, stopped
at the end), every limit at its default. Two phases, side by side in one run:

- calm: the registrar submits a new one-resource catalogue every --every seconds;
- attack: the same, while --clients anonymous clients each send, in turn and without
  pause, the worst inputs of the issue: a 20,000-row XLSX to /api/v1/validate, a
  10 MB CSV, a 19 MiB body, a 44 KB catalogue whose validation is cubic (60 publishers
  on the catalogue and on each of its 60 datasets), the CONCAT string bomb, the
  cross-product ORDER BY, the three-way cross product that burns CPU, and 15,000 `!`
  in a FILTER.

Memory is sampled every 0.25 s: the API process alone and the whole process tree (the
API process, the fork server and every SPARQL and upload worker). The registrar's
latency is from the POST to the answer (a 202 job is polled until it is done). Status
codes per kind of attack show what refused what.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sparql_bench import (  # noqa: E402
    free_port,
    registrar_token,
    start_screg,
    stop,
    tree_rss_mb,
    versions,
    wait_http,
)
from tests.documents import resource_ttl  # noqa: E402
from tests.security.test_sparql_hostile import (  # noqa: E402
    CONCAT_BOMB,
    CPU_BURNER,
    CROSS_PRODUCT,
)
from tests.security.test_upload_limits import catalogue_xlsx  # noqa: E402
from tests.security.test_validation_limits import publishers_catalogue  # noqa: E402

# The base the example data and tests/documents.py mint entries under.
BASE_IRI = "http://127.0.0.1:8000/id/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def big_csv(megabytes: int) -> bytes:
    """A catalogue CSV of about `megabytes` MB: the template's header and example row,
    the row repeated with new codes."""
    from registry.inputs.tabular import COLUMNS, template_rows

    header, example = template_rows()
    keys = [c.key for c in COLUMNS]
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    i = 0
    while out.tell() < megabytes * 1_000_000:
        row = list(example)
        row[keys.index("name")] = f"资源{i}"
        row[keys.index("code")] = f"101001/{i % 1_000_000:06d}"
        out.write(",".join(f'"{v}"' for v in row) + "\n")
        i += 1
    return out.getvalue().encode()


def attacks() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, path, httpx request arguments) of each worst input."""
    sparql = {"Accept": "application/sparql-results+json"}
    return [
        (
            "xlsx-20000-rows",
            "/api/v1/validate",
            {"content": catalogue_xlsx(20_000), "headers": {"Content-Type": XLSX}},
        ),
        (
            "csv-10MB",
            "/api/v1/validate",
            {"content": big_csv(10), "headers": {"Content-Type": "text/csv"}},
        ),
        (
            "body-19MiB",
            "/api/v1/validate",
            {"content": b"#" * (19 * 1024 * 1024), "headers": {"Content-Type": "text/turtle"}},
        ),
        (
            # 44 KB whose shapes cost a minute of CPU (tests/security/test_validation_limits)
            "turtle-publishers-60",
            "/api/v1/validate",
            {"content": publishers_catalogue(60), "headers": {"Content-Type": "text/turtle"}},
        ),
        ("sparql-concat-bomb", "/sparql", {"data": {"query": CONCAT_BOMB}, "headers": sparql}),
        ("sparql-cross-product", "/sparql", {"data": {"query": CROSS_PRODUCT}, "headers": sparql}),
        ("sparql-cpu-burner", "/sparql", {"data": {"query": CPU_BURNER}, "headers": sparql}),
        (
            "sparql-15000-bangs",
            "/sparql",
            {
                "data": {"query": "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 15_000 + "?o) }"},
                "headers": sparql,
            },
        ),
    ]


def submit(client: httpx.Client, base: str, token: str, n: int) -> tuple[float, int]:
    """One new resource, as a registrar: seconds to the answer (a job polled to its
    end) and the final status."""
    body = resource_ttl(f"101001/9{n:05d}", title=f"压测资源{n}", description="压测")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
    start = time.perf_counter()
    answer = client.post(f"{base}/api/v1/submissions", content=body, headers=headers)
    status = answer.status_code
    if status == 202:
        href = f"{base}{answer.headers['Location']}"
        while True:
            job = client.get(href, headers=headers).json()
            if job["status"] in ("done", "failed"):
                status = 201 if job["status"] == "done" else job["error"]["status"]
                break
            time.sleep(0.05)
    return time.perf_counter() - start, status


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.halt = pid, threading.Event()
        self.api: list[float] = []
        self.tree: list[float] = []

    def run(self) -> None:
        while not self.halt.wait(0.25):
            try:
                rss = tree_rss_mb(self.pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
            own = [mb for name, mb in rss.items() if name.startswith(f"{self.pid} ")]
            self.api.append(own[0] if own else 0.0)
            self.tree.append(sum(rss.values()))


def phase(
    base: str, token: str, pid: int, seconds: float, every: float, clients: int, first: int
) -> dict[str, Any]:
    halt = threading.Event()
    outcomes: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()
    kinds = attacks() if clients else []

    def attacker(offset: int) -> None:
        with httpx.Client(timeout=180) as client:
            i = offset
            while not halt.is_set():
                name, path, request = kinds[i % len(kinds)]
                i += 1
                try:
                    status = client.post(f"{base}{path}", **request).status_code
                except httpx.HTTPError as error:
                    status = -1
                    name = f"{name} ({type(error).__name__})"
                with lock:
                    outcomes[(name, status)] += 1

    sampler = Sampler(pid)
    sampler.start()
    threads = [threading.Thread(target=attacker, args=(k,), daemon=True) for k in range(clients)]
    for thread in threads:
        thread.start()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    with httpx.Client(timeout=300) as client:
        end = time.monotonic() + seconds
        n = first
        while time.monotonic() < end:
            took, status = submit(client, base, token, n)
            latencies.append(took)
            statuses[status] += 1
            n += 1
            time.sleep(max(0.0, every - took))
    halt.set()
    for thread in threads:
        thread.join(300)
    sampler.halt.set()
    sampler.join()
    return {
        "registrar_submissions": len(latencies),
        "registrar_statuses": dict(statuses),
        "registrar_median_s": round(statistics.median(latencies), 3),
        "registrar_max_s": round(max(latencies), 3),
        "api_peak_mb": round(max(sampler.api, default=0), 1),
        "tree_peak_mb": round(max(sampler.tree, default=0), 1),
        "attacks": {
            f"{name} -> {status}": count for (name, status), count in sorted(outcomes.items())
        },
        "next": n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds per phase.")
    parser.add_argument("--every", type=float, default=2.0, help="Seconds between submissions.")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="screg-hostile-") as tmp:
        store = Path(tmp) / "store"
        token = registrar_token(store, SCREG_BASE_IRI=BASE_IRI)  # seeds the store with the examples
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_screg(
            store, port, Path(tmp) / "server.log", extra_env={"SCREG_BASE_IRI": BASE_IRI}
        )
        try:
            wait_http(f"{base}/api/v1/standards?limit=1", 120, proc)
            with httpx.Client(timeout=300) as client:
                submit(client, base, token, 0)  # warm-up: the first pays for loading shapes
            loadavg = {"before": Path("/proc/loadavg").read_text().split()[:3]}
            calm = phase(base, token, proc.pid, args.duration, args.every, 0, 1)
            attack = phase(
                base, token, proc.pid, args.duration, args.every, args.clients, calm["next"]
            )
            loadavg["after"] = Path("/proc/loadavg").read_text().split()[:3]
            alive = httpx.get(f"{base}/api/v1/standards?limit=1", timeout=30).status_code
        finally:
            stop(proc)
    result = {
        "versions": versions(),
        "clients": args.clients,
        "duration_s": args.duration,
        "loadavg": loadavg,
        "calm": calm,
        "attack": attack,
        "ratio_registrar_median": round(
            attack["registrar_median_s"] / calm["registrar_median_s"], 2
        ),
        "answers_after": alive,
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
