"""SPARQL over HTTP: `screg serve`'s /sparql vs rdflib-endpoint on the same data.

    .venv/bin/python bench/sparql_bench.py --prepare-only        # build the store once
    .venv/bin/python bench/sparql_bench.py --runs 5 --json bench/results/sparql-50000.json

Data: synthetic/generate.py's registry (default bench/data/registry-50000.nq, generated
when missing) plus ontology/*.ttl, as a *registered* registry: every standard,
department, resource, interface and catalogue of the current graph gets a register
item (urn:screg:graph:registry) and a version-1 graph with its content, as
registry/registration.py writes them (one synthetic submission; no validation).
That is bulk-loaded into an on-disk store, bench/data/store-50000/ (kept; rebuilt
with --rebuild), see `ensure_store`.
The REST and start-up benchmarks reuse it (`ensure_store`).

Servers, both on free ports of 127.0.0.1, started by this script and stopped at
the end:

- (a) `screg serve --store bench/data/store-50000` (our /sparql: guard, forked
  workers over a read-only open of the on-disk store);
- (b) rdflib-endpoint (FastAPI + rdflib's SPARQL engine) over an rdflib `Graph`
  (Memory store) holding our default graph: the union of the current, ontology and
  registry graphs, dumped from the built store as N-Triples.
- (d) with --oxigraph-server, Oxigraph's own server (`oxigraph serve-read-only`, PyPI
  `oxigraph`, the same Rust engine as pyoxigraph) over a store holding rdflib-endpoint's
  N-Triples in its default graph (bench/data/<nq>-oxigraph/, loaded once with
  `oxigraph load`): the engine's own speed over HTTP, with no guard, worker or
  union of named graphs above it. Issue 15 asks ours to be within 2x of it.
- (c) with --memory-copy, the same as (a) with SCREG_SPARQL_MEMORY_COPY=true: its
  workers answer from an in-memory copy of the public graphs (docs/sparql.md). It is
  measured once it answers from the copy (`wait_for_copy`); every answer it gives in
  the rounds says which data answered (X-SPARQL-Engine, "engines" in the results).

The fixed mix (one query of each kind per round; the lookups take a different,
fixed identifier each round): identifier lookup, GROUP BY count, a join with
OPTIONAL, a two-hop join, a CONSTRUCT of one entry. Rounds alternate (a) and (b);
medians per query and of the per-round totals; the ratios (b)/(a) and (b)/(c). Results are
compared: SELECT rows as multisets of N-Triples-ish term tuples, CONSTRUCT as
isomorphic graphs (no blank nodes here, so sets of triples).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synthetic.registered import (  # noqa: E402
    GRAPH_ONTOLOGY,
    GRAPH_REGISTRY,
    SCS,
    XSD,
    write_registered_extra,
)

DATA = ROOT / "bench" / "data"
DEFAULT_NQ = DATA / "registry-50000.nq"
DEFAULT_STORE = DATA / "store-50000"
PY = sys.executable
SCREG = str(Path(PY).parent / "screg")

DCT = "http://purl.org/dc/terms/"
GRAPH_CURRENT = "urn:screg:graph:current"


# -- the data ---------------------------------------------------------------------------


def ensure_nq(nq: Path, standards: int = 10000, resources: int = 50000) -> Path:
    if not nq.exists():
        subprocess.run(
            [
                PY,
                str(ROOT / "synthetic" / "generate.py"),
                "registry",
                "--standards",
                str(standards),
                "--resources",
                str(resources),
                "-o",
                str(nq),
            ],
            check=True,
        )
    return nq


def ensure_store(store: Path = DEFAULT_STORE, nq: Path = DEFAULT_NQ, rebuild: bool = False) -> Path:
    """The on-disk registered store for `nq` (built once, marked complete).

    Loaded with pyoxigraph's streaming `bulk_load` into the folder, then opened with
    the registry's store API to check the generation: `open_store(path).load_dump()`
    (one transaction holding every parsed quad) passed 14 GB resident on these 8.8 M
    quads and was stopped."""
    import shutil

    import pyoxigraph as ox

    from registry.store import open_store

    marker = store / ".bench-complete"
    if marker.exists() and not rebuild:
        return store
    if store.exists():
        shutil.rmtree(store)
    ensure_nq(nq)
    extra = nq.with_name(nq.stem + "-registered-extra.nq")
    t0 = time.perf_counter()
    n_extra = write_registered_extra(nq, extra)
    t1 = time.perf_counter()
    raw = ox.Store(str(store))
    raw.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    raw.bulk_load(path=str(extra), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    n = len(raw)
    del raw
    t2 = time.perf_counter()
    s = open_store(str(store))
    try:
        generation = s.generation()
    finally:
        s.close()
    marker.write_text(
        json.dumps(
            {
                "quads": n,
                "extra_quads": n_extra,
                "generation": generation,
                "source": str(nq),
                "prepare_s": round(t1 - t0, 1),
                "load_s": round(t2 - t1, 1),
            }
        )
    )
    print(
        f"store {store}: {n} quads, extra prepared in {t1 - t0:.1f} s, bulk_load "
        f"{t2 - t1:.1f} s, generation {generation}",
        file=sys.stderr,
    )
    return store


# -- servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> float:
    """Seconds until `url` answers (any status below 500); raises on timeout."""
    import httpx

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            r = httpx.get(url, timeout=2.0)
            if r.status_code < 500:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def start_screg(
    store: Path,
    port: int,
    log: Path,
    extra_env: dict[str, str] | None = None,
    wrapper: list[str] | None = None,
) -> subprocess.Popen:
    env = dict(os.environ, SCREG_SEED="false", **(extra_env or {}))
    cmd = (wrapper or []) + [
        SCREG,
        "serve",
        "--store",
        str(store),
        "--no-seed",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(
        cmd,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen | None, grace: float = 10.0) -> None:
    """SIGTERM the server's process group (its own session: the server, the fork server
    and the workers), then SIGKILL what is left."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass


