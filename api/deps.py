"""Typed dependencies: what a handler needs, resolved from app.state per request.

Tests swap any of them with `app.dependency_overrides[get_registry] = ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from email.message import EmailMessage
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict

from api.ratelimit import ClientSlots, FailedAuthLimiter, RequestRateLimiter, client_key
from registry.bilingual import Text
from registry.config import Settings
from registry.errors import (
    BusyError,
    ForbiddenError,
    InputError,
    PayloadTooLargeError,
    RateLimitedError,
    UnauthorizedError,
)
from registry.inputs.document import Document
from registry.inputs.upload import form_parts, format_of_upload, is_form, upload_document
from registry.read.model import ReadModel
from registry.register.jobs import JobQueue
from registry.register.sessions import session_principal
from registry.register.submission import Principal
from registry.register.tokens import authenticate
from registry.service import Registry
from registry.store import Store

# auto_error=False: a missing token is answered by our own 401 in the one error
# shape, not FastAPI's; the scheme still shows in the OpenAPI document.
_bearer = HTTPBearer(auto_error=False, description="A token made with `screg token create`.")


# The dependencies that only read an attribute are `async def`: a plain `def` would be
# run in the threadpool, one hop per dependency per request, which cost a lookup more
# than its answer (a lookup is one read of the read model, under a millisecond).


async def get_registry(request: Request) -> Registry:
    return request.app.state.registry


RegistryDep = Annotated[Registry, Depends(get_registry)]


async def get_jobs(request: Request) -> JobQueue:
    return request.app.state.jobs  # type: ignore[no-any-return]


JobsDep = Annotated[JobQueue, Depends(get_jobs)]


async def get_settings(registry: RegistryDep) -> Settings:
    return registry.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_store(registry: RegistryDep) -> Store:
    # Opening (and seeding) happens in the lifespan; this is then a plain attribute read.
    return registry.store


StoreDep = Annotated[Store, Depends(get_store)]


async def get_read(registry: RegistryDep) -> ReadModel:
    """The read model, caught up to the store's generation first (another process may
    have written). On the event loop when that is one in-process read of the
    generation and the model is current; a remote store's generation (a query) or a
    catch-up (it may rebuild) go to the threadpool."""
    if registry.store.in_process:
        current = registry.current_reader()
        if current is not None:
            return current
    return await run_in_threadpool(registry.reader)


ReadDep = Annotated[ReadModel, Depends(get_read)]


def authenticate_client(
    request: Request,
    store: Store,
    secret: str,
    check: Callable[[Store, str], Principal | None] = authenticate,
) -> Principal | None:
    """The principal of the token `secret`, or None; every way a token is presented
    (bearer header, sign-in form) comes through here, and the pages' session cookie
    through `authenticate_session`, so every failure counts against the client's
    address (api.ratelimit).

    A client over its limit gets 429 before the token is looked at: were a right guess
    let through, the 429s would only mark the wrong ones and guessing would go on."""
    limiter: FailedAuthLimiter = request.app.state.auth_limiter
    client = client_of(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise RateLimitedError(
            Text(
                zh=f"认证失败次数过多，请 {wait} 秒后再试",
                en=(f"too many failed token checks from this address; try again in {wait} s"),
            ),
            wait,
        )
    principal = check(store, secret)
    if principal is None:
        limiter.failed(client)
    return principal


def authenticate_session(request: Request, store: Store, secret: str) -> Principal | None:
    """The principal of the page session `secret` (registry.register.sessions), or None;
    counted and limited per client address as tokens are."""
    return authenticate_client(request, store, secret, session_principal)


def client_of(request: Request) -> str:
    """The key a request's client is counted under (api.ratelimit.client_key)."""
    return client_key(request.client.host if request.client else None)


