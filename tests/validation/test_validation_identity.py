"""The pyshacl path of the Validator gives exactly plain pyshacl's results.

When the registry's own engine refuses the shapes (tests/validation/test_shacl_engine.py tests
that engine), or with `engine="pyshacl"`, the registry validates a submission with
pyshacl, unpatched, on the vocabulary, the submission and its registry context. The
reference is plain `pyshacl.validate(data, shacl_graph=shapes)` with default
options, rdflib's own SPARQL processor and pyshacl as installed. Results are
compared as sets of (focus, path, constraint component, severity).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from registry.namespaces import SH
from registry.validation.validator import Validator
from synthetic.generate import generate_catalogue
from tests.conftest import EXAMPLES
from tests.validation.plain import plain_pyshacl

Key = tuple[str, str | None, str, str]
CONTEXT = (EXAMPLES / "standards.ttl", EXAMPLES / "departments.ttl")
INVALID_EXAMPLES = sorted((EXAMPLES / "invalid").glob("*.ttl"))


def _graph(*sources: Path | str) -> Graph:
    graph = Graph()
    for source in sources:
        if isinstance(source, Path):
            graph.parse(data=source.read_bytes(), format="turtle")
        else:
            graph.parse(data=source, format="turtle")
    return graph


def _path_key(path: str | None) -> str | None:
    if path is None or path.startswith(("^", "http:", "https:", "urn:")):
        return path
    return "[complex path]"  # blank-node paths: labels differ between two reports


def _registry_keys(validator: Validator, data: Graph) -> set[Key]:
    report = validator.validate(data)
    return {(r.focus, _path_key(r.path), r.constraint, r.severity) for r in report.results}


def _plain_keys(validator: Validator, data: Graph) -> set[Key]:
    results = plain_pyshacl(validator, data)
    keys = set()
    for node in results.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in results:
            continue
        path = results.value(node, SH.resultPath)
        if path is not None and not isinstance(path, URIRef):
            inverse = results.value(path, SH.inversePath)
            path_text = f"^{inverse}" if inverse is not None else "[complex path]"
        else:
            path_text = None if path is None else str(path)
        severity = str(results.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        keys.add(
            (
                str(results.value(node, SH.focusNode)),
                path_text,
                str(results.value(node, SH.sourceConstraintComponent)),
                severity,
            )
        )
    return keys


def test_shapes_reach_other_entries_only_forwards(validator: Validator) -> None:
    """A re-submission validates a changed entry with two forward hops of context from
    its document (registration.CONTEXT_HOPS): enough only while no shape walks a path
    backwards."""
    assert not list(validator.shapes.graph.subject_objects(SH.inversePath))


def test_generated_catalogue_matches_plain_pyshacl(validator: Validator) -> None:
    text, invalid = generate_catalogue(200, seed=3)
    data = _graph(text, *CONTEXT)
    fallback = Validator(validator.shapes, validator.vocabulary, engine="pyshacl")
    progress: list[tuple[int, int]] = []
    report = fallback.validate(data, progress=lambda done, total: progress.append((done, total)))
    fast_keys = {(r.focus, _path_key(r.path), r.constraint, r.severity) for r in report.results}
    assert progress and progress[-1][0] == progress[-1][1] > 0  # the bar reaches its end
    violating = {key[0] for key in fast_keys if key[3] == "Violation"}
    assert set(invalid) <= violating  # the generated invalid entries are caught
    plain_keys = _plain_keys(validator, data)
    assert fast_keys == plain_keys


@pytest.mark.parametrize("example", INVALID_EXAMPLES, ids=lambda p: p.stem)
def test_invalid_examples_match_plain_pyshacl(validator: Validator, example: Path) -> None:
    data = _graph(example, *CONTEXT)
    fast = Validator(validator.shapes, validator.vocabulary, engine="pyshacl")
    fast_keys = _registry_keys(fast, data)
    assert fast_keys, "an invalid example draws results"
    plain_keys = _plain_keys(validator, data)
    assert fast_keys == plain_keys
