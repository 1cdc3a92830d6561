"""The HTML representation of entity IRIs: /id/... asked for by a browser.

An entry's IRI is its page: a standard, resource, interface or department gets its
full page (metadata, links both ways, dependency picture, version history); a
submission its provenance and report; anything else the registry describes (a
version, a data item) a table of its statements. api.routers.entities calls
`entry_page` when content negotiation chose HTML; it runs in the threadpool.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node
from starlette.requests import Request
from starlette.responses import Response

from api.i18n import lang_of
from api.pages.browse import picture
from api.pages.render import local_href, offset_of, page_links, render
from registry.errors import NotFoundError
from registry.inputs.dcat import catalog_context
from registry.namespaces import bind_prefixes
from registry.read import conformity, queries
from registry.read.model import ReadModel
from registry.register import versions
from registry.register.submission import history, item_state, version_of
from registry.service import Registry

PAGE_KINDS = ("standard", "resource", "interface", "department", "assessment")
_SUBMISSION = re.compile(r"^submission/([0-9a-f-]{36})$")
PICTURE_DEPTH = 1


def entry_page(request: Request, registry: Registry, iri: str, path: str) -> Response:
    """The page of `iri` (minted under the base as `path`); NotFoundError when the
    registry holds nothing about it."""
    store = registry.store
    match = _SUBMISSION.match(path)
    if match:
        return _submission_page(request, registry, match[1])
    state = item_state(store, iri)
    if state is not None and state.kind in PAGE_KINDS:
        try:
            record = registry.reader().entry(state.kind, iri)
        except NotFoundError:
            record = None  # retired: no longer current; the statements page shows it
        if record is not None:
            context = _context(request, registry, state.kind, record)
            context["history"] = history(store, iri)
            context["item_status"] = state.status
            return render(request, f"{state.kind}.html", context)
    settings = registry.settings
    # NotFoundError: the 404 page.
    graph = queries.describe(store, iri, lambda: catalog_context(store, settings))
    named = version_of(iri)
    if named is not None and state is None:
        # A version's page says first what it changed against the version before.
        changed = versions.changes_of(store, *named)
        return _statements_page(request, graph, iri, changed)
    return _statements_page(request, graph, iri)


# How many entries a standard's page lists of those claiming it and of its assessments
# (the API pages through the rest), and how many assessments a department's page lists;
# the assessments' pager moves through the rest (`assessments_offset`).
PAGE_ENTRIES = 100
ASSESSMENTS_OFFSET = "assessments_offset"
PROVIDED_OFFSET = "provided_offset"  # a department's resources and interfaces
STANDARDS_OFFSET = "standards_offset"  # the standards a department's entries claim


def _with_pager(request: Request, answer: dict[str, Any], offset: int) -> dict[str, Any]:
    """A conformity answer with the pager of its assessments (`assessment_pages`)."""
    shown, total = len(answer["assessments"]), answer["page"]["assessments_total"]
    pages = page_links(request, offset, shown, total, PAGE_ENTRIES, ASSESSMENTS_OFFSET)
    return {**answer, "assessment_pages": pages}


def _named(read: ReadModel, iri: str, kind: str | None = None) -> dict[str, Any]:
    found = read.kind_and_record(iri)
    record = found[1] if found else {}
    if kind is None and found:
        kind = found[0]
    return _named_record(iri, kind, record)


def _named_record(iri: str, kind: str | None, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "iri": iri,
        "kind": kind,
        "id": record.get("id"),
        "label": record.get("title") or record.get("name") or {},
        "status": (record.get("status") or {}).get("code"),
    }


def _provided(
    read: ReadModel, credit_code: str | None, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """PAGE_ENTRIES of the resources and then the interfaces the department of
    `credit_code` provides, from `offset`, and how many it provides in all."""
    named: list[dict[str, Any]] = []
    total = 0
    if not credit_code:  # entries name their publisher by its code: none names this one
        return named, total
    for kind in ("resource", "interface"):
        wanted = PAGE_ENTRIES - len(named)
        page = read.list_entries(
            kind, publisher=credit_code, limit=wanted, offset=max(0, offset - total)
        )
        named.extend(_named_record(r["iri"], kind, r) for r in page.items)
        total += page.total
    return named, total


def _by_id(named: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """In the order lists give entries: by id, then IRI."""
    return sorted(named, key=lambda n: (str(n["id"] or ""), n["iri"]))


def _context(
    request: Request, registry: Registry, kind: str, record: dict[str, Any]
) -> dict[str, Any]:
    read = registry.reader()
    iri = record["iri"]
    context: dict[str, Any] = {"e": record, "kind": kind}
    if kind == "standard":
        refs = record.get("referenced_by", [])
        # Each citer says how it cites (dated, undated): an undated citer of a
        # superseded edition means its successor.
        context["cited_by"] = [
            {**_named(read, r["iri"], "standard"), "by": r.get("by", [])}
            for r in refs
            if r["kind"] == "standard"
        ]
        # A standard such as GB/T 21063.3 is claimed by every resource: the page names
        # the first ones (a record read each) and gives the total.
        conforming = [r for r in refs if r["kind"] != "standard"]
        context["conforming"] = [
            _named(read, r["iri"], r["kind"]) for r in conforming[:PAGE_ENTRIES]
        ]
        context["conforming_total"] = len(conforming)
        offset = offset_of(request, ASSESSMENTS_OFFSET)
        found = read.standard_conformity(iri, limit=PAGE_ENTRIES, offset=offset)
        context["conformity"] = _with_pager(request, found, offset)
        graph = registry.graph()
        if iri in graph:
            context["picture"] = picture(
                graph, iri, registry.settings.base_iri, lang_of(request), PICTURE_DEPTH
            )
    elif kind == "resource":
        context["served_by"] = _by_id(
            _named(read, e["source"], "interface")
            for e in read.edges(target=iri)
            if e["kind"] == "interface" and e["relation"] == "serves"
        )
    elif kind == "department":
        # A city bureau provides thousands of resources: the page lists them a page at
        # a time (resources, then interfaces, each in list order), read from the lists'
        # index. Every one on one page was 1.1 MB of HTML and 0.5-0.8 s at 50,000
        # resources, a record read for each.
        start = offset_of(request, PROVIDED_OFFSET)
        context["provided"], total = _provided(read, record.get("credit_code"), start)
        context["provided_pages"] = page_links(
            request, start, len(context["provided"]), total, PAGE_ENTRIES, PROVIDED_OFFSET
        )
        offset = offset_of(request, ASSESSMENTS_OFFSET)
        # The standards its entries claim, a page at a time too: a city bureau's are
        # thousands (a 649 kB page at 50,000 resources when all were listed).
        standards_start = offset_of(request, STANDARDS_OFFSET)
        found = read.department_conformity(
            iri,
            limit=PAGE_ENTRIES,
            offset=offset,
            standards_limit=PAGE_ENTRIES,
            standards_offset=standards_start,
        )
        context["conformity"] = {
            **_with_pager(request, found, offset),
            "standard_pages": page_links(
                request,
                standards_start,
                len(found["standards"]),
                found["page"]["standards_total"],
                PAGE_ENTRIES,
                STANDARDS_OFFSET,
            ),
        }
    elif kind == "assessment":
        context["expired"] = conformity.expired(record, conformity.today_utc())
        context["outdated"] = conformity.outdated(record, read.rules_version)
    return context


def _submission_page(request: Request, registry: Registry, submission_id: str) -> Response:
    store = registry.store
    found = queries.submission(store, registry.settings.base_iri, submission_id)
    read = registry.reader()
    found["named_entries"] = [_named(read, e) for e in found["entries"]]
    return render(request, "submission.html", {"s": found})


def _statements_page(
    request: Request, graph: Graph, iri: str, changed: versions.Difference | None = None
) -> Response:
    bind_prefixes(graph)
    base = request.app.state.settings.base_iri
    manager = graph.namespace_manager

    def term(node: object) -> dict[str, Any]:
        if isinstance(node, Literal):
            return {"text": str(node), "lang": node.language, "href": None}
        if isinstance(node, URIRef):
            return {
                "text": manager.normalizeUri(node),
                "lang": None,
                "href": local_href(str(node), base),
            }
        return {"text": str(node), "lang": None, "href": None}

    rows = [
        (term(s), term(p), term(o))
        for s, p, o in sorted(graph, key=lambda t: (t[0] != URIRef(iri), str(t[0]), str(t[1])))
    ]
    title = queries.title_of(graph, iri, lang_of(request))
    context: dict[str, Any] = {"title": title, "iri": iri, "rows": rows}
    if changed is not None:
        lines = [("removed", line) for line in changed.removed]
        lines += [("added", line) for line in changed.added]
        context["changed"] = changed
        context["change_rows"] = [
            {"how": how, "terms": [term(node) for node in _triple_of(line)]} for how, line in lines
        ]
    return render(request, "statements.html", context)


def _triple_of(line: str) -> tuple[Node, Node, Node]:
    """The one triple of an N-Triples line (registry.register.versions writes them)."""
    ((subject, predicate, value),) = Graph().parse(data=line, format="nt")
    return subject, predicate, value
