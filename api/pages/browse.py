"""Web pages for browsing: categories, search, dependency pictures and impact.

Handlers are plain `def`: they query the store and build graphs, which block, so
FastAPI runs them in its threadpool.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import URIRef

from api.deps import ReadDep, RegistryDep, SettingsDep
from api.i18n import LANGS, Translator, lang_of
from api.lists import (
    EVERY_ENTRY,
    FORMATS,
    Format,
    download,
    download_format,
    download_sheets,
    every_entry,
    list_page,
    refuse_unknown_query,
)
from api.pages.render import KINDS, MAX_OFFSET, local_href, local_time, page_links, render
from registry.bilingual import Text
from registry.errors import InputError, RegistryError
from registry.graphs import (
    RendererUnavailableError,
    display_name,
    neighbourhood,
    to_svg,
)
from registry.namespaces import SCS
from registry.read import queries
from registry.read.filters import FILTERS, KIND_FILTERS
from registry.read.model import ReadModel
from registry.read.queries import Concept, Page
from registry.read.tables import TITLES, table_rows

router = APIRouter(include_in_schema=False)


# -- paging --------------------------------------------------------------------------------

LIST_PAGE = 50  # standards per category page, entries per search list
# Past MAX_OFFSET (api.pages.render) an offset is refused (422), not overflowed.
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
# A filter's value from a form: an empty choice ("any") is no filter.
FilterQuery = Annotated[str, Query(max_length=40)]
# The lists' pages refuse a query parameter they do not know (400, naming theirs).
LIST_PAGE_ROUTE: dict[str, Any] = {
    "response_class": HTMLResponse,
    "response_model": None,
    "dependencies": [Depends(refuse_unknown_query)],
}


def _download_links(request: Request) -> dict[str, str]:
    """The URLs of this list as a download in each format: every entry, so no offset."""
    links = {}
    for fmt in FORMATS:
        url = request.url.remove_query_params("offset").include_query_params(format=fmt)
        links[fmt] = f"{url.path}?{url.query}"  # relative: right behind any proxy
    return links


def _chosen(values: dict[str, str | None]) -> dict[str, str]:
    """The filters given a value; a form's empty choice is none."""
    return {name: value.strip() for name, value in values.items() if value and value.strip()}


# -- categories ----------------------------------------------------------------------------


def code_list(read: ReadModel, scheme: URIRef) -> list[Concept]:
    return sorted(
        (c for c in read.concepts().values() if c.scheme == str(scheme)), key=lambda c: c.notation
    )


@router.get("/category/{code}", **LIST_PAGE_ROUTE)
def category_page(
    request: Request,
    code: str,
    read: ReadDep,
    settings: SettingsDep,
    status: FilterQuery = "",
    level: FilterQuery = "",
    register_status: FilterQuery = "",
    offset: OffsetQuery = 0,
    format: Format = None,
) -> Response:
    """A category's sub-categories and one page of its standards (sub-categories
    included), filtered by standard status, level and register status; an unknown
    category is 404, an unknown filter 400. `format=csv|xlsx` downloads every standard
    the filters choose."""
    # The tree alone gives the node, its counts and the breadcrumb: read.category would
    # also parse every standard below it, which the page does not show.
    tree = read.category_tree()
    node = queries.category_node(tree, code)  # 404 first
    filters = _chosen({"status": status, "level": level, "register_status": register_status})
    fmt = download_format(request, format, "html")
    if fmt != "html":
        records = read.each_entry("standard", category=code, **filters)
        return download("standard", records, fmt, settings.time_zone)
    page = read.search_standards(category=code, **filters, limit=LIST_PAGE, offset=offset)
    return render(
        request,
        "category.html",
        {
            "node": node,
            "standards": page.items,
            "pages": page_links(request, offset, len(page.items), page.total, LIST_PAGE),
            "statuses": code_list(read, SCS.StandardStatuses),
            "levels": code_list(read, SCS.StandardLevels),
            "register_statuses": code_list(read, SCS.RegisterStatuses),
            "status": status,
            "level": level,
            "register_status": register_status,
            "parents": _parents(tree, code),
            "downloads": _download_links(request),
        },
    )


