"""The departments page (docs/ui.md, Departments): a registrar (or admin) signed in on
/register adds a department or gives one new names. The same library call as the API
(`registry.register.departments.write_department`): one submission through the one
submit path, validated and recorded in provenance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import RegistryDep
from api.pages.forms import CsrfField, form_refusal, signed_in
from api.pages.render import render
from registry.bilingual import Text
from registry.errors import ForbiddenError, RegistryError
from registry.register.departments import write_department
from registry.register.submission import Principal
from registry.service import Registry

router = APIRouter(include_in_schema=False)

PAGE = "/admin/departments"
WRITERS = ("registrar", "admin")


def _page(
    request: Request,
    registry: Registry,
    principal: Principal | None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    allowed = principal is not None and principal.role in WRITERS
    context: dict[str, Any] = {
        "principal": principal,
        "allowed": allowed,
        "done": request.query_params.get("done"),
        "code": request.query_params.get("code", ""),
        "departments": [],
        **(extra or {}),
    }
    if allowed:
        # Departments are few (tens to hundreds): every one is offered for an update.
        context["departments"] = registry.reader().list_entries("department", limit=100_000).items
    if principal is not None and not allowed and status == 200:
        status = 403
    return render(request, "departments_admin.html", context, status=status)


@router.get(PAGE, response_class=HTMLResponse)
def departments_page(request: Request, registry: RegistryDep) -> HTMLResponse:
    principal = signed_in(request, registry.store)
    return _page(request, registry, principal, status=200 if principal else 401)


@router.post(PAGE, response_class=HTMLResponse)
def write(
    request: Request,
    registry: RegistryDep,
    action: Annotated[str, Form(max_length=10)] = "",
    credit_code: Annotated[str, Form(max_length=40)] = "",
    name_zh: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Add (`action=add`) or update (`action=update`) a department: 303 back to the page
    on success, the page with the error (and the validation messages) otherwise."""
    principal = signed_in(request, registry.store)
    refused = form_refusal(request, principal, csrf_token)
    if refused is not None:
        error, status = refused
        return _page(request, registry, principal, {"error": error}, status)
    assert principal is not None  # form_refusal refuses a form sent signed out
    form = {"credit_code": credit_code, "name_zh": name_zh, "name_en": name_en}
    try:
        if principal.role not in WRITERS:
            raise ForbiddenError(
                Text(zh="只有登记员可以维护部门", en="only a registrar adds departments")
            )
        names = {"zh": name_zh, "en": name_en}
        write_department(registry, principal, credit_code, names, new=action != "update")
    except RegistryError as error:
        report = error.details if error.code == "not_conforming" else None
        extra = {"error": error.message, "report": report, "form": form, "action": action}
        return _page(request, registry, principal, extra, error.status)
    done = "updated" if action == "update" else "added"
    code = credit_code.strip()
    return RedirectResponse(f"{PAGE}?done={done}&code={code}", status_code=303)
