"""The formula-cell neutraliser (registry/outputs/csvsafe.py) on a table of cells; the
writers that use it are tested with hostile uploads in tests/security/."""

from __future__ import annotations

from typing import Any

import pytest

from registry.outputs.csvsafe import neutralise_cell, neutralise_row, neutralise_sparql_term

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://evil.example/","x")', '\'=HYPERLINK("http://evil.example/","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,1)", "'@SUM(1,1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        # Text that looks like a number is still text from someone else: quoted too.
        ("-2", "'-2"),
        # Anything else is written exactly as it is.
        ("", ""),
        ("人口基础信息", "人口基础信息"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("'=1", "'=1"),
        ("101001/000001", "101001/000001"),
        ("2026-01-15", "2026-01-15"),
        (
            "http://127.0.0.1:8000/id/resource/101001-000001",
            "http://127.0.0.1:8000/id/resource/101001-000001",
        ),
        ("#REF!", "#REF!"),
    ],
)
def test_neutralise_cell(text: str, written: str) -> None:
    assert neutralise_cell(text) == written


def test_numbers_the_registry_made_stay_numbers() -> None:
    assert neutralise_row(["-2+3", -2, 3.5, None, "ok"]) == ["'-2+3", -2, 3.5, None, "ok"]


@pytest.mark.parametrize(
    ("term", "written"),
    [
        ({"type": "literal", "value": "=1+1"}, {"type": "literal", "value": "'=1+1"}),
        (
            {"type": "literal", "value": "-2+3", "xml:lang": "zh"},
            {"type": "literal", "value": "'-2+3", "xml:lang": "zh"},
        ),
        # A numeric literal whose text is a number cannot be a formula: kept.
        ({"type": "literal", "value": "-2", "datatype": XSD + "integer"}, None),
        ({"type": "literal", "value": "-1.5E3", "datatype": XSD + "double"}, None),
        ({"type": "literal", "value": "+7", "datatype": XSD + "long"}, None),
        # A number's datatype on text that is no number: text.
        (
            {"type": "literal", "value": "-2+3", "datatype": XSD + "integer"},
            {"type": "literal", "value": "'-2+3", "datatype": XSD + "integer"},
        ),
        (
            {"type": "literal", "value": "-\u0663", "datatype": XSD + "integer"},
            {"type": "literal", "value": "'-\u0663", "datatype": XSD + "integer"},
        ),
        # A number-looking string is a string.
        ({"type": "literal", "value": "-2"}, {"type": "literal", "value": "'-2"}),
        # Only numeric datatypes are numbers: a negative year is text to a spreadsheet.
        (
            {"type": "literal", "value": "-0001-01-01", "datatype": XSD + "date"},
            {"type": "literal", "value": "'-0001-01-01", "datatype": XSD + "date"},
        ),
        ({"type": "literal", "value": "点击"}, None),
        ({"type": "uri", "value": "http://127.0.0.1:8000/id/x"}, None),
        ({"type": "bnode", "value": "b0"}, None),
        (
            {
                "type": "triple",
                "value": {
                    "subject": {"type": "uri", "value": "urn:s"},
                    "predicate": {"type": "uri", "value": "urn:p"},
                    "object": {"type": "literal", "value": "@SUM(1,1)"},
                },
            },
            {
                "type": "triple",
                "value": {
                    "subject": {"type": "uri", "value": "urn:s"},
                    "predicate": {"type": "uri", "value": "urn:p"},
                    "object": {"type": "literal", "value": "'@SUM(1,1)"},
                },
            },
        ),
    ],
)
def test_neutralise_sparql_term(term: dict[str, Any], written: dict[str, Any] | None) -> None:
    assert neutralise_sparql_term(term) == (term if written is None else written)
