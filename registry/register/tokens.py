"""Access tokens: who may write, as which role, for which department.

A token is a random secret shown once when it is made; the store keeps only
its SHA-256, with the role and the department, in the named graph
`urn:screg:graph:tokens`. A leaked store therefore holds no usable secret, and
checking a presented token compares digests in constant time.

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
from datetime import UTC, datetime
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

_TOKENS = f"""
SELECT ?t ?role ?dept ?name ?created ?revoked ?hash WHERE {{ GRAPH <{TOKEN_GRAPH}> {{
  ?t a <{SCS.AccessToken}> ; <{SCS.role}> ?role ; <{SCS.createdAt}> ?created .
  OPTIONAL {{ ?t <{DEPARTMENT_PROPERTY}> ?dept }}
  OPTIONAL {{ ?t <{RDFS.label}> ?name }}
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

    @property
    def active(self) -> bool:
        return self.revoked is None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "active": self.active}


def token_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


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
    store: Store, role: str, department: str | None = None, name: str = ""
) -> tuple[TokenInfo, str]:
    """Make a token; returns its description and the secret, which is never stored."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", {"allowed": list(ROLES)})
    if role == "submitter" and not department:
        raise InputError("a submitter token needs --department (提交者令牌须指定部门)")
    dept = department_iri(store, department) if department else None
    secret = secrets.token_urlsafe(32)
    token_id = secrets.token_hex(6)
    node = URIRef(TOKEN_PREFIX + token_id)
    created = _now()
    triples = [
        (node, RDF.type, SCS.AccessToken),
        (node, SCS.role, Literal(role)),
        (node, SCS.tokenSha256, Literal(token_sha256(secret))),
        (node, SCS.createdAt, created),
    ]
    if dept:
        triples.append((node, DEPARTMENT_PROPERTY, URIRef(dept)))
    if name:
        triples.append((node, RDFS.label, Literal(name)))
    store.write(WriteBatch().add_triples(TOKEN_GRAPH, triples))
    return TokenInfo(token_id, role, dept, name, str(created)), secret


def _rows(store: Store) -> list[tuple[TokenInfo, str | None]]:
    tokens = []
    for row in store.select(_TOKENS):
        info = TokenInfo(
            id=str(row["t"]).removeprefix(TOKEN_PREFIX),
            role=str(row["role"]),
            department=str(row["dept"]) if "dept" in row else None,
            name=str(row.get("name") or ""),
            created=str(row["created"]),
            revoked=str(row["revoked"]) if "revoked" in row else None,
        )
        tokens.append((info, str(row["hash"]) if "hash" in row else None))
    return sorted(tokens, key=lambda t: (t[0].created, t[0].id))


def list_tokens(store: Store) -> list[TokenInfo]:
    return [info for info, _digest in _rows(store)]


def revoke_token(store: Store, token_id: str) -> TokenInfo:
    """Revoke a token for good: its digest is removed, the record stays for the audit."""
    token_id = token_id.strip().removeprefix(TOKEN_PREFIX)
    found = [(i, d) for i, d in _rows(store) if _TOKEN_ID.match(token_id) and i.id == token_id]
    if not found:
        raise NotFoundError(f"no token {token_id!r}", {"id": token_id})
    info, digest = found[0]
    if not info.active:
        return info
    node = URIRef(TOKEN_PREFIX + token_id)
    revoked = _now()
    batch = WriteBatch().add_triples(TOKEN_GRAPH, [(node, SCS.revokedAt, revoked)])
    if digest is not None:
        batch.remove_triples(TOKEN_GRAPH, [(node, SCS.tokenSha256, Literal(digest))])
    store.write(batch)
    return TokenInfo(info.id, info.role, info.department, info.name, info.created, str(revoked))


def authenticate(store: Store, secret: str) -> Principal | None:
    """The principal of an active token, or None. Every stored digest is compared, each
    in constant time, so the answer time tells nothing about a near miss."""
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
    )
