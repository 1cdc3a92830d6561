"""Entity IRIs under /id/... dereference with content negotiation.

`<base>standard/GB-T-21063.3-2007` is served here at /id/standard/GB-T-21063.3-2007
as Turtle, JSON-LD, N-Triples, RDF/XML or HTML, by the Accept header (Turtle without one).
The HTML is the entry's web page (api.pages.entries): every entry is linked
by its IRI.
"""

from __future__ import annotations

import re
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Header, Path, Request, Response

from api.deps import RegistryDep, SettingsDep, StoreDep
from api.errors import error_responses
from api.negotiation import REPRESENTATIONS, choose
from api.pages.entries import entry_page
from registry.bilingual import Text
from registry.errors import NotFoundError
from registry.inputs.dcat import catalog_context
from registry.namespaces import bind_prefixes
from registry.outputs.serialized import serialized
from registry.read.queries import describe

router = APIRouter(tags=["linked data"])

# Characters that cannot appear in an IRI: such a path names nothing we minted.
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _is_iri(text: str) -> bool:
    """Whether `text` is an IRI the store takes (RFC 3987, as pyoxigraph parses it): a
    path with U+FFFD (what `%FF` decodes to) passed the character check, and the store's
    query answered 400 "expected IRI parsing failed"."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


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
    request: Request,
    path: Annotated[str, Path(max_length=1000, description="The IRI's path below /id/.")],
    store: StoreDep,
    settings: SettingsDep,
    registry: RegistryDep,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """An item's current version with its register record, a version (`.../version/2`)
    exactly as registered, a data item, a submission or its report."""
    representation = choose(accept)  # 406 before any store work
    iri = settings.base_iri + path
    if not path or _NOT_IRI.search(iri) or not _is_iri(iri):
        raise NotFoundError(
            Text(zh=f"未找到已登记为 {iri} 的条目", en=f"nothing is registered as {iri}"),
            {"iri": iri},
        )
    headers = {"Vary": "Accept"}
    if representation.rdflib_format is None:
        # The IRI is the entry's page for people (api.pages.entries).
        response = entry_page(request, registry, iri, path)
        response.headers.update(headers)
        return response
    graph = describe(store, iri, lambda: catalog_context(store, settings))
    bind_prefixes(graph)
    data = serialized(graph, representation.rdflib_format)
    return Response(data, media_type=representation.media_type, headers=headers)
