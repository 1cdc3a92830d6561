"""Pages with forms: validate an upload (nothing written) and register a catalogue.

Uploads are multipart forms, read with the body cap of api.limits, and handed to the
registry as a `Document` named by the uploaded file, so every format the registry
reads (RDF syntaxes, CSV and XLSX spreadsheets) works here as on the command line.

Signing in: the submitter pastes a token once; it is checked, and the browser gets
a session of its own (registry.register.sessions) in an HttpOnly, SameSite=Strict
cookie (never in a URL, never readable by page scripts), never the token. The session
is checked on every request (signing out, its end, or an expired or revoked token
signs the page out at once), and both the form and the cookie count failures against
the client's address (api.deps.authenticate_client, authenticate_session).
Every POST form carries the CSRF double-submit token of api.pages.browse.
Handlers are plain `def`: parsing, validation and writing block.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import (
    RegistryDep,
    admit_running_validation,
    admit_validation,
    authenticate_client,
    authenticate_session,
)
from api.i18n import Translator, lang_of
from api.pages.render import csrf_ok, page_links, render
from registry.bilingual import Text
from registry.errors import InputError, PayloadTooLargeError, RegistryError
from registry.inputs.document import Document
from registry.inputs.upload import format_of_upload, upload_document
from registry.read import queries
from registry.register.sessions import end_session, open_session
from registry.register.submission import Principal
from registry.register.tokens import list_tokens
from registry.service import Registry
from registry.store import Store
from registry.validation.labels import property_name
from registry.validation.reports import MEDIA_TYPES, report_json, report_sheet, report_turtle
from registry.validation.validator import SEVERITIES, ValidationReport, ValidationResult

router = APIRouter(include_in_schema=False)

SESSION_COOKIE = "screg_session"
# Submissions per page of the register page's list (the API pages them with `limit`).
SUBMISSIONS_PAGE = 20
# "" means: from the file's extension. Mapped formats (csv, xlsx, xls, openapi, dcat) are
# read into the registry's terms (registry/inputs/upload.py).
UPLOAD_FORMATS = ("", "turtle", "nt", "jsonld", "rdfxml", "csv", "xlsx", "xls", "openapi", "dcat")
_IRI = re.compile(r"^[^\s<>\"{}|\\^`]+$")

UploadField = Annotated[UploadFile | None, File()]
FormatField = Annotated[str, Form(max_length=20)]
CsrfField = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True)
class MappingFields:
    """The form's fields for the mapped formats that the file cannot say itself: an
    OpenAPI document's department, served resources and titles; a DCAT catalogue's
    code prefix and department (registry/inputs/openapi.py, dcat.py)."""

    department: str = ""
    serves: str = ""
    title: str = ""
    title_en: str = ""
    assign_codes: str = ""

    def options(self, fmt: str, own_department: str | None) -> dict[str, Any]:
        department = self.department.strip().upper() or own_department or ""
        if fmt == "openapi":
            return {
                "department": department,
                "serves": [s for s in re.split(r"[\s,，;；]+", self.serves) if s],
                "conforms_to": [],
                "title": self.title.strip(),
                "title_en": self.title_en.strip(),
            }
        if fmt == "dcat":
            return {"department": department, "assign_codes": self.assign_codes.strip()}
        return {}


def mapping_fields(
    department: Annotated[str, Form(max_length=32)] = "",
    serves: Annotated[str, Form(max_length=2000)] = "",
    title: Annotated[str, Form(max_length=200)] = "",
    title_en: Annotated[str, Form(max_length=200)] = "",
    assign_codes: Annotated[str, Form(max_length=16)] = "",
) -> MappingFields:
    return MappingFields(department, serves, title, title_en, assign_codes)


MappingDep = Annotated[MappingFields, Depends(mapping_fields)]


def read_upload(
    registry: Registry,
    upload: UploadFile | None,
    fmt: str,
    fields: MappingFields | None = None,
    own_department: str | None = None,
) -> Document:
    """The uploaded file as a Document; 400 without a file, 413 over the size limit,
    415 for a format the registry does not read (chosen, or told by the file name)."""
    if upload is None or not upload.filename:
        raise InputError(Text(zh="未选择文件", en="no file was uploaded"))
    if fmt not in UPLOAD_FORMATS:
        raise InputError(
            Text(zh=f"未知的格式 {fmt!r}", en=f"unknown format {fmt!r}"),
            {"allowed": list(UPLOAD_FORMATS)},
        )
    limit = registry.settings.max_body_bytes
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLargeError(
            Text(
                zh=f"上传内容超过 {limit} 字节的大小限制",
                en=f"upload larger than the limit of {limit} bytes",
            ),
            {"limit": limit},
        )
    # Only the name's last part, for messages and format detection: never opened. The
    # part's Content-Type is not read: browsers guess it from the name, often wrongly.
    name = PurePath(upload.filename.replace("\\", "/")).name or "upload"
    chosen = format_of_upload(fmt or None, None, name)
    options = (fields or MappingFields()).options(chosen, own_department)
    return upload_document(data, fmt=chosen, filename=name, options=options)


def report_view(
    report: ValidationReport,
    lang: str,
    limit: int,
    registered: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The report for the table: results grouped by entry, with row and column when the
    upload was a spreadsheet, and the JSON the download buttons send back. Entries
    already `registered` are linked to their pages; the others have none yet."""
    listed = report.results[:limit]
    groups: dict[str, list[dict[str, Any]]] = {}
    located = sheets = False
    for r in listed:
        where = dict(r.location)
        located = located or "row" in where or "column" in where
        sheets = sheets or "sheet" in where
        groups.setdefault(r.entry or "-", []).append(
            {
                "severity": r.severity,
                # The property as the shapes name it for people (its label), not
                # its IRI's last part (sharingCondition on a Chinese page).
                "path": property_name(r.path, r.source_shape, lang) or "-",
                "value": r.value,
                "message": r.message(lang),
                "sheet": where.get("sheet"),
                "row": where.get("row"),
                "column": where.get("column"),
            }
        )
    return {
        "conforms": report.conforms,
        "counts": report.counts,
        "groups": groups,
        "located": located,
        "sheets": sheets,
        "linked": {entry for entry in groups if entry in registered},
        "omitted": len(report.results) - len(listed),
        "json": json.dumps(report_json(report, limit), ensure_ascii=False),
    }


