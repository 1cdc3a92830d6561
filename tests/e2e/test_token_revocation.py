"""A token revoked while `screg serve` holds the embedded store (issue 17, point 7).

The server's process holds RocksDB's lock, so `screg token revoke` in another process
cannot open the store: it sends the revocation to the server (issue 20), which must
refuse the token on the very next request; the HTTP way does the same. The
failed-authentication limit is checked through a real uvicorn too (its headers on the
wire)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from registry.register.tokens import create_token
from registry.store import open_store
from tests.servers import SCREG, running_server


def test_revoking_while_the_server_holds_the_store(seeded_dump: bytes, tmp_path: Path) -> None:
    folder = str(tmp_path / "store")
    with open_store(folder) as store:  # closed again before the server takes the lock
        store.load_dump(seeded_dump, "nquads")
        _admin, admin = create_token(store, "admin", name="admin")
        victim, stolen = create_token(store, "registrar", name="stolen")
    env = {**os.environ, "SCREG_STORE": folder, "SCREG_SEED": "false"}
    with running_server(env) as (base, _process):
        tokens = f"{base}/api/v1/tokens"
        bearer = {"Authorization": f"Bearer {admin}"}
        assert httpx.get(tokens, headers={"Authorization": f"Bearer {stolen}"}).status_code == 403

        cli = subprocess.run(
            [str(SCREG), "token", "revoke", victim.id, "--store", folder],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cli.returncode == 0, cli.stderr
        assert f"revoked {victim.id}" in cli.stdout

        # Revoking again over HTTP answers the record, revoked.
        revoked = httpx.delete(f"{tokens}/{victim.id}", headers=bearer, timeout=30)
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["state"] == "revoked"
        refused = httpx.get(tokens, headers={"Authorization": f"Bearer {stolen}"}, timeout=30)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
        page = httpx.get(tokens, headers=bearer, params={"limit": 500}, timeout=30).json()
        assert page["total"] == len(page["items"])
        listed = {t["id"]: t for t in page["items"]}
        assert listed[victim.id]["state"] == "revoked" and listed[victim.id]["expires"]


def test_guessing_a_real_server_is_429_with_retry_after(seeded_dump: bytes, tmp_path: Path) -> None:
    limit = 3
    folder = str(tmp_path / "store")
    with open_store(folder) as store:
        store.load_dump(seeded_dump, "nquads")
    env = {
        **os.environ,
        "SCREG_STORE": folder,
        "SCREG_SEED": "false",
        "SCREG_AUTH_MAX_FAILURES": str(limit),
    }
    with (
        running_server(env) as (base, _process),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        for n in range(limit):
            guess = {"Authorization": f"Bearer guess-{n}"}
            assert client.get("/api/v1/tokens", headers=guess).status_code == 401
        refused = client.get("/api/v1/tokens", headers={"Authorization": "Bearer more"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["error"]["code"] == "too_many_requests"
        assert client.get("/api/v1/categories").status_code == 200
