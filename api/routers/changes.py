"""The change feed: what changed in the register, after a cursor (docs/api.md), as JSON
or, by content negotiation or suffix, as a Linked Data Event Stream.

A page is a function of the store at one generation, so the caching middleware's ETag
(the generation) fits it as it fits every read: a write gives every page a new tag.
The handler is a plain `def`: it queries the store, which blocks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import StoreDep, refuse_unknown_query
from api.errors import error_responses
from api.negotiation import JSON_LD, N_TRIPLES, RDF_XML, SUFFIXES, TURTLE, Representation, choose
from registry.bilingual import Text
from registry.errors import NotFoundError
from registry.outputs.serialized import serialized
from registry.read.changes import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ldes_page,
    parse_cursor,
    read_changes,
)
from registry.store import Store

router = APIRouter(prefix="/api/v1", tags=["changes"])


class ChangedEntryModel(BaseModel):
    iri: str = Field(description="The entry's IRI.")
    kind: str | None = Field(description="standard, department, resource, interface or catalogue.")
    version: int | None = Field(description="The version the change gave it.")
    status: str | None = Field(description="Its register status in that version.")


class ChangeModel(BaseModel):
    cursor: str = Field(description="Pass as `after` to read the changes after this one.")
    generation: int = Field(description="The store generation this change produced.")
    kind: str = Field(description="submission, status-change, transfer, review, seed or rebase.")
    time: str = Field(description="When it was written (xsd:dateTime with its offset).")
    department: str | None = Field(description="The submitting department's IRI, if any.")
    role: str | None = Field(description="The role that made it: submitter, registrar, admin.")
    activity: str | None = Field(
        description="The provenance activity (a submission or a status change), in SPARQL."
    )
    entries: list[ChangedEntryModel] = Field(description="Each entry given a new version.")
    reassess: list[str] = Field(
        default_factory=list,
        description="A status change that supersedes or abolishes a standard: the IRIs of "
        "the conformity assessments against it, to be made again against the successor.",
    )


class ChangeFeedModel(BaseModel):
    items: list[ChangeModel] = Field(description="The changes after `after`, oldest first.")
    next: str = Field(description="The cursor to ask with next (`after=`).")
    more: bool = Field(description="Whether more changes were already there after this page.")
    limit: int


# What a page is offered as: JSON first (no Accept header, */*), then the LDES forms,
# the RDF syntaxes of every RDF answer (api.negotiation). application/json is the
# feed's own JSON here, never JSON-LD.
FEED_JSON = Representation("application/json", None)
FEED_OFFERS = (
    FEED_JSON,
    TURTLE,
    Representation(JSON_LD.media_type, JSON_LD.rdflib_format),
    N_TRIPLES,
    RDF_XML,
)
FEED_TYPES = tuple(rep.media_type for rep in FEED_OFFERS)

AfterQuery = Annotated[
    str | None,
    Query(description="A cursor from an earlier page (`next`) or item; none: the start."),
]
# A whole number like every list's limit (outside 1..MAX_LIMIT: 422, as theirs), so that
# the document types it and a generated client sends a number.
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Changes per page.")]


@router.get(
    "/changes",
    summary="Changes after a cursor (the change feed)",
    response_model=ChangeFeedModel,
    responses={
        200: {
            "description": "A page of the feed: JSON, or an LDES page in RDF.",
            "content": {media: {} for media in FEED_TYPES},
        },
        **error_responses(400, 406, 500, 503),
    },
    # `?since=5` read from the first write, as if it were not there.
    dependencies=[Depends(refuse_unknown_query)],
)
def changes(
    request: Request,
    store: StoreDep,
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Every write to the register (submissions, status changes, seed, rebase) with
    its entries and their new versions, oldest first. Follow `next` (also in the
    `Link: rel="next"` header) to read on; an empty page means nothing new yet.
    With `Accept: text/turtle`, `application/ld+json`, `application/n-triples` or
    `application/rdf+xml`, the same page as a Linked Data Event Stream whose members
    are the new versions."""
    return _page(request, store, after, limit, choose(accept, FEED_OFFERS))


@router.get(
    "/changes.{suffix}",
    summary="The change feed as a Linked Data Event Stream",
    responses={
        200: {"content": {rep.media_type: {} for rep in SUFFIXES.values()}},
        **error_responses(400, 404, 500, 503),
    },
    dependencies=[Depends(refuse_unknown_query)],
)
def changes_as_rdf(
    request: Request,
    store: StoreDep,
    suffix: Annotated[str, Path(description="ttl, jsonld, nt or rdf.")],
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> Response:
    """The change feed's pages as LDES in Turtle, JSON-LD, N-Triples or RDF/XML, by
    suffix."""
    media = SUFFIXES.get(suffix)
    if media is None:
        raise NotFoundError(
            Text(
                zh=f"变更流没有 .{suffix[:20]} 格式；可用 .ttl、.jsonld、.nt 或 .rdf",
                en=f"no change feed as .{suffix[:20]}; use .ttl, .jsonld, .nt or .rdf",
            ),
            {"available": sorted(SUFFIXES)},
        )
    return _page(request, store, after, limit, media)


def _page(
    request: Request, store: Store, after: str | None, size: int, media: Representation
) -> Response:
    cursor = parse_cursor(after)
    page = read_changes(store, cursor, size)
    following = str(request.url.include_query_params(after=page.next, limit=size))
    headers = {"Link": f'<{following}>; rel="next"', "Vary": "Accept"}
    if media.rdflib_format is not None:
        stream = str(request.url.replace(query=""))
        graph = ldes_page(
            store,
            page,
            stream=stream,
            root=f"{stream}?limit={size}",
            node=str(request.url),
            following=following,
        )
        data = serialized(graph, media.rdflib_format)
        return Response(data, media_type=media.media_type, headers=headers)
    body = ChangeFeedModel(
        items=[ChangeModel(**change.as_dict()) for change in page.items],
        next=page.next,
        more=page.more,
        limit=size,
    )
    return JSONResponse(body.model_dump(), headers=headers)
