"""Access tokens: who may write, as which role, for which department.

A token is a random secret shown once when it is made; the store keeps only
its SHA-256, with the role, the department and the time it expires, in the named
graph `urn:screg:graph:tokens`. A leaked store therefore holds no usable secret,
and checking a presented token compares digests in constant time.

Expiry and revocation are read from the store on every `authenticate`, never
cached: a token revoked by any process over the same store (the HTTP endpoint, or
`screg token revoke` over a remote store) is refused on the very next request in
every process, and one past its expiry at once, with no write. Tokens made before
expiry existed have no `scs:expiresAt`; they keep working and list as "no expiry"
until revoked.

Roles (DESIGN.md, Security rules): a submitter writes its own department's
entries; a registrar also changes statuses and writes standards and
departments; an admin manages tokens (from the command line or over HTTP) and
may do all the rest.

Every action on a token (made, expired early, revoked) leaves a PROV-O activity
beside the token's record, in the same write, in the same hidden graph: who did it
(the admin's agent and the token it acted with; the command line when nobody
signed), when, and to which token (`token_actions`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from registry.bilingual import Text
from registry.errors import ConflictError, InputError, NotFoundError
from registry.namespaces import SCS
from registry.register.submission import Principal, item_state, resolve_item, via_token
from registry.store import Store, WriteBatch

TOKEN_GRAPH = "urn:screg:graph:tokens"
ROLES = ("submitter", "registrar", "admin")
TOKEN_PREFIX = "urn:screg:token:"
_TOKEN_ID = re.compile(r"^[0-9a-f]{12}$")
DEPARTMENT_PROPERTY = SCS.department
#: The lifetime of a token when nobody says otherwise (the setting token_lifetime_days).
DEFAULT_LIFETIME = timedelta(days=365)

#: What may be done to a token, as its activities record it.
TOKEN_ACTIONS = ("create", "expire", "revoke")
ACTION_PREFIX = "urn:screg:token-action:"
#: The agent of an action from the command line, which runs as the machine's user.
COMMAND_LINE_AGENT = URIRef("urn:screg:agent:admin:cli")

_ACTIONS = f"""
SELECT ?a ?kind ?time ?agent ?via WHERE {{ GRAPH <{TOKEN_GRAPH}> {{
  ?a <{SCS.tokenAction}> ?kind ; <{PROV.used}> ?t ; <{PROV.endedAtTime}> ?time .
  OPTIONAL {{ ?a <{PROV.wasAssociatedWith}> ?agent }}
  OPTIONAL {{ ?a <{SCS.viaToken}> ?via }}
}} }}"""

_TOKENS = f"""
SELECT ?t ?role ?dept ?name ?created ?expires ?revoked ?hash WHERE {{ GRAPH <{TOKEN_GRAPH}> {{
  ?t a <{SCS.AccessToken}> ; <{SCS.role}> ?role ; <{SCS.createdAt}> ?created .
  OPTIONAL {{ ?t <{DEPARTMENT_PROPERTY}> ?dept }}
  OPTIONAL {{ ?t <{RDFS.label}> ?name }}
  OPTIONAL {{ ?t <{SCS.expiresAt}> ?expires }}
  OPTIONAL {{ ?t <{SCS.revokedAt}> ?revoked }}
  OPTIONAL {{ ?t <{SCS.tokenSha256}> ?hash }}
}} }}"""


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never its secret, never its digest."""

    id: str
    role: str
    department: str | None
    name: str
    created: str
    revoked: str | None = None
    #: When it stops authenticating; None for a token made before tokens expired.
    expires: str | None = None
    #: Whether `expires` had passed when the record was read.
    expired: bool = False

    @property
    def active(self) -> bool:
        return self.revoked is None and not self.expired

    @property
    def state(self) -> str:
        """`revoked`, `expired` or `active`: what a listing shows."""
        if self.revoked is not None:
            return "revoked"
        return "expired" if self.expired else "active"

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "active": self.active, "state": self.state}


def token_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def utcnow() -> datetime:
    """The clock every expiry is measured on (tests replace it to move time on)."""
    return datetime.now(UTC)


