"""Large Turtle is parsed with pyoxigraph into exactly the graph rdflib would give."""

from __future__ import annotations

import pytest
from rdflib import Graph

from registry.errors import InputError
from registry.inputs.oxparse import FAST_MIN_BYTES, parse_fast
from registry.inputs.rdf import parse_rdf, rdf_format
from synthetic.generate import generate_catalogue


def _padding(size: int) -> str:
    return "# padding\n" * (size // 10 + 1)


def test_large_catalogue_gives_rdflibs_triples() -> None:
    text, _invalid = generate_catalogue(100, seed=5)
    data = text.encode("utf-8")
    assert len(data) >= FAST_MIN_BYTES
    fast = parse_fast(data, "turtle")
    assert fast is not None
    reference = Graph().parse(data=data, format="turtle")
    assert set(fast) == set(reference)
    assert set(parse_rdf(data, rdf_format("turtle"))) == set(reference)


def test_relative_iris_and_explicit_strings_are_left_to_rdflib() -> None:
    pad = _padding(FAST_MIN_BYTES)
    relative = (pad + "<a> <http://ex/p> <http://ex/o> .\n").encode()
    assert parse_fast(relative, "turtle") is None
    typed = (
        pad + '<http://ex/s> <http://ex/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
    ).encode()
    assert parse_fast(typed, "turtle") is None
    with pytest.raises(InputError):  # rdflib's answer, as before the fast path
        parse_rdf(relative, rdf_format("turtle"))


def test_small_and_broken_documents_are_left_to_rdflib() -> None:
    assert parse_fast(b"<http://ex/s> <http://ex/p> <http://ex/o> .", "turtle") is None
    broken = (_padding(FAST_MIN_BYTES) + "<http://ex/s> <http://ex/p> .\n").encode()
    assert parse_fast(broken, "turtle") is None
    assert parse_fast(broken, "jsonld") is None
