"""REST writes (and the dry run) under /api/v1: validate, submit, change a status.

The body of /validate and /submissions is the document itself, in any format the
CLI reads, told by ?format=, Content-Type or a file name (registry/inputs/upload.py).
It is read with the size cap (api.deps.read_body) and parsed in a plain `def`
handler, off the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from api.deps import (
    BodyDep,
    JobsDep,
    RegistrarDep,
    RegistryDep,
    RequestBody,
    SubmitterDep,
    UploadFormatDep,
    ValidationBodyDep,
    admit_running_validation,
    admit_validation,
    client_of,
    refuse_unknown_query,
)
from api.errors import DEFAULT_ERROR_LANG, error_responses
from api.i18n import asked_language
from api.jobs import accepted_job
from registry.bilingual import Text
from registry.errors import NotConformingError, NotFoundError
from registry.inputs.upload import ACCEPTED_MEDIA_TYPES
from registry.read import queries
from registry.register.jobs import lane_of
from registry.register.submission import STATUSES
from registry.validation.reports import MEDIA_TYPES, render_report, report_json
from registry.validation.validator import Progress

router = APIRouter(prefix="/api/v1", tags=["registration"])

UPLOAD_MEDIA_TYPES = [*ACCEPTED_MEDIA_TYPES, "application/octet-stream"]
# The body is read as bytes by a dependency, so FastAPI cannot infer it: describe it.
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The document, in any format the CLI reads: Turtle, N-Triples, "
        "JSON-LD or RDF/XML (no DOCTYPE, no remote @context), CSV, XLSX, XLS, OpenAPI "
        "(YAML or JSON) or a DCAT catalogue (`?format=dcat`). The format is `?format=`, "
        "else Content-Type, else the file name's extension (`?filename=` or "
        "Content-Disposition). Several documents at once: a multipart/form-data body, "
        "one document a part (any field name), each of the format `?format=` names, else "
        "its part's Content-Type, else its file name; they are one submission (or "
        "validation), as the CLI's several files are.",
        "content": {
            **{t: {"schema": {"type": "string", "format": "binary"}} for t in UPLOAD_MEDIA_TYPES},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
        },
    }
}
ReportFormat = Literal["json", "turtle", "csv", "sheet", "text"]
# Bodies from this size on are validated or submitted as a job (202 + a job to poll):
# a 1,000-resource catalogue is ~4 MB and takes tens of seconds.
JOB_MIN_BYTES = 1024 * 1024
AsJob = Annotated[
    bool,
    Query(
        alias="job",
        description="Run as a job: answer 202 at once with the job to poll at "
        "/api/v1/jobs/{id}. Bodies of 1 MiB or more always run as jobs.",
    ),
]
Provisional = Annotated[
    bool,
    Query(
        description="A provisional registration: a required value that is missing is a "
        "Warning marked `to_complete`, not a Violation, and the entries lacking one are "
        "registered with the register status `submitted` (their `status` in `entries`) "
        "until a complete submission; every other Violation still refuses it "
        "(docs/registration.md).",
    ),
]
Lang = Annotated[Literal["zh", "en"] | None, Query(description="Language of a text report.")]


@router.post(
    "/validate",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Validate a document; writes nothing",
    openapi_extra=UPLOAD_BODY,
    responses={
        200: {
            "description": "The validation report (conforming or not) in the form asked for.",
            "content": {MEDIA_TYPES[f].split(";")[0]: {} for f in ("turtle", "csv", "text")},
        },
        202: {"description": "Accepted as a job: poll the `Location` (/api/v1/jobs/{id})."},
        **error_responses(400, 413, 415, 422, 429, 500, 503),
    },
)
def validate(
    request: Request,
    registry: RegistryDep,
    jobs: JobsDep,
    fmt: UploadFormatDep,
    body: ValidationBodyDep,
    report: Annotated[
        ReportFormat,
        Query(
            description="Form of the report: `csv` for programs (both languages, the "
            "shapes' IRIs), `sheet` for a spreadsheet (a CSV in `lang` with a BOM)."
        ),
    ] = "json",
    lang: Lang = None,
    as_job: AsJob = False,
) -> Response:
    """Validate the body against the shapes with the registry as context and answer the
    report, 200 whether it conforms or not (`conforms` says). Unreadable input is 400.
    A large body (or `?job=true`) is a job: 202, and the JSON report is the job's
    result. Without a token: at most `validate_max_body_bytes` (413), one validation
    at a time per client address and `validate_rate_per_minute` (429, Retry-After);
    its jobs queue after those of token holders (docs/security.md, "Uploads")."""
    give_back = admit_validation(request, len(body))
    try:
        documents = fmt.documents(body)
    except BaseException:
        # An unreadable body (a broken multipart one) ends here: its slot is given
        # back, or its address could never validate again until a restart.
        give_back()
        raise
    limit = registry.settings.report_max_results
    if as_job or len(body) >= JOB_MIN_BYTES:

        def work(progress: Progress) -> dict[str, Any]:
            return report_json(registry.validate(documents, progress=progress), limit)

        try:
            job = jobs.submit(
                "validation",
                work,
                lane=lane_of(None, client_of(request)),
                size=len(body),
                on_finish=give_back,
            )
        except BaseException:
            give_back()
            raise
        return accepted_job(job)
    try:
        running = admit_running_validation(request)
        try:
            result = registry.validate(documents)
        finally:
            running()
    finally:
        give_back()
    if report == "json":
        return JSONResponse(report_json(result, limit))
    text = render_report(result, report, lang or registry.settings.lang, limit)
    return Response(text, media_type=MEDIA_TYPES[report])


@router.post(
    "/submissions",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Submit a catalogue or entries",
    status_code=201,
    openapi_extra=UPLOAD_BODY,
    responses={
        201: {"description": "Registered: the submission, its entries and the report."},
        202: {"description": "Accepted as a job: poll the `Location` (/api/v1/jobs/{id})."},
        **error_responses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
    },
)
def submit(
    request: Request,
    registry: RegistryDep,
    jobs: JobsDep,
    principal: SubmitterDep,
    fmt: UploadFormatDep,
    body: BodyDep,
    response: Response,
    as_job: AsJob = False,
    provisional: Provisional = False,
    dry_run: Annotated[
        bool,
        Query(
            description="Decide as the registration would (reading, ownership, identity, "
            "validation, each entry's outcome and version) and write nothing: 200 with "
            "`accepted` (whether it would be registered), `entries` and the `report`."
        ),
    ] = False,
) -> Any:
    """Validate and, with no Violation, register every entry of the body in one write
    (a new version for each changed entry). A submitter token may submit only its own
    department's resources, interfaces and catalogues (403 otherwise). A Violation is
    422 `not_conforming` with the JSON report in `details`; nothing is written. A large
    body (or `?job=true`) is a job: 202; the job ends `done` with this answer as its
    result, or `failed` with the error (a 422 one for a Violation). Jobs queue fairly:
    registrars' first, then each department in turn, then validations without a
    token; a full queue is 503 `queue_full` with Retry-After."""
    own = str(principal.department).rsplit("/", 1)[-1] if principal.department else None
    documents = fmt.documents(body, own)
    limit = registry.settings.report_max_results

    def try_it(progress: Progress | None = None) -> dict[str, Any]:
        tried = registry.try_submit(documents, principal, progress, provisional)
        return {
            "dry_run": True,
            "accepted": tried.report.conforms,
            "entries": [c.as_dict() for c in tried.changes],
            "report": report_json(tried.report, limit),
        }

    def work(progress: Progress | None = None) -> dict[str, Any]:
        result = registry.submit(documents, principal, progress=progress, provisional=provisional)
        if not result.accepted:
            raise NotConformingError(
                Text(
                    zh="提交内容不符合规范，未写入",
                    en="the submission does not conform; nothing was written",
                ),
                report_json(result.report, limit),
            )
        submission_id = (result.submission or "").rsplit("/", 1)[-1]
        report = report_json(result.report, limit)
        return {**result.as_dict(), "id": submission_id, "report": report}

    if as_job or len(body) >= JOB_MIN_BYTES:
        lane = lane_of(principal, client_of(request))
        kind, run = ("dry run", try_it) if dry_run else ("submission", work)
        return accepted_job(jobs.submit(kind, run, lane=lane, size=len(body)))
    if dry_run:
        # Nothing written: 200, and no Location of a submission that does not exist.
        response.status_code = 200
        return try_it()
    answer = work()
    response.headers["Location"] = f"/api/v1/submissions/{answer['id']}"
    return answer


@router.get(
    "/jobs/{job_id}",
    summary="A validation or submission job: its status, progress and result",
    responses=error_responses(404, 500),
)
def job_status(
    request: Request,
    job_id: Annotated[str, Path(max_length=64, description="The id answered with 202.")],
    jobs: JobsDep,
) -> dict[str, Any]:
    """`status` is queued, running, done (`result` holds what the request would have
    answered) or failed (`error` holds the error body, with its HTTP `status`; its
    `message` in the language Accept-Language asks for, as every error's).
    `progress` counts validated entries. Finished jobs are kept (the latest 200)."""
    job = jobs.get(job_id)
    if job is None:
        raise NotFoundError(
            Text(
                zh=f"没有任务 {job_id}（可能已过期清除）",
                en=f"no job {job_id} (it may have been forgotten)",
            ),
            {"job": job_id},
        )
    answer = job.as_dict()
    error = answer.get("error")
    if error is not None and isinstance(error.get("messages"), dict):
        lang = asked_language(request) or DEFAULT_ERROR_LANG
        answer["error"] = {**error, "message": error["messages"][lang]}
    return answer


class StatusChange(RequestBody):
    status: Literal[STATUSES] = Field(  # type: ignore[valid-type]
        description="The new register status."
    )
    successor: str | None = Field(
        None, max_length=500, description="The successor's id; required for `superseded`."
    )
    reason: str | None = Field(None, max_length=2000, description="Why, for the record.")


class OwnerChange(RequestBody):
    department: str = Field(
        max_length=500, description="The new owner: a department's credit code or IRI."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why, for the record.")


@router.post(
    "/items/{id:path}/owner",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Transfer an entry to another department (registrar)",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
)
def transfer_owner(
    id: Annotated[str, Path(max_length=500, description="Any name of the entry, URL-encoded.")],
    change: OwnerChange,
    registry: RegistryDep,
    principal: RegistrarDep,
) -> dict[str, Any]:
    """Give a resource, interface or catalogue to another department, with a reason. A
    new version holds the new owner; its history names the transfer, the former and
    new owner and the reason (docs/registration.md). A submission never changes an
    entry's owner."""
    entry = registry.transfer(id, change.department, principal, change.reason)
    return {"item": entry.item, "kind": entry.kind, "version": entry.version}


@router.post(
    "/items/{id:path}/status",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Change a register status (registrar; a department withdraws its assessments)",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
)
def change_status(
    id: Annotated[str, Path(max_length=500, description="Any name of the item, URL-encoded.")],
    change: StatusChange,
    registry: RegistryDep,
    principal: SubmitterDep,
) -> dict[str, Any]:
    """Move the item along an allowed transition (docs/registration.md); a new version
    records it. A transition not allowed is 409 and names the allowed ones. A registrar's
    or an admin's act; a submitter token may only retire its own department's conformity
    assessments (403 otherwise)."""
    item = queries.resolve_any(registry.store, id)
    successor = queries.resolve_any(registry.store, change.successor) if change.successor else None
    entry = registry.change_status(item, change.status, principal, successor, change.reason)
    return {
        "item": entry.item,
        "kind": entry.kind,
        "version": entry.version,
        "status": entry.outcome,
    }
