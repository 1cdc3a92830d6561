"""The change feed: what changed in the register, after a cursor (docs/api.md).

A page is a function of the store at one generation, so the caching middleware's ETag
(the generation) fits it as it fits every read: a write gives every page a new tag.
The handler is a plain `def`: it queries the store, which blocks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import StoreDep
from api.errors import error_responses
from registry.read.changes import MAX_LIMIT, parse_cursor, parse_limit, read_changes

router = APIRouter(prefix="/api/v1", tags=["changes"])


class ChangedEntryModel(BaseModel):
    iri: str = Field(description="The entry's IRI.")
    kind: str | None = Field(description="standard, department, resource, interface or catalogue.")
    version: int | None = Field(description="The version the change gave it.")
    status: str | None = Field(description="Its register status in that version.")


class ChangeModel(BaseModel):
    cursor: str = Field(description="Pass as `after` to read the changes after this one.")
    generation: int = Field(description="The store generation this change produced.")
    kind: str = Field(description="submission, status-change, seed or rebase.")
    time: str = Field(description="When it was written (xsd:dateTime with its offset).")
    department: str | None = Field(description="The submitting department's IRI, if any.")
    role: str | None = Field(description="The role that made it: submitter, registrar, admin.")
    activity: str | None = Field(
        description="The provenance activity (a submission or a status change), in SPARQL."
    )
    entries: list[ChangedEntryModel] = Field(description="Each entry given a new version.")


class ChangeFeedModel(BaseModel):
    items: list[ChangeModel] = Field(description="The changes after `after`, oldest first.")
    next: str = Field(description="The cursor to ask with next (`after=`).")
    more: bool = Field(description="Whether more changes were already there after this page.")
    limit: int


@router.get(
    "/changes",
    summary="Changes after a cursor (the change feed)",
    response_model=ChangeFeedModel,
    responses=error_responses(400, 500, 503),
)
def changes(
    request: Request,
    response: Response,
    store: StoreDep,
    after: Annotated[
        str | None,
        Query(description="A cursor from an earlier page (`next`) or item; none: the start."),
    ] = None,
    limit: Annotated[
        str | None, Query(description=f"Changes per page, 1 to {MAX_LIMIT} (default 100).")
    ] = None,
) -> ChangeFeedModel:
    """Every write to the register (submissions, status changes, seed, rebase) with
    its entries and their new versions, oldest first. Follow `next` (also in the
    `Link: rel="next"` header) to read on; an empty page means nothing new yet."""
    cursor, size = parse_cursor(after), parse_limit(limit)
    page = read_changes(store, cursor, size)
    following = request.url.include_query_params(after=page.next, limit=size)
    response.headers["Link"] = f'<{following}>; rel="next"'
    return ChangeFeedModel(
        items=[ChangeModel(**change.as_dict()) for change in page.items],
        next=page.next,
        more=page.more,
        limit=size,
    )
