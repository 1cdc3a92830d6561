"""Public SPARQL queries run by the remote server itself.

The embedded store needs killable worker processes for a time limit; a SPARQL
server has its own. The guarded query goes to the server with the public dataset
as protocol parameters (`default-graph-uri`: the public graphs; `named-graph-uri`:
every graph of the registry but the hidden ones, so `GRAPH ?g` cannot reach the
tokens graph, the server's own graphs or staged writes) and the time limit in the
form the server's dialect takes (registry/store/remote_servers.py: Virtuoso's
`timeout` field; Oxigraph server has one limit of its own for every query, and the
client stops waiting 5 s past the limit). The answer, asked for as JSON or
N-Triples, is normalised like every read of the store (xsd:string, skolem IRIs)
and cut to `max_rows` here, then written in the format the client asked for by
pyoxigraph's serialisers, as the worker of the embedded store does.
"""

from __future__ import annotations

import json
import time
from itertools import islice
from typing import Any

import pyoxigraph as ox

from registry.bilingual import Text
from registry.errors import QueryTimeoutError
from registry.namespaces import PREFIXES
from registry.outputs.csvsafe import SPREADSHEET_FORMATS, neutralise_sparql_term
from registry.sparql.formats import GRAPH_SERIALISERS, RESULT_SERIALISERS
from registry.store.errors import StoreTimeoutError
from registry.store.remote import RemoteStore, json_results, ntriples_results
from registry.store.remote_terms import SKOLEM_PREFIX

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _normal_term(term: dict[str, Any]) -> dict[str, Any]:
    kind = term.get("type")
    value = term.get("value", "")
    if kind == "uri" and value.startswith(SKOLEM_PREFIX):
        return {"type": "bnode", "value": value[len(SKOLEM_PREFIX) :]}
    if kind in ("literal", "typed-literal"):
        out: dict[str, Any] = {"type": "literal", "value": value}
        if term.get("xml:lang"):
            out["xml:lang"] = term["xml:lang"].lower()
        elif term.get("datatype") and term["datatype"] != _XSD_STRING:
            out["datatype"] = term["datatype"]
        return out
    return {"type": kind, "value": value}


def run_public_query(
    store: RemoteStore,
    text: str,
    form: str,
    fmt: str,
    max_rows: int,
    timeout: float,
    dataset: dict[str, Any],
    wait: float | None = None,
) -> tuple[bytes, bool, float]:
    """Run a guarded public query on the server with a server-side time limit, over
    the public dataset; returns (body in `fmt`, truncated, seconds). The client waits
    `wait` seconds for the answer (default: 5 s past the limit)."""
    hidden = frozenset(dataset.get("hidden_graphs", ()))
    params: dict[str, Any] = {
        "default-graph-uri": list(dataset.get("default_graphs", ())),
        "named-graph-uri": store.public_named_graphs(hidden),
        **store.dialect.query_time_limit(timeout),
    }
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if graph_form else "application/sparql-results+json"
    started = time.monotonic()
    try:
        response = store.post_query(
            text, accept, timeout=timeout + 5 if wait is None else wait, params=params
        )
    except StoreTimeoutError as exc:
        raise query_timeout(timeout) from exc
    seconds = time.monotonic() - started
    if store.dialect.hit_time_limit(response.headers) or seconds > timeout:
        raise query_timeout(timeout)
    if graph_form:
        return (*_graph_answer(response.content, fmt, max_rows), seconds)
    results = json_results(response.content)
    if "boolean" in results:
        body = json.dumps({"head": {}, "boolean": bool(results["boolean"])}).encode()
        if fmt != "json":
            body = ox.parse_query_results(body, ox.QueryResultsFormat.JSON).serialize(
                format=RESULT_SERIALISERS[fmt]
            )
        return body, False, seconds
    names = list(results.get("head", {}).get("vars", []))
    rows = results.get("results", {}).get("bindings", [])
    truncated = len(rows) > max_rows
    bindings = [{name: _normal_term(term) for name, term in row.items()} for row in rows[:max_rows]]
    if fmt in SPREADSHEET_FORMATS:
        # As in the embedded store's worker: no formula reaches a spreadsheet.
        bindings = [
            {name: neutralise_sparql_term(term) for name, term in row.items()} for row in bindings
        ]
    body = json.dumps(
        {"head": {"vars": names}, "results": {"bindings": bindings}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    if fmt != "json":
        reread = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        body = reread.serialize(format=RESULT_SERIALISERS[fmt])
    return body, truncated, seconds


def _graph_answer(data: bytes, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    triples = list(islice(ntriples_results(data), max_rows + 1))
    truncated = len(triples) > max_rows
    triples = [_normal_triple(t) for t in triples[:max_rows]]
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()} if fmt == "turtle" else None
    body = ox.serialize(triples, format=GRAPH_SERIALISERS[fmt], prefixes=prefixes)
    return body or b"", truncated


def _normal_triple(triple: ox.Triple) -> ox.Triple:
    return ox.Triple(_normal_ox(triple.subject), triple.predicate, _normal_ox(triple.object))


def _normal_ox(term: Any) -> Any:
    if isinstance(term, ox.NamedNode) and term.value.startswith(SKOLEM_PREFIX):
        return ox.BlankNode(term.value[len(SKOLEM_PREFIX) :].replace("-", "_"))
    return term


def query_timeout(timeout: float) -> QueryTimeoutError:
    return QueryTimeoutError(
        Text(
            zh=f"查询超过 {timeout:g} 秒，已终止",
            en=f"the query ran longer than {timeout:g} s and was stopped",
        ),
        details={"timeout_seconds": timeout},
    )
