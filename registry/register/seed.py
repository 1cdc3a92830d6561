"""First use of a store: the ontology and the example data.

The examples go through the same submission path as anything else (validated,
versioned, with provenance), so a seeded registry is one that could have been
built by hand.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, URIRef

from registry.errors import RegistryError
from registry.inputs.rdf import parse_rdf, rdf_format
from registry.namespaces import GRAPH_ONTOLOGY
from registry.register.base_iri import EXAMPLES_BASE, rebase_iri, record_base
from registry.register.submission import REGISTRAR, submit
from registry.resources import EXAMPLES_DIR
from registry.store import Store, WriteBatch
from registry.validation.validator import Validator

# In this order: what a file points at is registered before it.
SEED_EXAMPLES = ("departments.ttl", "standards.ttl", "catalogue-valid.ttl")


def is_empty(store: Store) -> bool:
    return store.generation() == 0 and not store.graph_exists(GRAPH_ONTOLOGY)


def seed_store(store: Store, validator: Validator, base_iri: str, examples: bool = True) -> None:
    """Load the vocabulary, record the base IRI and (unless told not to) register the
    examples, minted under `base_iri` (they are written under EXAMPLES_BASE)."""
    batch = WriteBatch().replace_graph(GRAPH_ONTOLOGY, validator.vocabulary.graph)
    store.write(record_base(batch, base_iri))
    if not examples:
        return
    for name in SEED_EXAMPLES:
        path = EXAMPLES_DIR / name
        data = path.read_bytes()
        graph: Graph = parse_rdf(data, rdf_format("turtle"), name)
        if base_iri != EXAMPLES_BASE:
            graph = rebased(graph, EXAMPLES_BASE, base_iri)
        result = submit(
            store, validator, graph, REGISTRAR, hashlib.sha256(data).hexdigest(), base_iri
        )
        if not result.accepted:
            raise RegistryError(
                f"example {name} does not conform; the seed stopped",
                {
                    "violations": [
                        r.as_dict() for r in result.report.results if r.severity == "Violation"
                    ][:10]
                },
            )


def rebased(graph: Graph, old: str, new: str) -> Graph:
    """`graph` with every IRI under `old` moved under `new`."""
    moved = Graph()
    for triple in graph:
        moved.add(
            tuple(  # type: ignore[arg-type]
                URIRef(rebase_iri(str(t), old, new)) if isinstance(t, URIRef) else t for t in triple
            )
        )
    return moved
