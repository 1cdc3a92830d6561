"""The dataset the public endpoint queries.

The default graph is the union of the three public graphs; `GRAPH ?g` may reach
every named graph except the hidden ones. The tokens graph holds hashed API
tokens: a hash is still a secret worth guessing offline, so it must never be
reachable, by name or by `GRAPH ?g`. The change log graph lists every subject each
write touched, token writes included; GET /api/v1/changes publishes the writes people
may see, so it is hidden too. The guard refuses FROM / FROM NAMED and the protocol's
dataset parameters, so this dataset is the only one a query sees, and refuses a query
that names a hidden graph at all (`is_hidden_graph`): Virtuoso 7.2 lets a graph IRI
written in the query (`GRAPH <g>`, `VALUES ?g { <g> }`, `FILTER(?g = <g>)`) reach a
graph its protocol dataset (`named-graph-uri`) leaves out.

The graphs of versions that were never made public are hidden as well: a version
waiting for a registrar's review, or one a registrar rejected. REST and the pages
show neither (docs/registration.md, Review), and `GRAPH ?g` showed both, the
content of a new entry never accepted included (`unpublished_versions`).
"""

from __future__ import annotations

from rdflib.namespace import PROV

from registry.namespaces import (
    GRAPH_CHANGES,
    GRAPH_CURRENT,
    GRAPH_ONTOLOGY,
    GRAPH_REGISTRY,
    SCS,
)
from registry.register.tokens import TOKEN_GRAPH as GRAPH_TOKENS
from registry.store import Store
from registry.store.remote_terms import TX_PREFIX

PUBLIC_DEFAULT_GRAPHS: tuple[str, ...] = (GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY)
HIDDEN_GRAPHS: frozenset[str] = frozenset({GRAPH_TOKENS, GRAPH_CHANGES})
# A remote store's writes in progress and its writer lock (registry/store/remote.py).
HIDDEN_GRAPH_PREFIXES: tuple[str, ...] = (TX_PREFIX,)


def is_hidden_graph(graph_iri: str) -> bool:
    """A graph no public query may name: a hidden one, or a remote store's staging."""
    return graph_iri in HIDDEN_GRAPHS or graph_iri.startswith(HIDDEN_GRAPH_PREFIXES)


def is_public_graph(graph_iri: str) -> bool:
    return graph_iri not in HIDDEN_GRAPHS


_UNPUBLISHED = f"""SELECT DISTINCT ?v WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
  {{ ?item <{SCS.pendingVersion}> ?v }}
  UNION {{ ?review a <{SCS.Review}> ; <{SCS.decision}> "rejected" ; <{PROV.used}> ?v }}
}} }}"""


def unpublished_versions(store: Store) -> frozenset[str]:
    """The graphs of the versions waiting for review or rejected: hidden from public
    queries as the tokens graph is. A version that was current once (an entry later
    marked invalid, a past version) stays public: it was published."""
    return frozenset(str(row["v"]) for row in store.select(_UNPUBLISHED))
