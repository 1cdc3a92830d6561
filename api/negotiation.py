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


# The RDF syntaxes every RDF answer offers (entity IRIs, /catalog, the change feed),
# each with the other names clients give it: /catalog and the feed each had their own
# list, so application/x-turtle was Turtle at /id/ and 406 at /catalog, N-Triples 406
# at /catalog and RDF/XML 406 in the feed.
TURTLE = Representation("text/turtle", "turtle", ("application/x-turtle",))
# application/json is JSON-LD only where no other JSON is offered (not in the feed).
JSON_LD = Representation("application/ld+json", "json-ld", ("application/json",))
N_TRIPLES = Representation("application/n-triples", "nt")
RDF_XML = Representation("application/rdf+xml", "xml")
HTML = Representation("text/html", None)

# In the server's order of preference, for ties and for */*; RDF/XML last, for clients
# that name it (the SPARQL endpoint serves it too).
REPRESENTATIONS = (TURTLE, JSON_LD, N_TRIPLES, HTML, RDF_XML)
#: The suffixes that name an RDF syntax (`/catalog.nt`, `/api/v1/changes.rdf`).
SUFFIXES = {"ttl": TURTLE, "jsonld": JSON_LD, "nt": N_TRIPLES, "rdf": RDF_XML}


def choose(
    accept: str | None, offers: tuple[Representation, ...] = REPRESENTATIONS
) -> Representation:
    """The representation among `offers` the client prefers most; the first without an
    Accept header; NotAcceptableError (406) when it accepts none of them."""
    if not accept or not accept.strip():
        return offers[0]
    index = preferred_offer(accept, [(rep.media_type, *rep.aliases) for rep in offers])
    if index is None:
        raise NotAcceptableError(
            Text(zh="无可接受的表示格式", en="none of the representations is acceptable"),
            {"available": [r.media_type for r in offers]},
        )
    return offers[index]
