"""`screg token ...` and `screg serve` through click's runner; docs/settings.md."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from registry.cli import main
from registry.config import Settings
from registry.namespaces import SCS
from registry.register.tokens import (
    TOKEN_GRAPH,
    TOKEN_PREFIX,
    authenticate,
    create_token,
    token_sha256,
)
from registry.store import WriteBatch, open_store
from tests.conftest import SHARED_SERVERS, server_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store_path(tmp_path: Path, seeded_dump: bytes, api_backend: str, open_seeded) -> str:
    """The `--store` of the commands, holding the seeded examples (so no command
    re-seeds): an embedded store on disk, or the URL of the remote back end under test."""
    if api_backend in SHARED_SERVERS:
        open_seeded(seeded_dump).close()
        return server_url(api_backend)
    path = str(tmp_path / "store")
    with open_store(path) as store:
        store.load_dump(seeded_dump, "nquads")
    return path


def test_token_create_list_revoke(store_path: str) -> None:
    runner = CliRunner()
    made = runner.invoke(
        main,
        [
            "token",
            "create",
            "--role",
            "submitter",
            "--department",
            "11210100EXAMPLE01N",
            "--name",
            "张三",
            "--store",
            store_path,
        ],
    )
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert len(secret) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", secret)
    token_id = re.search(r"id ([0-9a-f]{12})", made.stderr).group(1)

    with open_store(store_path) as store:
        principal = authenticate(store, secret)
        assert principal is not None and principal.role == "submitter"
        assert str(principal.department).endswith("/department/11210100EXAMPLE01N")
        stored = store.read_graph(TOKEN_GRAPH).serialize(format="nt")
        assert secret not in stored and token_sha256(secret) in stored

    listed = runner.invoke(main, ["token", "list", "--store", store_path])
    assert token_id in listed.output and "submitter" in listed.output and "active" in listed.output
    assert secret not in listed.output and token_sha256(secret) not in listed.output

    revoked = runner.invoke(main, ["token", "revoke", token_id, "--store", store_path])
    assert revoked.exit_code == 0, revoked.output
    with open_store(store_path) as store:
        assert authenticate(store, secret) is None
        assert token_sha256(secret) not in store.read_graph(TOKEN_GRAPH).serialize(format="nt")
    assert "revoked" in runner.invoke(main, ["token", "list", "--store", store_path]).output


def _lifetime(listed: dict[str, Any]) -> timedelta:
    return datetime.fromisoformat(listed["expires"]) - datetime.fromisoformat(listed["created"])


def test_token_create_expires_after_days_or_the_setting(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    base = ["token", "create", "--role", "registrar", "--store", store_path]
    made = runner.invoke(main, [*base, "--name", "thirty", "--days", "30"])
    assert made.exit_code == 0, made.output
    assert re.search(r"expires \d{4}-\d\d-\d\dT", made.stderr)
    assert runner.invoke(main, [*base, "--name", "default"]).exit_code == 0
    monkeypatch.setenv("SCREG_TOKEN_LIFETIME_DAYS", "7")
    assert runner.invoke(main, [*base, "--name", "setting"]).exit_code == 0
    listed = runner.invoke(main, ["token", "list", "--json", "--store", store_path])
    by_name = {t["name"]: t for t in json.loads(listed.output)}
    assert _lifetime(by_name["thirty"]) == timedelta(days=30)
    assert _lifetime(by_name["default"]) == timedelta(days=365)
    assert _lifetime(by_name["setting"]) == timedelta(days=7)
    assert all(t["state"] == "active" for t in by_name.values())
    table = runner.invoke(main, ["token", "list", "--store", store_path]).output
    assert f"expires {by_name['thirty']['expires']}" in table


@pytest.mark.parametrize("days", ["0", "-3", "many"])
def test_token_create_refuses_a_lifetime_that_is_not_a_positive_number(
    store_path: str, days: str
) -> None:
    args = ["token", "create", "--role", "admin", "--days", days, "--store", store_path]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--days" in result.output


def test_token_list_shows_old_tokens_as_no_expiry_and_expired_ones_as_expired(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = URIRef(TOKEN_PREFIX + "0123456789ab")
    with open_store(store_path) as store:
        # A token as stores written before tokens expired hold it: no scs:expiresAt.
        store.write(
            WriteBatch().add_triples(
                TOKEN_GRAPH,
                [
                    (node, RDF.type, SCS.AccessToken),
                    (node, SCS.role, Literal("registrar")),
                    (node, SCS.tokenSha256, Literal(token_sha256("old-secret"))),
                    (
                        node,
                        SCS.createdAt,
                        Literal("2025-01-01T00:00:00+00:00", datatype=XSD.dateTime),
                    ),
                ],
            )
        )
        short, _secret = create_token(store, "admin", name="short", lifetime=timedelta(days=1))
    monkeypatch.setattr(
        "registry.register.tokens.utcnow", lambda: datetime.fromisoformat(short.expires or "")
    )
    lines = CliRunner().invoke(main, ["token", "list", "--store", store_path]).output.splitlines()
    (old,) = [line for line in lines if line.startswith("0123456789ab")]
    assert "no expiry" in old and old.endswith("active")
    (expired,) = [line for line in lines if line.startswith(short.id)]
    assert expired.endswith("expired")


def test_token_commands_on_a_store_held_by_a_process_that_is_no_server_exit_2(
    store_path: str, api_backend: str
) -> None:
    """No `screg serve` left its address beside the store: nothing to send the command
    to, so it stops with the store's error (tests/e2e/test_cli_beside_server.py has
    the server case)."""
    if api_backend in SHARED_SERVERS:
        pytest.skip("a remote store is never held by one process: any number open it")
    runner = CliRunner()
    made = runner.invoke(main, ["token", "create", "--role", "admin", "--store", store_path])
    token_id = re.search(r"id ([0-9a-f]{12})", made.stderr).group(1)
    # An embedded store open elsewhere (here: in this process).
    with open_store(store_path):
        for args in (["token", "revoke", token_id], ["token", "list"]):
            result = runner.invoke(main, [*args, "--store", store_path])
            assert result.exit_code == 2, result.output
            assert "already open" in result.stderr and "sending" not in result.stderr
    revoked = runner.invoke(main, ["token", "revoke", token_id, "--store", store_path])
    assert revoked.exit_code == 0 and token_id in revoked.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "create", "--role", "submitter"], "department"),
        (
            ["token", "create", "--role", "submitter", "--department", "91210100NOTHERE00X"],
            "nothing is registered",
        ),
        (
            ["token", "create", "--role", "submitter", "--department", "GB/T 21063.3-2007"],
            "not a registered department",
        ),
        # A registrar's token with a department looked limited to it and was not.
        (
            ["token", "create", "--role", "registrar", "--department", "11210100EXAMPLE01N"],
            "only a submitter token belongs to a department",
        ),
        (
            ["token", "create", "--role", "admin", "--department", "11210100EXAMPLE01N"],
            "only a submitter token belongs to a department",
        ),
        (["token", "revoke", "ffffffffffff"], "no token"),
    ],
)
def test_token_errors_exit_2(store_path: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, [*args, "--store", store_path])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_token_role_is_checked_by_click(store_path: str) -> None:
    result = CliRunner().invoke(main, ["token", "create", "--role", "king", "--store", store_path])
    assert result.exit_code == 2 and "king" in result.output


def test_serve_runs_uvicorn_with_the_factory(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    result = CliRunner().invoke(
        main, ["serve", "--store", store_path, "--host", "127.0.0.1", "--port", "8123", "--no-seed"]
    )
    assert result.exit_code == 0, result.output
    ((factory, options),) = calls
    assert options["factory"] is True and options["port"] == 8123
    assert options["host"] == "127.0.0.1"
    app = factory()
    assert isinstance(app, FastAPI)
    assert app.state.settings.store == store_path and app.state.settings.seed is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SCREG_SPARQL_MEMORY_COPY", "sometimes"),
        ("SCREG_LANG", "fr"),
        ("SCREG_SPARQL_TIMEOUT_SECONDS", "0"),
        # a worker could not even open the store under it
        ("SCREG_SPARQL_WORKER_MEMORY_MB", "100"),
        # not a zone, and a path that zoneinfo must not open
        ("SCREG_TIME_ZONE", "Mars/Olympus_Mons"),
        ("SCREG_TIME_ZONE", "../../etc/passwd"),
    ],
)
def test_serve_refuses_a_bad_setting_before_starting(
    store_path: str, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    calls: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(app))
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(main, ["serve", "--store", store_path, "--no-seed"])
    assert result.exit_code == 2, result.output
    assert variable.removeprefix("SCREG_").lower() in result.output
    assert calls == []


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name}`" in text, name
        assert f"`SCREG_{name.upper()}`" in text, name


def test_create_app_builds_nothing_at_import() -> None:
    import api

    # Importing the package gives a factory, not an app.
    assert callable(api.create_app)
    assert not any(isinstance(v, FastAPI) for v in vars(api).values())


def test_read_model_rebuild_over_a_store_whose_model_is_in_memory_did_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over a remote (or memory) store without SCREG_READ_MODEL the command rebuilt a
    model in its own memory, printed "rebuilt" and exited 0: nothing any server uses."""
    monkeypatch.delenv("SCREG_READ_MODEL", raising=False)
    result = CliRunner().invoke(
        main, ["--lang", "en", "read-model", "rebuild", "--store", "memory"]
    )
    assert result.exit_code == 2, result.output
    assert "SCREG_READ_MODEL" in result.output and "rebuilt" not in result.output