def admit_validation(request: Request, size: int) -> Callable[[], None]:
    """Let a validation without a token of `size` bytes in, or refuse it: 413 past
    `validate_max_body_bytes`, 429 (with Retry-After) past the client's rate or while
    it has `validate_per_client` validations running or queued. Returns the function
    that frees the client's slot: call it when the validation (or its job) ends."""
    settings: Settings = request.app.state.settings
    limit = settings.validate_max_body_bytes
    if size > limit:
        raise PayloadTooLargeError(
            Text(
                zh=(
                    f"不带令牌的校验最多发送 {limit} 字节；请带令牌提交，或用 `screg validate` 校验"
                ),
                en=(
                    f"a validation without a token may send at most {limit} bytes; "
                    "submit with a token, or validate with `screg validate`"
                ),
            ),
            {"limit": limit},
        )
    client = client_of(request)
    rate: RequestRateLimiter = request.app.state.validate_rate
    wait = rate.retry_after(client)
    if wait is not None:
        raise RateLimitedError(
            Text(
                zh=f"校验请求过于频繁，请 {wait} 秒后再试",
                en=f"too many validations from this address; try again in {wait} s",
            ),
            wait,
        )
    slots: ClientSlots = request.app.state.validate_slots
    give_back = slots.take(client)
    if give_back is None:
        raise RateLimitedError(
            Text(
                zh="此地址已有校验在进行或排队，请等待其完成",
                en=("this address already has a validation running or queued; wait for it"),
            ),
            1,
        )
    rate.counted(client)
    return give_back


@contextmanager
def query_slot(request: Request) -> Iterator[None]:
    """A place for one more public SPARQL query of this client while the block runs,
    or 429 with Retry-After while it has `sparql_per_client` running."""
    slots: ClientSlots = request.app.state.sparql_slots
    give_back = slots.take(client_of(request))
    if give_back is None:
        raise RateLimitedError(
            Text(
                zh=(f"此地址已有 {slots.per_client} 个 SPARQL 查询在运行，请等其完成后再发送"),
                en=(
                    f"this address already has {slots.per_client} SPARQL "
                    f"{'query' if slots.per_client == 1 else 'queries'} running; "
                    "send the next one when it has finished"
                ),
            ),
            1,
        )
    try:
        yield
    finally:
        give_back()


def admit_running_validation(request: Request) -> Callable[[], None]:
    """A place among the validations without a token answered at once (not as jobs),
    all clients together, or 503 `busy` with Retry-After. Validation (pyshacl) still
    runs in the API process: this bounds how many readings it holds at once."""
    running: ClientSlots = request.app.state.validate_running
    give_back = running.take("all")
    if give_back is None:
        raise BusyError(
            Text(
                zh="校验繁忙，请 5 秒后再试，或加上 ?job=true 提交",
                en=(
                    "the server is validating as many uploads as it may; try again "
                    "in 5 s, or send ?job=true"
                ),
            ),
            5,
            {"limit": running.per_client},
        )
    return give_back


