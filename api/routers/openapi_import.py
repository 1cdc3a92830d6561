"""POST /api/v1/interfaces/openapi: register an OpenAPI document as a data interface.

The body is the OpenAPI 3.0/3.1 document itself (YAML or JSON), read with the
size cap (api.deps.read_body) and handed to the one submission path
(registry.inputs, format "openapi"): an invalid spec is 400 with the
validator's messages in `details.errors`, a non-conforming entry 422 with the
report, a registered one 201.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.deps import BodyDep, RegistryDep, SubmitterDep, refuse_unknown_query
from api.errors import error_responses
from registry.bilingual import Text
from registry.errors import ForbiddenError, InputError, NotConformingError
from registry.inputs.document import Document
from registry.validation.reports import report_json

router = APIRouter(prefix="/api/v1", tags=["registration"])

OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An OpenAPI 3.0 or 3.1 document, YAML or JSON. Only local $ref "
        "(#/...) are accepted; nothing is fetched.",
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}}
            for t in ("application/yaml", "application/json", "text/yaml", "text/plain")
        },
    }
}


@router.post(
    "/interfaces/openapi",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Register an OpenAPI document as a data interface",
    status_code=201,
    openapi_extra=OPENAPI_BODY,
    responses={
        201: {"description": "Registered: the submission, its entry and the report."},
        **error_responses(400, 401, 403, 409, 413, 422, 429, 500, 503),
    },
)
def import_openapi(
    registry: RegistryDep,
    principal: SubmitterDep,
    body: BodyDep,
    response: Response,
    department: Annotated[
        str | None,
        Query(
            max_length=18,
            description="Credit code of the providing department; "
            "a submitter token's own department by default.",
        ),
    ] = None,
    serves: Annotated[
        list[str] | None,
        Query(max_length=100, description="Resource codes the interface serves (repeat)."),
    ] = None,
    conforms_to: Annotated[
        list[str] | None,
        Query(max_length=100, description="Standards it conforms to, any spelling (repeat)."),
    ] = None,
    code: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Interface code; default info.x-interface-code, "
            "else derived from the department and the endpoint.",
        ),
    ] = None,
    title: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The interface's Chinese title, when info.title is not Chinese.",
        ),
    ] = None,
    title_en: Annotated[
        str | None,
        Query(max_length=200, description="The interface's English title."),
    ] = None,
    dry_run: Annotated[
        bool,
        Query(description="Decide as a registration would (ownership too); write nothing."),
    ] = False,
) -> dict[str, Any]:
    """Map the document to a data-interface entry (name, version, endpoint from
    servers, operations, the spec as its endpoint description), validate it and,
    with no Violation, register it. docs/inputs.md has the mapping."""
    own = str(principal.department).rsplit("/", 1)[-1] if principal.department else None
    department = (department or own or "").strip().upper()
    if not department:
        raise InputError(
            Text(
                zh="请指明提供接口的部门：?department=<统一社会信用代码>",
                en="say the providing department: ?department=<credit code>",
            )
        )
    if principal.role == "submitter" and department != own:
        raise ForbiddenError(
            Text(
                zh="提交者只能登记本部门的接口",
                en="a submitter registers only its own department's interfaces",
            ),
            {"department": department},
        )
    options = {
        "department": department,
        "serves": serves or [],
        "conforms_to": conforms_to or [],
        "code": code,
        "title": title,
        "title_en": title_en,
    }
    doc = Document("openapi", body, "openapi", options)
    limit = registry.settings.report_max_results
    if dry_run:
        # The one submit path's decision, writing nothing: validation alone skipped its
        # ownership rule, and another department's interface code "conformed" where the
        # registration answered 403.
        tried = registry.try_submit([doc], principal)
        response.status_code = 200
        return {
            "accepted": None,
            "entries": [c.as_dict() for c in tried.changes],
            "report": report_json(tried.report, limit),
        }
    result = registry.submit([doc], principal)
    if not result.accepted:
        raise NotConformingError(
            Text(
                zh="接口条目不符合规范，未写入",
                en="the interface does not conform; nothing was written",
            ),
            report_json(result.report, limit),
        )
    submission_id = (result.submission or "").rsplit("/", 1)[-1]
    response.headers["Location"] = f"/api/v1/submissions/{submission_id}"
    return {**result.as_dict(), "id": submission_id, "report": report_json(result.report, limit)}
