"""Entity IRIs under /id/... dereference with content negotiation.

`<base>standard/GB-T-21063.3-2007` is served here at /id/standard/GB-T-21063.3-2007
as Turtle, JSON-LD, N-Triples or a small HTML page, by the Accept header (Turtle
without one). The web pages of a later issue replace the HTML; this one only
has to be valid and name the entry.
"""

from __future__ import annotations

import re
from html import escape
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response
from rdflib import Graph, Literal, URIRef

from api.deps import SettingsDep, StoreDep
from api.errors import error_responses
from api.negotiation import REPRESENTATIONS, choose
from registry.errors import NotFoundError
from registry.namespaces import bind_prefixes
from registry.queries import describe, title_of

router = APIRouter(tags=["linked data"])

# Characters that cannot appear in an IRI: such a path names nothing we minted.
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@router.get(
    "/id/{path:path}",
    summary="Dereference an entity IRI",
    responses={
        200: {
            "description": "The entity's triples in the negotiated representation.",
            "content": {r.media_type: {} for r in REPRESENTATIONS},
        },
        **error_responses(404, 406, 500, 503),
    },
)
def dereference(
    path: Annotated[str, Path(max_length=1000, description="The IRI's path below /id/.")],
    store: StoreDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """An item's current version with its register record, a version (`.../version/2`)
    exactly as registered, a data item, a submission or its report."""
    representation = choose(accept)  # 406 before any store work
    iri = settings.base_iri + path
    if not path or _NOT_IRI.search(iri):
        raise NotFoundError(f"nothing is registered as {iri}", {"iri": iri})
    graph = describe(store, iri)
    bind_prefixes(graph)
    headers = {"Vary": "Accept"}
    if representation.rdflib_format is None:
        return Response(
            _html(graph, iri, settings.base_iri),
            media_type="text/html; charset=utf-8",
            headers=headers,
        )
    data = graph.serialize(format=representation.rdflib_format, encoding="utf-8")
    return Response(data, media_type=representation.media_type, headers=headers)


def _html(graph: Graph, iri: str, base: str) -> str:
    title = title_of(graph, iri, "zh")
    rows = []
    for s, p, o in sorted(graph, key=lambda t: (t[0] != URIRef(iri), str(t[0]), str(t[1]))):
        rows.append(
            f"<tr><td>{_term(s, graph, base)}</td><td>{_term(p, graph, base)}</td>"
            f"<td>{_term(o, graph, base)}</td></tr>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} - 智慧城市标准登记库</title>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<p><code>{escape(iri)}</code></p>\n"
        "<table>\n<thead><tr><th>主语 subject</th><th>谓语 predicate</th>"
        "<th>宾语 object</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        "</body>\n</html>\n"
    )


def _term(term: object, graph: Graph, base: str) -> str:
    if isinstance(term, Literal):
        lang = f' lang="{escape(term.language)}"' if term.language else ""
        return f"<span{lang}>{escape(str(term))}</span>"
    if isinstance(term, URIRef):
        text = escape(graph.namespace_manager.normalizeUri(term))
        href = "/id/" + term[len(base) :] if term.startswith(base) else str(term)
        if href.startswith(("/id/", "http://", "https://")):
            return f'<a href="{escape(href)}">{text}</a>'
        return text
    return escape(str(term))
