"""Bureau inputs: `screg template catalogue` and `screg import-openapi`.

Spreadsheets need no command of their own: `screg validate` and `screg register`
take .csv and .xlsx files like the RDF formats (registry/inputs.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from registry.bilingual import Text
from registry.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    cli_lang,
    exit_with_servers_report,
    fail,
    lang_option,
    open_registry,
    output_option,
    report_option,
    say,
    server_holding,
    store_option,
    unreadable_file,
)
from registry.cli.local_server import call
from registry.errors import RegistryError
from registry.inputs.document import Document
from registry.inputs.identifiers import is_valid_credit_code
from registry.register.submission import Principal
from registry.store.errors import StoreLockedError
from registry.validation.reports import render_report

# Both templates come as the same two formats.
_template_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default="xlsx",
    show_default=True,
    help="csv: UTF-8 with BOM; xlsx: with a 说明 sheet and drop-down lists.",
)


@click.group()
def template() -> None:
    """Write empty input templates."""


@template.command("catalogue")
@_template_format
@output_option
def template_catalogue(fmt: str, output: str | None) -> None:
    """The catalogue spreadsheet: every column header and one example row."""
    from registry.inputs.tabular import csv_bytes, template_rows, xlsx_bytes

    rows = template_rows()
    _write(csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows, guide=True), output)


@template.command("assessment")
@_template_format
@output_option
def template_assessment(fmt: str, output: str | None) -> None:
    """The conformity assessment spreadsheet: every column header and one example row."""
    from registry.inputs.assessment_sheet import template_rows, template_xlsx
    from registry.inputs.tabular import csv_bytes

    _write(csv_bytes(template_rows()) if fmt == "csv" else template_xlsx(), output)


def _write(data: bytes, output: str | None) -> None:
    """A template to the file named, or to standard output."""
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@click.command("import-openapi")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--department",
    required=True,
    help="Unified social credit code of the department that provides the interface.",
)
@click.option(
    "--serves",
    "serves",
    multiple=True,
    metavar="RESOURCE",
    help="Resource code of a resource the interface serves (repeatable).",
)
@click.option(
    "--conforms-to",
    "conforms_to",
    multiple=True,
    metavar="STANDARD",
    help="Standard the interface conforms to, any spelling (repeatable).",
)
@click.option(
    "--code", default=None, help="Interface code (default: info.x-interface-code, else derived)."
)
@click.option(
    "--title",
    default=None,
    help="The interface's Chinese title, when info.title is not Chinese (or to replace it).",
)
@click.option(
    "--title-en",
    "title_en",
    default=None,
    help="The interface's English title, in place of an English info.title.",
)
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@report_option()
@lang_option
@store_option
def import_openapi(
    file: str,
    department: str,
    serves: tuple[str, ...],
    conforms_to: tuple[str, ...],
    code: str | None,
    title: str | None,
    title_en: str | None,
    dry_run: bool,
    report_format: str,
    lang: str | None,
    store: str | None,
) -> None:
    """Register FILE, an OpenAPI 3.0/3.1 document (YAML or JSON), as a data interface.

    Exit 0 registered, 1 rejected (the validation report), 2 unreadable or an invalid
    OpenAPI document (the validator's messages).
    """
    from rdflib import URIRef

    options = {
        "department": department,
        "serves": list(serves),
        "conforms_to": list(conforms_to),
        "code": code,
        "title": title,
        "title_en": title_en,
    }
    try:
        if not is_valid_credit_code(department.strip().upper()):
            raise RegistryError(
                Text(
                    zh=f"--department 须为统一社会信用代码，而不是 {department!r}",
                    en=f"--department takes a credit code, not {department!r}",
                )
            )
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        doc = Document(Path(file).name if file != "-" else "stdin", data, "openapi", options)
        with open_registry(store, read_only=dry_run, lang=lang) as registry:
            lang_used = registry.settings.lang
            # The department must be registered; the import is made in its name.
            dept_iri = registry.resolve(department.strip().upper())
            principal = Principal("submitter", URIRef(dept_iri), department)
            if dry_run:
                # decided as the import would be, ownership too (Registry.try_submit)
                report = registry.try_submit([doc], principal).report
                click.echo(render_report(report, report_format, lang_used), nl=False)
                raise SystemExit(EXIT_OK if report.conforms else EXIT_REJECTED)
            result = registry.submit([doc], principal)
    except OSError as exc:
        fail(RegistryError(unreadable_file(file, exc)))
    except StoreLockedError as locked:
        _import_through_the_server(store, locked, data, options, report_format, lang)
    except RegistryError as error:
        _fail_with_errors(error)
    if not result.accepted:
        click.echo(render_report(result.report, report_format, lang_used), nl=False)
        raise SystemExit(EXIT_REJECTED)
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    raise SystemExit(EXIT_OK)


def _import_through_the_server(
    store: str | None,
    locked: StoreLockedError,
    data: bytes,
    options: dict[str, Any],
    report_format: str,
    lang: str | None,
) -> None:
    """`import-openapi` sent to the `screg serve` that holds the store (its local admin
    credential), with the same output and exit codes as a local run."""
    server = server_holding(store, locked)
    params = {
        "department": options["department"].strip().upper(),
        "serves": options["serves"],
        "conforms_to": options["conforms_to"],
        **({"code": options["code"]} if options["code"] else {}),
    }
    try:
        answer = call(server, "POST", "/api/v1/interfaces/openapi", params=params, content=data)
    except RegistryError as error:
        exit_with_servers_report(error, report_format, lang)
        _fail_with_errors(error)
    answer.pop("report", None)
    answer.pop("id", None)
    click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    raise SystemExit(EXIT_OK)


def _fail_with_errors(error: RegistryError) -> NoReturn:
    """fail(), with an OpenAPI validator's messages one per line."""
    if isinstance(error.details, dict) and isinstance(error.details.get("errors"), list):
        lang = cli_lang()
        click.echo(say("error") + error.message.in_language(lang), err=True)
        # an OpenAPI document's problems come in Chinese too (registry.inputs.openapi)
        zh = error.details.get("errors_zh")
        messages = zh if lang == "zh" and isinstance(zh, list) else error.details["errors"]
        for message in messages:
            click.echo(f"  - {message}", err=True)
        raise SystemExit(2)
    fail(error)


COMMANDS = (template, import_openapi)
