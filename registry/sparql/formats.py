"""Result formats of the public endpoint and the choice of one from an Accept header.

SELECT and ASK answer in the SPARQL results formats; CONSTRUCT and DESCRIBE in
RDF graph formats. Each list is in the server's order of preference, which
breaks ties between equally acceptable types: with no Accept header (or `*/*`)
a SELECT answers JSON and a CONSTRUCT answers Turtle.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from registry.bilingual import Text
from registry.outputs.negotiation import preferred_offer
from registry.sparql.errors import NotAcceptableError
from registry.sparql.guard import QueryForm


@dataclass(frozen=True)
class ResultFormat:
    name: str  # what the worker serialises to: json, xml, csv, tsv, turtle, ntriples, jsonld
    media_type: str  # the Content-Type of the answer
    accepts: tuple[str, ...]  # media types that select this format (the first is media_type)
    # pyoxigraph's writer of the format: the embedded store's worker and the remote
    # server's runner (registry/sparql/remote.py) both write the answer with it.
    serialiser: ox.QueryResultsFormat | ox.RdfFormat


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "application/sparql-results+json",
        ("application/sparql-results+json", "application/json"),
        ox.QueryResultsFormat.JSON,
    ),
    ResultFormat(
        "xml",
        "application/sparql-results+xml",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        ox.QueryResultsFormat.XML,
    ),
    ResultFormat("csv", "text/csv; charset=utf-8", ("text/csv",), ox.QueryResultsFormat.CSV),
    ResultFormat(
        "tsv",
        "text/tab-separated-values; charset=utf-8",
        ("text/tab-separated-values",),
        ox.QueryResultsFormat.TSV,
    ),
)

GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "turtle",
        "text/turtle; charset=utf-8",
        ("text/turtle", "application/x-turtle"),
        ox.RdfFormat.TURTLE,
    ),
    ResultFormat(
        "ntriples",
        "application/n-triples",
        ("application/n-triples", "text/plain"),
        ox.RdfFormat.N_TRIPLES,
    ),
    ResultFormat(
        "jsonld",
        "application/ld+json",
        ("application/ld+json", "application/json"),
        ox.RdfFormat.JSON_LD,
    ),
    # Last: only for clients that ask for it by name (SPARQLWrapper's default for CONSTRUCT).
    ResultFormat("rdfxml", "application/rdf+xml", ("application/rdf+xml",), ox.RdfFormat.RDF_XML),
)


# The writers by format name, as the worker processes and the remote runner get it.
RESULT_SERIALISERS: dict[str, ox.QueryResultsFormat] = {
    f.name: f.serialiser for f in RESULT_FORMATS
}
GRAPH_SERIALISERS: dict[str, ox.RdfFormat] = {f.name: f.serialiser for f in GRAPH_FORMATS}
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


def choose_format(form: QueryForm, accept: str | None) -> ResultFormat:
    """The format to answer a query of `form` in, or NotAcceptableError (406)."""
    candidates = formats_for(form)
    if accept is None or not accept.strip():
        return candidates[0]
    index = preferred_offer(accept, [fmt.accepts for fmt in candidates])
    if index is None:
        offered = [fmt.accepts[0] for fmt in candidates]
        raise NotAcceptableError(
            Text(
                zh=(f"请求的类型都不能用于 {form} 查询的结果；可用：{'、'.join(offered)}"),
                en=(
                    f"none of the requested types can answer a {form} query; "
                    f"available: {', '.join(offered)}"
                ),
            ),
            details={"accept": accept, "available": offered},
        )
    return candidates[index]
