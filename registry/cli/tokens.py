"""`screg token create|list|revoke`: access tokens for the HTTP API.

The secret is printed once, by `create`; the store keeps only its SHA-256.
"""

from __future__ import annotations

import json

import click

from registry.cli.common import EXIT_OK, fail, open_registry, store_option
from registry.errors import RegistryError
from registry.register.tokens import ROLES, create_token, list_tokens, revoke_token


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
@store_option
def create(role: str, department: str | None, name: str, store: str | None) -> None:
    """Make a token and print its secret once: store it now, it cannot be shown again."""
    try:
        with open_registry(store) as registry:
            info, secret = create_token(registry.store, role, department, name)
    except RegistryError as error:
        fail(error)
    click.echo(secret)
    click.echo(
        f"id {info.id}, role {info.role}"
        + (f", department {info.department}" if info.department else ""),
        err=True,
    )
    raise SystemExit(EXIT_OK)


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@store_option
def list_(as_json: bool, store: str | None) -> None:
    """Every token: id, role, department, name, created, revoked. Never a secret."""
    try:
        with open_registry(store) as registry:
            tokens = list_tokens(registry.store)
    except RegistryError as error:
        fail(error)
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in tokens], ensure_ascii=False, indent=2))
        return
    for t in tokens:
        state = f"revoked {t.revoked}" if t.revoked else "active"
        click.echo(
            f"{t.id}  {t.role:<9}  {t.department or '-'}  {t.name or '-'}  {t.created}  {state}"
        )


@token.command("revoke")
@click.argument("token_id")
@store_option
def revoke(token_id: str, store: str | None) -> None:
    """Revoke the token TOKEN_ID for good (it stays listed, as revoked)."""
    try:
        with open_registry(store) as registry:
            info = revoke_token(registry.store, token_id)
    except RegistryError as error:
        fail(error)
    click.echo(f"revoked {info.id} ({info.revoked})")
