"""Messages for people in both languages, and the language a person reads.

A message is a `Text`: its Chinese and its English kept apart from where it is written
to where it is shown, so a page, an API client that names its language, or the command
line picks its half without taking a string apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    """One message in Chinese and English."""

    zh: str
    en: str

    def in_language(self, lang: str) -> str:
        """The Chinese half for "zh", else the English one."""
        return self.zh if lang == "zh" else self.en

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    def __str__(self) -> str:
        # Where no reader's language is known (logs, a job's record): both.
        return f"{self.en} ({self.zh})"


def locale_language(explicit: str | None = None) -> str:
    """The language of the command line's messages: `--lang`, else SCREG_LANG, else the
    locale (LC_ALL, LC_MESSAGES, LANG) when it is Chinese, else English."""
    if explicit in ("zh", "en"):
        return explicit
    setting = os.environ.get("SCREG_LANG", "").lower()
    if setting in ("zh", "en"):
        return setting
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


# What the details of an error are called in Chinese: the keys are the API's (docs/api.md),
# and a clerk reading a zh message read `file:`, `rule:`, `limit:` (the command line) and
# `file / format / line` (the pages' error box).
_DETAIL_NAMES_ZH = {
    "file": "文件",
    "rule": "规则",
    "line": "行",
    "column": "列",
    "row": "行",
    "sheet": "工作表",
    "byte": "字节位置",
    "position": "位置",
    "limit": "上限",
    "character": "字符",
    "property": "属性",
    "subject": "主体",
    "iri": "IRI",
    "id": "标识",
    "kind": "种类",
    "code": "代码",
    "item": "条目",
    "entry": "条目",
    "entries": "条目",
    "status": "状态",
    "allowed": "可用值",
    "known": "可用值",
    "format": "格式",
    "reason": "原因",
    "owner": "所属部门",
    "provider": "提供方",
    "store": "存储",
    "texts": "处数",
    "ignored_subjects": "未登记的主体",
    "content_type": "内容类型",
    "department": "部门",
    "prefix": "前缀",
    "latest": "最近一次写入",
    "after": "游标",
    "triples": "三元组数",
    "datasets": "数据集数",
    "services": "数据服务数",
    "types": "类型",
    "not_mapped": "未映射",
    "node": "节点",
    "source": "来源",
    "looks_like": "看起来是",
    "max": "上限",
    "line_text": "该行内容",
}


def detail_name(key: str, lang: str) -> str:
    """An error detail's name for people in `lang`: its Chinese name in zh when it has
    one, else the API's key."""
    return _DETAIL_NAMES_ZH.get(key, key) if lang == "zh" else key
