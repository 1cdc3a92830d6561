"""The review page (docs/registration.md, Review): a registrar signed in on /register
sees every submission waiting for review with what it changes, and accepts or rejects
it; a submitter sees its own department's waiting and rejected submissions, with why.
The decisions go through Registry.review, as over the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import RegistryDep
from api.pages.forms import CsrfField, form_refusal, signed_in
from api.pages.render import render
from registry.bilingual import Text
from registry.errors import InputError, RegistryError
from registry.register import review
from registry.register.submission import Principal
from registry.service import Registry

router = APIRouter(include_in_schema=False)

# The oldest waiting submissions shown with their differences; the rest wait their turn
# (a decision takes one away), and the API pages through all of them.
SHOWN = 50


def _page(
    request: Request,
    registry: Registry,
    principal: Principal | None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    done = request.query_params.get("done")
    context: dict[str, Any] = {"principal": principal, "done": done, **(extra or {})}
    if principal is not None:
        store = registry.store
        registrar = principal.role in ("registrar", "admin")
        department = None if registrar else str(principal.department)
        queue = review.pending(store, department)
        waiting = [
            {**entry.as_dict(), "diff": review.difference(store, entry.item, entry.version)}
            for entry in queue[:SHOWN]
        ]
        rejected = review.rejected(store, department)
        context.update(
            registrar=registrar,
            pending=waiting,
            pending_total=len(queue),
            rejected=[r.as_dict() for r in rejected[-SHOWN:]],
            rejected_total=len(rejected),
        )
    return render(request, "reviews.html", context, status=status)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, registry: RegistryDep) -> HTMLResponse:
    principal = signed_in(request, registry.store)
    return _page(request, registry, principal, status=200 if principal else 401)


@router.post("/reviews", response_class=HTMLResponse)
def decide(
    request: Request,
    registry: RegistryDep,
    item: Annotated[str, Form(max_length=500)] = "",
    decision: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Accept or reject one waiting submission: 303 back to the page on success (a
    reload does not post again), the page with the error otherwise."""
    principal = signed_in(request, registry.store)
    refused = form_refusal(request, principal, csrf_token)
    if refused is not None:
        error, status = refused
        return _page(request, registry, principal, {"error": error}, status)
    assert principal is not None  # form_refusal refuses a form sent signed out
    try:
        if decision not in ("accept", "reject"):
            raise InputError(
                Text(zh=f"未知的审核决定 {decision!r}", en=f"unknown decision {decision!r}")
            )
        change = registry.review(item, decision == "accept", principal, reason or None)
    except RegistryError as error:
        extra = {"error": error.message, "error_details": error.details}
        return _page(request, registry, principal, extra, error.status)
    return RedirectResponse(f"/reviews?done={change.outcome}", status_code=303)
