"""Departments written over HTTP, for registrars: add one, update its names.

Each is a submission of one department through the one submit path (Registry.submit):
validated with the trusted shapes, a new version when it changed, recorded with its
provenance (who, when, with which token; `GET /api/v1/submissions/{id}`) and in the
change feed. Uploading a Turtle file of departments to `POST /api/v1/submissions`
does the same for many at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import Field

from api.deps import RegistrarDep, RegistryDep, RequestBody, refuse_unknown_query
from api.errors import error_responses
from registry.register.departments import write_department
from registry.service import Registry

router = APIRouter(prefix="/api/v1", tags=["departments"])

WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429, 500, 503)


class Names(RequestBody):
    zh: str = Field(min_length=1, max_length=200, description="The department's name in Chinese.")
    en: str = Field("", max_length=200, description="Its name in English (optional).")


class NewDepartment(RequestBody):
    credit_code: str = Field(
        min_length=18, max_length=18, description="Unified social credit code (GB 32100)."
    )
    name: Names


class DepartmentUpdate(RequestBody):
    name: Names


def _answer(
    registry: Registry, credit_code: str, answer: dict[str, Any], status: int
) -> JSONResponse:
    """The department as registered now, with the submission that wrote it."""
    department = registry.reader().entry("department", credit_code)
    body = {"department": department, "submission": answer}
    location = f"/api/v1/departments/{credit_code}"
    return JSONResponse(body, status_code=status, headers={"Location": location})


@router.post(
    "/departments",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Add a department (registrar)",
    status_code=201,
    responses=WRITE_ERRORS,
    response_model=None,
)
def add_department(
    new: Annotated[NewDepartment, Body()],
    registry: RegistryDep,
    principal: RegistrarDep,
) -> JSONResponse:
    """Register a new department: 201 with its record and the submission that made it.
    A credit code already registered is 409 (update it with PUT); a code that fails its
    check character, or a missing Chinese name, is 422 with the validation report."""
    code = new.credit_code.strip()
    answer = write_department(registry, principal, code, new.name.model_dump(), new=True)
    return _answer(registry, code, answer, 201)


@router.put(
    "/departments/{code:path}",
    dependencies=[Depends(refuse_unknown_query)],
    summary="Update a department's names (registrar)",
    responses=WRITE_ERRORS,
    response_model=None,
)
def update_department(
    code: Annotated[str, Path(max_length=40, description="Unified social credit code.")],
    update: Annotated[DepartmentUpdate, Body()],
    registry: RegistryDep,
    principal: RegistrarDep,
) -> JSONResponse:
    """A new version of the department with these names (an unchanged one keeps its
    version: the answer's entry says `unchanged`). An unregistered code is 404."""
    code = code.strip()
    answer = write_department(registry, principal, code, update.name.model_dump(), new=False)
    return _answer(registry, code, answer, 200)
