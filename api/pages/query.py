"""The SPARQL query page: /sparql as a browser sees it.

A person who opens /sparql (Accept: text/html, or `format=html`) gets an editor
prefilled with the registry's prefixes, example queries in the page's language, and
the answer of the query as a table; a program gets the SPARQL 1.1 Protocol as before
(api/routers/sparql.py decides which, with `wants_page`). The query runs through the
same public endpoint, guard and limits as every other; the page only renders its
SPARQL JSON (or, for CONSTRUCT and DESCRIBE, its Turtle). Plain GET, no JavaScript:
a query has its own address, and the downloads are links to the protocol's formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.i18n import lang_of
from api.pages.render import local_href, render
from registry.errors import RegistryError
from registry.namespaces import PREFIXES, sparql_prefixes
from registry.outputs.negotiation import preferred
from registry.sparql import GRAPH_FORMATS, RESULT_FORMATS, SparqlResult

PAGE_FORMAT = "html"
# What the page asks the endpoint for: SPARQL JSON for SELECT/ASK, Turtle for graphs.
PAGE_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
# Rows shown in the table; the downloads hold every row the endpoint answers.
PAGE_ROWS = 1000
SELECT_DOWNLOADS = ("json", "csv", "xml", "tsv")
GRAPH_DOWNLOADS = ("turtle", "ntriples", "jsonld")
DOWNLOAD_SUFFIX = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld"}
_PLAIN_TYPES = {
    None,
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#decimal",
}
# Every media type a program may ask /sparql for, in the server's order; HTML comes
# last so that it loses every tie (`*/*`, no Accept header) to the protocol's formats.
_MACHINE_TYPES = [t for f in (*RESULT_FORMATS, *GRAPH_FORMATS) for t in f.accepts]

# (key of the title in api.i18n, query body): the body's {lang} is the page's language,
# and its other {words} are WORDS in that language.
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "sparql_example_categories",
        """SELECT ?code ?category (COUNT(DISTINCT ?standard) AS ?standards)
WHERE {
  ?top skos:topConceptOf scs:SmartCityStandardSystem ;
       skos:notation ?code ;
       skos:prefLabel ?category .
  FILTER(lang(?category) = "{lang}")
  OPTIONAL {
    ?standard a scs:Standard ; scs:category ?sub .
    ?sub skos:broader* ?top .
  }
}
GROUP BY ?code ?category
ORDER BY ?code""",
    ),
    (
        "sparql_example_department",
        """SELECT ?code ?title
WHERE {
  ?department a org:Organization ;
              scs:creditCode "11210100EXAMPLE01N" .
  ?resource a scs:InformationResource ;
            dct:publisher ?department ;
            scs:resourceCode ?code .
  OPTIONAL { ?resource dct:title ?title FILTER(lang(?title) = "{lang}") }
}
ORDER BY ?code""",
    ),
    (
        "sparql_example_cites",
        """SELECT ?entry ?how ?title
