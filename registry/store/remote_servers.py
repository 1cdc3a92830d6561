"""What each SPARQL 1.1 server needs of the remote store beyond the standards.

The remote store (registry/store/remote.py) speaks only the SPARQL 1.1 Protocol,
Update and the Graph Store Protocol; whatever one server does differently is a field
of its `ServerDialect` here, never a test of the server's name in the store:

- how to make the default graph of the store's own queries the union of every
  graph, as the embedded store has it (Virtuoso does by default; Oxigraph wants its
  `union-default-graph` field);
- where updates and the Graph Store Protocol live when the settings do not say
  (Oxigraph: `/update` and `/store` beside `/query`; Virtuoso: one endpoint);
- its own graphs, which are not the registry's (Virtuoso's `virtrdf#`);
- how to hand it a query's time limit and how it says that the limit was hit
  (Virtuoso: a `timeout` field in milliseconds and the SQL state S1TAT on a partial
  answer; Oxigraph has one limit for the whole server, `oxigraph serve --timeout-s`);
- whether it finds a stored integer by its value (Virtuoso 7.2 does not always);
- which refused updates are transient conflicts worth retrying (Virtuoso: 40001).

The dialect is chosen by `store_server` (docs/settings.md); `auto` reads the
`Server` header of the store's first answer, and a server it does not know is
spoken to as plain SPARQL 1.1 (`generic`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DIALECTS", "ServerDialect", "dialect_for_server_header"]


def _no_params(seconds: float) -> dict[str, str]:
    return {}


def _never(headers: Mapping[str, str]) -> bool:
    return False


def _same_endpoint(query_url: str) -> str:
    return query_url


def _no_graph_store(query_url: str) -> str | None:
    return None


def _no_conflicts(message: str) -> bool:
    return False


@dataclass(frozen=True)
class ServerDialect:
    """One server's differences from plain SPARQL 1.1 (the module docstring)."""

    name: str
    update_url: Callable[[str], str] = _same_endpoint
    graph_store_url: Callable[[str], str | None] = _no_graph_store
    system_graphs: tuple[str, ...] = ()
    # Form fields making the default graph the union of all graphs, for the store's
    # own queries (a public query names its dataset instead).
    union_default_graph: Mapping[str, str] = field(default_factory=dict)
    finds_numbers_by_value: bool = True
    query_time_limit: Callable[[float], dict[str, str]] = field(default=_no_params)
    hit_time_limit: Callable[[Mapping[str, str]], bool] = _never
    is_conflict: Callable[[str], bool] = _no_conflicts

    def __repr__(self) -> str:
        return f"ServerDialect({self.name!r})"


# -- Virtuoso 7 ---------------------------------------------------------------------------


def _virtuoso_time_limit(seconds: float) -> dict[str, str]:
    # Virtuoso's own field, in milliseconds: the server stops the query itself.
    return {"timeout": str(int(seconds * 1000))}


def _virtuoso_hit_limit(headers: Mapping[str, str]) -> bool:
    # An "anytime" query that hit its limit comes back as a partial result with this
    # SQL state; a partial answer is not an answer.
    return headers.get("x-sql-state", "").upper() == "S1TAT"


def _virtuoso_conflict(message: str) -> bool:
    text = message.lower()
    return "40001" in text or "deadlock" in text or "sr172" in text


VIRTUOSO = ServerDialect(
    name="virtuoso",
    system_graphs=(
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://localuriqaserver/sparql",
    ),
    # Measured on 7.2.5: an xsd:integer written by the publishing update's INSERT
    # template is often not found by value once other writes followed (a constant,
    # VALUES or FILTER(?n = 12) finds nothing; FILTER(?n >= 12 && ?n <= 12) finds it).
    finds_numbers_by_value=False,
    query_time_limit=_virtuoso_time_limit,
    hit_time_limit=_virtuoso_hit_limit,
    is_conflict=_virtuoso_conflict,
)


# -- Oxigraph server (`oxigraph serve`) ---------------------------------------------------


def _beside(query_url: str, path: str) -> str:
    """`http://h:p/query` -> `http://h:p/<path>`; a URL not ending in /query (a proxy's
    own layout) is left as it is, and the settings must name the endpoints."""
    head, sep, tail = query_url.rpartition("/")
    if sep and tail.split("?", 1)[0] == "query":
        return f"{head}/{path}"
    return query_url


def _oxigraph_update(query_url: str) -> str:
    return _beside(query_url, "update")


def _oxigraph_graph_store(query_url: str) -> str | None:
    url = _beside(query_url, "store")
    return url if url != query_url else None


OXIGRAPH = ServerDialect(
    name="oxigraph",
    union_default_graph={"union-default-graph": "true"},
    update_url=_oxigraph_update,
    graph_store_url=_oxigraph_graph_store,
)

GENERIC = ServerDialect(name="generic")

DIALECTS: dict[str, ServerDialect] = {d.name: d for d in (VIRTUOSO, OXIGRAPH, GENERIC)}


def dialect_for_server_header(header: str | None, fallback: Any = GENERIC) -> ServerDialect:
    """The dialect of the server that sent this `Server` header (`Virtuoso/07.20...`,
    `Oxigraph/0.5.13`), or `fallback` for a server not known here."""
    product = (header or "").strip().split("/", 1)[0].strip().lower()
    return DIALECTS.get(product, fallback)
