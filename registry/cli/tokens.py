"""`screg token create|list|revoke`: access tokens for the HTTP API.

The secret is printed once, by `create`; the store keeps only its SHA-256. Every
token expires (`token_lifetime_days`, or `--days`).

An embedded store is open in one process at a time: while `screg serve` holds it,
these commands cannot open it (exit 2), and a token is revoked through the running
server instead (`DELETE /api/v1/tokens/{id}` with an admin token), which `revoke`
then says. Over a remote store they work beside any number of servers.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import NoReturn

import click

from registry.cli.common import EXIT_ERROR, EXIT_OK, fail, open_registry, store_option
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
    except RegistryError as error:
        fail(error)
    click.echo(secret)
    click.echo(
        f"id {info.id}, role {info.role}"
        + (f", department {info.department}" if info.department else "")
        + f", expires {info.expires}",
        err=True,
    )
    raise SystemExit(EXIT_OK)


def _through_the_server(error: StoreLockedError, method: str, path: str) -> NoReturn:
    """Exit 2, saying how to do the same through the server that holds the store."""
    click.echo(f"error: {error.message}", err=True)
    click.echo(
        "The store is held by a running server: do this through it with an admin token "
        "(服务器运行时请通过接口操作):\n"
        f"  curl -X {method} -H 'Authorization: Bearer <admin token>' "
        f"http://<host>:<port>{path}",
        err=True,
    )
    raise SystemExit(EXIT_ERROR)


def _expiry(info: TokenInfo) -> str:
    return f"expires {info.expires}" if info.expires else "no expiry"


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@store_option
def list_(as_json: bool, store: str | None) -> None:
    """Every token: id, role, department, name, created, expiry, state. Never a secret.

    A token made before tokens expired shows "no expiry" (JSON: "expires": null)."""
    try:
        with open_registry(store) as registry:
            tokens = list_tokens(registry.store)
    except StoreLockedError as error:
        _through_the_server(error, "GET", "/api/v1/tokens")
    except RegistryError as error:
        fail(error)
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in tokens], ensure_ascii=False, indent=2))
        return
    for t in tokens:
        state = f"revoked {t.revoked}" if t.revoked else t.state
        click.echo(
            f"{t.id}  {t.role:<9}  {t.department or '-'}  {t.name or '-'}  {t.created}  "
            f"{_expiry(t)}  {state}"
        )


@token.command("revoke")
@click.argument("token_id")
@store_option
def revoke(token_id: str, store: str | None) -> None:
    """Revoke the token TOKEN_ID for good (it stays listed, as revoked).

    While `screg serve` holds an embedded store this cannot open it: revoke through
    the server with an admin token, DELETE /api/v1/tokens/TOKEN_ID."""
    try:
        with open_registry(store) as registry:
            info = revoke_token(registry.store, token_id)
    except StoreLockedError as error:
        shown = token_id.strip() if re.fullmatch(r"[0-9a-f]{12}", token_id.strip()) else "<id>"
        _through_the_server(error, "DELETE", f"/api/v1/tokens/{shown}")
    except RegistryError as error:
        fail(error)
    click.echo(f"revoked {info.id} ({info.revoked})")
