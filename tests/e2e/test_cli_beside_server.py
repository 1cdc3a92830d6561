"""The CLI beside a running `screg serve` on the embedded store (issue 20): every
command failed with "the store ... is already open in another process", so a token, a
status change or a look at an entry needed the service stopped. Commands that read
now read a snapshot of the store; commands that write are sent to the server with the
local credential it leaves beside the store; each keeps its documented exit code."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from registry.register.tokens import create_token
from registry.store import open_store
from tests.conftest import EXAMPLES
from tests.documents import resource_ttl
from tests.servers import SCREG, running_server, seeded_folder, server_env

OWNER = "11210100EXAMPLE01N"
OTHER = "11210100EXAMPLE02R"


@pytest.fixture(scope="module")
def served(
    seeded_dump: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, subprocess.Popen]]:
    folder = seeded_folder(seeded_dump, tmp_path_factory.mktemp("beside") / "store")
    with running_server(server_env(folder)) as (base, process):
        yield base, folder, process


def screg(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREG_")}
    return subprocess.run(
        [str(SCREG), *args, "--store", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def credential(folder: Path) -> Path:
    return folder.with_name(folder.name + ".serve.json")


def test_the_server_leaves_a_credential_only_its_user_can_read(
    served: tuple[str, Path, subprocess.Popen],
) -> None:
    base, folder, process = served
    path = credential(folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    left = json.loads(path.read_text())
    assert left["url"] == base and left["pid"] == process.pid
    # The secret is an admin token that works on the server.
    answer = httpx.get(
        f"{base}/api/v1/tokens", headers={"Authorization": f"Bearer {left['secret']}"}
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        (("show", "GB/T 22239-2019"), 0, "GB/T 22239-2019"),
        (("history", "101001-000001"), 0, "valid"),
        (("graph", "GB/T 22239-2019"), 0, '"directed"'),
        (("impact", "GB/T 22239-2019"), 0, "affected"),
        (("coverage",), 0, "national"),
        (("cycles",), 0, "reference cycle"),
        (("check",), 0, "no findings"),
        (("export",), 0, "urn:screg:graph:current"),
        (("export", "--format", "dcat-ap"), 0, "dcat:Catalog"),
        (("validate", str(EXAMPLES / "catalogue-valid.ttl")), 0, ""),
        (("validate", str(EXAMPLES / "invalid" / "codes.ttl")), 1, "302001/000009"),
        (("register", str(EXAMPLES / "catalogue-valid.ttl"), "--dry-run"), 0, "dry run"),
        (("register", str(EXAMPLES / "invalid" / "codes.ttl"), "--dry-run"), 1, "302001/000009"),
        (("show", "GB/T 0000-1999"), 2, "error"),
    ],
)
def test_commands_that_read_work_beside_the_server(
    served: tuple[str, Path, subprocess.Popen], args: tuple[str, ...], code: int, shown: str
) -> None:
    _base, folder, _process = served
    done = screg(folder, *args)
    assert done.returncode == code, done.stdout + done.stderr
    assert shown in done.stdout + done.stderr
    assert "already open in another process" not in done.stderr


def test_register_dry_run_beside_the_server_decides_as_the_department_and_writes_nothing(
    served: tuple[str, Path, subprocess.Popen], tmp_path: Path
) -> None:
    """docs/deploy.md named `register --dry-run` a reading command; there was no such
    option (exit 2). It reads the store read-only beside the server and decides as
    the given department: its own new resource would be registered, another
    department may not submit it (exit 2); nothing reaches the server."""
    base, folder, _process = served
    own = tmp_path / "own.ttl"
    own.write_bytes(resource_ttl("101001/000556", title="试运行", description="服务器运行时试运行"))
    tried = screg(folder, "register", "--dry-run", "--department", OWNER, str(own))
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.startswith("dry run: it conforms; nothing was written")
    assert "  1 new" in tried.stdout and "sending this to it" not in tried.stderr
    theirs = screg(folder, "register", "--dry-run", "--department", OTHER, str(own))
    assert theirs.returncode == 2 and "another department" in theirs.stderr, theirs.stderr
    assert httpx.get(f"{base}/api/v1/resources/101001-000556").status_code == 404


def test_commands_that_write_go_through_the_server(
    served: tuple[str, Path, subprocess.Popen], tmp_path: Path
) -> None:
    base, folder, _process = served
    # A status change: sent to the server, seen at once by the server and by the CLI.
    done = screg(
        folder, "status", "GB/T 22239-2008", "superseded", "--successor", "GB/T 22239-2019"
    )
    assert done.returncode == 0, done.stderr
    assert "sending this to it" in done.stderr
    assert "superseded (version" in done.stdout
    answer = httpx.get(f"{base}/api/v1/standards/GB-T-22239-2008").json()
    assert answer["register"]["status"] == "superseded"
    history = screg(folder, "history", "GB/T 22239-2008")
    assert "superseded" in history.stdout, history.stdout
    # A refused transition keeps its exit code and the server's message.
    again = screg(folder, "status", "GB/T 22239-2008", "valid")
    assert again.returncode == 2 and "error:" in again.stderr
    # In the command's language, from the server's `messages` (its `message` is Chinese
    # for a client that names no language).
    assert "cannot become valid" in again.stderr, again.stderr
    chinese = screg(folder, "--lang", "zh", "status", "GB/T 22239-2008", "valid")
    assert chinese.returncode == 2 and "\n错误：" in chinese.stderr
    assert "不能变为" in chinese.stderr and "cannot" not in chinese.stderr, chinese.stderr
    # A conforming registration (exit 0) and a rejected one with its report (exit 1).
    ok = screg(folder, "register", str(EXAMPLES / "catalogue-valid.ttl"))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("submission ")
    bad = screg(folder, "register", str(EXAMPLES / "invalid" / "codes.ttl"))
    assert bad.returncode == 1, bad.stderr
    assert "302001/000009" in bad.stdout
    # Several files go as one submission (a multipart body); they exited 2 with "one
    # file at a time" before.
    first, second = tmp_path / "一.ttl", tmp_path / "two.ttl"
    first.write_bytes(resource_ttl("101001/000557", title="其一", description="多文件提交"))
    second.write_bytes(resource_ttl("101001/000558", title="其二", description="多文件提交"))
    two = screg(folder, "register", str(first), str(second), str(EXAMPLES / "departments.ttl"))
    assert two.returncode == 0, two.stderr
    lines = two.stdout.splitlines()
    assert lines[0].startswith("submission ") and "2 new" in lines[1], two.stdout
    assert "unchanged" in lines[1], two.stdout
    for code in ("101001-000557", "101001-000558"):
        assert httpx.get(f"{base}/api/v1/resources/{code}").status_code == 200
    # One of them rejected: the one report, nothing written, exit 1.
    invalid = screg(folder, "register", str(first), str(EXAMPLES / "invalid" / "codes.ttl"))
    assert invalid.returncode == 1 and "302001/000009" in invalid.stdout, invalid.stderr
    # A department's submission goes with a token of that department, made for it and
    # revoked after: its own resource is registered, another's is refused (403, exit 2).
    own = tmp_path / "own.ttl"
    own.write_bytes(resource_ttl("101001/000555", title="部门提交", description="经服务器"))
    mine = screg(folder, "register", "--department", OWNER, str(own))
    assert mine.returncode == 0, mine.stderr
    assert httpx.get(f"{base}/api/v1/resources/101001-000555").status_code == 200
    theirs = screg(folder, "register", "--department", OTHER, str(own))
    assert theirs.returncode == 2, theirs.stderr
    listed = json.loads(screg(folder, "token", "list", "--json").stdout)
    made = [t for t in listed if t["name"].startswith("screg register --department")]
    assert len(made) == 2 and {t["state"] for t in made} == {"revoked"}
    # A transfer, then the owner as the server answers it.
    moved = screg(folder, "transfer", "101001/000001", OTHER, "--reason", "职责划转")
    assert moved.returncode == 0, moved.stderr
    resource = httpx.get(f"{base}/api/v1/resources/101001-000001").json()
    assert OTHER in json.dumps(resource)
    # An OpenAPI import that does not conform: the report, exit 1; unreadable: exit 2.
    spec = str(EXAMPLES / "openapi" / "population-verify.yaml")
    rejected = screg(folder, "import-openapi", spec, "--department", OWNER)
    assert rejected.returncode == 1, rejected.stderr
    broken = screg(
        folder, "import-openapi", str(EXAMPLES / "openapi" / "invalid-spec.yaml"),
        "--department", OWNER,
    )  # fmt: skip
    assert broken.returncode == 2, broken.stderr


def test_assess_goes_through_the_server(served: tuple[str, Path, subprocess.Popen]) -> None:
    """`screg assess` failed with the store's lock error beside a server: the server
    runs it (a job the CLI follows), with a local run's lines and exit codes."""
    base, folder, _process = served
    before = httpx.get(f"{base}/api/v1/assessments").json()["total"]
    # The server runs without automatic assessments: the store holds none yet, so the
    # first run records some, and the answers show them at once.
    done = screg(folder, "assess")
    assert done.returncode == 0, done.stderr
    assert "sending this to it" in done.stderr
    made = done.stdout.strip()
    assert made.startswith("automatic assessments: ") and "submission http" in made, made
    changed = int(made.split(": ", 1)[1].split(" ", 1)[0])
    assert changed > 0
    assert httpx.get(f"{base}/api/v1/assessments").json()["total"] == before + changed
    # Again, and the outdated ones alone: nothing changes, in the command's language.
    again = screg(folder, "assess")
    assert again.returncode == 0 and again.stdout == "automatic assessments: nothing changed\n"
    outdated = screg(folder, "--lang", "zh", "assess", "--outdated")
    assert outdated.returncode == 0, outdated.stderr
    assert outdated.stdout == "自动符合性评估：没有变化\n"


