"""`screg serve`: run the HTTP API with uvicorn, through the one app factory."""

from __future__ import annotations

import functools

import click

from registry.cli.common import cli_settings, fail, store_option
from registry.errors import RegistryError


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
    same folder exits with an error. Exit 2 when the settings are refused.
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

    try:
        with Registry(settings) as registry:
            registry.store  # noqa: B018 - opens, seeds and checks the store
    except RegistryError as error:
        fail(error)
    # factory=True with a callable: uvicorn calls it once to build the app, the same
    # path `uvicorn --factory api:create_app` takes (settings then come from SCREG_*).
    from api.slowclients import header_deadline_protocol

    uvicorn.run(
        functools.partial(create_app, settings),
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        http=header_deadline_protocol(settings.header_timeout_seconds),
    )