RDFLIB_SERVER = r"""
import sys, time
import uvicorn
from rdflib import Graph, Dataset, URIRef
from rdflib_endpoint import SparqlEndpoint
nq, port = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
g = Graph()  # rdflib's default Memory store
g.parse(nq, format="nt")
print(f"rdflib loaded {len(g)} triples in {time.perf_counter() - t0:.1f} s", flush=True)
app = SparqlEndpoint(graph=g, path="/sparql", cors_enabled=False)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def rdflib_input(store: Path, out: Path) -> Path:
    """Our default graph (the current, ontology and registry graphs of the built store)
    as one N-Triples file, for rdflib-endpoint."""
    if out.exists() and out.stat().st_mtime > (store / ".bench-complete").stat().st_mtime:
        return out
    import pyoxigraph as ox

    ro = ox.Store.read_only(str(store))
    tmp = out.with_suffix(".tmp")
    with tmp.open("wb") as f:
        for name in (GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY):
            ro.dump(f, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
    del ro
    tmp.replace(out)
    return out


OXIGRAPH = str(Path(PY).parent / "oxigraph")


def oxigraph_input(nt: Path) -> Path:
    """An Oxigraph store folder holding `nt` (rdflib-endpoint's input) in its default
    graph, loaded once with `oxigraph load`, optimized, and marked complete; loaded
    again when the N-Triples file is newer."""
    import shutil

    folder = nt.with_name(nt.stem.removesuffix("-rdflib") + "-oxigraph")
    marker = folder / ".bench-complete"
    if marker.exists() and marker.stat().st_mtime > nt.stat().st_mtime:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(folder), "--file", str(nt)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Its own advice for a read-heavy workload: its best case is the one compared.
    subprocess.run([OXIGRAPH, "optimize", "--location", str(folder)], check=True)
    marker.write_text(json.dumps({"source": str(nt), "load_s": round(time.perf_counter() - t0, 1)}))
    return folder


def start_oxigraph(folder: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [OXIGRAPH, "serve-read-only", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )


def start_rdflib(nq: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-c", RDFLIB_SERVER, str(nq), str(port)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )


# -- the query mix ----------------------------------------------------------------------

PREFIXES = f"PREFIX scs: <{SCS}>\nPREFIX dct: <{DCT}>\n"


def query_mix(ident: str, dept: str, resource: str) -> dict[str, tuple[str, str]]:
    """name -> (form, query) for one round: `ident` a standard identifier, `dept` a
    department IRI, `resource` a resource IRI."""
    return {
        "lookup": (
            "select",
            PREFIXES
            + f"""SELECT ?s ?title WHERE {{
  ?s dct:identifier "{ident}" ; dct:title ?title }} ORDER BY ?s ?title""",
        ),
        "group_by": (
            "select",
            PREFIXES
            + """SELECT ?category ?status (COUNT(?s) AS ?n) WHERE {
  ?s a scs:Standard ; scs:category ?category ; scs:standardStatus ?status }
GROUP BY ?category ?status ORDER BY ?category ?status""",
        ),
        "optional_join": (
            "select",
            PREFIXES
            + f"""SELECT ?r ?code ?cond WHERE {{
  ?r a scs:InformationResource ; dct:publisher <{dept}> ; scs:resourceCode ?code .
  OPTIONAL {{ ?r scs:sharingCondition ?cond }} }} ORDER BY ?code ?r ?cond""",
        ),
        "two_hop": (
            "select",
            PREFIXES
            + f"""SELECT ?r ?std ?refid WHERE {{
  ?r a scs:InformationResource ; dct:publisher <{dept}> ; dct:conformsTo ?std .
  ?std scs:datedReference ?ref . ?ref dct:identifier ?refid }}
ORDER BY ?r ?std ?refid LIMIT 2000""",
        ),
        "construct": (
            "construct",
            PREFIXES
            + f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ <{resource}> ?p ?o . BIND(<{resource}> AS ?s) }}
  UNION {{ <{resource}> scs:dataItem ?s . ?s ?p ?o }} }}""",
        ),
    }


