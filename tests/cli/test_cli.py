"""The screg command through click's runner: exit codes and output of every command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.namespaces import SCS
from registry.store import Store, open_store
from tests.conftest import EXAMPLES
from tests.documents import resource_ttl


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_validate_valid_catalogue_exits_0(store_path: str) -> None:
    result = run(
        "validate", str(EXAMPLES / "catalogue-valid.ttl"), "--store", store_path, "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms")
    assert "GB/T 35273-2020" in result.output  # the warning names the successor


def test_validate_invalid_catalogue_exits_1_with_report(store_path: str) -> None:
    result = run(
        "validate",
        str(EXAMPLES / "invalid" / "sharing.ttl"),
        "--store",
        store_path,
        "--report",
        "json",
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    assert report["counts"]["Violation"] == 5
    assert {r["entry"].rsplit("/", 1)[-1] for r in report["results"]} == {
        "204001-000101",
        "204001-000102",
        "204001-000103",
    }


@pytest.mark.parametrize("fmt", ["turtle", "csv", "text"])
def test_validate_report_formats(store_path: str, fmt: str) -> None:
    result = run(
        "validate", str(EXAMPLES / "invalid" / "codes.ttl"), "--store", store_path, "--report", fmt
    )
    assert result.exit_code == 1
    # codes.ttl: 5 Violations of the shapes, 2 entries not at their minted IRIs
    marker = {"turtle": "sh:ValidationReport", "csv": "severity,entry,focus", "text": "违规 7 项"}
    assert marker[fmt] in result.output


def test_validate_unreadable_input_exits_2(tmp_path: Path, store_path: str) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(b"@prefix ex: <http://e/> .\nex:a ex:b .\n")
    result = CliRunner().invoke(main, ["validate", str(bad), "--store", store_path])
    assert result.exit_code == 2
    assert "line" in result.output or "line" in (result.stderr or "")
    missing = CliRunner().invoke(
        main, ["validate", str(tmp_path / "nope.ttl"), "--store", store_path]
    )
    assert missing.exit_code == 2
    unknown = CliRunner().invoke(
        main, ["validate", str(bad), "--format", "docx", "--store", store_path]
    )
    assert unknown.exit_code == 2


def test_validate_reads_stdin(store_path: str) -> None:
    data = (EXAMPLES / "departments.ttl").read_bytes()
    result = run("validate", "-", "--format", "turtle", "--store", store_path, input=data)
    assert result.exit_code == 0, result.output


def test_register_history_show_status(tmp_path: Path, store_path: str) -> None:
    source = (EXAMPLES / "catalogue-valid.ttl").read_text(encoding="utf-8")
    # Three updates of one resource: four versions.
    for n in range(3):
        changed = source.replace('"人口基础信息"@zh', f'"人口基础信息(第{n + 2}版)"@zh')
        path = tmp_path / f"v{n}.ttl"
        path.write_text(changed, encoding="utf-8")
        result = run(
            "register", str(path), "--department", "11210100EXAMPLE01N", "--store", store_path
        )
        assert result.exit_code == 0, result.output
    history = run("history", "101001/000001", "--store", store_path, "--json")
    assert [v["number"] for v in json.loads(history.output)["versions"]] == [1, 2, 3, 4]
    first = run("show", "101001/000001", "--version", "1", "--format", "nt", "--store", store_path)
    assert '"人口基础信息"@zh' in first.output and "第2版" not in first.output
    status = run(
        "status",
        "GB/T 36073-2018",
        "deprecated",
        "--reason",
        "newer edition",
        "--store",
        store_path,
    )
    assert status.exit_code == 0, status.output
    refused = CliRunner().invoke(
        main, ["status", "GB/T 36073-2018", "superseded", "--store", store_path]
    )
    assert refused.exit_code == 2  # superseded needs --successor


def test_register_rejected_exits_1_and_writes_nothing(store_path: str) -> None:
    with open_store(store_path) as store:
        before = store.dump("nquads")
    result = run("register", str(EXAMPLES / "invalid" / "references.ttl"), "--store", store_path)
    assert result.exit_code == 1
    with open_store(store_path) as store:
        assert store.dump("nquads") == before


def test_register_for_another_department_exits_2(store_path: str) -> None:
    result = CliRunner().invoke(
        main,
        [
            "register",
            str(EXAMPLES / "catalogue-valid.ttl"),
            "--department",
            "11210100EXAMPLE02R",
            "--store",
            store_path,
        ],
    )
    assert result.exit_code == 2
    assert "another department" in (result.output + (result.stderr or ""))


def test_register_dry_run_decides_as_the_submission_and_writes_nothing(
    tmp_path: Path, store_path: str
) -> None:
    """docs/deploy.md named `register --dry-run` a reading command, but there was no such
    option. It decides as the submission would be decided, ownership included, and
    says what registering would give; nothing is written."""
    with open_store(store_path) as store:
        before = store.dump("nquads")
    own = tmp_path / "own.ttl"
    own.write_bytes(resource_ttl("101001/000777", title="试运行资源", description="试运行。"))
    as_owner = ("--department", "11210100EXAMPLE01N", "--store", store_path)
    tried = CliRunner().invoke(main, ["register", str(own), "--dry-run", *as_owner])
    assert tried.exit_code == 0, tried.output
    assert tried.stdout.startswith("dry run: it conforms; nothing was written")
    assert "  1 new" in tried.stdout and "submission" not in tried.stdout
    others = CliRunner().invoke(
        main,
        ["register", str(own), "--dry-run", "--department", "11210100EXAMPLE02R",
         "--store", store_path],
    )  # fmt: skip
    assert others.exit_code == 2 and "another department" in others.stderr, others.output
    invalid = str(EXAMPLES / "invalid" / "references.ttl")
    rejected = run("register", invalid, "--dry-run", "--store", store_path)
    assert rejected.exit_code == 1 and "103004-000201" in rejected.output
    again = run(
        "register", str(EXAMPLES / "catalogue-valid.ttl"), "--dry-run", "--store", store_path
    )
    assert again.exit_code == 0 and "unchanged" in again.stdout and "new" not in again.stdout
    with open_store(store_path) as store:
        assert store.dump("nquads") == before
    # The registration itself gives what the dry run said.
    registered = CliRunner().invoke(main, ["register", str(own), *as_owner])
    assert registered.exit_code == 0 and "  1 new" in registered.stdout, registered.output


def test_export_import_round_trip(tmp_path: Path, store_path: str) -> None:
    dump = tmp_path / "dump.nq"
    assert run("export", "-o", str(dump), "--store", store_path).exit_code == 0
    target = tmp_path / "restored"
    result = run("import", str(dump), "--store", str(target))
    assert result.exit_code == 0, result.output
    with open_store(str(target)) as restored, open_store(store_path) as original:
        # The same quads, but where the restored store's change log begins.
        since = f"<{SCS.changeLogSince}>".encode()

        def quads(store: Store) -> set[bytes]:
            return {line for line in store.dump().splitlines() if since not in line}

        assert quads(restored) == quads(original)
        assert any(since in line for line in restored.dump().splitlines())
    again = CliRunner().invoke(main, ["import", str(dump), "--store", str(target)])
    assert again.exit_code == 2  # not empty any more


def test_import_of_a_broken_dump_loads_nothing_and_exits_2(tmp_path: Path, store_path: str) -> None:
    broken = tmp_path / "broken.nq"
    broken.write_text('<http://example.org/a> <http://example.org/b> "unterminated .\n')
    target = tmp_path / "restored"
    result = run("import", str(broken), "--store", str(target))
    assert result.exit_code == 2
    assert "cannot read the dump, nothing loaded" in result.output
    with open_store(str(target)) as store:
        assert store.quad_count() == 0
    assert not target.with_name(target.name + ".graph").exists()
    # the store is still empty: a good dump is imported into it
    dump = tmp_path / "dump.nq"
    assert run("export", "-o", str(dump), "--store", store_path).exit_code == 0
    assert run("import", str(dump), "--store", str(target)).exit_code == 0
    assert target.with_name(target.name + ".graph").exists()


def test_no_seed_leaves_an_empty_store_empty(tmp_path: Path) -> None:
    data = EXAMPLES / "departments.ttl"
    path = str(tmp_path / "empty")
    result = run("validate", str(data), "--store", path, "--no-seed", "--report", "json")
    # Without the seeded vocabulary in the store, the validator still has its own copy.
    assert result.exit_code == 0, result.output
    with open_store(path) as store:
        assert store.quad_count() == 0
    seeded = str(tmp_path / "seeded")
    assert run("validate", str(data), "--store", seeded).exit_code == 0
    with open_store(seeded) as store:
        assert store.quad_count() > 1000


def test_cli_reads_files_larger_than_the_http_upload_limit(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload limit guards the HTTP server; `screg validate`/`register` read their
    user's own files whatever their size (a 10,000-resource catalogue is ~40 MB and was
    refused with exit 2)."""
    catalogue = EXAMPLES / "catalogue-valid.ttl"
    limit = catalogue.stat().st_size // 2
    monkeypatch.setenv("SCREG_MAX_BODY_BYTES", str(limit))
    checked = run("validate", str(catalogue), "--store", store_path, "--report", "json")
    assert checked.exit_code == 0, checked.output
    registered = run("register", str(catalogue), "--store", store_path)
    assert registered.exit_code == 0, registered.output

    from registry.config import Settings
    from registry.errors import PayloadTooLargeError
    from registry.inputs.document import Document
    from registry.service import Registry

    # The same file through the Registry the HTTP API uses is refused.
    doc = Document(name=catalogue.name, data=catalogue.read_bytes(), format=None)
    api_side = Registry(Settings(store="memory", seed=False, max_body_bytes=limit))
    with api_side, pytest.raises(PayloadTooLargeError):
        api_side.parse([doc])


