"""The CLI beside a running `screg serve` on the embedded store.

The embedded store takes one writing process. While `screg serve` holds it, the
commands that read open it read-only (a snapshot, registry/store/oxigraph.py), and
the commands that write go through the server: `screg serve` leaves, beside the store
(`<store>.serve.json`, readable by the machine's user that runs it only), where it
listens and the secret of an admin token it made for this run; the CLI reads it and
sends the operation over HTTP. The token is revoked, and the file removed, when the
server stops; a file left by a server that was killed is replaced by the next one,
whose start revokes the token it named.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from registry.bilingual import Text
from registry.errors import RegistryError
from registry.register.tokens import create_token, revoke_token
from registry.store import Store, backend_kind

logger = logging.getLogger(__name__)

SUFFIX = ".serve.json"


@dataclass
class LocalServer:
    """Where a `screg serve` on this machine listens, and its local admin credential."""

    url: str
    pid: int
    token_id: str
    secret: str


def credential_path(store_setting: str) -> Path | None:
    """Where a server on the embedded store `store_setting` leaves its address: a file
    beside the store folder (as its read model is). None for other back ends, which
    take any number of processes."""
    if backend_kind(store_setting) != "path":
        return None
    folder = Path(store_setting)
    return folder.with_name(folder.name + SUFFIX)


def listening_url(host: str, port: int) -> str:
    """The URL a command on this machine reaches the server at."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _read(path: Path) -> LocalServer | None:
    try:
        return LocalServer(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to reach
    return True


def announce(store: Store, store_setting: str, url: str, lifetime: timedelta) -> LocalServer | None:
    """Make this run's admin token and leave the file (None for a store that is not
    embedded). A file left by a server that is gone has its token revoked first."""
    path = credential_path(store_setting)
    if path is None:
        return None
    stale = _read(path)
    if stale is not None:
        with contextlib.suppress(RegistryError):  # revoked already, or not of this store
            revoke_token(store, stale.token_id)
    info, secret = create_token(
        store, "admin", None, f"screg serve on this machine (pid {os.getpid()})", lifetime=lifetime
    )
    server = LocalServer(url=url, pid=os.getpid(), token_id=info.id, secret=secret)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    # Created with the user's read and write bits only, before the secret is written.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(server), out)
    os.replace(temporary, path)
    return server


def withdraw(store: Store | None, store_setting: str, server: LocalServer) -> None:
    """Remove the file (if it is still this server's) and revoke its token."""
    path = credential_path(store_setting)
    if path is not None:
        current = _read(path)
        if current is not None and current.token_id == server.token_id:
            path.unlink(missing_ok=True)
    if store is not None:
        try:
            revoke_token(store, server.token_id)
        except RegistryError:
            logger.warning("the local admin token %s was not revoked", server.token_id)


def running(store_setting: str) -> LocalServer | None:
    """The server holding the embedded store `store_setting`, when one left its file
    and its process is alive."""
    path = credential_path(store_setting)
    if path is None:
        return None
    server = _read(path)
    if server is None or not _alive(server.pid):
        return None
    return server


def server_message(error: dict[str, Any], status: int) -> Text:
    """The message of a server's error body in both languages: its `messages` (a server
    of this version), else its one `message` for both."""
    messages = error.get("messages")
    if isinstance(messages, dict) and {"zh", "en"} <= messages.keys():
        return Text(zh=str(messages["zh"]), en=str(messages["en"]))
    message = error.get("message")
    if message:
        return Text(zh=str(message), en=str(message))
    return Text(zh=f"服务器返回 {status}", en=f"the server answered {status}")


class ServerError(RegistryError):
    """The running server refused the operation: its status and error body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        super().__init__(server_message(error, status), error.get("details"))
        self.status = status
        self.body = body


def call(
    server: LocalServer,
    method: str,
    path: str,
    *,
    timeout: float = 600.0,
    secret: str | None = None,
    **request: Any,
) -> dict[str, Any]:
    """One request to the server with its local admin token (or `secret`); the JSON
    answer, a job (202) followed to its end. ServerError for an error answer."""
    import time

    import httpx

    bearer = secret or server.secret
    headers = {"Authorization": f"Bearer {bearer}", **request.pop("headers", {})}
    try:
        with httpx.Client(base_url=server.url, timeout=timeout) as client:
            answer = client.request(method, path, headers=headers, **request)
            if answer.status_code == 202 and "Location" in answer.headers:
                href = answer.headers["Location"]
                while True:
                    job = client.get(href, headers=headers).json()
                    if job.get("status") == "done":
                        return dict(job.get("result") or {})
                    if job.get("status") == "failed":
                        error = job.get("error") or {}
                        raise ServerError(int(error.get("status", 500)), {"error": error})
                    time.sleep(0.2)
    except httpx.HTTPError as exc:
        raise RegistryError(
            Text(
                zh=(f"持有存储的服务器（进程 {server.pid}，{server.url}）没有响应：{exc}"),
                en=(
                    f"the server that holds the store (pid {server.pid}, "
                    f"{server.url}) did not answer: {exc}"
                ),
            )
        ) from None
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if answer.status_code >= 400:
        raise ServerError(answer.status_code, body if isinstance(body, dict) else {})
    return body if isinstance(body, dict) else {"items": body}
