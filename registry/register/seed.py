"""First use of a store: the ontology and the example data.

The examples go through the same submission path as anything else (validated,
versioned, with provenance), so a seeded registry is one that could have been
built by hand.
"""

from __future__ import annotations

from registry.errors import RegistryError
from registry.inputs.document import Document
from registry.inputs.load import read_documents
from registry.namespaces import GRAPH_ONTOLOGY
from registry.register.submission import REGISTRAR, submit
from registry.resources import EXAMPLES_DIR
from registry.store import Store, WriteBatch
from registry.validation.validator import Validator

# In this order: what a file points at is registered before it.
SEED_EXAMPLES = ("departments.ttl", "standards.ttl", "catalogue-valid.ttl")


def is_empty(store: Store) -> bool:
    return store.generation() == 0 and not store.graph_exists(GRAPH_ONTOLOGY)


def seed_store(store: Store, validator: Validator, base_iri: str, examples: bool = True) -> None:
    """Load the vocabulary and (unless told not to) register the examples."""
    batch = WriteBatch().replace_graph(GRAPH_ONTOLOGY, validator.vocabulary.graph)
    store.write(batch)
    if not examples:
        return
    for name in SEED_EXAMPLES:
        reading = read_documents([Document(name, (EXAMPLES_DIR / name).read_bytes(), "turtle")])
        result = submit(store, validator, reading, REGISTRAR, base_iri)
        if not result.accepted:
            raise RegistryError(
                f"example {name} does not conform; the seed stopped",
                {
                    "violations": [
                        r.as_dict() for r in result.report.results if r.severity == "Violation"
                    ][:10]
                },
            )
