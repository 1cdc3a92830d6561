"""GET /catalog: the registry's DCAT-AP 3 catalogue for harvesters (docs/api.md).

CKAN's ckanext-dcat harvester, the EU data portal's and the like fetch a catalogue URL
and follow its Hydra paging: each page is a DCAT-AP document (Turtle, JSON-LD,
RDF/XML or N-Triples, by Accept or by the `.ttl`/`.jsonld`/`.rdf`/`.nt` suffix)
holding a slice of the datasets and data services and a hydra:PartialCollectionView
with `hydra:next` and `hydra:last` (registry/read/catalog.py). A page is a function of
the store and its read model at one generation: the caching middleware's ETag and 304
fit it as every read.
The handlers are plain `def`: they query the store, which blocks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from api.deps import ReadDep, SettingsDep, StoreDep, refuse_repeated_query
from api.errors import error_responses
from api.negotiation import JSON_LD, N_TRIPLES, RDF_XML, SUFFIXES, TURTLE, Representation, choose
from registry.bilingual import Text
from registry.config import Settings
from registry.errors import NotFoundError
from registry.inputs.dcat import catalog_context
from registry.namespaces import bind_prefixes
from registry.outputs.serialized import serialized
from registry.read.catalog import catalog_page, parse_page
from registry.read.model import ReadModel
from registry.store import Store

router = APIRouter(tags=["catalog"])

# In the server's order of preference: Turtle without an Accept header or with */*.
CATALOG_OFFERS = (TURTLE, JSON_LD, RDF_XML, N_TRIPLES)
CATALOG_TYPES = tuple(rep.media_type for rep in CATALOG_OFFERS)
#: The paths the caching middleware tags (api/caching.py).
CATALOG_PATHS = ("/catalog", *(f"/catalog.{suffix}" for suffix in SUFFIXES))

PageQuery = Annotated[
    str | None, Query(description="The page, from 1 (default 1); follow `hydra:next`.")
]
_RESPONSES = {
    200: {
        "description": "A page of the DCAT-AP 3 catalogue with its Hydra paging.",
        "content": {media: {} for media in CATALOG_TYPES},
    },
}


@router.get(
    "/catalog",
    summary="The DCAT-AP 3 catalogue for harvesters (Hydra paging)",
    responses={**_RESPONSES, **error_responses(400, 406, 500, 503)},
    dependencies=[Depends(refuse_repeated_query)],
)
def catalog(
    request: Request,
    store: StoreDep,
    read: ReadDep,
    settings: SettingsDep,
    page: PageQuery = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Every registered information resource (dcat:Dataset) and data interface
    (dcat:DataService) with the catalogues that list them, `catalog_page_size` a page,
    in Turtle, JSON-LD, RDF/XML or N-Triples by the Accept header (Turtle without
    one)."""
    return _page(request, store, read, settings, page, choose(accept, CATALOG_OFFERS))


@router.get(
    "/catalog.{suffix}",
    summary="The DCAT-AP 3 catalogue in a format chosen by suffix",
    responses={**_RESPONSES, **error_responses(400, 404, 500, 503)},
    dependencies=[Depends(refuse_repeated_query)],
)
def catalog_as(
    request: Request,
    store: StoreDep,
    read: ReadDep,
    settings: SettingsDep,
    suffix: Annotated[str, Path(description="ttl, jsonld, rdf or nt.")],
    page: PageQuery = None,
) -> Response:
    """The catalogue's pages as Turtle (`.ttl`), JSON-LD (`.jsonld`), RDF/XML (`.rdf`) or
    N-Triples (`.nt`)."""
    media = SUFFIXES.get(suffix)
    if media is None:
        raise NotFoundError(
            Text(
                zh=f"目录没有 .{suffix[:20]} 格式；可用 .ttl、.jsonld、.rdf 或 .nt",
                en=f"no catalogue as .{suffix[:20]}; use .ttl, .jsonld, .rdf or .nt",
            ),
            {"available": sorted(SUFFIXES)},
        )
    return _page(request, store, read, settings, page, media)


def _page(
    request: Request,
    store: Store,
    read: ReadModel,
    settings: Settings,
    page: str | None,
    media: Representation,
) -> Response:
    number = parse_page(page)
    here = request.url.replace(query="")

    def url_of(n: int) -> str:
        return str(here.include_query_params(page=n))

    result = catalog_page(
        store,
        read,
        settings.base_iri,
        catalog_context(store, settings),
        number,
        settings.catalog_page_size,
        url_of,
    )
    bind_prefixes(result.graph)
    data = serialized(result.graph, str(media.rdflib_format))
    links = [f'<{url_of(1)}>; rel="first"', f'<{url_of(result.last)}>; rel="last"']
    if 1 < number <= result.last:
        links.append(f'<{url_of(number - 1)}>; rel="prev"')
    if number < result.last:
        links.append(f'<{url_of(number + 1)}>; rel="next"')
    headers = {"Vary": "Accept", "Link": ", ".join(links)}
    return Response(data, media_type=media.media_type, headers=headers)
