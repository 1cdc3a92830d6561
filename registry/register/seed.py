"""First use of a store: the ontology and the example data.

The examples go through the same submission path as anything else (validated,
versioned, with provenance), so a seeded registry is one that could have been
built by hand.
"""

from __future__ import annotations

from registry.bilingual import Text
from registry.errors import RegistryError
from registry.inputs.document import Document
from registry.inputs.load import read_documents
from registry.namespaces import GRAPH_ONTOLOGY
from registry.register.automatic import AUTOMATIC_KINDS, record_automatic
from registry.register.base_iri import EXAMPLES_BASE, record_base
from registry.register.changes import describe_change, now
from registry.register.submission import REGISTRAR, submit
from registry.store import Store, WriteBatch
from registry.validation.trusted_files import EXAMPLES_DIR
from registry.validation.validator import Validator

# In this order: what a file points at is registered before it.
SEED_EXAMPLES = (
    "departments.ttl",
    "standards.ttl",
    "catalogue-valid.ttl",
    "assessments.ttl",
)


def is_empty(store: Store) -> bool:
    return store.generation() == 0 and not store.graph_exists(GRAPH_ONTOLOGY)


def seed_store(
    store: Store,
    validator: Validator,
    base_iri: str,
    examples: bool = True,
    automatic: bool = False,
) -> None:
    """Load the vocabulary, record the base IRI and (unless told not to) register the
    examples, minted under `base_iri` (they are written under EXAMPLES_BASE); with
    `automatic`, then record the automatic assessments of the example resources and
    interfaces (registry.register.automatic)."""
    batch = WriteBatch().replace_graph(GRAPH_ONTOLOGY, validator.vocabulary.graph)
    describe_change(batch, "seed", now(), role=REGISTRAR.role)
    store.write(record_base(batch, base_iri))
    if not examples:
        return
    assessed: list[tuple[str, str]] = []
    for name in SEED_EXAMPLES:
        data = (EXAMPLES_DIR / name).read_bytes()
        if base_iri != EXAMPLES_BASE:
            # The examples name the base only in IRIs (prefixes included): minted anew.
            data = data.replace(EXAMPLES_BASE.encode(), base_iri.encode())
        reading = read_documents([Document(name, data, "turtle")])
        result = submit(store, validator, reading, REGISTRAR, base_iri)
        if not result.accepted:
            raise RegistryError(
                Text(
                    zh=f"示例 {name} 不符合规范；初始化已停止",
                    en=f"example {name} does not conform; the seed stopped",
                ),
                {
                    "violations": [
                        r.as_dict() for r in result.report.results if r.severity == "Violation"
                    ][:10]
                },
            )
        assessed += [
            (c.item, c.kind)
            for c in result.changes
            if c.outcome == "new" and c.kind in AUTOMATIC_KINDS
        ]
    if automatic:
        record_automatic(store, validator, assessed, base_iri)
