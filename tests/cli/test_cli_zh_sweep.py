"""The command line in Chinese reads without English (issue 20): every command run with
`screg --lang zh`, its own lines (progress, what it did, what it found, errors) swept
for English words. Codes, IRIs, identifiers, file names, options and the names a
bureau uses as they are (tests/api/test_zh_sweep.py's allow-list) are allowed; what a
command prints as data (Turtle, JSON, an export) is not its own words and is not swept.
Before: "submission …", "3 unchanged", "imported; store generation 7", "no findings"."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from registry.cli import main
from registry.cli.messages import LINES, WORDS
from tests import documents
from tests.api.test_zh_sweep import ALLOWED, RDF_NAME, WORD
from tests.conftest import EXAMPLES
from tests.servers import seeded_folder

OTHER_DEPT = "11210100EXAMPLE02R"
NEW_RESOURCE = "109001/000001"
# Words the command line's own lines name as they are: the program and its commands.
CLI_ALLOWED = {"screg", "serve", "validate"}
# What is a code, a name of the data or an identifier, not a word: IRIs and URNs, file
# names and paths, `commands` and --options, times, digests and ids, upper-case codes.
NOT_WORDS = re.compile(
    r"\{\?\w+\}|\b\w+://\S+|\burn:\S+|`[^`]*`|--[a-z][\w-]*|\S+\.(?:ttl|csv|xlsx|nq|sqlite)\b"
    r"|\S*/\S+|\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:\d\d|Z)?"
    r"|\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|\b[0-9a-f]{16,}\b"
    r"|\b[A-Z0-9]+(?:[-_/.][A-Z0-9]+)+\b|\b[A-Z]{2,}\w*|\w*\d\w*"
)


def english(text: str) -> set[str]:
    """The English words left in `text` once its codes and names are taken out."""
    found = set(RDF_NAME.findall(text))
    rest = NOT_WORDS.sub(" ", RDF_NAME.sub(" ", text))
    return found | {w for w in WORD.findall(rest) if w.lower() not in ALLOWED | CLI_ALLOWED}


def zh(*args: str, input: bytes | None = None) -> Result:
    """`screg --lang zh ARGS` in an English locale, so only --lang makes it Chinese."""
    env = {"LC_ALL": None, "LC_MESSAGES": None, "SCREG_LANG": None, "LANG": "C.UTF-8"}
    return CliRunner().invoke(main, ["--lang", "zh", *args], input=input, env=env)


def test_the_sweep_finds_english_and_lets_codes_through() -> None:
    assert english("提交 3 个 unchanged") == {"unchanged"}
    assert english("存储由 screg serve 占用：http://127.0.0.1:8000 --store var/x") == set()
    assert english("SY-DSJ-API-001 GB/T 22239-2019 11210100EXAMPLE01N 2026-12-06T03:10:00Z") == (
        set()
    )
    assert english("须为 org:Organization") == {"org:Organization"}


def test_every_line_of_the_catalogue_has_both_languages_alike() -> None:
    """The same values in both halves, and Chinese in the zh one."""
    for key, text in LINES.items():
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(half) if f} for half in (text.zh, text.en)
        ]
        assert fields[0] == fields[1], key
        assert not english(re.sub(r"\{[^}]*\}", " ", text.zh)), key
    for code, text in WORDS.items():
        assert not english(text.zh), (code, text.zh)


@pytest.fixture
def store(tmp_path: Path, seeded_dump: bytes) -> str:
    return str(seeded_folder(seeded_dump, tmp_path / "store"))


def test_every_command_speaks_chinese(tmp_path: Path, store: str) -> None:
    resource = tmp_path / "resource.ttl"
    resource.write_bytes(
        documents.resource_ttl(NEW_RESOURCE, title="命令行测试资源", description="命令行测试。")
    )
    s = ("--store", store)
    runs: dict[str, tuple[Result, int, bool]] = {}

    def run(name: str, *args: str, code: int = 0, own_stdout: bool = True) -> Result:
        result = zh(*args)
        runs[name] = (result, code, own_stdout)
        return result

    run("validate", "validate", str(EXAMPLES / "catalogue-valid.ttl"), *s)
    run("validate rejected", "validate", str(EXAMPLES / "invalid" / "codes.ttl"), *s, code=1)
    run("register", "register", str(resource), *s)
    run("register again", "register", str(resource), *s)
    run("status", "status", NEW_RESOURCE, "deprecated", *s)
    run("transfer", "transfer", NEW_RESOURCE, OTHER_DEPT, "--reason", "职能调整", *s)
    run("history", "history", NEW_RESOURCE, *s)
    run("show", "show", NEW_RESOURCE, *s, own_stdout=False)
    run("impact", "impact", "GB/T 22239-2019", *s)
    run("impact paged", "impact", "GB/T 22239-2019", "--limit", "1", "--offset", "1", *s)
    run("cycles", "cycles", *s)
    run("coverage", "coverage", *s)
    run("check", "check", *s)
    run("rules", "rules")
    run("assess", "assess", *s)
    run("read-model", "read-model", "rebuild", *s)
    made = run(
        "token create",
        "token",
        "create",
        "--role",
        "submitter",
        "--department",
        OTHER_DEPT,
        "--name",
        "测试",
        *s,
        own_stdout=False,
    )
    token_id = made.stderr.split("，", 1)[0].split()[-1]
    run("token list", "token", "list", *s)
    run("token revoke", "token", "revoke", token_id, *s)
    export = tmp_path / "export.nq"
    run("export", "export", "-o", str(export), *s, own_stdout=False)
    copy = ("--store", str(tmp_path / "copy"), "--no-seed")
    run("import", "import", str(export), *copy)
    run("rebase", "rebase", "--to", "http://example.org/id/", *copy)
    run("graph", "graph", "GB/T 22239-2019", *s, own_stdout=False)
    run("template", "template", "catalogue", "-o", str(tmp_path / "t.csv"), "--format", "csv")
    run("error", "show", "GB/T 0-1999", *s, code=2)
    # An error's details were printed under the API's English keys (`file:`, `rule:`).
    unreadable = tmp_path / "目录.xlsx"
    unreadable.write_bytes("不是工作簿".encode())
    run("unreadable", "validate", str(unreadable), *s, code=2)
    run("bad option value", "token", "create", "--role", "submitter", *s, code=2)

    leftovers = {}
    for name, (result, code, own_stdout) in runs.items():
        assert result.exit_code == code, (name, result.output)
        text = result.stderr + (result.stdout if own_stdout else "")
        found = english(text)
        if found:
            leftovers[name] = (sorted(found), text[:600])
    assert not leftovers, "\n".join(f"{k}: {v}" for k, v in leftovers.items())
    # What the lines said, in Chinese.
    assert (
        runs["register"][0].stdout.startswith("提交 ") and "新增 1 个" in runs["register"][0].stdout
    )
    assert "现为已弃用" in runs["status"][0].stdout
    assert "未发现问题" in runs["check"][0].stdout
    assert runs["error"][0].stderr.startswith("错误：")
