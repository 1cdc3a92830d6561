"""The `screg` command: a thin group over library calls.

Exit codes, for every command: 0 success (a submission that conforms, warnings
allowed), 1 the input was read but rejected (a Violation), 2 the input or the
command could not be used (unreadable file, bad option, store error).
"""

from __future__ import annotations

import logging
import sys

import click

from registry import __version__
from registry.cli.common import lang_option
from registry.cli.graphs import COMMANDS as GRAPH_COMMANDS
from registry.cli.inputs import COMMANDS as INPUT_COMMANDS
from registry.cli.items import COMMANDS as ITEM_COMMANDS
from registry.cli.serve import serve
from registry.cli.tokens import token
from registry.cli.validate import rules, validate

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="screg")
@click.option(
    "--log-level",
    "log_level",
    envvar="SCREG_LOG_LEVEL",
    default="warning",
    show_default=True,
    type=click.Choice(LOG_LEVELS),
    help="What the library logs to stderr, e.g. info: where each store write begins "
    "and lands [env SCREG_LOG_LEVEL]. `screg serve` has its own --log-level for the server.",
)
@lang_option
def main(log_level: str, lang: str | None) -> None:
    """smartcity-registry: the registry of the city's smart-city standard system."""
    logging.basicConfig(level=log_level.upper(), stream=sys.stderr, format="%(name)s: %(message)s")


main.add_command(validate)
main.add_command(rules)
main.add_command(serve)
main.add_command(token)
for command in (*ITEM_COMMANDS, *GRAPH_COMMANDS, *INPUT_COMMANDS):
    main.add_command(command)
