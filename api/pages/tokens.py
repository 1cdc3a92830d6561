"""The tokens page (docs/ui.md, Tokens): an admin signed in on /register lists the
tokens a page at a time (`offset`, TOKENS_PAGE a page, newest first, the total shown),
makes one (its secret shown on that one answer, never again), brings one's expiry
forward or revokes it. The same library calls as the API's (api/routers/tokens.py),
so every action is recorded with the admin who did it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import RegistryDep
from api.pages.forms import CsrfField, form_refusal, signed_in
from api.pages.render import offset_of, page_links, render
from registry.bilingual import Text
from registry.errors import ForbiddenError, InputError, NotFoundError, RegistryError
from registry.register.submission import Principal
from registry.register.tokens import (
    ROLES,
    create_token,
    expire_token,
    list_tokens,
    revoke_token,
)
from registry.service import Registry

router = APIRouter(include_in_schema=False)

PAGE = "/admin/tokens"
# Never kept by a browser or a proxy: the page may show a new token's secret.
NO_STORE = {"Cache-Control": "no-store"}
# Tokens a page shows, as many as a page of GET /api/v1/tokens by default.
TOKENS_PAGE = 50


def _page(
    request: Request,
    registry: Registry,
    principal: Principal | None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    admin = principal is not None and principal.role == "admin"
    context: dict[str, Any] = {
        "principal": principal,
        "admin": admin,
        "done": request.query_params.get("done"),
        "roles": ROLES,
        "tokens": [],
        "departments": [],
        "lifetime_days": registry.settings.token_lifetime_days,
        **(extra or {}),
    }
    if admin:
        try:
            offset = offset_of(request)
        except InputError as error:
            # The page itself says why (its form still works), at the refusal's status.
            context.update(error=error.message, error_details=error.details)
            offset, status = 0, error.status
        newest_first = [t.as_dict() for t in reversed(list_tokens(registry.store))]
        shown = newest_first[offset : offset + TOKENS_PAGE]
        context["tokens"] = shown
        context["tokens_total"] = len(newest_first)
        context["pages"] = page_links(request, offset, len(shown), len(newest_first), TOKENS_PAGE)
        read = registry.reader()
        context["departments"] = read.list_entries("department", limit=100_000).items
    if principal is not None and not admin and status == 200:
        status = 403
    return render(request, "tokens.html", context, status=status, headers=NO_STORE)


@router.get(PAGE, response_class=HTMLResponse)
def tokens_page(request: Request, registry: RegistryDep) -> HTMLResponse:
    principal = signed_in(request, registry.store)
    return _page(request, registry, principal, status=200 if principal else 401)


def _admin_or_page(
    request: Request, registry: Registry, csrf_token: str
) -> tuple[Principal | None, HTMLResponse | None]:
    """The signed-in admin, or the page saying why not (CSRF, sign-in, role)."""
    principal = signed_in(request, registry.store)
    refused = form_refusal(request, principal, csrf_token)
    if refused is not None:
        error, status = refused
        return None, _page(request, registry, principal, {"error": error}, status)
    assert principal is not None  # form_refusal refuses a form sent signed out
    if principal.role != "admin":
        error = ForbiddenError(Text(zh="只有管理员可以管理令牌", en="only an admin manages tokens"))
        return None, _page(request, registry, principal, {"error": error.message}, 403)
    return principal, None


@router.post(PAGE, response_class=HTMLResponse)
def make_token(
    request: Request,
    registry: RegistryDep,
    role: Annotated[str, Form(max_length=20)] = "",
    department: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[int | None, Form(ge=1, le=36_500)] = None,
    csrf_token: CsrfField = "",
) -> HTMLResponse:
    """Make a token: the page again, with its secret shown this once (no redirect, so
    the secret is in no URL and no history entry; not stored by the browser)."""
    principal, refused = _admin_or_page(request, registry, csrf_token)
    if refused is not None:
        return refused
    lifetime = timedelta(days=days or registry.settings.token_lifetime_days)
    try:
        info, secret = create_token(
            registry.store,
            role,
            department.strip() or None,
            name.strip(),
            lifetime=lifetime,
            by=principal,
        )
    except RegistryError as error:
        extra = {"error": error.message, "error_details": error.details}
        return _page(request, registry, principal, extra, error.status)
    return _page(request, registry, principal, {"made": info.as_dict(), "secret": secret}, 201)


@router.post(PAGE + "/{token_id}/{action}", response_class=HTMLResponse)
def act_on_token(
    request: Request,
    registry: RegistryDep,
    token_id: str,
    action: str,
    csrf_token: CsrfField = "",
) -> Response:
    """Expire (now) or revoke one token: 303 back to the page on success."""
    principal, refused = _admin_or_page(request, registry, csrf_token)
    if refused is not None:
        return refused
    try:
        if action == "expire":
            expire_token(registry.store, token_id, by=principal)
        elif action == "revoke":
            revoke_token(registry.store, token_id, by=principal)
        else:
            error = NotFoundError(
                Text(zh=f"未知的操作 {action!r}", en=f"unknown action {action!r}")
            )
            return _page(request, registry, principal, {"error": error.message}, 404)
    except RegistryError as error:
        extra = {"error": error.message, "error_details": error.details}
        return _page(request, registry, principal, extra, error.status)
    return RedirectResponse(f"{PAGE}?done={action}", status_code=303)
