"""`screg validate`: check documents against the shapes; never writes."""

from __future__ import annotations

import click

from registry.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    fail,
    lang_option,
    read_documents,
    store_option,
)
from registry.config import load_settings
from registry.errors import RegistryError
from registry.reports import REPORT_FORMATS, render_report


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Input format (turtle, nt, jsonld, rdfxml); default: from each file's extension.",
)
@click.option(
    "--report",
    "report_format",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="Form of the report.",
)
@lang_option
@store_option
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=None,
    help="Most results listed; the rest are counted [default 1000].",
)
def validate(
    files: tuple[str, ...],
    fmt: str | None,
    report_format: str,
    lang: str | None,
    store: str | None,
    max_results: int | None,
) -> None:
    """Validate FILE... (read together as one submission; '-' reads stdin).

    Context (registered standards, departments, resources the files point at)
    comes from the store. Exit 0 conforms (warnings allowed), 1 a Violation,
    2 the input cannot be read.
    """
    from registry.service import Registry

    try:
        settings = load_settings(store=store, lang=lang, report_max_results=max_results)
        documents = read_documents(files, fmt)
        with Registry(settings, read_only=True) as registry:
            report = registry.validate(documents)
    except RegistryError as error:
        fail(error)
    click.echo(
        render_report(report, report_format, settings.lang, settings.report_max_results), nl=False
    )
    raise SystemExit(EXIT_OK if report.conforms else EXIT_REJECTED)
