"""Page sessions: what a browser keeps after signing in, instead of the token.

The pages' sign-in takes a token once. The browser's cookie then holds a session: a
new random secret that stands for that token for `session_hours`, not the token
itself. The cookie was the token before, and that had three costs:

- signing out only deleted the cookie in that browser; a copy of it went on working
  until the token expired, a year later;
- a copied cookie was also a bearer token for the whole API;
- a browser left signed in stayed signed in for the token's whole life.

A session is kept like a token: the store holds only its SHA-256, beside the token it
stands for, in the hidden graph `urn:screg:graph:tokens`, so every API process over
the store sees the same sessions, and a leaked store holds no usable cookie. A
session authenticates while it has not expired, has not been ended (signed out), and
its token is still active: revoking or expiring the token ends its sessions at once.
Only the pages take a session; the API's `Authorization` header takes tokens alone.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from registry.namespaces import SCS
from registry.register import tokens
from registry.register.submission import Principal
from registry.register.tokens import (
    TOKEN_GRAPH,
    active_principal,
    has_passed,
    timestamp,
    token_sha256,
)
from registry.store import Store, WriteBatch

SESSION_PREFIX = "urn:screg:session:"
#: How long a session lasts when nobody says otherwise (the setting session_hours).
DEFAULT_LIFETIME = timedelta(hours=12)

_SESSIONS = f"""
SELECT ?s ?hash ?token ?expires WHERE {{ GRAPH <{TOKEN_GRAPH}> {{
  ?s a <{SCS.PageSession}> ; <{SCS.sessionSha256}> ?hash ; <{SCS.sessionOf}> ?token ;
     <{SCS.expiresAt}> ?expires .
}} }}"""


def _rows(store: Store) -> list[tuple[URIRef, str, URIRef, str]]:
    return [
        (URIRef(str(r["s"])), str(r["hash"]), URIRef(str(r["token"])), str(r["expires"]))
        for r in store.select(_SESSIONS)
    ]


def open_session(store: Store, principal: Principal, lifetime: timedelta = DEFAULT_LIFETIME) -> str:
    """A new session for the token `principal` signed in with; returns its secret (for
    the cookie), which is never stored. Sessions that have expired, of any token, are
    removed in the same write, so they do not pile up."""
    if principal.token is None:
        raise ValueError("only a token's principal signs in to the pages")
    secret = secrets.token_urlsafe(32)
    node = URIRef(SESSION_PREFIX + secrets.token_hex(8))
    now = tokens.utcnow()
    batch = WriteBatch()
    for old, _digest, _token, expires in _rows(store):
        if has_passed(expires, now):
            batch.remove_triples(TOKEN_GRAPH, store.match(TOKEN_GRAPH, old, None))
    batch.add_triples(
        TOKEN_GRAPH,
        [
            (node, RDF.type, SCS.PageSession),
            (node, SCS.sessionSha256, Literal(token_sha256(secret))),
            (node, SCS.sessionOf, principal.token),
            (node, SCS.createdAt, timestamp(now)),
            (node, SCS.expiresAt, timestamp(now + lifetime)),
        ],
    )
    store.write(batch)
    return secret


def _find(store: Store, secret: str) -> tuple[URIRef, URIRef, str] | None:
    """The session whose secret is `secret`: its node, token and expiry. Every stored
    digest is compared, each in constant time, as for tokens."""
    presented = token_sha256(secret)
    found = None
    for node, digest, token, expires in _rows(store):
        if hmac.compare_digest(digest, presented):
            found = (node, token, expires)
    return found


def session_principal(store: Store, secret: str) -> Principal | None:
    """Who the session `secret` signs in as, or None: unknown, ended, expired, or its
    token no longer active."""
    found = _find(store, secret)
    if found is None:
        return None
    _node, token, expires = found
    if has_passed(expires, tokens.utcnow()):
        return None
    return active_principal(store, token)


def end_session(store: Store, secret: str) -> bool:
    """Sign out: the session `secret` is removed, so no copy of the cookie works any
    more. Whether there was one to end."""
    found = _find(store, secret)
    if found is None:
        return False
    store.write(WriteBatch().remove_triples(TOKEN_GRAPH, store.match(TOKEN_GRAPH, found[0], None)))
    return True
