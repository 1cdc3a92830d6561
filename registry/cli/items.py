"""Register commands: register, status, history, show, export, import."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from registry.bilingual import Text
from registry.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    assign_codes_option,
    cli_lang,
    cli_settings,
    exit_with_servers_report,
    fail,
    json_option,
    lang_option,
    listing,
    open_registry,
    open_to_read,
    output_option,
    read_documents,
    report_option,
    say,
    server_holding,
    stop_the_server_first,
    store_option,
    word,
)
from registry.cli.local_server import LocalServer, call
from registry.cli.progress import progress_bar
from registry.config import load_settings
from registry.errors import RegistryError
from registry.inputs.document import mapped_format
from registry.inputs.identifiers import CREDIT_CODE_PATTERN
from registry.inputs.rdf import format_for_filename
from registry.register.submission import PROVISIONAL_STATUS, REGISTRAR, STATUSES, Principal
from registry.store import open_store
from registry.store.errors import StoreLockedError
from registry.validation.reports import render_report, report_from_json

SHOW_FORMATS = {"text": "turtle", "turtle": "turtle", "jsonld": "json-ld", "nt": "nt"}
EXPORT_FORMATS = {"nquads": "nquads", "trig": "trig"}
# Not a dump: the current entries as DCAT-AP 3 (Turtle), registry/dcat.py.
DCAT_AP = "dcat-ap"


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--department",
    "department",
    default=None,
    help="Unified social credit code of the submitting department; without it the "
    "submission is made as a registrar.",
)
@click.option("--format", "fmt", default=None, help="Input format; default: from the extension.")
@click.option(
    "--dry-run",
    "dry_run",
    is_flag=True,
    help="Decide as this submission would be decided (as the --department given: "
    "ownership, the IRI rules, validation) and say what it would register; write nothing. "
    "Reads the store read-only, so it works beside a running server.",
)
@click.option(
    "--provisional",
    "provisional",
    is_flag=True,
    help="Register provisionally: a required value that is missing is a Warning, not a "
    "Violation, and the entries lacking one are registered with the register status "
    "submitted (not valid) until a complete submission; the report is printed. Every "
    "other Violation still refuses the submission (docs/registration.md).",
)
@assign_codes_option
@report_option()
@lang_option
@store_option
def register(
    files: tuple[str, ...],
    department: str | None,
    fmt: str | None,
    dry_run: bool,
    provisional: bool,
    assign_codes: str | None,
    report_format: str,
    lang: str | None,
    store: str | None,
) -> None:
    """Validate FILE... as one submission and, with no Violation, register it.

    Exit 0 registered (or nothing changed; with --dry-run: it would be), 1 rejected
    with the report, 2 unreadable or refused (another department's entry).
    """
    try:
        with open_registry(store, read_only=dry_run, lang=lang) as registry:
            registry.store  # noqa: B018 - held by a running server: StoreLockedError
            principal = REGISTRAR
            if department:
                if not CREDIT_CODE_PATTERN.match(department):
                    raise RegistryError(
                        Text(
                            zh=f"--department 须为统一社会信用代码，而不是 {department!r}",
                            en=f"--department takes a credit code, not {department!r}",
                        )
                    )
                dept_iri = registry.resolve(department)
                principal = Principal(role="submitter", department=_iri(dept_iri), name=department)
            # A DCAT dataset whose publisher maps to no department is the submitter's.
            options = {"assign_codes": assign_codes or "", "department": department or ""}
            documents = read_documents(files, fmt, options)
            with progress_bar(say("validating")) as progress:
                if dry_run:
                    result = registry.try_submit(
                        documents, principal, progress=progress, provisional=provisional
                    )
                else:
                    result = registry.submit(
                        documents, principal, progress=progress, provisional=provisional
                    )
            lang_used = registry.settings.lang
    except StoreLockedError as locked:
        _register_through_the_server(
            store, locked, files, department, fmt, assign_codes, report_format, lang, provisional
        )
    except RegistryError as error:
        fail(error)
    if not result.accepted:
        click.echo(render_report(result.report, report_format, lang_used), nl=False)
        raise SystemExit(EXIT_REJECTED)
    if provisional:
        # what is to complete (and what a mapped document could not say) is the point
        click.echo(render_report(result.report, report_format, lang_used), nl=False)
    counts: dict[str, int] = {}
    for change in result.changes:
        counts[change.outcome] = counts.get(change.outcome, 0) + 1
    _print_accepted(
        say("dry_run") if dry_run else say("submission", submission=result.submission),
        counts,
        result.report.extra.get("skipped_entries", 0),
        result.report.counts["Warning"],
        sum(1 for c in result.changes if c.status == PROVISIONAL_STATUS),
    )
    raise SystemExit(EXIT_OK)


def _print_accepted(
    head: str, counts: dict[str, int], skipped: int, warnings: int, provisional: int = 0
) -> None:
    click.echo(head)
    outcomes = sorted(counts.items())
    click.echo("  " + listing(say("outcome_count", n=n, outcome=word(o)) for o, n in outcomes))
    if skipped:
        # what the hash comparison saved: a re-submitted catalogue validates its changes only
        click.echo(say("skipped", skipped=skipped))
    if provisional:
        click.echo(say("provisional", n=provisional))
    elif warnings:
        click.echo(say("warnings", warnings=warnings))


def _register_through_the_server(
    store: str | None,
    locked: StoreLockedError,
    files: tuple[str, ...],
    department: str | None,
    fmt: str | None,
    assign_codes: str | None,
    report_format: str,
    lang: str | None,
    provisional: bool = False,
) -> None:
    """`register` sent to the `screg serve` that holds the store, as a registrar (its
    local admin credential); the same output and exit codes as a local run."""
    server = server_holding(store, locked)
    try:
        documents = read_documents(files, fmt)
        # Each file's format as a local run tells it: one that cannot be told is refused
        # here, before anything is sent.
        names = [fmt or mapped_format(d) or format_for_filename(d.name).name for d in documents]
    except RegistryError as error:
        fail(error)
    params: dict[str, str] = {"assign_codes": assign_codes} if assign_codes else {}
    if provisional:
        params["provisional"] = "true"
    if len(documents) == 1:
        # The file name tells a DCAT catalogue's RDF syntax (registry/inputs/upload.py).
        params.update(format=names[0], filename=documents[0].name)
        body: dict[str, object] = {"content": documents[0].data}
    else:
        # Several files: one multipart/form-data body, a part each, one submission; each
        # part's format from its file name, as here, unless --format names it for all.
        if fmt:
            params["format"] = fmt
        body = {"files": [("file", (d.name, d.data)) for d in documents]}
    try:
        with _as_department(server, department) as secret:
            answer = call(
                server, "POST", "/api/v1/submissions", params=params, secret=secret, **body
            )
    except RegistryError as error:
        exit_with_servers_report(error, report_format, lang)
        fail(error)
    counts: dict[str, int] = {}
    for entry in answer.get("entries", []):
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    report = answer.get("report", {})
    if provisional and "results" in report:
        click.echo(render_report(report_from_json(report), report_format, lang or "zh"), nl=False)
    _print_accepted(
        say("submission", submission=answer.get("submission")),
        counts,
        int(answer.get("skipped_entries") or 0),
        int(report.get("counts", {}).get("Warning", 0)),
        sum(1 for e in answer.get("entries", []) if e.get("status")),
    )
    raise SystemExit(EXIT_OK)


@contextmanager
def _as_department(server: LocalServer, department: str | None) -> Iterator[str | None]:
    """The secret to submit with: None (the server's admin credential, a registrar's
    rights) without --department; with it, a submitter token of that department made
    for this one submission and revoked after it, so that every rule of a department's
    submission (ownership, review) holds as it does for the department's own token."""
    if not department:
        yield None
        return
    made = call(
        server,
        "POST",
        "/api/v1/tokens",
        json={
            "role": "submitter",
            "department": department,
            "name": f"screg register --department (pid {os.getpid()})",
            "lifetime_days": 1,
        },
    )
    try:
        yield str(made["secret"])
    finally:
        call(server, "DELETE", f"/api/v1/tokens/{made['token']['id']}")


def _iri(text: str):
    from rdflib import URIRef

    return URIRef(text)


@click.command()
@click.argument("ident", metavar="ID")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--successor", default=None, help="The item that supersedes ID (with superseded).")
@click.option("--reason", default=None, help="Why the status changes; kept with the version.")
@store_option
def status(
    ident: str, status: str, successor: str | None, reason: str | None, store: str | None
) -> None:
    """Change the register status of ID (an IRI, identifier or code), as a registrar."""
    try:
        with open_registry(store) as registry:
            change = registry.change_status(ident, status, REGISTRAR, successor, reason)
            item, version = change.item, change.version
    except StoreLockedError as locked:
        answer = _through_the_server(
            store,
            locked,
            f"/api/v1/items/{quote(ident, safe='')}/status",
            {"status": status, "successor": successor, "reason": reason},
        )
        item, version = answer["item"], answer["version"]
    except RegistryError as error:
        fail(error)
    click.echo(say("status_changed", item=item, status=word(status), version=version))


def _through_the_server(
    store: str | None, locked: StoreLockedError, path: str, body: dict[str, object]
) -> dict[str, object]:
    """POST `body` to `path` of the `screg serve` that holds the store; its answer, or
    exit 2 with its error."""
    server = server_holding(store, locked)
    try:
        return call(server, "POST", path, json={k: v for k, v in body.items() if v is not None})
    except RegistryError as error:
        fail(error)


@click.command()
@click.argument("ident", metavar="ID")
@click.argument("department", metavar="DEPARTMENT")
@click.option("--reason", required=True, help="Why the entry changes owner; kept in provenance.")
@store_option
def transfer(ident: str, department: str, reason: str, store: str | None) -> None:
    """Give the entry ID (a resource, interface or catalogue) to DEPARTMENT (its credit
    code or IRI), as a registrar: a new version, the transfer and its reason recorded."""
    try:
        with open_registry(store) as registry:
            change = registry.transfer(ident, department, REGISTRAR, reason)
            item, version = change.item, change.version
    except StoreLockedError as locked:
        answer = _through_the_server(
            store,
            locked,
            f"/api/v1/items/{quote(ident, safe='')}/owner",
            {"department": department, "reason": reason},
        )
        item, version = answer["item"], answer["version"]
    except RegistryError as error:
        fail(error)
    click.echo(say("transferred", item=item, department=department, version=version))


@click.command()
@click.option(
    "--outdated",
    is_flag=True,
    help="Re-run only the automatic assessments made under other shapes or rules than "
    "those installed now (those the answers show as outdated), and make those of the "
    "valid resources and interfaces that have none.",
)
@store_option
def assess(outdated: bool, store: str | None) -> None:
    """Run the automatic conformity assessments over every registered resource and
    interface, and the catalogues and departments listing or providing them
    (docs/assessment.md), e.g. after the rules or the shapes changed; only the
    assessments whose content changes get a new version. Exit 1 when a write was
    refused."""
    try:
        with open_registry(store) as registry:
            made = registry.assess_all(outdated_only=outdated)
            writes = [
                (str(m.submission), m.accepted, sum(c.outcome != "unchanged" for c in m.changes))
                for m in made
            ]
    except StoreLockedError as locked:
        # The server runs it as a job, which `call` follows to its end.
        path = "/api/v1/assessments/automatic" + ("?outdated=true" if outdated else "")
        answer = _through_the_server(store, locked, path, {})
        writes = [
            (str(w["submission"]), bool(w["accepted"]), int(w["changed"]))
            for w in answer.get("writes", [])  # type: ignore[union-attr]
        ]
    except RegistryError as error:
        fail(error)
    if not writes:
        click.echo(say("assess_unchanged"))
        return
    if not all(accepted for _, accepted, _ in writes):
        click.echo(say("assess_refused"), err=True)
        raise SystemExit(1)
    changed = sum(n for _, _, n in writes)
    submissions = ", ".join(submission for submission, _, _ in writes)
    click.echo(say("assess_done", n=changed, submission=submissions))


@click.command()
@click.argument("ident", metavar="ID")
@click.option(
    "--changes",
    "changes_of",
    type=click.IntRange(min=1),
    metavar="N",
    help="What version N changed against the one before it: the statements it added (+) "
    "and removed (-).",
)
@json_option
@store_option
def history(ident: str, changes_of: int | None, as_json: bool, store: str | None) -> None:
    """List every version of ID, oldest first; with --changes N, what version N changed."""
    try:
        with open_registry(store, read_only=True) as registry:
            item = registry.resolve(ident)
            if changes_of is not None:
                changed = registry.version_changes(item, changes_of)
            else:
                versions = registry.history(item)
    except RegistryError as error:
        fail(error)
    if changes_of is not None:
        _print_changes(item, changed.as_dict(), as_json)
        return
    if as_json:
        click.echo(
            json.dumps(
                {"item": item, "versions": [v.as_dict() for v in versions]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(item)
    for v in versions:
        click.echo(f"  {v.number:>3}  {word(v.status):<10}  {v.time}  {v.activity}  {_by(v.agent)}")
        if v.change == "transfer":
            former = ", ".join(v.former_owner) or "-"
            click.echo(say("history_transfer", former=former, new=v.new_owner))
        if v.reason:
            click.echo(say("history_reason", reason=v.reason))


def _print_changes(item: str, changed: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"item": item, **changed}, ensure_ascii=False, indent=2))
        return
    against = changed["against"]
    if against is None:
        click.echo(say("changes_first", item=item, version=changed["version"]))
    else:
        click.echo(say("changes_against", item=item, version=changed["version"], against=against))
    if not changed["added_count"] and not changed["removed_count"]:
        click.echo(say("changes_none"))
    for line in changed["removed"]:
        click.echo(f"- {line}")
    for line in changed["added"]:
        click.echo(f"+ {line}")
    for sign, shown, count in (
        ("-", changed["removed"], changed["removed_count"]),
        ("+", changed["added"], changed["added_count"]),
    ):
        if count > len(shown):
            click.echo(say("changes_more", sign=sign, n=count - len(shown)))


def _by(agent: str | None) -> str:
    """Who made a version, for people: a department's credit code, or a role's word."""
    if agent is None:
        return ""
    if agent.startswith("urn:screg:agent:"):
        return word(agent.split(":")[3])
    return agent.rsplit("/", 1)[-1]


@click.command()
@click.argument("ident", metavar="ID")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    default=None,
    help="Version number (default: the current one).",
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(SHOW_FORMATS)), default="text", show_default=True
)
@store_option
def show(ident: str, version: int | None, fmt: str, store: str | None) -> None:
    """Print ID's triples as registered in a version."""
    try:
        with open_registry(store, read_only=True) as registry:
            graph = registry.show(ident, version)
    except RegistryError as error:
        fail(error)
    from registry.namespaces import bind_prefixes

    bind_prefixes(graph)
    click.echo(graph.serialize(format=SHOW_FORMATS[fmt]), nl=False)


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*sorted(EXPORT_FORMATS), DCAT_AP]),
    default="nquads",
    show_default=True,
    help="nquads/trig: every quad of the store; dcat-ap: the catalogues as DCAT-AP 3 (Turtle).",
)
@output_option
@store_option
def export_(fmt: str, output: str | None, store: str | None) -> None:
    """Write every quad of the store (versions, provenance and reports included), or
    with --format dcat-ap the registered catalogues as DCAT-AP 3."""
    try:
        if fmt == DCAT_AP:
            from registry.inputs.dcat import catalog_context, export_store
            from registry.namespaces import bind_prefixes

            with open_registry(store, read_only=True) as registry:
                context = catalog_context(registry.store, registry.settings)
                graph = export_store(registry.store, registry.settings.base_iri, context)
            bind_prefixes(graph)
            data = graph.serialize(format="turtle", encoding="utf-8")
        else:
            with open_to_read(store) as target:
                data = target.dump(EXPORT_FORMATS[fmt])  # type: ignore[arg-type]
    except RegistryError as error:
        fail(error)
    if output:
        Path(output).write_bytes(data)
    else:
        click.get_binary_stream("stdout").write(data)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(EXPORT_FORMATS)),
    default="nquads",
    show_default=True,
)
@store_option
def import_(file: str, fmt: str, store: str | None) -> None:
    """Restore an export into an empty store (the store is not seeded first)."""
    try:
        settings = load_settings(store=store)
        with open_store(settings.store, settings) as target:
            if target.quad_count():
                raise RegistryError(
                    Text(
                        zh="导入须在空的存储中进行；该存储已有数据",
                        en="import needs an empty store; this one holds data",
                    )
                )
            generation = target.load_dump(Path(file).read_bytes(), EXPORT_FORMATS[fmt])  # type: ignore[arg-type]
        # A read model beside the store may be another registry's at the same generation.
        with open_registry(store) as registry:
            registry.rebuild_for_the_next_start()
    except StoreLockedError as locked:
        stop_the_server_first(store, locked, "screg import")
    except RegistryError as error:
        fail(error)
    click.echo(say("imported", generation=generation))