def _report_from_json(text: str) -> ValidationReport:
    """A report sent back by the download form (a report this server rendered); 400 for
    anything that is not one."""
    try:
        data = json.loads(text)
        results = []
        for r in data["results"]:
            if r["severity"] not in SEVERITIES:
                raise ValueError(r["severity"])
            for key in ("focus", "shape", "constraint"):
                if r[key] and not _IRI.match(r[key]):
                    raise ValueError(key)
            # Every other field is text (or absent) too: a path sent as an object
            # reached the report's writers and answered 500.
            for key in ("path", "value", "entry"):
                if not isinstance(r.get(key), str | None):
                    raise TypeError(key)
            location = r.get("location") or {}
            if not all(isinstance(v, str | int) for v in location.values()):
                raise TypeError("location")
            results.append(
                ValidationResult(
                    severity=r["severity"],
                    focus=str(r["focus"]),
                    path=r.get("path"),
                    value=r.get("value"),
                    message_zh=str(r["message"].get("zh", "")),
                    message_en=str(r["message"].get("en", "")),
                    source_shape=str(r["shape"]),
                    constraint=str(r["constraint"]),
                    entry=str(r.get("entry") or r["focus"]),
                    location=tuple((str(k), v) for k, v in location.items()),
                )
            )
        return ValidationReport(results, str(data.get("shapes_sha256", "")))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(Text(zh="不是校验报告", en="not a validation report")) from error