@pytest.mark.parametrize(
    ("args", "rewrites"),
    [
        (("import", "{dump}"), "rewrites the whole store"),
        (("rebase", "--to", "https://data.example.gov.cn/id/"), "rewrites the whole store"),
        (("read-model", "rebuild"), "keeps its read model current by itself"),
    ],
)
def test_commands_that_rewrite_the_store_say_to_stop_the_server_first(
    served: tuple[str, Path, subprocess.Popen],
    tmp_path: Path,
    args: tuple[str, ...],
    rewrites: str,
) -> None:
    """`import`, `rebase` and `read-model rebuild` cannot go through the server: they
    exited 2 with the store's "already open in another process", which named no server
    and said nothing of what to do. They name the server and the steps, and write
    nothing."""
    base, folder, process = served
    dump = tmp_path / "dump.nq"
    exported = screg(folder, "export", "-o", str(dump))
    assert exported.returncode == 0, exported.stderr
    generation = httpx.get(f"{base}/api/v1/changes").json()
    done = screg(folder, *(a.format(dump=dump) for a in args))
    assert done.returncode == 2, done.stdout + done.stderr
    command = "screg " + " ".join(args[:2] if args[0] == "read-model" else args[:1])
    said = " ".join(done.stderr.split())
    assert f"pid {process.pid}, {base}" in said, said
    assert rewrites in said and f"kill -TERM {process.pid}" in said, said
    assert f"run `{command}`, then start `screg serve` again" in said, said
    assert "already open in another process" not in said
    chinese = screg(folder, "--lang", "zh", *(a.format(dump=dump) for a in args))
    assert chinese.returncode == 2 and f"进程 {process.pid}" in chinese.stderr
    assert "重新启动 `screg serve`" in chinese.stderr and "stop" not in chinese.stderr
    # Nothing was written: the same quads, the same change feed.
    after = tmp_path / "after.nq"
    assert screg(folder, "export", "-o", str(after)).returncode == 0
    assert sorted(after.read_bytes().splitlines()) == sorted(dump.read_bytes().splitlines())
    assert httpx.get(f"{base}/api/v1/changes").json() == generation


