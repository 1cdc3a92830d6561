"""Tokens over HTTP, for admins: list them, revoke one.

An embedded store is open in one process only, so while `screg serve` holds it
`screg token revoke` cannot open it: revoking through the running server is then the
only way, and it counts on the very next request (api.deps reads the tokens from the
store on every check). Over a remote store either way works, in every process.
Tokens are made on the command line only, where the secret is printed once to the
person who runs it, never sent over the network by the registry.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.deps import AdminDep, StoreDep
from api.errors import error_responses
from registry.register.tokens import TokenInfo, list_tokens, revoke_token

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


@router.get(
    "/tokens",
    summary="List every token (admin)",
    responses=error_responses(401, 403, 429, 500, 503),
)
def tokens(store: StoreDep, _admin: AdminDep) -> list[TokenRecord]:
    """Every token with its role, department, expiry and state, oldest first."""
    return [TokenRecord.of(info) for info in list_tokens(store)]


@router.delete(
    "/tokens/{token_id}",
    summary="Revoke a token (admin)",
    responses=error_responses(401, 403, 404, 429, 500, 503),
)
def revoke(
    token_id: Annotated[
        str, Path(max_length=64, description="The token's id, as the listing shows it.")
    ],
    store: StoreDep,
    admin: AdminDep,
) -> TokenRecord:
    """Revoke the token for good, at once in every process over this store: its digest
    is removed, its record stays (revoked, and by which admin token). Revoking a
    revoked token answers its record unchanged; an unknown id is 404."""
    return TokenRecord.of(revoke_token(store, token_id, by=admin.agent))
