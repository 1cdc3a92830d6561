"""Cells that spreadsheet programs must not run: the one rule for every CSV, TSV
and XLSX the registry writes (issue 17, point 8; DESIGN.md: "CSV output
neutralises formula cells").

Excel, LibreOffice and WPS treat a cell whose text starts with `=`, `+`, `-` or
`@` as a formula, and a leading tab or carriage return can hide such a start
from a check that only looks at the first character. An uploaded title such as
`=HYPERLINK("http://evil/","点击")` would otherwise reach a clerk's spreadsheet
as a live link (or worse, DDE). OWASP's rule: put a single quote `'` in front
of such a cell, so that the program shows the text and runs nothing.

What counts as a number: a Python int or float that a writer hands over (a row
number, a count) was made by the registry, is data, and is written as it is.
Text is untrusted whatever it looks like (`-2` typed into a title is text) and
always goes through `neutralise_cell`. A SPARQL literal with a numeric datatype
whose lexical form really is a number (`"-2"^^xsd:integer`, a data item's
length) cannot be a formula and is kept; every other literal is text.

Writers: registry/validation/reports.py (`report_csv`), registry/inputs/tabular.py
(`csv_bytes`, `xlsx_bytes`), registry/read/tables.py (the lists' downloads),
registry/sparql/worker.py and registry/sparql/remote.py (SPARQL CSV and TSV
results). Standard library
only: the SPARQL worker imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# The SPARQL results formats that people open in spreadsheets: only these are
# neutralised; JSON and XML results carry the stored text unchanged.
SPREADSHEET_FORMATS = frozenset({"csv", "tsv"})

# What makes a spreadsheet program read a cell as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_XSD = "http://www.w3.org/2001/XMLSchema#"
# The numeric datatypes of XSD 1.1 that SPARQL engines return (xsd:decimal and
# its derived integer types, float, double).
NUMERIC_DATATYPES = frozenset(
    _XSD + name
    for name in (
        "decimal",
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
        "float",
        "double",
    )
)
# A decimal or scientific number in ASCII digits and nothing else (no INF/NaN: `-INF` is not
# worth an exception to the rule).
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def neutralise_cell(text: str) -> str:
    """`text` with a leading `'` when a spreadsheet would read it as a formula,
    otherwise `text` unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    """The cells of `row`, text neutralised; numbers the registry made (int, float)
    and None stay as they are (see the module's note on numbers)."""
    return [neutralise_cell(cell) if isinstance(cell, str) else cell for cell in row]


def neutralise_sparql_term(term: dict[str, Any]) -> dict[str, Any]:
    """A term of SPARQL 1.1 JSON results with its literal text neutralised, for an
    answer about to be written as CSV or TSV. IRIs and blank nodes are kept (an
    absolute IRI starts with its scheme's letter; a blank node is written `_:`),
    and so is a literal of a numeric datatype whose text is a number. Quoted
    triples (RDF-star) are neutralised inside."""
    kind = term.get("type")
    if kind == "triple":
        inner = term["value"]
        return {"type": "triple", "value": {k: neutralise_sparql_term(v) for k, v in inner.items()}}
    if kind not in ("literal", "typed-literal"):
        return term
    value = term.get("value", "")
    if term.get("datatype") in NUMERIC_DATATYPES and _NUMBER.fullmatch(value):
        return term
    safe = neutralise_cell(value)
    return term if safe is value else {**term, "value": safe}
