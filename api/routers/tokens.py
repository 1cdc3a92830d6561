"""Tokens over HTTP, for admins: make one, list them, read one with what was done to
it, bring its expiry forward, revoke it.

An embedded store is open in one process only, so while `screg serve` holds it
`screg token` cannot open it: administering tokens through the running server is then
the way, and every change counts on the very next request (api.deps reads the tokens
from the store on every check). Over a remote store either way works, in every process.
A token made over HTTP has its secret in that one answer (sent with `Cache-Control:
no-store`), never again: the store keeps only its digest. Every action is recorded
with the admin who did it (registry.register.tokens, `token_actions`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import AdminDep, RequestBody, SettingsDep, StoreDep, refuse_unknown_query
from api.errors import error_responses
from api.lists import (
    XLSX,
    Format,
    Limit,
    Offset,
    download,
    download_format,
)
from registry.read.queries import Page
from registry.register.tokens import (
    ROLES,
    TokenInfo,
    create_token,
    expire_token,
    get_token,
    list_tokens,
    revoke_token,
    token_actions,
)

router = APIRouter(prefix="/api/v1", tags=["tokens"])


class TokenRecord(BaseModel):
    """What is shown of a token: never its secret, never its digest."""

    id: str = Field(description="The token's id (12 hex digits), as `screg token list` shows.")
    role: str = Field(description="submitter, registrar or admin.")
    department: str | None = Field(description="The department a submitter writes for.")
    name: str = Field(description="A label for people.")
    created: str = Field(description="When it was made (xsd:dateTime, UTC).")
    expires: str | None = Field(
        description="When it stops authenticating; null for a token made before tokens "
        "expired (no expiry)."
    )
    revoked: str | None = Field(description="When it was revoked; null if it was not.")
    expired: bool = Field(description="Whether `expires` has passed.")
    active: bool = Field(description="Neither revoked nor expired: it authenticates.")
    state: str = Field(description="`active`, `expired` or `revoked`.")

    @classmethod
    def of(cls, info: TokenInfo) -> TokenRecord:
        return cls(**info.as_dict())


class TokenPage(BaseModel):
    """One page of the tokens, in the envelope of every list (docs/api.md, Lists)."""

    total: int = Field(description="How many tokens there are, on every page.")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="How many tokens this page skipped.")
    items: list[TokenRecord] = Field(description="This page's tokens, oldest first.")


class TokenAction(BaseModel):
    """One thing done to a token, as recorded with it."""

    action: str = Field(description="`create`, `expire` or `revoke`.")
    time: str = Field(description="When (xsd:dateTime, UTC).")
    agent: str | None = Field(
        description="Who: the admin's agent IRI; `urn:screg:agent:admin:cli` from the command line."
    )
    via_token: str | None = Field(description="The id of the admin token used; null from the CLI.")


class TokenWithActions(TokenRecord):
    actions: list[TokenAction] = Field(description="What was done to it, oldest first.")


class NewToken(RequestBody):
    """What a new token is for."""

    role: str = Field(description=f"One of {', '.join(ROLES)}.", max_length=20)
    department: str | None = Field(
        None,
        max_length=200,
        description="Credit code (or IRI) of the registered department a submitter "
        "writes for; required for a submitter.",
    )
    name: str = Field("", max_length=200, description="A label for people.")
    lifetime_days: int | None = Field(
        None,
        ge=1,
        le=36_500,
        description="Days it authenticates for; the setting token_lifetime_days by default.",
    )


class MadeToken(BaseModel):
    """A new token and its secret, shown this once."""

    token: TokenRecord
    secret: str = Field(description="The bearer secret. Store it now: it is never shown again.")


class Expiry(RequestBody):
    at: datetime | None = Field(
        None,
        description="When it stops authenticating (ISO 8601 with an offset); now when "
        "absent or past. Only brings the expiry forward.",
    )


# The 200 of the listing: the page (TokenPage, the route's response model) or, with
# `format=csv|xlsx`, every token as an attachment.
TOKEN_LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page, or with `format=csv|xlsx` every token as an attachment "
        "with Chinese headers",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **error_responses(400, 401, 403, 422, 429, 500, 503),
}


@router.get(
    "/tokens",
    summary="Tokens, oldest first, paged (admin)",
    response_model=TokenPage,
    responses=TOKEN_LIST_RESPONSES,
)
def tokens(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    _admin: AdminDep,
    # After the admin check: only an admin learns which parameters the list takes.
    _known: Annotated[None, Depends(refuse_unknown_query)],
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Every token with its role, department, expiry and state, oldest first: `total`
    counts them all, `items` holds one page; `format=csv|xlsx` downloads them all. An
    unknown query parameter is 400 naming the known ones."""
    fmt = download_format(request, format, "json")
    every = [info.as_dict() for info in list_tokens(store)]
    if fmt != "json":
        return download("token", every, fmt, settings.time_zone)
    return Page(
        total=len(every), limit=limit, offset=offset, items=every[offset : offset + limit]
    ).as_dict()


