"""Giving a new department a token while `screg serve` holds the embedded store
(issue 20): a registrar adds the department, an admin makes its token, the department
submits with it at once, and an admin revokes it; a list downloads over the wire. One
real server on the embedded store, over real HTTP."""

from __future__ import annotations

import io
import os
from pathlib import Path

import httpx
from openpyxl import load_workbook

from registry.inputs.identifiers import credit_code_check_char
from registry.register.tokens import create_token
from registry.store import open_store
from tests import documents
from tests.servers import running_server

CODE = "11210100EXAMPLE98" + credit_code_check_char("11210100EXAMPLE98")


def test_a_new_department_gets_a_token_while_the_server_runs(
    seeded_dump: bytes, tmp_path: Path
) -> None:
    folder = str(tmp_path / "store")
    with open_store(folder) as store:  # closed again before the server takes the lock
        store.load_dump(seeded_dump, "nquads")
        _admin, admin = create_token(store, "admin", name="admin")
        _registrar, registrar = create_token(store, "registrar", name="registrar")
    env = {**os.environ, "SCREG_STORE": folder, "SCREG_SEED": "false"}
    with (
        running_server(env) as (base, _process),
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        added = client.post(
            "/api/v1/departments",
            json={"credit_code": CODE, "name": {"zh": "沈阳市新设局"}},
            headers={"Authorization": f"Bearer {registrar}"},
        )
        assert added.status_code == 201, added.text
        made = client.post(
            "/api/v1/tokens",
            json={"role": "submitter", "department": CODE, "name": "新设局"},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert made.status_code == 201, made.text
        assert made.headers["cache-control"] == "no-store"
        secret, token_id = made.json()["secret"], made.json()["token"]["id"]
        iri = added.json()["department"]["iri"]
        resource = documents.resource_ttl("109002/000001", title="新设局的资源", description="测试")
        # Published by the new department.
        resource = resource.replace(b"11210100EXAMPLE01N", CODE.encode())
        submitted = client.post(
            "/api/v1/submissions",
            content=resource,
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {secret}"},
        )
        assert submitted.status_code == 201, submitted.text
        mine = client.get("/api/v1/resources", params={"department": CODE}).json()
        assert mine["total"] == 1 and mine["items"][0]["publisher"]["iri"] == iri
        revoked = client.delete(
            f"/api/v1/tokens/{token_id}", headers={"Authorization": f"Bearer {admin}"}
        )
        assert revoked.status_code == 200
        again = client.post(
            "/api/v1/submissions",
            content=resource,
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {secret}"},
        )
        assert again.status_code == 401
        actions = client.get(
            f"/api/v1/tokens/{token_id}", headers={"Authorization": f"Bearer {admin}"}
        ).json()["actions"]
        assert [a["action"] for a in actions] == ["create", "revoke"]
        # The departments list downloads over the wire, the new one in it.
        book = client.get("/api/v1/departments", params={"format": "xlsx"})
        assert book.status_code == 200
        rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
        assert CODE in [row[2] for row in rows[1:]]
