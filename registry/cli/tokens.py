"""`screg token create|list|revoke`: access tokens for the HTTP API.

The secret is printed once, by `create`; the store keeps only its SHA-256. Every
token expires (`token_lifetime_days`, or `--days`).

An embedded store is open in one process at a time: while `screg serve` holds it,
these commands are sent to the running server (its local admin credential,
registry/cli/local_server.py). Over a remote store they work beside any number of
servers.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import click

from registry.cli.common import (
    EXIT_OK,
    fail,
    open_registry,
    say,
    server_holding,
    store_option,
    word,
)
from registry.cli.local_server import call
from registry.errors import RegistryError
from registry.register.tokens import ROLES, TokenInfo, create_token, list_tokens, revoke_token
from registry.store.errors import StoreLockedError


@click.group()
def token() -> None:
    """Make, list and revoke API tokens (exit 0, 2 on an error)."""


@token.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the token may do.")
@click.option(
    "--department",
    default=None,
    help="Credit code of the department a submitter token writes for (required for submitters).",
)
@click.option("--name", default="", help="A label for people, e.g. who holds the token.")
@click.option(
    "--days",
    type=click.IntRange(min=1, max=36_500),
    default=None,
    help="Days the token authenticates for [default: the setting token_lifetime_days, 365].",
)
@store_option
def create(
    role: str, department: str | None, name: str, days: int | None, store: str | None
) -> None:
    """Make a token and print its secret once: store it now, it cannot be shown again."""
    try:
        with open_registry(store) as registry:
            lifetime = timedelta(days=days or registry.settings.token_lifetime_days)
            info, secret = create_token(registry.store, role, department, name, lifetime=lifetime)
    except StoreLockedError as locked:
        wanted = {"role": role, "department": department, "name": name, "lifetime_days": days}
        made = _through_the_server(
            store,
            locked,
            "POST",
            "/api/v1/tokens",
            json={k: v for k, v in wanted.items() if v is not None},
        )
        info, secret = _info(made["token"]), str(made["secret"])
    except RegistryError as error:
        fail(error)
    click.echo(secret)
    department = say("token_department", department=info.department) if info.department else ""
    made = say(
        "token_made", id=info.id, role=word(info.role), department=department, expires=info.expires
    )
    click.echo(made, err=True)
    raise SystemExit(EXIT_OK)


def _through_the_server(
    store: str | None, locked: StoreLockedError, method: str, path: str, **request: Any
) -> dict[str, Any]:
    """The same operation sent to the `screg serve` that holds the store, with its
    local admin credential (registry/cli/local_server.py); its answer."""
    server = server_holding(store, locked)
    try:
        return call(server, method, path, **request)
    except RegistryError as error:
        fail(error)


def _info(record: dict[str, Any]) -> TokenInfo:
    """A token record as the API answers it."""
    fields = {f.name for f in dataclasses.fields(TokenInfo)}
    return TokenInfo(**{k: v for k, v in record.items() if k in fields})


# The largest page the listing answers (api.routers.catalogue.Limit).
TOKEN_PAGE = 500


def _every_token(store: str | None, locked: StoreLockedError) -> list[dict[str, Any]]:
    """Every token as the server holding the store lists them: the listing is paged
    (`total`, `items`), so page after page until all `total` are read."""
    found: list[dict[str, Any]] = []
    while True:
        params = {"limit": TOKEN_PAGE, "offset": len(found)}
        page = _through_the_server(store, locked, "GET", "/api/v1/tokens", params=params)
        found.extend(page["items"])
        if not page["items"] or len(found) >= int(page["total"]):
            return found


def _expiry(info: TokenInfo) -> str:
    return say("token_expires", expires=info.expires) if info.expires else say("token_no_expiry")


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@store_option
def list_(as_json: bool, store: str | None) -> None:
    """Every token: id, role, department, name, created, expiry, state. Never a secret.

    A token made before tokens expired shows "no expiry" (JSON: "expires": null)."""
    try:
        with open_registry(store) as registry:
            tokens = list_tokens(registry.store)
    except StoreLockedError as locked:
        tokens = [_info(record) for record in _every_token(store, locked)]
    except RegistryError as error:
        fail(error)
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in tokens], ensure_ascii=False, indent=2))
        return
    for t in tokens:
        state = say("token_revoked_at", at=t.revoked) if t.revoked else word(t.state)
        click.echo(
            f"{t.id}  {word(t.role):<9}  {t.department or '-'}  {t.name or '-'}  {t.created}  "
            f"{_expiry(t)}  {state}"
        )


@token.command("revoke")
@click.argument("token_id")
@store_option
def revoke(token_id: str, store: str | None) -> None:
    """Revoke the token TOKEN_ID for good (it stays listed, as revoked).

    While `screg serve` holds an embedded store, the revocation is sent to it."""
    try:
        with open_registry(store) as registry:
            info = revoke_token(registry.store, token_id)
    except StoreLockedError as locked:
        path = f"/api/v1/tokens/{quote(token_id.strip(), safe='')}"
        info = _info(_through_the_server(store, locked, "DELETE", path))
    except RegistryError as error:
        fail(error)
    click.echo(say("token_revoked", id=info.id, at=info.revoked))