def timestamp(moment: datetime) -> Literal:
    return Literal(moment.astimezone(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _now() -> Literal:
    return timestamp(utcnow())


def has_passed(expires: str, now: datetime) -> bool:
    """Whether the stored expiry `expires` is at or before `now`. A value that is not a
    dateTime with a time zone counts as passed: a token whose end cannot be read must
    fail closed, not live for ever."""
    try:
        moment = datetime.fromisoformat(expires)
    except ValueError:
        return True
    if moment.tzinfo is None:
        return True
    return moment <= now


def _action(
    kind: str, token: URIRef, by: Principal | None, when: Literal
) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The triples of one action on `token`, by `by` (None: the command line)."""
    node = URIRef(ACTION_PREFIX + str(uuid.uuid4()))
    triples: list[tuple[URIRef, URIRef, URIRef | Literal]] = [
        (node, RDF.type, PROV.Activity),
        (node, SCS.tokenAction, Literal(kind)),
        (node, PROV.used, token),
        (node, PROV.endedAtTime, when),
        (node, PROV.wasAssociatedWith, by.agent if by is not None else COMMAND_LINE_AGENT),
    ]
    if by is not None:
        triples += via_token(node, by)
    return triples


def token_actions(store: Store, token_id: str) -> list[dict[str, Any]]:
    """What was done to the token `token_id`, oldest first: the action (`create`,
    `expire`, `revoke`), when, the agent, and the token it was done with (None from
    the command line). Tokens made before actions were recorded have none."""
    node = URIRef(TOKEN_PREFIX + token_id.strip().removeprefix(TOKEN_PREFIX))
    found = [
        {
            "action": str(row["kind"]),
            "time": str(row["time"]),
            "agent": str(row["agent"]) if "agent" in row else None,
            "via_token": str(row["via"]).removeprefix(TOKEN_PREFIX) if "via" in row else None,
        }
        for row in store.select(_ACTIONS, {"t": node})
    ]
    order = {kind: n for n, kind in enumerate(TOKEN_ACTIONS)}
    return sorted(found, key=lambda a: (a["time"], order.get(a["action"], 9)))


def department_iri(store: Store, code: str) -> str:
    """The IRI of the registered department a credit code (or IRI) names."""
    iri = resolve_item(store, code)
    state = item_state(store, iri)
    if state is None or state.kind != "department":
        raise NotFoundError(
            Text(zh=f"{code!r} 不是已登记的部门", en=f"{code!r} is not a registered department"),
            {"department": code},
        )
    return iri


def create_token(
    store: Store,
    role: str,
    department: str | None = None,
    name: str = "",
    *,
    lifetime: timedelta = DEFAULT_LIFETIME,
    by: Principal | None = None,
) -> tuple[TokenInfo, str]:
    """Make a token that authenticates for `lifetime` from now; returns its description
    and the secret, which is never stored. `by` is the admin who made it over HTTP
    (None: the command line), recorded with it."""
    if role not in ROLES:
        raise InputError(
            Text(zh=f"未知的角色 {role!r}", en=f"unknown role {role!r}"), {"allowed": list(ROLES)}
        )
    if role == "submitter" and not department:
        raise InputError(
            Text(
                zh="提交者令牌须指定部门（命令行用 --department）",
                en="a submitter token needs a department (department; --department in the CLI)",
            )
        )
    if role != "submitter" and department:
        # A registrar's or an admin's token acts for every department: one made with a
        # department looked limited to it, and was not.
        raise InputError(
            Text(
                zh=f"只有提交者令牌属于一个部门；{role} 令牌对所有部门有效，不能指定部门",
                en=f"only a submitter token belongs to a department; a {role} token acts "
                "for every department and takes none",
            ),
            {"role": role, "department": department},
        )
    if lifetime <= timedelta(0):
        raise InputError(
            Text(zh="令牌有效期须为正数", en="a token's lifetime must be positive"),
            {"lifetime_days": lifetime / timedelta(days=1)},
        )
    dept = department_iri(store, department) if department else None
    secret = secrets.token_urlsafe(32)
    token_id = secrets.token_hex(6)
    node = URIRef(TOKEN_PREFIX + token_id)
    now = utcnow()
    created, expires = timestamp(now), timestamp(now + lifetime)
    triples = [
        (node, RDF.type, SCS.AccessToken),
        (node, SCS.role, Literal(role)),
        (node, SCS.tokenSha256, Literal(token_sha256(secret))),
        (node, SCS.createdAt, created),
        (node, SCS.expiresAt, expires),
    ]
    if dept:
        triples.append((node, DEPARTMENT_PROPERTY, URIRef(dept)))
    if name:
        triples.append((node, RDFS.label, Literal(name)))
    triples += _action("create", node, by, created)
    store.write(WriteBatch().add_triples(TOKEN_GRAPH, triples))
    info = TokenInfo(token_id, role, dept, name, str(created), expires=str(expires))
    return info, secret


def _rows(store: Store) -> list[tuple[TokenInfo, str | None]]:
    now = utcnow()
    tokens = []
    for row in store.select(_TOKENS):
        expires = str(row["expires"]) if "expires" in row else None
        info = TokenInfo(
            id=str(row["t"]).removeprefix(TOKEN_PREFIX),
            role=str(row["role"]),
            department=str(row["dept"]) if "dept" in row else None,
            name=str(row.get("name") or ""),
            created=str(row["created"]),
            revoked=str(row["revoked"]) if "revoked" in row else None,
            expires=expires,
            expired=expires is not None and has_passed(expires, now),
        )
        tokens.append((info, str(row["hash"]) if "hash" in row else None))
    return sorted(tokens, key=lambda t: (t[0].created, t[0].id))


def list_tokens(store: Store) -> list[TokenInfo]:
    return [info for info, _digest in _rows(store)]


def _token(store: Store, token_id: str) -> tuple[str, TokenInfo, str | None]:
    """The id, record and digest of the token `token_id`; NotFoundError if none."""
    token_id = token_id.strip().removeprefix(TOKEN_PREFIX)
    found = [(i, d) for i, d in _rows(store) if _TOKEN_ID.match(token_id) and i.id == token_id]
    if not found:
        raise NotFoundError(
            Text(zh=f"没有令牌 {token_id!r}", en=f"no token {token_id!r}"), {"id": token_id}
        )
    return token_id, *found[0]


def get_token(store: Store, token_id: str) -> TokenInfo:
    """The record of one token; NotFoundError if there is none."""
    return _token(store, token_id)[1]


def expire_token(
    store: Store, token_id: str, at: datetime | None = None, by: Principal | None = None
) -> TokenInfo:
    """Bring a token's expiry forward to `at` (now when None, or when `at` has passed):
    it stops authenticating then, its record and digest stay until then. A token is
    never extended (a new one is made instead): an `at` after its expiry is InputError,
    a revoked token ConflictError."""
    token_id, info, _digest = _token(store, token_id)
    if info.revoked is not None:
        raise ConflictError(
            Text(zh=f"令牌 {token_id} 已撤销", en=f"token {token_id} is revoked"),
            {"id": token_id, "state": info.state},
        )
    now = utcnow()
    if at is not None and at.tzinfo is None:
        raise InputError(
            Text(zh="到期时间须带时区", en="the expiry needs a time zone"), {"at": str(at)}
        )
    when = now if at is None or at <= now else at
    if info.expires is not None and not info.expired and has_passed(info.expires, when):
        raise InputError(
            Text(
                zh="只能提前令牌的到期时间；如需延长请新建令牌",
                en=("a token's expiry is only brought forward; make a new token instead"),
            ),
            {"id": token_id, "expires": info.expires, "at": when.isoformat()},
        )
    node = URIRef(TOKEN_PREFIX + token_id)
    expires = timestamp(when)
    batch = WriteBatch()
    # The stored terms themselves are removed: a literal made again from its text
    # might not be the same term, and the token would then hold two expiries.
    batch.remove_triples(TOKEN_GRAPH, store.match(TOKEN_GRAPH, node, SCS.expiresAt))
    batch.add_triples(
        TOKEN_GRAPH, [(node, SCS.expiresAt, expires), *_action("expire", node, by, _now())]
    )
    store.write(batch)
    return get_token(store, token_id)


def revoke_token(store: Store, token_id: str, by: Principal | None = None) -> TokenInfo:
    """Revoke a token for good: its digest is removed, the record stays for the audit,
    with `by` (the admin who revoked it over HTTP; None: the command line) and the
    action's record. Revoking a revoked token changes nothing; an expired one is revoked
    all the same, so that its digest goes."""
    token_id, info, digest = _token(store, token_id)
    if info.revoked is not None:
        return info
    node = URIRef(TOKEN_PREFIX + token_id)
    revoked = _now()
    added = [(node, SCS.revokedAt, revoked), *_action("revoke", node, by, revoked)]
    if by is not None:
        added.append((node, SCS.revokedBy, by.agent))
    batch = WriteBatch().add_triples(TOKEN_GRAPH, added)
    if digest is not None:
        batch.remove_triples(TOKEN_GRAPH, [(node, SCS.tokenSha256, Literal(digest))])
    store.write(batch)
    return TokenInfo(
        info.id,
        info.role,
        info.department,
        info.name,
        info.created,
        str(revoked),
        info.expires,
        info.expired,
    )


def authenticate(store: Store, secret: str) -> Principal | None:
    """The principal of an active token (neither revoked nor expired), or None. The
    tokens are read from the store on every call, so a revocation by another process
    counts at once. Every stored digest is compared, each in constant time, so the
    answer time tells nothing about a near miss."""
    presented = token_sha256(secret)
    match: TokenInfo | None = None
    for info, digest in _rows(store):
        if digest is not None and info.active and hmac.compare_digest(digest, presented):
            match = info
    if match is None:
        return None
    return _principal(match)


def active_principal(store: Store, token: URIRef) -> Principal | None:
    """The principal of the token record `token` while it is active (neither revoked
    nor expired), else None: a page session stands for its token only so long."""
    for info, _digest in _rows(store):
        if TOKEN_PREFIX + info.id == str(token) and info.active:
            return _principal(info)
    return None


def _principal(match: TokenInfo) -> Principal:
    return Principal(
        role=match.role,
        department=URIRef(match.department) if match.department else None,
        # The name goes into the agent IRI of provenance records, so it is the token's
        # id (safe characters), not its free-text label.
        name=f"token-{match.id}",
        token=URIRef(TOKEN_PREFIX + match.id),
    )
