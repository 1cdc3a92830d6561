"""Chinese standard identifiers and unified social credit codes.

Identifiers arrive in many spellings (DOMAIN.md §2): full-width characters,
the division slash, en/em dashes, no space, "GB-T" in file names, and as clerks
type them, "GBT" and "GB T" with the slash left out. Everything
the registry stores and compares is the one normalised form, `GB/T 21063.3-2007`.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass

# Characters that people and word processors put where an ASCII one belongs.
_TRANSLATE = str.maketrans(
    {
        "\u2215": "/",  # division slash
        "\u2044": "/",  # fraction slash
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash (printed standards use it before the year)
        "\u2015": "-",
        "\u2212": "-",
        "\u3000": " ",
        "_": "-",
    }
)

_PREFIX = (
    r"(?P<prefix>T[/\s-]?(?P<body>[A-Z][A-Z0-9]*)(?=[\s-]|\d)"  # group standard: T/CIITA
    r"|Q[/\s-]?(?P<qbody>[A-Z][A-Z0-9]*)(?=[\s-]|\d)"  # enterprise standard: Q/ABC
    # GB/T, and as clerks type it: GB-T, GB T, and GBT or DB21T with the slash left out
    # (a fused T or Z is read as the kind only after a prefix of two or more letters,
    # or of letters and digits: no registered prefix of that form ends in T or Z).
    r"|(?P<fused>[A-Z]{2,4}|DB\d{2,6})(?P<fkind>[TZ])(?=[\s-]|\d)"
    # Only a local standard's prefix holds digits (DB + the region's code: DB21,
    # DB2101); after any other, digits are the number: GB50174-2017 is GB 50174-2017
    # (it was read as "GB5017 4-2017", a second standard).
    r"|(?P<base>DB\d{2,6}|[A-Z]{1,5})(?:[/\s-]*(?P<kind>[TZ])(?=[\s-]|\d))?)"
)
_FULL = re.compile(
    rf"^{_PREFIX}[\s-]*(?P<number>\d+(?:\.\d+)*)(?:\s*-\s*(?P<year>\d{{4}}|\d{{2}}))?$"
)

# The normalised form, as the standard shape checks it.
WELL_FORMED = re.compile(
    r"^(?:T/[A-Z0-9]+|Q/[A-Z0-9]+|(?:DB\d{2,6}|[A-Z]{1,5})(?:/[TZ])?)"
    r" \d+(?:\.\d+)*-(?:\d{4}|\d{2})$"
)


@dataclass(frozen=True)
class StandardId:
    prefix: str  # "GB/T", "DB21/T", "T/CIITA"
    number: str  # kept a string: leading zeros matter (GM/T 0054)
    year: str | None

    def __str__(self) -> str:
        return f"{self.prefix} {self.number}" + (f"-{self.year}" if self.year else "")

    @property
    def slug(self) -> str:
        return str(self).replace("/", "-").replace(" ", "-")

    @property
    def undated(self) -> str:
        return f"{self.prefix} {self.number}"


class IdentifierError(ValueError):
    pass


def parse_standard_id(text: str) -> StandardId:
    """Parse any spelling of a standard identifier; raise IdentifierError if it is none."""
    cleaned = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).strip().upper()
    cleaned = re.sub(r"\s+", " ", cleaned)
    match = _FULL.match(cleaned)
    if not match:
        raise IdentifierError(f"not a standard identifier: {text!r}")
    if match["body"]:
        prefix = f"T/{match['body']}"
    elif match["qbody"]:
        prefix = f"Q/{match['qbody']}"
    elif match["fused"]:
        prefix = f"{match['fused']}/{match['fkind']}"
    else:
        prefix = match["base"] + (f"/{match['kind']}" if match["kind"] else "")
    return StandardId(prefix=prefix, number=match["number"], year=match["year"])


def normalise_standard_id(text: str) -> str:
    """The normalised identifier, or the input stripped if it cannot be parsed.

    Unparseable input is returned (not raised) so that validation can report it
    with the shape's message instead of failing on input.
    """
    try:
        return str(parse_standard_id(text))
    except IdentifierError:
        return text.strip()


def standard_slug(text: str) -> str:
    return parse_standard_id(text).slug


# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
CREDIT_CODE_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are given."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_CHARSET for c in first17):
        raise IdentifierError(f"not 17 credit-code characters: {first17!r}")
    pairs = zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in pairs)
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if not CREDIT_CODE_PATTERN.match(code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


RESOURCE_CODE_PATTERN = re.compile(r"^[1-3]\d{5}\d*/\d+$")


def resource_slug(code: str) -> str:
    return code.strip().replace("/", "-")


# An identifier given with one of these is an IRI, looked up as it is.
IRI_SCHEMES = ("http://", "https://", "urn:")


def lookup_spellings(ident: str) -> set[str]:
    """Every literal a person's `ident` may be registered as, for a lookup: as given
    (stripped), as a normalised standard identifier (`GBT 22239-2019` is registered as
    `GB/T 22239-2019`), and a resource code's slug (`101001-000001`, the form in its IRI
    and the REST path) in its registered form `101001/000001`. The store's resolver and
    the read model's both look up these, so they accept the same spellings."""
    ident = ident.strip()
    found = {ident}
    with contextlib.suppress(IdentifierError):
        found.add(str(parse_standard_id(ident)))
    if re.fullmatch(r"\d+-\d+", ident):
        found.add(ident.replace("-", "/", 1))
    return found