@click.command()
@click.option("--to", "new_base", required=True, help="The new base IRI (http(s), ending in /).")
@store_option
def rebase(new_base: str, store: str | None) -> None:
    """Move every entry IRI of the store to the base IRI given by --to, in one write
    (exit 0, 2 on an error). Then serve with SCREG_BASE_IRI set to it."""
    from registry.register.base_iri import rebase_store, stored_base

    try:
        settings = load_settings(store=store, base_iri=new_base)
    except ValueError as exc:  # pydantic's ValidationError: a base that is not http(s) or no /
        fail(
            RegistryError(
                Text(
                    zh=f"不可用的基址 IRI：{new_base!r}", en=f"not a usable base IRI: {new_base!r}"
                ),
                {"reason": str(exc)[:300]},
            )
        )
    try:
        with open_store(settings.store, settings) as target:
            old = stored_base(target)
            if old is None:
                raise RegistryError(
                    Text(
                        zh="存储中没有条目：无可迁移",
                        en="the store holds no entry: nothing to move",
                    )
                )
            moved = rebase_store(target, old, new_base)
        with open_registry(store, base_iri=new_base) as registry:
            registry.rebuild_for_the_next_start()
    except StoreLockedError as locked:
        stop_the_server_first(store, locked, "screg rebase")
    except RegistryError as error:
        fail(error)
    click.echo(say("rebased", moved=moved, old=old, new=new_base))


