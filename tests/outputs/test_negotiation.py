"""registry.outputs.negotiation: the one Accept parser, used by the entity IRIs (api/negotiation.py)
and the SPARQL endpoint (registry/sparql/formats.py) alike."""

from __future__ import annotations

import pytest

from api.negotiation import choose
from registry.outputs.negotiation import preferred, preferred_offer
from registry.sparql.formats import choose_format


@pytest.mark.parametrize("q", ["high", "", "2", "-1"])
def test_malformed_q_means_the_same_to_entity_iris_and_sparql(q: str) -> None:
    """Regression: the entity IRIs' parser read `q=high` as 0 (406), the SPARQL
    endpoint's as 1. One parser now: mimeparse counts a malformed q as 1."""
    accept = f"application/n-triples;q={q}, text/turtle;q=0.5"
    assert choose(accept).media_type == "application/n-triples"
    assert choose_format("CONSTRUCT", accept).name == "ntriples"


def test_an_unreadable_range_is_skipped_not_fatal() -> None:
    assert preferred("text, a/b/c, text/turtle", ["application/ld+json", "text/turtle"]) == 1
    assert preferred("nonsense", ["text/turtle"]) is None


def test_a_named_type_beats_a_wildcard_of_equal_q() -> None:
    """Regression: the SPARQL endpoint answered `text/csv, */*` in JSON (the first of
    equally acceptable formats), where entity IRIs took the named type."""
    assert choose_format("SELECT", "text/csv, */*").name == "csv"
    assert choose("text/html, */*").media_type == "text/html"


def test_media_types_are_case_insensitive() -> None:
    assert preferred("Text/Turtle", ["application/ld+json", "text/turtle"]) == 1


def test_an_alias_is_chosen_only_by_name_never_by_a_wildcard() -> None:
    offers = [("text/turtle", "application/x-turtle"), ("application/n-triples",)]
    assert preferred_offer("application/*", offers) == 1
    assert preferred_offer("application/x-turtle", offers) == 0


def test_q_zero_refuses_even_where_a_wildcard_accepts() -> None:
    assert preferred("*/*, text/turtle;q=0", ["text/turtle", "application/ld+json"]) == 1
