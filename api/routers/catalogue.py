"""REST reads under /api/v1: categories, standards, resources, interfaces, departments,
item histories and recorded submissions. Reading is public.

Handlers are plain `def`: every one queries the store, which blocks, so FastAPI
runs them in its threadpool.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from rdflib import URIRef

from api import schemas
from api.deps import ReadDep, RegistryDep, SettingsDep, StoreDep
from api.lists import (
    Format,
    Limit,
    Offset,
    code_query,
    download,
    download_format,
    list_answer,
    list_route,
)
from api.reads import READ_ERRORS, Ident, entry_responses, from_the_model
from registry.errors import NotFoundError
from registry.read import filters, queries

router = APIRouter(prefix="/api/v1", tags=["registry"])

# The agent of a department filter that names no department: it submitted nothing.
NO_AGENT = "urn:screg:agent:none"

Department = Annotated[
    str | None,
    Query(max_length=40, description="Credit code of the providing department."),
]
Publisher = Annotated[
    str | None,
    Query(max_length=40, description="The same as `department` (its earlier name)."),
]
RegisterStatus = Annotated[
    str | None,
    code_query(
        filters.REGISTER_STATUS,
        "Register status: submitted, valid, invalid, deprecated, superseded, retired.",
    ),
]


Text = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Text in the identifier, code, zh or en title; a "
        "standard identifier in any spelling (GB/T21063.3—2007) is normalised.",
    ),
]


@router.get("/categories", summary="The category tree with counts", responses=READ_ERRORS)
def list_categories(read: ReadDep) -> list[dict[str, Any]]:
    """The six categories of the standard system and their sub-categories. Each has
    `counts`: standards directly in it, in it or any sub-category (`total`), and that
    total by standard status and by register status."""
    return read.category_tree()


@router.get("/categories/{code}", summary="One category and its standards", responses=READ_ERRORS)
def get_category(
    code: Annotated[str, Path(max_length=20, description="Category code, e.g. `3` or `3.2`.")],
    read: ReadDep,
) -> dict[str, Any]:
    """The category with its sub-categories and counts, and `standards`: the standards
    in it or in any of its sub-categories."""
    return read.category(code)


@router.get(
    "/standards", summary="Standards, filtered and paged", **list_route(schemas.StandardPage)
)
def list_standards(
    request: Request,
    read: ReadDep,
    settings: SettingsDep,
    category: Annotated[
        str | None,
        code_query(filters.CATEGORY, "Category code; sub-categories included.", max_length=20),
    ] = None,
    status: Annotated[
        str | None,
        code_query(filters.STATUS, "Standard status: current, forthcoming, abolished, superseded."),
    ] = None,
    register_status: RegisterStatus = None,
    level: Annotated[
        str | None,
        code_query(
            filters.LEVEL, "Level: international, national, industry, local, group, enterprise."
        ),
    ] = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Standards sorted by identifier. `total` counts every match; `items` holds one page.
    An unknown category is 404; an unknown status or level is 400."""
    return list_answer(
        request,
        read,
        settings.time_zone,
        "standard",
        format,
        q,
        limit,
        offset,
        category=category,
        status=status,
        register_status=register_status,
        level=level,
    )


@router.get(
    "/standards/{id:path}",
    summary="One standard",
    responses=entry_responses(schemas.Standard),
    response_model=None,
)
async def get_standard(id: Ident, read: ReadDep, registry: RegistryDep) -> Response:
    """A standard by any spelling of its identifier (`GB%2FT%2021063.3-2007`,
    `GB-T-21063.3-2007`, `GBT%2021063.3-2007`, `gb%2Ft21063.3%E2%80%942007`) or its IRI,
    with what refers to it. An undated identifier (`GB%2FT%2021063.3`) answers the
    edition in force (else the latest one no edition replaces), with `editions`: every
    registered edition, oldest first."""
    answer = await from_the_model(registry, read, read.entry, "standard", id)
    undated = queries.undated_identifier(id)
    if undated is not None:
        answer["editions"] = await from_the_model(registry, read, read.editions, undated)
    return JSONResponse(answer)


