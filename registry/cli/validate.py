"""`screg validate`: check documents against the shapes; never writes."""

from __future__ import annotations

import click

from registry.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    assign_codes_option,
    cli_settings,
    fail,
    lang_option,
    open_registry,
    read_documents,
    report_option,
    say,
    store_option,
)
from registry.cli.messages import WORDS
from registry.cli.progress import progress_bar
from registry.config import load_settings
from registry.errors import RegistryError
from registry.validation.reports import render_report


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Input format (turtle, nt, jsonld, rdfxml, csv, xlsx, xls, dcat); default: from "
    "each file's extension.",
)
@assign_codes_option
@click.option(
    "--department",
    default=None,
    help="DCAT: the credit code of the department for datasets whose publisher maps to "
    "no registered department.",
)
@report_option("Form of the report.")
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
    assign_codes: str | None,
    department: str | None,
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
    try:
        settings = cli_settings(store, lang=lang, report_max_results=max_results)
        options = {"assign_codes": assign_codes or "", "department": department or ""}
        documents = read_documents(files, fmt, options)
        opened = open_registry(store, read_only=True, lang=lang, report_max_results=max_results)
        with opened as registry, progress_bar(say("validating")) as bar:
            report = registry.validate(documents, progress=bar)
    except RegistryError as error:
        fail(error)
    click.echo(
        render_report(report, report_format, settings.lang, settings.report_max_results), nl=False
    )
    raise SystemExit(EXIT_OK if report.conforms else EXIT_REJECTED)


@click.command()
@click.option("--markdown", is_flag=True, help="Print the Markdown table of docs/validation.md.")
@lang_option
def rules(markdown: bool, lang: str | None) -> None:
    """List every rule the shapes enforce, with its severity and message."""
    from registry.namespaces import bind_prefixes
    from registry.validation.rules import list_rules, rules_markdown
    from registry.validation.validator import Shapes

    shapes = Shapes()
    bind_prefixes(shapes.graph)
    found = list_rules(shapes.graph)
    if markdown:
        click.echo(rules_markdown(found), nl=False)
        return
    use_zh = (lang or load_settings().lang) == "zh"
    for rule in found:
        severity = WORDS[rule.severity].in_language("zh" if use_zh else "en")
        if use_zh:
            # Labels, not RDF names: what a zh report calls the class and the property.
            target, path, message = rule.target_zh, rule.path_zh, rule.message_zh
        else:
            target, path, message = rule.target, rule.path, rule.message_en
        click.echo(f"{severity:<9} {target:<24} {path or '-':<28} {message}")
