"""Options and helpers shared by the commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from registry.errors import RegistryError
from registry.inputs import Document

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2

store_option = click.option(
    "--store",
    "store",
    default=None,
    help="Store: a folder path, 'memory', or a SPARQL endpoint URL [env SCREG_STORE; "
    "default var/registry].",
)
lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of messages."
)


def read_documents(files: tuple[str, ...], fmt: str | None) -> list[Document]:
    documents = []
    for name in files:
        path = Path(name)
        try:
            data = sys.stdin.buffer.read() if name == "-" else path.read_bytes()
        except OSError as exc:
            raise RegistryError(f"cannot read {name}: {exc.strerror}") from None
        documents.append(
            Document(name="stdin" if name == "-" else path.name, data=data, format=fmt)
        )
    return documents


def fail(error: RegistryError) -> None:
    """Print a domain error for a person and exit 2."""
    click.echo(f"error: {error.message}", err=True)
    if isinstance(error.details, dict):
        for key, value in error.details.items():
            click.echo(f"  {key}: {value}", err=True)
    raise SystemExit(EXIT_ERROR)
