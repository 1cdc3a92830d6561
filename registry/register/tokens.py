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
departments; an admin manages tokens (from the command line) and may do all
the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from registry.errors import InputError, NotFoundError
from registry.namespaces import SCS
from registry.register.submission import Principal, item_state, resolve_item
from registry.store import Store, WriteBatch

TOKEN_GRAPH = "urn:screg:graph:tokens"
ROLES = ("submitter", "registrar", "admin")
TOKEN_PREFIX = "urn:screg:token:"
_TOKEN_ID = re.compile(r"^[0-9a-f]{12}$")
DEPARTMENT_PROPERTY = SCS.department
#: The lifetime of a token when nobody says otherwise (the setting token_lifetime_days).
DEFAULT_LIFETIME = timedelta(days=365)

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


def _timestamp(moment: datetime) -> Literal:
    return Literal(moment.astimezone(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _now() -> Literal:
    return _timestamp(utcnow())


def _has_passed(expires: str, now: datetime) -> bool:
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


def department_iri(store: Store, code: str) -> str:
    """The IRI of the registered department a credit code (or IRI) names."""
    iri = resolve_item(store, code)
    state = item_state(store, iri)
    if state is None or state.kind != "department":
        raise NotFoundError(
            f"{code!r} is not a registered department (不是已登记的部门)", {"department": code}
        )
    return iri


def create_token(
    store: Store,
    role: str,
    department: str | None = None,
    name: str = "",
    *,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> tuple[TokenInfo, str]:
    """Make a token that authenticates for `lifetime` from now; returns its description
    and the secret, which is never stored."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", {"allowed": list(ROLES)})
    if role == "submitter" and not department:
        raise InputError("a submitter token needs --department (提交者令牌须指定部门)")
    if lifetime <= timedelta(0):
        raise InputError(
            "a token's lifetime must be positive (令牌有效期须为正数)",
            {"lifetime_days": lifetime / timedelta(days=1)},
        )
    dept = department_iri(store, department) if department else None
    secret = secrets.token_urlsafe(32)
    token_id = secrets.token_hex(6)
    node = URIRef(TOKEN_PREFIX + token_id)
    now = utcnow()
    created, expires = _timestamp(now), _timestamp(now + lifetime)
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
            expired=expires is not None and _has_passed(expires, now),
        )
        tokens.append((info, str(row["hash"]) if "hash" in row else None))
    return sorted(tokens, key=lambda t: (t[0].created, t[0].id))


def list_tokens(store: Store) -> list[TokenInfo]:
    return [info for info, _digest in _rows(store)]


def revoke_token(store: Store, token_id: str, by: URIRef | None = None) -> TokenInfo:
    """Revoke a token for good: its digest is removed, the record stays for the audit,
    with `by` (the agent of the admin token that revoked it over HTTP; none from the
    command line). Revoking a revoked token changes nothing; an expired one is revoked
    all the same, so that its digest goes."""
    token_id = token_id.strip().removeprefix(TOKEN_PREFIX)
    found = [(i, d) for i, d in _rows(store) if _TOKEN_ID.match(token_id) and i.id == token_id]
    if not found:
        raise NotFoundError(f"no token {token_id!r} (没有该令牌)", {"id": token_id})
    info, digest = found[0]
    if info.revoked is not None:
        return info
    node = URIRef(TOKEN_PREFIX + token_id)
    revoked = _now()
    added = [(node, SCS.revokedAt, revoked)]
    if by is not None:
        added.append((node, SCS.revokedBy, by))
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
    return Principal(
        role=match.role,
        department=URIRef(match.department) if match.department else None,
        # The name goes into the agent IRI of provenance records, so it is the token's
        # id (safe characters), not its free-text label.
        name=f"token-{match.id}",
        token=URIRef(TOKEN_PREFIX + match.id),
    )
