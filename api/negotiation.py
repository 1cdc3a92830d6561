"""Content negotiation for entity IRIs: the Accept header against what we offer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.errors import NotAcceptableError


@dataclass(frozen=True)
class Representation:
    media_type: str
    rdflib_format: str | None  # None: rendered as HTML


# In the server's order of preference, for ties and for */*.
REPRESENTATIONS = (
    Representation("text/turtle", "turtle"),
    Representation("application/ld+json", "json-ld"),
    Representation("application/n-triples", "nt"),
    Representation("text/html", None),
)


def _accepted(header: str) -> list[tuple[str, float, int]]:
    """(media range, q, position) of every range in an Accept header."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def _specificity(media_range: str, media_type: str) -> int:
    """How precisely a range names a type: 2 exact, 1 type/*, 0 */*, -1 no match."""
    if media_range == media_type:
        return 2
    kind = media_type.split("/")[0]
    if media_range == f"{kind}/*":
        return 1
    if media_range == "*/*":
        return 0
    return -1


def preferred(accept: str, media_types: Sequence[str]) -> int | None:
    """The index of the media type the Accept header prefers most among `media_types`
    (earlier ones win ties), or None when it accepts none of them."""
    ranges = _accepted(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for preference, media_type in enumerate(media_types):
        # The most specific matching range decides this type's q (RFC 9110 12.5.1).
        matches = [(s, q) for media, q, _ in ranges if (s := _specificity(media, media_type)) >= 0]
        if not matches:
            continue
        specificity, q = max(matches)
        if q <= 0:
            continue
        key = (q, specificity, -preference)
        if best is None or key > best:
            best, chosen = key, preference
    return chosen


def choose(accept: str | None) -> Representation:
    """The representation the client prefers most; Turtle without an Accept header;
    NotAcceptableError (406) when it accepts none of ours."""
    if not accept or not accept.strip():
        return REPRESENTATIONS[0]
    index = preferred(accept, [rep.media_type for rep in REPRESENTATIONS])
    chosen = None if index is None else REPRESENTATIONS[index]
    if chosen is None:
        raise NotAcceptableError(
            "none of the representations is acceptable (无可接受的表示格式)",
            {"available": [r.media_type for r in REPRESENTATIONS]},
        )
    return chosen