def _csrf_refused(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    t = Translator(lang_of(request))
    return render(request, template, {**context, "error": t("csrf_failed")}, status=403)


# -- validate ----------------------------------------------------------------------------


@router.get("/validate", response_class=HTMLResponse)
def validate_form(request: Request) -> HTMLResponse:
    return render(request, "validate.html", {"formats": UPLOAD_FORMATS})


@router.post("/validate", response_class=HTMLResponse)
def validate_upload(
    request: Request,
    registry: RegistryDep,
    fields: MappingDep,
    file: UploadField = None,
    format: FormatField = "",
    csrf_token: CsrfField = "",
) -> HTMLResponse:
    """Validate the uploaded catalogue with the registry as context; nothing is written.
    200 with the report whether or not it conforms (as POST /api/v1/validate)."""
    context: dict[str, Any] = {"formats": UPLOAD_FORMATS, "format": format}
    if not csrf_ok(request, csrf_token):
        return _csrf_refused(request, "validate.html", context)
    try:
        doc = read_upload(registry, file, format, fields)
        give_back = admit_validation(request, len(doc.data))
        try:
            running = admit_running_validation(request)
            try:
                report = registry.validate([doc])
            finally:
                running()
        finally:
            give_back()
    except RegistryError as error:
        context["error"] = error.message
        context["error_details"] = error.details
        return render(request, "validate.html", context, status=error.status)
    limit = registry.settings.report_max_results
    context["file_name"] = doc.name
    context["report"] = report_view(report, lang_of(request), limit, _registered(registry, report))
    return render(request, "validate.html", context)


@router.post("/validate/report")
def download_report(
    request: Request,
    registry: RegistryDep,
    report: Annotated[str, Form()],
    fmt: Annotated[str, Form(max_length=10)] = "csv",
    csrf_token: CsrfField = "",
) -> Response:
    """The report just shown, as a CSV or Turtle file (sent back by the page, since
    nothing of a validation is kept on the server)."""
    if not csrf_ok(request, csrf_token):
        return _csrf_refused(request, "validate.html", {"formats": UPLOAD_FORMATS})
    parsed = _report_from_json(report)
    limit = registry.settings.report_max_results
    if fmt == "turtle":
        body, media, ext = report_turtle(parsed, limit), "text/turtle; charset=utf-8", "ttl"
    elif fmt == "csv":
        body = report_sheet(parsed, lang_of(request), limit)
        media, ext = MEDIA_TYPES["sheet"], "csv"
    else:
        raise InputError(
            Text(zh=f"未知的报告格式 {fmt!r}", en=f"unknown report format {fmt!r}"),
            {"allowed": ["csv", "turtle"]},
        )
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="validation-report.{ext}"'},
    )


# -- register ----------------------------------------------------------------------------


