"""Conformity assessments over HTTP (docs/assessment.md, docs/api.md): the assessments
as entries, and the questions people ask of them: how far a standard is applied, and a
department's conformity at a glance.

Included before the catalogue router: `/standards/{id}/conformity` would otherwise be
read as a standard whose identifier ends in `/conformity`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from api import schemas
from api.deps import (
    JobsDep,
    ReadDep,
    RegistrarDep,
    RegistryDep,
    SettingsDep,
    client_of,
    refuse_unknown_query,
)
from api.errors import error_responses
from api.jobs import accepted_job
from api.lists import (
    LIST_ERRORS,
    Format,
    Limit,
    Offset,
    list_answer,
    list_route,
)
from api.reads import READ_ERRORS, Ident, entry_responses, from_the_model
from registry.read.conformity import today_utc
from registry.register.jobs import lane_of
from registry.validation.validator import Progress

router = APIRouter(prefix="/api/v1", tags=["conformity"])


@router.get(
    "/assessments",
    summary="Conformity assessments, paged",
    **list_route(schemas.AssessmentPage),
)
def list_assessments(
    request: Request,
    read: ReadDep,
    settings: SettingsDep,
    publisher: Annotated[
        str | None,
        Query(max_length=40, description="Credit code of the assessor department."),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in the code or the title.")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Assessments sorted by assessment code, each with its subject, standard, clause,
    outcome, date, mode, assessor, evidence and validity: `total` counts every match,
    `items` holds one page; `format=csv|xlsx` downloads every match (the columns of the
    assessment template). An unknown query parameter is 400 naming the known ones."""
    return list_answer(
        request,
        read,
        settings.time_zone,
        "assessment",
        format,
        q,
        limit,
        offset,
        department=publisher,
    )


@router.post(
    "/assessments/automatic",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Re-run the automatic conformity assessments (registrar), as a job",
    status_code=202,
    responses={
        202: {"description": "Accepted as a job: poll the `Location` (/api/v1/jobs/{id})."},
        **error_responses(400, 401, 403, 422, 429, 500, 503),
    },
)
def run_automatic_assessments(
    request: Request,
    registry: RegistryDep,
    jobs: JobsDep,
    principal: RegistrarDep,
    outdated: Annotated[
        bool,
        Query(
            description="Only the assessments made under other shapes or rules than those "
            "installed now (those the answers show as outdated), and those of the valid "
            "resources and interfaces that have none."
        ),
    ] = False,
) -> Response:
    """What `screg assess [--outdated]` does (docs/assessment.md): the automatic
    assessment rules run over every registered resource and interface and the
    catalogues and departments listing or providing them; only the assessments whose
    content changes get a new version. Always a job (it reads every entry): 202, and
    the job's result holds `writes` (each write with its `submission`, whether it was
    `accepted` and how many assessments it `changed`), `changed` in all and
    `accepted` (every write accepted). No writes: nothing changed."""

    def work(progress: Progress | None = None) -> dict[str, Any]:
        made = registry.assess_all(outdated_only=outdated, progress=progress)
        writes = [
            {
                "submission": str(m.submission),
                "accepted": m.accepted,
                "changed": sum(1 for c in m.changes if c.outcome != "unchanged"),
            }
            for m in made
        ]
        return {
            "outdated_only": outdated,
            "writes": writes,
            "changed": sum(w["changed"] for w in writes),
            "accepted": all(w["accepted"] for w in writes),
        }

    lane = lane_of(principal, client_of(request))
    return accepted_job(jobs.submit("assessment", work, lane=lane))


@router.get(
    "/assessments/{code:path}",
    summary="One conformity assessment",
    responses=entry_responses(schemas.Assessment),
    response_model=None,
)
async def get_assessment(
    code: Annotated[str, Path(max_length=200, description="Assessment code or IRI.")],
    read: ReadDep,
    registry: RegistryDep,
) -> Response:
    return JSONResponse(await from_the_model(registry, read, read.entry, "assessment", code))


@router.get("/conformity", summary="How far the standard system is applied", responses=READ_ERRORS)
def get_application(read: ReadDep) -> dict[str, Any]:
    """Of the standards in force (`in_force`): how many some resource or interface
    claims (`claimed`), how many were assessed (`assessed`) and how many have a passing
    assessment still valid (`passed`), as of `as_of` (UTC)."""
    today = today_utc()
    return {"as_of": today.isoformat(), **read.application(today)}


# A conformity answer pages its lists and refuses a query parameter it does not take.
CONFORMITY_ROUTE: dict[str, Any] = {
    "responses": LIST_ERRORS,
    "dependencies": [Depends(refuse_unknown_query)],
}
ListLimit = Annotated[int, Query(ge=1, le=500, description="Page size of the lists.")]
ListOffset = Annotated[int, Query(ge=0, le=1_000_000, description="Entries skipped in each list.")]


@router.get(
    "/standards/{id:path}/conformity", summary="How far a standard is applied", **CONFORMITY_ROUTE
)
def get_standard_conformity(
    id: Ident, read: ReadDep, limit: ListLimit = 100, offset: ListOffset = 0
) -> dict[str, Any]:
    """`counts` over every entry and assessment: claimed, claimed_assessed, assessed
    (entries with an assessment), and of the latest assessment of each: passed,
    failed, cant_tell, inapplicable, expired (past its valid_until) and outdated (an
    automatic one made under other shapes or rules than the registry's now), the last
    two counted apart from the outcome. A page of the entries that claim the standard
    (dct:conformsTo), each with its latest assessment against it (`claimed_by`), and of
    the assessments against it, newest first (`assessments`); `page` gives both
    totals. `as_of` is the day expiry is judged on (UTC)."""
    return read.standard_conformity(id, limit=limit, offset=offset)


@router.get(
    "/departments/{code:path}/conformity",
    summary="A department's conformity at a glance",
    **CONFORMITY_ROUTE,
)
def get_department_conformity(
    code: Annotated[str, Path(max_length=200, description="Unified social credit code.")],
    read: ReadDep,
    limit: ListLimit = 100,
    offset: ListOffset = 0,
    standards_limit: ListLimit = 100,
    standards_offset: ListOffset = 0,
) -> dict[str, Any]:
    """Over the department's resources and interfaces (and the department itself):
    `counts` of entries, of the (entry, standard) claims, of those assessed and of the
    latest assessments' outcomes; `recorded`: the assessments the department made;
    the same by standard under `standards`, a page of them in identifier order
    (`standards_limit`, `standards_offset`); and a page of the assessments of those
    subjects, newest first (`assessments`, `latest` marked). `page` gives both
    pages and their totals (`limit`, `offset`, `assessments_total`, `standards_limit`,
    `standards_offset`, `standards_total`)."""
    return read.department_conformity(
        code,
        limit=limit,
        offset=offset,
        standards_limit=standards_limit,
        standards_offset=standards_offset,
    )