def samples(nq: Path, k: int) -> list[tuple[str, str, str]]:
    """k fixed (identifier, department, resource) triples, evenly spread over the data."""
    import re

    idents, depts, resources = [], set(), []
    pat_id = re.compile(r'^<[^>]*/standard/[^>]*> <http://purl.org/dc/terms/identifier> "([^"]*)"')
    pat_res = re.compile(
        r"^<([^>]*/resource/[^>]*)> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/smartcity-std#InformationResource>"
    )
    pat_dept = re.compile(
        r"^<([^>]*/department/[^>]*)> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    )
    with nq.open(encoding="utf-8") as f:
        for line in f:
            if "<urn:screg:graph:current>" not in line:
                continue
            if m := pat_id.match(line):
                idents.append(m.group(1))
            elif m := pat_res.match(line):
                resources.append(m.group(1))
            elif m := pat_dept.match(line):
                depts.add(m.group(1))
    depts_l = sorted(depts)
    pick = lambda xs, i: xs[(i * 7919 + 13) * len(xs) // (k * 7919 + 1) % len(xs)]  # noqa: E731
    return [(pick(idents, i), depts_l[i % len(depts_l)], pick(resources, i)) for i in range(k)]


SELECT_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


def run_query(client: Any, url: str, form: str, query: str) -> tuple[float, int, bytes, str, str]:
    accept = SELECT_JSON if form == "select" else "text/turtle"
    t0 = time.perf_counter()
    r = client.post(url, data={"query": query}, headers={"Accept": accept})
    body = r.content
    elapsed = time.perf_counter() - t0
    return (
        elapsed,
        r.status_code,
        body,
        r.headers.get("content-type", ""),
        r.headers.get("x-sparql-engine", ""),
    )


def normalise(form: str, body: bytes, ctype: str) -> Any:
    """Comparable results: SELECT rows in order; CONSTRUCT a set of N-Triples lines."""
    if form == "select":
        data = json.loads(body)
        rows = []
        for b in data["results"]["bindings"]:
            row = []
            for var in sorted(b):
                t = b[var]
                kind = "literal" if t["type"] in ("literal", "typed-literal") else t["type"]
                dt = t.get("datatype")
                if dt == f"{XSD}string":
                    dt = None
                row.append((var, kind, t["value"], (t.get("xml:lang") or "").lower(), dt))
            rows.append(tuple(row))
        return rows
    from rdflib import Graph

    g = Graph()
    fmt = "nt" if "n-triples" in ctype else "turtle"
    g.parse(data=body, format=fmt)
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in g}


def bench(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    store = ensure_store(args.store, args.nq, args.rebuild)
    if args.prepare_only:
        return {}
    rdflib_nq = rdflib_input(store, DATA / (args.nq.stem + "-rdflib.nt"))
    logs = ROOT / "bench" / "results"
    logs.mkdir(exist_ok=True)
    servers: dict[str, subprocess.Popen] = {}
    result: dict[str, Any] = {"store": str(store), "nq": str(args.nq)}
    # Copied before any server opens (and rewrites the logs of) the store.
    twin = twin_store(store) if args.memory_copy else None
    oxigraph_folder = oxigraph_input(rdflib_nq) if args.oxigraph_server else None
    try:
        ports = {side: free_port() for side in ("ours", "ours_copy", "rdflib", "oxigraph")}
        t0 = time.perf_counter()
        servers["rdflib"] = start_rdflib(
            rdflib_nq, ports["rdflib"], logs / "sparql-rdflib-server.log"
        )
        servers["ours"] = start_screg(store, ports["ours"], logs / "sparql-screg-server.log")
        if args.memory_copy:
            servers["ours_copy"] = start_screg(
                twin,
                ports["ours_copy"],
                logs / "sparql-screg-copy-server.log",
                extra_env={"SCREG_SPARQL_MEMORY_COPY": "true"},
            )
        if oxigraph_folder is not None:
            servers["oxigraph"] = start_oxigraph(
                oxigraph_folder, ports["oxigraph"], logs / "sparql-oxigraph-server.log"
            )
            result["oxigraph_ready_s"] = round(
                wait_http(
                    f"http://127.0.0.1:{ports['oxigraph']}/query?query=ASK%7B%7D",
                    120,
                    servers["oxigraph"],
                ),
                2,
            )
        for side in [s for s in servers if s.startswith("ours")]:
            result[f"{side}_ready_s"] = round(
                wait_http(f"http://127.0.0.1:{ports[side]}/openapi.json", 120, servers[side]), 2
            )
        result["rdflib_ready_s"] = round(
            wait_http(
                f"http://127.0.0.1:{ports['rdflib']}/sparql?query=ASK%7B%7D",
                args.load_timeout,
                servers["rdflib"],
            ),
            1,
        )
        urls = {
            side: f"http://127.0.0.1:{ports[side]}/{'query' if side == 'oxigraph' else 'sparql'}"
            for side in servers
        }
        if args.memory_copy:
            result["ours_copy_copied_s"] = round(wait_for_copy(urls["ours_copy"], t0), 1)
        print(
            f"servers up: ours {result['ours_ready_s']} s, rdflib-endpoint "
            f"{result['rdflib_ready_s']} s (after {time.perf_counter() - t0:.0f} s)"
            + (
                f", ours with the memory copy answering from it {result['ours_copy_copied_s']} s"
                if args.memory_copy
                else ""
            ),
            file=sys.stderr,
        )
        ours_sides = [side for side in urls if side.startswith("ours")]
        # Every side's answers are compared with rdflib-endpoint's.
        compared = [side for side in urls if side != "rdflib"]
        picks = samples(args.nq, args.runs + 1)
        times: dict[str, dict[str, list[float]]] = {s: defaultdict(list) for s in urls}
        totals: dict[str, list[float]] = {s: [] for s in urls}
        same: dict[str, dict[str, bool]] = {side: {} for side in compared}
        engines: dict[str, set[str]] = {side: set() for side in ours_sides}
        sizes: dict[str, int] = {}
        with httpx.Client(timeout=args.query_timeout) as client:
            for rnd, (ident, dept, res) in enumerate(picks):
                mix = query_mix(ident, dept, res)
                # Each side goes first, middle and last in turn.
                order = list(urls)[rnd % len(urls) :] + list(urls)[: rnd % len(urls)]
                answers: dict[str, dict[str, Any]] = {}
                for side in order:
                    answers[side] = {}
                    total = 0.0
                    for name, (form, q) in mix.items():
                        dt, status, body, ctype, engine = run_query(client, urls[side], form, q)
                        if status != 200:
                            raise RuntimeError(f"{side} {name}: HTTP {status}: {body[:300]!r}")
                        answers[side][name] = normalise(form, body, ctype)
                        if side in engines:
                            engines[side].add(engine)
                        total += dt
                        if rnd > 0:  # round 0 is the warm-up
                            times[side][name].append(dt)
                    if rnd > 0:
                        totals[side].append(total)
                for side in compared:
                    for name in mix:
                        a, b = answers[side][name], answers["rdflib"][name]
                        ok = a == b
                        same[side][name] = same[side].get(name, True) and ok
                        sizes[name] = max(sizes.get(name, 0), len(a))
                        if not ok:
                            print(
                                f"round {rnd} {side} {name}: results differ ({len(a)} vs {len(b)})",
                                file=sys.stderr,
                            )
                print(
                    f"round {rnd}: "
                    + ", ".join(
                        f"{s} "
                        f"{sum(t[-1] for t in times[s].values()) if rnd else float('nan'):.3f} s"
                        for s in urls
                    ),
                    file=sys.stderr,
                )
        med = {s: {n: statistics.median(v) for n, v in times[s].items()} for s in urls}
        theirs = statistics.median(totals["rdflib"])
        result.update(
            {
                "runs": args.runs,
                "per_query_median_s": med,
                "per_query_runs_s": {s: dict(times[s]) for s in urls},
                "total_median_s": {s: statistics.median(totals[s]) for s in urls},
                "total_runs_s": totals,
                "ratio_total": {
                    side: theirs / statistics.median(totals[side]) for side in compared
                },
                "ratio_per_query": {
                    side: {n: med["rdflib"][n] / med[side][n] for n in med[side]}
                    for side in compared
                },
                "same_results": same,
                "engines": {side: sorted(found) for side, found in engines.items()},
                "result_sizes": sizes,
                "samples": picks,
            }
        )
        if "oxigraph" in urls:
            # Issue 15: ours within 2x of Oxigraph's own server (above 1: ours slower).
            result["ours_over_oxigraph"] = {
                side: statistics.median(totals[side]) / statistics.median(totals["oxigraph"])
                for side in ours_sides
            }
        result["rss_mb"] = {side: tree_rss_mb(proc.pid) for side, proc in servers.items()}
    finally:
        for proc in servers.values():
            stop(proc)
    return result


def twin_store(store: Path) -> Path:
    """A copy of the built store's folder, for a second server (an embedded store is
    opened by one process); made again when the store was rebuilt."""
    import shutil

    twin = store.with_name(store.name + "-twin")
    marker = store / ".bench-complete"
    if not (twin / ".bench-complete").exists() or (
        (twin / ".bench-complete").read_bytes() != marker.read_bytes()
    ):
        shutil.rmtree(twin, ignore_errors=True)
        shutil.copytree(store, twin, ignore=shutil.ignore_patterns("LOCK"))
    return twin


def wait_for_copy(url: str, since: float, timeout: float = 1200) -> float:
    """Seconds from `since` until the server answers from its memory copy."""
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=60) as client:
        while time.monotonic() < deadline:
            r = client.get(url, params={"query": "ASK { ?s ?p ?o }"})
            if r.headers.get("x-sparql-engine") == "memory-copy":
                return time.perf_counter() - since
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer from its memory copy within {timeout} s")


def tree_rss_mb(pid: int) -> dict[str, float]:
    """RSS in MB of `pid` and each of its descendants (from /proc)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children[int(fields[1])].append(int(entry))
            except (OSError, IndexError):
                pass
    out: dict[str, float] = {}
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[f"{p} {cmd.strip()}"] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return out


def registrar_token(store: Path, **env: str) -> str:
    """A registrar token made with `screg token create` on `store` (extra environment
    `env`): its secret, the first line the command prints."""
    made = subprocess.run(
        [SCREG, "token", "create", "--role", "registrar", "--name", "bench", "--store", str(store)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **env},
    )
    return made.stdout.splitlines()[0].strip()


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        # rdflib-endpoint is installed by hand for the SPARQL comparison only; the
        # other scripts record their versions without it.
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    pk = (
        "pyoxigraph",
        "oxigraph",
        "rdflib",
        "rdflib-endpoint",
        "fastapi",
        "uvicorn",
        "starlette",
        "httpx",
    )
    return {"python": platform.python_version(), **{p: installed(p) for p in pk}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--nq", type=Path, default=DEFAULT_NQ)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the on-disk store")
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument("--runs", type=int, default=5, help="measured rounds (after one warm-up)")
    ap.add_argument("--load-timeout", type=float, default=1200, help="s allowed for rdflib to load")
    ap.add_argument("--query-timeout", type=float, default=300)
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--memory-copy",
        action="store_true",
        help="also run a third server with SCREG_SPARQL_MEMORY_COPY=true, measured once "
        "it answers from its copy",
    )
    ap.add_argument(
        "--oxigraph-server",
        action="store_true",
        help="also run Oxigraph's own server (`oxigraph serve-read-only`) on the same data",
    )
    args = ap.parse_args(argv)
    result = bench(args)
    if not result:
        return 0
    result["versions"] = versions()
    result["load_average"] = os.getloadavg()
    print(
        json.dumps(
            {
                k: result[k]
                for k in (
                    "per_query_median_s",
                    "total_median_s",
                    "ratio_total",
                    "ratio_per_query",
                    "ours_over_oxigraph",
                    "same_results",
                    "result_sizes",
                    "rss_mb",
                    "ours_ready_s",
                    "rdflib_ready_s",
                    "engines",
                )
                if k in result
            },
            indent=1,
        )
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