def test_a_command_without_a_store_made_one_without_a_word(tmp_path: Path) -> None:
    """Run outside the checkout without --store, `screg register` made ./var/registry,
    seeded it and said "5 new" there: the clerk believed the registry had them."""
    store = tmp_path / "var" / "registry"
    doc = tmp_path / "r.ttl"
    doc.write_bytes(resource_ttl("109001/000123", title="新存储", description="测试。"))
    runner = CliRunner()
    first = runner.invoke(main, ["--lang", "en", "register", "--store", str(store), str(doc)])
    assert first.exit_code == 0, first.output
    assert f"there is no store at {store}: a new one is made" in first.stderr
    again = runner.invoke(main, ["--lang", "en", "register", "--store", str(store), str(doc)])
    assert again.exit_code == 0 and "no store" not in again.stderr


def test_validate_without_a_store_checked_against_a_new_one_without_a_word(
    tmp_path: Path,
) -> None:
    """`screg validate` outside the checkout made and seeded ./var/registry silently and
    checked the document against the examples alone (the DCAT probe)."""
    store = tmp_path / "var" / "registry"
    doc = tmp_path / "r.ttl"
    doc.write_bytes(resource_ttl("109001/000124", title="新存储", description="测试。"))
    runner = CliRunner()
    first = runner.invoke(main, ["--lang", "en", "validate", "--store", str(store), str(doc)])
    assert first.exit_code == 0, first.output
    assert f"there is no store at {store}: a new one is made, holding only" in first.stderr
    again = runner.invoke(main, ["--lang", "en", "validate", "--store", str(store), str(doc)])
    assert again.exit_code == 0 and "no store" not in again.stderr


