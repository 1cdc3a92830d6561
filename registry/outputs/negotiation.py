"""Content negotiation: an Accept header against the media types a route offers.

The one reader of Accept headers, for every route that negotiates (entity IRIs, the
SPARQL endpoint, the change feed, /catalog, the graph downloads, the query page).
The parsing is python-mimeparse's: a range it cannot read (`text`, `a/b/c`) is
skipped, a malformed or out-of-range q (`q=high`, `q=2`) counts as 1, as mimeparse
has it (be lenient in what is read: the client still meant to accept the type).
Two hand-written parsers used to disagree on exactly that: one took `q=high` as 0
and answered 406, the other as 1.

Here because registry/sparql needs it and registry/ imports no web framework.
"""

from __future__ import annotations

from collections.abc import Sequence

import mimeparse

MediaRange = tuple[str, str, dict[str, str]]

# mimeparse's fitness of a range naming the type and subtype exactly (100 + 10), before
# the points for matching parameters and the offered type's own q.
_EXACT = 110


def media_ranges(accept: str) -> list[MediaRange]:
    """The ranges of an Accept header that can be read, each (type, subtype, params)
    with a q in params. Media types are case-insensitive (RFC 9110 8.3.1)."""
    ranges = []
    for part in accept.lower().split(","):
        if not part.strip():
            continue
        try:
            ranges.append(mimeparse.parse_media_range(part))
        except ValueError:  # MimeTypeParseException: not type/subtype
            continue
    return ranges


def quality(media_type: str, ranges: Sequence[MediaRange], *, exact_only: bool = False) -> float:
    """The q the most specific matching range gives `media_type` (RFC 9110 12.5.1), 0
    when none matches; with `exact_only`, only a range that names it exactly counts
    (an alias must not be picked by a wildcard meant for the main type)."""
    return _rank(media_type, ranges, exact_only=exact_only)[0]


def _rank(
    media_type: str, ranges: Sequence[MediaRange], *, exact_only: bool = False
) -> tuple[float, float]:
    """(q, how specifically the deciding range names the type), (0, -1) for no match."""
    q, fitness = mimeparse.quality_and_fitness_parsed(media_type, list(ranges))
    if fitness < 0 or (exact_only and fitness < _EXACT):
        return 0.0, -1.0
    return q, fitness


def preferred(accept: str, media_types: Sequence[str]) -> int | None:
    """The index of the media type the Accept header prefers most among `media_types`,
    or None when it accepts none of them. Between equal q, a type the header names
    beats one a wildcard lets in (`text/csv, */*` is CSV); then earlier ones win."""
    return preferred_offer(accept, [(media_type,) for media_type in media_types])


def preferred_offer(accept: str, offers: Sequence[Sequence[str]]) -> int | None:
    """`preferred` over offers that each have a main media type and aliases (SPARQL
    JSON is also asked for as application/json): an alias counts only when the header
    names it exactly, so `application/*` does not pick Turtle by application/x-turtle."""
    ranges = media_ranges(accept)
    best: tuple[float, float] | None = None
    chosen = None
    for index, (main, *aliases) in enumerate(offers):
        rank = max(
            [_rank(main, ranges), *(_rank(alias, ranges, exact_only=True) for alias in aliases)]
        )
        if rank[0] <= 0:
            continue
        if best is None or rank > best:  # strict: the earlier offer keeps a tie
            best, chosen = rank, index
    return chosen
