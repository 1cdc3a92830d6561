"""registry.validation.engine gives exactly plain pyshacl's results, and refuses what it
does not implement (the Validator then validates with pyshacl).

The reference is plain `pyshacl.validate(data + vocabulary, shacl_graph=shapes)` with
default options, rdflib's own SPARQL processor and pyshacl as installed. Results are
compared on every field pyshacl reports: focus node, path, value, source shape,
constraint component, severity and the zh/en messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from registry.inputs.oxparse import graph_of
from registry.validation.engine import Engine, Unsupported, graph_indexes
from registry.validation.validator import (
    ENGINE_VERSION,
    FAST_ENGINE_VERSION,
    Shapes,
    ValidationResult,
    Validator,
    read_results,
)
from synthetic.generate import generate_catalogue
from tests.conftest import EXAMPLES
from tests.validation.plain import plain_pyshacl

CONTEXT = (EXAMPLES / "standards.ttl", EXAMPLES / "departments.ttl")
EXAMPLE_FILES = sorted(
    p for p in EXAMPLES.rglob("*.ttl") if p.name not in ("standards.ttl", "departments.ttl")
)

Key = tuple[str, str | None, str | None, str, str, str, str, str]


def _graph(*sources: Path | str) -> Graph:
    graph = Graph()
    for source in sources:
        if isinstance(source, Path):
            graph.parse(data=source.read_bytes(), format="turtle")
        else:
            graph.parse(data=source, format="turtle")
    return graph


def _key(result: ValidationResult) -> Key:
    path = result.path
    if path is not None and not path.startswith(("^", "http:", "https:", "urn:")):
        path = "[complex path]"  # blank-node paths: labels differ between two reports
    return (
        result.focus,
        path,
        result.value,
        result.constraint,
        result.severity,
        result.source_shape,
        result.message_zh,
        result.message_en,
    )


def _engine_keys(validator: Validator, data: Graph) -> list[Key]:
    report = validator.validate(data)
    assert report.engine == FAST_ENGINE_VERSION
    return sorted(_key(r) for r in report.results)


def _plain_keys(validator: Validator, data: Graph) -> list[Key]:
    """Plain pyshacl on the whole data graph; the results about the submission's
    entries, as the Validator keeps them."""
    results = plain_pyshacl(validator, data)
    entries = {str(f) for f in validator.focus_nodes(data)}
    return sorted(_key(r) for r in read_results(results, data) if r.entry in entries)


@pytest.fixture(scope="module")
def engine_validator(validator: Validator) -> Validator:
    fast = Validator(validator.shapes, validator.vocabulary)
    assert fast.engine is not None, "the registry's shapes compile"
    return fast


def test_registry_shapes_compile(validator: Validator) -> None:
    assert isinstance(validator.shapes.engine, Engine)
    # all seven SPARQL constraints are run by the engine, none left to pyshacl
    assert len(validator.shapes.engine.sparql) >= 6


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_examples_match_plain_pyshacl(engine_validator: Validator, example: Path) -> None:
    data = _graph(example, *CONTEXT)
    assert _engine_keys(engine_validator, data) == _plain_keys(engine_validator, data)


def test_context_alone_matches_plain_pyshacl(engine_validator: Validator) -> None:
    data = _graph(*CONTEXT)
    assert _engine_keys(engine_validator, data) == _plain_keys(engine_validator, data)


def test_generated_catalogue_matches_plain_pyshacl(engine_validator: Validator) -> None:
    # ~2 % invalid entries in the generator's own mix; a higher share here so that
    # more of the generator's kinds of broken rule occur in a catalogue small enough
    # for the suite.
    text, invalid = generate_catalogue(150, seed=9, invalid_ratio=0.08)
    data = _graph(text, *CONTEXT)
    mine = _engine_keys(engine_validator, data)
    assert invalid and {k[0] for k in mine if k[4] == "Violation"} >= set(invalid)
    assert all(k[6] and k[7] for k in mine), "every result keeps its zh and en message"
    assert mine == _plain_keys(engine_validator, data)


def test_generated_catalogue_with_the_default_share_of_invalid_entries(
    engine_validator: Validator,
) -> None:
    text, invalid = generate_catalogue(120, seed=4)
    data = _graph(text, *CONTEXT)
    mine = _engine_keys(engine_validator, data)
    assert {k[0] for k in mine if k[4] == "Violation"} >= set(invalid)
    assert mine == _plain_keys(engine_validator, data)


def test_a_data_graph_on_simple_memory_gives_plain_pyshacls_results(
    engine_validator: Validator,
) -> None:
    # Submissions' data graphs are built on rdflib's SimpleMemory (inputs.oxparse.graph_of),
    # whose index dictionaries the engine reads as they are, not copied.
    text, invalid = generate_catalogue(150, seed=9, invalid_ratio=0.08)
    data = graph_of(_graph(text, *CONTEXT))
    assert graph_indexes(data)[0] is graph_indexes(data)[0]  # the store's own, not a copy
    mine = _engine_keys(engine_validator, data)
    assert {k[0] for k in mine if k[4] == "Violation"} >= set(invalid)
    assert mine == _plain_keys(engine_validator, data)


SHAPE_HEADER = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.parametrize(
    "shapes",
    [
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ;"
        ' sh:message "m"@en ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ;"
        ' sh:maxLength 3 ; sh:message "m"@en ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ;"
        ' sh:minCount 1 ; sh:message "m"@en ] .',
        # a nested shape with a severity other than Violation
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:not ex:N ; sh:message "m"@en .\n'
        "ex:N a sh:NodeShape ; sh:severity sh:Warning ; sh:property [ sh:path ex:p ;"
        " sh:minCount 1 ] .",
        # a top-level constraint without sh:message: pyshacl writes a generic one
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ;"
        " sh:minCount 1 ] .",
        # a SPARQL constraint with UNION
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:message "m"@en ;'
        ' sh:select "SELECT $this WHERE { { $this <http://ex/p> ?x } UNION'
        ' { $this <http://ex/q> ?x } }" ] .',
        # an implicit class target
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ex:C a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ;"
        ' sh:message "m"@en ] .',
    ],
)
def test_unsupported_shapes_are_refused(shapes: str) -> None:
    graph = Graph().parse(data=SHAPE_HEADER + shapes, format="turtle")
    with pytest.raises(Unsupported):
        Engine(graph)


def test_validator_falls_back_to_pyshacl(tmp_path: Path, validator: Validator) -> None:
    (tmp_path / "s.ttl").write_text(
        SHAPE_HEADER + "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ;"
        ' sh:maxLength 3 ; sh:message "too long"@en , "太长"@zh ] .',
        encoding="utf-8",
    )
    shapes = Shapes(tmp_path)
    assert shapes.engine is None
    fallback = Validator(shapes, validator.vocabulary)
    data = Graph().parse(
        data='@prefix ex: <http://ex/> . ex:a a ex:C ; ex:p "abcd" .', format="turtle"
    )
    report = fallback.validate(data)
    assert report.engine == ENGINE_VERSION
    assert [(r.focus, r.constraint.rsplit("#")[-1], r.message_zh) for r in report.results] == [
        ("http://ex/a", "MaxLengthConstraintComponent", "太长")
    ]


def test_engine_can_be_switched_off(validator: Validator) -> None:
    plain = Validator(validator.shapes, validator.vocabulary, engine="pyshacl")
    assert plain.engine is None
    data = _graph(EXAMPLES / "invalid" / "codes.ttl", *CONTEXT)
    assert plain.validate(data).engine == ENGINE_VERSION
