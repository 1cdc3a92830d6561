"""Dependency-graph commands: graph, impact, cycles, coverage (docs/graphs.md).

Exit 0 on success, 2 on an unknown ID, a bad option or an unavailable renderer.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from registry.cli.common import (
    EXIT_ERROR,
    cli_lang,
    fail,
    json_option,
    listing,
    open_registry,
    output_option,
    say,
    store_option,
    word,
)
from registry.errors import RegistryError
from registry.graphs import (
    CHANGES,
    DIRECTIONS,
    FORMATS,
    coverage_report,
    neighbourhood,
    reference_groups,
    render,
)


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("graph")
@click.argument("ident", metavar="ID")
@click.option(
    "--direction",
    type=click.Choice(DIRECTIONS),
    default="both",
    show_default=True,
    help="What ID needs (dependencies), what needs it (dependents), or both.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=None,
    help="How many links away from ID to go [default: all the way].",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Draw the registry as it stood on this day (YYYY-MM-DD).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="json",
    show_default=True,
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the node labels.",
)
@output_option
@store_option
def graph(
    ident: str,
    direction: str,
    depth: int | None,
    as_of: datetime | None,
    fmt: str,
    lang: str,
    output: str | None,
    store: str | None,
) -> None:
    """The dependency graph around ID (an IRI, an identifier in any spelling or a code)."""
    day: date | None = as_of.date() if as_of else None
    try:
        with open_registry(store, read_only=True) as registry:
            root = registry.resolve(ident)
            sub = neighbourhood(registry.graph(day), root, direction, depth)  # type: ignore[arg-type]
            data = render(sub, fmt, lang)
    except RegistryError as error:
        fail(error)
    if output:
        Path(output).write_bytes(data)
    else:
        click.echo(data, nl=False)


@click.command()
@click.argument("ident", metavar="ID")
@click.option(
    "--change",
    type=click.Choice(CHANGES),
    default=None,
    help="The status change to assess [default: abolished for an abolished standard, "
    "else superseded].",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="List at most this many affected entries, nearest first (default: all).",
)
@click.option(
    "--offset", type=click.IntRange(min=0), default=0, help="Affected entries to skip first."
)
@json_option
@store_option
def impact(
    ident: str,
    change: str | None,
    limit: int | None,
    offset: int,
    as_json: bool,
    store: str | None,
) -> None:
    """What is affected if ID is superseded or abolished, each with its path and successor."""
    try:
        with open_registry(store, read_only=True) as registry:
            root = registry.resolve(ident)
            result = registry.impact(root, change, offset, limit)
    except RegistryError as error:
        fail(error)
    if as_json:
        _echo_json(result.as_dict())
        return
    name = result.root.get("identifier") or result.root.get("code") or root
    counts = listing(
        say("kind_count", n=n, kind=word(kind)) for kind, n in sorted(result.counts().items())
    )
    click.echo(
        say("impact_head", name=name, change=word(result.change), total=result.total, counts=counts)
    )
    if len(result.affected) < result.total:
        shown = f"{offset + 1}-{offset + len(result.affected)}" if result.affected else say("none")
        click.echo(say("impact_listing", shown=shown, total=result.total))
    if result.successor:
        click.echo(say("impact_move", successor=result.successor))
    for entry in result.affected:
        mark = say("direct") if entry.direct else say("indirect")
        kind = f"{word(entry.kind):<9}"
        click.echo(say("impact_entry", mark=mark, kind=kind, name=entry.name))
        click.echo(say("impact_path", path=" <- ".join(reversed(entry.path))))
        if entry.successor and not entry.direct:
            click.echo(say("impact_entry_move", successor=entry.successor))
    for entry in result.follows:
        click.echo(say("impact_follows", kind=f"{word(entry.kind):<9}", name=entry.name))
    lang = cli_lang()
    for assessment in result.assessments:
        action = assessment["action"].get(lang) or assessment["action"]["en"]
        click.echo(say("impact_assessment", id=assessment["id"], action=action))


@click.command()
@json_option
@store_option
def cycles(as_json: bool, store: str | None) -> None:
    """Groups of standards whose references go around, with a shortest cycle each."""
    try:
        with open_registry(store, read_only=True) as registry:
            found = reference_groups(registry.graph())
    except RegistryError as error:
        fail(error)
    if as_json:
        _echo_json(
            {
                "groups": [group.as_dict() for group in found],
                "cycles": [group.cycle for group in found],
            }
        )
        return
    click.echo(say("cycles", n=len(found)))
    for group in found:
        click.echo(say("cycle_group", size=len(group.members)))
        click.echo("    " + " -> ".join([*group.cycle, group.cycle[0]]))


@click.command()
@json_option
@store_option
def coverage(as_json: bool, store: str | None) -> None:
    """Standards per category and status, gaps, and progress against the plan's targets."""
    try:
        with open_registry(store, read_only=True) as registry:
            settings = registry.settings
            report = coverage_report(
                registry.graph(), settings.target_national, settings.target_local
            )
    except RegistryError as error:
        fail(error)
    if as_json:
        _echo_json(report)
        return
    for name, target in report["targets"].items():
        levels = "/".join(word(level) for level in target["levels"])
        click.echo(
            say(
                "coverage_target",
                name=word(f"target_{name}"),
                count=target["count"],
                target=target["target"],
                levels=levels,
            )
        )
    click.echo(say("coverage_head"))
    for row in report["categories"]:
        t = row["total"]
        indent = "  " if row["broader"] else ""
        click.echo(
            f"{indent}{row['code']:<8}{t['current']:>7} {t['forthcoming']:>11} "
            f"{t['superseded']:>10} {t['abolished']:>9}  {row['label_zh']}"
        )
    for key in ("categories_without_current",):
        click.echo(say("coverage_gap", name=word(key), value=listing(report[key]) or "-"))
    for key in (
        "resources_without_interface",
        "without_standard",
        "only_superseded_standards",
        "flagged_references",
    ):
        click.echo(say("coverage_gap", name=word(key), value=len(report[key])))


COMMANDS = (graph, impact, cycles, coverage)
__all__ = ["COMMANDS", "EXIT_ERROR"]