@router.get(
    "/resources",
    summary="Information resources, filtered and paged",
    **list_route(schemas.ResourcePage),
)
def list_resources(
    request: Request,
    read: ReadDep,
    settings: SettingsDep,
    department: Department = None,
    publisher: Publisher = None,
    resource_class: Annotated[
        str | None,
        code_query(
            filters.RESOURCE_CLASS, "Resource class: 1 (basic), 2 (thematic), 3 (departmental)."
        ),
    ] = None,
    sharing_type: Annotated[
        str | None,
        code_query(
            filters.SHARING_TYPE, "Sharing type code (scs:SharingTypes), e.g. `unconditional`."
        ),
    ] = None,
    openness: Annotated[
        str | None, code_query(filters.OPENNESS, "Openness code (scs:OpennessTypes).")
    ] = None,
    update_cycle: Annotated[
        str | None, code_query(filters.UPDATE_CYCLE, "Update cycle code (scs:UpdateCycles).")
    ] = None,
    register_status: RegisterStatus = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Catalogue entries sorted by resource code. `total` counts every match; `items`
    holds one page. An unknown code of a code list is 400 naming the known ones."""
    return list_answer(
        request,
        read,
        settings.time_zone,
        "resource",
        format,
        q,
        limit,
        offset,
        department=department or publisher,
        resource_class=resource_class,
        sharing_type=sharing_type,
        openness=openness,
        update_cycle=update_cycle,
        register_status=register_status,
    )


@router.get(
    "/resources/{code:path}",
    summary="One information resource",
    responses=entry_responses(schemas.Resource),
    response_model=None,
)
async def get_resource(
    code: Annotated[
        str,
        Path(
            max_length=200,
            description="Resource code, `/` as `%2F` "
            "(`101001%2F000001`), or its slug `101001-000001`.",
        ),
    ],
    read: ReadDep,
    registry: RegistryDep,
) -> Response:
    """The resource with its data items in order."""
    return JSONResponse(await from_the_model(registry, read, read.entry, "resource", code))


@router.get(
    "/interfaces",
    summary="Data interfaces, filtered and paged",
    **list_route(schemas.InterfacePage),
)
def list_interfaces(
    request: Request,
    read: ReadDep,
    settings: SettingsDep,
    department: Department = None,
    publisher: Publisher = None,
    register_status: RegisterStatus = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Data interfaces sorted by code, one page; `total` counts every match."""
    return list_answer(
        request,
        read,
        settings.time_zone,
        "interface",
        format,
        q,
        limit,
        offset,
        department=department or publisher,
        register_status=register_status,
    )


@router.get(
    "/interfaces/{code:path}",
    summary="One data interface",
    responses=entry_responses(schemas.Interface),
    response_model=None,
)
async def get_interface(
    code: Annotated[str, Path(max_length=200, description="Interface code.")],
    read: ReadDep,
    registry: RegistryDep,
) -> Response:
    return JSONResponse(await from_the_model(registry, read, read.entry, "interface", code))


@router.get(
    "/departments",
    summary="Departments, filtered and paged",
    **list_route(schemas.DepartmentPage),
)
def list_departments(
    request: Request,
    read: ReadDep,
    settings: SettingsDep,
    register_status: RegisterStatus = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Departments sorted by credit code, one page, each with how many resources and
    interfaces it provides (`provides`); `total` counts every match."""
    return list_answer(
        request,
        read,
        settings.time_zone,
        "department",
        format,
        q,
        limit,
        offset,
        register_status=register_status,
    )


@router.get(
    "/departments/{code:path}",
    summary="One department",
    responses=entry_responses(schemas.Department),
    response_model=None,
)
async def get_department(
    code: Annotated[str, Path(max_length=200, description="Unified social credit code.")],
    read: ReadDep,
    registry: RegistryDep,
) -> Response:
    return JSONResponse(await from_the_model(registry, read, read.entry, "department", code))


@router.get(
    "/items/{id:path}/history", summary="Every version of a register item", responses=READ_ERRORS
)
def item_history(id: Ident, registry: RegistryDep) -> dict[str, Any]:
    """Versions oldest first, each with its register status, time, the activity that made
    it (a submission or a status change) and its content digest. `id` is an IRI, a
    standard identifier in any spelling, a resource, interface or credit code."""
    item = queries.resolve_any(registry.store, id)
    return {"item": item, "versions": [v.as_dict() for v in registry.history(item)]}


@router.get(
    "/items/{id:path}/versions/{version}/changes",
    summary="What one version of a register item changed",
    responses=READ_ERRORS,
)
def version_changes(
    id: Ident,
    version: Annotated[int, Path(ge=1, le=999_999_999, description="The version's number.")],
    registry: RegistryDep,
) -> dict[str, Any]:
    """The N-Triples lines version `version` adds and removes against the version before
    it (`against`; null for the first version, which adds everything), at most 200 each
    way, with the whole counts. A status change leaves the content as it was: nothing
    added or removed. Every version's whole content is at `/id/<item>/version/<n>`."""
    item = queries.resolve_any(registry.store, id)
    return {"item": item, **registry.version_changes(item, version).as_dict()}


@router.get(
    "/submissions",
    summary="Recorded submissions, newest first, paged",
    **list_route(schemas.SubmissionPage),
)
def list_submissions(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    department: Annotated[
        str | None,
        Query(max_length=40, description="Credit code of the department that submitted."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Every recorded submission (accepted, unchanged, or waiting for review; rejected
    ones are not recorded), newest first: `total` counts them all, `items` holds one
    page, each with its id, IRI, who submitted it (`agent`: the department's IRI for a
    department's token), when, its outcome and how many entries it holds. `department`
    keeps one department's; a credit code that names no department lists none."""
    fmt = download_format(request, format, "json")
    agent: URIRef | None = None
    if department:
        try:
            agent = URIRef(registry.reader().resolve(department.strip()))
        except NotFoundError:
            agent = URIRef(NO_AGENT)
    store = registry.store
    if fmt == "json":
        return queries.submissions(store, agent, limit, offset).as_dict()
    every = list(queries.every_submission(store, agent))
    return download("submission", every, fmt, settings.time_zone)


@router.get("/submissions/{id}", summary="A recorded submission", responses=READ_ERRORS)
def get_submission(
    id: Annotated[str, Path(max_length=64, description="The submission's UUID.")],
    store: StoreDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Provenance (who, when, source and shapes digests, engine, outcome, entries) and the
    validation report kept with it. Rejected submissions are not recorded."""
    return queries.submission(store, settings.base_iri, id)
