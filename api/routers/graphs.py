"""Dependency graphs over HTTP: the graph around an entry, impact of a status change,
reference cycles, coverage (docs/graphs.md).

Plain `def` handlers: building the graph (on the first request after a write) and
running Graphviz block, so they run in the threadpool, never on the event loop.
Errors are the registry's domain errors, answered in the one error shape.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BeforeValidator

from api.deps import RegistryDep, refuse_unknown_query
from api.errors import NotAcceptableError, error_responses
from registry.bilingual import Text
from registry.graphs import (
    FORMATS,
    neighbourhood,
    render,
    replacement_chain,
    shortest_path,
)
from registry.outputs.negotiation import preferred

router = APIRouter(tags=["dependency graphs"])

IdPath = Annotated[
    str,
    Path(
        max_length=300,
        description="An IRI, a standard identifier in any spelling (`GB/T 35273-2017`), "
        "a resource or interface code, or a credit code.",
    ),
]


def _written_as_a_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic also read a whole number as seconds since 1970
    (`as_of=86400` was 1970-01-02), a plausible wrong day for a client's mistake."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("a day written YYYY-MM-DD")
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(_written_as_a_day),
    Query(description="The registry as it stood on this day (YYYY-MM-DD)."),
]
Lang = Annotated[Literal["zh", "en"], Query(description="Language of the labels.")]


def choose_format(fmt: str | None, accept: str | None) -> str:
    """?format= first; else the Accept header's preferred graph type; JSON by default."""
    if fmt:
        return fmt
    if not accept or not accept.strip():
        return "json"
    names = list(FORMATS)
    index = preferred(accept, list(FORMATS.values()))
    chosen = None if index is None else names[index]
    if chosen is None:
        raise NotAcceptableError(
            Text(zh="无可接受的图格式", en="none of the graph formats is acceptable"),
            {"available": list(FORMATS.values())},
        )
    return chosen


@router.get(
    "/api/v1/graph/{ident:path}",
    summary="The dependency graph around an entry",
    responses={
        200: {
            "description": "Node-link JSON, GraphML, Graphviz DOT or SVG.",
            "content": {media: {} for media in FORMATS.values()},
        },
        **error_responses(400, 404, 406, 409, 422, 500, 503),
    },
)
def get_graph(
    ident: IdPath,
    registry: RegistryDep,
    direction: Annotated[
        Literal["dependencies", "dependents", "both"],
        Query(description="What the entry needs, what needs it, or both."),
    ] = "both",
    depth: Annotated[
        int | None, Query(ge=0, le=100, description="Links away from the entry; all by default.")
    ] = None,
    as_of: AsOf = None,
    format: Annotated[
        Literal["json", "graphml", "dot", "svg"] | None,
        Query(description="Overrides the Accept header."),
    ] = None,
    lang: Lang = "zh",
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    fmt = choose_format(format, accept)  # 406 before any store work
    root = registry.resolve(ident)
    graph = registry.graph(as_of)
    sub = neighbourhood(graph, root, direction, depth, registry.settings.graph_max_nodes)
    return Response(render(sub, fmt, lang), media_type=FORMATS[fmt], headers={"Vary": "Accept"})


@router.get(
    "/api/v1/impact/{ident:path}",
    summary="What a status change of an entry affects",
    responses=error_responses(400, 404, 409, 422, 500, 503),
    dependencies=[Depends(refuse_unknown_query)],
)
def get_impact(
    ident: IdPath,
    registry: RegistryDep,
    change: Annotated[
        Literal["superseded", "abolished"] | None,
        Query(
            description="The status change to assess; default: `abolished` for an abolished "
            "standard, else `superseded`."
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=10_000, description="Affected entries in this page.")
    ] = 1000,
    offset: Annotated[int, Query(ge=0, description="Affected entries to skip.")] = 0,
    assessments_limit: Annotated[
        int, Query(ge=1, le=500, description="Assessments to re-assess in this page.")
    ] = 100,
    assessments_offset: Annotated[
        int, Query(ge=0, le=1_000_000, description="Assessments to re-assess to skip.")
    ] = 0,
) -> dict[str, Any]:
    """Every affected standard, resource and interface, with the path that links it and
    the successor to move to; undated citers that follow a successor by themselves; and
    under `assessments`, the conformity assessments against the entry, each flagged
    (`action`, zh and en) to be made again against the successor.

    The affected list is paged, nearest first: `total` and `counts` cover every affected
    entry, `next_offset` is the offset of the next page (null on the last). The
    assessments are paged apart, newest first (`assessments_limit`,
    `assessments_offset`), with `assessments_page` (`total`, `limit`, `offset`). Any
    other query parameter is 400 naming the allowed ones."""
    root = registry.resolve(ident)
    found = registry.impact(root, change, offset, limit, assessments_offset, assessments_limit)
    return found.as_dict()


@router.get(
    "/api/v1/cycles",
    summary="Groups of standards whose references go around, with a shortest cycle each",
    responses=error_responses(400, 422, 500, 503),
    dependencies=[Depends(refuse_unknown_query)],
)
def get_cycles(
    registry: RegistryDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Groups in this page.")] = 100,
    offset: Annotated[int, Query(ge=0, description="Groups to skip.")] = 0,
) -> dict[str, Any]:
    """Groups of standards whose references go around (from any of them, references
    lead to every other one and back), shortest cycle first: each with its `size`, its
    `members` and one shortest `cycle`, starting at its smallest IRI. `cycles` lists
    the page's cycles alone. Paged: `total` groups, `offset`, `limit`, `next_offset`
    (null on the last page). Any other query parameter is 400 naming the allowed ones."""
    return registry.cycles(offset, limit)


@router.get(
    "/api/v1/coverage",
    summary="Coverage of the standard system and progress against the plan's targets",
    responses=error_responses(400, 422, 500, 503),
    dependencies=[Depends(refuse_unknown_query)],
)
def get_coverage(
    registry: RegistryDep,
    as_of: AsOf = None,
    limit: Annotated[
        int, Query(ge=1, le=10_000, description="Entries of each list in this page.")
    ] = 100,
    offset: Annotated[int, Query(ge=0, description="Entries of each list to skip.")] = 0,
) -> dict[str, Any]:
    """Standards per category and status, categories without a current standard, and
    progress against the plan's targets, whole; and four lists, each paged with the same
    `offset` and `limit`: `resources_without_interface`, `without_standard`,
    `only_superseded_standards`, `flagged_references`. `pages` gives each list's `total`,
    `offset`, `limit` and `next_offset` (null on its last page). Any other query
    parameter is 400 naming the allowed ones."""
    return registry.coverage(as_of, offset, limit)


@router.get(
    "/api/v1/replacements/{ident:path}",
    summary="Every edition of a standard's line, oldest first",
    responses=error_responses(404, 409, 422, 500, 503),
)
def get_replacements(ident: IdPath, registry: RegistryDep) -> dict[str, Any]:
    root = registry.resolve(ident)
    return {"editions": replacement_chain(registry.graph(), root)}


@router.get(
    "/api/v1/path",
    summary="The shortest path between two entries",
    responses=error_responses(404, 409, 422, 500, 503),
)
def get_path(
    registry: RegistryDep,
    source: Annotated[str, Query(alias="from", max_length=300)],
    target: Annotated[str, Query(alias="to", max_length=300)],
) -> dict[str, Any]:
    a, b = registry.resolve(source), registry.resolve(target)
    found = shortest_path(registry.graph(), a, b)
    return found or {"relation": None, "path": [], "links": []}
