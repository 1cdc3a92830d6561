"""Options and helpers shared by the commands."""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from registry.bilingual import Text, detail_name, locale_language
from registry.cli.messages import LINES, WORDS
from registry.config import Settings, load_settings
from registry.errors import RegistryError
from registry.inputs.document import Document

if TYPE_CHECKING:
    from registry.cli.local_server import LocalServer
    from registry.service import Registry
    from registry.store import Store
    from registry.store.errors import StoreLockedError

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2

_SEED_KEY = "screg.seed"


def _remember_no_seed(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_SEED_KEY] = False


def store_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--store, and --no-seed (remembered in the click context, read by open_registry)."""
    command = click.option(
        "--no-seed",
        is_flag=True,
        expose_value=False,
        callback=_remember_no_seed,
        help="Do not seed an empty store with the ontology and the examples [env SCREG_SEED].",
    )(command)
    return click.option(
        "--store",
        "store",
        default=None,
        help="Store: a folder path, 'memory', or a SPARQL endpoint URL [env SCREG_STORE; "
        "default var/registry].",
    )(command)


def report_option(help_text: str = "Form of the report printed when rejected.") -> Any:
    """--report FORMAT (text by default), stored as `report_format`."""
    from registry.validation.reports import REPORT_FORMATS

    return click.option(
        "--report",
        "report_format",
        type=click.Choice(REPORT_FORMATS),
        default="text",
        show_default=True,
        help=help_text
        + " csv: for programs (both languages, the shapes' IRIs); sheet: a CSV in --lang"
        " to open in Excel or WPS (with a BOM).",
    )


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="File to write (default: standard output).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def cli_settings(store: str | None, **overrides: Any) -> Settings:
    """Settings from the environment and this command's flags (--store, --no-seed, ...)."""
    context = click.get_current_context(silent=True)
    seed = context.meta.get(_SEED_KEY) if context is not None else None
    return load_settings(store=store, seed=seed, **overrides)


# The system's words for why a file cannot be read are English: the usual ones in
# Chinese, for a command run in Chinese (docs/inputs.md, the Chinese-everywhere rule).
_OS_ERRORS_ZH = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读取它的权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
}


def unreadable_file(name: str, error: OSError) -> Text:
    """Why the file `name` cannot be read, in both languages."""
    why = error.strerror or str(error)
    return Text(
        zh=f"无法读取 {name}：{_OS_ERRORS_ZH.get(error.errno or 0, why)}",
        en=f"cannot read {name}: {why}",
    )


def open_registry(store: str | None, *, read_only: bool = False, **overrides: Any) -> Registry:
    """The Registry a command works on: its settings from the environment and flags,
    and no size limit on the files it reads (the limit guards the HTTP server)."""
    from registry.service import Registry
    from registry.store import backend_kind

    settings = cli_settings(store, **overrides)
    # A command run outside the checkout without --store made ./var/registry, seeded
    # it, and reported "5 new" there: the clerk believed the registry had them.
    new = backend_kind(settings.store) == "path" and not Path(settings.store).exists()
    if new:
        # `screg validate` outside the checkout made and seeded one without a word, and
        # checked the document against the examples (the DCAT probe).
        click.echo(
            say("new_store_to_read" if read_only else "new_store", path=settings.store), err=True
        )
    registry = Registry(settings, read_only=read_only)
    registry.upload_limit = None
    return registry


def open_to_read(store: str | None) -> Store:
    """The store as it is, not seeded: an embedded one that `screg serve` holds is read
    as a snapshot (RocksDB's read-only open), beside the server."""
    from registry.store import OxigraphStore, StoreLockedError, backend_kind, open_store

    settings = load_settings(store=store)
    try:
        return open_store(settings.store, settings)
    except StoreLockedError:
        if backend_kind(settings.store) != "path":
            raise
        return OxigraphStore(settings.store, read_only=True)


def server_holding(store: str | None, locked: StoreLockedError) -> LocalServer:
    """The `screg serve` that holds the embedded store, for a command that writes to
    send its operation to (registry/cli/local_server.py); with none that can be reached
    (it left no file: another kind of process holds the store), exit 2 with the error."""
    from registry.cli.local_server import running

    server = running(load_settings(store=store).store)
    if server is None:
        fail(locked)
    click.echo(say("held_by_server", pid=server.pid, url=server.url), err=True)
    return server


def stop_the_server_first(
    store: str | None, locked: StoreLockedError, command: str, *, read_model: bool = False
) -> NoReturn:
    """`command` rewrites the whole store (`import`, `rebase`) or its read model
    (`read-model rebuild`), which cannot go through a running server: exit 2 saying
    which `screg serve` holds the store and what to do instead. With no server file
    beside the store (another kind of process holds it), the store's own error."""
    from registry.cli.local_server import running

    server = running(load_settings(store=store).store)
    if server is None:
        fail(locked)
    pid, url = server.pid, server.url
    held = Text(
        zh=f"持有该存储的是运行中的 `screg serve`（进程 {pid}，{url}）。",
        en=f"the store is held by a running `screg serve` (pid {pid}, {url}), and",
    )
    if read_model:
        why = Text(
            zh=f"`{command}` 会重写存储的读取模型，须先停止该服务器。服务器会自行保持读取模型"
            "为最新，通常无需重建；确需重建时：",
            en=f"`{command}` rewrites the store's read model, so the server must be stopped "
            "first. The server keeps its read model current by itself, so this is rarely "
            "needed; when it is:",
        )
    else:
        why = Text(
            zh=f"`{command}` 会重写整个存储，须先停止该服务器：",
            en=f"`{command}` rewrites the whole store, so the server must be stopped first:",
        )
    steps = Text(
        zh=f"先停止服务器（`kill -TERM {pid}`，或在其终端按 `Ctrl-C`），再运行 `{command}`，"
        "然后重新启动 `screg serve`。",
        en=f"stop it (`kill -TERM {pid}`, or `Ctrl-C` in its terminal), run `{command}`, "
        "then start `screg serve` again.",
    )
    fail(RegistryError(Text(zh=held.zh + why.zh + steps.zh, en=f"{held.en} {why.en} {steps.en}")))


