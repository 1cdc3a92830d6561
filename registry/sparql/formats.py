"""Result formats of the public endpoint and the choice of one from an Accept header.

SELECT and ASK answer in the SPARQL results formats; CONSTRUCT and DESCRIBE in
RDF graph formats. Each list is in the server's order of preference, which
breaks ties between equally acceptable types: with no Accept header (or `*/*`)
a SELECT answers JSON and a CONSTRUCT answers Turtle.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.sparql.errors import NotAcceptableError
from registry.sparql.guard import QueryForm


@dataclass(frozen=True)
class ResultFormat:
    name: str  # what the worker serialises to: json, xml, csv, tsv, turtle, ntriples, jsonld
    media_type: str  # the Content-Type of the answer
    accepts: tuple[str, ...]  # media types that select this format (the first is media_type)


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "application/sparql-results+json",
        ("application/sparql-results+json", "application/json"),
    ),
    ResultFormat(
        "xml",
        "application/sparql-results+xml",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
    ),
    ResultFormat("csv", "text/csv; charset=utf-8", ("text/csv",)),
    ResultFormat("tsv", "text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",)),
)

GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("turtle", "text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle")),
    ResultFormat("ntriples", "application/n-triples", ("application/n-triples", "text/plain")),
    ResultFormat("jsonld", "application/ld+json", ("application/ld+json", "application/json")),
    # Last: only for clients that ask for it by name (SPARQLWrapper's default for CONSTRUCT).
    ResultFormat("rdfxml", "application/rdf+xml", ("application/rdf+xml",)),
)


# The `format=` names a GET may give instead of an Accept header (a link in a browser
# cannot set one: the query page's downloads), each as the Accept header it stands for.
# Where a name fits both kinds of query, it names the format of each kind: `json` is
# SPARQL JSON for SELECT/ASK and JSON-LD for CONSTRUCT/DESCRIBE, `xml` SPARQL XML and
# RDF/XML. Clients such as SPARQLWrapper send these names beside a matching Accept
# header, so they get what they got before; other names leave the Accept header alone.
FORMAT_PARAMETER: dict[str, str] = {
    "json": "application/sparql-results+json, application/ld+json;q=0.9",
    "xml": "application/sparql-results+xml, application/rdf+xml;q=0.9",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
}


def formats_for(form: QueryForm) -> tuple[ResultFormat, ...]:
    return RESULT_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    """Media ranges with their q-values; a malformed q counts as 1 (be lenient in what
    is read: a client sending `q=high` still meant to accept the type)."""
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 1.0
        ranges.append((media, quality))
    return ranges


def _quality(fmt: ResultFormat, ranges: list[tuple[str, float]]) -> float:
    """The q-value the most specific matching range gives a format. Wildcards match
    only its main media type: `application/*` must not pick Turtle through its
    legacy alias application/x-turtle."""
    kind = fmt.media_type.split("/", 1)[0]
    main = fmt.accepts[0]
    best_specificity, best_quality = -1, 0.0
    for media, quality in ranges:
        if media in fmt.accepts:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity == 2 and media != main and best_specificity == 2:
            quality = max(quality, best_quality)  # two exact aliases: the kinder one
        if specificity >= best_specificity:
            best_specificity, best_quality = specificity, quality
    return best_quality


def choose_format(form: QueryForm, accept: str | None) -> ResultFormat:
    """The format to answer a query of `form` in, or NotAcceptableError (406)."""
    candidates = formats_for(form)
    if accept is None or not accept.strip():
        return candidates[0]
    ranges = _parse_accept(accept)
    best: ResultFormat | None = None
    best_quality = 0.0
    for fmt in candidates:
        quality = _quality(fmt, ranges)
        if quality > best_quality:  # strict: earlier formats win ties
            best, best_quality = fmt, quality
    if best is None:
        offered = [fmt.accepts[0] for fmt in candidates]
        raise NotAcceptableError(
            f"none of the requested types can answer a {form} query; available: "
            f"{', '.join(offered)} / 无可接受的结果格式",
            details={"accept": accept, "available": offered},
        )
    return best