@router.post(
    "/tokens",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Make a token (admin)",
    status_code=201,
    response_model=MadeToken,
    responses=error_responses(400, 401, 403, 404, 422, 429, 500, 503),
)
def make(
    new: Annotated[NewToken, Body()], store: StoreDep, settings: SettingsDep, admin: AdminDep
) -> JSONResponse:
    """Make a token for a role (and a submitter's department). The answer holds its
    secret, this once (`Cache-Control: no-store`); the store keeps only its digest.
    An unknown role is 400, an unregistered department 404."""
    days = new.lifetime_days or settings.token_lifetime_days
    info, secret = create_token(
        store,
        new.role,
        new.department,
        new.name.strip(),
        lifetime=timedelta(days=days),
        by=admin,
    )
    body = MadeToken(token=TokenRecord.of(info), secret=secret)
    return JSONResponse(
        body.model_dump(),
        status_code=201,
        headers={"Cache-Control": "no-store", "Location": f"/api/v1/tokens/{info.id}"},
    )


TokenId = Annotated[
    str, Path(max_length=64, description="The token's id, as the listing shows it.")
]


@router.get(
    "/tokens/{token_id}",
    summary="One token and what was done to it (admin)",
    responses=error_responses(401, 403, 404, 429, 500, 503),
)
def one(token_id: TokenId, store: StoreDep, _admin: AdminDep) -> TokenWithActions:
    """The token's record (never its secret) with every recorded action on it: made,
    expired early, revoked, each with who and when."""
    info = get_token(store, token_id)
    return TokenWithActions(
        **TokenRecord.of(info).model_dump(),
        actions=[TokenAction(**a) for a in token_actions(store, info.id)],
    )


@router.post(
    "/tokens/{token_id}/expire",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Bring a token's expiry forward (admin)",
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 500, 503),
)
def expire(
    token_id: TokenId,
    store: StoreDep,
    admin: AdminDep,
    expiry: Annotated[Expiry | None, Body()] = None,
) -> TokenRecord:
    """The token stops authenticating at `at` (now by default), in every process over
    this store. An `at` after its expiry is 400 (make a new token instead); a revoked
    token 409."""
    at = expiry.at if expiry is not None else None
    return TokenRecord.of(expire_token(store, token_id, at, by=admin))


@router.delete(
    "/tokens/{token_id}",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Revoke a token (admin)",
    responses=error_responses(401, 403, 404, 429, 500, 503),
)
def revoke(token_id: TokenId, store: StoreDep, admin: AdminDep) -> TokenRecord:
    """Revoke the token for good, at once in every process over this store: its digest
    is removed, its record stays (revoked, and by which admin token). Revoking a
    revoked token answers its record unchanged; an unknown id is 404."""
    return TokenRecord.of(revoke_token(store, token_id, by=admin))