def test_tokens_are_listed_and_revoked_through_the_server(
    seeded_dump: bytes, tmp_path: Path
) -> None:
    folder = seeded_folder(seeded_dump, tmp_path / "store")
    with open_store(str(folder)) as store:
        info, secret = create_token(store, "submitter", OWNER, "clerk")
    with running_server(server_env(folder)) as (base, _process):
        listed = screg(folder, "token", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        states = {t["name"]: t["state"] for t in json.loads(listed.stdout)}
        assert states["clerk"] == "active"
        assert [v for k, v in states.items() if k.startswith("screg serve")] == ["active"]
        bearer = {"Authorization": f"Bearer {secret}"}
        assert httpx.get(f"{base}/api/v1/reviews", headers=bearer).status_code == 200
        revoked = screg(folder, "token", "revoke", info.id)
        assert revoked.returncode == 0, revoked.stderr
        assert f"revoked {info.id}" in revoked.stdout
        # At once: the server refuses the token on the next request.
        assert httpx.get(f"{base}/api/v1/reviews", headers=bearer).status_code == 401
        unknown = screg(folder, "token", "revoke", "000000000000")
        assert unknown.returncode == 2 and "error:" in unknown.stderr
        # A token made by the CLI while the server runs works at once.
        made = screg(folder, "token", "create", "--role", "submitter", "--department", OWNER)
        assert made.returncode == 0, made.stderr
        fresh = {"Authorization": f"Bearer {made.stdout.strip()}"}
        assert httpx.get(f"{base}/api/v1/reviews", headers=fresh).status_code == 200
        nobody = screg(folder, "token", "create", "--role", "submitter")
        assert nobody.returncode == 2 and "error:" in nobody.stderr


def test_the_credential_goes_and_its_token_is_revoked_when_the_server_stops(
    seeded_dump: bytes, tmp_path: Path
) -> None:
    folder = seeded_folder(seeded_dump, tmp_path / "store")
    with running_server(server_env(folder)):
        secret = json.loads(credential(folder).read_text())["secret"]
    # running_server stops it with SIGTERM, as a service manager would.
    assert not credential(folder).exists()
    listed = screg(folder, "token", "list", "--json")
    local = [t for t in json.loads(listed.stdout) if t["name"].startswith("screg serve")]
    assert [t["state"] for t in local] == ["revoked"]
    assert secret not in listed.stdout


def test_register_provisional_goes_through_the_server(
    served: tuple[str, Path, subprocess.Popen],
) -> None:
    """`--provisional` is sent as `?provisional=true`: the SEMIC example registers with
    what it lacks as Warnings to complete, and its entries as submitted."""
    from tests.register.test_provisional import mapping_examples

    base, folder, _process = served
    [bee] = [e for e in mapping_examples() if "bee" in e.name]
    common = ("register", "--lang", "en", "--format", "dcat", "--assign-codes", "109002")
    refused = screg(folder, *common, "--department", OWNER, str(bee))
    assert refused.returncode == 1, refused.stderr
    done = screg(folder, *common, "--department", OWNER, "--provisional", str(bee))
    assert done.returncode == 0, done.stderr
    assert "To complete before the entry can be valid" in done.stdout
    assert "2 registered provisionally" in done.stdout
    answer = httpx.get(f"{base}/api/v1/resources/109002%2F000001").json()
    assert answer["register"]["status"] == "submitted"