def signed_in(request: Request, store: Store) -> Principal | None:
    """Who the browser's session cookie signs in as (registry.register.sessions)."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret:
        return None
    if len(secret) > 200:
        return None  # no session is this long: not worth a store read, nor a count
    return authenticate_session(request, store, secret)


def form_refusal(
    request: Request, principal: Principal | None, csrf_token: str
) -> tuple[str, int] | None:
    """Why a signed-in form (a review, a token, a department) is refused before its role
    is looked at, and the status: a missing or wrong CSRF field first (403), then no
    session (401); None when it may go on. Each page shows it in its own page."""
    t = Translator(lang_of(request))
    if not csrf_ok(request, csrf_token):
        return t("csrf_failed"), 403
    if principal is None:
        return t("need_sign_in"), 401
    return None


def _who(
    request: Request, registry: Registry, principal: Principal, offset: int = 0
) -> dict[str, Any]:
    """What the page says about the signed-in principal: role, department, label, and
    one page of its submissions (newest first) with links to the others."""
    store = registry.store
    read = registry.reader()
    department = read.record(str(principal.department)) if principal.department else None
    token_id = principal.name.removeprefix("token-")
    label = next((i.name for i in list_tokens(store) if i.id == token_id), "")
    submitted = queries.submissions(store, principal.agent, SUBMISSIONS_PAGE, offset)
    return {
        "role": principal.role,
        "department": department,
        "label": label,
        "submissions": submitted.items,
        "submission_pages": page_links(
            request, offset, len(submitted.items), submitted.total, SUBMISSIONS_PAGE
        ),
    }


def _register_page(
    request: Request,
    registry: Registry,
    principal: Principal | None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
    offset: int = 0,
) -> HTMLResponse:
    context: dict[str, Any] = {"formats": UPLOAD_FORMATS, "who": None, **(extra or {})}
    if principal is not None:
        context["who"] = _who(request, registry, principal, offset)
    response = render(request, "register.html", context, status=status)
    if principal is None and request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path="/")  # revoked or unknown: forget it
    return response


@router.get("/register", response_class=HTMLResponse)
def register_form(
    request: Request,
    registry: RegistryDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    """The registration form; signed in, the department's submissions, paged by
    `offset` (SUBMISSIONS_PAGE a page, the total shown)."""
    principal = signed_in(request, registry.store)
    return _register_page(request, registry, principal, offset=offset)


# Addresses that only take a form: a refused sign-in's page stays at its address, and
# reloaded, or reached again by the language switch, it was a 405 page. A GET leads back
# to the form.
@router.get("/register/sign-in", include_in_schema=False)
@router.get("/register/sign-out", include_in_schema=False)
def back_to_register() -> RedirectResponse:
    return RedirectResponse("/register", status_code=303)


@router.get("/validate/report", include_in_schema=False)
def back_to_validate() -> RedirectResponse:
    return RedirectResponse("/validate", status_code=303)


@router.post("/register/sign-in")
def sign_in(
    request: Request,
    registry: RegistryDep,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    t = Translator(lang_of(request))
    if not csrf_ok(request, csrf_token):
        return _register_page(request, registry, None, {"error": t("csrf_failed")}, 403)
    secret = token.strip()
    principal = authenticate_client(request, registry.store, secret) if secret else None
    if principal is None:
        return _register_page(request, registry, None, {"error": t("bad_token")}, 401)
    # The cookie holds a session of its own, never the token: signing out ends it in
    # every copy, and a copy is no bearer token for the API.
    hours = registry.settings.session_hours
    session = open_session(registry.store, principal, timedelta(hours=hours))
    # 303: the browser follows with a GET, so a reload does not post the token again.
    response = RedirectResponse("/register", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/register/sign-out")
def sign_out(request: Request, registry: RegistryDep, csrf_token: CsrfField = "") -> Response:
    if not csrf_ok(request, csrf_token):
        t = Translator(lang_of(request))
        principal = signed_in(request, registry.store)
        return _register_page(request, registry, principal, {"error": t("csrf_failed")}, 403)
    session = request.cookies.get(SESSION_COOKIE, "")
    if session and len(session) <= 200:
        end_session(registry.store, session)
    response = RedirectResponse("/register", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/register", response_class=HTMLResponse)
def register_upload(
    request: Request,
    registry: RegistryDep,
    fields: MappingDep,
    file: UploadField = None,
    format: FormatField = "",
    csrf_token: CsrfField = "",
    provisional: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Submit the uploaded catalogue as the signed-in principal: 201 with the entries
    registered, 422 with the report when it does not conform (nothing written), 401
    when not signed in, 403 for another department's entries, 400/413/415 for a file
    that cannot be read. The `provisional` checkbox asks for a provisional registration
    (docs/registration.md)."""
    t = Translator(lang_of(request))
    principal = signed_in(request, registry.store)
    if not csrf_ok(request, csrf_token):
        return _register_page(request, registry, principal, {"error": t("csrf_failed")}, 403)
    if principal is None:
        return _register_page(request, registry, None, {"error": t("need_sign_in")}, 401)
    try:
        own = str(principal.department).rsplit("/", 1)[-1] if principal.department else None
        doc = read_upload(registry, file, format, fields, own)
        result = registry.submit([doc], principal, provisional=provisional)
    except RegistryError as error:
        extra = {"error": error.message, "error_details": error.details, "format": format}
        return _register_page(request, registry, principal, extra, error.status)
    limit = registry.settings.report_max_results
    extra = {
        "file_name": doc.name,
        "report": report_view(
            result.report, lang_of(request), limit, _registered(registry, result.report)
        ),
        "accepted": result.accepted,
        "submission": result.submission,
        "changes": [
            {
                "item": c.item,
                "kind": c.kind,
                "version": c.version,
                "outcome": c.outcome,
                "status": c.status,
                "label": _label(request, registry, c.item),
            }
            # What changed first, then what stayed as it was.
            for c in sorted(result.changes, key=lambda c: (c.outcome == "unchanged", c.item))
        ],
    }
    return _register_page(request, registry, principal, extra, 201 if result.accepted else 422)


def _registered(registry: Registry, report: ValidationReport) -> set[str]:
    """The report's entries that are registered now (their pages can be linked)."""
    return registry.reader().known(r.entry for r in report.results if r.entry)


def _label(request: Request, registry: Registry, iri: str) -> dict[str, str]:
    record = registry.reader().record(iri) or {}
    label = record.get("title") or record.get("name") or {}
    return {**label, "id": record.get("id") or ""}
