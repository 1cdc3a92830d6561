"""The dataset the public endpoint queries.

The default graph is the union of the three public graphs; `GRAPH ?g` may reach
every named graph except the hidden ones. The tokens graph holds hashed API
tokens: a hash is still a secret worth guessing offline, so it must never be
reachable, by name or by `GRAPH ?g`. The change log graph lists every subject each
write touched, token writes included; GET /api/v1/changes publishes the writes people
may see, so it is hidden too. The guard refuses FROM / FROM NAMED and the protocol's
dataset parameters, so this dataset is the only one a query sees.
"""

from __future__ import annotations

from registry.namespaces import (
    GRAPH_CHANGES,
    GRAPH_CURRENT,
    GRAPH_ONTOLOGY,
    GRAPH_REGISTRY,
)
from registry.register.tokens import TOKEN_GRAPH as GRAPH_TOKENS

PUBLIC_DEFAULT_GRAPHS: tuple[str, ...] = (GRAPH_CURRENT, GRAPH_ONTOLOGY, GRAPH_REGISTRY)
HIDDEN_GRAPHS: frozenset[str] = frozenset({GRAPH_TOKENS, GRAPH_CHANGES})


def is_public_graph(graph_iri: str) -> bool:
    return graph_iri not in HIDDEN_GRAPHS