WHERE {
  ?standard dct:identifier "GB/T 35273-2017" .
  { ?entry scs:datedReference ?standard . BIND("{dated}" AS ?how) }
  UNION { ?entry scs:undatedReference ?standard . BIND("{undated}" AS ?how) }
  UNION { ?entry dct:conformsTo ?standard . BIND("{conforms}" AS ?how) }
  OPTIONAL { ?entry dct:title ?title FILTER(lang(?title) = "{lang}") }
}
ORDER BY ?how ?entry""",
    ),
)
WORDS: dict[str, dict[str, str]] = {
    "zh": {"dated": "注日期引用", "undated": "不注日期引用", "conforms": "符合"},
    "en": {"dated": "dated reference", "undated": "undated reference", "conforms": "conforms to"},
}
_DEFAULT_BODY = """SELECT ?standard ?identifier ?title
WHERE {
  ?standard a scs:Standard ;
            dct:identifier ?identifier .
  OPTIONAL { ?standard dct:title ?title FILTER(lang(?title) = "{lang}") }
}
ORDER BY ?identifier
LIMIT 20"""


def wants_page(accept: str | None, format_name: str | None, has_query: bool) -> bool:
    """Is this GET /sparql for a person's browser? `format=html` (the page's form and
    links send it), or no query and an Accept header that prefers HTML to every format
    of the protocol (a browser's does; `*/*` and no header do not). A query without
    `format=html` gets the protocol's answer as always, whatever Accept lists: programs
    that name text/html among others must not get a page instead of results."""
    if format_name is not None and format_name.strip().lower() == PAGE_FORMAT:
        return True
    if has_query or format_name is not None or not accept or not accept.strip():
        return False
    return preferred(accept, [*_MACHINE_TYPES, "text/html"]) == len(_MACHINE_TYPES)


def example_query(body: str, lang: str) -> str:
    """A query of the page: the registry's prefixes, then `body` in the page's language."""
    for name, word in WORDS.get(lang, WORDS["en"]).items():
        body = body.replace("{" + name + "}", word)
    return sparql_prefixes() + "\n" + body.replace("{lang}", lang)


def _link(query: str, format_name: str) -> str:
    return "/sparql?" + urlencode({"query": query, "format": format_name})


def _short(iri: str) -> str:
    """An IRI by its prefix where one of the registry's prefixes names it."""
    for prefix, namespace in PREFIXES.items():
        start = str(namespace)
        if iri.startswith(start) and len(iri) > len(start):
            return f"{prefix}:{iri[len(start) :]}"
    return iri


def _cell(term: dict[str, Any] | None, base: str) -> dict[str, Any]:
    """A result term as the template shows it: text, a link where a person can read
    about it, and a literal's language or datatype."""
    if term is None:
        return {"text": ""}
    value = str(term.get("value", ""))
    kind = term.get("type")
    if kind == "uri":
        return {"text": _short(value), "href": local_href(value, base), "title": value}
    if kind == "bnode":
        return {"text": f"_:{value}"}
    datatype = term.get("datatype")
    # A language tag or an unusual datatype is worth showing; counts and strings are not.
    note = term.get("xml:lang") or (_short(datatype) if datatype not in _PLAIN_TYPES else None)
    return {"text": value, "note": note}


def _table(result: SparqlResult, base: str) -> dict[str, Any]:
    """What the template shows of an answer: a table (SELECT), a yes/no (ASK) or the
    graph's Turtle (CONSTRUCT, DESCRIBE)."""
    if not result.media_type.startswith("application/sparql-results+json"):
        return {"kind": "graph", "text": result.body.decode("utf-8", "replace")}
    answer = json.loads(result.body)
    if "boolean" in answer:
        return {"kind": "ask", "value": bool(answer["boolean"])}
    names = list(answer.get("head", {}).get("vars", []))
    bindings = answer.get("results", {}).get("bindings", [])
    rows = [[_cell(b.get(n), base) for n in names] for b in bindings[:PAGE_ROWS]]
    return {"kind": "select", "vars": names, "rows": rows, "total": len(bindings)}


def query_page(
    request: Request, run: Callable[[str, str], SparqlResult], query: str | None
) -> HTMLResponse:
    """The page, with the answer to `query` when there is one. `run(query, accept)` is
    the public endpoint's query (blocking: call this from a worker thread). A refused
    or failed query is shown on the page with the endpoint's status and message."""
    lang = lang_of(request)
    base = request.app.state.settings.base_iri
    examples = []
    for key, body in EXAMPLES:
        text = example_query(body, lang)
        examples.append({"key": key, "query": text, "href": _link(text, PAGE_FORMAT)})
    context: dict[str, Any] = {
        "query": query if query is not None else example_query(_DEFAULT_BODY, lang),
        "examples": examples,
        "ran": query is not None,
        "page_rows": PAGE_ROWS,
    }
    status = 200
    headers: dict[str, str] = {"Vary": "Accept"}
    if query is not None:
        try:
            result = run(query, PAGE_ACCEPT)
        except RegistryError as exc:
            status = exc.status
            context["error"] = {"code": exc.code, "message": exc.message.in_language(lang)}
        else:
            table = _table(result, base)
            names = SELECT_DOWNLOADS if table["kind"] != "graph" else GRAPH_DOWNLOADS
            context.update(
                answer=table,
                truncated=result.truncated,
                max_rows=result.max_rows,
                seconds=result.seconds,
                downloads=[
                    {
                        "name": name.upper(),
                        "href": _link(query, name),
                        "file": f"query-results.{DOWNLOAD_SUFFIX.get(name, name)}",
                    }
                    for name in names
                ],
            )
            if result.volatile:
                headers["Cache-Control"] = "no-store"  # NOW(), RAND(): another answer next time
    return render(request, "sparql.html", context, status=status, headers=headers)
