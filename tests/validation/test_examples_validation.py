"""Examples double as fixtures: the valid ones conform, each invalid one produces exactly
the results listed beside it (examples/invalid/<name>.expected.json), validated as a
submission is: the rules of registry.register.iris (entries at minted IRIs), then the
shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.inputs.document import Document
from registry.inputs.load import read_documents
from registry.register.base_iri import EXAMPLES_BASE
from registry.register.seed import SEED_EXAMPLES
from registry.register.submission import validate_reading
from registry.store import open_store
from registry.validation.validator import ValidationResult, Validator
from tests.conftest import EXAMPLES

SHACL = "http://www.w3.org/ns/shacl#"
SHAPES = "https://w3id.org/smartcity-std/shapes#"
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def context_store(seeded_dump: bytes):
    with open_store("memory") as store:
        store.load_dump(seeded_dump, "nquads")
        yield store


def key(result: ValidationResult) -> tuple:
    constraint = result.constraint.removeprefix(SHACL)
    return (
        result.severity,
        result.focus,
        result.path,
        constraint,
        result.source_shape.removeprefix(SHAPES),
    )


def validate(path: Path, validator: Validator, store) -> list[ValidationResult]:
    reading = read_documents([Document(path.name, path.read_bytes())], base_iri=EXAMPLES_BASE)
    return validate_reading(reading, store, EXAMPLES_BASE, validator).results


@pytest.mark.parametrize("name", SEED_EXAMPLES)
def test_valid_examples_conform(name: str, validator: Validator, context_store) -> None:
    results = validate(EXAMPLES / name, validator, context_store)
    assert not [r.as_dict() for r in results if r.severity == "Violation"]


def test_there_are_at_least_six_invalid_examples() -> None:
    assert len(INVALID) >= 6
    for path in INVALID:
        assert path.with_suffix(".expected.json").exists(), path.name


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_gives_exactly_its_listed_results(
    path: Path, validator: Validator, context_store
) -> None:
    expected = {
        (r["severity"], r["focus"], r["path"], r["constraint"], r["shape"])
        for r in json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    }
    results = validate(path, validator, context_store)
    assert {key(r) for r in results} == expected
    assert any(r.severity == "Violation" for r in results)
    for r in results:
        assert r.message_zh and r.message_en, key(r)
        assert any("\u4e00" <= c <= "\u9fff" for c in r.message_zh)