def test_a_refusal_listed_its_entries_as_a_python_list_in_english(store_path: str) -> None:
    """The 403 of another department's entries printed `entries: [{'entry': ...,
    'reason': "registered as another department's entry", ...}]` in a Chinese run."""
    args = ["--lang", "zh", "register", str(EXAMPLES / "catalogue-valid.ttl")]
    result = CliRunner().invoke(
        main, [*args, "--department", "11210100EXAMPLE02R", "--store", store_path]
    )
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    listed = [line for line in lines if line.startswith("    - 条目: ")]
    assert listed and all("原因: " in line for line in listed), lines
    assert "another department" not in result.stderr and "{'" not in result.stderr


def test_a_report_for_a_clerks_spreadsheet_was_only_the_programs_csv(store_path: str) -> None:
    """`--report csv --lang zh` is the file for programs: English titles and levels, no
    BOM, so Excel on a Chinese Windows showed the messages garbled. `--report sheet`
    is the validation page's download: a BOM, titles and levels in --lang."""
    result = run(
        "validate",
        str(EXAMPLES / "invalid" / "codes.ttl"),
        "--store",
        store_path,
        "--report",
        "sheet",
        "--lang",
        "zh",
    )
    assert result.exit_code == 1
    assert result.output.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(result.output.removeprefix("\ufeff"))))
    assert rows[0][0] == "级别" and not any(c.isascii() and c.isalpha() for c in "".join(rows[0]))
    assert {row[0] for row in rows[1:]} == {"违规"}
    assert len(rows) == 1 + 7


def test_a_missing_file_was_told_in_the_systems_english_in_a_chinese_run(
    tmp_path: Path, store_path: str
) -> None:
    """`无法读取 base.csv：No such file or directory` in a Chinese run (the clerk probe)."""
    missing = tmp_path / "base.csv"
    result = CliRunner().invoke(
        main, ["--lang", "zh", "validate", str(missing), "--store", store_path]
    )
    assert result.exit_code == 2
    assert "文件不存在" in result.stderr and "No such file" not in result.stderr
    english = CliRunner().invoke(
        main, ["--lang", "en", "validate", str(missing), "--store", store_path]
    )
    assert "No such file or directory" in english.stderr


def test_a_schema_org_catalogue_was_told_in_english_keys_and_a_python_dict(
    tmp_path: Path, store_path: str
) -> None:
    """`--lang zh` printed `triples: 12` and `types: {'http://schema.org/Dataset': 1}`, and
    nothing said that schema.org is not read (the DCAT probe)."""
    doc = tmp_path / "schema.jsonld"
    doc.write_text(
        '{"@context": {"@vocab": "http://schema.org/"}, "@id": "https://p.example/ds/1",'
        ' "@type": "Dataset", "name": "公交线路"}',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["--lang", "zh", "validate", "--format", "dcat", str(doc), "--store", store_path]
    )
    assert result.exit_code == 2, result.output
    assert "schema.org" in result.stderr and "dcat:Dataset" in result.stderr
    assert "三元组数" in result.stderr and "类型: http://schema.org/Dataset: 1" in result.stderr
    assert "{'" not in result.stderr and "triples" not in result.stderr