def exit_with_servers_report(refused: RegistryError, report_format: str, lang: str | None) -> None:
    """A submission the server refused for its content (422 with the report): the
    report printed as a local run prints it, and exit 1. Any other refusal returns."""
    from registry.validation.reports import render_report, report_from_json

    details = refused.details if isinstance(refused.details, dict) else {}
    if getattr(refused, "status", None) == 422 and "results" in details:
        report = report_from_json(details)
        click.echo(render_report(report, report_format, lang or "zh"), nl=False)
        raise SystemExit(EXIT_REJECTED)


_LANG_KEY = "screg.lang"


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # ctx.meta is shared by the group's context and the command's: `screg --lang en
    # validate` gives the command the group's choice, as `screg validate --lang en` does.
    if value:
        ctx.meta[_LANG_KEY] = value
        return value
    return ctx.meta.get(_LANG_KEY)


lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    callback=_remember_lang,
    help=(
        "Language of messages and reports [default: SCREG_LANG; without it, the "
        "command's own lines follow the locale and reports are in Chinese]."
    ),
)


def cli_lang() -> str:
    """The language of this command's own lines: --lang, SCREG_LANG, else the locale
    (registry/bilingual.py)."""
    context = click.get_current_context(silent=True)
    return locale_language(context.meta.get(_LANG_KEY) if context is not None else None)


def say(key: str, **values: object) -> str:
    """The line `key` of the catalogue (registry/cli/messages.py) in the command's
    language, its values put in."""
    return LINES[key].in_language(cli_lang()).format(**values)


def listing(parts: Iterable[str]) -> str:
    """Parts of a line one after another: "，" between them in Chinese, ", " in English."""
    return ("，" if cli_lang() == "zh" else ", ").join(parts)


def word(code: str) -> str:
    """A code a line names (a status, a kind, a role) as a person reads it in the
    command's language; a code the catalogue does not know, as it is."""
    found = WORDS.get(code)
    return found.in_language(cli_lang()) if found is not None else code


assign_codes_option = click.option(
    "--assign-codes",
    "assign_codes",
    default=None,
    metavar="PREFIX",
    help="DCAT: give datasets without a 前段码/后段码 code PREFIX/000001, ... and data "
    "services without a code PREFIX-API-001, ...; their source identifier is kept as "
    "dct:identifier. PREFIX is a 前段码 (e.g. 209001).",
)


def read_documents(
    files: tuple[str, ...], fmt: str | None, options: dict[str, str] | None = None
) -> list[Document]:
    """The files as Documents; `options` are given to every mapped document's reader
    (a DCAT catalogue's `assign_codes`, `department`)."""
    documents = []
    for name in files:
        path = Path(name)
        try:
            data = sys.stdin.buffer.read() if name == "-" else path.read_bytes()
        except OSError as exc:
            raise RegistryError(unreadable_file(name, exc)) from None
        documents.append(
            Document(
                name="stdin" if name == "-" else path.name,
                data=data,
                format=fmt,
                options=dict(options or {}),
            )
        )
    return documents


def fail(error: RegistryError) -> NoReturn:
    """Print a domain error for a person, in the command's language, and exit 2."""
    lang = cli_lang()
    click.echo(say("error") + error.message.in_language(lang), err=True)
    if isinstance(error.details, dict):
        for key, value in error.details.items():
            name = detail_name(key, lang)
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                # One line a refused entry, its reason in the command's language: a
                # Python list of dicts, with the English reason, was printed instead.
                click.echo(f"  {name}:", err=True)
                for one in value:
                    click.echo("    - " + "; ".join(_detail_parts(one, lang)), err=True)
                continue
            if isinstance(value, dict):
                # A count by kind (a DCAT document's types): a Python dict was printed.
                value = "、".join(f"{k}: {v}" for k, v in value.items())
            click.echo(f"  {name}: {value}", err=True)
    raise SystemExit(EXIT_ERROR)


def _detail_parts(detail: dict[str, Any], lang: str) -> list[str]:
    reasons = detail.get("reasons")
    parts = []
    for key, value in detail.items():
        if key == "reasons" or (key == "reason" and isinstance(reasons, dict)):
            continue
        shown = "、".join(map(str, value)) if isinstance(value, list) else value
        parts.append(f"{detail_name(key, lang)}: {shown}")
    if isinstance(reasons, dict) and reasons.get(lang):
        parts.append(f"{detail_name('reason', lang)}: {reasons[lang]}")
    return parts
