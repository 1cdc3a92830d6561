"""Content negotiation for entity IRIs: the Accept header against what we offer.

The header is read by registry.outputs.negotiation (python-mimeparse), the one parser the
SPARQL endpoint uses too; this module holds what entity IRIs offer and the 406.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.errors import NotAcceptableError
from registry.bilingual import Text
from registry.outputs.negotiation import preferred_offer


@dataclass(frozen=True)
class Representation:
    media_type: str
    rdflib_format: str | None  # None: rendered as HTML
    # Other names clients give it, which count only when named (never by a wildcard),
    # as on the SPARQL endpoint (registry/sparql/formats.py): `application/x-turtle`
    # was a 406 here and Turtle there.
    aliases: tuple[str, ...] = ()


# In the server's order of preference, for ties and for */*.
REPRESENTATIONS = (
    Representation("text/turtle", "turtle", ("application/x-turtle",)),
    Representation("application/ld+json", "json-ld", ("application/json",)),
    Representation("application/n-triples", "nt"),
    Representation("text/html", None),
    # Last: for clients that name it (the SPARQL endpoint serves it too).
    Representation("application/rdf+xml", "xml"),
)


def choose(accept: str | None) -> Representation:
    """The representation the client prefers most; Turtle without an Accept header;
    NotAcceptableError (406) when it accepts none of ours."""
    if not accept or not accept.strip():
        return REPRESENTATIONS[0]
    index = preferred_offer(accept, [(rep.media_type, *rep.aliases) for rep in REPRESENTATIONS])
    if index is None:
        raise NotAcceptableError(
            Text(zh="无可接受的表示格式", en="none of the representations is acceptable"),
            {"available": [r.media_type for r in REPRESENTATIONS]},
        )
    return REPRESENTATIONS[index]
