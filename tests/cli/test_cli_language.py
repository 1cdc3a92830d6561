"""The command line's own lines follow --lang, SCREG_LANG or the locale (issue 20): a zh
user read "error: nothing is registered as ..." and "submission ..., 27 unchanged"
whatever the locale."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from registry.cli import main
from tests.conftest import EXAMPLES
from tests.servers import seeded_folder

NO_LOCALE: dict[str, str | None] = {"LC_ALL": None, "LC_MESSAGES": None, "SCREG_LANG": None}


def test_an_error_is_in_the_locales_language(tmp_path: Path, seeded_dump: bytes) -> None:
    path = seeded_folder(seeded_dump, tmp_path / "store")
    runner = CliRunner()
    args = ["show", "GB/T 0-1999", "--store", str(path)]
    zh = runner.invoke(main, args, env={**NO_LOCALE, "LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 2
    assert zh.stderr.startswith("错误：未找到已登记为 'GB/T 0-1999' 的条目")
    assert "nothing is registered" not in zh.stderr
    en = runner.invoke(main, args, env={**NO_LOCALE, "LANG": "C.UTF-8"})
    assert en.exit_code == 2
    assert en.stderr.startswith("error: nothing is registered") and "未找到" not in en.stderr
    # SCREG_LANG wins over the locale.
    chosen = runner.invoke(main, args, env={**NO_LOCALE, "LANG": "C.UTF-8", "SCREG_LANG": "zh"})
    assert chosen.stderr.startswith("错误：")


def test_register_says_what_it_did_in_the_chosen_language(
    tmp_path: Path, seeded_dump: bytes
) -> None:
    path = seeded_folder(seeded_dump, tmp_path / "store")
    runner = CliRunner()
    args = ["register", str(EXAMPLES / "catalogue-valid.ttl"), "--store", str(path)]
    zh = runner.invoke(main, [*args, "--lang", "zh"], env={**NO_LOCALE, "LANG": "C.UTF-8"})
    assert zh.exit_code == 0, zh.output
    assert zh.stdout.startswith("提交 ")
    assert "未重新校验" in zh.stdout
    en = runner.invoke(main, args, env={**NO_LOCALE, "LANG": "C.UTF-8"})
    assert en.stdout.startswith("submission ") and "not validated again" in en.stdout


def test_the_groups_lang_reaches_the_commands_report() -> None:
    """`screg --lang en validate` printed the report in Chinese: the command's own
    --lang, unset, hid the group's choice."""
    invalid = str(EXAMPLES / "invalid" / "sharing.ttl")
    runner = CliRunner()
    for args in (["--lang", "en", "validate", invalid], ["validate", "--lang", "en", invalid]):
        result = runner.invoke(main, [*args, "--store", "memory"], env=NO_LOCALE)
        assert result.exit_code == 1, result.output
        assert result.stdout.startswith("Does not conform"), result.stdout
    zh = runner.invoke(main, ["--lang", "zh", "validate", invalid, "--store", "memory"])
    assert zh.stdout.startswith("不符合")
