"""The reference every validation test compares with: plain pyshacl as installed,
default options, on the data graph plus the vocabulary, with the trusted shapes."""

from __future__ import annotations

import pyshacl
from rdflib import Graph

from registry.validation.validator import Validator


def plain_pyshacl(validator: Validator, data: Graph) -> Graph:
    """pyshacl's results graph for `data` with the validator's vocabulary and shapes
    (copied: pyshacl modifies the graphs it is given)."""
    full = Graph()
    for triple in data:
        full.add(triple)
    for triple in validator.vocabulary.graph:
        full.add(triple)
    shapes = Graph()
    for triple in validator.shapes.graph:
        shapes.add(triple)
    _conforms, results, _text = pyshacl.validate(full, shacl_graph=shapes)
    return results