def get_principal(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal of the bearer token; 401 without one or with an unknown, expired
    or revoked one (one message for the three: which one it was would tell a guesser
    that a secret was once good); 429 after too many failures from this client.

    A plain `def`: the lookup is a store query, which runs in the threadpool."""
    if credentials is None or not credentials.credentials:
        # Not counted as a failure: presenting nothing guesses nothing.
        raise UnauthorizedError(
            Text(
                zh="需要令牌：Authorization: Bearer <令牌>",
                en="this needs a bearer token: Authorization: Bearer <token>",
            )
        )
    principal = authenticate_client(request, store, credentials.credentials)
    if principal is None:
        raise UnauthorizedError(
            Text(zh="令牌无效、已过期或已撤销", en="unknown, expired or revoked token")
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_submitter(principal: PrincipalDep) -> Principal:
    """Any role may submit; a submitter only for its own department (checked on the
    entries, in registry.register.submission.check_ownership)."""
    if principal.role == "submitter" and principal.department is None:
        raise ForbiddenError(
            Text(
                zh="该提交者令牌不属于任何部门", en="this submitter token belongs to no department"
            )
        )
    return principal


SubmitterDep = Annotated[Principal, Depends(require_submitter)]


def require_registrar(principal: PrincipalDep) -> Principal:
    if principal.role not in ("registrar", "admin"):
        raise ForbiddenError(
            Text(
                zh="只有登记员或管理员可以执行此操作", en="only a registrar or an admin may do this"
            ),
            {"role": principal.role},
        )
    return principal


RegistrarDep = Annotated[Principal, Depends(require_registrar)]


def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role != "admin":
        raise ForbiddenError(
            Text(zh="只有管理员可以管理令牌", en="only an admin may manage tokens"),
            {"role": principal.role},
        )
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


# Bodies that are not RDF syntaxes but are mapped to the registry's terms on input.
@dataclass(frozen=True)
class UploadFormat:
    """What a request says of its body's format (registry/inputs/upload.py decides),
    and what a mapped format needs that the body cannot say: an OpenAPI document's
    department."""

    format: str
    content_type: str | None
    filename: str | None
    department: str | None
    serves: tuple[str, ...] = ()
    conforms_to: tuple[str, ...] = ()
    assign_codes: str | None = None

    def document(self, body: bytes, department: str | None = None) -> Document:
        """The body as a Document; `department` is the caller's own, used for an
        OpenAPI document when the request named none."""
        options: dict[str, object] = {}
        if self.format == "dcat":
            options = {
                "assign_codes": self.assign_codes or "",
                "department": self.department or department or "",
            }
        if self.format == "openapi":
            options = {
                "department": self.department or department or "",
                "serves": list(self.serves),
                "conforms_to": list(self.conforms_to),
            }
        return upload_document(
            body,
            fmt=self.format,
            content_type=self.content_type,
            filename=self.filename,
            options=options,
        )

    def documents(self, body: bytes, department: str | None = None) -> list[Document]:
        """The body's documents, submitted or validated together: the body itself, or
        each part of a multipart/form-data body, whose format is `?format=` (for every
        part), else the part's Content-Type, else its file name (415 when none says)."""
        if not is_form(self.content_type):
            return [self.document(body, department)]
        return [
            replace(
                self,
                format=format_of_upload(self.format or None, part.content_type, part.filename),
                content_type=part.content_type,
                filename=part.filename,
            ).document(part.data, department)
            for part in form_parts(body, self.content_type)
        ]


def upload_format(
    request: Request,
    format: Annotated[
        str | None,
        Query(
            description="Format of the body: turtle, nt, jsonld, rdfxml, csv, xlsx, xls, "
            "openapi or dcat (a DCAT catalogue in the RDF syntax of Content-Type or the file "
            "name, else Turtle); overrides Content-Type and the file name.",
            max_length=32,
        ),
    ] = None,
    filename: Annotated[
        str | None,
        Query(
            description="The body's file name, whose extension tells its format when "
            "neither ?format= nor Content-Type does (as `Content-Disposition: ...; "
            "filename=` does).",
            max_length=255,
        ),
    ] = None,
    department: Annotated[
        str | None,
        Query(
            description="For an OpenAPI document: the providing department's credit code; "
            "for a DCAT catalogue: the department of datasets whose publisher maps to none "
            "(default: the token's department).",
            max_length=32,
        ),
    ] = None,
    serves: Annotated[
        list[str] | None,
        Query(max_length=100, description="For an OpenAPI document: resource codes it serves."),
    ] = None,
    conforms_to: Annotated[
        list[str] | None,
        Query(max_length=100, description="For an OpenAPI document: standards it conforms to."),
    ] = None,
    assign_codes: Annotated[
        str | None,
        Query(
            max_length=16,
            description="For a DCAT catalogue: a 前段码 (e.g. 209001) under which datasets "
            "without a code get PREFIX/000001, ... and services PREFIX-API-001, ...",
        ),
    ] = None,
) -> UploadFormat:
    """The format of an uploaded body: ?format=, then Content-Type, then the file name
    (?filename= or Content-Disposition); 415 when none says it."""
    content_type = request.headers.get("content-type")
    name = filename or _disposition_filename(request.headers.get("content-disposition"))
    # A form's parts each say their own format (UploadFormat.documents), unless named.
    fmt = (
        "" if is_form(content_type) and not format else format_of_upload(format, content_type, name)
    )
    return UploadFormat(
        fmt,
        content_type,
        name,
        department,
        tuple(serves or ()),
        tuple(conforms_to or ()),
        assign_codes,
    )


def _disposition_filename(header: str | None) -> str | None:
    if not header:
        return None
    message = EmailMessage()
    message["content-disposition"] = header
    name = message.get_filename()
    if name is None:
        return None
    # curl and most clients send a Chinese name raw, in UTF-8, where the standard wants
    # filename*=UTF-8''...; the server reads header bytes as Latin-1, so 目录.csv
    # came out as ç\x9b®å½\x95.csv in every report.
    try:
        return name.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


UploadFormatDep = Annotated[UploadFormat, Depends(upload_format)]


async def read_body(request: Request, settings: SettingsDep) -> bytes:
    """The request body, refused with 413 as soon as it passes the limit: by its declared
    Content-Length before reading, and while reading (chunked bodies declare none).

    `async` because it only awaits the ASGI receive channel; parsing happens later in
    plain `def` handlers, off the event loop."""
    limit = settings.max_body_bytes
    return await _read_limited(
        request,
        limit,
        Text(
            zh=f"请求体超过 {limit} 字节的大小限制",
            en=f"request body larger than the limit of {limit} bytes",
        ),
    )


async def read_validation_body(request: Request, settings: SettingsDep) -> bytes:
    """The body of a validation without a token, refused with 413 past
    `validate_max_body_bytes` in the same way: never read further than that."""
    limit = min(settings.validate_max_body_bytes, settings.max_body_bytes)
    return await _read_limited(
        request,
        limit,
        Text(
            zh=(f"不带令牌的校验最多发送 {limit} 字节；请带令牌提交，或用 `screg validate` 校验"),
            en=(
                f"a validation without a token may send at most {limit} bytes; "
                "submit with a token, or validate with `screg validate`"
            ),
        ),
    )


async def _read_limited(request: Request, limit: int, message: Text) -> bytes:
    too_large = PayloadTooLargeError(message, {"limit": limit})
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


BodyDep = Annotated[bytes, Depends(read_body)]
ValidationBodyDep = Annotated[bytes, Depends(read_validation_body)]


def refuse_unknown_query(request: Request) -> None:
    """A dependency of the list routes and of every write route: a query parameter the
    route does not declare is InputError (400) naming the ones it does, rather than
    silently ignored: `?categry=3` listed every standard, and `?dry_run=true` on a
    route without a dry run registered the upload. So is one given twice that takes one
    value (`_refuse_repeated`)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = sorted(_query_names(dependant))
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        listed_zh = "、".join(allowed) if allowed else "（无：此接口不带查询参数）"
        listed_en = ", ".join(allowed) if allowed else "none (this route takes no query parameter)"
        raise InputError(
            Text(
                zh=f"未知的查询参数 {'、'.join(unknown)}；可用的参数：{listed_zh}",
                en=f"unknown query parameter {', '.join(unknown)}; allowed: {listed_en}",
            ),
            {"unknown": unknown, "allowed": allowed},
        )
    _refuse_repeated(request, dependant)


def refuse_repeated_query(request: Request) -> None:
    """A dependency of routes that take any query parameter (the harvest's `/catalog`):
    a parameter given twice that takes one value is InputError (400)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is not None:
        _refuse_repeated(request, dependant)


def _refuse_repeated(request: Request, dependant: Any) -> None:
    """InputError for a query parameter given more than once where the route takes one
    value: the last one was used without a word (`status=current&status=superseded`
    listed the superseded only; `after=1&after=5` on the change feed skipped writes)."""
    params = request.query_params
    repeated = sorted(
        name for name in set(params) - _sequence_names(dependant) if len(params.getlist(name)) > 1
    )
    if repeated:
        raise InputError(
            Text(
                zh=f"查询参数 {'、'.join(repeated)} 只能给一次",
                en=f"the query parameter {', '.join(repeated)} takes one value: give it once",
            ),
            {"repeated": repeated},
        )


def _sequence_names(dependant: Any) -> set[str]:
    """The query parameters a route takes several of (declared as a list: `?serves=`)."""
    names = {
        param.alias for param in dependant.query_params if _is_sequence(param.field_info.annotation)
    }
    for sub in dependant.dependencies:
        names |= _sequence_names(sub)
    return names


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return any(_is_sequence(arg) for arg in get_args(annotation))
    return origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set)


def _query_names(dependant: Any) -> set[str]:
    """The query parameters a route's handler and its dependencies declare."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class RequestBody(BaseModel):
    """A JSON request body of a write route: a field it does not name is refused (422,
    the field in `details`), as unknown query parameters are. A probe's misspelt
    fields were dropped: {"lifetime_day": 1} made a token of the default 365 days, and
    {"when": ...} on /expire expired the token at once."""

    model_config = ConfigDict(extra="forbid")