def _parents(tree: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    """The categories above `code`, top first (for the breadcrumb)."""

    def walk(nodes: list[dict[str, Any]], trail: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for node in nodes:
            if node["code"] == code:
                return trail
            found = walk(node["children"], [*trail, node])
            if found:
                return found
        return []

    return walk(tree, [])


# -- search --------------------------------------------------------------------------------


# The search page lists departments too (the home page's kinds are the three it counts).
SEARCH_KINDS = (*KINDS, "department")


def _flat_categories(tree: list[dict[str, Any]], depth: int = 0) -> list[dict[str, Any]]:
    """The category tree as one list, top first, each with its depth (for a select)."""
    flat = []
    for node in tree:
        flat.append({"code": node["code"], "label": node["label"], "depth": depth})
        flat += _flat_categories(node["children"], depth + 1)
    return flat


def _filter_choices(read: ReadModel, chosen: dict[str, str]) -> list[dict[str, Any]]:
    """Every filter of the search form with its choices (code, zh/en label) and the
    value chosen, in FILTERS' order, each with the kinds whose lists take it."""
    concepts = read.concepts()
    choices = []
    for f in FILTERS.values():
        if f.name == "category":
            options = [
                {"value": c["code"], "label": c["label"], "depth": c["depth"]}
                for c in _flat_categories(read.category_tree())
            ]
        elif f.name == "department":
            departments = read.list_entries("department", limit=EVERY_ENTRY).items
            options = [
                {"value": d["credit_code"], "label": d["name"], "depth": 0} for d in departments
            ]
        else:
            assert f.scheme is not None
            codes = sorted(
                (c for c in concepts.values() if c.scheme == str(f.scheme)),
                key=lambda c: c.notation,
            )
            options = [{"value": c.notation, "label": c.label, "depth": 0} for c in codes]
        choices.append(
            {
                "name": f.name,
                "label": {"zh": f.zh, "en": f.en},
                "options": options,
                "value": chosen.get(f.name, ""),
                "kinds": [k for k in SEARCH_KINDS if f in KIND_FILTERS[k]],
                "kind_labels": _kind_labels([k for k in SEARCH_KINDS if f in KIND_FILTERS[k]]),
            }
        )
    return choices


def _kind_labels(kinds: list[str]) -> dict[str, str]:
    """The names of `kinds` as one text in each language."""
    return {
        lang: ("、" if lang == "zh" else ", ").join(Translator(lang)(f"kind_{k}") for k in kinds)
        for lang in LANGS
    }


def _kinds_taking(kind: str, chosen: dict[str, str]) -> list[str]:
    """The kinds listed: `kind` (or every kind for "all") whose list takes every filter
    chosen. A filter no kind listed takes is InputError naming those they take."""
    kinds = SEARCH_KINDS if kind == "all" else (kind,)
    taking = [k for k in kinds if set(chosen) <= {f.name for f in KIND_FILTERS[k]}]
    if not taking:
        allowed = sorted({f.name for k in kinds for f in KIND_FILTERS[k]})
        names = ", ".join(sorted(chosen))
        raise InputError(
            Text(
                zh=f"{kind!r} 的列表不能同时按 {names} 筛选",
                en=f"no list of {kind!r} takes the filters {names} together",
            ),
            {"kind": kind, "filters": sorted(chosen), "allowed": allowed},
        )
    return taking


@router.get("/search", **LIST_PAGE_ROUTE)
def search_page(
    request: Request,
    read: ReadDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "all",
    category: FilterQuery = "",
    status: FilterQuery = "",
    level: FilterQuery = "",
    register_status: FilterQuery = "",
    department: FilterQuery = "",
    resource_class: FilterQuery = "",
    sharing_type: FilterQuery = "",
    openness: FilterQuery = "",
    update_cycle: FilterQuery = "",
    offset: OffsetQuery = 0,
    format: Format = None,
) -> Response:
    """Standards, resources, interfaces and departments whose identifier, code or zh/en
    title holds `q`; a standard identifier in any spelling is normalised
    (queries.search_needles). The filters narrow the kinds listed to those whose lists
    take them (a sharing type lists resources only).

    One kind is listed a page at a time from `offset`; all kinds show the first page of
    each, with a link to the rest of that kind's list. `format=csv|xlsx` downloads
    every entry listed (a sheet per kind in XLSX)."""
    if kind not in ("all", *SEARCH_KINDS):
        raise InputError(
            Text(zh=f"未知的类别 {kind!r}", en=f"unknown kind {kind!r}"),
            {"allowed": ["all", *SEARCH_KINDS]},
        )
    chosen = _chosen(
        {
            "category": category,
            "status": status,
            "level": level,
            "register_status": register_status,
            "department": department,
            "resource_class": resource_class,
            "sharing_type": sharing_type,
            "openness": openness,
            "update_cycle": update_cycle,
        }
    )
    taking = _kinds_taking(kind, chosen)
    text = q.strip()
    fmt = download_format(request, format, "html")
    if fmt != "html":
        every = {name: every_entry(read, name, text or None, chosen) for name in taking}
        if len(every) == 1:
            ((name, records),) = every.items()
            return download(name, records, fmt, settings.time_zone)
        shown = functools.partial(local_time, zone=settings.time_zone)
        sheets = [(TITLES[n], table_rows(n, records, shown)) for n, records in every.items()]
        return download_sheets(sheets, fmt, "检索结果", "search")
    results: dict[str, Page] = {}
    start = offset if kind != "all" else 0
    # An empty text with one kind (or a filter) lists every entry it chooses (the home
    # page's counts link there); with all kinds and nothing chosen it shows the form.
    if text or kind != "all" or chosen:
        for name in taking:
            results[name] = list_page(read, name, text or None, LIST_PAGE, start, chosen)
    pages: dict[str, Any] | None = None
    more: dict[str, str] = {}
    if kind != "all":
        found = results[kind]
        pages = page_links(request, offset, len(found.items), found.total, LIST_PAGE)
    else:  # the rest of a kind's list goes on in that kind's own list, from its 2nd page
        more = {
            name: str(request.url.include_query_params(kind=name, offset=len(found.items)))
            for name, found in results.items()
            if len(found.items) < found.total
        }
    return render(
        request,
        "search.html",
        {
            "q": text,
            "kind": kind,
            "kinds": SEARCH_KINDS,
            "results": results,
            "total": sum(found.total for found in results.values()),
            "pages": pages,
            "more": more,
            "filters": _filter_choices(read, chosen),
            "downloads": _download_links(request) if results else None,
        },
    )


# -- dependency pictures -------------------------------------------------------------------

_ANCHOR = re.compile(r"<a\b([^>]*)>")
_ATTR = re.compile(r'\s(xlink:href|href|xlink:title)="([^"]*)"')


def linked_svg(svg: bytes, base: str) -> str:
    """Graphviz SVG made ready to inline in a page, every entry a link to its page.

    Nodes carry their IRI as tooltip (and as URL once the export sets one); the link is
    rewritten to the local /id/ path, so it works whatever host and port serve the
    pages, and the XML prologue is dropped (it is not allowed inside HTML)."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text

    def link(match: re.Match[str]) -> str:
        attrs = dict((name, html.unescape(value)) for name, value in _ATTR.findall(match[1]))
        iri = attrs.get("xlink:href") or attrs.get("href") or attrs.get("xlink:title")
        target = local_href(iri, base) if iri else None
        if not target:
            return match[0]
        kept = _ATTR.sub(lambda m: "" if m[1] in ("xlink:href", "href") else m[0], match[1])
        quoted = html.escape(target, quote=True)
        return f'<a{kept} xlink:href="{quoted}" href="{quoted}">'

    return _ANCHOR.sub(link, text)


# The most entries a page's picture draws: a standard that every resource claims had
# them all drawn (156 nodes, an SVG 10,151 pt tall, 290 KB of page, with 130 resources
# registered; tens of thousands at 50,000). The nearest are drawn; the page says how
# many there are, and the impact page and /api/v1/graph go through all of them.
PICTURE_MAX_ENTRIES = 60


def picture(
    graph: nx.MultiDiGraph, root: str, base: str, lang: str, depth: int, direction: str = "both"
) -> dict[str, Any]:
    """The neighbourhood of `root` as inline SVG (None without Graphviz) and as a list of
    its entries with links, for readers without SVG and for screen readers: the
    PICTURE_MAX_ENTRIES nearest (`total` says how many the neighbourhood holds)."""
    sub = neighbourhood(graph, root, direction, depth)  # type: ignore[arg-type]
    # The editions it replaces and that replace it are what a reader of a superseded
    # standard looks for first; the dependency walk does not reach them.
    editions = {v for _, v, k in graph.out_edges(root, keys=True) if k == "replaces"}
    editions |= {u for u, _, k in graph.in_edges(root, keys=True) if k == "replaces"}
    if editions - set(sub):
        wider = nx.MultiDiGraph(graph.subgraph(set(sub) | editions))
        wider.graph.update(sub.graph)
        for node in wider:
            wider.nodes[node]["distance"] = sub.nodes[node]["distance"] if node in sub else 1
        sub = wider
    total = len(sub) - 1
    if total > PICTURE_MAX_ENTRIES:
        nearest = sorted(
            (node for node in sub if node != root and node not in editions),
            key=lambda n: (sub.nodes[n].get("distance", 0), sub.nodes[n]["kind"], str(n)),
        )
        kept = {root, *(editions & set(sub))}
        kept.update(nearest[: max(PICTURE_MAX_ENTRIES - len(kept) + 1, 0)])
        drawn = nx.MultiDiGraph(sub.subgraph(kept))
        drawn.graph.update(sub.graph)
        sub = drawn
    try:
        svg = linked_svg(to_svg(sub, lang), base)
    except RendererUnavailableError:
        svg = None
    entries = sorted(
        (
            {
                "iri": node,
                "kind": sub.nodes[node]["kind"],
                "name": display_name(sub, node, lang),
                "distance": sub.nodes[node].get("distance", 0),
            }
            for node in sub
            if node != root
        ),
        key=lambda e: (e["distance"], e["kind"], e["name"]),
    )
    return {"svg": svg, "entries": entries, "root": root, "total": total}


@router.get("/graph", response_class=HTMLResponse)
def graph_page(
    request: Request,
    registry: RegistryDep,
    id: Annotated[str, Query(max_length=500)],
    depth: Annotated[int, Query(ge=1, le=5)] = 2,
    direction: Annotated[str, Query(max_length=20)] = "both",
) -> HTMLResponse:
    """The dependency picture of one entry, larger than on its page, with depth and
    direction to choose."""
    if direction not in ("both", "dependencies", "dependents"):
        raise InputError(
            Text(zh=f"未知的方向 {direction!r}", en=f"unknown direction {direction!r}")
        )
    root = registry.reader().resolve(id)
    graph = registry.graph()
    lang = lang_of(request)
    drawn = picture(graph, root, registry.settings.base_iri, lang, depth, direction)
    return render(
        request,
        "graph.html",
        {
            "picture": drawn,
            "name": display_name(graph, root, lang) if root in graph else root,
            "root": root,
            "depth": depth,
            "direction": direction,
        },
    )


# -- impact --------------------------------------------------------------------------------


IMPACT_PAGE = 200  # affected entries per impact page: a hub affects tens of thousands
# Assessments to re-assess per impact page: GB/T 21063.3 has one per resource.
REASSESS_PAGE = 100
SUGGESTIONS = 50  # standards the impact form suggests for what was typed


@router.get("/impact", response_class=HTMLResponse)
def impact_page(
    request: Request,
    registry: RegistryDep,
    read: ReadDep,
    standard: Annotated[str, Query(max_length=300)] = "",
    change: Annotated[str, Query(max_length=20)] = "",
    offset: OffsetQuery = 0,
    assessments_offset: OffsetQuery = 0,
) -> HTMLResponse:
    """Choose a standard and a change; see what is affected, each with its path, a page of
    IMPACT_PAGE entries at a time, and the assessments to make again, REASSESS_PAGE at a
    time (their own pager, `assessments_offset`).

    The standard is typed (any spelling the resolver reads); the form suggests the first
    SUGGESTIONS standards matching what was typed, never the whole register."""
    typed = standard.strip()
    context: dict[str, Any] = {
        "standard": standard,
        "change": change,
        "choices": read.search_standards(q=typed, limit=SUGGESTIONS).items if typed else [],
        "impact": None,
        "error": None,
        "unresolved": False,
    }
    status = 200
    if change not in ("", "superseded", "abolished"):
        context["change"] = "superseded"
        context["error"] = InputError(
            Text(zh=f"未知的变更类型 {change!r}", en=f"unknown change {change!r}")
        ).message
        status = 400
    elif typed:
        try:
            root = registry.reader().resolve(standard)
            graph = registry.graph()
            lang = lang_of(request)
            found = registry.impact(
                root, change or None, offset, IMPACT_PAGE, assessments_offset, REASSESS_PAGE
            )
            context["change"] = found.change  # the one the standard's status chose
            shown = {found.root["iri"], *(a.successor for a in found.affected if a.successor)}
            shown.update(n for a in [*found.affected, *found.follows] for n in a.path)
            if found.successor:
                shown.add(found.successor)
            context["impact"] = found
            context["names"] = {n: display_name(graph, n, lang) for n in shown}
            context["pages"] = page_links(
                request, offset, len(found.affected), found.total, IMPACT_PAGE
            )
            context["assessment_pages"] = page_links(
                request,
                assessments_offset,
                len(found.assessments),
                found.assessments_total,
                REASSESS_PAGE,
                "assessments_offset",
            )
        except RegistryError as error:
            context["error"] = error.message
            # Nothing, or several entries, registered under what was typed: its matches
            # are offered as links.
            context["unresolved"] = error.status in (404, 409)
            status = error.status
    return render(request, "impact.html", context, status=status)