@click.command()
@json_option
@store_option
def check(as_json: bool, store: str | None) -> None:
    """Audit the store for what the register rules forbid but older or imported data may
    hold: identifiers naming several entries, entries at IRIs that disagree with their
    identifiers, references to no entry. Prints each with how to mend it; exit 0 when
    there is none, 1 when there is any, 2 on an error."""
    from registry.register.audit import audit

    try:
        with open_registry(store, read_only=True) as registry:
            findings = audit(registry.store, registry.settings.base_iri)
    except RegistryError as error:
        fail(error)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        lang = cli_lang()
        for f in findings:
            detail, mend = f.detail.in_language(lang), f.mend.in_language(lang)
            click.echo(say("finding", kind=word(f.kind), entry=f.entry, detail=detail, mend=mend))
        click.echo(say("findings", n=len(findings)) if findings else say("no_findings"))
    raise SystemExit(1 if findings else 0)


@click.group("read-model")
def read_model() -> None:
    """The read model: lists, search, counts and entry records (docs/architecture.md)."""


@read_model.command("rebuild")
@store_option
def read_model_rebuild(store: str | None) -> None:
    """Build the read model again from the store, and the dependency graph kept beside
    it (exit 0, 2 on an error). Needed only when its file was lost or damaged: every
    write keeps it up to date, and a process that finds it behind the store catches it
    up by itself."""
    from registry.store import backend_kind

    settings = cli_settings(store)
    if not settings.read_model and backend_kind(settings.store) != "path":
        # It rebuilt a model in this process's memory, said "rebuilt" and changed
        # nothing: each process over a remote store builds its own at its start.
        fail(
            RegistryError(
                Text(
                    zh="该存储的读模型只在每个服务进程的内存中（未设置 SCREG_READ_MODEL），"
                    "各进程启动时自行构建，无需重建；要把它保存在文件中，请设置 SCREG_READ_MODEL",
                    en="this store's read model lives in each server process's memory "
                    "(SCREG_READ_MODEL is not set) and each process builds its own at its "
                    "start: there is nothing to rebuild; set SCREG_READ_MODEL to keep it in "
                    "a file",
                ),
                {"store": settings.store},
            )
        )
    try:
        with open_registry(store) as registry:
            generation = registry.rebuild_for_the_next_start()
            counts = registry.reader().kind_counts()
            path = registry.read_model_path()
    except StoreLockedError as locked:
        stop_the_server_first(store, locked, "screg read-model rebuild", read_model=True)
    except RegistryError as error:
        fail(error)
    listed = listing(say("kind_count", n=n, kind=word(kind)) for kind, n in counts.items())
    click.echo(say("read_model_rebuilt", path=path, generation=generation, listed=listed))


COMMANDS = (
    register,
    status,
    transfer,
    assess,
    history,
    show,
    export_,
    import_,
    rebase,
    check,
    read_model,
)
