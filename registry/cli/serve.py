"""`screg serve`: run the HTTP API with uvicorn, through the one app factory."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from registry.cli import local_server
from registry.cli.common import cli_settings, fail, store_option
from registry.config import Settings
from registry.errors import RegistryError

if TYPE_CHECKING:
    from registry.service import Registry


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def serve(store: str | None, host: str, port: int, log_level: str) -> None:
    """Serve the REST API, entity IRIs and SPARQL at http://HOST:PORT.

    An empty store is seeded with the ontology and the examples on start (unless
    --no-seed). The embedded store takes one process: a second `screg serve` on the
    same folder exits with an error; other commands read it beside the server and send
    what they write to it (<store>.serve.json, docs/deploy.md). Exit 2 when the
    settings are refused.
    """
    import uvicorn
    from pydantic import ValidationError

    from api import create_app

    try:
        settings = cli_settings(store)
    except ValidationError as exc:
        raise click.UsageError(str(exc)) from None
    # A store minted under another base would answer 404 for every entry it holds:
    # refuse it here, with exit 2, before the server starts (and seed an empty one).
    from registry.service import Registry

    server = None
    try:
        with Registry(settings) as registry:
            store = registry.store  # opens, seeds and checks the store
            if port:
                # Where commands on this machine send what they write while this
                # server holds an embedded store (registry/cli/local_server.py).
                server = local_server.announce(
                    store,
                    settings.store,
                    local_server.listening_url(host, port),
                    timedelta(days=settings.token_lifetime_days),
                )
    except RegistryError as error:
        fail(error)
    # factory=True with a callable: uvicorn calls it once to build the app, the same
    # path `uvicorn --factory api:create_app` takes (settings then come from SCREG_*).
    from api.slowclients import header_deadline_protocol

    try:
        uvicorn.run(
            functools.partial(create_app, settings, on_stop=_on_stop(settings, server)),
            factory=True,
            host=host,
            port=port,
            log_level=log_level,
            http=header_deadline_protocol(settings.header_timeout_seconds),
        )
    finally:
        if server is not None:
            _withdraw(settings, server)


def _on_stop(
    settings: Settings, server: local_server.LocalServer | None
) -> Callable[[Registry], None] | None:
    """What the app does at shutdown, while it still holds the store: this run's local
    credential goes (the file, and the token revoked)."""
    if server is None:
        return None
    return lambda registry: local_server.withdraw(registry.store, settings.store, server)


def _withdraw(settings: Settings, server: local_server.LocalServer) -> None:
    """When the app never started (a port in use) or never stopped cleanly: the file
    goes and the token is revoked, so that the secret in a copy of the file is worth
    nothing. After a clean stop the app did this already (`_on_stop`)."""
    from registry.store import open_store

    try:
        with open_store(settings.store, settings) as store:
            local_server.withdraw(store, settings.store, server)
    except RegistryError:
        local_server.withdraw(None, settings.store, server)
